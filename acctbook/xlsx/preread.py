"""The book named on the command line, read while Python still imports pandas and the rest of
acctbook (about 0.4 s on one core, the other idle), in threads: its bytes; its sheets
searched for Excel error values (errorscan.py: zlib inflates without holding the GIL, and
the search finds a byte before it looks for a mark, so it does not hold it long either); and
its biggest table parsed as columns from the file (columnar.py: fastexcel parses without
it). The reader (package.Package.open) takes them only when the file is still the one read:
the same size, modification time, inode and device (file_stamp); else it reads the file
again. The columns are taken only for the very table, rows and columns the reader asks for.

Imports only the standard library, the schema and book/cells.py (pure Python) when it starts, so that it
can start first (acctbook.__main__); fastexcel and pyarrow in its thread.
"""

from __future__ import annotations

import collections
import io
import logging
import os
import posixpath
import re
import struct
import threading
import zipfile
import zlib
from typing import Any, Iterator
from xml.etree import ElementTree

from acctbook.book import schema
from acctbook.book.cells import split_ref

# A cell showing #N/A (or #DIV/0!, #REF! ...) has t="e" in the sheet XML.
ERROR_MARK = (b't="e"', b"t='e'")
SHEET_PART = re.compile(r"worksheets/[^/]+\.xml$", re.I)
# A zip whose parts would inflate beyond these is refused before anything inflates it
# (package.check_bounds); nothing of it is searched or parsed here either (`too_big`).
MAX_TOTAL_UNCOMPRESSED = 1 << 30          # 1 GiB declared in all (and the file's own size)
MAX_RATIO = 200                           # ... or a big part inflating more than this
BIG_PART = 16 << 20                       # "big" for the ratio check
# A table this big gets its head start as columns (the medium book's Interactions, 2 million
# cells, parses in 0.6 s); workbook parts bigger than this are not looked into for it.
EARLY_CELLS = 1_000_000
MAX_XML = 16 << 20


def file_stamp(st: os.stat_result) -> tuple:
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def stamp_of(path: str) -> tuple | None:
    """The file's file_stamp now; None when it cannot be read (gone, moved)."""
    try:
        return file_stamp(os.stat(path))
    except OSError:
        return None


def too_big(infos: list[zipfile.ZipInfo]) -> tuple[int, zipfile.ZipInfo | None] | None:
    """(the declared size in all, and the part inflating too far if that is what is wrong)
    of a zip bomb, told from its declared sizes; None for a zip within the bounds."""
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        return total, None
    for i in infos:
        if i.file_size > BIG_PART and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return total, i
    return None


def part_key(info: zipfile.ZipInfo) -> str:
    """A part's name as the reader compares them (case-insensitive, forward slashes)."""
    return info.filename.replace("\\", "/").lower()


# Compressed bytes inflated at a time, and the most one call gives out. Small pieces reuse
# the same memory: pieces of megabytes are each fresh pages, and their page faults slowed
# the imports beside them by half (measured: 0.40 s -> 0.60 s on the medium book; 0.46 s
# with these sizes). A zip bomb gives out no more than this at once either.
STEP_IN = 1 << 16
STEP_OUT = 1 << 18
KEEP_TAIL = 1 << 20         # a sheet part's last bytes kept for the writer, at least


def _deflated_body(data: bytes, info: zipfile.ZipInfo) -> memoryview | None:
    """The part's compressed bytes, straight from the file (None: an odd entry)."""
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04" or info.compress_type != zipfile.ZIP_DEFLATED:
        return None
    nlen, elen = struct.unpack("<HH", head[26:30])
    start = off + 30 + nlen + elen
    body = memoryview(data)[start:start + info.compress_size]
    return body if len(body) == info.compress_size else None


