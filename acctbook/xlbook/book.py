"""The xlwings adapter: an open workbook (`xlwings.Book`) in, RawTables out; results back in.

Works on desktop Excel (COM/AppleScript), in xlwings Lite (Pyodide) and on xlwings'
remote engine (`xw.Book(json=...)`, the tests). It imports neither xlwings nor any
compiled-only package: it only calls methods on the book it is given, so the core
stays importable under Pyodide.

Writes are batched the way Excel likes them: one value write per contiguous run of a
computed column (not per cell), one per generated table body, then a table resize.
What to write comes from acctbook.core.plan, exactly as for the headless refresh.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from acctbook.book import bidi, history, schema
from acctbook.book.adapter import Cells
from acctbook.book.coerce import load_book
from acctbook.book.i18n import said as error
from acctbook.book.i18n import tr
from acctbook.book.model import (ERROR, Book, ExcelError, LoadedTable, NotAnAcctbook, Problem,
                                 RawTable, Refused, SheetTable)
from acctbook.core import plan
from acctbook.book.schema import (DEAL_LABEL, DEAL_NAME, DEAL_ROW,  # noqa: F401 - xb.DEAL_ROW
                                  REPORT_MONTH_LABEL, REPORT_MONTH_ROW)


# --- reading -------------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    """A cell as calamine would give it: floats for numbers, None for empty."""
    if v is None or (isinstance(v, str) and v == ""):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, str) and len(v) >= 20 and v.endswith("Z") and v[4:5] == "-" and v[10:11] == "T":
        # The remote engine sends dates as ISO text ("2026-03-01T00:00:00.000Z"); a date
        # cell is a date, not "a date typed as text" (load.py would warn about that).
        try:
            d = dt.datetime.fromisoformat(v[:-1])
            return d.date() if d.time() == dt.time() else d
        except ValueError:
            return v
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    return v


EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def _rows(rng) -> list[list[Any]]:
    if rng is None:
        return []
    # err_to_str: an error cell arrives as "#N/A", not None, and is reported as the file
    # reader reports it (model.ExcelError), never read as a blank.
    values = rng.options(ndim=2, err_to_str=True).value
    return [[_cell(v) for v in row] for row in values]


def _cell(v: Any) -> Any:
    """_plain, an error cell an ExcelError; the usual text and number cells the short way
    (a 500-client book is a quarter of a million cells: the Refresh button's time)."""
    kind = v.__class__
    if kind is str:
        if v and v not in EXCEL_ERRORS and not (len(v) >= 20 and v[-1] == "Z"):
            return v
        if v in EXCEL_ERRORS:
            return ExcelError(v)
    elif kind is float:
        return v
    return _plain(v)


def read_tables(xbook, names: Iterable[str] | None = None) -> dict[str, RawTable]:
    """Every acctbook table in the open workbook, by table name (case-insensitive)."""
    wanted = {n.casefold(): n for n in (names or schema.TABLES)}
    found: dict[str, RawTable] = {}
    for sheet in xbook.sheets:
        for table in sheet.tables:
            canon = wanted.get(table.name.casefold())
            if canon is None or canon in found:
                continue
            whole = table.range
            header = table.header_row_range
            headers = [("" if h is None else str(h)) for h in
                       (_rows(header)[0] if header is not None else [])]
            found[canon] = RawTable(canon, sheet.name, whole.row, whole.column, headers,
                                    _rows(table.data_body_range))
    return found


def load(xbook) -> Book:
    """The open workbook, typed (load.load_book over the tables read through xlwings)."""
    return load_book(read_tables(xbook), _book_name(xbook))


def _book_name(xbook) -> str:
    try:
        return xbook.name
    except Exception:   # pragma: no cover - an engine without book names
        return "workbook"


# --- values as Excel takes them ---------------------------------------------------------------
def excel_value(v: Any) -> Any:
    """A Python value ready for Range.value: text always stays text.

    Excel turns typed text into numbers, dates or formulas ('0501' -> 501, '=1+1' -> 2); a
    leading apostrophe makes it plain text, as typing it would (a cell value is never
    executed: README, templates). Blanks are None, dates stay dates.
    """
    if v is None:
        return None
    if isinstance(v, str):
        return "'" + v if v else None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):     # numpy scalars
        return excel_value(v.item())
    return v


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers -> (first, last) of each contiguous run."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def write_cells(xbook, cells: dict[str, dict[tuple[int, int], Any]]) -> int:
    """Write {sheet: {(row, col): value}} as one value write per contiguous column run.

    Returns how many writes were made."""
    writes = 0
    for sheet_name, sheet_cells in cells.items():
        if not sheet_cells:
            continue
        sheet = xbook.sheets[sheet_name]
        by_col: dict[int, dict[int, Any]] = {}
        for (r, c), v in sheet_cells.items():
            by_col.setdefault(c, {})[r] = v
        for c, col in sorted(by_col.items()):
            for first, last in _runs(sorted(col)):
                sheet.range((first, c), (last, c)).value = [
                    [excel_value(col[r])] for r in range(first, last + 1)]
                writes += 1
    return writes


