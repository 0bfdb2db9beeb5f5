"""Rows typed just below a table (outside it): `check` warns (row-below-table), and
`refresh --adopt-rows` grows the table over them so they become records."""
from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from acctbook import api
from acctbook.cli import main
from acctbook.xlsx.read import read_tables
from bookfiles import TODAY, write_book


def type_below(path: Path, table: str, *rows: dict, gap: int = 0) -> list[int]:
    """Type `rows` ({header: value}) right below `table` (after `gap` empty rows), outside
    its ref, as a user pressing Enter under it does; their Excel rows."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if table in ws.tables:
            break
    t = ws.tables[table]
    (c1, r1, c2, r2) = openpyxl.utils.cell.range_boundaries(t.ref)
    heads = {ws.cell(r1, c).value: c for c in range(c1, c2 + 1)}
    out = []
    for i, row in enumerate(rows):
        r = r2 + 1 + gap + i
        for key, value in row.items():
            ws.cell(r, heads[key], value)
        out.append(r)
    wb.save(path)
    return out


def _clients_table(path: Path):
    wb = openpyxl.load_workbook(path)
    ws = wb["Clients"]
    return ws, ws.tables["Clients"]


def _book(tmp_path, **kw) -> tuple[Path, int]:
    path = write_book(tmp_path / "book.xlsx")
    (row,) = type_below(path, "Clients", {"Client ID": "C-003", "Name": "Initech",
                                          "Status": "Active", "Source": "Website",
                                          "Created": dt.date(2025, 1, 5)}, **kw)
    return path, row


def _ref_end(ref: str) -> int:
    return openpyxl.utils.cell.range_boundaries(ref)[3]


def test_check_warns_with_the_row(tmp_path, capsys):
    path, row = _book(tmp_path)
    assert row == 4
    code = main(["check", str(path), "--today", TODAY.isoformat(), "--json"])
    out = json.loads(capsys.readouterr().out)
    problems = out["problems"] if isinstance(out, dict) else out
    hits = [p for p in problems if p["code"] == "row-below-table"]
    assert len(hits) == 1, problems
    p = hits[0]
    assert (p["severity"], p["sheet"], p["row"], p["cell"], p["value"]) == \
        ("warning", "Clients", 4, "A4", "C-003")
    assert "Clients row 4" in p["message"] and "--adopt-rows" in p["message"]
    assert "Tab" in p["message"]
    assert code == 0                    # a warning only


def test_rows_stop_at_the_first_empty_row(tmp_path):
    path = write_book(tmp_path / "book.xlsx")
    type_below(path, "Clients", {"Name": "A"}, {"Name": "B"})
    type_below(path, "Clients", {"Name": "far"}, gap=3)       # after an empty row: not below
    raw = read_tables(path)["Clients"]
    assert raw.below_start == 4 and [r[1] for r in raw.below] == ["A", "B"]


def test_a_row_after_an_empty_row_is_not_reported(tmp_path):
    path, _ = _book(tmp_path, gap=1)
    assert not [p for p in api.check(path, TODAY).problems if p.code == "row-below-table"]


def test_a_book_without_rows_below_reads_none(tmp_path):
    path = write_book(tmp_path / "book.xlsx")
    assert all(not raw.below for raw in read_tables(path).values())


def test_refresh_adopt_rows_grows_the_table_and_computes_the_row(tmp_path, capsys):
    path, row = _book(tmp_path)
    with zipfile.ZipFile(path) as z:
        before = {n: z.read(n) for n in z.namelist()}
    assert main(["refresh", str(path), "--today", TODAY.isoformat(), "--adopt-rows"]) in (0, 1)
    ws, t = _clients_table(path)
    assert _ref_end(t.ref) == row
    if t.autoFilter is not None and t.autoFilter.ref:
        assert _ref_end(t.autoFilter.ref) == row
    heads = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    assert ws.cell(row, heads["Client ID"]).value == "C-003"     # the typed cells as they were
    assert ws.cell(row, heads["Name"]).value == "Initech"
    # computed like any record: C-003, created 2025-01-05, class C (no revenue), 60 days
    assert ws.cell(row, heads["Next follow-up"]).value == dt.datetime(2025, 3, 6)
    assert ws.cell(row, heads["Follow-up reason"]).value == "Cadence C: 60 days after 2025-01-05"
    assert ws.cell(row, heads["Rank"]).value == 3
    assert not [p for p in api.check(path, TODAY).problems if p.code == "row-below-table"]
    with zipfile.ZipFile(path) as z:         # of the user's tables, only Clients' part changed
        changed = [n for n in before if n.startswith("xl/tables/") and z.read(n) != before[n]]
    assert len(changed) == 1 and b'name="Clients"' in before[changed[0]].replace(b"displayName", b"")


def test_refresh_without_the_flag_leaves_the_table(tmp_path):
    path, row = _book(tmp_path)
    api.refresh(path, TODAY)
    ws, t = _clients_table(path)
    assert _ref_end(t.ref) == row - 1
    heads = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    assert ws.cell(row, heads["Class"]).value is None
    assert [p.row for p in api.check(path, TODAY).problems if p.code == "row-below-table"] == [row]


def test_dry_run_with_adopt_rows_writes_nothing(tmp_path):
    path, row = _book(tmp_path)
    data = path.read_bytes()
    r = api.refresh(path, TODAY, dry_run=True, adopt_rows=True)
    assert path.read_bytes() == data
    assert row in r.book.frame("Clients").index
