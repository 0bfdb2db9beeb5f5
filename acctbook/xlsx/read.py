"""Reading a workbook file: python-calamine finds the tables by name (the fast path).

This adapter only turns a file into RawTables; typing and checks live in acctbook.book
(coerce, rules), which also serve the xlwings adapter. python-calamine is imported only
when a file is read, so the package stays importable where it is absent (xlwings Lite).

The file is read once (package.Package.open, the same check the writer makes): calamine
reads the bytes already in memory, the error scan the same zip, the sheet names come from
the same parts. Every function takes a path or a workbook already opened (parts.Parts).

read_book types each table as it is read (coerce.load_stream): a thread parses the next
sheets (readahead.py, within READ_AHEAD_CELLS) while the tables already parsed are typed, and
a big table comes in chunks of its sheet's rows (_sheet_chunks), so a big book's cells never
all exist at once as Python objects (bench/README.md, issue 21). A command may name the tables
it uses (`tables`): the others are not parsed.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import threading
from itertools import islice

from acctbook.book import schema
from acctbook.book.coerce import load_stream
from acctbook.book.gcpause import collector_paused
from acctbook.book.i18n import tr
from acctbook.book.model import Book, BookUnreadable, RawTable
from acctbook.xlsx.columnar import Columnar, read_columns
from acctbook.xlsx.errors import error, reader_failure
from acctbook.xlsx.package import refuse_strict
from acctbook.xlsx.errorscan import ErrorScan, error_cells
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.preread import TALL_WITHOUT_DIMENSION, corner, dimension_last_row
from acctbook.xlsx.readahead import ReadAhead

_error_cells = error_cells        # the name tests/test_rules.py knows it by


# Above this file size the tables are read ahead by a thread (readahead.py): calamine
# parses a sheet without holding the GIL, so the caller types the tables already read
# meanwhile. At most READ_AHEAD_CELLS cells are read and not yet typed at once (calamine
# holds a parsed sheet as about 55 bytes a cell): two big tables never both in memory.
PARALLEL_ABOVE = 2_000_000
READ_AHEAD_CELLS = 14_000_000
# Two threads read: a sheet starts beside another still being parsed only while both are
# this small together (the medium book's two big sheets, not the large book's).
TOGETHER_CELLS = 6_000_000
# A table of more cells than this, when the caller types as it reads (read_book), is cut
# from its sheet's rows CHUNK_ROWS at a time, so its cells as Python objects never all
# exist at once, nor does calamine's copy of the table beside its sheet.
STREAM_ABOVE = 250_000
CHUNK_ROWS = 65_536
# A table of more cells than this is read as columns when it can be (columnar.py: typed
# without a Python object per cell), else streamed as above. fastexcel is imported then.
COLUMNS_ABOVE = STREAM_ABOVE
# The tables the loader needs first (the settings, and Clients for the book's language).
FIRST = tuple(t.name for t in schema.SETTINGS_TABLES) + ("Clients",)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


def _read_table(wb, tname: str, tall: "_Box | None", spot: "_Below | None" = None) -> tuple:
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


class _Box:
    """Where a table lies: its sheet, header row and first column, headers, the Excel rows
    and columns its ref claims, and the cells it holds (its rows down to the sheet's last
    one at most). `tall`: its ref reaches far below the sheet's data."""

    def __init__(self, sheet: str, r1: int, c1: int, r2: int, c2: int, headers: list[str],
                 last: int | None = None):
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self.headers = headers
        limit = last if last is not None else r1 + TALL_WITHOUT_DIMENSION
        self.tall = r1 < r2 and r2 > limit
        self.cells = max(0, min(r2, limit) - r1) * (c2 - c1 + 1)


def _last_row(parts: Parts, part: str) -> int | None:
    """The last row of the sheet's <dimension ref>, read from the part's first bytes."""
    name = parts.pkg.name(part)
    return None if name is None else dimension_last_row(parts.pkg.zf, name)


def _sheet_tables(parts: Parts, part: str):
    """(table part's root, first corner, last corner) of each table on a sheet part whose
    ref reads as two cells."""
    for _, ty, target, _ in parts.rels(part):
        if not ty.endswith("/table") or not parts.pkg.name(target):
            continue
        root = parts.tree(target).getroot()
        ref = (root.get("ref") or "").split(":")
        first, end = corner(ref[0]), corner(ref[-1])
        if first is not None and end is not None:
            yield root, first, end

_Tall = _Box        # the name tests/test_big_refs.py knows it by


