"""Reading a workbook file: python-calamine finds the tables by name (the fast path).

This adapter only turns a file into RawTables; typing and checks live in acctbook.book
(coerce, rules), which also serve the xlwings adapter. python-calamine is imported only
when a file is read, so the package stays importable where it is absent (xlwings Lite).

The file is read once (package.Package.open, the same check the writer makes): calamine
reads the bytes already in memory, the error scan the same zip, the sheet names come from
the same parts. Every function takes a path or a workbook already opened (parts.Parts).
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile

from acctbook.book import schema
from acctbook.book.coerce import load_book
from acctbook.book.i18n import tr
from acctbook.book.model import Book, BookUnreadable, ExcelError, RawTable, col_number
from acctbook.xlsx.errors import error
from acctbook.xlsx.package import refuse_strict
from acctbook.xlsx.parts import Parts


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


def _has_error_cells(z: zipfile.ZipFile, info: zipfile.ZipInfo,
                     tails: dict[str, bytes] | None = None) -> bool:
    """Whether the part has an error cell; a part read to its end leaves its last bytes
    (1-2 MiB, where its validation follows sheetData) in `tails` for the writer
    (validation.extend_rules), which then need not inflate it again."""
    tail = last = prev = b""
    with z.open(info) as fh:
        while chunk := fh.read(1 << 20):
            edge = tail + chunk[:8]
            if any(m in chunk or m in edge for m in _ERROR_MARK):
                return True
            tail = chunk[-8:]
            prev, last = last, chunk
    if tails is not None:
        tails[info.filename.replace("\\", "/").lower()] = prev + last
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


def _scan_errors(parts: Parts) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> its error cells; {} when there are none (the usual case) or the
    package is too odd to tell (calamine then decides whether it can be read)."""
    try:
        z = parts.pkg.zf
        found = {i.filename.replace("\\", "/").lower(): _error_cells(z.read(i))
                 for i in z.infolist()
                 if _SHEET_PART.search(i.filename.replace("\\", "/"))
                 and _has_error_cells(z, i, parts.sheet_tails)}
        found = {part: cells for part, cells in found.items() if cells}
        if not found:
            return {}
        return {name: found[part.lower()] for name, part in parts.sheets   # as the writer sees them
                if part and part.lower() in found}
    except Exception:   # noqa: BLE001 - the scan only adds detail; calamine reports bad files
        return {}


class _ErrorScan:
    """The error scan running in a thread; `mark` waits for it and puts the errors in."""

    def __init__(self, parts: Parts):
        self.result: dict[str, dict[tuple[int, int], str]] = {}
        self.thread = threading.Thread(target=self._run, args=(parts,), daemon=True)
        self.thread.start()

    def _run(self, parts: Parts) -> None:
        self.result = _scan_errors(parts)

    def mark(self, raw: RawTable) -> RawTable:
        self.thread.join()
        for (row, col), text in self.result.get(raw.sheet, {}).items():
            i, j = row - raw.header_row - 1, col - raw.first_col
            if 0 <= i < len(raw.rows) and 0 <= j < len(raw.rows[i]):
                raw.rows[i][j] = ExcelError(text)
            k = row - raw.below_start
            if raw.below and 0 <= k < len(raw.below) and 0 <= j < len(raw.below[k]):
                raw.below[k][j] = ExcelError(text)
        return raw


def _read_table(wb, tname: str, tall: "_Tall | None", spot: "_Below | None" = None) -> tuple:
    """_read_one, or _read_tall for a table whose ref reaches far below its data; then
    the rows typed just below it (_read_below), and the first of their Excel rows."""
    parts = _read_one(wb, tname) if tall is None else _read_tall(wb, tall)
    if spot is None:
        return (*parts, [], 0)
    return (*parts, _read_below(wb, spot), spot.r2 + 1)


def _read_one(wb, tname: str) -> tuple:
    """(sheet, header row, first column, headers, rows) of one table."""
    t = wb.get_table_by_name(tname)
    # calamine's `start` is the first data row (0-based), i.e. the header's Excel row
    return t.sheet, t.start[0], t.start[1] + 1, [str(c) for c in t.columns], t.to_python()


# --- tables whose ref runs far below the data ----------------------------------------
# A user who selects whole columns before "Format as Table" makes a table B3:AH1048576.
# calamine's get_table_by_name builds every cell of the ref (a million rows: seconds and
# gigabytes), so such a table is cut from the sheet's own range instead, which holds only
# the cells that exist; rows past the last one are empty and are left out. The sheet's
# <dimension> (the first bytes of its part) tells which tables reach below their data.
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_DIMENSION_END = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")
_RANGE_END = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
# A table this tall is read from the sheet when the sheet part states no dimension.
TALL_WITHOUT_DIMENSION = 65_536


class _Tall:
    """Where a tall table lies: its sheet, header row and first column, headers and the
    Excel rows and columns its ref claims."""

    def __init__(self, sheet: str, r1: int, c1: int, r2: int, c2: int, headers: list[str]):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self.headers = headers


