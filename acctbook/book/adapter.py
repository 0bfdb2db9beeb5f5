"""The one interface both workbook adapters give (ARCHITECTURE.md, "The two adapters").

A file on disk (acctbook.xlsx.file.WorkbookFile) and the workbook open in Excel
(acctbook.xlbook.book.OpenWorkbook) read and write an acctbook workbook the same way, as
xlwings' own engines share `base_classes.py`: jobs.py uses the first, the buttons the second,
and the layers below never know which Excel they talk to.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence, runtime_checkable

from acctbook.book import schema
from acctbook.book.model import Book, SheetTable

Cells = dict[str, dict[tuple[int, int], Any]]     # sheet -> {(Excel row, column): value}


@runtime_checkable
class Workbook(Protocol):
    def read_book(self, adopt_rows: bool = False, tables=None, meanwhile=None) -> Book:
        """Every acctbook table, typed, with its Problems; `adopt_rows`: rows typed just below
        a table count as its records (`refresh --adopt-rows`); `tables`: only these are
        parsed (a command that uses a few, as `contract` does), when the adapter can;
        `meanwhile` (rules.EarlyRules, or core/early.py's EarlyWork: the rules, then
        compute's pieces): work to do while the adapter still reads, when it reads for long
        enough to wait (the file reader)."""

    def sheet_names(self) -> list[str]:
        """The sheet tabs, in order."""

    def write_refresh(self, cells: Cells, sheets: Sequence[SheetTable]) -> Any:
        """Write computed cells and rebuild generated sheets (core.plan.RefreshPlan's parts)."""

    def append_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> Any:
        """Add rows (schema column keys -> values) below a data table's last row; choices
        shown in the book's language, columns the book lacks left out."""


def row_by_header(book: Book, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row keyed by schema keys, keyed instead by the book's own header texts (either
    language), its choices shown in the book's language; columns the book lacks dropped."""
    t = book.tables[table]
    out = {}
    for key, value in row.items():
        col = t.columns.get(key)
        if col is None:
            continue              # the user removed that column: nothing to write there
        spec = t.spec.column(key)
        if spec.type in (schema.CHOICE, schema.YESNO) and isinstance(value, str):
            value = schema.show_choice(value, book.lang)
        out[t.headers[col - t.first_col]] = value
    return out


def user_cells(book: Book, updates: dict[str, dict[int, dict[str, Any]]]
               ) -> dict[str, dict[tuple[int, int], Any]]:
    """User cells a command may set (SPEC §8; docs/rules.md), {table: {Excel row: {key:
    value}}}, as {sheet: {(row, column): value}} for either writer; choices shown in the
    book's language; columns the book lacks left out."""
    cells: dict[str, dict[tuple[int, int], Any]] = {}
    for table, rows in updates.items():
        t = book.tables[table]
        for row, values in rows.items():
            for key, value in values.items():
                col = t.columns.get(key)
                if col is None:
                    continue
                if t.spec.column(key).type in (schema.CHOICE, schema.YESNO) \
                        and isinstance(value, str):
                    value = schema.show_choice(value, book.lang)
                cells.setdefault(t.sheet, {})[(row, col)] = value
    return cells