# --- generated sheets (the same SheetTable values the zip writer takes) -----------------------
def _find_table(xbook, sheet_name: str, table_name: str, header: list[str] | None = None,
                also: tuple[str, ...] = (), at: tuple[Any, int] | None = None):
    """The table on its sheet, else wherever it sits (the user renamed the tab). A missing
    generated table (`header` given) is made again on its sheet, as the headless refresh
    rebuilds it: at A1 of a sheet holding no table but those named in `also` (the table
    beside it), or, `at` = (sheet, column), in row 1 of that column (the table beside)."""
    names = [s.name for s in xbook.sheets]
    for name in ([sheet_name] if sheet_name in names else []) + names:
        sheet = xbook.sheets[name]
        for t in sheet.tables:
            if t.name.casefold() == table_name.casefold():
                return sheet, t
    if header is None:
        raise error(NotAnAcctbook, tr("en", "the workbook has no table named {table} (acctbook "
                                            "keeps it on the sheet '{sheet}')"),
                    table=table_name, sheet=sheet_name)
    if at is not None:
        sheet, col = at
        corner = sheet.range((1, col), (2, col + len(header) - 1))
        corner.value = [[excel_value(h) for h in header], [None] * len(header)]
        return sheet, sheet.tables.add(source=corner, name=table_name)
    if sheet_name in names:
        sheet = xbook.sheets[sheet_name]
        allowed = {n.casefold() for n in also}
        if any(t.name.casefold() not in allowed for t in sheet.tables):
            raise error(NotAnAcctbook, tr("en", "sheet '{sheet}' holds other tables; acctbook "
                                                "needs it for its {table} table: rename that "
                                                "sheet"), sheet=sheet_name, table=table_name)
        if not sheet.tables:
            sheet.clear_contents()
    else:
        sheet = xbook.sheets.add(name=sheet_name, after=xbook.sheets[len(names) - 1])
    corner = sheet.range((1, 1), (2, len(header)))
    corner.value = [[excel_value(h) for h in header], [None] * len(header)]
    return sheet, sheet.tables.add(source=corner, name=table_name)


def _home(xbook, lang: str):
    """Home, or None when the user removed or renamed it (its figures are then skipped,
    as in the headless refresh)."""
    name = schema.generated_sheet("Home", lang)
    return xbook.sheets[name] if name in [s.name for s in xbook.sheets] else None


def _placed(xbook, st: SheetTable) -> list[tuple[Any, Any, SheetTable]]:
    """(sheet, table, its SheetTable) of a generated sheet's table and of the table beside
    it (st.beside), each found, or made where the file writer puts it."""
    also = (st.beside.table,) if st.beside is not None else ()
    sheet, table = _find_table(xbook, st.sheet, st.table, st.header, also=also)
    out = [(sheet, table, st)]
    if st.beside is not None:
        b = st.beside
        side = _find_table(xbook, sheet.name, b.table, b.header, at=(sheet, st.beside_col))
        out.append((*side, b))
    return out


