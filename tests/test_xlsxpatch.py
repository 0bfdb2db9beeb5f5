"""acctbook.xlsx.patch: writes by patching the zip; everything it does not own stays byte for byte.

Workbooks are written with XlsxWriter (or come from the corpus) and read back with
openpyxl, python-calamine and LibreOffice: never with the module under test.
"""

from __future__ import annotations

import datetime as dt
import decimal
import glob
import io
import re
import os
import shutil
import subprocess
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from openpyxl.styles.numbers import is_date_format

from acctbook.book.model import col_letter
from acctbook.xlsx import patch as xlsxpatch
from acctbook.xlsx.cellxml import CellWriter, blank_update
from acctbook.xlsx.package import Package
from acctbook.xlsx.parts import Parts
from bookfiles import valid_data, write_book
from acctbook.book.model import AcctbookError, BookUnreadable, Refused
from acctbook.xlsx.patch import SheetTable, patch_workbook

try:
    from . import xlsx_fixtures as fx
except ImportError:             # tests/ is not a package: pytest put it on sys.path
    import xlsx_fixtures as fx

CORPUS = "/work/shared/corpus/calamine"
FOLLOW_UPS = [dt.date(2025, 3, i) for i in range(1, fx.N_CLIENTS + 1)]
HE_HEADER = ["לקוח", "תאריך", "סיבה"]


