"""Issue 21: refresh works out compute's pieces of the tables already read while the reader
parses a big book's last sheet (core/early.py), and compute takes them (core/digests.py).
A user sees the same computed cells as when everything is worked out after the read: the
same follow-ups, reasons, queue and campaign results, also when a table loses rows to errors
after its pieces were made."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pandas as pd
import pytest

from acctbook import api
from acctbook.book import schema
from acctbook.book.rules import check_book
from acctbook.core import campaign_results, compute, followups, plan
from acctbook.core.digests import Digests
from acctbook.core.early import PIECES, EarlyWork
from acctbook.create.demo import demo_data
from acctbook.create.workbook import create_workbook
from acctbook.xlsx import read
from tests.test_early_rules import read_while_parsing

TODAY = dt.date(2026, 11, 26)


def test_a_piece_is_taken_only_for_the_very_frames_it_was_made_from():
    calls = []

    def rows(frame):
        calls.append(1)
        return len(frame)
    digests = Digests()
    frame = pd.DataFrame({"a": [1, 2, 3]})
    assert digests.get(rows, frame) == 3 and digests.get(rows, frame) == 3
    assert len(calls) == 1 and rows in digests
    equal = frame.copy()                 # equal, not the same: worked out again
    assert digests.get(rows, equal) == 3 and len(calls) == 2
    shorter = frame.iloc[:2]             # a table that lost a row to an error
    assert digests.get(rows, shorter) == 2 and len(calls) == 3


def test_contacted_finds_the_latest_call_the_latest_answer_and_the_latest_heard():
    """Per client: the latest interaction (by Date, then sheet row); the latest that is not
    No answer (cadence, reorder); the latest that is neither No answer nor a campaign
    message (the thank-you rule). Rows without a Client ID or a Date count for none."""
    d = pd.to_datetime
    inter = pd.DataFrame({
        "client_id": ["C-1", "C-1", "C-1", "C-2", "C-2", None, "C-3", "C-1"],
        "date": d(["2026-11-01", "2026-11-05", "2026-11-05", "2026-10-01", "2026-10-09",
                   "2026-11-20", None, "2026-11-03"]),
        "outcome": ["Positive", "No answer", "Positive", "Positive", "No answer",
                    "Positive", "Positive", "Positive"],
        "campaign_id": [None, None, "K-1", None, None, None, None, None],
        "next_step_date": d([None] * 8),
    }, index=pd.Index([2, 3, 4, 5, 6, 7, 8, 9]))
    got = followups.contacted(inter)
    # C-1: rows 3 and 4 share the latest date; row 4 (later in the sheet) is the latest
    assert got.latest["row"].to_dict() == {"C-1": 4, "C-2": 6}
    assert got.latest.loc["C-1", "outcome"] == "Positive"
    assert got.answered.to_dict() == {"C-1": d("2026-11-05"), "C-2": d("2026-10-01")}
    # the campaign message of 5 Nov is not a heard call: 3 Nov is
    assert got.heard.to_dict() == {"C-1": d("2026-11-03"), "C-2": d("2026-10-01")}
    assert followups.latest_interactions(inter).equals(got.latest)
    assert followups.last_answered(inter).equals(got.answered)
    empty = followups.contacted(inter.iloc[:0])
    assert empty.latest.empty and empty.answered.empty and empty.heard.empty


def _book(path, lang, bad_interaction: bool = False):
    """The demo, its Orders parsed last; `bad_interaction`: a client's latest interaction
    has an Outcome no list has, so refresh leaves that row out of compute (its error is in
    a column compute reads), after its pieces were made with it."""
    data, settings = demo_data(TODAY)
    if bad_interaction:         # not counted: that client's Last contact moves back
        inter = data["Interactions"]
        who = inter[0]["client_id"]
        latest = max((r for r in inter if r["client_id"] == who), key=lambda r: r["date"])
        latest["outcome"] = "Maybe"
    return create_workbook(path, lang, data, settings)


def _frames_equal(a, b):
    for name in ("clients", "deals", "complaints", "contracts", "queue", "rankings",
                 "segments", "regions", "campaigns", "loyalty"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.kpis == b.kpis


@pytest.mark.parametrize("lang,bad", [("en", False), ("he", False), ("en", True)])
def test_pieces_made_while_reading_give_the_results_made_after(tmp_path, monkeypatch, lang,
                                                               bad):
    path = _book(tmp_path / f"book.{lang}.xlsx", lang, bad)
    early = EarlyWork(TODAY)
    book = read_while_parsing(monkeypatch, path, early, slow_last="Orders")
    # Interactions' pieces were made while Orders was parsed
    assert followups.contacted in early.digests
    assert campaign_results.campaign_results in early.digests
    assert compute.prospect_streaks in early.digests
    problems = check_book(book, TODAY, early.rules)
    assert any(p.sheet == book.tables["Interactions"].sheet for p in problems) == bad
    made_early = plan.refresh_results(book, problems, TODAY, early.digests)
    after = read_while_parsing(monkeypatch, path)
    _frames_equal(made_early, plan.refresh_results(after, check_book(after, TODAY), TODAY))
    assert made_early.queue["follow_up_reason"].notna().all() and len(made_early.queue)
    assert made_early.campaigns["recipients"].notna().any()


def test_the_refresh_command_writes_the_same_cells_with_the_reading_threads(tmp_path,
                                                                            monkeypatch):
    """`acctbook refresh` as on a big book (the reading threads, the pieces made while the
    last sheets parse) against the same book refreshed all after the read; read back with
    openpyxl, sheet by sheet, History aside."""
    path = _book(tmp_path / "threads.xlsx", "he")
    plain = tmp_path / "plain.xlsx"
    shutil.copy(path, plain)
    api.refresh(plain, today=TODAY)
    monkeypatch.setattr(read, "PARALLEL_ABOVE", 0)
    api.refresh(path, today=TODAY)
    a, b = openpyxl.load_workbook(path), openpyxl.load_workbook(plain)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        if name == schema.HISTORY.sheet("he"):
            continue
        got = [[c for c in row] for row in a[name].iter_rows(values_only=True)]
        want = [[c for c in row] for row in b[name].iter_rows(values_only=True)]
        assert got == want, name
    today = a[schema.generated_sheet("Today", "he")]
    assert today.max_row > 2 and any(c.value is not None for c in today[2])


def test_a_book_that_cannot_be_offered_leaves_every_piece_to_compute():
    """The loader failing while reading (it says so itself when the read ends): no rule and
    no piece is tried any more; compute works every piece out after the read."""
    class Failing:
        def book(self):
            raise ValueError("odd references")
    early = EarlyWork(TODAY)
    early.offer(Failing())
    assert early.work() is False and early.loading is None
    assert early.work() is False
    assert followups.contacted not in early.digests and len(early.todo) == len(PIECES)
