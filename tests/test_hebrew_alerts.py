"""What acctbook says, in the book's language: the buttons' alerts and the CLI's summaries,
notes, refusals and errors. Where there is no book yet (a missing file) the language is
--lang's, else the system's (Python's locale), else English. The English stays as it was."""

from __future__ import annotations

import datetime as dt
import locale
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

import xlwings_remote as xr
from acctbook import api, cli, excel
from acctbook.book import schema
from acctbook.create.demo import demo_data
from acctbook.create.workbook import create_workbook
from acctbook.xlsx.package import libreoffice_lock_file
from test_excel import _deals, _press_home, _with_deal_cell

TODAY = dt.date(2026, 3, 10)
HEBREW = re.compile("[\u05d0-\u05ea]")
# An English word in a Hebrew line (file names, dates and "acctbook" aside).
ENGLISH_WORDS = re.compile(r"\b(?:error|errors|warning|warnings|refreshed|call|calls|deal|"
                           r"workbook|open|close|file|such|note|sheet|row|added|contract)\b")


@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    # The remote engine is xlwings PRO code (PolyForm Noncommercial): tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hebrew")
    data, settings = demo_data(TODAY)
    return {"he": create_workbook(folder / "demo.he.xlsx", "he", data, settings, lite=True),
            "en": create_workbook(folder / "demo.xlsx", "en", data, settings, lite=True)}


def _copy(path: Path, tmp: Path) -> Path:
    out = tmp / path.name
    shutil.copy(path, out)
    return out


def _alerts(actions) -> list[str]:
    return [a["args"][0] for a in actions if a["func"] == "alert"]


def _speaks_hebrew(text: str) -> None:
    assert HEBREW.search(text), text
    assert not ENGLISH_WORDS.search(text.lower()), text


# --- the buttons ------------------------------------------------------------------------------
def test_contract_button_without_a_deal_alerts_in_hebrew(books, tmp_path):
    result, actions = _press_home(excel.contract, books["he"], "he", out_dir=tmp_path)
    [alert] = _alerts(actions)
    assert result is None and list(tmp_path.iterdir()) == []
    assert "בחרו עסקה" in alert and schema.DEALS.sheet("he") in alert
    assert schema.generated_sheet("Home", "he") in alert
    assert not re.search("[A-Za-z]", alert), alert


@pytest.mark.parametrize("lang,words", [("he", "אינה בגיליון"), ("en", "is not in Deals")])
def test_contract_button_for_an_unknown_deal_alerts_in_the_books_language(books, tmp_path,
                                                                          lang, words):
    path = _with_deal_cell(books[lang], tmp_path, "D-9999")
    out = tmp_path / "out"
    out.mkdir()
    result, actions = _press_home(excel.contract, path, lang, out_dir=out)
    [alert] = _alerts(actions)
    assert result is None and words in alert and "D-9999" in alert
    if lang == "he":
        _speaks_hebrew(alert)
        assert schema.DEALS.sheet("he") in alert


def test_contract_button_for_a_lost_deal_alerts_in_hebrew(books, tmp_path):
    lost = next(d for d in _deals(books["he"], "he") if d["stage"] == "Lost")
    path = _with_deal_cell(books["he"], tmp_path, lost["label"])
    out = tmp_path / "out"
    out.mkdir()
    result, actions = _press_home(excel.contract, path, "he", out_dir=out)
    [alert] = _alerts(actions)
    assert result is None and list(out.iterdir()) == []
    assert alert == f"העסקה {lost['id']} אבודה: אין חוזה"


def test_contract_button_says_what_it_made_in_hebrew(books, tmp_path):
    deal = next(d for d in _deals(books["he"], "he") if d["stage"] in ("Proposal", "Negotiation"))
    path = _with_deal_cell(books["he"], tmp_path, deal["label"])
    out = tmp_path / "out"
    out.mkdir()
    result, actions = _press_home(excel.contract, path, "he", out_dir=out)
    [alert] = _alerts(actions)
    assert result is not None and result.is_file()
    assert alert.startswith("חוזה CTR-2026-") and f"לעסקה {deal['id']}:" in alert
    assert str(result) in alert


