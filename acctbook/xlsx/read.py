"""Reading a workbook file: python-calamine finds the tables by name (the fast path).

This adapter only turns a file into RawTables; typing and checks live in acctbook.book
(coerce, rules), which also serve the xlwings adapter. python-calamine is imported only
when a file is read, so the package stays importable where it is absent (xlwings Lite).
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from pathlib import Path

from acctbook.book import schema
from acctbook.book.coerce import load_book
from acctbook.book.model import Book, BookUnreadable, ExcelError, RawTable, col_number
from acctbook.xlsx.package import check_file



# Above this file size tables are read by two threads, each with its own workbook:
# calamine parses a sheet without holding the GIL, so the two big sheets overlap, and
# the caller types the tables already read meanwhile.
PARALLEL_ABOVE = 2_000_000


def _calamine_failure(e: BaseException) -> bool:
    """An exception from calamine that means "this file cannot be read": its own errors,
    and the Rust panics it lets through (pyo3's PanicException derives from
    BaseException, not Exception). KeyboardInterrupt and SystemExit are neither."""
    return isinstance(e, Exception) or type(e).__name__ == "PanicException"


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


# --- Excel error values ----------------------------------------------------------------
# calamine gives a cell showing #N/A (or #DIV/0!, #REF! ...) as "", the same as an empty
# cell. Such a cell has t="e" in the sheet XML, so the sheet parts are searched for that
# (in a thread, beside calamine) and only a part where it occurs is read cell by cell.
_ERROR_MARK = (b't="e"', b"t='e'")
_ERROR_CELL = re.compile(rb"<(?:[\w.-]+:)?c(\s(?:[^>]*?\s)?t=[\"']e[\"'][^>]*?)(/?)>")
_CELL_REF = re.compile(rb"\br=[\"']\$?([A-Za-z]{1,3})\$?(\d+)[\"']")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_SHEET_PART = re.compile(r"worksheets/[^/]+\.xml$", re.I)


def _has_error_cells(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with z.open(info) as fh:
        while chunk := fh.read(1 << 20):
            edge = tail + chunk[:8]
            if any(m in chunk or m in edge for m in _ERROR_MARK):
                return True
            tail = chunk[-8:]
    return False


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
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


def _scan_errors(p: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> its error cells; {} when there are none (the usual case) or the
    package is too odd to tell (calamine then decides whether it can be read)."""
    try:
        with zipfile.ZipFile(p) as z:
            found = {i.filename.replace("\\", "/").lower(): _error_cells(z.read(i))
                     for i in z.infolist()
                     if _SHEET_PART.search(i.filename.replace("\\", "/"))
                     and _has_error_cells(z, i)}
        found = {part: cells for part, cells in found.items() if cells}
        if not found:
            return {}
        from acctbook.xlsx.patch import sheet_parts          # sheet name -> part, as the writer sees it
        return {name: found[part.lower()] for name, part in sheet_parts(p)
                if part and part.lower() in found}
    except Exception:   # noqa: BLE001 - the scan only adds detail; calamine reports bad files
        return {}


class _ErrorScan:
    """The error scan running in a thread; `mark` waits for it and puts the errors in."""

    def __init__(self, p: Path):
        self.result: dict[str, dict[tuple[int, int], str]] = {}
        self.thread = threading.Thread(target=self._run, args=(p,), daemon=True)
        self.thread.start()

    def _run(self, p: Path) -> None:
        self.result = _scan_errors(p)

    def mark(self, raw: RawTable) -> RawTable:
        self.thread.join()
        for (row, col), text in self.result.get(raw.sheet, {}).items():
            i, j = row - raw.header_row - 1, col - raw.first_col
            if 0 <= i < len(raw.rows) and 0 <= j < len(raw.rows[i]):
                raw.rows[i][j] = ExcelError(text)
        return raw


def _read_one(wb, tname: str) -> tuple:
    """(sheet, header row, first column, headers, rows) of one table."""
    t = wb.get_table_by_name(tname)
    # calamine's `start` is the first data row (0-based), i.e. the header's Excel row
    return t.sheet, t.start[0], t.start[1] + 1, [str(c) for c in t.columns], t.to_python()


def open_tables(path: str | os.PathLike, names=None, first=()):
    """(the acctbook tables in the file, in its order; an iterator of (name, RawTable)
    in the order they are read). `first` names the tables to read before the others."""
    p = check_file(path)
    try:
        import python_calamine as pc
    except ImportError:  # pragma: no cover - only where calamine is absent
        raise BookUnreadable("reading files needs python-calamine: pip install python-calamine")
    wanted = {n.casefold(): n for n in (names or schema.TABLES)}
    try:
        wb = pc.CalamineWorkbook.from_path(str(p), load_tables=True)
        last = {wanted[t.casefold()]: t for t in wb.table_names if t.casefold() in wanted}
    except BaseException as e:  # calamine raises its own types for broken XML/zip parts
        if not _calamine_failure(e):
            raise
        raise _unreadable(p, e) from None
    rank = {n: i for i, n in enumerate(first)}
    todo = sorted(last.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    scan = _ErrorScan(p)
    if os.path.getsize(p) >= PARALLEL_ABOVE and len(todo) > 1:
        stream = _read_parallel(pc, p, wb, todo)
    else:
        stream = _read_serial(p, wb, todo)
    return list(last), _marked(stream, scan)


def _marked(stream, scan: "_ErrorScan"):
    try:
        for canon, raw in stream:
            yield canon, scan.mark(raw)
    finally:
        stream.close()


def _unreadable(p, e: BaseException) -> BookUnreadable:
    if isinstance(e, BookUnreadable):
        return e
    return BookUnreadable(f"{p}: cannot read workbook ({type(e).__name__}: {_one_line(e)})")


def _read_serial(p, wb, todo):
    try:
        for canon, tname in todo:
            try:
                parts = _read_one(wb, tname)
            except BaseException as e:
                if not _calamine_failure(e):
                    raise
                raise _unreadable(p, e) from None
            yield canon, RawTable(canon, *parts)
    finally:
        wb.close()


def _read_parallel(pc, p, wb, todo):
    """Two threads take the next table left; results come back as they are done."""
    import queue
    done: queue.Queue = queue.Queue()
    pending = iter(range(len(todo)))
    lock = threading.Lock()
    stop = threading.Event()

    def work(book):
        try:
            while not stop.is_set():
                with lock:
                    i = next(pending, None)
                if i is None:
                    return
                done.put((i, _read_one(book, todo[i][1]), None))
        except BaseException as e:   # re-raised in the reading thread
            done.put((None, None, e))
        finally:
            book.close()

    try:
        other = pc.CalamineWorkbook.from_path(str(p), load_tables=True)
    except BaseException as e:
        wb.close()
        if not _calamine_failure(e):
            raise
        raise _unreadable(p, e) from None
    threads = [threading.Thread(target=work, args=(b,), daemon=True) for b in (wb, other)]
    for t in threads:
        t.start()
    try:
        for _ in range(len(todo)):
            i, parts, error = done.get()
            if error is not None:
                raise _unreadable(p, error) from None
            canon = todo[i][0]
            yield canon, RawTable(canon, *parts)
    finally:
        stop.set()
        for t in threads:
            t.join()


def read_tables(path: str | os.PathLike, names=None) -> dict[str, RawTable]:
    """Every acctbook table found in the file, by table name (case-insensitive)."""
    order, stream = open_tables(path, names)
    got = dict(stream)
    return {n: got[n] for n in order}


def read_book(path) -> Book:
    """Read and type a workbook file."""
    return load_book(read_tables(path), str(path))
