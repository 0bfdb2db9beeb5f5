"""Figures built on partial data (docs/rules.md, "Figures built on partial data").

Refresh skips a row with an error in a column the core reads; the figures computed without
it must say so, never show a quiet wrong number: the client's Excludes cell on Clients and
its row on Rankings name the row and the cell, and Home says it beside Revenue 12m and
Weighted pipeline. Fixed and refreshed again, every mark is gone.

Books are made with acctbook.create.workbook, refreshed through the api (and the Refresh
button through xlwings' remote engine, tests/xlwings_remote.py), read back with
python-calamine (openpyxl for the button's played-back cells).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

import xlwings_remote as xr
from acctbook import api, excel, jobs
from acctbook.book import schema
from acctbook.create.workbook import create_workbook
from bookfiles import valid_data, write_book

TODAY = dt.date(2026, 6, 1)
PLANTED = "SO-PLANT"


def data() -> dict:
    """bookfiles' small valid book (C-001 has one order of 900 in May 2026) and an order of
    50,000 for C-001 whose Paid on is the text `paid`."""
    d = {k: v for k, v in valid_data().items() if k in {t.name for t in schema.DATA_TABLES}}
    d["Orders"].append({**d["Orders"][0], "order_id": PLANTED, "quantity": 500,
                        "unit_price": 100, "discount": 0, "amount": 50000, "paid_on": "paid"})
    return d


def make(tmp_path: Path, d: dict, lang: str = "en", name: str = "book.xlsx") -> Path:
    return create_workbook(tmp_path / name, lang, d, {"company_name": "Northwind Ltd"})


# --- reading back ----------------------------------------------------------------------------
def rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def records(path: Path, spec: schema.Table, lang: str) -> list[dict]:
    """A table's rows as {English header: value}, whatever the book's language."""
    got = rows(path, spec.sheet(lang))
    en = {c.label(lang): c.en for c in spec.columns}
    header = [en.get(h, h) for h in got[0]]
    return [dict(zip(header, r)) for r in got[1:]]


def by_id(path: Path, spec: schema.Table, lang: str = "en") -> dict[str, dict]:
    return {r["Client ID"]: r for r in records(path, spec, lang) if r["Client ID"]}


def home_notes(path: Path, lang: str = "en") -> dict[str, object]:
    """Home's column C beside each KPI label, by KPI key."""
    got = rows(path, schema.generated_sheet("Home", lang))
    keys = {(he if lang == "he" else en): k for k, en, he in schema.HOME_KPIS}
    return {keys[r[0]]: (r[2] if len(r) > 2 else "") for r in got if r and r[0] in keys}


def order_cell(path: Path, order_id: str, key: str, lang: str = "en") -> tuple[int, int]:
    """(Excel row, column) of an Orders cell, found by header and Order ID."""
    got = rows(path, schema.ORDERS.sheet(lang))
    col = got[0].index(schema.ORDERS.column(key).label(lang))
    ids = [r[got[0].index(schema.ORDERS.column("order_id").label(lang))] for r in got]
    return ids.index(order_id) + 1, col + 1


def fix_paid_on(path: Path, order_id: str, lang: str = "en") -> None:
    """The user types a real date over `paid` (through acctbook's own cell writer)."""
    row, col = order_cell(path, order_id, "paid_on", lang)
    jobs.open_book(path).patch({schema.ORDERS.sheet(lang): {(row, col): dt.date(2026, 5, 20)}})