def test_a_month_that_is_no_month_is_refused_in_the_books_language():
    with pytest.raises(Exception) as he:
        excel.report_month("last month", TODAY, "he")
    _speaks_hebrew(str(he.value))
    assert schema.generated_sheet("Home", "he") in str(he.value)
    with pytest.raises(Exception, match="on Home is not a month: type it as YYYY-MM"):
        excel.report_month("last month", TODAY)


def test_a_failure_before_the_book_is_read_is_said_in_the_books_language(books, monkeypatch):
    """An error without the book's language yet (raised on a path, or before the tables are
    read) is said in the language the open book's sheet names show."""
    from acctbook.book.model import BookUnreadable
    from acctbook.xlsx.errors import error

    def broken(book):
        raise error(BookUnreadable, "{book}: no such file", book="x.xlsx")
    monkeypatch.setattr(excel.xb, "load", broken)
    for lang, want in (("he", "x.xlsx: אין קובץ כזה"), ("en", "x.xlsx: no such file")):
        _result, actions = xr.run(excel.check, books[lang], TODAY)
        assert _alerts(actions) == [want]


# --- the command line ----------------------------------------------------------------------
def test_refresh_of_a_hebrew_book_prints_its_summary_in_hebrew(books, tmp_path, capsys):
    path = _copy(books["he"], tmp_path)
    status = cli.main(["refresh", str(path), "--today", TODAY.isoformat()])
    out = capsys.readouterr().out.strip()
    assert status in (0, 1)
    assert out.startswith(f"החוברת {path} רועננה ליום {TODAY.isoformat()}:"), out
    assert f"שיחות בגיליון {schema.generated_sheet('Today', 'he')}:" in out
    _speaks_hebrew(out.replace(str(path), "BOOK"))


def test_refresh_of_an_english_book_is_as_it_was(books, tmp_path, capsys):
    path = _copy(books["en"], tmp_path)
    cli.main(["refresh", str(path), "--today", TODAY.isoformat()])
    out = capsys.readouterr().out
    assert re.match(rf"refreshed {re.escape(str(path))} for {TODAY.isoformat()}: \d+ cell\(s\) "
                    r"changed, \d+ call\(s\) on Today, \d+ errors?, \d+ warnings?", out), out


def test_check_of_a_hebrew_book_counts_in_hebrew(books, capsys):
    cli.main(["check", str(books["he"]), "--today", TODAY.isoformat()])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"{books['he']}: ")
    _speaks_hebrew(last.replace(str(books["he"]), "BOOK"))
    assert re.search("שגיא", last) and re.search("אזהר", last)


def _no_such_file(args, capsys) -> str:
    assert cli.main(args) == 2
    return capsys.readouterr().err.strip()


def test_a_missing_file_is_said_in_the_language_of_lang(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("en_US", "UTF-8"))
    missing = str(tmp_path / "missing.xlsx")
    assert _no_such_file(["check", missing, "--lang", "he"], capsys) == \
        f"acctbook: {missing}: אין קובץ כזה"
    assert _no_such_file(["--lang", "he", "refresh", missing], capsys) == \
        f"acctbook: {missing}: אין קובץ כזה"
    assert _no_such_file(["check", missing, "--lang", "en"], capsys) == \
        f"acctbook: {missing}: no such file"


@pytest.mark.parametrize("system,want", [(("he_IL", "UTF-8"), "אין קובץ כזה"),
                                         (("Hebrew_Israel", "1255"), "אין קובץ כזה"),
                                         (("en_US", "UTF-8"), "no such file"),
                                         ((None, None), "no such file")])