def _tall_tables(parts: Parts) -> dict[str, _Box]:
    """Table name (casefolded) -> _Box, for every table reaching far below its sheet's data."""
    return {name: box for name, box in _boxes(parts).items() if box.tall}


def _boxes(parts: Parts) -> dict[str, _Box]:
    """Table name (casefolded) -> _Box, for every table whose ref reads as two cells and
    names each of its columns. {} when the package is too odd to tell (calamine then reads
    the tables its own way)."""
    out: dict[str, _Box] = {}
    try:
        for sheet, part in parts.sheets:
            if part is None:
                continue
            last: list = []               # the sheet's last row, read once when needed
            for root, first, end in _sheet_tables(parts, part):
                heads = [c.get("name") or "" for c in root.iter()
                         if isinstance(c.tag, str) and c.tag.endswith("}tableColumn")]
                if len(heads) != end[1] - first[1] + 1:
                    continue
                if not last:
                    last.append(_last_row(parts, part))
                box = _Box(sheet, first[0], first[1], end[0], end[1], heads, last[0])
                for key in {root.get("name"), root.get("displayName")} - {None}:
                    out[key.casefold()] = box
    except Exception:   # noqa: BLE001 - only a shortcut; calamine reads what this cannot
        return {}
    return out


def _read_tall(wb, tall: _Box) -> tuple:
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


def open_tables(book: str | os.PathLike | Parts, names=None, first=(), streamed: bool = False,
                parse=None, idle=None):
    """(the acctbook tables in the file, in its order; an iterator of (name, RawTable)
    in the order they are read; the tables not parsed). `first` names the tables to read
    before the others.
    `streamed`: a big table comes as RawTable.chunks, cut from its sheet's rows as they are
    typed (the caller takes each table's chunks before asking for the next table).
    `parse`: the tables to read (None: all); any other comes with its headers and no rows,
    its sheet not parsed (a table whose ref cannot be told is read all the same).
    `idle`: other work for the caller's thread while it waits for a sheet (ReadAhead)."""
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
        wb = _Workbook(pc, parts)
        last = {wanted[t.casefold()]: t for t in wb.get().table_names if t.casefold() in wanted}
    except BaseException as e:  # calamine raises its own types for broken XML/zip parts
        if not reader_failure(e):
            raise
        raise _unreadable(p, e) from None
    boxes = _boxes(parts)
    below = _below_spots(parts)
    keep = None if parse is None else {n.casefold() for n in parse}
    todo = [_Todo(canon, tname, boxes.get(tname.casefold()), below.get(tname.casefold()),
                  streamed, keep is None or canon.casefold() in keep)
            for canon, tname in last.items()]
    rank = {n: i for i, n in enumerate(first)}
    todo.sort(key=lambda t: (rank.get(t.canon, len(rank)), t.columns, -t.cells))
    wb.rows = {t.canon for t in todo if t.parse and not t.columns}
    # The smallest first (after `first`), so a small table is not kept waiting for its scan
    # while a big sheet is searched: the big ones are parsed for longer than they are searched.
    sheets = [t.box.sheet for t in sorted(todo, key=lambda t: (rank.get(t.canon, len(rank)),
                                                              t.cells))
              if t.box is not None and t.parse]
    scan = ErrorScan(parts, sheets if all(t.box is not None for t in todo) else None)
    columnar = Columnar(parts.pkg) if streamed else None
    jobs = [(t.canon, t.cells, functools.partial(t.read, pc, parts, wb, columnar)) for t in todo]
    if len(parts.pkg.data) >= PARALLEL_ABOVE and len(todo) > 1:
        stream = ReadAhead(jobs, READ_AHEAD_CELLS, workers=2, together=TOGETHER_CELLS,
                           light=functools.partial(_as_columns, scan)).results(idle)
    else:
        stream = ((canon, run()) for canon, _, run in jobs)
    unparsed = frozenset(t.canon for t in todo if not t.parse)
    return list(last), _marked(p, wb, stream, scan), unparsed


def _as_columns(scan: ErrorScan, raw: RawTable) -> bool:
    """A table handed over as columns holds its Arrow arrays only, not calamine's parse (55
    bytes a cell), so the next big sheet may be parsed while it is typed; unless its sheet
    may hold an error cell, for which it is read again as rows (ErrorScan.in_table)."""
    return raw.columns is not None and scan.clean(raw.sheet)


