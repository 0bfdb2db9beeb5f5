"""A Hebrew book is told its problems in Hebrew (issue 14, point 1): `check --json`'s
messages name Hebrew columns, sheets and choices, a near miss suggests the right choice,
the codes stay English, and the Problems sheet that refresh writes says the same. The same
faults in an English book keep their English messages."""

from __future__ import annotations

import json
import re

from python_calamine import CalamineWorkbook

from acctbook.book import schema
from acctbook.cli import main
from bookfiles import TODAY, valid_data, write_book

HEBREW = re.compile(r"[\u0590-\u05ff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def planted() -> dict:
    """valid_data() with one fault of each kind, all in values a Hebrew user would type."""
    data = valid_data()
    data["Clients"][0]["status"] = "פעילה"                 # choice: a near miss of פעיל
    data["Clients"][1]["created"] = "32/13/2025"          # not a date
    data["Deals"][0]["title"] = None                       # a required cell left blank
    data["Orders"][0]["client_id"] = "C-999"               # no such client
    data["Contacts"][0]["email"] = "dana@"                 # not an address
    row = next(r for r in data["Settings"] if r["setting"] == "Payment terms")
    row["value"] = "שלושים"                                # not a whole number
    return data


def check_json(path, capsys) -> list[dict]:
    main(["check", str(path), "--today", TODAY.isoformat(), "--json"])
    out = json.loads(capsys.readouterr().out)
    return out["problems"] if isinstance(out, dict) else out


def by_code(problems: list[dict]) -> dict[str, dict]:
    return {p["code"]: p for p in problems}


CODES = {"choice", "type-date", "required", "ref", "email", "setting"}


def test_check_json_on_a_hebrew_book_speaks_hebrew(tmp_path, capsys):
    path = write_book(tmp_path / "ספר.xlsx", planted(), lang="he")
    problems = check_json(path, capsys)
    found = by_code(problems)
    assert CODES <= set(found), problems                   # the codes stay English
    for p in problems:
        message = p["message"]
        assert HEBREW.search(message), message
        # nothing English but what the user typed (quoted, or the ID C-999) and the
        # Excel table's own name
        rest = re.sub(r"'[^']*'", "", message).replace("C-999", "")
        assert not LATIN_WORD.search(rest), message
    choice = found["choice"]["message"]
    assert "ליד, פעיל, רדום, אבוד" in choice and "פעילה" in choice
    assert choice.endswith("אולי התכוונתם ל־פעיל?"), choice
    assert "Active" not in choice
    assert found["choice"]["column"] == "סטטוס" and found["choice"]["sheet"] == "לקוחות"
    assert "מזהה לקוח" in found["ref"]["message"] and "לקוחות" in found["ref"]["message"]
    assert "חסר החלק שאחרי הסימן @" in found["email"]["message"]
    assert "תנאי תשלום" in found["setting"]["message"]
    assert "שם עסקה" in found["required"]["message"] or "כותרת" in found["required"]["message"]


def test_the_problems_sheet_of_a_hebrew_book_is_hebrew(tmp_path, capsys):
    path = write_book(tmp_path / "book.xlsx", planted(), lang="he")
    main(["refresh", str(path), "--today", TODAY.isoformat()])
    capsys.readouterr()
    sheet = schema.generated_sheet("Problems", "he")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    header, body = rows[0], [r for r in rows[1:] if any(v not in ("", None) for v in r)]
    assert header[:2] == ["חומרה", "קוד"]
    codes = {r[1] for r in body}
    assert CODES <= codes, body
    assert {r[0] for r in body} <= {"שגיאה", "אזהרה"}
    message = header.index("הודעה")
    for r in body:
        assert HEBREW.search(str(r[message])), r
    choice = next(r for r in body if r[1] == "choice")
    assert "אולי התכוונתם ל־פעיל?" in choice[message]


def test_the_same_faults_in_an_english_book_keep_english(tmp_path, capsys):
    data = planted()
    data["Clients"][0]["status"] = "Actve"
    row = next(r for r in data["Settings"] if r["setting"] == "Payment terms")
    row["value"] = "thirty"
    problems = check_json(write_book(tmp_path / "book.xlsx", data), capsys)
    found = by_code(problems)
    assert CODES <= set(found)
    for p in problems:
        assert not HEBREW.search(p["message"]), p["message"]
    assert found["choice"]["message"] == ("Status: 'Actve' is not one of Prospect, Active, "
                                          "Dormant, Lost; did you mean Active?")
    assert found["type-date"]["message"] == "Created: '32/13/2025' is not a date"
    assert found["email"]["message"] == ("Email 'dana@' is not a valid address: There must "
                                         "be something after the @-sign.")
    assert found["setting"]["message"] == ("Setting 'Payment terms': 'thirty' is not valid "
                                           "(expected a whole number, 0 or more); using the "
                                           "default")
    assert found["ref"]["message"] == "Client ID 'C-999' is not a Client ID in Clients"


def test_a_far_miss_suggests_nothing(tmp_path, capsys):
    data = valid_data()
    data["Clients"][0]["status"] = "משהו אחר לגמרי"
    found = by_code(check_json(write_book(tmp_path / "book.xlsx", data, lang="he"), capsys))
    assert "אולי" not in found["choice"]["message"]
    assert "ליד, פעיל, רדום, אבוד" in found["choice"]["message"]


def test_yes_no_names_the_hebrew_answers_and_suggests_one(tmp_path, capsys):
    data = valid_data()
    data["Clients"][0]["key_account"] = "כןן"
    found = by_code(check_json(write_book(tmp_path / "book.xlsx", data, lang="he"), capsys))
    message = found["yes-no"]["message"]
    assert "כן, לא" in message and message.endswith("אולי התכוונתם ל־כן?"), message


def test_check_lines_of_a_hebrew_book_tag_warnings_in_hebrew(tmp_path, capsys):
    data = valid_data()
    data["Clients"][1]["created"] = "2025-03-01"           # a date typed as text: a warning
    path = write_book(tmp_path / "ספר.xlsx", data, lang="he")
    main(["check", str(path), "--today", TODAY.isoformat()])
    out, err = capsys.readouterr()
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines and all(": אזהרה: " in ln for ln in lines), out
    assert "warning" not in out and "warning" not in err and HEBREW.search(err), err
