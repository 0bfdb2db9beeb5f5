"""A Hebrew book's output on a console or file that cannot hold Hebrew (a redirect on an
English Windows writes cp1252): never an error, JSON still exact (\\u escapes), and no
invisible direction marks in data (they are for Excel's cells, book/bidi.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import pytest

from acctbook import api, cli

TODAY = dt.date(2026, 3, 10)
MARKS = set("\u200e\u200f\u2066\u2067\u2068\u2069")


@pytest.fixture(scope="module")
def hebrew_book(tmp_path_factory):
    return api.new(tmp_path_factory.mktemp("enc") / "ספר.xlsx", lang="he", demo=True,
                   today=TODAY)


def run_on(encoding: str, monkeypatch, argv) -> tuple[int, str, str]:
    out = io.TextIOWrapper(io.BytesIO(), encoding=encoding)       # errors="strict", as Python
    err = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(argv)
    out.flush(), err.flush()
    return (code, out.buffer.getvalue().decode(encoding), err.buffer.getvalue().decode(encoding))


def test_calls_on_a_cp1252_stream_prints_question_marks_not_an_error(hebrew_book, monkeypatch):
    code, out, err = run_on("cp1252", monkeypatch, ["calls", str(hebrew_book),
                                                     "--today", TODAY.isoformat()])
    assert code in (0, 1) and "internal error" not in err and "Traceback" not in err
    assert "C-0" in out and "?" in out                 # the Hebrew names became '?'


def test_json_on_a_cp1252_stream_is_exact_and_free_of_direction_marks(hebrew_book, monkeypatch):
    code, out, err = run_on("cp1252", monkeypatch, ["calls", str(hebrew_book), "--json",
                                                     "--today", TODAY.isoformat()])
    rows = json.loads(out)
    reasons = [r["follow_up_reason"] for r in rows if r.get("follow_up_reason")]
    assert reasons and any("\u05d0" <= ch <= "\u05ea" for ch in "".join(reasons))
    assert not MARKS & set("".join(reasons))
    assert code in (0, 1) and "internal error" not in err


def test_text_calls_in_utf8_carry_no_direction_marks(hebrew_book, monkeypatch):
    code, out, _err = run_on("utf-8", monkeypatch, ["calls", str(hebrew_book),
                                                     "--today", TODAY.isoformat()])
    assert code in (0, 1) and ("תשלום" in out or "אספקה" in out), out
    assert not MARKS & set(out)