# --- the order of 50,000 ------------------------------------------------------------------------
def test_a_skipped_order_is_named_on_its_client_rankings_and_home_until_fixed(tmp_path):
    path = make(tmp_path, data())
    api.refresh(path, TODAY)
    row, col = order_cell(path, PLANTED, "paid_on")
    where = f"Orders!{get_column_letter(col)}{row}"
    assert where == "Orders!Q3"
    said = f"excludes {PLANTED} (error on {where})"

    clients = by_id(path, schema.CLIENTS)
    assert clients["C-001"]["Revenue 12m"] == 900            # the 50,000 is left out ...
    assert clients["C-001"]["Excludes"] == said                # ... and the row says so
    assert clients["C-002"]["Excludes"] == ""
    rankings = by_id(path, schema.RANKINGS)
    assert rankings["C-001"]["Excludes"] == said
    assert rankings["C-002"]["Excludes"] == ""
    notes = home_notes(path)
    assert notes["revenue_12m"] == "⚠ excludes 1 row with errors (see Problems)"
    assert notes["weighted_pipeline"] == "" and notes["active_clients"] == ""
    problems = records(path, schema.PROBLEMS, "en")
    assert any(p["Cell"] == where.split("!")[1] and p["Sheet"] == "Orders" for p in problems)

    fix_paid_on(path, PLANTED)
    api.refresh(path, TODAY)
    clients = by_id(path, schema.CLIENTS)
    assert clients["C-001"]["Revenue 12m"] == 50900
    assert clients["C-001"]["Excludes"] == ""
    assert by_id(path, schema.RANKINGS)["C-001"]["Excludes"] == ""
    assert home_notes(path)["revenue_12m"] == ""


def test_a_hebrew_book_says_it_in_hebrew(tmp_path):
    path = make(tmp_path, data(), "he")
    api.refresh(path, TODAY)
    said = f"לא כולל {PLANTED} (שגיאה בתא הזמנות!Q3)"
    assert by_id(path, schema.CLIENTS, "he")["C-001"]["Excludes"] == said
    assert by_id(path, schema.RANKINGS, "he")["C-001"]["Excludes"] == said
    assert rows(path, "לקוחות")[0][-1] == "לא כולל"
    assert home_notes(path, "he")["revenue_12m"] == "⚠ לא כולל שורה אחת עם שגיאות (ראו בעיות)"
    fix_paid_on(path, PLANTED, "he")
    api.refresh(path, TODAY)
    assert by_id(path, schema.CLIENTS, "he")["C-001"]["Excludes"] == ""
    assert home_notes(path, "he")["revenue_12m"] == ""


# --- many rows, unknown clients, skipped clients ------------------------------------------------
def many() -> dict:
    """C-001: the planted order, a deal whose Amount is `lots`, four interactions dated
    `yesterday`. An order with errors for an unknown client and one with no client. C-003's
    own row has an error (Created), and it has a valid order and an open deal."""
    d = data()
    d["Deals"].append({**d["Deals"][0], "deal_id": "D-9", "amount": "lots"})
    d["Interactions"] += [{**d["Interactions"][0], "date": "yesterday"} for _ in range(4)]
    d["Orders"].append({**d["Orders"][0], "order_id": "SO-NOPE", "client_id": "C-NOPE",
                        "paid_on": "paid"})
    d["Orders"].append({**d["Orders"][0], "order_id": "SO-NONE", "client_id": None,
                        "paid_on": "paid"})
    d["Clients"].append({**d["Clients"][1], "client_id": "C-003", "name": "Initrode",
                         "referred_by": None, "source": "Website", "created": "long ago"})
    d["Orders"].append({**d["Orders"][0], "order_id": "SO-3", "client_id": "C-003",
                        "contract_id": None, "deal_id": None})
    d["Deals"].append({**d["Deals"][0], "deal_id": "D-3", "client_id": "C-003"})
    return d


def test_three_rows_are_named_and_the_rest_counted(tmp_path):
    path = make(tmp_path, many())
    api.refresh(path, TODAY)
    clients = by_id(path, schema.CLIENTS)
    assert clients["C-001"]["Excludes"] == (
        f"excludes {PLANTED} (error on Orders!Q3); D-9 (error on Deals!E3); "
        "Interactions row 3 (error on A3); and 3 more rows (see Problems)")
    assert clients["C-002"]["Excludes"] == ""
    # C-003's own row is skipped: blank, with its reason; nothing names it as partial.
    assert clients["C-003"]["Excludes"] == "" and clients["C-003"]["Revenue 12m"] == ""
    assert clients["C-003"]["Follow-up reason"].startswith("Not computed")
    assert set(by_id(path, schema.RANKINGS)) == {"C-001", "C-002"}
    # Revenue leaves out the planted order and C-003 (its order counts nowhere); the order
    # of the unknown client and the one with no client would not count anyway.
    notes = home_notes(path)
    assert notes["revenue_12m"] == "⚠ excludes 2 rows with errors (see Problems)"
    assert notes["weighted_pipeline"] == "⚠ excludes 2 rows with errors (see Problems)"


