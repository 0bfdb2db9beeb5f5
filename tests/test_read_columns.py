"""Issue 21: a big table is read as columns (fastexcel) rather than a Python object per cell,
when that gives exactly what the rows give. Here every table is made "big" (COLUMNS_ABOVE
= 0) and the book is read both ways: the same frames, problems and stale rows. Cells of the
wrong kind, a whole column of them or one among others, and an Excel error in the table,
are each seen by the user as the row reader shows them; the tables with a mixed column or
an error cell are read as rows."""

from __future__ import annotations

import datetime as dt
import sys

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import schema
from acctbook.book.rules import check_book
from acctbook.xlsx import read
from test_read_stream import TODAY, _same_books, _with_trouble

pytest.importorskip("fastexcel")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return api.new(tmp_path_factory.mktemp("columns") / "demo.xlsx", demo=True, today=TODAY)


def _both_ways(monkeypatch, path, parallel: bool = True):
    """(the book read with every table as columns where it can be, the tables that were,
    the book read as rows); `parallel`: by the reading threads, else in this thread."""
    monkeypatch.setattr(read, "PARALLEL_ABOVE", 0 if parallel else 10 ** 12)
    monkeypatch.setattr(read, "COLUMNS_ABOVE", 10 ** 12)
    rows = read.read_book(path)
    taken = []
    real = read.read_columns

    def spying(columnar, name, *a):
        got = real(columnar, name, *a)
        if got is not None:
            taken.append(name)
        return got
    monkeypatch.setattr(read, "read_columns", spying)
    monkeypatch.setattr(read, "COLUMNS_ABOVE", 0)
    return read.read_book(path), taken, rows


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_book_read_as_columns_is_the_book_read_as_rows(demo, tmp_path, monkeypatch, lang):
    path = demo if lang == "en" else api.new(tmp_path / "he.xlsx", lang="he", demo=True,
                                             today=TODAY)
    columns, taken, rows = _both_ways(monkeypatch, path)
    _same_books(columns, rows)
    assert {"Clients", "Contacts", "Interactions", "Orders", "Deals"} <= set(taken)
    assert check_book(columns, TODAY) == check_book(rows, TODAY)


def _cell(ws, spec: schema.Table, key: str, i: int):
    """The i-th data cell (0-based) of a column, found by its header."""
    heads = [c.value for c in ws[1]]
    col = heads.index(next(c for c in spec.columns if c.key == key).label("en")) + 1
    return ws.cell(2 + i, col)


def _column(ws, spec: schema.Table, key: str):
    """The column's data cells that hold a value."""
    cells = (_cell(ws, spec, key, i) for i in range(ws.max_row - 1))
    return [c for c in cells if c.value not in (None, "")]


def _dirty(src, dst):
    """The demo with cells of the wrong kind: in a column alone of its kind (read as
    columns), and one among others (that table read as rows). Written with openpyxl."""
    wb = openpyxl.load_workbook(src)
    inter, orders, contacts, clients, deals = (wb[n] for n in (
        "Interactions", "Orders", "Contacts", "Clients", "Deals"))
    _cell(inter, schema.INTERACTIONS, "channel", 0).value = "Emial"
    _cell(inter, schema.INTERACTIONS, "date", 1).value = dt.date(3026, 1, 5)
    _cell(orders, schema.ORDERS, "discount", 0).value = 0.5
    for c in _column(contacts, schema.CONTACTS, "phone"):
        c.value = 972501234567.0                     # numbers in a text column
    for c in _column(contacts, schema.CONTACTS, "birthday"):
        c.value = c.value.strftime("%Y-%m-%d")       # dates typed as text, all of them
    for c in _column(contacts, schema.CONTACTS, "primary"):
        c.value = c.value in ("Yes", True)           # yes/no as TRUE/FALSE cells
    _cell(clients, schema.CLIENTS, "payment_terms", 0).value = 30.5
    _cell(deals, schema.DEALS, "stage_since", 0).value = "soon"     # text among dates
    wb.save(dst)
    return dst


