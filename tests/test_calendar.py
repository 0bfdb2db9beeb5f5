"""`acctbook calendar` and `refresh --calendar`: the .ics a manager imports into Outlook, Google
Calendar or Apple Calendar (docs/calendar.md).

The books are planted with acctbook.create.workbook (English and Hebrew); the calendar is read
back with `icalendar` and the refreshed book's dates with python-calamine, so every date in
the calendar is checked against the one refresh wrote into the cells."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import icalendar
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli
from acctbook.book import schema
from acctbook.core.calendar_items import book_slug, next_birthday, uid
from acctbook.create.workbook import create_workbook

TODAY = dt.date(2026, 6, 1)          # a Monday; IL: Sun-Thu week
D = dt.date

DATA = {
    "Clients": [
        {"client_id": "C-001", "name": "Acme Ltd", "status": "Active", "key_account": "Yes",
         "phone": "03-6123456", "created": D(2024, 1, 10)},
        {"client_id": "C-002", "name": "Globex", "status": "Prospect", "phone": "052-5381234",
         "created": D(2026, 5, 27)},
        {"client_id": "C-003", "name": "Gone Ltd", "status": "Lost", "created": D(2023, 1, 1)},
        {"client_id": "C-004", "name": "Initech", "status": "Dormant", "created": D(2022, 3, 1)},
    ],
    "Contacts": [
        {"contact_id": "P-001", "client_id": "C-001", "name": "Dana Levi", "role": "Buyer",
         "email": "dana@acme.co.il", "phone": "054-4123456", "primary": "Yes",
         "birthday": D(1980, 6, 10)},
        {"contact_id": "P-009", "client_id": "C-001", "name": "Not Primary",
         "birthday": D(1985, 6, 3)},
        {"contact_id": "P-002", "client_id": "C-002", "name": "Leap Baby",
         "birthday": D(1992, 2, 29)},
        {"contact_id": "P-003", "client_id": "C-003", "name": "Lost Contact", "primary": "Yes",
         "birthday": D(1970, 6, 5)},
    ],
    "Interactions": [
        {"date": D(2026, 5, 20), "client_id": "C-001", "contact_id": "P-001",
         "channel": "Phone", "outcome": "Reached", "next_step": "Send offer",
         "next_step_date": D(2026, 5, 25), "event_id": "E-01"},
        {"date": D(2026, 5, 31), "client_id": "C-004", "channel": "Email", "outcome": "Reached"},
    ],
    "Contracts": [
        # End − 30 days = Sat 2026-08-01, rolled back to Thu 2026-07-30
        {"contract_id": "CTR-2026-0001", "client_id": "C-001", "status": "Signed",
         "start": D(2025, 9, 1), "end": D(2026, 8, 31), "renewal_notice": 30, "value": 100000,
         "signed_on": D(2025, 8, 20)},
        # blank notice: Settings 60 -> 2026-11-01, beyond 90 days
        {"contract_id": "CTR-2026-0002", "client_id": "C-001", "status": "Signed",
         "start": D(2026, 1, 1), "end": D(2026, 12, 31), "signed_on": D(2025, 12, 1)},
        {"contract_id": "CTR-2026-0003", "client_id": "C-001", "status": "Draft",
         "start": D(2026, 1, 1), "end": D(2026, 7, 1)},
    ],
    "Complaints": [
        {"case_id": "K-001", "client_id": "C-001", "opened": D(2026, 5, 28), "severity": "Low",
         "category": "Delivery", "description": "Late again", "status": "Open"},
        {"case_id": "K-002", "client_id": "C-001", "opened": D(2026, 5, 1), "severity": "High",
         "status": "Resolved", "resolved_on": D(2026, 5, 2)},
    ],
    "Events": [
        {"event_id": "E-01", "name": "Lab Expo", "type": "Exhibition", "date": D(2026, 6, 15),
         "location": "Tel Aviv"},
        {"event_id": "E-02", "name": "Old Fair", "type": "Fair", "date": D(2026, 3, 1)},
    ],
}


def plant(folder: Path, lang: str, name: str = "clients.xlsx", data=None) -> Path:
    return create_workbook(folder / name, lang, data=copy.deepcopy(data or DATA))


@pytest.fixture(scope="module", params=["en", "he"])
def planted(request, tmp_path_factory):
    """(lang, book, its .ics, the refreshed copy): the calendar made from the book as it is,
    and refresh run on a copy, to read refresh's dates back."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"cal-{lang}")
    book = plant(folder, lang)
    before = book.read_bytes()
    r = api.calendar(book, today=TODAY)
    assert book.read_bytes() == before             # the workbook is only read
    copy_ = folder / "refreshed.xlsx"
    shutil.copy(book, copy_)
    api.refresh(copy_, today=TODAY)
    return lang, book, r.path, copy_