class _Todo:
    """One table to read, and how: by name (calamine's table), or cut from its sheet's rows
    (a tall table; a big one when streamed)."""

    def __init__(self, canon: str, tname: str, box: _Box | None, spot: _Below | None,
                 streamed: bool, parse: bool = True):
        self.canon, self.tname, self.box, self.spot = canon, tname, box, spot
        self.parse = parse or box is None
        self.cells = box.cells if box is not None and self.parse else 0
        self.streamed = streamed and box is not None and (box.tall or box.cells > STREAM_ABOVE)
        self.columns = streamed and self.parse and box is not None and \
            box.cells > COLUMNS_ABOVE and not box.tall and spot is None  # columnar.py tries

    def read(self, pc, parts: Parts, book: "_Workbook",
             columnar: Columnar | None = None) -> RawTable:
        """The table as read (in the read-ahead thread): a big one as columns when it can be
        (columnar.py), else a streamed one's sheet parsed, its rows left for the caller to
        take (_sheet_chunks); one not to parse, its headers."""
        box = self.box
        if not self.parse:
            return RawTable(self.canon, box.sheet, box.r1, box.c1, list(box.headers), [])
        if columnar is not None and self.columns:
            book.spare()
            raw = read_columns(columnar, self.canon, box.sheet, box.r1, box.c1, box.r2,
                               box.headers)
            give_back_memory()    # the parsed sheet's memory, back to the system
            if raw is not None:   # an error cell found later: read again as rows, own calamine
                raw.reread = lambda: self.read(pc, parts, _Workbook(pc, parts))
                return raw
        with book.lock:             # python-calamine's workbook serves one thread at a time
            book.rows.discard(self.canon)
            return self._rows(pc, parts, book.get())

    def _rows(self, pc, parts: Parts, wb) -> RawTable:
        """The table read as rows: whole, or a streamed one's sheet parsed (_sheet_chunks)."""
        tall = self.box if self.box is not None and self.box.tall else None
        if not self.streamed:
            return RawTable(self.canon, *_read_table(wb, self.tname, tall, self.spot))
        box = self.box
        sheet = wb.get_sheet_by_name(box.sheet)
        raw = RawTable(self.canon, box.sheet, box.r1, box.c1, list(box.headers), [],
                       below_start=self.spot.r2 + 1 if self.spot else 0)

        def by_name():            # a workbook of its own: `wb` may be busy in the thread
            other = _calamine(pc, parts)
            try:
                return _read_table(other, self.tname, tall, self.spot)
            finally:
                other.close()
        raw.chunks = _sheet_chunks(sheet, box, self.spot, raw, by_name)
        return raw


class _Workbook:
    """python-calamine's workbook over the file's bytes, for the tables read as rows. It
    holds its own copy of the file and its shared strings (110 MB on the large book), so it
    is closed before a big sheet is parsed as columns once no table left (`rows`) needs it,
    and opened again for a table read as rows after all."""

    def __init__(self, pc, parts: Parts):
        self.pc, self.parts, self.rows = pc, parts, set()
        self.wb = _calamine(pc, parts)
        self.lock = threading.Lock()

    def get(self):
        if self.wb is None:
            self.wb = _calamine(self.pc, self.parts)
        return self.wb

    def spare(self) -> None:
        with self.lock:
            if not self.rows:
                self.close()

    def close(self) -> None:
        if self.wb is not None:
            self.wb.close()
            self.wb = None


def _marked(p, wb: _Workbook, stream, scan: ErrorScan):
    try:
        for canon, raw in stream:
            if raw.columns is not None and scan.in_table(raw):
                raw = raw.reread()
            yield canon, scan.mark(raw)
    except BaseException as e:
        if not reader_failure(e):
            raise
        raise _unreadable(p, e) from None
    finally:
        stream.close()
        wb.close()
        scan.thread.join()      # its last sheets' tails in Parts before anything is written
        if wb.parts.pkg.preread is not None:
            wb.parts.pkg.preread.no_more_columns()      # parsed ahead and not wanted: freed


# --- a big table streamed from its sheet's rows --------------------------------------------
def _cut(line: list, lo: int, hi: int, pad_left: int, width: int) -> list:
    """A sheet row's cells in the table's columns (the row itself when they are all of it)."""
    if lo == 0 and pad_left == 0 and len(line) == width:
        return line
    out = [""] * pad_left + list(line[lo:hi])
    return out + [""] * (width - len(out))