def write_table(xbook, st: SheetTable) -> None:
    """Replace a generated table's body with `st.rows` and resize the table to fit; the
    same for the table beside it, if any. Cells Excel adds take their column's style, which
    the file writer set (aligned, reading order); text is marked for a right-to-left sheet
    as the file writer marks it (book/bidi.py)."""
    for sheet, table, t in _placed(xbook, st):
        _fill(sheet, table, t)


def _fill(sheet, table, st: SheetTable) -> None:
    """One table's header (when it differs), body, size, number formats and links."""
    rows = bidi.rtl_rows(st.rows) if st.rtl else st.rows
    top, left = table.range.row, table.range.column
    width = len(st.header)
    if table.header_row_range is not None:
        current = _rows(table.header_row_range)
        if not current or [("" if h is None else str(h)) for h in current[0]] != st.header:
            sheet.range((top, left)).value = [[excel_value(h) for h in st.header]]
    if table.data_body_range is not None:
        table.data_body_range.clear_contents()
    if rows:
        sheet.range((top + 1, left), (top + len(rows), left + width - 1)).value = [
            [excel_value(v) for v in row] for row in rows]
    table.resize(sheet.range((top, left), (top + max(len(st.rows), 1), left + width - 1)))
    if st.rows and st.formats:
        for j, fmt in enumerate(st.formats):
            if fmt:
                sheet.range((top + 1, left + j), (top + len(st.rows), left + j)).number_format = fmt
    for (i, j), target in sorted(st.links.items()):
        shown = rows[i][j]
        sheet.range((top + 1 + i, left + j)).add_hyperlink(
            "#" + target, text_to_display=None if shown is None else str(shown))


def select_sheet(xbook, name: str, table: str | None = None) -> None:
    (_find_table(xbook, name, table)[0] if table else xbook.sheets[name]).activate()


# --- the whole refresh ---------------------------------------------------------------------------
@dataclass
class Written:
    """What a button wrote: counts a caller can show or a test can check."""
    problems: list[Problem]
    results: Any = None
    cell_writes: int = 0
    today_rows: int = 0
    changes: int = 0           # computed cells whose value changed (as refresh --dry-run counts)


class OpenWorkbook:
    """The workbook open in Excel behind book.adapter.Workbook, the interface the file
    adapter (acctbook.xlsx.file.WorkbookFile) gives too."""

    def __init__(self, xbook):
        self.xbook = xbook
        self._book: Book | None = None

    def read_book(self, adopt_rows: bool = False, tables=None, meanwhile=None) -> Book:
        # `tables` is not used: Excel hands over what the script asked for (excel.py exclude=);
        # nor `meanwhile`: the values are here already, nothing is waited for
        if adopt_rows:      # in Excel, Tab in a table's last cell grows it: no flag needed
            raise error(Refused, tr("en", "rows below a table are taken in by the command "
                                          "line only: acctbook refresh --adopt-rows"))
        if self._book is None:
            self._book = load(self.xbook)
        return self._book

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.xbook.sheets]

    def write_refresh(self, cells: Cells, sheets: Sequence[SheetTable]) -> int:
        """The cells, then each generated table; every table is found (or made) first, so a
        refusal comes before any write. Returns the number of cell-range writes."""
        for st in sheets:
            _placed(self.xbook, st)
        writes = write_cells(self.xbook, cells)
        for st in sheets:
            write_table(self.xbook, st)
        return writes

    def append_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        book = self.read_book()
        return [append_row(self.xbook, book.tables[table], r, book.lang) for r in rows]


