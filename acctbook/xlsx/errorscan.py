"""Excel error values in a workbook file's sheets: calamine gives a cell showing #N/A (or
#DIV/0!, #REF! ...) as "", the same as an empty cell, so the reader (read.py) has this scan
find them in the sheet XML and mark them in the tables it reads (model.ExcelError)."""

from __future__ import annotations

import re
import threading
import zipfile

from acctbook.book.model import ExcelError, RawTable, col_number
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.preread import SHEET_PART, has_error_cells, part_key


# --- Excel error values ----------------------------------------------------------------
# calamine gives a cell showing #N/A (or #DIV/0!, #REF! ...) as "", the same as an empty
# cell. Such a cell has t="e" in the sheet XML, so the sheet parts are searched for that
# (in a thread, beside calamine: preread.has_error_cells) and only a part where it occurs
# is read cell by cell.
_ERROR_CELL = re.compile(rb"<(?:[\w.-]+:)?c(\s(?:[^>]*?\s)?t=[\"']e[\"'][^>]*?)(/?)>")
_CELL_REF = re.compile(rb"\br=[\"']\$?([A-Za-z]{1,3})\$?(\d+)[\"']")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")


def error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """(Excel row, column) -> the error shown (#N/A ...), for every t="e" cell of a sheet."""
    out = {}
    for m in _ERROR_CELL.finditer(xml):
        ref = _CELL_REF.search(m[1])
        if ref is None or m[2]:           # no position, or no value: nothing to show
            continue
        end = _CELL_END.search(xml, m.end())
        value = _VALUE.search(xml, m.end(), end.start() if end else len(xml))
        text = value[1].decode("utf-8", "replace").strip() if value else ""
        if text:
            out[int(ref[2]), col_number(ref[1].decode())] = text
    return out


def _entries(parts: Parts, only) -> list[tuple[str, zipfile.ZipInfo]]:
    """(sheet name, zip entry) of the sheets to scan: those named in `only` in its order
    (None: every sheet, in the book's order)."""
    z = parts.pkg.zf
    infos = {part_key(i): i for i in z.infolist() if SHEET_PART.search(part_key(i))}
    names = list(dict.fromkeys(only)) if only is not None else [n for n, _ in parts.sheets]
    where = {}
    for name, part in parts.sheets:                      # as the writer sees them
        if part and part.lower() in infos:
            where.setdefault(name, infos[part.lower()])
    return [(n, where[n]) for n in names if n in where]


def scan_sheet(parts: Parts, info: zipfile.ZipInfo) -> dict[tuple[int, int], str]:
    """One sheet part's error cells ({} when it has none: the part is only searched)."""
    z = parts.pkg.zf
    ahead = parts.pkg.preread.part(info) if parts.pkg.preread is not None else None
    if ahead is None:
        found = has_error_cells(parts.pkg.data, z, info, parts.sheet_tails)
    else:                   # searched while the program started (preread.py)
        found, tail = ahead
        if tail is not None:
            parts.sheet_tails[part_key(info)] = tail
    return error_cells(z.read(info)) if found else {}


def scan_errors(parts: Parts, only=None) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> its error cells, on the sheets named in `only` (None: every sheet);
    {} when there are none (the usual case) or the package is too odd to tell (calamine
    then decides whether it can be read)."""
    try:
        found = {name: scan_sheet(parts, info) for name, info in _entries(parts, only)}
        return {name: cells for name, cells in found.items() if cells}
    except Exception:   # noqa: BLE001 - the scan only adds detail; calamine reports bad files
        return {}


class ErrorScan:
    """The error scan running in a thread, a sheet at a time in the order the tables are
    read (`only`, a list; None: every sheet); `mark` waits for its own sheet only, so the
    first small tables are not held up while the big sheets are searched."""

    def __init__(self, parts: Parts, only=None):
        self.result: dict[str, dict[tuple[int, int], str]] = {}
        self.done: set[str] = set()
        self.finished = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._run, args=(parts, only), daemon=True)
        self.thread.start()

    def _run(self, parts: Parts, only) -> None:
        try:
            for name, info in _entries(parts, only):
                cells = scan_sheet(parts, info)
                with self.cond:
                    if cells:
                        self.result[name] = cells
                    self.done.add(name)
                    self.cond.notify_all()
        except Exception:   # noqa: BLE001 - the scan only adds detail (scan_errors)
            pass
        finally:
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def _errors(self, sheet: str) -> dict[tuple[int, int], str]:
        """The sheet's error cells, once scanned (or the scan ended)."""
        with self.cond:
            while sheet not in self.done and not self.finished:
                self.cond.wait()
            return self.result.get(sheet, {})

    def clean(self, sheet: str) -> bool:
        """Whether the sheet is searched already and holds no error cell (without waiting)."""
        with self.cond:
            return sheet in self.done and sheet not in self.result

    def in_table(self, raw: RawTable) -> bool:
        """Whether an error cell lies in a table handed over as columns (RawTable.columns),
        which have no place for one: such a table is read again as rows."""
        last_row = raw.header_row + raw.columns.length
        last_col = raw.first_col + len(raw.headers) - 1
        return any(raw.header_row < row <= last_row and raw.first_col <= col <= last_col
                   for row, col in self._errors(raw.sheet))

    def mark(self, raw: RawTable) -> RawTable:
        if raw.chunks is not None:
            raw.chunks = self._marked_chunks(raw, raw.chunks)
            return raw
        errors = self._errors(raw.sheet)
        for (row, col), text in errors.items():
            i, j = row - raw.header_row - 1, col - raw.first_col
            if 0 <= i < len(raw.rows) and 0 <= j < len(raw.rows[i]):
                raw.rows[i][j] = ExcelError(text)
        self._mark_below(raw, errors)
        return raw

    def _mark_below(self, raw: RawTable, errors) -> None:
        for (row, col), text in errors.items():
            j, k = col - raw.first_col, row - raw.below_start
            if raw.below and 0 <= k < len(raw.below) and 0 <= j < len(raw.below[k]):
                raw.below[k][j] = ExcelError(text)

    def _marked_chunks(self, raw: RawTable, chunks):
        """A streamed table's chunks, each marked as it passes; the rows below at the end."""
        errors = self._errors(raw.sheet)
        by_row: dict[int, list[tuple[int, str]]] = {}
        for (row, col), text in errors.items():
            by_row.setdefault(row, []).append((col - raw.first_col, text))
        first = raw.header_row + 1
        for chunk in chunks:
            for i in range(len(chunk)) if by_row else ():
                for j, text in by_row.get(first + i, ()):
                    if 0 <= j < len(chunk[i]):
                        chunk[i][j] = ExcelError(text)
            first += len(chunk)
            yield chunk
        self._mark_below(raw, errors)