def _parts(path) -> dict[str, bytes | None]:
    """Each part's content (None for a part the corpus ships with a bad CRC)."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for i in zf.infolist():
            try:
                out[i.filename] = zf.read(i.filename)
            except zipfile.BadZipFile:
                out[i.filename] = None
    return out


def _raw(path) -> dict[str, tuple[int, int, bytes]]:
    """(crc, compressed size, compressed bytes) per part, to prove parts were not recompressed."""
    out = {}
    with open(path, "rb") as fh:
        data = fh.read()
    with zipfile.ZipFile(path) as zf:
        for i in zf.infolist():
            n = int.from_bytes(data[i.header_offset + 26:i.header_offset + 28], "little")
            e = int.from_bytes(data[i.header_offset + 28:i.header_offset + 30], "little")
            start = i.header_offset + 30 + n + e
            out[i.filename] = (i.CRC, i.compress_size, data[start:start + i.compress_size])
    return out


def _values(path, sheet) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    d = tmp_path_factory.mktemp("rich")
    path = str(d / "book.xlsm")
    fx.rich_workbook(path, str(d))
    return path


@pytest.fixture
def book(rich, tmp_path):
    path = str(tmp_path / "book.xlsm")
    shutil.copyfile(rich, path)
    return path


def _computed_cells():
    cells = {(r, 3): float(r * 1.5) for r in range(3, fx.N_CLIENTS + 2)}
    cells[(2, 3)] = "=1+1"                                     # text, never a formula
    cells.update({(r + 2, 4): d for r, d in enumerate(FOLLOW_UPS)})
    cells[(3, 14)] = dt.datetime(2025, 3, 9, 14, 30)          # a new cell, no style yet
    return {"Clients": cells}


def _generated():
    rows = [[f"C-{i:03d}", dt.date(2025, 3, i), "overdue" if i % 2 else "=cmd|' /C calc'!A0"]
            for i in range(1, 5)]
    links = {(i, 0): f"'Clients'!A{i + 2}" for i in range(4)}
    return [SheetTable("Today", "Today", HE_HEADER, rows, widths=[12, 11, 30], links=links, rtl=True),
            SheetTable("Rankings", "Rankings", ["Client", "Score"], [["C-001", 3.5], ["C-002", 2]],
                       links={(1, 0): "'Clients'!A3"})]


ALLOWED = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/workbook.xml",
           "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml",
           "xl/styles.xml", "xl/tables/table2.xml"}


def test_patch_keeps_every_other_part_byte_for_byte(book):
    before, raw_before = _parts(book), _raw(book)
    result = patch_workbook(book, _computed_cells(), _generated())
    after, raw_after = _parts(book), _raw(book)
    assert set(result.changed) <= ALLOWED
    assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/tables/table2.xml"} <= set(result.changed)
    assert result.removed == []
    assert {p for p in after if p not in before} == set(result.added)
    for name in before:
        if name not in result.changed:
            assert after[name] == before[name], name
            assert raw_after[name] == raw_before[name], f"{name} was recompressed"
    for keep in ("xl/vbaProject.bin", "xl/webextensions/webextension1.xml", "xl/charts/chart1.xml",
                 "xl/drawings/drawing1.xml", "xl/drawings/vmlDrawing1.vml", "xl/media/image1.png",
                 "_rels/.rels", "xl/sharedStrings.xml"):
        assert after[keep] == before[keep]
    assert b'name="RefreshBtn"' in after["xl/drawings/drawing1.xml"]
    assert _parts(result.backup) == before
    assert result.backup.endswith("book.bak.xlsm")


def test_user_cells_formulas_and_extensions_survive(rich, book):
    orig = _values(rich, "Clients")
    patch_workbook(book, _computed_cells(), _generated())
    wb = openpyxl.load_workbook(book, keep_vba=True)
    ws = wb["Clients"]
    written = {f"{openpyxl.utils.get_column_letter(c)}{r}" for r, c in _computed_cells()["Clients"]}
    now = _values(book, "Clients")
    assert {k: v for k, v in orig.items() if k not in written} == \
        {k: v for k, v in now.items() if k not in written}
    assert ws["F4"].value == "=[[#This Row],Score]*2"            # the user's formula column
    assert ws["B10"].value == "=SUM(C2:C7)"
    assert ws.tables["Clients"].ref == "A1:F7"
    assert ws.conditional_formatting and ws.data_validations.dataValidation
    # sparklines live in the sheet's extLst, which openpyxl drops: check the part itself
    assert b"x14:sparklineGroups" in _parts(book)["xl/worksheets/sheet1.xml"]


def test_values_read_back_typed(book):
    patch_workbook(book, _computed_cells(), _generated())
    ws = openpyxl.load_workbook(book)["Clients"]
    assert ws["C2"].value == "=1+1" and ws["C2"].data_type == "s"
    assert ws["C3"].value == 4.5
    for r, d in enumerate(FOLLOW_UPS, 2):
        cell = ws.cell(r, 4)
        assert cell.is_date and cell.value == dt.datetime.combine(d, dt.time())
        assert cell.number_format == "dd/mm/yyyy"            # the user's date style was kept
        assert cell.font.b                                   # ... with its bold font
    assert ws["N3"].is_date and ws["N3"].value == dt.datetime(2025, 3, 9, 14, 30)
    cal = python_calamine.CalamineWorkbook.from_path(book, load_tables=True)
    table = cal.get_table_by_name("Clients").to_python()
    assert table[0][2] == "=1+1"
    assert [row[3] for row in table] == FOLLOW_UPS
    assert [row[4] for row in table] == [f"note {i}" for i in range(1, fx.N_CLIENTS + 1)]


def test_generated_sheets(book):
    patch_workbook(book, _computed_cells(), _generated())
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Clients", "Today", "Rankings"]
    today = wb["Today"]
    assert today.sheet_view.rightToLeft
    assert today.freeze_panes == "A2"
    assert today.tables["Today"].ref == "A1:C5"
    assert today.tables["Today"].autoFilter.ref == "A1:C5"
    assert [c.name for c in today.tables["Today"].tableColumns] == HE_HEADER
    assert today.max_row == 5 and today["A6"].value is None    # old rows and formula gone
    assert today["A3"].hyperlink.location == "'Clients'!A3"
    assert today["A3"].hyperlink.display == "C-002"
    # Text, never a formula; in this right-to-left sheet held left to right between LRMs
    # (it starts with a sign: acctbook.book.bidi.rtl_cell).
    assert today["C2"].value == "overdue" and today["C3"].value == "\u200e=cmd|' /C calc'!A0\u200e"
    assert today["C3"].data_type == "s"
    assert today["B2"].is_date and today.column_dimensions["C"].width == 30
    rank = wb["Rankings"]
    assert rank.tables["Rankings"].ref == "A1:B3" and not rank.sheet_view.rightToLeft
    assert rank["A3"].hyperlink.location == "'Clients'!A3"
    cal = python_calamine.CalamineWorkbook.from_path(book, load_tables=True)
    assert cal.get_table_by_name("Today").columns == HE_HEADER
    assert cal.get_table_by_name("Rankings").to_python() == [["C-001", 3.5], ["C-002", 2.0]]
    with zipfile.ZipFile(book) as zf:
        app = zf.read("docProps/app.xml").decode()
        ids = sorted(int(openpyxl.load_workbook(book)[s].tables[t].id)
                     for s, t in (("Clients", "Clients"), ("Today", "Today"), ("Rankings", "Rankings")))
    assert "<vt:lpstr>Rankings</vt:lpstr>" in app and "<vt:i4>3</vt:i4>" in app
    assert ids == [1, 2, 3]


MIXED = ["plain", "a < b & c", "_x0041_ tab\there", "", None, 0, -7, 12.0, 2.5, 0.1 + 0.2,
         float("nan"), 1e16, dt.date(2026, 3, 9), dt.datetime(2026, 3, 9, 14, 30), True,
         decimal.Decimal("1.25"), np.float64(3.0), np.int64(4), pd.NaT, pd.NA, "x" * 40]


def test_a_row_of_cells_is_written_as_each_cell_alone(book):
    """CellWriter.cells (a row in one loop) gives each cell's XML as CellWriter.xml does,
    blank ones left out; the sheet then reads back the values it was given."""
    parts = Parts(Package.open(book))
    writer = CellWriter(parts.styles, parts.date1904)
    letters = [col_letter(c) for c in range(1, len(MIXED) + 1)]
    styles = [None, "1", None, None, None, "2"] + [None] * (len(MIXED) - 6)
    want = "".join(writer.xml(f"{col}7", v, st) for col, v, st in zip(letters, MIXED, styles)
                   if not blank_update(v))
    assert writer.cells(7, letters, MIXED, styles) == want
    assert want.count("<c ") == len(MIXED) - 5         # "", None, NaN, NaT, NA: no cell
    patch_workbook(book, sheets=[SheetTable("Mixed", "Mixed", letters, [MIXED, MIXED[::-1]])])
    cal = python_calamine.CalamineWorkbook.from_path(book, load_tables=True)
    got = cal.get_table_by_name("Mixed").to_python()[0]
    assert got[:5] == ["plain", "a < b & c", "_x0041_ tab\there", "", ""]
    assert got[5:10] == [0, -7, 12, 2.5, 0.30000000000000004] and got[10] == ""
    assert got[12:14] == [dt.date(2026, 3, 9), dt.datetime(2026, 3, 9, 14, 30)]
    assert got[14] is True and got[15] == 1.25 and got[16:18] == [3, 4]


COLUMNS = {   # a column of each kind CellWriter.column does in one comprehension, and mixed ones
    "text": ["plain", None, "", "a < b & c", "_x0041_", "tab\there", "עברית"],
    "plain text": ["one", None, "two"],
    "floats": [2.5, None, float("nan"), 12.0, -0.0, 1e16, 1e15, 123456789012345.6, 5e-324,
               0.1 + 0.2, -7.25],
    "ints": [0, None, -7, 10**20],
    "numbers": [1, 2.5, None, 3.0],
    "dates": [dt.date(2026, 3, 9), None, dt.date(1901, 1, 1)],
    "old dates": [dt.date(2026, 3, 9), dt.date(1900, 3, 1)],
    "mixed": MIXED,
    "blank": [None, None],
}


@pytest.mark.parametrize("kind", sorted(COLUMNS))
@pytest.mark.parametrize("date1904, prefix", [(False, ""), (True, ""), (False, "x:")])
def test_a_column_of_cells_is_written_as_each_cell_alone(book, kind, date1904, prefix):
    """CellWriter.column (a column in one comprehension) gives each row's cell as
    CellWriter.cells does, "" where it leaves a blank one out."""
    values = COLUMNS[kind]
    rows = [2 + 3 * i for i in range(len(values))]
    for style in (None, "1"):
        outcomes = []
        for make in (lambda w: w.column("AB", rows, values, style),
                     lambda w: w.column("AB", [str(r) for r in rows], values, style),
                     lambda w: [w.cells(r, ["AB"], [v], [style]) for r, v in zip(rows, values)]):
            try:
                outcomes.append(make(CellWriter(Parts(Package.open(book)).styles, date1904, prefix)))
            except ValueError:        # a date before 1904 in a 1904 book: both refuse it
                outcomes.append("refused")
        assert outcomes[0] == outcomes[1] == outcomes[2]     # row numbers as ints or as text
        assert (outcomes[0] == "refused") == (date1904 and "dates" in kind)


@pytest.mark.parametrize("values", [[1.5, float("inf")], ["ok", "x" * 32_768], [1, object()]])
def test_a_column_with_a_value_no_cell_can_hold_raises(book, values):
    writer = CellWriter(Parts(Package.open(book)).styles, False)
    with pytest.raises(ValueError):
        writer.column("C", [2, 3], values, None)


@pytest.mark.parametrize("bad, said", [(float("inf"), "infinite number"),
                                       ("x" * 32_768, "longer than Excel's 32767 characters"),
                                       (object(), "cannot write a value of type object")])
def test_a_value_no_cell_can_hold_is_named_by_its_cell(tmp_path, bad, said):
    book = write_book(tmp_path / "b.xlsx", valid_data())   # rows of plain cells: appended to
    rows = [["C-001", 1.5, "ok"], ["C-002", bad, "ok"]]
    with pytest.raises(AcctbookError) as e:
        patch_workbook(book, sheets=[SheetTable("Rankings", "Rankings", ["Client", "Score", "Note"],
                                                rows)])
    assert str(e.value).startswith("Rankings!B3: ") and said in str(e.value)
    with pytest.raises(AcctbookError) as e:
        patch_workbook(book, {"Clients": {(2, 60): "x", (3, 60): 2.5, (3, 61): bad}})
    assert "Clients!BI3: " in str(e.value) and said in str(e.value)


def test_empty_generated_table_keeps_one_blank_row(book):
    patch_workbook(book, sheets=[SheetTable("Problems", "Problems", ["Sheet", "Cell"], [])])
    ws = openpyxl.load_workbook(book)["Problems"]
    assert ws.tables["Problems"].ref == "A1:B2"
    assert [c.value for c in ws[1]] == ["Sheet", "Cell"]


def test_patch_twice_is_idempotent(book, tmp_path):
    patch_workbook(book, _computed_cells(), _generated())
    first = _parts(book)
    stamp = os.stat(book).st_mtime_ns
    second = patch_workbook(book, _computed_cells(), _generated())
    assert _parts(book) == first
    assert second.changed == [] and second.added == [] and second.backup is None
    assert os.stat(book).st_mtime_ns == stamp          # nothing to write: the file is left alone


def test_libreoffice_opens_the_result(book, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    patch_workbook(book, _computed_cells(), _generated())
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), book],
                   check=True, capture_output=True, timeout=120)
    pdf = out / "book.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout \
        if shutil.which("pdftotext") else ""
    assert pdf.stat().st_size > 1000
    if text:
        assert "C-004" in text and "overdue" in text and "note 6" in text


def test_out_writes_elsewhere_and_leaves_the_original(book, tmp_path):
    before = open(book, "rb").read()
    target = tmp_path / "copy.xlsm"
    result = patch_workbook(book, {"Clients": {(2, 3): 99}}, out=target)
    assert open(book, "rb").read() == before
    assert result.backup is None and not os.path.exists(xlsxpatch.backup_path(book))
    assert openpyxl.load_workbook(target)["Clients"]["C2"].value == 99


def test_no_backup_when_asked(book):
    result = patch_workbook(book, {"Clients": {(2, 3): 99}}, backup=False)
    assert result.backup is None and not os.path.exists(xlsxpatch.backup_path(book))


# --- failures ------------------------------------------------------------------------------
def _leftovers(folder):
    return [f for f in os.listdir(folder) if f.endswith(".tmp")]


def test_failure_while_writing_the_zip_leaves_the_original(book, monkeypatch):
    before = open(book, "rb").read()
    calls = []

    def broken_copy(self, pkg, info):
        calls.append(info.filename)
        if len(calls) == 3:
            raise RuntimeError("disk vanished")
        return real_copy(self, pkg, info)
    real_copy = xlsxpatch.ZipOut.copy
    monkeypatch.setattr(xlsxpatch.ZipOut, "copy", broken_copy)
    with pytest.raises(RuntimeError):
        patch_workbook(book, _computed_cells(), _generated())
    assert open(book, "rb").read() == before
    assert _leftovers(os.path.dirname(book)) == []
    assert not os.path.exists(xlsxpatch.backup_path(book))


def test_failure_at_the_final_rename_leaves_the_original(book, monkeypatch):
    before = open(book, "rb").read()
    real_replace = os.replace

    def replace(src, dst):
        if dst == book:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)
    monkeypatch.setattr(xlsxpatch.os, "replace", replace)
    with pytest.raises(AcctbookError, match="unchanged"):
        patch_workbook(book, _computed_cells(), _generated())
    assert open(book, "rb").read() == before
    assert _leftovers(os.path.dirname(book)) == []


def test_open_in_excel_is_refused(book):
    owner = os.path.join(os.path.dirname(book), "~$book.xlsm")
    open(owner, "wb").close()
    before = open(book, "rb").read()
    with pytest.raises(Refused, match="book.xlsm"):
        patch_workbook(book, {"Clients": {(2, 3): 1}})
    assert open(book, "rb").read() == before


def test_read_only_book_is_refused_and_left_alone(book):
    os.chmod(book, 0o444)
    before = open(book, "rb").read()
    with pytest.raises(Refused, match="read-only"):
        patch_workbook(book, {"Clients": {(2, 3): 1}})
    assert open(book, "rb").read() == before and os.stat(book).st_mode & 0o777 == 0o444
    assert not os.path.exists(xlsxpatch.backup_path(book))


def test_a_symlinked_book_is_written_through_the_link(book, tmp_path):
    """The link stays a link; the real file is updated and backed up beside itself."""
    link = tmp_path / "links" / "mine.xlsm"
    link.parent.mkdir()
    os.symlink(book, link)
    patch_workbook(link, {"Clients": {(2, 3): 42}})
    assert os.path.islink(link) and os.path.realpath(link) == os.path.realpath(book)
    assert openpyxl.load_workbook(book)["Clients"].cell(2, 3).value == 42
    assert os.path.isfile(xlsxpatch.backup_path(book)) and not os.path.islink(
        xlsxpatch.backup_path(book))
    assert os.listdir(link.parent) == ["mine.xlsm"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_rewriting_a_managers_book_keeps_its_owner(book):
    os.chown(book, 65534, 65534)
    patch_workbook(book, {"Clients": {(2, 3): 7}})
    st = os.stat(book)
    assert (st.st_uid, st.st_gid) == (65534, 65534)


def test_unknown_sheet_and_bad_values_are_clear_errors(book):
    before = open(book, "rb").read()
    with pytest.raises(AcctbookError, match="no sheet named 'Nope'"):
        patch_workbook(book, {"Nope": {(1, 1): 1}})
    with pytest.raises(AcctbookError, match="C2"):
        patch_workbook(book, {"Clients": {(2, 3): object()}})
    with pytest.raises(AcctbookError, match="already exists"):
        patch_workbook(book, sheets=[SheetTable("Other", "Clients", ["A"], [])])
    with pytest.raises(AcctbookError, match="appears twice"):
        patch_workbook(book, sheets=[SheetTable("Other", "Other", ["A", "a"], [])])
    with pytest.raises(AcctbookError, match="non-empty"):
        patch_workbook(book, sheets=[SheetTable("Other", "Other", ["A", " "], [])])
    assert open(book, "rb").read() == before


@pytest.mark.parametrize("content, match", [
    (None, "no such file"), (b"hello", "not a zip"), (b"PK\x03\x04broken", "corrupt"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "encrypted")])
def test_unreadable_files(tmp_path, content, match):
    path = tmp_path / "bad.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BookUnreadable, match=match):
        patch_workbook(path, {"Sheet1": {(1, 1): 1}})


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    shutil.copyfile(f"{CORPUS}/date.xlsx", path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/huge.bin", b"\0" * (20 << 20))   # 20 MiB of zeros: ~1000x
    with pytest.raises(BookUnreadable, match="inflate"):
        patch_workbook(path, {"Sheet1": {(1, 1): 1}})


def test_too_much_in_all_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.xlsx"
    shutil.copyfile(f"{CORPUS}/date.xlsx", path)
    import acctbook.xlsx.preread
    monkeypatch.setattr(acctbook.xlsx.preread, "MAX_TOTAL_UNCOMPRESSED", 1000)
    with pytest.raises(BookUnreadable, match="refused, its parts would inflate to"):
        patch_workbook(path, {"Sheet1": {(1, 1): 1}})


# --- formulas, dates, the corpus -------------------------------------------------------------
def test_overwriting_a_shared_formula_master_keeps_its_dependents(tmp_path):
    path = tmp_path / "shared.xlsx"
    shutil.copyfile(f"{CORPUS}/shared_formula_simple.xlsx", path)
    result = patch_workbook(path, {"Sheet1": {(1, 2): 5}})
    ws = openpyxl.load_workbook(path)["Sheet1"]
    assert ws["B1"].value == 5
    assert ws["B2"].value == "=A2*2" and ws["B3"].value == "=A3*2"
    with zipfile.ZipFile(path) as zf:
        assert b'fullCalcOnLoad="1"' in zf.read("xl/workbook.xml")
    assert "xl/workbook.xml" in result.changed


def test_replacing_a_formula_drops_the_calc_chain(tmp_path):
    src = next(f for f in glob.glob(f"{CORPUS}/*.xlsx") if "xl/calcChain.xml" in zipfile.ZipFile(f).namelist()
               and os.path.basename(f) != "pass_protected.xlsx")
    path = tmp_path / "calc.xlsx"
    shutil.copyfile(src, path)
    with zipfile.ZipFile(path) as zf:
        chain = zf.read("xl/calcChain.xml").decode()
    import re
    ref = re.search(r'<c r="([A-Z]+\d+)"(?: i="(\d+)")?', chain)
    sheet_index = int(ref.group(2) or 1) - 1
    name = xlsxpatch.sheet_names(path)[sheet_index]
    row, col = openpyxl.utils.cell.coordinate_to_tuple(ref.group(1))
    result = patch_workbook(path, {name: {(row, col): 7}})
    assert result.removed == ["xl/calcChain.xml"]
    with zipfile.ZipFile(path) as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
    assert openpyxl.load_workbook(path)[name].cell(row, col).value == 7


def test_1904_dates(tmp_path):
    path = tmp_path / "d1904.xlsx"
    shutil.copyfile(f"{CORPUS}/date_1904.xlsx", path)
    name = xlsxpatch.sheet_names(path)[0]
    patch_workbook(path, {name: {(40, 1): dt.date(2024, 1, 1), (40, 2): dt.datetime(2024, 1, 1, 6)}})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(zf.namelist()[[n.endswith("sheet1.xml") for n in zf.namelist()].index(True)])
    # 2024-01-01 is 45292 in the 1900 system; the 1904 system starts 1462 days later
    assert b"<v>43830</v>" in xml and b"<v>43830.25</v>" in xml
    ws = openpyxl.load_workbook(path)[name]
    assert ws["A40"].value == dt.datetime(2024, 1, 1) and ws["B40"].value == dt.datetime(2024, 1, 1, 6)
    cal = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    assert cal[39][0] == dt.date(2024, 1, 1)


def _opens(path) -> tuple[bool, bool]:
    """(calamine reads it, openpyxl reads it); calamine's Rust panics count as 'no'."""
    def ok(read) -> bool:
        try:
            read()
            return True
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:                  # pyo3's PanicException is a BaseException
            return False
    return (ok(lambda: python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
               .get_sheet_by_index(0).to_python()),
            ok(lambda: openpyxl.load_workbook(path).sheetnames[0]))   # strict books show no sheets


