"""The History sheet: every write appends one row whose counts are what the write did, read
back from the file with python-calamine and openpyxl (read only) as a user would."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from openpyxl.utils import range_boundaries

import xlwings_remote as xr
from acctbook import api, cli, excel, jobs
from acctbook.book import schema
from acctbook.book.history import Stamp, history_row
from acctbook.create.demo import demo_data
from acctbook.create.workbook import create_workbook
from acctbook.xlsx.file import open_book

TODAY = dt.date(2026, 3, 10)
HEADERS = {lang: [c.label(lang) for c in schema.HISTORY.columns] for lang in ("en", "he")}


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("history")
    data, settings = demo_data(TODAY)
    return {lang: create_workbook(folder / f"demo.{lang}.xlsx", lang, data, settings)
            for lang in ("en", "he")}


def _copy(src: Path, tmp: Path, name: str = "book.xlsx") -> Path:
    return Path(shutil.copy(src, tmp / name))


def _history(path: Path, lang: str = "en") -> list[dict]:
    """The History sheet as calamine reads it: {English header: value} per row."""
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        schema.HISTORY.sheet(lang)).to_python()
    assert rows[0] == HEADERS[lang]
    en = HEADERS["en"]
    return [dict(zip(en, r)) for r in rows[1:] if any(v not in ("", None) for v in r)]


def _computed(path: Path) -> dict:
    """Every computed cell of the data tables, by (table, row, column), read with openpyxl."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for spec in schema.DATA_TABLES:
        for ws in wb.worksheets:
            if spec.name in ws.tables:
                c0, r0, c1, r1 = range_boundaries(ws.tables[spec.name].ref)
                heads = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
                for col in spec.computed:
                    c = c0 + heads.index(col.en)
                    for r in range(r0 + 1, r1 + 1):
                        out[(spec.name, r, col.key)] = ws.cell(r, c).value
    return out


def _blank(v):
    return None if v is None or v == "" else v


def _rows(path: Path, sheet: str) -> int:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return sum(1 for r in rows[1:] if any(v not in ("", None) for v in r))


# --- refresh, contract, report: one row each, counts as in the file ---------------------------
def test_refresh_and_contract_each_log_one_row_with_their_counts(demo_books, tmp_path):
    book = _copy(demo_books["en"], tmp_path)
    assert _history(book) == []                      # a new book: the empty table
    before = _computed(book)
    r = api.refresh(book, today=TODAY)
    after = _computed(book)
    changed = sum(1 for k in after if _blank(before.get(k)) != _blank(after[k]))
    rows = _history(book)
    assert len(rows) == 1 and changed > 100
    assert rows[0]["Cells changed"] == changed == len(r.changes)
    assert rows[0]["Command"] == "refresh" and rows[0]["Where from"] == "CLI"
    assert rows[0]["Errors"] == len(r.errors) and rows[0]["Rows added"] == 0
    assert rows[0]["acctbook version"] == cli.version()
    assert rows[0]["When"] == TODAY                 # --today gives the When

    contracts = _rows(book, "Contracts")
    deal = jobs.demo_deal(api.load(book), "en")
    out = tmp_path / "contracts"
    c = api.contract(book, deal, out=out, today=TODAY)
    rows = _history(book)
    assert len(rows) == 2 and rows[0]["Cells changed"] == changed     # appended, not rebuilt
    assert rows[1]["Command"] == "contract"
    assert rows[1]["Rows added"] == _rows(book, "Contracts") - contracts == 1
    assert rows[1]["Documents written"] == len(list(out.iterdir())) == 1
    assert c.contract_id in rows[1]["Details"] and c.docx.name in rows[1]["Details"]
    # the row went in with the rest: one write, one backup of the book before it
    backup = book.with_name("book.bak.xlsx")
    assert len(_history(backup)) == 1 and _rows(backup, "Contracts") == contracts

    rep = api.report(book, "2026-02", out=tmp_path / "reports", today=TODAY)
    rows = _history(book)
    assert [x["Command"] for x in rows] == ["refresh", "contract", "report"]
    assert rows[2]["Documents written"] == len([f for f in rep.files.values() if f]) >= 1
    assert rep.sheet in rows[2]["Details"]


