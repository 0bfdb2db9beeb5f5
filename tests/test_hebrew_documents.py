"""The documents' refusals and errors, the progress steps and the CLI's date errors in the
book's language (issue 14, point 1): a contract refused for an empty field names the Hebrew
sheet and column; a PDF that cannot be made is said in Hebrew for a Hebrew book; --lang he
shows the progress steps in Hebrew; a bad --today is refused in Hebrew. The English stays."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from acctbook import api, cli, cli_common, jobs
from acctbook.book import schema
from acctbook.book.i18n import said, tr
from acctbook.documents import contract as ct
from acctbook.documents import pdf
from bookfiles import TODAY, valid_data, write_book

HEBREW = re.compile("[\u05d0-\u05ea]")
ENGLISH_WORDS = re.compile(r"\b(?:cannot|make|contract|deal|empty|client|for|is|needs|"
                           r"neither|found|install|failed|not|date|use|reading|checking|"
                           r"writing|every|rule|could|convert|report)\b", re.I)
CLIENTS = schema.CLIENTS


def _hebrew_line(text: str, allowed: tuple[str, ...] = ()) -> None:
    """A line that speaks Hebrew: Hebrew words, and no English word outside the product,
    program and file names it may quote (`allowed`)."""
    assert HEBREW.search(text), text
    for name in allowed:
        text = text.replace(name, "")
    assert not ENGLISH_WORDS.search(text), text


def _data() -> dict:
    """valid_data() with the company a contract names (Settings Company name and number)."""
    data = valid_data()
    company = {schema.SETTING_BY_KEY[k].en: v for k, v in
               (("company_name", "Northwind Supply Ltd"), ("company_number", "515555555"))}
    for row in data["Settings"]:
        row["value"] = company.get(row["setting"], row["value"])
    return data


def _no_legal_name(tmp_path: Path, lang: str) -> Path:
    data = _data()
    data["Clients"][0]["legal_name"] = None
    return write_book(tmp_path / f"book.{lang}.xlsx", data, lang=lang)


def _legal_name_cell(lang: str) -> str:
    col = [c.key for c in CLIENTS.columns].index("legal_name")
    return f"{CLIENTS.sheet(lang)}!{chr(ord('A') + col)}2 {CLIENTS.column('legal_name').label(lang)}"


# --- the contract's missing fields ------------------------------------------------------------
def test_a_hebrew_book_refuses_the_contract_in_hebrew_naming_its_sheet_and_column(tmp_path,
                                                                                   capsys):
    book = _no_legal_name(tmp_path, "he")
    before = book.read_bytes()
    out = tmp_path / "out"
    code = cli.main(["contract", str(book), "D-001", "--out", str(out),
                     "--today", TODAY.isoformat()])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err == (f"acctbook: אי אפשר להפיק את החוזה לעסקה D-001: "
                   f"{_legal_name_cell('he')} ריק ללקוח C-001")
    assert "לקוחות!" in err and "שם משפטי" in err          # the sheet and header as the book has them
    _hebrew_line(err.replace(str(book), ""))
    assert book.read_bytes() == before and not out.exists()


def test_an_english_book_refuses_it_in_english_as_before(tmp_path, capsys):
    book = _no_legal_name(tmp_path, "en")
    code = cli.main(["contract", str(book), "D-001", "--today", TODAY.isoformat()])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "acctbook: cannot make the contract for deal D-001: Clients!C2 Legal name is empty for "
        "client C-001")


def test_a_missing_template_is_said_in_the_readers_language(tmp_path):
    with pytest.raises(ct.ContractError) as e:
        ct.template_path("he", tmp_path)
    assert str(e.value) == f"contract template {tmp_path / 'contract.he.docx'} is missing"
    assert api.message(e.value, "he") == f"תבנית החוזה {tmp_path / 'contract.he.docx'} חסרה"


# --- PDFs that cannot be made ---------------------------------------------------------------
@pytest.fixture
def nothing_installed(monkeypatch):
    for name in ("find_soffice", "find_browser", "word_converter"):
        monkeypatch.setattr(pdf, name, lambda *a, **k: None)
    monkeypatch.setitem(sys.modules, "weasyprint", None)       # import fails


@pytest.fixture
def failing_converters(monkeypatch):
    """Every converter is a program that fails at once: Python, given Chromium's or
    LibreOffice's options (any system: sys.executable is there)."""
    monkeypatch.setattr(pdf, "word_converter", lambda *a, **k: None)
    monkeypatch.setattr(pdf, "find_soffice", lambda *a, **k: sys.executable)
    monkeypatch.setattr(pdf, "find_browser", lambda *a, **k: sys.executable)


def test_no_pdf_converter_is_said_in_hebrew_for_a_hebrew_book(tmp_path, capsys,
                                                               nothing_installed):
    book = write_book(tmp_path / "book.he.xlsx", valid_data(), lang="he")
    before = book.read_bytes()
    code = cli.main(["contract", str(book), "D-001", "--pdf", "--today", TODAY.isoformat()])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("acctbook: ל־PDF נדרשים LibreOffice"), err
    _hebrew_line(err, ("LibreOffice", "Microsoft Word", "Windows", "macOS", "apt install "
                       "libreoffice-writer", "libreoffice.org", "--pdf"))
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.he.xlsx"]


def test_the_english_line_stays(tmp_path, capsys, nothing_installed):
    book = write_book(tmp_path / "book.xlsx", valid_data())
    assert cli.main(["contract", str(book), "D-001", "--pdf", "--today",
                     TODAY.isoformat()]) == 1
    assert capsys.readouterr().err.startswith("acctbook: PDF needs LibreOffice")