CORPUS_FILES = sorted(glob.glob(f"{CORPUS}/*.xlsx") + glob.glob(f"{CORPUS}/*.xlsm"))


@pytest.mark.parametrize("src", CORPUS_FILES, ids=os.path.basename)
def test_corpus_file_patch_one_cell(src, tmp_path):
    path = tmp_path / os.path.basename(src)
    shutil.copyfile(src, path)
    if os.path.basename(src) == "pass_protected.xlsx":
        with pytest.raises(BookUnreadable, match="encrypted"):
            patch_workbook(path, {"Sheet1": {(1, 1): 1}})
        return
    cal_before, opx_before = _opens(path)
    before, raw_before = _parts(path), _raw(path)
    try:
        name = xlsxpatch.sheet_names(path)[0]
        result = patch_workbook(path, {name: {(2, 2): "patched"}})
    except AcctbookError as e:                  # a typed refusal is acceptable, a crash is not
        assert str(e) and open(path, "rb").read() == open(src, "rb").read()
        return
    after, raw_after = _parts(path), _raw(path)
    workbook_level = ("workbook.xml", "[Content_Types].xml", "workbook.xml.rels")
    assert len([p for p in result.changed if not p.endswith(workbook_level)]) == 1  # the sheet part
    for part in before:
        if part not in result.changed and part not in result.removed:
            assert after[part] == before[part] and raw_after[part] == raw_before[part], part
    cal_after, opx_after = _opens(path)
    assert (cal_after, opx_after) >= (cal_before, opx_before)
    if cal_before:
        rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(
            skip_empty_area=False)
        assert rows[1][1] == "patched"