def test_without_today_the_clock_gives_when_and_the_user_is_named(demo_books, tmp_path,
                                                                   monkeypatch):
    book = _copy(demo_books["en"], tmp_path)
    monkeypatch.setenv("USER", "dana")
    monkeypatch.setenv("LOGNAME", "dana")
    monkeypatch.setenv("USERNAME", "dana")        # Windows' variable
    start = dt.datetime.now().replace(microsecond=0)
    api.refresh(book)
    row = _history(book)[0]
    assert isinstance(row["When"], dt.datetime)
    assert start - dt.timedelta(seconds=1) <= row["When"] <= dt.datetime.now()
    assert row["User"] == "dana"


def test_dry_run_writes_nothing_and_counts_alike(demo_books, tmp_path):
    book = _copy(demo_books["en"], tmp_path)
    data = book.read_bytes()
    dry = api.refresh(book, today=TODAY, dry_run=True)
    assert book.read_bytes() == data and _history(book) == []
    real = api.refresh(book, today=TODAY)
    row = _history(book)[0]
    assert dry.history == real.history
    assert row["Cells changed"] == dry.history["cells_changed"] == len(dry.changes)
    assert row["Errors"] == dry.history["errors"]


def test_history_command_prints_the_rows(demo_books, tmp_path, capsys):
    book = _copy(demo_books["en"], tmp_path)
    assert cli.main(["refresh", str(book), "--today", "2026-03-10"]) == 0
    assert cli.main(["refresh", str(book), "--today", "2026-03-11"]) == 0
    capsys.readouterr()
    assert cli.main(["history", str(book), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    rows = _history(book)
    assert [g["when"] for g in got] == ["2026-03-10", "2026-03-11"]
    assert [g["cells_changed"] for g in got] == [r["Cells changed"] for r in rows]
    assert [(g["command"], g["where_from"]) for g in got] == [("refresh", "CLI")] * 2
    assert cli.main(["history", str(book)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("2026-03-11  refresh  CLI")
    assert f"{int(rows[0]['Cells changed'])} cell(s) changed" in lines[0]


# --- the cap: the last 5,000 rows -------------------------------------------------------------
def _logged(book: Path, n: int) -> None:
    """n History rows written straight into the book (one patch), numbered in Details."""
    wbf = open_book(book)
    for i in range(n):
        wbf.log(history_row("refresh", Stamp(TODAY), details=[f"old {i}"]))
    wbf.patch()


def test_history_keeps_the_last_5000_rows(demo_books, tmp_path):
    book = _copy(demo_books["en"], tmp_path)
    _logged(book, schema.HISTORY_KEEP)
    rows = _history(book)
    assert len(rows) == 5000 and rows[0]["Details"] == "old 0"
    clients = _zip_part(book, "Clients")
    api.refresh(book, today=TODAY)
    rows = _history(book)
    assert len(rows) == 5000
    assert rows[0]["Details"] == "old 1" and rows[-2]["Details"] == "old 4999"
    assert rows[-1]["Command"] == "refresh" and rows[-1]["Cells changed"] > 0
    ws = openpyxl.load_workbook(book, read_only=False)["History"]
    assert ws.tables["History"].ref == "A1:J5001"
    assert _zip_part(book, "Clients") != clients       # the refresh's own cells written too


def _zip_part(book: Path, sheet: str) -> bytes:
    wb = openpyxl.load_workbook(book, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    with zipfile.ZipFile(book) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml")


def test_a_book_without_history_gets_the_sheet_on_its_first_write(demo_books, tmp_path):
    book = _copy(demo_books["en"], tmp_path, "old.xlsx")
    wb = openpyxl.load_workbook(book)               # a book made before History existed
    del wb["History"]
    wb.save(book)
    assert "History" not in openpyxl.load_workbook(book, read_only=True).sheetnames
    r = api.refresh(book, today=TODAY)
    rows = _history(book)
    assert len(rows) == 1 and rows[0]["Cells changed"] == len(r.changes)
    api.refresh(book, today=TODAY)
    assert len(_history(book)) == 2


# --- Hebrew ---------------------------------------------------------------------------------
def test_hebrew_book_keeps_history_in_hebrew(demo_books, tmp_path):
    book = _copy(demo_books["he"], tmp_path)
    r = api.refresh(book, today=TODAY)
    raw = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("היסטוריה").to_python()
    assert raw[0] == HEADERS["he"]
    assert raw[1][1:3] == ["רענון", "שורת הפקודה"]
    assert raw[1][5] == len(r.changes)
    h = api.history(book)
    assert h.lang == "he" and h.rows[0]["command"] == "refresh"
    assert h.rows[0]["where_from"] == "CLI"
    assert "תאים ששונו" in api.history_text(book)


# --- the buttons, through xlwings' remote engine -----------------------------------------------
@pytest.fixture
def remote_licence(monkeypatch):
    # The remote engine is xlwings PRO code (PolyForm Noncommercial): tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


def _played_history(book: Path, actions: list) -> list[list]:
    wb = openpyxl.load_workbook(book)
    played = xr.apply(wb, actions)
    assert played["unknown"] == []
    for ws in wb.worksheets:
        if "History" in ws.tables:
            c0, r0, c1, r1 = range_boundaries(ws.tables["History"].ref)
            return [[ws.cell(r, c).value for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
    raise AssertionError("no History table")


@pytest.mark.parametrize("lite", [False, True])
def test_refresh_button_appends_a_history_row(demo_books, tmp_path, remote_licence,
                                              monkeypatch, lite):
    book = _copy(demo_books["en"], tmp_path)
    monkeypatch.setattr(excel, "IN_LITE", lite)
    written, actions = xr.run(excel.refresh, book, TODAY)
    table = _played_history(book, actions)
    assert table[0] == HEADERS["en"] and len(table) == 2
    row = dict(zip(HEADERS["en"], table[1]))
    assert row["Command"] == "refresh"
    assert row["Where from"] == ("Lite" if lite else "desktop button")
    assert row["When"] == dt.datetime(2026, 3, 10)
    assert row["Cells changed"] == written.changes > 100
    # the same count as `acctbook refresh` of the same file
    assert row["Cells changed"] == api.refresh(book, today=TODAY, dry_run=True).history[
        "cells_changed"]
    if lite:
        assert row["User"] is None


def test_contract_button_appends_after_earlier_rows(demo_books, tmp_path, remote_licence):
    book = _copy(demo_books["en"], tmp_path)
    api.refresh(book, today=TODAY)                  # one row already, from the CLI
    deal = jobs.demo_deal(api.load(book), "en")
    deals = openpyxl.load_workbook(book, read_only=True)["Deals"]
    row = next(i for i, r in enumerate(deals.iter_rows(values_only=True), 1) if r[0] == deal)
    (tmp_path / "docs").mkdir()
    target, actions = xr.run(excel.contract, book, TODAY, active="Deals", selection=f"B{row}",
                             out_dir=tmp_path / "docs")
    assert target is not None and target.exists(), actions
    table = _played_history(book, actions)
    rows = [dict(zip(HEADERS["en"], r)) for r in table[1:]]
    assert [(r["Command"], r["Where from"]) for r in rows] == [("refresh", "CLI"),
                                                               ("contract", "desktop button")]
    assert rows[1]["Rows added"] == 1 and rows[1]["Documents written"] == 1


def test_button_keeps_the_last_5000_rows(demo_books, tmp_path, remote_licence):
    book = _copy(demo_books["en"], tmp_path)
    _logged(book, schema.HISTORY_KEEP)
    _, actions = xr.run(excel.check, book, TODAY)
    table = _played_history(book, actions)
    assert len(table) == 1 + 5000
    assert table[1][-1] == "old 1" and table[-2][-1] == "old 4999"
    assert table[-1][1] == "check"


def test_hebrew_button_row_in_hebrew(demo_books, tmp_path, remote_licence):
    book = _copy(demo_books["he"], tmp_path)
    _, actions = xr.run(excel.refresh, book, TODAY)
    table = _played_history(book, actions)
    assert table[0] == HEADERS["he"]
    assert table[1][1:3] == ["רענון", "כפתור ב־Excel"]


# --- the acceptance: import, refresh, contract --------------------------------------------------
def _computed_pc(path: Path) -> dict:
    """Every computed cell of the data tables, by (table, row, column), read with calamine."""
    wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    out = {}
    for spec in schema.DATA_TABLES:
        t = wb.get_table_by_name(spec.name)
        heads = list(t.columns)
        for col in spec.computed:
            c = heads.index(col.en)
            for r, row in enumerate(t.to_python()):
                out[(spec.name, r, col.key)] = _blank(row[c])
    return out


def test_import_refresh_contract_log_three_rows_counted_as_in_the_file(tmp_path):
    src = tmp_path / "clients.csv"
    src.write_text("Company,Legal name,City,Phone,Company ID\n"
                   "Galil Foods,Galil Foods Ltd,Haifa,04-8537777,514044130\n"
                   "Negev Tools,,Beer Sheva,08-6231234,\n"
                   "Sharon Labs,,Netanya,,\n", encoding="utf-8")
    book = tmp_path / "mine.xlsx"
    api.import_([src], book, today=TODAY)
    rows = _history(book)
    assert [r["Command"] for r in rows] == ["import"]
    assert rows[0]["Rows added"] == _rows(book, "Clients") == 3      # a new book: none before
    assert rows[0]["Cells changed"] == 0 and rows[0]["Documents written"] == 0
    assert len(rows[0]["Details"].splitlines()) == 3

    # a product and a deal typed in (the test's own write, no acctbook command: no History row)
    wbf = open_book(book)
    typed = wbf.read_book()
    from acctbook.book.adapter import row_by_header
    new = {"Products": [{"sku": "SKU-1", "name": "Scale", "list_price": 1000.0, "unit": "unit",
                         "active": True}],
           "Deals": [{"deal_id": "D-0001", "client_id": "C-0001", "title": "Scales",
                      "stage": "Negotiation", "amount": 2000.0, "created": TODAY}],
           "DealItems": [{"deal_id": "D-0001", "sku": "SKU-1", "quantity": 2.0,
                          "unit_price": 1000.0}]}
    settings = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Settings").to_python()
    mine = {"Company name": "Our Co", "Company number": "514044130"}
    cells = {(i, 2): mine[r[0]] for i, r in enumerate(settings, 1) if r[0] in mine}
    assert len(cells) == 2
    wbf.patch({"Settings": cells},
              appends={t: [row_by_header(typed, t, r) for r in rs] for t, rs in new.items()},
              backup=False)
    assert len(_history(book)) == 1

    before = _computed_pc(book)
    api.refresh(book, today=TODAY)
    after = _computed_pc(book)
    changed = sum(1 for k in after if before.get(k) != after[k])
    contracts = _rows(book, "Contracts")
    out = tmp_path / "contracts"
    api.contract(book, "D-0001", out=out, today=TODAY)
    rows = _history(book)
    assert [r["Command"] for r in rows] == ["import", "refresh", "contract"]
    assert rows[1]["Cells changed"] == changed > 0
    assert rows[1]["Rows added"] == 0 and rows[1]["Documents written"] == 0
    assert rows[2]["Rows added"] == _rows(book, "Contracts") - contracts == 1
    assert rows[2]["Documents written"] == len(list(out.iterdir())) == 1
    assert rows[2]["Cells changed"] == 0
    assert all(r["When"] == TODAY for r in rows)