def test_a_contract_without_client_marks_its_deals_client(tmp_path):
    d = data()
    d["Orders"].pop()
    d["Contracts"].append({**d["Contracts"][0], "contract_id": "CTR-2026-0002",
                           "client_id": None, "deal_id": "D-001", "end": "soon"})
    path = make(tmp_path, d)
    api.refresh(path, TODAY)
    assert by_id(path, schema.CLIENTS)["C-001"]["Excludes"] == (
        "excludes CTR-2026-0002 (error on Contracts!G3)")
    assert home_notes(path)["revenue_12m"] == ""       # a contract is in neither total


def test_a_book_made_before_the_column_gets_rankings_only(tmp_path):
    """No Excludes column on Clients: refresh writes nothing there (no new column appears),
    and Rankings (rebuilt every time) still says it."""
    keys = [c.key for c in schema.CLIENTS.columns if c.key != "excludes"]
    d = valid_data()
    d["Orders"].append({**d["Orders"][0], "order_id": PLANTED, "quantity": 500,
                        "unit_price": 100, "discount": 0, "amount": 50000, "paid_on": "paid"})
    path = write_book(tmp_path / "old.xlsx", d, columns={"Clients": keys})
    api.refresh(path, TODAY)
    got = rows(path, "Clients")
    assert got[0][-1] == "VAT rate" and len(got[0]) == len(keys)
    assert all(len(r) == len(keys) or r[len(keys):] == [""] * (len(r) - len(keys)) for r in got)
    assert by_id(path, schema.RANKINGS)["C-001"]["Excludes"] == (
        f"excludes {PLANTED} (error on Orders!Q3)")


# --- the Refresh button writes the same cells ------------------------------------------------------
@pytest.fixture
def licence(monkeypatch):
    # The remote engine is xlwings PRO code (PolyForm Noncommercial): tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


def _played(path: Path, lang: str) -> dict:
    """The Refresh button on `path` through the remote engine, played back onto its cells:
    {(sheet, row, column): value} of the Clients' Excludes, Rankings and Home column C."""
    _, actions = xr.run(excel.refresh, path, TODAY)
    wb = openpyxl.load_workbook(path)
    assert xr.apply(wb, actions)["alerts"] == []
    return _marks(wb, lang)


def _marks(wb, lang: str) -> dict:
    out = {}
    for spec in (schema.CLIENTS, schema.RANKINGS):
        ws = wb[spec.sheet(lang)]
        header = [c.value for c in ws[1]]
        j = header.index(spec.column("excludes").label(lang)) + 1
        out.update({(ws.title, r, j): ws.cell(r, j).value or "" for r in range(2, ws.max_row + 1)})
    home = wb[schema.generated_sheet("Home", lang)]
    out.update({(home.title, r, 3): home.cell(r, 3).value or ""
                for r in range(schema.HOME_FIRST_ROW, schema.HOME_FIRST_ROW + len(schema.HOME_KPIS))})
    return out


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_refresh_button_marks_the_same_cells(tmp_path, licence, lang):
    path = make(tmp_path, many(), lang)
    headless = tmp_path / "headless.xlsx"
    shutil.copy(path, headless)
    api.refresh(headless, TODAY)
    want = _marks(openpyxl.load_workbook(headless), lang)
    assert sum(bool(v) for v in want.values()) == 4      # Clients, Rankings, Home × 2
    assert _played(path, lang) == want