def _generated_for(sheet: str) -> SheetTable:
    return SheetTable("Gen תור", "AcctbookGen", ["Key", "When"], [["k", dt.date(2024, 1, 2)]],
                      links={(0, 0): f"'{sheet}'!B2"}, rtl=True)


@pytest.mark.parametrize("src", [f for f in CORPUS_FILES if os.path.basename(f) not in
                                 ("pass_protected.xlsx", "issue252.xlsx")], ids=os.path.basename)
def test_corpus_file_gets_a_generated_sheet(src, tmp_path):
    path = tmp_path / os.path.basename(src)
    shutil.copyfile(src, path)
    cal_before, opx_before = _opens(path)
    before = _parts(path)
    name = xlsxpatch.sheet_names(path)[0]
    result = patch_workbook(path, {name: {(5, 30): dt.date(2024, 2, 3)}}, [_generated_for(name)])
    after = _parts(path)
    for part in before:
        if part not in result.changed and part not in result.removed:
            assert after[part] == before[part], part
    assert xlsxpatch.sheet_names(path) == xlsxpatch.sheet_names(src) + ["Gen תור"]
    if cal_before:
        cal = python_calamine.CalamineWorkbook.from_path(str(path))
        assert cal.get_sheet_by_name("Gen תור").to_python() == [["Key", "When"], ["k", dt.date(2024, 1, 2)]]
        assert cal.get_sheet_by_name(name).to_python(skip_empty_area=False)[4][29] == dt.date(2024, 2, 3)
    if opx_before:
        wb = openpyxl.load_workbook(path)
        assert wb["Gen תור"].tables["AcctbookGen"].ref == "A1:B2"
        assert wb[name].cell(5, 30).is_date


ODD_PACKAGES = ["strict_iso_paths.xlsx", "nonstandard-xml-ns-prefix.xlsx",
                "table_with_absolute_paths.xlsx", "date_1904.xlsx"]


def test_libreoffice_reads_patched_odd_packages(tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    paths = []
    for f in ODD_PACKAGES:
        path = tmp_path / f
        shutil.copyfile(f"{CORPUS}/{f}", path)
        name = xlsxpatch.sheet_names(path)[0]
        patch_workbook(path, {name: {(2, 2): "patched-cell"}}, [_generated_for(name)])
        paths.append(str(path))
    out = tmp_path / "csv"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "csv", "--outdir", str(out), *paths],
                   check=True, capture_output=True, timeout=120)
    for f in ODD_PACKAGES:
        text = (out / f.replace(".xlsx", ".csv")).read_text(errors="replace")
        assert "patched-cell" in text.splitlines()[1], f


