"""A refresh's list of changed cells (results.Changes): made a Change at a time when looked
at, and otherwise the list it stands for."""

from __future__ import annotations

import pickle

import pytest

from acctbook.book.results import Change, Changes


def test_changes_read_as_the_list_of_changes_they_stand_for():
    c = Changes()
    c.add("Clients", "T", [2, 5], [None, 3.0], ["2026-01-01", 4.0])
    c.add("Deals", "K", [], [], [])                 # a column with nothing changed
    c.add("Deals", "K", [7], ["a"], ["b"])
    want = [Change("Clients", "T2", None, "2026-01-01"), Change("Clients", "T5", 3.0, 4.0),
            Change("Deals", "K7", "a", "b")]
    assert len(c) == 3 and list(c) == want and c == want and c == Changes(want)
    assert c[0] == want[0] and c[2] == want[2] and c[-1] == want[-1] and c[1:] == want[1:]
    assert want[1] in c and c != want[:2]
    with pytest.raises(IndexError):
        c[3]
    assert pickle.loads(pickle.dumps(c)) == want     # a batch hands results between processes
    assert not Changes() and Changes() == []
