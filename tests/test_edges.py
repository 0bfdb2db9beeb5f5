"""Edges a manager must be able to trust: a huge value, a far or off --today, an order
delivered in full but still Open."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from acctbook import cli
from acctbook.book import rules
from acctbook.book.model import Problem, cut_text, quoted, shown
from acctbook.book.rules import check_book
from acctbook.xlsx.read import read_book
from bookfiles import TODAY, valid_data, write_book

HUGE = "a" * 32767          # Excel's cell limit


def _book(tmp_path, data=None, name="book.xlsx"):
    return write_book(tmp_path / name, data)


def _huge_email_book(tmp_path):
    data = valid_data()
    data["Clients"][0]["email"] = HUGE
    return _book(tmp_path, data)


# --- 1. a long value is quoted cut, with its length ------------------------------------
def test_cut_text_keeps_whole_characters():
    assert cut_text("abc") == "abc" and quoted("abc") == "'abc'" and shown("abc") == "abc"
    assert cut_text("a" * 61) == "a" * 60 + "…"
    assert quoted(HUGE) == "'" + "a" * 60 + "…' (32,767 characters)"
    assert shown(HUGE) == "a" * 60 + "… (32,767 characters)"
    pair = "a" * 59 + "\ud83d\ude00" + "b" * 10      # a surrogate pair across the cut
    assert cut_text(pair) == "a" * 59 + "…"
    accent = "a" * 59 + "e\u0301" + "b" * 10           # a letter and its combining accent
    assert cut_text(accent) == "a" * 59 + "…"
    assert cut_text("😀" * 100) == "😀" * 60 + "…"      # whole code points are whole characters


def test_check_line_and_json_quote_a_huge_email_cut(tmp_path, capsys):
    path = _huge_email_book(tmp_path)
    assert cli.main(["check", str(path), "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out.splitlines()
    email = [line for line in out if "Email" in line]
    assert len(email) == 1 and len(email[0]) < 300, email
    assert "(32,767 characters)" in email[0]
    assert all(len(line) < 300 for line in out)
    assert cli.main(["check", str(path), "--json", "--today", TODAY.isoformat()]) == 1
    found = [p for p in json.loads(capsys.readouterr().out) if p["code"] == "email"]
    assert len(found) == 1
    assert found[0]["value"] == "a" * 60 + "… (32,767 characters)"
    assert len(found[0]["message"]) < 300


def test_refresh_writes_a_book_with_a_huge_email(tmp_path, capsys):
    path = _huge_email_book(tmp_path)
    assert cli.main(["refresh", str(path), "--today", TODAY.isoformat()]) == 1   # the error
    captured = capsys.readouterr()
    assert "refreshed" in captured.out, captured
    assert "nothing refreshed" not in captured.err
    wb = openpyxl.load_workbook(path)
    assert wb["Clients"]["Q2"].value == HUGE              # the value itself stays whole
    ws = wb["Problems"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    email = [r for r in rows if r.get("Code") == "email"]
    assert len(email) == 1, rows
    assert email[0]["Value"] == "a" * 60 + "… (32,767 characters)"
    assert len(email[0]["Message"]) < 300
    assert all(len(str(v)) < 1000 for r in rows for v in r.values() if v is not None)


def test_a_message_built_with_a_huge_value_is_cut_too():
    p = Problem("error", "type-number", "Clients", 2, "Credit limit", "O2", HUGE,
                f"Credit limit: '{HUGE}' is not a number")
    assert p.message == "Credit limit: '" + "a" * 60 + "…' (32,767 characters) is not a number"
    short = Problem("error", "type-number", "Clients", 2, "Credit limit", "O2", "x" * 80,
                    f"Credit limit: '{'x' * 80}' is not a number")
    assert short.message == f"Credit limit: '{'x' * 80}' is not a number"   # short: untouched


# --- 2. --today far from the clock ------------------------------------------------------
def test_today_far_from_the_clock_says_so_and_still_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_clock", lambda: dt.date(2026, 12, 6))
    path = _book(tmp_path)
    assert cli.main(["refresh", str(path), "--today", "2199-12-31"]) in (0, 1)
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "more than a year" in line]
    assert notes == ["note: working as of 2199-12-31, more than a year from today's date "
                     "2026-12-06"]
    status = cli.main(["check", str(path), "--today", "2199-12-31"])
    captured = capsys.readouterr()
    assert status == cli.main(["check", str(path), "--today", "2199-12-31"])   # unchanged
    assert sum("more than a year" in line for line in captured.err.splitlines()) == 1
    assert "note:" not in captured.out


@pytest.mark.parametrize("today", ["2026-12-06", "2025-12-06", "2027-12-06", "2026-06-01"])
def test_today_within_a_year_says_nothing(tmp_path, capsys, monkeypatch, today):
    monkeypatch.setattr(cli, "_clock", lambda: dt.date(2026, 12, 6))
    assert cli.main(["check", str(_book(tmp_path)), "--today", today]) in (0, 1)
    assert "more than a year" not in capsys.readouterr().err


def test_no_today_no_notice(tmp_path, capsys):
    cli.main(["check", str(_book(tmp_path))])
    assert "note:" not in capsys.readouterr().err


def test_far_notice_past_too(monkeypatch, capsys):
    monkeypatch.setattr(cli, "_clock", lambda: dt.date(2028, 2, 29))
    cli._far_notice(dt.date(2027, 2, 27))
    assert "more than a year from today's date 2028-02-29" in capsys.readouterr().err
    cli._far_notice(dt.date(2027, 2, 28))
    assert capsys.readouterr().err == ""


# --- 3. --today on a day off ------------------------------------------------------------
@pytest.mark.parametrize("command", ["refresh", "calls"])
def test_today_on_a_saturday_says_follow_ups_move(tmp_path, capsys, command):
    path = _book(tmp_path)
    cli.main([command, str(path), "--today", "2026-10-03"])      # a Saturday
    notes = [line for line in capsys.readouterr().err.splitlines()
             if "not a working day" in line]
    assert len(notes) == 1, notes
    assert notes[0].startswith("note: 2026-10-03 is not a working day (Sun–Thu, Israeli "
                               "holidays and the Holidays table)")


def test_a_holiday_from_the_books_own_table_is_a_day_off(tmp_path, capsys):
    cli.main(["calls", str(_book(tmp_path)), "--today", "2026-08-10"])   # Holidays: Company day
    assert "note: 2026-08-10 is not a working day" in capsys.readouterr().err


def test_a_working_day_or_no_today_says_nothing(tmp_path, capsys):
    path = _book(tmp_path)
    cli.main(["calls", str(path), "--today", "2026-06-01"])      # a Monday
    assert "not a working day" not in capsys.readouterr().err
    cli.main(["check", str(path), "--today", "2026-10-03"])      # check computes no follow-ups
    assert "not a working day" not in capsys.readouterr().err


# --- 4. delivered in full, still Open ---------------------------------------------------
def _orders(tmp_path, *changes, lang="en"):
    data = valid_data()
    for ch in changes:
        data["Orders"].append({**data["Orders"][0], **ch})
    return check_book(read_book(write_book(tmp_path / "book.xlsx", data, lang=lang)), TODAY)


def test_order_status_in_a_hebrew_book(tmp_path):
    found = _orders(tmp_path, {"order_id": "O-002", "status": "Open", "delivered_qty": 10},
                    lang="he")
    assert [(p.code, p.cell) for p in found] == [("order-status", "N3")]


def test_order_delivered_in_full_still_open_warns(tmp_path):
    found = _orders(tmp_path, {"order_id": "O-002", "status": "Open", "delivered_qty": 10},
                    {"order_id": "O-003", "status": "Open", "delivered_qty": 4},
                    {"order_id": "O-004", "status": "Open", "delivered_qty": None,
                     "delivered_on": None})
    hits = [p for p in found if p.code == "order-status"]
    assert [(p.severity, p.sheet, p.cell, p.row, p.column, p.value) for p in hits] == [
        ("warning", "Orders", "N3", 3, "Status", "Open")], [p.line() for p in hits]
    assert hits[0].message == ("Status is still Open but the line is delivered in full "
                               "(Delivered qty 10 of Quantity 10); expected Delivered")
    assert "order-status" in rules.CODES and rules.rule_order_status in rules.RULES
