"""The book a `check` or `refresh` names, read while the program starts (xlsx/preread.py):
the same problems and cells as a book read the usual way, and never the bytes of a file
that changed since."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from acctbook import api
from acctbook.book import schema
from acctbook.__main__ import book_named
from acctbook.book.model import BookUnreadable
from acctbook.book.rules import check_book
from acctbook.xlsx import preread, read
from acctbook.xlsx.package import Package
from bookfiles import TODAY, valid_data, write_book
from test_read_columns import _dirty
from test_read_stream import _same_books, _with_trouble


def book_with_errors(path):
    """A book whose Clients and Orders sheets hold Excel error values (#N/A, #VALUE!)."""
    data = valid_data()
    data["Clients"][0].update(name="#N/A", email="#NAME?")
    data["Orders"][0].update(amount="#VALUE!")
    write_book(path, data)
    with zipfile.ZipFile(path) as z:                 # the file really holds error cells
        assert sum(z.read(n).count(b't="e"') for n in z.namelist()
                   if n.startswith("xl/worksheets/")) == 3
    return path


def said(result) -> list[tuple]:
    return [(p.sheet, p.cell, p.code, p.value) for p in result.problems]


def test_a_book_read_ahead_gives_the_same_problems_and_bytes(tmp_path):
    path = book_with_errors(tmp_path / "b.xlsx")
    usual = said(api.check(path, today=TODAY))
    assert ("Clients", "B2", "excel-error", "#N/A") in usual
    assert ("Orders", "J2", "excel-error", "#VALUE!") in usual
    preread.start(str(path))
    pkg = Package.open(path)
    assert pkg.preread is not None and pkg.data == path.read_bytes()
    preread.start(str(path))
    assert said(api.check(path, today=TODAY)) == usual
    assert preread.taken(str(path)) is None          # handed over once, to that reader


def test_the_command_reads_ahead_and_says_what_the_api_says(tmp_path):
    path = book_with_errors(tmp_path / "b.xlsx")
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    out = subprocess.run([sys.executable, "-m", "acctbook", "check", str(path), "--today",
                          TODAY.isoformat()], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 1, out.stderr
    lines = [f"{path}:{p.sheet}!{p.cell}" for p in api.check(path, today=TODAY).problems]
    got = [line.split(": ", 1)[0] for line in out.stdout.splitlines() if line.startswith(str(path))]
    assert got == lines and any("!B2" in g for g in got)
    twin = tmp_path / "twin.xlsx"
    shutil.copy(path, twin)
    refreshed = subprocess.run([sys.executable, "-m", "acctbook", "refresh", str(path),
                                "--today", TODAY.isoformat()], capture_output=True, text=True,
                               env=env, timeout=300)
    assert refreshed.returncode == 1, refreshed.stderr     # errors: said, and still written
    api.refresh(twin, today=TODAY)                       # in-process: nothing read ahead
    got, want = (openpyxl.load_workbook(p, data_only=True) for p in (path, twin))
    assert got["Clients"]["B2"].value == "#N/A"          # the user's cell left as it was
    for name in ("Clients", "Orders", "Today", "Rankings"):
        assert values(got[name]) == values(want[name]), name
    before = openpyxl.load_workbook(book_with_errors(tmp_path / "before.xlsx"), data_only=True)
    assert values(got["Clients"]) != values(before["Clients"])   # computed cells written


def values(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_a_book_changed_after_it_was_read_ahead_is_read_again(tmp_path):
    path = book_with_errors(tmp_path / "b.xlsx")
    preread.start(str(path)).thread.join()           # all read and searched
    data = valid_data()
    data["Clients"][0].update(name="Fresh Name Ltd")
    write_book(path, data)                          # saved again since, by Excel say
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    pkg = Package.open(path)
    assert pkg.preread is None and pkg.data == path.read_bytes()
    preread.start(str(path)).thread.join()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 4_000_000_000))   # touched again
    result = api.check(path, today=TODAY)
    assert not [p for p in result.problems if p.code == "excel-error"]
    assert result.book.frame("Clients").iloc[0]["name"] == "Fresh Name Ltd"


def test_a_file_that_is_no_workbook_is_refused_the_same_way(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("Client;Phone\nAcme;03-1234567\n", encoding="utf-8")
    with pytest.raises(BookUnreadable) as usual:
        api.check(path, today=TODAY)
    preread.start(str(path))
    with pytest.raises(BookUnreadable) as ahead:
        api.check(path, today=TODAY)
    assert str(ahead.value) == str(usual.value) and "text file" in str(usual.value)


@pytest.mark.parametrize("args, named", [
    (["refresh", "B"], "B"),
    (["-q", "--lang", "he", "check", "--today", "2026-06-01", "B"], "B"),
    (["refresh", "B", "--calendar", "meetings.ics", "--dry-run"], "B"),
    (["calls", "B"], None),                          # reads only some tables: not ahead
    (["--lang", "refresh", "check", "B"], "B"),      # `refresh` there is --lang's value
    (["refresh", "B", "B2"], None),                  # two books named: which one is unclear
    (["refresh", "missing.xlsx"], None),
    (["refresh", "notes.csv"], None),
    ([], None),
])
def test_the_book_a_command_line_names(tmp_path, args, named):
    for name in ("B", "B2"):
        (tmp_path / f"{name}.xlsx").write_bytes(b"PK")
    args = [str(tmp_path / f"{a}.xlsx") if a in ("B", "B2") else a for a in args]
    got = book_named(args)
    assert got == (None if named is None else str(tmp_path / f"{named}.xlsx"))


# --- the biggest table parsed as columns ahead -----------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return api.new(tmp_path_factory.mktemp("preread") / "demo.xlsx", demo=True, today=TODAY)


def biggest(path) -> str:
    """The data table of the most cells, as openpyxl reads their refs."""
    from openpyxl.utils.cell import range_boundaries
    sizes = {}
    for ws in openpyxl.load_workbook(path).worksheets:
        for name, ref in ws.tables.items():
            c1, r1, c2, r2 = range_boundaries(ref)
            if name in {t.name for t in schema.DATA_TABLES}:
                sizes[name] = (r2 - r1) * (c2 - c1 + 1)
    return max(sizes, key=sizes.get)


def read_ahead(monkeypatch, path, **kwargs):
    """The book read with its biggest table parsed ahead (every table "big" enough), and
    the tables handed over that way."""
    pytest.importorskip("fastexcel")
    monkeypatch.setattr(preread, "EARLY_CELLS", 0)
    monkeypatch.setattr(read, "COLUMNS_ABOVE", 0)
    monkeypatch.setattr(read, "PARALLEL_ABOVE", 0)
    given = []
    real = preread.Preread.columns_for

    def spying(self, key):
        got = real(self, key)
        if got is not None:
            given.append(key[0])
        return got
    monkeypatch.setattr(preread.Preread, "columns_for", spying)
    early = preread.start(str(path))
    return read.read_book(path, **kwargs), given, early


@pytest.mark.parametrize("trouble", [None, "wrong kinds", "error cell"])
def test_a_table_parsed_ahead_reads_as_the_rows_do(demo, tmp_path, monkeypatch, trouble):
    path = {None: lambda: demo, "wrong kinds": lambda: _dirty(demo, tmp_path / "d.xlsx"),
            "error cell": lambda: _with_trouble(demo, tmp_path / "t.xlsx")}[trouble]()
    monkeypatch.setattr(read, "COLUMNS_ABOVE", 10 ** 12)
    rows = read.read_book(path)
    ahead, given, early = read_ahead(monkeypatch, path)
    # the error cell's book has Orders' ref reaching row 1048576: read from its sheet, as rows
    assert given == ["Interactions" if trouble == "error cell" else biggest(path)]
    _same_books(ahead, rows)
    assert check_book(ahead, TODAY) == check_book(rows, TODAY)
    assert early.columns == {}


def test_the_biggest_table_is_parsed_from_the_file_while_it_is_the_one_read(demo, tmp_path,
                                                                            monkeypatch):
    """Not from a third copy of its bytes; and a file saved again once that parse has begun
    (after the reader took the bytes read ahead) gives no columns: the table comes from the
    bytes read, as the rest of the book does."""
    import threading
    path = tmp_path / "b.xlsx"
    shutil.copy(demo, path)
    opened, asked, go, readers = (threading.Event(), threading.Event(), threading.Event(),
                                  [])
    real_reader, real_open = preread.columns_reader, Package.open

    def reader(source):
        readers.append(type(source))
        asked.set()
        go.wait(60)
        return real_reader(source)

    def opening(*args, **kwargs):
        pkg = real_open(*args, **kwargs)
        opened.set()
        return pkg
    monkeypatch.setattr(preread, "columns_reader", reader)
    go.set()
    book, given, _ = read_ahead(monkeypatch, path)
    assert readers == [str] and given == [biggest(path)]     # unchanged: parsed from the file
    _same_books(book, read.read_book(path))

    go.clear()
    asked.clear()
    monkeypatch.setattr(Package, "open", staticmethod(opening))
    copy = tmp_path / "as read.xlsx"
    shutil.copy(path, copy)
    got: list = []
    reading = threading.Thread(target=lambda: got.append(read_ahead(monkeypatch, path)))
    reading.start()
    try:
        assert asked.wait(60) and opened.wait(60)   # parse begun; the reader has the bytes
        data = valid_data()
        data["Clients"][0].update(name="Fresh Name Ltd")
        write_book(path, data)              # ... and the file is saved again meanwhile
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    finally:
        go.set()
        reading.join(120)
    book, given, _ = got[0]
    assert readers == [str, str] and given == []   # parsed from the new file: not taken
    _same_books(book, read.read_book(copy))


def test_columns_parsed_ahead_and_not_wanted_are_let_go(demo, monkeypatch):
    book, given, early = read_ahead(monkeypatch, demo, tables=["Clients"])
    assert given == [] and early.columns == {} and early.columns_done
    assert "Interactions" in book.unread


@pytest.mark.parametrize("small", [False, True])
def test_the_search_finds_error_cells_and_keeps_each_sheets_last_bytes(tmp_path, monkeypatch,
                                                                       small):
    if small:                       # pieces and tails far smaller than a sheet
        monkeypatch.setattr(preread, "STEP_IN", 64)
        monkeypatch.setattr(preread, "STEP_OUT", 300)
        monkeypatch.setattr(preread, "KEEP_TAIL", 1000)
    path = book_with_errors(tmp_path / "b.xlsx")
    data = path.read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    sheets = [i for i in z.infolist() if preread.SHEET_PART.search(i.filename)]
    for info in sheets:
        tails: dict[str, bytes] = {}
        xml = z.read(info)
        found = preread.has_error_cells(data, z, info, tails)
        assert found == (b't="e"' in xml)
        if not found:               # searched to its end: its last bytes kept for the writer
            tail = tails[info.filename.lower()]
            assert xml.endswith(tail) and len(tail) >= min(len(xml), preread.KEEP_TAIL)
            assert len(tail) < len(xml) or not small or len(xml) < 1300
    assert sum(preread.has_error_cells(data, z, i) for i in sheets) == 2   # Clients, Orders


def _sheet_zip(xml: bytes) -> tuple[bytes, zipfile.ZipInfo]:
    """A zip of one sheet, stored: read a piece of exactly STEP_OUT bytes at a time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    data = buf.getvalue()
    return data, zipfile.ZipFile(io.BytesIO(data)).infolist()[0]


# A sheet of inline text: an "e" in every cell (xml:space="preserve"), so the search looks
# at the first few and then searches for the marks themselves.
_TEXT_CELL = b'<c r="A1" t="inlineStr"><is><t xml:space="preserve">see</t></is></c>'


@pytest.mark.parametrize("mark", [b't="e"', b"t='e'", None])
@pytest.mark.parametrize("cells", [3, 200])
@pytest.mark.parametrize("shift", [*range(7), -2000])     # -2000: inside a piece
def test_an_error_mark_is_found_wherever_the_pieces_cut_it(monkeypatch, mark, cells, shift):
    """However many other "e"s a sheet holds, and wherever the inflated pieces end (the
    mark cut at each of its bytes, or whole at a piece's start or end)."""
    piece = 4096                # a piece holds some 300 "e"s beside the mark
    monkeypatch.setattr(preread, "STEP_OUT", piece)
    head, text, opening = b"<worksheet><sheetData><row>", _TEXT_CELL * cells, b'<c r="B1" '
    cut = ((len(head) + len(text)) // piece + 2) * piece - 3 + shift   # the mark's start
    gap = b" " * (cut - len(opening) - len(head) - len(text))       # text right before it
    cell = opening + (mark or b't="n"') + b"><v>#N/A</v></c>"
    xml = head + gap + text + cell + text + b"</row></sheetData></worksheet>"
    data, info = _sheet_zip(xml)
    assert preread.has_error_cells(data, zipfile.ZipFile(io.BytesIO(data)), info) == (
        mark is not None)


def test_a_sheet_is_clean_only_once_searched_and_free_of_error_cells(tmp_path):
    """What lets a table read as columns leave the budget to the next sheet (read.py): its
    sheet searched already and holding no error cell (a table with one is read again)."""
    from acctbook.xlsx.errorscan import ErrorScan
    from acctbook.xlsx.parts import Parts
    parts = Parts(Package.open(book_with_errors(tmp_path / "b.xlsx")))
    scan = ErrorScan(parts, ["Deals", "Clients", "Orders"])
    scan.thread.join()
    assert scan.clean("Deals") and not scan.clean("Clients") and not scan.clean("Orders")
    assert not scan.clean("Interactions")          # not searched: not known to be clean


def test_a_zip_bomb_named_on_the_command_line_is_not_inflated_ahead(tmp_path):
    """A book whose parts would inflate too far (package.check_bounds refuses it) gets no
    search and no parse while the program starts: the refusal is the reader's one line."""
    path = book_with_errors(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet99.xml", b"\0" * (20 << 20))   # 20 MiB of zeros
    early = preread.start(str(path))
    early.thread.join()
    early.parser.join()
    assert early.data is not None and early.found == {} and early.columns == {}
    with pytest.raises(BookUnreadable, match="would inflate"):
        api.check(path, today=TODAY)