def _corner(text: str) -> tuple[int, int] | None:
    m = _RANGE_END.match(text.strip())
    return (int(m[2]), col_number(m[1].upper())) if m else None


def _last_row(parts: Parts, part: str) -> int | None:
    """The last row of the sheet's <dimension ref>, read from the part's first bytes."""
    z = parts.pkg.zf
    name = parts.pkg.name(part)
    if name is None:
        return None
    head = b""
    with z.open(name) as fh:
        while len(head) < (1 << 20):
            chunk = fh.read(1 << 14)
            if not chunk:
                break
            head += chunk
            m = _DIMENSION.search(head)
            if m:
                end = _corner(m[1].decode("ascii", "replace").split(":")[-1])
                return end[0] if end else None
            if _DIMENSION_END.search(head):
                return None
    return None



def _sheet_tables(parts: Parts, part: str):
    """(table part's root, first corner, last corner) of each table on a sheet part whose
    ref reads as two cells."""
    for _, ty, target, _ in parts.rels(part):
        if not ty.endswith("/table") or not parts.pkg.name(target):
            continue
        root = parts.tree(target).getroot()
        ref = (root.get("ref") or "").split(":")
        first, end = _corner(ref[0]), _corner(ref[-1])
        if first is not None and end is not None:
            yield root, first, end

def _tall_tables(parts: Parts) -> dict[str, _Tall]:
    """Table name (casefolded) -> _Tall, for every table reaching below its sheet's data.
    {} when the package is too odd to tell (calamine then reads the tables its own way)."""
    out: dict[str, _Tall] = {}
    try:
        for sheet, part in parts.sheets:
            if part is None:
                continue
            last: list = []               # the sheet's last row, read once when needed
            for root, first, end in _sheet_tables(parts, part):
                if end[0] <= first[0]:
                    continue
                if not last:
                    last.append(_last_row(parts, part))
                limit = last[0] if last[0] is not None else first[0] + TALL_WITHOUT_DIMENSION
                if end[0] <= limit:
                    continue
                heads = [c.get("name") or "" for c in root.iter()
                         if isinstance(c.tag, str) and c.tag.endswith("}tableColumn")]
                if len(heads) != end[1] - first[1] + 1:
                    continue
                tall = _Tall(sheet, first[0], first[1], end[0], end[1], heads)
                for key in {root.get("name"), root.get("displayName")} - {None}:
                    out[key.casefold()] = tall
    except Exception:   # noqa: BLE001 - only a shortcut; calamine reads what this cannot
        return {}
    return out


def _read_tall(wb, tall: _Tall) -> tuple:
    """The table cut from its sheet's range: rows down to the sheet's last one only."""
    s = wb.get_sheet_by_name(tall.sheet)
    start = s.start if s.height else None
    grid = s.to_python() if start is not None else []      # from `start` on, not from A1
    r0, k0 = (start[0] + 1, start[1] + 1) if start is not None else (1, 1)
    last = min(tall.r2, r0 + len(grid) - 1)
    width = tall.c2 - tall.c1 + 1
    a, b = tall.c1 - k0, tall.c2 - k0 + 1          # the table's columns in the grid's rows
    pad_left = max(0, -a)
    rows = []
    for r in range(tall.r1 + 1, last + 1):
        i = r - r0
        if i < 0:
            rows.append([""] * width)
            continue
        line = grid[i][max(a, 0):max(b, 0)]
        rows.append([""] * pad_left + line + [""] * (width - pad_left - len(line)))
    if not rows:
        rows = [[""] * width]       # like calamine: a table keeps its one (empty) data row
    return tall.sheet, tall.r1, tall.c1, list(tall.headers), rows


# --- rows typed just below a table ----------------------------------------------------
# A row typed under a table (not with Tab in its last cell) stays outside it, and a reader
# by table name never sees it. The sheet's <dimension> tells when anything lies below a
# table's last row (usually nothing does: no cost); only then is the sheet's range read
# once, and the consecutive non-empty rows right below the table, within its columns, are
# kept beside the table (RawTable.below) for check's warning and refresh --adopt-rows.
MAX_BELOW = 1_000


class _Below:
    """Where to look below a table: its sheet, last row and columns, and the last row to
    look at (MAX_BELOW rows down, or above another table on the sheet in those columns)."""

    def __init__(self, sheet: str, r2: int, c1: int, c2: int, limit: int):
        self.sheet, self.r2, self.c1, self.c2, self.limit = sheet, r2, c1, c2, limit