def _pieces(data: bytes, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, a piece at a time (zipfile's reader for an odd entry)."""
    body = _deflated_body(data, info)
    if body is None:
        with z.open(info) as fh:
            while chunk := fh.read(STEP_OUT):
                yield chunk
        return
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    given = 0
    for pos in range(0, len(body), STEP_IN):
        left = body[pos:pos + STEP_IN]
        while left:
            out = inflate.decompress(left, STEP_OUT)
            left = inflate.unconsumed_tail
            given += len(out)
            if given > info.file_size:          # more than it says: zipfile's reader decides
                raise zipfile.BadZipFile(info.filename)
            yield out


# The letter every error mark holds; most sheets hold few (their text is in sharedStrings)
MARK_LETTER = b"e"
FEW_LETTERS = 64


def _marked(chunk: bytes) -> bool:
    """Whether an ERROR_MARK is in `chunk`: each "e" looked at where a sheet has few of
    them, else the marks searched for. A byte is found far faster than a mark (the large
    book's Interactions: 0.03 s against 0.33 s), and the search holds the GIL the main
    thread wants meanwhile (the large refresh 0.5 s sooner, bench/README.md)."""
    pos, seen = chunk.find(MARK_LETTER), 0
    while pos >= 0 and seen < FEW_LETTERS:
        if pos >= 3 and chunk[pos - 3:pos + 2] in ERROR_MARK:
            return True
        seen += 1
        pos = chunk.find(MARK_LETTER, pos + 1)
    return pos >= 0 and any(m in chunk for m in ERROR_MARK)


def has_error_cells(data: bytes, z: zipfile.ZipFile, info: zipfile.ZipInfo,
                    tails: dict[str, bytes] | None = None) -> bool:
    """Whether the part (in `data`, the file's bytes, opened as `z`) has an error cell; a
    part read to its end leaves its last bytes (KEEP_TAIL or a little more, where its
    validation follows sheetData) in `tails` for the writer (validation.extend_rules),
    which then need not inflate it again."""
    tail, recent, held = b"", collections.deque(), 0
    for chunk in _pieces(data, z, info):
        if not chunk:
            continue
        edge = tail + chunk[:8]
        if _marked(chunk) or any(m in edge for m in ERROR_MARK):
            return True
        tail = chunk[-8:]
        recent.append(chunk)
        held += len(chunk)
        while held - len(recent[0]) >= KEEP_TAIL:
            held -= len(recent.popleft())
    if tails is not None:
        tails[part_key(info)] = b"".join(recent)
    return False


class Preread:
    """Two threads started at once: one reads the file's bytes, then searches its sheet parts,
    the smallest first, as the reader wants them (read.py reads the small tables first); the
    other parses the biggest table as columns once the bytes are read."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        self.data: bytes | None = None
        self.stamp: tuple | None = None
        self.found: dict[str, tuple[bool, bytes | None]] = {}
        self.finished = False
        self.cond = threading.Condition()
        # (sheet, header row, first column, last row, places read) -> Arrow batch, None
        # while being parsed; dropped when taken or given up (`no_more_columns`)
        self.columns: dict[tuple, Any] = {}
        self.columns_done = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.parser = threading.Thread(target=self._parse, daemon=True)
        self.thread.start()
        self.parser.start()

    def _run(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_size > MAX_TOTAL_UNCOMPRESSED:
                    return
                data = fh.read()
            with self.cond:
                self.data, self.stamp = data, file_stamp(st)
                self.cond.notify_all()
            z = zipfile.ZipFile(io.BytesIO(data))
            if too_big(z.infolist()) is not None:
                return                   # refused by the reader: nothing inflated here
            infos = [i for i in z.infolist() if SHEET_PART.search(part_key(i))]
            for info in sorted(infos, key=lambda i: i.compress_size):
                tails: dict[str, bytes] = {}
                found = has_error_cells(data, z, info, tails)
                with self.cond:
                    self.found[part_key(info)] = (found, tails.get(part_key(info)))
                    self.cond.notify_all()
        except Exception:  # noqa: BLE001 - the reader reads the file itself and says what is wrong
            pass
        finally:
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def _parse(self) -> None:
        """The biggest acctbook table as columns, as columnar.py reads it."""
        try:
            with self.cond:
                while self.data is None and not self.finished:
                    self.cond.wait()
                data, stamp = self.data, self.stamp
            box = biggest_table(data) if data is not None else None
            if box is None:
                return
            with self.cond:
                self.columns[box[0]] = None
            # From the file itself while it is the one read: not a third copy of its bytes
            # in memory (75 MB on the large book) beside the sheet's parse
            by_path = stamp is not None and stamp_of(self.path) == stamp
            batch = load_columns(columns_reader(self.path if by_path else data), *box[1:])
            if by_path and stamp_of(self.path) != stamp:
                batch = None            # saved meanwhile: the reader parses the bytes read
            with self.cond:
                if box[0] in self.columns and batch is not None:
                    self.columns[box[0]] = batch
        except Exception:  # noqa: BLE001 - only a head start: the reader parses it itself
            pass
        finally:
            with self.cond:
                self.columns = {k: v for k, v in self.columns.items() if v is not None}
                self.columns_done = True
                self.cond.notify_all()

    def columns_for(self, key: tuple) -> Any:
        """The Arrow batch parsed for `key` (waiting while it is being parsed), handed over
        once; None when none was parsed for it."""
        with self.cond:
            while key in self.columns and self.columns[key] is None and not self.columns_done:
                self.cond.wait()
            return self.columns.pop(key, None)

    def no_more_columns(self) -> None:
        """What was parsed and not taken, given up (the reader has read every table)."""
        with self.cond:
            self.columns.clear()

    def data_if_same(self, st: os.stat_result) -> bytes | None:
        """The bytes read, when the file is still the one read (`st`: as it is now)."""
        with self.cond:
            while self.data is None and not self.finished:
                self.cond.wait()
            return self.data if self.stamp == file_stamp(st) else None

    def part(self, info: zipfile.ZipInfo) -> tuple[bool, bytes | None] | None:
        """(whether the part has an error cell, its tail when searched to its end), once
        searched; None when this thread does not search it."""
        key = part_key(info)
        with self.cond:
            while key not in self.found and not self.finished:
                self.cond.wait()
            return self.found.get(key)


# --- the biggest table, found with the standard library -------------------------------------
DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_DIMENSION_END = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")
# A table this tall is read from its sheet (read.py) when the sheet part states no dimension.
TALL_WITHOUT_DIMENSION = 65_536
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def corner(text: str) -> tuple[int, int] | None:
    """"B7" (or "$B$7") -> (7, 2) (cells.split_ref), else None."""
    try:
        return split_ref(text.strip())
    except ValueError:
        return None


def dimension_last_row(z: zipfile.ZipFile, name) -> int | None:
    """The last row of a sheet part's <dimension ref>, read from its first bytes (None when
    it states none before its data)."""
    head = b""
    with z.open(name) as fh:
        while len(head) < (1 << 20):
            chunk = fh.read(1 << 14)
            if not chunk:
                break
            head += chunk
            m = DIMENSION.search(head)
            if m:
                end = corner(m[1].decode("ascii", "replace").split(":")[-1])
                return end[0] if end else None
            if _DIMENSION_END.search(head):
                return None
    return None


class _Zip:
    """A workbook's parts by name (case-insensitive), and their relationships."""

    def __init__(self, data: bytes):
        self.z = zipfile.ZipFile(io.BytesIO(data))
        self.names = {part_key(i): i for i in self.z.infolist()}

    def xml(self, part: str):
        info = self.names.get(part.lstrip("/").lower())
        if info is None or info.file_size > MAX_XML:
            return None
        return ElementTree.fromstring(self.z.read(info))

    def last_row(self, part: str, r1: int) -> int:
        """The last row of the sheet's <dimension ref>, else r1 and as many rows as read.py
        takes for a table without one."""
        info = self.names.get(part.lstrip("/").lower())
        last = dimension_last_row(self.z, info) if info is not None else None
        return last if last is not None else r1 + TALL_WITHOUT_DIMENSION

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """id -> (type, part) of a part's relationships ("" for the package's own)."""
        folder, base = posixpath.split(part.lstrip("/"))
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out = {}
        for el in root if root is not None else ():
            target = el.get("Target", "")
            if el.get("TargetMode") == "External" or not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
            out[el.get("Id", "")] = (el.get("Type", ""), path)
        return out


def biggest_table(data: bytes) -> tuple[tuple, str, int, int, int, list[int]] | None:
    """(key, sheet, header row, first column, last row, the 0-based places of the columns
    acctbook reads) of the biggest acctbook data table of more than EARLY_CELLS cells; the
    key as the reader asks (Preread.columns_for)."""
    z = _Zip(data)
    if too_big(z.z.infolist()) is not None:
        return None
    book = next((p for ty, p in z.rels("").values() if ty.endswith("/officeDocument")), None)
    root = z.xml(book) if book else None
    if root is None:
        return None
    by_id = z.rels(book)
    specs = {t.name.casefold(): t for t in schema.DATA_TABLES}
    best = None
    for sheet in root.iter():
        if not str(sheet.tag).endswith("}sheet") or sheet.get(_REL_ID) not in by_id:
            continue
        for ty, part in z.rels(by_id[sheet.get(_REL_ID)][1]).values():
            table = z.xml(part) if ty.endswith("/table") else None
            if table is None:
                continue
            spec = specs.get((table.get("name") or "").casefold())
            ref = (table.get("ref") or "").split(":")
            first, end = corner(ref[0]), corner(ref[-1])
            if spec is None or first is None or end is None:
                continue
            if end[0] > z.last_row(by_id[sheet.get(_REL_ID)][1], first[0]):
                continue          # its ref reaches far below the data: read.py reads it as rows
            cells = (end[0] - first[0]) * (end[1] - first[1] + 1)
            heads = [c.get("name") or "" for c in table.iter()
                     if str(c.tag).endswith("}tableColumn")]
            at = sorted(schema.column_places(heads, spec).values())
            if cells > EARLY_CELLS and at and (best is None or cells > best[0]):
                best = (cells, sheet.get("name"), first[0], first[1], end[0], at)
    if best is None:
        return None
    _, name, r1, c1, r2, at = best
    return (name, r1, c1, r2, tuple(at)), name, r1, c1, r2, at


# --- a table as columns (fastexcel) -------------------------------------------------------
def columns_reader(data: bytes | str):
    """fastexcel's reader of the workbook (its bytes, or its path), None where fastexcel or
    pyarrow is not installed; a failure to open it raises."""
    try:
        import fastexcel
        import pyarrow  # noqa: F401 - fastexcel hands Arrow arrays over through it
    except ImportError:
        return None
    # fastexcel logs a warning for each empty column ("falling back to string"): not news
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    return fastexcel.read_excel(data)


def load_columns(reader, sheet: str, r1: int, c1: int, r2: int, at: list[int]):
    """The table's columns at places `at` as one Arrow batch (header on Excel row r1 from
    column c1, data down to row r2), named by the header row as read (the caller checks
    them). Strict: a column of mixed kinds of cell raises."""
    if reader is None:
        return None
    # eager: straight to an Arrow batch (0.6 s and 40 MB less on Interactions than
    # through fastexcel's own sheet object)
    return reader.load_sheet(sheet, header_row=r1 - 1, n_rows=r2 - r1,
                             use_columns=[c1 - 1 + p for p in at], schema_sample_rows=None,
                             dtype_coercion="strict", eager=True)


_STARTED: dict[str, Preread] = {}
_LOCK = threading.Lock()


def start(path: str) -> Preread:
    """Begin reading the book at `path` (one book: a second start replaces the first)."""
    early = Preread(path)
    with _LOCK:
        _STARTED.clear()
        _STARTED[early.path] = early
    return early


def taken(path: str) -> Preread | None:
    """The book started for `path`, handed over once (None when none was)."""
    with _LOCK:
        return _STARTED.pop(os.path.abspath(path), None) if _STARTED else None