def write_refresh(xbook, book: Book, results, problems: list[Problem]) -> Written:
    """The headless refresh's cells and sheets (core.plan decides them), through xlwings."""
    with_home = _home(xbook, book.lang) is not None
    to_write = plan.plan_refresh(book, problems, results, with_home)
    writes = OpenWorkbook(xbook).write_refresh(to_write.cells, to_write.sheets)
    if problems:
        select_sheet(xbook, schema.PROBLEMS.sheet(book.lang), schema.PROBLEMS.name)
    return Written(problems, results, writes, len(results.queue), len(to_write.changes))


def write_problems(xbook, book: Book, problems: list[Problem]) -> Written:
    """Check alone: the Problems sheet and Home's error and warning counts, nothing computed."""
    import pandas as pd

    empty = _NoResults(
        queue=pd.DataFrame(columns=[c.key for c in schema.TODAY.columns] + ["client_row"]),
        rankings=pd.DataFrame(columns=[c.key for c in schema.RANKINGS.columns] + ["client_row"]),
        segments=pd.DataFrame(), regions=pd.DataFrame(),
        loyalty=pd.DataFrame(columns=[c.key for c in schema.LOYALTY_BALANCES.columns]
                             + ["client_row"]))
    probs = plan.generated_sheets(book, empty, problems)[-1]
    write_table(xbook, probs)
    errors = sum(p.severity == ERROR for p in problems)
    keys = [k for k, _en, _he in schema.HOME_KPIS]
    home = _home(xbook, book.lang)
    writes = 0 if home is None else write_cells(xbook, {home.name: {
        (schema.HOME_FIRST_ROW + keys.index("errors"), 2): errors,
        (schema.HOME_FIRST_ROW + keys.index("warnings"), 2): len(problems) - errors}})
    if problems:
        select_sheet(xbook, schema.PROBLEMS.sheet(book.lang), schema.PROBLEMS.name)
    return Written(problems, None, writes, 0)


@dataclass
class _NoResults:
    queue: Any
    rankings: Any
    segments: Any
    regions: Any
    loyalty: Any


# --- one row appended to a data table (the Contract button's register row) -------------------------
def append_target(xbook, table: LoadedTable) -> tuple[Any, Any, int, int]:
    """(sheet, table, Excel row where a new row goes, the table's last row now): the first
    blank row of the table, else the row below it, which must be empty, as `acctbook
    contract` requires."""
    sheet, xtable = _find_table(xbook, table.sheet, table.spec.name)
    top, left = xtable.range.row, xtable.range.column
    existing = _rows(xtable.data_body_range)
    used = [i for i, row in enumerate(existing) if any(v not in (None, "") for v in row)]
    row = top + 1 + (used[-1] + 1 if used else 0)
    if row > top + len(existing):               # below the table: never over the user's data
        width = len(table.headers)
        below = _rows(sheet.range((row, left), (row, left + width - 1)))
        if any(v is not None for line in below for v in line):
            raise error(Refused, tr("en", "cannot add a row to table {table}: row {row} below "
                                          "it on '{sheet}' holds data; move that data away and "
                                          "try again"),
                        table=table.spec.name, row=row, sheet=sheet.name)
    return sheet, xtable, row, top + len(existing)


def append_row(xbook, table: LoadedTable, values: dict[str, Any], lang: str) -> int:
    """Add a row (schema keys -> values) below the table's last row; returns its Excel row."""
    sheet, xtable, row, end = append_target(xbook, table)
    top, left = xtable.range.row, xtable.range.column
    width = len(table.headers)
    line = [None] * width
    for key, v in values.items():
        col = table.columns.get(key)
        if col is None:
            continue
        spec = table.spec.column(key)
        if spec.type in (schema.CHOICE, schema.YESNO) and isinstance(v, str):
            v = schema.show_choice(v, lang)
        line[col - left] = v
    sheet.range((row, left), (row, left + width - 1)).value = [[excel_value(v) for v in line]]
    last = max(row, end)
    xtable.resize(sheet.range((top, left), (last, left + width - 1)))
    return row