def test_a_failed_contract_pdf_is_said_in_hebrew(tmp_path, capsys, failing_converters):
    book = write_book(tmp_path / "book.he.xlsx", _data(), lang="he")
    out = tmp_path / "out"
    code = cli.main(["contract", str(book), "D-001", "--pdf", "--out", str(out),
                     "--today", TODAY.isoformat()])
    err = capsys.readouterr().err.strip()
    assert code == 1 and "\n" not in err
    assert re.match(r"acctbook: לא ניתן היה להמיר את CTR-2026-\d{4} .*\.docx ל־PDF: "
                    r"LibreOffice \(.*\.docx\) נכשל: ", err), err
    assert not out.exists() or not any(out.iterdir())           # all or nothing


def test_a_failed_report_pdf_is_said_in_hebrew(tmp_path, capsys, failing_converters):
    book = write_book(tmp_path / "book.he.xlsx", valid_data(), lang="he")
    code = cli.main(["report", str(book), "--month", "2026-05", "--pdf",
                     "--out", str(tmp_path / "out"), "--today", TODAY.isoformat()])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert err.startswith("acctbook: אי אפשר לכתוב את ה־PDF של הדוח: Chromium נכשל: "), err


def test_a_report_without_any_converter_is_said_in_hebrew(tmp_path, capsys, nothing_installed):
    book = write_book(tmp_path / "book.he.xlsx", valid_data(), lang="he")
    code = cli.main(["report", str(book), "--month", "2026-05", "--pdf",
                     "--out", str(tmp_path / "out"), "--today", TODAY.isoformat()])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("acctbook: ל־PDF נדרשים Google Chrome"), err


def test_a_converter_error_carries_its_message_id():
    with pytest.raises(pdf.PdfFailed) as e:
        pdf.run([sys.executable, "-c", "import sys; sys.exit('boom')"], "Chromium")
    assert str(e.value) == "Chromium failed: boom"
    assert api.message(e.value, "he") == "Chromium נכשל: boom"


# --- progress ---------------------------------------------------------------------------------
@pytest.fixture
def terminal(monkeypatch):
    """As if stderr were a terminal (pytest captures it into a file)."""
    monkeypatch.setattr(cli_common, "stderr_is_terminal", lambda: True)


def test_progress_steps_in_hebrew_with_lang_he(tmp_path, capsys, terminal):
    book = write_book(tmp_path / "book.xlsx", valid_data())
    assert cli.main(["--lang", "he", "refresh", str(book), "--today", TODAY.isoformat()]) == 0
    err = capsys.readouterr().err
    for step in ("קוראים את book.xlsx", "בודקים את כל הכללים", "מחשבים מעקבים, דירוג וסיכון",
                 "כותבים את book.xlsx"):
        assert step in err, step
    assert "reading" not in err and "checking every rule" not in err


def test_progress_steps_stay_english_by_default(tmp_path, capsys, terminal, monkeypatch):
    monkeypatch.setattr(cli_common, "system_lang", lambda default="en": "en")
    monkeypatch.setattr(cli, "system_lang", lambda default="en": "en")
    book = write_book(tmp_path / "book.xlsx", valid_data())
    assert cli.main(["check", str(book), "--today", TODAY.isoformat()]) == 0
    err = capsys.readouterr().err
    assert "reading book.xlsx" in err and "checking every rule" in err


def test_a_step_is_english_text_with_its_message_id(tmp_path):
    book = write_book(tmp_path / "book.xlsx", valid_data())
    steps = []
    api.check(book, today=TODAY, progress=lambda step, done, total: steps.append(step))
    assert steps == ["reading book.xlsx", "checking every rule"]
    assert [api.message(s, "he") for s in steps] == ["קוראים את book.xlsx", "בודקים את כל הכללים"]
    demo = said(jobs.Step, tr("en", "{which}: report {month}"),
                which=said(jobs.Step, tr("en", "Hebrew demo")), month="2026-05")
    assert demo == "Hebrew demo: report 2026-05"
    assert api.message(demo, "he") == "ההדגמה בעברית: דוח 2026-05"


# --- the CLI's own date errors ------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--lang", "he", "check", "BOOK", "--today", "2026-13-01"],
                                  ["check", "BOOK", "--lang=he", "--today", "2026-13-01"]])
def test_a_bad_today_is_refused_in_hebrew_with_lang_he(tmp_path, capsys, argv):
    book = write_book(tmp_path / "book.xlsx", valid_data())
    code = cli.main([str(book) if a == "BOOK" else a for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert "'2026-13-01' אינו תאריך (הקלידו YYYY-MM-DD)" in err, err


def test_a_year_out_of_range_in_hebrew(tmp_path, capsys):
    book = write_book(tmp_path / "book.xlsx", valid_data())
    assert cli.main(["--lang", "he", "check", str(book), "--today", "1800-01-01"]) == 2
    assert "'1800-01-01' מחוץ לטווח השנים" in capsys.readouterr().err


def test_a_bad_today_stays_english_otherwise(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_common, "system_lang", lambda default="en": "en")
    monkeypatch.setattr(cli, "system_lang", lambda default="en": "en")
    book = write_book(tmp_path / "book.xlsx", valid_data())
    assert cli.main(["check", str(book), "--today", "2026-13-01"]) == 2
    assert "'2026-13-01' is not a date (use YYYY-MM-DD)" in capsys.readouterr().err