def _below_spots(parts: Parts) -> dict[str, _Below]:
    """Table name (casefolded) -> _Below, for every table with cells below it on its sheet
    (as the sheet's dimension tells, or when it tells nothing). {} when the package is too
    odd to tell: then nothing is looked for."""
    out: dict[str, _Below] = {}
    try:
        for sheet, part in parts.sheets:
            if part is None:
                continue
            boxes = list(_sheet_tables(parts, part))
            if not boxes:
                continue
            last = _last_row(parts, part)
            for root, (r1, c1), (r2, c2) in boxes:
                if last is not None and last <= r2:
                    continue              # nothing on the sheet below this table
                limit = r2 + MAX_BELOW
                for _, (a1, b1), (_, b2) in boxes:
                    if a1 > r2 and b1 <= c2 and c1 <= b2:
                        limit = min(limit, a1 - 1)      # another table starts below it
                if limit <= r2:
                    continue
                spot = _Below(sheet, r2, c1, c2, limit)
                for key in {root.get("name"), root.get("displayName")} - {None}:
                    out[key.casefold()] = spot
    except Exception:   # noqa: BLE001 - only a warning's detail; the tables read as ever
        return {}
    return out


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _read_below(wb, spot: _Below) -> list[list]:
    """The consecutive non-empty rows right below the table, within its columns (from the
    sheet's range, read once), up to the first empty row or spot.limit."""
    s = wb.get_sheet_by_name(spot.sheet)
    if not s.height:
        return []
    r0, k0 = s.start[0] + 1, s.start[1] + 1
    grid = s.to_python()                                 # from `start` on, not from A1
    width = spot.c2 - spot.c1 + 1
    a, b = spot.c1 - k0, spot.c2 - k0 + 1
    pad_left = max(0, -a)
    rows = []
    for r in range(spot.r2 + 1, spot.limit + 1):
        i = r - r0
        if i < 0 or i >= len(grid):
            break
        line = [""] * pad_left + list(grid[i][max(a, 0):max(b, 0)])
        line += [""] * (width - len(line))
        if all(_blank(v) for v in line):
            break
        rows.append(line)
    return rows


def opened(book: str | os.PathLike | Parts) -> Parts:
    """A workbook opened and checked once (a path is opened now)."""
    return book if isinstance(book, Parts) else Parts.open(book)


def _calamine(pc, parts: Parts):
    """A calamine workbook over the bytes already read: the file is not opened again."""
    return pc.CalamineWorkbook.from_filelike(io.BytesIO(parts.pkg.data), load_tables=True)


def open_tables(book: str | os.PathLike | Parts, names=None, first=()):
    """(the acctbook tables in the file, in its order; an iterator of (name, RawTable)
    in the order they are read). `first` names the tables to read before the others."""
    parts = opened(book)
    p = parts.pkg.path
    refuse_strict(p, parts.ns)             # calamine finds no tables in a Strict book
    try:
        import python_calamine as pc
    except ImportError:  # pragma: no cover - only where calamine is absent
        raise error(BookUnreadable, tr("en", "reading files needs python-calamine: pip install "
                                             "python-calamine"))
    wanted = {n.casefold(): n for n in (names or schema.TABLES)}
    try:
        wb = _calamine(pc, parts)
        last = {wanted[t.casefold()]: t for t in wb.table_names if t.casefold() in wanted}
    except BaseException as e:  # calamine raises its own types for broken XML/zip parts
        if not _calamine_failure(e):
            raise
        raise _unreadable(p, e) from None
    rank = {n: i for i, n in enumerate(first)}
    todo = sorted(last.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    scan = _ErrorScan(parts)
    tall = _tall_tables(parts)
    below = _below_spots(parts)
    todo = [(canon, tname, tall.get(tname.casefold()), below.get(tname.casefold()))
            for canon, tname in todo]
    if len(parts.pkg.data) >= PARALLEL_ABOVE and len(todo) > 1:
        stream = _read_parallel(pc, parts, wb, todo)
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
    return error(BookUnreadable, tr("en", "{book}: cannot read workbook ({error})"), book=p,
                 error=f"{type(e).__name__}: {_one_line(e)}")


def _read_serial(p, wb, todo):
    try:
        for canon, tname, tall, spot in todo:
            try:
                parts = _read_table(wb, tname, tall, spot)
            except BaseException as e:
                if not _calamine_failure(e):
                    raise
                raise _unreadable(p, e) from None
            yield canon, RawTable(canon, *parts)
    finally:
        wb.close()


def _read_parallel(pc, parts: Parts, wb, todo):
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
                done.put((i, _read_table(book, *todo[i][1:]), None))
        except BaseException as e:   # re-raised in the reading thread
            done.put((None, None, e))
        finally:
            book.close()

    p = parts.pkg.path
    try:
        other = _calamine(pc, parts)
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


def read_tables(book: str | os.PathLike | Parts, names=None) -> dict[str, RawTable]:
    """Every acctbook table found in the file, by table name (case-insensitive)."""
    order, stream = open_tables(book, names)
    got = dict(stream)
    return {n: got[n] for n in order}


def read_book(book: str | os.PathLike | Parts) -> Book:
    """Read and type a workbook file."""
    parts = opened(book)
    return load_book(read_tables(parts), str(parts.pkg.path))