# --- cell-level details ------------------------------------------------------------------------
def _plain_book(path, rows=(("Key", "Score"), ("a", 1), ("b", 2), ("c", 3))):
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    bold = wb.add_format({"bold": True, "num_format": "0.00"})
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row, bold if r else None)
    wb.close()


def _sheet_xml(path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml")


def test_odd_strings_round_trip_as_text(tmp_path):
    path = tmp_path / "s.xlsx"
    _plain_book(path)
    texts = ["=SUM(A1:A3)", "+972-3-1234567", "-5", "@cmd", "a\x01b", "_x0041_ literal",
             "line1\nline2", "<b>&amp;</b>", "עברית ‏RTL", "tab\there", "cr\rhere"]
    patch_workbook(path, {"Data": {(10 + i, 1): t for i, t in enumerate(texts)}})
    cal = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
    assert [cal[9 + i][0] for i in range(len(texts))] == texts
    ws = openpyxl.load_workbook(path)["Data"]
    assert all(ws.cell(10 + i, 1).data_type == "s" for i in range(len(texts)))
    assert b"<f>" not in _sheet_xml(path)


def test_clearing_keeps_the_style_and_dimension_grows(tmp_path):
    path = tmp_path / "c.xlsx"
    _plain_book(path)
    patch_workbook(path, {"Data": {(2, 2): None, (3, 2): "", (20, 8): 1}})
    ws = openpyxl.load_workbook(path)["Data"]
    assert ws["B2"].value is None and ws["B2"].font.b and ws["B2"].number_format == "0.00"
    assert ws["B3"].value is None
    assert ws["B4"].value == 3 and ws["A2"].value == "a"
    assert b'<dimension ref="A1:H20"/>' in _sheet_xml(path)


def test_pandas_and_numpy_values(tmp_path):
    import numpy as np
    import pandas as pd
    path = tmp_path / "p.xlsx"
    _plain_book(path)
    patch_workbook(path, {"Data": {(2, 2): np.int64(7), (3, 2): np.float64(2.5), (4, 2): np.nan,
                                   (5, 2): pd.Timestamp("2025-02-03"), (6, 2): pd.NaT,
                                   (7, 2): True, (8, 2): np.bool_(False)}})
    ws = openpyxl.load_workbook(path)["Data"]
    assert (ws["B2"].value, ws["B3"].value, ws["B4"].value) == (7, 2.5, None)
    assert ws["B5"].value == dt.datetime(2025, 2, 3) and ws["B5"].is_date
    assert ws["B6"].value is None and ws["B7"].value is True and ws["B8"].value is False


def test_rows_and_cells_without_r_attributes(tmp_path):
    """Some writers omit the optional r= on rows and cells: positions are then implied."""
    path = tmp_path / "nor.xlsx"
    _plain_book(path)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    import re
    xml = parts["xl/worksheets/sheet1.xml"]
    xml = re.sub(rb'(<(?:row|c)) r="[A-Z]*\d+"', rb"\1", xml)
    assert b' r="' not in xml
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    patch_workbook(path, {"Data": {(3, 2): 20, (3, 4): "new", (6, 1): "row six"}})
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
    assert rows[:6] == [["Key", "Score", "", ""], ["a", 1.0, "", ""], ["b", 20.0, "", "new"],
                        ["c", 3.0, "", ""], ["", "", "", ""], ["row six", "", "", ""]]


def test_new_rows_land_in_row_order(tmp_path):
    path = tmp_path / "o.xlsx"
    _plain_book(path, rows=(("Key",), ("a",), *[()] * 5, ("z",)))   # rows 1, 2, 8
    patch_workbook(path, {"Data": {(5, 1): "five", (3, 1): "three", (12, 2): 12}})
    xml = _sheet_xml(path).decode()
    import re
    assert [int(r) for r in re.findall(r'<row r="(\d+)"', xml)] == [1, 2, 3, 5, 8, 12]
    ws = openpyxl.load_workbook(path)["Data"]
    assert [ws.cell(r, 1).value for r in (1, 2, 3, 5, 8)] == ["Key", "a", "three", "five", "z"]


# --- appending rows to a table ----------------------------------------------------------------
def _table(path, name):
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise AssertionError(name)


def test_append_rows_below_a_table(book):
    before, raw_before = _parts(book), _raw(book)
    rows = [{"client id": "C-007", "Name": "=Seven & <Sons>", 3: 70, "Next follow-up": dt.date(2025, 4, 1)},
            {"Client ID": "0042", "Notes": "n"}]
    result = patch_workbook(book, appends={"clients": rows})
    assert set(result.changed) == {"xl/worksheets/sheet1.xml", "xl/tables/table1.xml"}
    after, raw_after = _parts(book), _raw(book)
    for name in before:
        if name not in result.changed:
            assert raw_after[name] == raw_before[name], name
    ws, t = _table(book, "Clients")
    last = fx.N_CLIENTS + 3
    assert t.ref == f"A1:F{last}" and t.autoFilter.ref == t.ref
    assert [c.value for c in ws[last - 1]][:5] == ["C-007", "=Seven & <Sons>", 70,
                                                   dt.datetime(2025, 4, 1), None]
    assert ws.cell(last - 1, 2).data_type == "s"                  # text, not a formula
    assert ws.cell(last, 1).value == "0042" and ws.cell(last, 5).value == "n"
    date = ws.cell(last - 1, 4)
    assert is_date_format(date.number_format) and date.font.b    # the style of the cell above
    assert ws.cell(last, 6).value == ws.cell(2, 6).value and ws.cell(2, 6).value.startswith("=")  # calculated
    assert any(f"E{last}" in str(dv.sqref) or "E2:E" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    cal = python_calamine.CalamineWorkbook.from_path(book, load_tables=True).get_table_by_name("Clients")
    assert cal.to_python()[-1][:2] == ["0042", ""] and len(cal.to_python()) == fx.N_CLIENTS + 2


def test_append_refuses_to_overwrite_data_below_the_table(book):
    before = _parts(book)
    three = [{"Client ID": f"N-{i}"} for i in range(3)]        # row 10 holds the user's =SUM
    with pytest.raises(AcctbookError, match="row 10 below it holds data"):
        patch_workbook(book, appends={"Clients": three})
    assert _parts(book) == before
    patch_workbook(book, appends={"Clients": three[:2]})         # two rows still fit
    assert _table(book, "Clients")[1].ref == "A1:F9"


@pytest.mark.parametrize("appends, match", [
    ({"Nope": [{"A": 1}]}, "no table named 'Nope'"),
    ({"Clients": [{"Colour": 1}]}, "no column 'Colour'"),
    ({"Clients": [{9: 1}]}, "no column number 9"),
])
def test_append_errors_are_clear(book, appends, match):
    with pytest.raises(AcctbookError, match=match):
        patch_workbook(book, appends=appends)


def test_append_fills_a_blank_last_row_and_refuses_totals(tmp_path):
    import xlsxwriter
    path = str(tmp_path / "t.xlsx")
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    ws.add_table(0, 0, 1, 1, {"name": "Empty", "columns": [{"header": "A"}, {"header": "B"}]})
    ws.add_table(0, 3, 2, 4, {"name": "Tot", "total_row": True,
                              "columns": [{"header": "X"}, {"header": "Y", "total_function": "sum"}]})
    wb.close()
    patch_workbook(path, appends={"Empty": [{"A": "a1", "B": 1}, {"A": "a2", "B": 2}]})
    ws2, t = _table(path, "Empty")
    assert t.ref == "A1:B3" and [[c.value for c in r] for r in ws2["A2:B3"]] == [["a1", 1], ["a2", 2]]
    with pytest.raises(AcctbookError, match="totals row"):
        patch_workbook(path, appends={"Tot": [{"X": 1}]})


# --- importing a sheet from another package ----------------------------------------------------
def _chart_book(path, sheet="Src 1", rtl=False):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(sheet)
    if rtl:
        ws.right_to_left()
    money = wb.add_format({"num_format": "#,##0.00 [$€-1]", "bold": True, "bg_color": "#FFEE00"})
    ws.write_string(0, 0, "Title text", wb.add_format({"font_size": 18, "italic": True}))
    for i in range(4):
        ws.write_string(i + 1, 0, f"m{i}")
        ws.write_number(i + 1, 1, 1000.5 * (i + 1), money)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": f"='{sheet}'!$A$2:$A$5", "values": f"='{sheet}'!$B$2:$B$5"})
    ws.insert_chart("D2", chart)
    wb.close()
    return path


def test_import_sheet_with_chart_under_a_new_name(book, tmp_path):
    src = _chart_book(str(tmp_path / "src.xlsx"))
    before, raw_before = _parts(book), _raw(book)
    result = patch_workbook(book, imports=[xlsxpatch.SheetImport(src, "Src 1", "Imported 'x")])
    assert set(result.changed) <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                                   "docProps/app.xml", "xl/styles.xml"}
    raw_after = _raw(book)
    for name in before:
        if name not in result.changed:
            assert raw_after[name] == raw_before[name], name
    wb = openpyxl.load_workbook(book)
    ws = wb["Imported 'x"]
    assert ws["A1"].value == "Title text" and ws["A1"].font.i and ws["A1"].font.sz == 18
    assert ws["B3"].value == 2001 and ws["B3"].number_format == "#,##0.00 [$€-1]" and ws["B3"].font.b
    assert len(ws._charts) == 1
    after = _parts(book)
    chart = [after[p] for p in result.added if p.startswith("xl/charts/")]
    assert len(chart) == 1 and b"<c:f>'Imported ''x'!$B$2:$B$5</c:f>" in chart[0]
    assert wb["Clients"]["A2"].value == "C-001" and wb["Clients"]["D2"].number_format == "dd/mm/yyyy"
    assert b"sharedStrings" not in after[[p for p in result.added if p.startswith("xl/worksheets/sheet")][0]]


def test_import_again_replaces_the_sheet_and_its_chart(book, tmp_path):
    src = _chart_book(str(tmp_path / "src.xlsx"), "R", rtl=True)
    patch_workbook(book, imports=[xlsxpatch.SheetImport(src, "R", "R")])
    first = _parts(book)
    patch_workbook(book, imports=[xlsxpatch.SheetImport(src, "R", "R")])
    assert _parts(book) == first                                   # same parts, same bytes
    src2 = str(tmp_path / "src2.xlsx")
    import xlsxwriter
    wb = xlsxwriter.Workbook(src2)
    wb.add_worksheet("R").write_string(0, 0, "no chart now")
    wb.close()
    patch_workbook(book, imports=[xlsxpatch.SheetImport(src2, "R", "R")])
    after = _parts(book)
    assert len([p for p in after if p.startswith("xl/charts/")]) == len([p for p in first if p.startswith(
        "xl/charts/")]) - 1                                        # the old chart is gone
    wb2 = openpyxl.load_workbook(book)
    assert wb2.sheetnames.count("R") == 1 and wb2["R"]["A1"].value == "no chart now"
    assert wb2["R"]._charts == []
    assert len(wb2["Clients"]._charts) == 1                       # the user's own chart stays


# --- new cells look like their column ---------------------------------------------------------
def test_new_computed_cells_take_their_columns_number_format(tmp_path):
    """The template formats whole computed columns and leaves their cells empty: after a
    refresh Revenue 12m shows #,##0.00, Rank 0, Weighted amount #,##0.00; a date format the
    user put on the Next follow-up column is kept (read back with openpyxl)."""
    from acctbook import api
    from acctbook.book import schema
    book = api.new(tmp_path / "b.xlsx", demo=True, today=dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    ws = wb["Clients"]
    header = {c.value: c.column_letter for c in ws[1]}
    nxt = header[schema.CLIENTS.column("next_follow_up").en]
    ws.column_dimensions[nxt].number_format = "dd/mm/yyyy"
    for row in range(2, ws.max_row + 1):                 # openpyxl writes a style per cell
        ws[f"{nxt}{row}"].number_format = "dd/mm/yyyy"
    wb.save(book)
    api.refresh(book, dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    want = {("Clients", "revenue_12m"): "#,##0.00", ("Clients", "rank"): "0",
            ("Clients", "next_follow_up"): "dd/mm/yyyy", ("Deals", "weighted_amount"): "#,##0.00"}
    for (sheet, key), fmt in want.items():
        ws = wb[sheet]
        spec = schema.CLIENTS if sheet == "Clients" else schema.DEALS
        col = next(c.column for c in ws[1] if c.value == spec.column(key).en)
        cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
        filled = [c for c in cells if c.value is not None]
        assert filled, (sheet, key)
        assert {c.number_format for c in filled} == {fmt}, (sheet, key)


def test_a_renamed_generated_sheet_is_rebuilt_under_its_new_name(tmp_path):
    """The user renamed the Today tab: refresh finds the Today table there and rebuilds it,
    adding no second Today sheet (read back with openpyxl)."""
    from acctbook import api
    book = api.new(tmp_path / "b.xlsx", demo=True, today=dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    wb["Today"].title = "My calls"
    wb.save(book)
    result = api.refresh(book, dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    assert "Today" not in wb.sheetnames and "My calls" in wb.sheetnames
    ws = wb["My calls"]
    assert "Today" in ws.tables
    ids = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert ids == list(result.results.queue["client_id"]) and len(ids) > 5


def test_append_matches_headers_as_the_reader_does(book):
    """A header key with a pasted right-to-left mark finds its column, as in the reader."""
    patch_workbook(book, appends={"Clients": [{"Client\u200f ID": "C-8", "NAME ": "Eight"}]})
    ws, t = _table(book, "Clients")
    last = fx.N_CLIENTS + 2
    assert [ws.cell(last, 1).value, ws.cell(last, 2).value] == ["C-8", "Eight"]


def test_generated_sheets_show_numbers_formatted_and_headers_fit(tmp_path):
    """After refresh, Today and Rankings show money as #,##0.00, Growth as 0.0%, Score with
    one decimal, dates as dates; every column is wide enough for its header."""
    from acctbook import api
    book = api.new(tmp_path / "b.xlsx", demo=True, today=dt.date(2026, 3, 10))
    api.refresh(book, dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    want = {"Today": {"Open deals (weighted)": "#,##0.00", "Days overdue": "0",
                      "Next follow-up": "yyyy-mm-dd"},
            "Rankings": {"Revenue 12m": "#,##0.00", "Growth": "0.0%", "Score": "0.0",
                         "Revenue points": "0.0", "Rank": "0"}}
    for sheet, formats in want.items():
        ws = wb[sheet]
        header = {c.value: c.column for c in ws[1]}
        for name, fmt in formats.items():
            cells = [ws.cell(r, header[name]) for r in range(2, ws.max_row + 1)]
            assert {c.number_format for c in cells if c.value is not None} == {fmt}, (sheet, name)
        for c in ws[1]:
            width = ws.column_dimensions[c.column_letter].width
            assert width >= len(c.value) + 2, (sheet, c.value, width)


def test_appended_row_keeps_the_row_above_format_over_the_columns(tmp_path):
    """The user formatted the last client's Created as dd/mm/yyyy (the column says
    yyyy-mm-dd): an appended row looks like the row above, as in Excel."""
    from acctbook import api
    book = api.new(tmp_path / "b.xlsx", demo=True, today=dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    ws = wb["Clients"]
    header = {c.value: c.column for c in ws[1]}
    last = ws.max_row
    ws.cell(last, header["Created"]).number_format = "dd/mm/yyyy"
    wb.save(book)
    patch_workbook(book, appends={"Clients": [{"Client ID": "C-999", "Name": "New",
                                               "Created": dt.date(2026, 3, 1)}]})
    ws = openpyxl.load_workbook(book)["Clients"]
    assert ws.cell(last + 1, 1).value == "C-999"
    assert ws.cell(last + 1, header["Created"]).number_format == "dd/mm/yyyy"


def test_generated_sheets_print_one_page_wide(tmp_path):
    """Today prints landscape, fitted to one page wide, in a new book and after a refresh
    that rebuilt it; a page setup the user chose is kept (read back with openpyxl)."""
    from acctbook import api
    book = api.new(tmp_path / "b.xlsx", demo=True, today=dt.date(2026, 3, 10))
    for when in ("new", "refreshed"):
        ws = openpyxl.load_workbook(book)["Today"]
        assert ws.page_setup.orientation == "landscape", when
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, when
        assert ws.sheet_properties.pageSetUpPr.fitToPage, when
        api.refresh(book, dt.date(2026, 3, 10))
    bare = tmp_path / "bare.xlsx"
    patch_workbook(book, sheets=[SheetTable("Calls", "Calls", ["A"], [["x"]])], out=bare)
    ws = openpyxl.load_workbook(bare)["Calls"]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_a_page_setup_the_user_chose_survives_the_rebuild(tmp_path):
    from acctbook import api
    book = api.new(tmp_path / "b.xlsx", demo=True, today=dt.date(2026, 3, 10))
    wb = openpyxl.load_workbook(book)
    wb["Today"].page_setup.orientation = "portrait"
    wb.save(book)
    api.refresh(book, dt.date(2026, 3, 10))
    assert openpyxl.load_workbook(book)["Today"].page_setup.orientation == "portrait"


# --- one open per command (acctbook.xlsx.file) -------------------------------------------------
def test_one_handle_reads_names_and_patches_the_same_read(book):
    from acctbook.xlsx.file import open_book
    wbf = open_book(book)
    assert wbf.sheet_names() == xlsxpatch.sheet_names(book)
    result = wbf.patch({"Clients": {(2, 3): 42}})
    assert result.changed and openpyxl.load_workbook(book)["Clients"]["C2"].value == 42
    with pytest.raises(AcctbookError, match="already written"):
        wbf.patch({"Clients": {(2, 3): 43}})


def test_a_book_saved_meanwhile_is_refused_and_left_as_saved(book):
    from acctbook.xlsx.file import open_book
    wbf = open_book(book)
    patch_workbook(book, {"Clients": {(2, 3): "typed in Excel"}}, backup=False)   # saved meanwhile
    saved = open(book, "rb").read()
    with pytest.raises(Refused, match="changed on disk"):
        wbf.patch({"Clients": {(2, 3): 42}})
    assert open(book, "rb").read() == saved
    assert _leftovers(os.path.dirname(book)) == []
    assert not os.path.exists(xlsxpatch.backup_path(book))


def test_reader_and_writer_give_the_same_messages(tmp_path):
    from acctbook.xlsx.read import read_book
    path = tmp_path / "notes.xlsx"
    path.write_text("just text")
    for call in (read_book, lambda p: patch_workbook(p, {"A": {(1, 1): 1}})):
        with pytest.raises(BookUnreadable, match="not an Excel workbook \\(not a zip file\\)"):
            call(path)


def test_one_date_serial_and_number_text():
    from acctbook.book.cells import excel_serial, number_text
    assert excel_serial(dt.date(1900, 1, 1)) == 1 and excel_serial(dt.date(1900, 2, 28)) == 59
    assert excel_serial(dt.date(1900, 3, 1)) == 61 and excel_serial(dt.date(1899, 12, 31)) is None
    assert excel_serial(dt.datetime(2026, 1, 1, 12)) == 46023.5
    assert excel_serial(dt.date(1904, 1, 1), date1904=True) == 0
    assert excel_serial(dt.date(1903, 12, 31), date1904=True) is None
    assert number_text(0.1 + 0.2) == "0.30000000000000004" and number_text(3.0) == "3"


def test_cells_appended_to_many_rows_take_a_formatted_rows_style(tmp_path):
    """Cells appended after the last cell of many rows at once: a formatted row's new cells
    take the row's format, the others their column's; each value reads back."""
    path = tmp_path / "rows.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in range(1, 7):
        ws.cell(r, 1, f"row {r}")
    ws.row_dimensions[4].number_format = "0.000"           # row 4 is formatted
    ws.column_dimensions["C"].number_format = "#,##0.00"
    wb.save(path)
    updates = {(r, 3): 1234.5 + r for r in range(2, 7)}
    updates.update({(r, 2): f"note {r} & more" for r in range(2, 7)})
    updates[(5, 2)] = None
    updates[(9, 5)] = updates[(1, 7)] = None       # blank: no cell, and the dimension ignores them
    patch_workbook(path, {"Data": updates})
    assert b'<dimension ref="A1:C6"/>' in _sheet_xml(path)
    ws = openpyxl.load_workbook(path)["Data"]
    assert [ws.cell(r, 3).value for r in range(2, 7)] == [1234.5 + r for r in range(2, 7)]
    assert [ws.cell(r, 2).value for r in range(2, 7)] == [
        "note 2 & more", "note 3 & more", "note 4 & more", None, "note 6 & more"]
    assert ws.cell(4, 3).number_format == "0.000" and ws.cell(4, 2).number_format == "0.000"
    assert {ws.cell(r, 3).number_format for r in (2, 3, 5, 6)} == {"#,##0.00"}
    assert ws.cell(5, 2).has_style is False and ws.max_column == 3


def _rewritten_both_ways(path, sheet_part: str, updates: dict) -> tuple[bytes, bytes]:
    """The sheet part with `updates` written all at once (columns made together, rows walked)
    and row by row (each cell looked for and made alone, as for a single row)."""
    from acctbook.xlsx.sheetcells import SheetCells
    data = Package.open(path).read(sheet_part)

    def writer():
        return CellWriter(Parts(Package.open(path)).styles, False)
    together = SheetCells(data, writer(), "t").apply(updates)
    alone = data
    for r in sorted({r for r, _ in updates}):
        alone = SheetCells(alone, writer(), "a").apply(
            {k: v for k, v in updates.items() if k[0] == r})
    return together, alone


def test_cells_rewritten_in_many_rows_are_written_as_row_by_row(tmp_path):
    """A second refresh rewrites cells that exist: the columns' cells are made together and
    each row's run of cells compared in place. Whatever a row holds (the cells as they are, a
    changed value, another style, a formula, a blank cell left in a run, a cell of another
    column between), the result is byte for byte what rewriting each row alone gives."""
    path = tmp_path / "again.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(2, 12):
        ws.cell(r, 1, f"client {r}")
    wb.save(path)
    first = {(r, c): v for r in range(2, 12) for c, v in
             [(3, f"note {r}"), (4, 10.5 * r), (5, dt.date(2026, 1, r)), (6, r), (8, "x & y")]}
    patch_workbook(path, {"Sheet": first})
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    d4 = xml[xml.index(b'<c r="D4"'):xml.index(b"</c>", xml.index(b'<c r="D4"')) + 4]
    date_style = re.search(rb'<c r="E4" s="(\d+)"', xml).group(1)
    xml = xml.replace(d4, d4.replace(b'<c r="D4"', b'<c r="D4" s="' + date_style + b'"', 1))
    xml = xml.replace(b'<c r="E5"', b'<c r="E5"><f>TODAY()</f></c><c r="Z5"', 1)  # a formula
    xml = xml.replace(b'<c r="F6"', b'<c r="G6"/><c r="F6"', 1)        # out of place: walked past
    xml = xml.replace(b'<c r="H7"', b'<c r="G7"><v>1</v></c><c r="H7"', 1)  # another column
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    second = dict(first)
    second.update({(8, 4): 99.25, (9, 3): None, (10, 8): "changed", (11, 6): None})
    together, alone = _rewritten_both_ways(path, "xl/worksheets/sheet1.xml", second)
    assert together == alone
    same_again, _ = _rewritten_both_ways(path, "xl/worksheets/sheet1.xml", first)
    got = openpyxl.load_workbook(io.BytesIO(_with_part(path, "xl/worksheets/sheet1.xml", together)))
    ws = got.active
    assert ws["D8"].value == 99.25 and ws["C9"].value is None and ws["H10"].value == "changed"
    assert ws["C2"].value == "note 2" and ws["E3"].value == dt.datetime(2026, 1, 3)
    assert ws["G7"].value == 1 and ws["F11"].value is None
    untouched = Package.open(path).read("xl/worksheets/sheet1.xml")
    for r in (2, 3, 9):           # rows as they were: not one byte of them rewritten
        row = untouched[untouched.index(b'<row r="%d"' % r):untouched.index(b'<row r="%d"' % (r + 1))]
        assert row in same_again


def test_cells_held_as_columns_are_written_as_the_same_cells_given_as_a_dict(tmp_path):
    """A refresh's computed cells come as ColumnCells (book/updates.py): the file is byte for
    byte what the same cells given as {(row, col): value} make, on a first write (cells
    appended) and a second (cells compared in place, some changed, one cleared)."""
    from acctbook.book.updates import ColumnCells
    src = tmp_path / "src.xlsx"
    wb = openpyxl.Workbook()
    for r in range(2, 12):
        wb.active.cell(r, 1, f"client {r}")
    wb.save(src)
    rows = list(range(2, 12))
    first = {3: [f"note {r} & more" for r in rows], 4: [10.5 * r for r in rows],
             5: [dt.date(2026, 1, r) for r in rows], 6: [None if r == 5 else r for r in rows]}
    second = {**first, 4: [99.25 if r == 8 else 10.5 * r for r in rows],
              6: [None if r in (5, 11) else r for r in rows]}
    written = {}
    for how in ("columns", "dict"):
        path = tmp_path / f"{how}.xlsx"
        shutil.copy(src, path)
        for columns in (first, second):
            if how == "columns":
                cells = ColumnCells()
                for col, values in columns.items():
                    cells.add_column(col, rows, values)
            else:
                cells = {(r, col): v for col, values in columns.items()
                         for r, v in zip(rows, values)}
            patch_workbook(path, {"Sheet": cells})
        with zipfile.ZipFile(path) as zf:
            written[how] = {n: zf.read(n) for n in zf.namelist()}
    assert written["columns"] == written["dict"]
    ws = openpyxl.load_workbook(tmp_path / "columns.xlsx").active
    assert ws["D8"].value == 99.25 and ws["F11"].value is None and ws["C2"].value == "note 2 & more"
    bad = ColumnCells()
    bad.add_column(3, [2, 0], ["x", "y"])
    with pytest.raises(AcctbookError, match=r"bad cell position \(0, 3\)"):
        patch_workbook(src, {"Sheet": bad})


@pytest.mark.parametrize("targets", [["'Clients'!A2", "#'Clients'!A3"],
                                     ["'R&D \"East\"'!A2", "'Clients'!A3"]])
def test_a_generated_sheets_links_lead_where_they_say(book, targets):
    """Each link's location as given (a leading # dropped); a sheet name with & or quotes
    in any of them is escaped, and reads back as it was."""
    patch_workbook(book, sheets=[SheetTable("Links", "Links", ["Client"], [["C-1"], ["C-2"]],
                                            links={(0, 0): targets[0], (1, 0): targets[1]})])
    ws = openpyxl.load_workbook(book)["Links"]
    assert [ws[f"A{r}"].hyperlink.location for r in (2, 3)] == [t.lstrip("#") for t in targets]
    assert [ws[f"A{r}"].hyperlink.display for r in (2, 3)] == ["C-1", "C-2"]


def _with_part(path, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, body if info.filename == name else zin.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("text", ["C-00017", "a & b", 'say "hi"', "line\nbreak", "tab\there",
                                  "_x0041_", "bell\x07", "\ufffe", "עברית <ok>", ""])
def test_an_attributes_text_is_escaped_as_before(text):
    from acctbook.xlsx.cellxml import attr_text, esc_attr, xstring
    assert attr_text(text) == esc_attr(xstring(text))


def test_a_sheet_inflated_ahead_is_the_sheet_as_read(book):
    """Parts.inflate_ahead (refresh: while it computes) hands the sheet's bytes over once,
    the very bytes the package holds; a sheet not asked for is read as before."""
    parts = Parts(Package.open(book))
    part = parts.sheet_part("Clients")
    with zipfile.ZipFile(book) as zf:           # the zip as another reader reads it
        want = zf.read(part.lstrip("/"))
        parts.inflate_ahead(["Clients", "No such sheet"])
        assert parts.sheet_data(part) == want
        assert parts.sheet_data(part) == want      # then read again
        other = next(p for n, p in parts.sheets if p and n != "Clients")
        assert parts.sheet_data(other) == zf.read(other.lstrip("/"))