def events(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(Path(path).read_bytes())
    out = {}
    for e in cal.walk("VEVENT"):
        assert str(e["UID"]) not in out, "a UID twice"
        out[str(e["UID"])] = e
    return out


def start(e) -> dt.date:
    return e["DTSTART"].dt


def table(path: Path, spec: schema.Table, lang: str) -> list[dict]:
    """A table of the book read with python-calamine, keyed by schema key."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(spec.name)
    keys = {c.label(lang): c.key for c in spec.columns}
    rows = t.to_python()
    return [{keys.get(h, h): v for h, v in zip(t.columns, row)} for row in rows]


def day(v) -> dt.date | None:
    return v.date() if isinstance(v, dt.datetime) else v if isinstance(v, dt.date) else None


# --- the file ---------------------------------------------------------------------------------
def test_it_is_an_rfc5545_calendar_in_the_books_name(planted):
    lang, book, ics, _ = planted
    assert ics == book.with_suffix(".ics")                        # beside the book
    raw = ics.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")                 # CRLF only
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))    # folded
    raw.decode("utf-8")
    cal = icalendar.Calendar.from_ical(raw)
    assert (str(cal["VERSION"]), str(cal["CALSCALE"]), str(cal["METHOD"])) == (
        "2.0", "GREGORIAN", "PUBLISH")
    assert "acctbook" in str(cal["PRODID"]) and str(cal["X-WR-CALNAME"]).startswith("clients")
    for e in events(ics).values():
        assert e["DTSTART"].params.get("VALUE") == "DATE" and type(start(e)) is dt.date
        assert e["DTEND"].dt == start(e) + dt.timedelta(days=1)
        assert str(e["TRANSP"]) == "TRANSPARENT" and e["DTSTAMP"].dt == dt.datetime(
            2026, 6, 1, tzinfo=dt.timezone.utc)
        assert str(e["SUMMARY"]).strip() and e.get("CATEGORIES") is not None
        assert TODAY <= start(e) <= TODAY + dt.timedelta(days=90)


def test_one_item_per_follow_up_on_the_date_refresh_computed(planted):
    lang, _book, ics, refreshed = planted
    got = {u: e for u, e in events(ics).items() if u.startswith("followup-")}
    want = {}
    for row in table(refreshed, schema.CLIENTS, lang):
        due = day(row["next_follow_up"])
        if due is not None and due <= TODAY + dt.timedelta(days=90):
            want[uid("follow-up", row["client_id"], "clients")] = (max(due, TODAY), due, row)
    assert set(got) == set(want) and len(want) >= 3
    assert "followup-C-003@clients.acctbook" not in got             # Lost: no follow-up
    for u, (placed, due, row) in want.items():
        e = got[u]
        assert start(e) == placed, u
        summary = str(e["SUMMARY"])
        assert summary.startswith(row["name"]), summary
        if due < TODAY:                                # overdue: on today, saying since when
            assert due.isoformat() in summary.rsplit("(", 1)[-1], summary
    assert want["followup-C-001@clients.acctbook"][1] == D(2026, 5, 25)
    acme = got["followup-C-001@clients.acctbook"]       # a promise of 05-25: overdue, on today
    text = str(acme["DESCRIPTION"])
    for words in ("03-6123456", "Dana Levi", "dana@acme.co.il", "054-4123456", "C-001"):
        assert words in text, words
    assert "http" not in text and "2026-05-20" in text              # link-free; last contact


def test_renewals_complaints_events_and_birthdays_on_their_dates(planted):
    lang, _book, ics, refreshed = planted
    got = events(ics)
    renewal = got["contract-CTR-2026-0001@clients.acctbook"]
    assert start(renewal) == D(2026, 7, 30)           # End − 30 days, rolled back to Thursday
    assert "2026-08-31" in str(renewal["SUMMARY"])
    assert "contract-CTR-2026-0002@clients.acctbook" not in got     # 2026-11-01: after 90 days
    assert "contract-CTR-2026-0003@clients.acctbook" not in got     # Draft
    sla = {r["case_id"]: day(r["sla_due"]) for r in table(refreshed, schema.COMPLAINTS, lang)}
    assert start(got["complaint-K-001@clients.acctbook"]) == sla["K-001"] == D(2026, 6, 4)
    assert "complaint-K-002@clients.acctbook" not in got            # Resolved
    expo = got["event-E-01@clients.acctbook"]
    assert start(expo) == D(2026, 6, 15) and str(expo["LOCATION"]) == "Tel Aviv"
    assert "Acme Ltd" in str(expo["DESCRIPTION"])                   # the client met there
    assert "event-E-02@clients.acctbook" not in got                 # past
    assert start(got["birthday-P-001@clients.acctbook"]) == D(2026, 6, 10)
    assert "birthday-P-009@clients.acctbook" not in got             # not the client's contact
    assert "birthday-P-003@clients.acctbook" not in got             # a Lost client's
    assert "birthday-P-002@clients.acctbook" not in got             # 2027-02-28: too far


def test_hebrew_book_hebrew_calendar(planted):
    lang, _book, ics, _ = planted
    got = events(ics)
    birthday = str(got["birthday-P-001@clients.acctbook"]["SUMMARY"])
    category = got["birthday-P-001@clients.acctbook"]["CATEGORIES"].cats[0]
    expo = str(got["event-E-01@clients.acctbook"]["SUMMARY"])
    if lang == "he":
        assert birthday.startswith("יום הולדת: Dana Levi") and category == "יום הולדת"
        assert expo == "Lab Expo (תערוכה)"             # the choice value in Hebrew
        assert "טלפון" in str(got["followup-C-001@clients.acctbook"]["DESCRIPTION"])
    else:
        assert birthday == "Birthday: Dana Levi (Acme Ltd)" and category == "Birthday"
        assert expo == "Lab Expo (Exhibition)"


def test_a_second_run_gives_the_same_bytes_and_a_later_day_the_same_uids(planted, tmp_path):
    lang, book, ics, _ = planted
    first = ics.read_bytes()
    again = api.calendar(book, out=tmp_path / "again.ics", today=TODAY).path
    assert again.read_bytes() == first
    later = api.calendar(book, out=tmp_path / "later.ics", today=TODAY + dt.timedelta(days=1))
    moved = events(later.path)["followup-C-001@clients.acctbook"]     # overdue: on the new today
    assert start(moved) == TODAY + dt.timedelta(days=1)
    assert int(moved["SEQUENCE"]) > int(events(ics)["followup-C-001@clients.acctbook"]["SEQUENCE"])
    follow = {u for u in events(ics) if u.startswith("followup-")}
    assert follow <= set(events(later.path))


def test_days_sets_the_window_and_29_february_falls_on_the_28th(tmp_path):
    book = plant(tmp_path, "en")
    got = events(api.calendar(book, today=TODAY, days=300).path)
    assert start(got["birthday-P-002@clients.acctbook"]) == D(2027, 2, 28)
    assert start(got["contract-CTR-2026-0002@clients.acctbook"]) == D(2026, 11, 1)
    today_only = events(api.calendar(book, today=TODAY, days=0).path)
    assert today_only and {start(e) for e in today_only.values()} == {TODAY}
    assert next_birthday(D(1992, 2, 29), D(2028, 1, 1)) == D(2028, 2, 29)     # a leap year
    assert next_birthday(D(1980, 6, 10), D(2026, 6, 11)) == D(2027, 6, 10)


def test_uids_name_the_book():
    assert book_slug("Key accounts 2026.xlsx") == "key-accounts-2026"
    assert book_slug(r"C:\books\clients.xlsm") == "clients"
    he = book_slug("לקוחות.xlsx")
    assert len(he) == 8 and he != book_slug("ספקים.xlsx") and he.isascii()
    assert uid("event", "E 01/א", "b") == "event-E~2001~2F~D7~90@b.acctbook"


def test_rows_with_errors_are_left_out_as_refresh_leaves_them(tmp_path, capsys):
    data = copy.deepcopy(DATA)
    data["Clients"][1]["created"] = "someday"            # an error in a column refresh reads
    book = plant(tmp_path, "en", data=data)
    assert cli.main(["calendar", str(book), "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr()
    assert out.out.startswith("calendar: ") and "acctbook check" in out.err
    got = events(book.with_suffix(".ics"))
    assert "followup-C-002@clients.acctbook" not in got and "followup-C-001@clients.acctbook" in got


# --- the command line -------------------------------------------------------------------------
def test_the_command_says_what_it_wrote_in_the_books_language(tmp_path, capsys):
    for lang, word in (("en", "calendar: "), ("he", "יומן: ")):
        book = plant(tmp_path, lang, name=f"book-{lang}.xlsx")
        before = hashlib.sha256(book.read_bytes()).hexdigest()
        out = tmp_path / f"cal-{lang}.ics"
        assert cli.main(["calendar", str(book), "--out", str(out), "--today", "2026-06-01"]) == 0
        line = capsys.readouterr().out
        assert line.startswith(word) and str(out) in line and len(line.splitlines()) == 1
        n = len(events(out))
        assert (f"{n} items" if lang == "en" else f"{n} פריטים") in line
        assert hashlib.sha256(book.read_bytes()).hexdigest() == before


def test_refresh_with_calendar_rewrites_it_from_its_own_results(tmp_path, capsys):
    book = plant(tmp_path, "en")
    ics = tmp_path / "team.ics"
    assert cli.main(["refresh", str(book), "--calendar", str(ics), "--dry-run",
                     "--today", "2026-06-01"]) == 0
    assert not ics.exists()                                   # a dry run writes no calendar
    capsys.readouterr()
    assert cli.main(["refresh", str(book), "--calendar", str(ics), "--today", "2026-06-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("refreshed ") and lines[1].startswith("calendar: ")
    got = events(ics)
    for row in table(book, schema.CLIENTS, "en"):
        due = day(row["next_follow_up"])
        u = uid("follow-up", row["client_id"], "clients")
        assert (u in got) == (due is not None)
        if due is not None:
            assert start(got[u]) == max(due, TODAY)
    assert cli.main(["refresh", str(book), "--calendar", str(ics), "--today", "2026-06-02"]) == 0
    assert start(events(ics)["followup-C-001@clients.acctbook"]) == D(2026, 6, 2)


@pytest.mark.parametrize("case", ["no folder", "not a book", "no book", "workbook as out"])
def test_a_bad_out_or_an_unreadable_book_is_one_line_and_exit_2(tmp_path, capsys, case):
    book = plant(tmp_path, "en")
    out = tmp_path / "missing" / "cal.ics"
    args = {"no folder": [str(book), "--out", str(out)],
            "not a book": [str(tmp_path / "notes.xlsx")],
            "no book": [str(tmp_path / "nowhere.xlsx")],
            "workbook as out": [str(book), "--out", str(tmp_path / "other.xlsx")]}[case]
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    before = book.read_bytes()
    assert cli.main(["calendar", *args, "--today", "2026-06-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("acctbook: ") and len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert not out.exists() and not (tmp_path / "other.xlsx").exists()
    assert not list(tmp_path.glob("*.ics")) and book.read_bytes() == before
    if case == "no folder":
        assert str(out.parent) in err


def test_refresh_with_a_bad_calendar_folder_writes_nothing(tmp_path, capsys):
    book = plant(tmp_path, "en")
    before = book.read_bytes()
    assert cli.main(["refresh", str(book), "--calendar", str(tmp_path / "no" / "x.ics"),
                     "--today", "2026-06-01"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "no") in err and len(err.splitlines()) == 1
    assert book.read_bytes() == before                       # refused before the refresh