def test_without_lang_a_missing_file_follows_the_system_language(tmp_path, capsys, monkeypatch,
                                                                 system, want):
    monkeypatch.setattr(locale, "getlocale", lambda *a: system)
    missing = str(tmp_path / "missing.xlsx")
    assert _no_such_file(["check", missing], capsys) == f"acctbook: {missing}: {want}"


def test_a_book_its_own_language_wins_over_the_system(books, tmp_path, capsys, monkeypatch):
    """A Hebrew system, an English book: the book's summary is English."""
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("he_IL", "UTF-8"))
    path = _copy(books["en"], tmp_path)
    cli.main(["refresh", str(path), "--today", TODAY.isoformat()])
    assert capsys.readouterr().out.startswith(f"refreshed {path} for ")


@pytest.mark.parametrize("lang", ["he", "en"])
def test_a_book_open_in_libreoffice_is_refused_in_its_language(books, tmp_path, capsys, lang):
    path = _copy(books[lang], tmp_path)
    Path(libreoffice_lock_file(path)).write_text("someone,host,2026")
    before = path.read_bytes()
    assert cli.main(["refresh", str(path), "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    lock = Path(libreoffice_lock_file(path)).name
    if lang == "he":
        assert err == (f"acctbook: {path}: החוברת פתוחה ב־LibreOffice (הקובץ {lock} קיים); "
                       "סגרו אותה ונסו שוב")
    else:
        assert err == (f"acctbook: {path}: the workbook is open in LibreOffice ({lock} exists); "
                       "close it and try again")
    assert path.read_bytes() == before


def test_a_hebrew_book_refused_in_a_batch_says_so_in_hebrew(books, tmp_path, capsys,
                                                            monkeypatch):
    monkeypatch.setattr(locale, "getlocale", lambda *a: ("en_US", "UTF-8"))
    path = _copy(books["he"], tmp_path)
    Path(libreoffice_lock_file(path)).write_text("x")
    ok = _copy(books["en"], tmp_path)
    assert cli.main(["batch", str(path), str(ok), "--today", TODAY.isoformat()]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(f"FAIL  {path}: נדחה (") and "LibreOffice" in lines[0]
    assert lines[1].startswith(f"ok    {ok}: refreshed")
    assert lines[-1] == "1 refreshed (0 with errors), 1 failed (1 refused, 0 unreadable)"


def test_contract_of_a_hebrew_book_prints_its_line_in_hebrew(books, tmp_path, capsys):
    path = _copy(books["he"], tmp_path)
    deal = next(d for d in _deals(path, "he") if d["stage"] in ("Proposal", "Negotiation"))
    assert cli.main(["contract", str(path), deal["id"], "--out", str(tmp_path / "out"),
                     "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("חוזה CTR-2026-")
    assert f"נוספה שורה בגיליון {schema.CONTRACTS.sheet('he')} בחוברת {path}" in out
    assert schema.show_choice("Draft", "he") in out
    wb = openpyxl.load_workbook(path, read_only=True)
    assert schema.CONTRACTS.sheet("he") in wb.sheetnames


def test_an_unknown_deal_on_the_command_line_is_refused_in_hebrew(books, tmp_path, capsys):
    path = _copy(books["he"], tmp_path)
    assert cli.main(["contract", str(path), "D-9999", "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("acctbook: העסקה D-9999 אינה בגיליון " + schema.DEALS.sheet("he")), err


def test_the_day_off_note_of_a_hebrew_book_is_hebrew(books, tmp_path, capsys):
    path = _copy(books["he"], tmp_path)
    cli.main(["calls", str(path), "--today", "2026-10-03"])       # a Saturday
    notes = [line for line in capsys.readouterr().err.splitlines() if "2026-10-03" in line]
    assert len(notes) == 1 and notes[0].startswith("לתשומת לבכם: 2026-10-03 אינו יום עבודה ("), notes
    assert "חגי ישראל" in notes[0]
    _speaks_hebrew(notes[0])