# --- the History log (book/history.py): a row appended, the oldest dropped past the cap ---------
def append_history(xbook, row: dict[str, Any], lang: str, keep: int = schema.HISTORY_KEEP) -> int:
    """Append a History row to the open workbook's History table (made on its sheet when
    missing, as the file writer adds it); past `keep` rows the oldest are dropped. Returns
    the Excel row written."""
    spec = schema.HISTORY
    sheet, table = _find_table(xbook, spec.sheet(lang), spec.name, history.headers(lang))
    top, left = table.range.row, table.range.column
    names = [("" if h is None else str(h)) for h in _rows(table.header_row_range)[0]]
    body = [r for r in _rows(table.data_body_range) if any(v is not None for v in r)]
    new = [excel_value(v) for v in history.sheet_values(row, names, lang)]
    if lang == "he":
        new = bidi.rtl_rows([new])[0]
    kept = body[max(0, len(body) - keep + 1):]
    if len(kept) == len(body):                         # under the cap: one row below the rest
        first, lines = top + 1 + len(body), [new]
    else:                                              # the oldest dropped: the body rewritten
        first, lines = top + 1, [[excel_value(v) for v in r] for r in kept] + [new]
        table.data_body_range.clear_contents()
    last = first + len(lines) - 1
    sheet.range((first, left), (last, left + len(names) - 1)).value = lines
    table.resize(sheet.range((top, left), (last, left + len(names) - 1)))
    for j, h in enumerate(names):
        if schema.header_index(spec).get(schema.fold(h)) == "when":
            sheet.range((first, left + j), (last, left + j)).number_format = \
                spec.column("when").number_format
    return last


# --- Home's inputs -------------------------------------------------------------------------------
def home_value(xbook, lang: str, row: int, col: int = 2) -> Any:
    sheet = _home(xbook, lang)
    return None if sheet is None else _plain(sheet.range((row, col)).value)


def named_value(xbook, name: str, lang: str, row: int, col: int = 2) -> Any:
    """A Home input by its workbook name (it follows the cell when rows move); a book made
    before the name existed: the cell at its place on Home."""
    try:
        rng = xbook.names[name].refers_to_range
    except Exception:       # no such name (desktop and remote engines raise differently)
        return home_value(xbook, lang, row, col)
    return _plain(rng.value)


def selected_row(xbook) -> tuple[str, int] | None:
    """(sheet name, Excel row) of the current selection's first cell, if any."""
    try:
        sel = xbook.selection
    except Exception:
        return None
    if sel is None:
        return None
    return sel.sheet.name, sel.row


def write_report_sheet(book, desc: dict, formats: dict[str, str]):
    """The report sheet's cells through xlwings: one value write, formats by column runs.
    Returns the sheet; add_report_charts() draws its charts."""
    names = [s.name for s in book.sheets]
    if desc["name"] in names:
        sheet = book.sheets[desc["name"]]
        sheet.clear_contents()
    else:
        sheet = book.sheets.add(name=desc["name"], after=book.sheets[len(names) - 1])
    cells = desc["cells"]
    if not cells:
        return sheet
    nrows = max(c["row"] for c in cells) + 1
    ncols = max(c["col"] for c in cells) + 1
    grid: list[list[Any]] = [[None] * ncols for _ in range(nrows)]
    for c in cells:
        grid[c["row"]][c["col"]] = c["value"]
    sheet.range((1, 1), (nrows, ncols)).value = [[excel_value(v) for v in row]
                                                 for row in grid]
    kinds: dict[tuple[int, str], list[int]] = {}
    for c in cells:
        if c["kind"] in formats and c["value"] is not None:
            kinds.setdefault((c["col"], c["kind"]), []).append(c["row"])
    for (col, kind), rows in sorted(kinds.items()):
        for first, last in _runs(sorted(rows)):
            sheet.range((first + 1, col + 1), (last + 1, col + 1)).number_format = formats[kind]
    sheet.activate()
    return sheet
