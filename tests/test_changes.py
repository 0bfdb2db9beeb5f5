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


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_columns_cells_are_each_values_cell(lang):
    """core.plan.column_cells (a column of one kind in one comprehension) gives each value's
    cell as cell_value does: NaN and NaT blank, timestamps as dates, choices in Hebrew."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    from acctbook.book import schema
    from acctbook.core.plan import cell_value, column_cells
    choice = next(c for c in schema.CLIENTS.columns if c.type == schema.CHOICE)
    columns = [
        ["Active", "Prospect", None, "", "Lost"],
        [1, 2.5, float("nan"), None, 0],
        [dt.date(2026, 3, 9), None, "text", 7],
        [pd.Timestamp("2026-03-09"), pd.NaT, None],
        [np.int64(4), np.float64("nan"), True, pd.NA, dt.datetime(2026, 3, 9, 14, 30)],
    ]
    for values in columns:
        for column in (choice, None):
            want = [cell_value(v, column, lang) for v in values]
            got = column_cells(list(values), column, lang)
            assert got == want and [type(v) for v in got] == [type(v) for v in want]
    assert column_cells(["Active"], choice, "he") == [schema.show_choice("Active", "he")]
