"""A table whose ref claims a million rows (whole columns selected before "Format as
Table") with a few real rows: read from the rows that exist, same problems and cells."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile

import openpyxl
import python_calamine as pc

from acctbook import api, cli
from acctbook.xlsx import preread, read

TODAY = dt.date(2026, 6, 1)
MAX_ROW = 1048576


def widen(src, dst, table="Clients"):
    """A copy of `src` whose `table` (and its autoFilter) reaches row 1048576."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/tables/") and re.search(
                    rb'\bname="%s"' % table.encode(), data):
                data, n = re.subn(rb'\bref="([A-Z]+\d+):([A-Z]+)\d+"',
                                  rb'ref="\1:\g<2>%d"' % MAX_ROW, data)
                assert n == 2                      # the table's ref and its autoFilter's
            zout.writestr(info, data)
    return dst


def _check(path, capsys):
    code = cli.main(["check", str(path), "--json", "--today", TODAY.isoformat()])
    return code, json.loads(capsys.readouterr().out)


def _values(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def test_a_million_row_ref_gives_the_same_problems_and_cells(tmp_path, capsys):
    exact = api.new(tmp_path / "exact.xlsx", demo=True, today=TODAY)
    big = widen(exact, tmp_path / "big.xlsx")
    assert read._tall_tables(read.opened(big)).keys() >= {"clients"}
    assert _check(big, capsys) == _check(exact, capsys)
    raw_exact, raw_big = read.read_tables(exact), read.read_tables(big)
    assert len(raw_big["Clients"].rows) <= len(raw_exact["Clients"].rows) + 1
    for a in (exact, big):
        cli.main(["refresh", str(a), "--today", TODAY.isoformat()])
        capsys.readouterr()
    assert _values(big) == _values(exact)


def test_the_sheet_path_reads_every_demo_table_as_calamine_does(tmp_path):
    """_read_tall (rows cut from the sheet's range) against get_table_by_name, on every
    table of both demo books: same sheet, corner, headers and cells."""
    for lang in ("en", "he"):
        path = api.new(tmp_path / f"{lang}.xlsx", lang=lang, demo=True, today=TODAY)
        parts = read.opened(path)
        wb = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
        for sheet, part in parts.sheets:
            if part is None:
                continue
            for _, ty, target, _ in parts.rels(part):
                if not ty.endswith("/table"):
                    continue
                root = parts.tree(target).getroot()
                name = root.get("displayName") or root.get("name")
                (r1, c1), (r2, c2) = (preread.corner(x) for x in root.get("ref").split(":"))
                heads = [c.get("name") for c in root.iter() if str(c.tag).endswith("}tableColumn")]
                tall = read._Tall(sheet, r1, c1, r2, c2, heads)
                assert read._read_tall(wb, tall) == read._read_one(wb, name), (lang, name)
                # the same table claiming a million rows reads the same
                tall.r2 = MAX_ROW
                got = read._read_tall(wb, tall)
                want = read._read_one(wb, name)
                extra = got[4][len(want[4]):]
                assert got[:4] == want[:4] and got[4][:len(want[4])] == want[4], (lang, name)
                assert all(v == "" for row in extra for v in row), (lang, name)
        wb.close()


def test_a_table_below_and_right_of_the_sheet_start(tmp_path):
    """A table at C3 on a sheet whose first cell is B2: columns and rows line up."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["B2"] = "note"
    ws["C3"], ws["D3"] = "h1", "h2"
    ws["C4"], ws["D5"] = 1, "x"
    src = tmp_path / "s.xlsx"
    wb.save(src)
    book = pc.CalamineWorkbook.from_path(str(src))
    tall = read._Tall("S", 3, 3, MAX_ROW, 4, ["h1", "h2"])
    assert read._read_tall(book, tall) == ("S", 3, 3, ["h1", "h2"], [[1.0, ""], ["", "x"]])
    shutil.rmtree(tmp_path, ignore_errors=True)