def _sheet_chunks(sheet, box: _Box, spot: "_Below | None", raw: RawTable, fallback):
    """The table's data rows, CHUNK_ROWS at a time, from calamine's iter_rows (row i of it is
    Excel row i + 1: python-calamine gives the rows above the sheet's range as empty ones);
    then the rows typed just below it into raw.below. When the header row read there is not
    the table's, the table is read by name instead (`fallback`)."""
    width = box.c2 - box.c1 + 1
    if not sheet.height:
        yield [[""] * width]      # like calamine: a table keeps its one (empty) data row
        return
    k0 = sheet.start[1] + 1
    lo, hi, pad_left = max(box.c1 - k0, 0), max(box.c2 - k0 + 1, 0), max(k0 - box.c1, 0)
    rows = iter(sheet.iter_rows())
    del sheet
    for _ in range(box.r1 - 1):
        next(rows, None)
    head = next(rows, None)
    if head is None or ["" if v is None else str(v) for v in
                        _cut(head, lo, hi, pad_left, width)] != box.headers:
        del rows
        got = fallback()
        raw.below = got[5]
        yield got[4]
        return
    whole = lo == 0 and pad_left == 0 and len(head) == width      # rows need no cutting
    left, given = box.r2 - box.r1, 0
    while left > 0:
        chunk = list(islice(rows, min(CHUNK_ROWS, left)))
        if not chunk:
            break
        left -= len(chunk)
        given += len(chunk)
        yield chunk if whole else [_cut(line, lo, hi, pad_left, width) for line in chunk]
        del chunk
    if not given:
        yield [[""] * width]      # like calamine: a table keeps its one (empty) data row
    if spot is not None:
        raw.below = _rows_below(rows, box.r2, spot.limit, (lo, hi, pad_left, width))
    del rows
    give_back_memory()


def _idle(meanwhile):
    """meanwhile's work, a piece at a time; once it has none, what it freed goes back to the
    system before the sheet being parsed grows (a large book's peak is the last one's)."""
    def idle() -> bool:
        if meanwhile.work():
            return True
        give_back_memory()
        return False
    return idle


def give_back_memory() -> None:
    """The memory calamine freed (a parsed sheet, hundreds of MB) back to the system, where
    the C library keeps it otherwise (glibc, Linux); elsewhere nothing is done."""
    trim = _MALLOC_TRIM[0] if _MALLOC_TRIM else _find_malloc_trim()
    if trim is not None:
        trim(0)


_MALLOC_TRIM: list = []


def _find_malloc_trim():
    trim = None
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
        except (OSError, AttributeError):     # not glibc (musl has none): nothing to trim
            trim = None
    _MALLOC_TRIM.append(trim)
    return trim


def _rows_below(rows, r2: int, limit: int, cut: tuple) -> list[list]:
    """The consecutive non-empty rows after Excel row r2 (where `rows` stands), up to limit."""
    below = []
    for _ in range(r2 + 1, limit + 1):
        line = next(rows, None)
        if line is None:
            break
        line = _cut(line, *cut)
        if all(_blank(v) for v in line):
            break
        below.append(line)
    return below


def _unreadable(p, e: BaseException) -> BookUnreadable:
    if isinstance(e, BookUnreadable):
        return e
    return error(BookUnreadable, tr("en", "{book}: cannot read workbook ({error})"), book=p,
                 error=f"{type(e).__name__}: {_one_line(e)}")


def read_tables(book: str | os.PathLike | Parts, names=None) -> dict[str, RawTable]:
    """Every acctbook table found in the file, by table name (case-insensitive)."""
    order, stream, _ = open_tables(book, names)
    with collector_paused():
        got = dict(stream)
    return {n: got[n] for n in order}


def read_book(book: str | os.PathLike | Parts, tables=None, meanwhile=None) -> Book:
    """Read and type a workbook file, each table typed as it is read (coerce.load_stream).
    `tables`: the ones a command uses (None: all); the others are not parsed, only their
    headers read (Book.unread). `meanwhile` (book.rules.EarlyRules, core/early.py's
    EarlyWork): rules, and compute's pieces, run while the last sheets are parsed."""
    parts = opened(book)
    order, stream, unread = open_tables(parts, first=FIRST, streamed=True, parse=tables,
                                        idle=_idle(meanwhile) if meanwhile else None)
    with collector_paused():
        book = load_stream(order, stream, str(parts.pkg.path), unread, meanwhile)
    give_back_memory()    # the sheets parsed and the rows typed (230 MB on the large book)
    return book
