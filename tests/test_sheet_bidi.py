"""Hebrew sheets read right to left, English ones left to right (issue 14, point 3, sheets).

Books made as a user makes them (`acctbook.create`, the demo data with one planted fault),
refreshed with `api.refresh`, read back with openpyxl (styles: reading order, alignment,
wrapping, merges, drop-downs) and python-calamine (the text a user sees): every cell of Home
and of the generated sheets Today, Rankings and Problems reads right to left in a Hebrew
book; a Hebrew reason holds its IDs and dates between Unicode isolates and reads back as its
plain text once they are stripped; Latin text that would not read as typed in a right-to-left
cell (a phone starting with +) is held between LRMs; Hebrew labels write the geresh and
gershayim (ח׳, דוא״ל), and a book whose headers and choices were typed with ASCII quotes still
reads.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import bidi, schema
from acctbook.core import followups as fu
from acctbook.core.risk import assess
from acctbook.create.demo import demo_data
from acctbook.create.workbook import create_workbook
from bookfiles import TODAY as BOOKFILES_TODAY, valid_data, write_book

TODAY = dt.date(2026, 3, 10)
SHEETS = ("Home", "Today", "Rankings", "Problems")
ISOLATES = re.compile("[\u2066-\u2069\u200e\u200f]")


def _book(folder, lang: str):
    """The demo book in `lang` with one planted fault (a contact's e-mail `bad@`), refreshed."""
    data, settings = demo_data(TODAY, lang=lang)
    bad = dict(data["Contacts"][0], contact_id="P-BAD", email="bad@", primary="No")
    data["Contacts"] = data["Contacts"] + [bad]
    path = create_workbook(folder / f"bidi.{lang}.xlsx", lang=lang, data=data, settings=settings,
                           lite=True)
    api.refresh(path, TODAY)
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bidi")
    return {lang: _book(folder, lang) for lang in ("he", "en")}


def _cells(ws):
    """Every cell holding a value (read-only openpyxl: the cells the file has)."""
    return [c for row in ws.iter_rows() for c in row if getattr(c, "value", None) is not None]


def _rows(path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


# --- reading order ----------------------------------------------------------------------------
def test_every_cell_of_a_hebrew_books_home_and_generated_sheets_reads_right_to_left(books):
    wb = openpyxl.load_workbook(books["he"], read_only=True)
    for name in SHEETS:
        ws = wb[schema.generated_sheet(name, "he")]
        cells = _cells(ws)
        assert len(cells) > (10 if name != "Problems" else 7), name   # Problems: the fault
        wrong = [(c.coordinate, c.value) for c in cells if c.alignment.readingOrder != 2]
        assert wrong == [], f"{name}: cells without right-to-left reading order: {wrong[:5]}"
    full = openpyxl.load_workbook(books["he"])
    for name in SHEETS:
        assert full[schema.generated_sheet(name, "he")].sheet_view.rightToLeft, name


def test_an_english_book_reads_left_to_right(books):
    wb = openpyxl.load_workbook(books["en"], read_only=True)
    for name in SHEETS:
        cells = _cells(wb[schema.generated_sheet(name, "en")])
        assert cells and all(c.alignment.readingOrder != 2 for c in cells), name
        if name != "Home":      # the generated sheets say so: left to right, whatever the text
            assert {c.alignment.readingOrder for c in cells} == {1}, name


def test_a_new_hebrew_books_data_sheets_read_right_to_left(tmp_path):
    data = {k: v for k, v in valid_data().items() if k != "Settings"}
    path = create_workbook(tmp_path / "new.he.xlsx", lang="he", data=data)
    ws = openpyxl.load_workbook(path, read_only=True)[schema.CLIENTS.sheet("he")]
    cells = _cells(ws)
    assert len(cells) > 20 and all(c.alignment.readingOrder == 2 for c in cells)


# --- alignment, wrapping, the title ----------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_headers_stand_over_their_values_and_text_wraps(books, lang):
    wb = openpyxl.load_workbook(books[lang])
    for table in (schema.TODAY, schema.RANKINGS):
        ws = wb[table.sheet(lang)]
        for j, col in enumerate(table.columns, 1):
            head = ws.cell(1, j)
            first = next((ws.cell(i, j) for i in range(2, ws.max_row + 1)
                          if ws.cell(i, j).value is not None), None)
            if first is None:
                continue                    # a column blank in the demo (Excludes)
            number = col.number_format is not None
            side = "right" if number or lang == "he" else "left"
            assert (head.alignment.horizontal, first.alignment.horizontal) == (side, side), \
                (table.name, col.key)
            assert bool(first.alignment.wrap_text) == (not number), (table.name, col.key)
    # English numbers: right, under a header indented clear of the filter button.
    revenue = [c.key for c in schema.RANKINGS.columns].index("revenue_12m") + 1
    head = wb[schema.RANKINGS.sheet(lang)].cell(1, revenue)
    assert head.alignment.indent == (2 if lang == "en" else 0)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_homes_title_is_never_cut(books, lang):
    ws = openpyxl.load_workbook(books[lang])[schema.generated_sheet("Home", lang)]
    assert ws["A1"].value == schema.HOME_TITLE[lang == "he"]
    assert "A1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].alignment.horizontal == ("right" if lang == "he" else "left")


# --- text that mixes Hebrew and Latin ----------------------------------------------------------
def test_a_hebrew_reason_keeps_its_id_and_date_in_order(books):
    today = _rows(books["he"], schema.TODAY.sheet("he"))
    j = [c.key for c in schema.TODAY.columns].index("follow_up_reason")
    payments = [r[j] for r in today[1:] if bidi.plain(r[j]).startswith("תשלום ")]
    assert payments, "the demo has a payment follow-up"
    for reason in payments:
        m = re.fullmatch(r"תשלום \u2068([A-Z]+-\d+)\u2069: מועד תשלום \u2066(\d{4}-\d\d-\d\d)\u2069"
                         r"( \(\d+ ימים אחרי חשבונית \u2068\u2066?\d{4}-\d\d-\d\d\u2069?\u2069\))?",
                         reason)
        assert m, reason
        assert bidi.plain(reason) == reason.replace("\u2066", "").replace("\u2068", "") \
            .replace("\u2069", "")
        assert not ISOLATES.search(bidi.plain(reason))
    # The Clients sheet's Follow-up reason is the same text (one place builds it).
    clients = _rows(books["he"], schema.CLIENTS.sheet("he"))
    k = clients[0].index(schema.CLIENTS.column("follow_up_reason").he)
    assert set(payments) <= {r[k] for r in clients[1:]}


def _cands(*rows) -> pd.DataFrame:
    """Follow-up candidates: (client, rule, date, record, row, a, t, n)."""
    return pd.DataFrame(rows, columns=fu.CANDIDATE_COLUMNS)


def test_reason_templates_isolate_ids_and_dates():
    due = dt.date(2026, 10, 22)
    cands = _cands(("C-1", fu.PAYMENT, due, "SO-00558", 2, due, None, None),
                   ("C-2", fu.PAYMENT, due, "SO-9", 3, due, "2026-09-22", 30))
    he = fu.reasons(cands, "he")
    assert he[0] == "תשלום \u2068SO-00558\u2069: מועד תשלום \u20662026-10-22\u2069"
    assert bidi.plain(he[0]) == "תשלום SO-00558: מועד תשלום 2026-10-22"
    assert bidi.plain(he[1]) == "תשלום SO-9: מועד תשלום 2026-10-22 (30 ימים אחרי חשבונית 2026-09-22)"
    # English stays plain, unless a value in it is Hebrew (a next step typed in Hebrew).
    assert fu.reasons(cands, "en")[0] == "Payment SO-00558: invoice due 2026-10-22"
    day = dt.date(2026, 3, 9)
    promise = _cands(("C-1", fu.PROMISE, day, None, 4, day, "לחזור ללקוח", None))
    assert fu.reasons(promise, "en") == ["Promise: \u2068לחזור ללקוח\u2069 (2026-03-09)"]


def test_risk_reasons_hold_amounts_and_percents_left_to_right():
    clients = pd.DataFrame({"credit_limit": [1000.0], "revenue_12m": [20.0],
                            "revenue_prior": [100.0]}, index=["C-1"])
    orders = pd.DataFrame({"client_id": ["C-1"], "order_id": ["SO-1"], "amount": [3000.0],
                           "invoice_due": [pd.Timestamp(2026, 3, 1)], "paid_on": [pd.NaT]})
    got = assess(clients, orders, pd.Series(dtype=int), TODAY, lang="he")
    text = got.loc["C-1", "risk_reasons"]
    assert "\u20663,000\u2069 > מסגרת אשראי \u20661,000\u2069" in text
    assert "\u206620%\u2069" in text and "\u2068SO-1\u2069" in text
    assert bidi.plain(text) == ("חשבונית SO-1 באיחור של 9 ימים; לא שולם 3,000 > מסגרת אשראי 1,000; "
                                "הכנסות 12 ח׳ 20% מהשנה הקודמת")
    en = assess(clients, orders, pd.Series(dtype=int), TODAY, lang="en")
    assert not ISOLATES.search(en.loc["C-1", "risk_reasons"])


def test_latin_text_that_would_not_read_as_typed_is_held_left_to_right(books):
    today = _rows(books["he"], schema.TODAY.sheet("he"))
    keys = [c.key for c in schema.TODAY.columns]
    phones = [r[keys.index("phone")] for r in today[1:] if r[keys.index("phone")]]
    plus = [p for p in phones if bidi.plain(p).startswith("+")]
    assert plus and all(p == f"\u200e{bidi.plain(p)}\u200e" for p in plus)
    assert all(p == bidi.plain(p) for p in phones if not bidi.plain(p).startswith("+"))
    ids = [r[keys.index("client_id")] for r in today[1:]]
    assert ids and all(i == bidi.plain(i) for i in ids)          # what a user copies
    # The planted e-mail `bad@` ends in punctuation: held too, on the Problems sheet.
    problems = _rows(books["he"], schema.PROBLEMS.sheet("he"))
    assert "\u200ebad@\u200e" in {v for r in problems for v in r}
    # An English book writes every value as it is.
    en = _rows(books["en"], schema.TODAY.sheet("en"))
    assert not any(ISOLATES.search(v) for r in en for v in r if isinstance(v, str)
                   and not bidi.has_rtl(v))


@pytest.mark.parametrize("text,marked", [
    ("+44 118 374 2610", True), ("(03) 555-1234", True), ("Acme Inc.", True),
    ("052-655-6405", False), ("C-003", False), ("Thames Valley Diagnostics", False),
    ("dana@acme.co.il", False), ("12.5%", False), ("מעבדות גליל", False), ("", False)])
def test_rtl_cell(text, marked):
    got = bidi.rtl_cell(text)
    assert got == (f"\u200e{text}\u200e" if marked else text)
    assert bidi.plain(got) == text


# --- geresh and gershayim --------------------------------------------------------------------
def _hebrew_labels() -> list[str]:
    out = [c.he for t in schema.ALL_TABLES + schema.GENERATED_TABLES for c in t.columns]
    out += [s.he for s in schema.SETTING_ROWS] + list(schema.CHOICE_HE.values())
    out += [he for _k, _en, he in schema.HOME_KPIS]
    return out


def test_hebrew_labels_write_geresh_and_gershayim(books):
    ascii_quote = [h for h in _hebrew_labels() if re.search(r"[\u05d0-\u05ea]['\"]", h)]
    assert ascii_quote == []
    assert schema.RANKINGS.column("revenue_12m").he == "הכנסות 12 ח׳"
    assert schema.CHOICE_HE["Email"] == "דוא״ל" and schema.CHOICE_HE["Chat"] == "צ׳אט"
    header = _rows(books["he"], schema.RANKINGS.sheet("he"))[0]
    assert "הכנסות 12 ח׳" in header and "הזמנות 12 ח׳" in header
    assert "דוא״ל" in _rows(books["he"], schema.CLIENTS.sheet("he"))[0]
    # The drop-down offers the choices as written, with nothing to escape.
    ws = openpyxl.load_workbook(books["he"])[schema.CONTACTS.sheet("he")]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("דוא״ל" in f and "צ׳אט" in f for f in lists), lists


def test_a_book_typed_with_ascii_quotes_still_reads(tmp_path):
    """An older book: headers `דוא"ל`, `מק"ט`, `שיעור מע"מ`, `הכנסות 12 ח'`, and choices
    typed `דוא"ל`, `צ'אט`. Every column is found, every choice read, and refresh works."""
    old = {t.name: {c.key: c.he.replace("׳", "'").replace("״", '"') for c in t.columns
                    if "׳" in c.he or "״" in c.he}
           for t in schema.ALL_TABLES}
    data = valid_data()
    data["Contacts"][0]["preferred_channel"] = 'דוא"ל'
    data["Interactions"][0]["channel"] = "צ'אט"
    data["Settings"] = [dict(r, setting='שיעור מע"מ') if r["setting"] == "VAT rate" else r
                        for r in data["Settings"]]
    path = write_book(tmp_path / "old.he.xlsx", data, lang="he",
                      headers={k: v for k, v in old.items() if v})
    header = _rows(path, schema.CLIENTS.sheet("he"))[0]
    assert 'דוא"ל' in header and "הכנסות 12 ח'" in header        # the old spelling, on file
    result = api.check(path, BOOKFILES_TODAY)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert not [p for p in result.problems if p.code in ("missing-column-rule", "choice")]
    book = api.load(path)
    for name, keys in old.items():                 # every column found under its old header
        assert set(keys) <= set(book.tables[name].columns), name
    assert book.frame("Contacts")["preferred_channel"].tolist() == ["Email"]
    assert book.frame("Interactions")["channel"].tolist() == ["Chat"]
    api.refresh(path, BOOKFILES_TODAY)
    assert "הכנסות 12 ח׳" in _rows(path, schema.RANKINGS.sheet("he"))[0]