def test_cells_of_the_wrong_kind_are_seen_as_the_rows_show_them(demo, tmp_path, monkeypatch):
    path = _dirty(demo, tmp_path / "dirty.xlsx")
    columns, taken, rows = _both_ways(monkeypatch, path)
    _same_books(columns, rows)
    assert {"Interactions", "Orders", "Contacts", "Clients"} <= set(taken)
    assert "Deals" not in taken                  # a text among its dates: read as rows
    found = {(p.sheet, p.cell, p.code) for p in check_book(columns, TODAY)}
    assert {("Interactions", "D2", "choice"), ("Interactions", "A3", "date-range"),
            ("Orders", "I2", "percent-fraction"), ("Deals", "I2", "type-date"),
            ("Clients", "P2", "type-integer")} <= found
    assert sum(code == "date-as-text" for sheet, _, code in found if sheet == "Contacts") > 3
    # what the user reads back: the phones as digits, yes/no as such
    book = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Contacts").to_python()
    assert book[1][[str(h) for h in book[0]].index("Phone")] == 972501234567.0
    frame = columns.tables["Contacts"].frame
    assert set(frame["phone"].dropna()) == {"972501234567"}
    assert set(frame["primary"].dropna()) <= {True, False} and frame["primary"].notna().any()
    assert check_book(columns, TODAY) == check_book(rows, TODAY)


def test_a_table_with_an_excel_error_cell_is_read_again_as_rows(demo, tmp_path, monkeypatch):
    path = _with_trouble(demo, tmp_path / "trouble.xlsx")
    columns, taken, rows = _both_ways(monkeypatch, path)
    _same_books(columns, rows)
    assert "Interactions" in taken              # read as columns, then again as rows
    interactions = columns.tables["Interactions"]
    assert [p for p in check_book(columns, TODAY)
            if p.code == "excel-error" and p.sheet == interactions.sheet and p.cell == "B5"]


def test_columns_read_from_a_file_saved_meanwhile_are_dropped(demo, tmp_path, monkeypatch):
    """fastexcel reads the file itself: when the file on disk is no longer the one read (saved
    in Excel meanwhile), the columns it read are dropped and those tables come from the bytes
    read."""
    from acctbook.xlsx import columnar
    path = tmp_path / "saved.xlsx"
    path.write_bytes(demo.read_bytes())
    opened, dropped = [], []
    real = columnar.Columnar.take

    def taking(self):
        taken = real(self)
        opened.append(taken[1])
        return taken

    def changed(self):                    # "saved" as soon as the reader is open
        if opened:
            dropped.append(True)
        return bool(opened)
    monkeypatch.setattr(columnar.Columnar, "take", taking)
    monkeypatch.setattr(columnar.Columnar, "changed", changed)
    columns, taken, rows = _both_ways(monkeypatch, path, parallel=False)
    assert opened and all(opened)         # one reader, reading the file itself ...
    assert dropped and taken == []        # ... and all it read is dropped
    _same_books(columns, rows)


def test_a_fastexcel_panic_reads_the_table_as_rows(demo, monkeypatch):
    """A Rust panic inside fastexcel (pyo3 raises it as a BaseException) costs only speed:
    the table is read as rows."""
    from acctbook.xlsx import columnar

    class PanicException(BaseException):       # what pyo3 raises for a Rust panic
        pass

    class Reader:
        def load_sheet(self, *a, **k):
            raise PanicException("called `Option::unwrap()` on a `None` value")
    monkeypatch.setattr(columnar, "_open", lambda data: Reader())
    columns, taken, rows = _both_ways(monkeypatch, demo)
    assert taken == []
    _same_books(columns, rows)

    class Opening:                         # the panic when the file is opened
        @staticmethod
        def read_excel(data):
            raise PanicException("called `Result::unwrap()` on an `Err` value")
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "fastexcel", Opening)
    columns, taken, rows = _both_ways(monkeypatch, demo)
    assert taken == []
    _same_books(columns, rows)
