"""One workbook file, opened once per command: `open_book(path)` reads and checks the file
(package.Package.open) and its structure (parts.Parts) a single time; the tables, the sheet
names and the write all use that one read.

calamine reads the bytes already in memory (CalamineWorkbook.from_filelike), so the file is
not opened again for reading. The write (`patch`) refuses, as patch_workbook does, a book
Excel has open (its ~$ owner file) or that is read-only, and, because it patches the bytes
read at open, a file that changed on disk since (saved in Excel meanwhile).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from acctbook.book.adapter import Cells, row_by_header
from acctbook.book.model import AcctbookError, Book, RawTable, SheetTable
from acctbook.book.coerce import load_book
from acctbook.xlsx.append import grow_table
from acctbook.xlsx.history import history_write
from acctbook.xlsx.importsheet import SheetImport
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.patch import PatchResult, patch_package, refuse
from acctbook.xlsx.read import read_book, read_tables


class WorkbookFile:
    """A workbook file read once: its tables, its sheet names, and one patch (the
    book.adapter.Workbook interface, which the xlwings adapter gives too)."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.parts = Parts.open(self.path)
        self._written = False
        self._book: Book | None = None
        self._adopted = False
        self._history: list[dict[str, Any]] = []

    def sheet_names(self) -> list[str]:
        return [name for name, _ in self.parts.sheets]

    def read_tables(self, names=None) -> dict[str, RawTable]:
        return read_tables(self.parts, names)

    def read_book(self, adopt_rows: bool = False, tables=None, meanwhile=None) -> Book:
        """The book, typed. `adopt_rows`: each table grows (in this handle's write, a ref
        change only) over the rows typed just below it, which are then read as its records.
        `tables`, `meanwhile`: as read.read_book's; read once, the first call's."""
        if adopt_rows and not self._adopted:
            raws = read_tables(self.parts)
            for name, raw in raws.items():
                if raw.below:
                    last = grow_table(self.parts, name, len(raw.below))
                    raw.rows = raw.rows[:last - raw.header_row]
                    raw.rows += [[""] * len(raw.headers)
                                 for _ in range(last - raw.header_row - len(raw.rows))]
                    raw.rows += raw.below
                    raw.below, raw.below_start = [], 0
            self._book = load_book(raws, str(self.parts.pkg.path))
            self._adopted = True
        elif self._book is None:
            self._book = read_book(self.parts, tables, meanwhile)
        return self._book

    def inflate_ahead(self, sheets: Sequence[str]) -> None:
        """The sheets a write will patch cell by cell, inflated meanwhile (Parts.inflate_ahead)."""
        self.parts.inflate_ahead(sheets)

    def write_refresh(self, cells: Cells, sheets: Sequence[SheetTable]) -> PatchResult:
        """Refresh's write; every table's outgrown drop-downs and rules follow it
        (validation.extend_rules)."""
        return self.patch(cells, sheets, grow_rules=True)

    def append_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> PatchResult:
        book = self.read_book()
        spec = book.tables[table].spec
        return self.patch(appends={spec.name: [row_by_header(book, table, r) for r in rows]})

    def log(self, row: dict[str, Any]) -> None:
        """A History row (acctbook.book.history.history_row) for this handle's write: the
        next patch appends it to the History table, in the same atomic write (a book
        without History gets the sheet added; xlsx/history.py). Call patch() alone to
        write the row by itself."""
        self._history.append(row)

    def patch(self, cells: dict[str, dict[tuple[int, int], Any]] | None = None,
              sheets: Sequence[SheetTable] = (), *, appends=None,
              imports: Sequence[SheetImport] = (), out=None, backup=True,
              grow_rules: bool = False) -> PatchResult:
        """patch_workbook on the file as read; once: the handle is spent after a write.
        The History rows logged meanwhile (log()) go into the same write."""
        if self._written:
            raise AcctbookError(f"{self.path}: already written through this handle; open it again")
        refuse(self.path, out)
        if self._history:
            more, logged = history_write(self.parts, self._history, self.read_book().lang)
            sheets, appends = [*sheets, *more], {**(appends or {}), **logged}
        self._written = True
        return patch_package(self.parts.pkg, cells, sheets, appends=appends, imports=imports,
                             out=out, backup=backup, parts=self.parts, grow_rules=grow_rules)


def open_book(path) -> WorkbookFile:
    """The workbook at `path`, opened and checked once (BookUnreadable, one clear line)."""
    return WorkbookFile(path)
