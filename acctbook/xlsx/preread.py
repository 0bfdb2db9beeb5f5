"""The book named on the command line, read while Python still imports pandas and the rest of
acctbook (about 0.4 s on one core, the other idle): its bytes, and its sheets searched for
Excel error values (errorscan.py), in a thread: zlib inflates without holding the GIL.
The reader (package.Package.open) takes them only when the file is still the one read: the
same size, modification time, inode and device (file_stamp); else it reads the file again.

Imports nothing but the standard library, so that it can start first (acctbook.__main__).
"""

from __future__ import annotations

import io
import os
import re
import struct
import threading
import zipfile
import zlib
from typing import Iterator

# A cell showing #N/A (or #DIV/0!, #REF! ...) has t="e" in the sheet XML.
ERROR_MARK = (b't="e"', b"t='e'")
SHEET_PART = re.compile(r"worksheets/[^/]+\.xml$", re.I)
# Bigger files and parts are left to the reader, which refuses them (package.check_bounds).
MAX_FILE = 1 << 30
MAX_PART = 1 << 30


def file_stamp(st: os.stat_result) -> tuple:
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def part_key(info: zipfile.ZipInfo) -> str:
    """A part's name as the reader compares them (case-insensitive, forward slashes)."""
    return info.filename.replace("\\", "/").lower()


# Compressed bytes inflated at a time, and the most one call gives out. Small pieces reuse
# the same memory: pieces of megabytes are each fresh pages, and their page faults slowed
# the imports beside them by half (measured: 0.40 s -> 0.60 s on the medium book; 0.46 s
# with these sizes). A zip bomb gives out no more than this at once either.
STEP_IN = 1 << 16
STEP_OUT = 1 << 18


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
    """The part's bytes, a few MB at a time (zipfile's reader for an odd entry)."""
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


def has_error_cells(data: bytes, z: zipfile.ZipFile, info: zipfile.ZipInfo,
                    tails: dict[str, bytes] | None = None) -> bool:
    """Whether the part (in `data`, the file's bytes, opened as `z`) has an error cell; a
    part read to its end leaves its last bytes (a few MiB, where its validation follows
    sheetData) in `tails` for the writer (validation.extend_rules), which then need not
    inflate it again."""
    tail = last = prev = b""
    for chunk in _pieces(data, z, info):
        if not chunk:
            continue
        edge = tail + chunk[:8]
        if any(m in chunk or m in edge for m in ERROR_MARK):
            return True
        tail = chunk[-8:]
        prev, last = last, chunk
    if tails is not None:
        tails[part_key(info)] = prev + last
    return False


class Preread:
    """The file's bytes and its sheet parts searched, in a thread started at once; the
    smallest parts first, as the reader wants them (read.py reads the small tables first)."""

    def __init__(self, path: str):
        self.path = os.path.abspath(path)
        self.data: bytes | None = None
        self.stamp: tuple | None = None
        self.found: dict[str, tuple[bool, bytes | None]] = {}
        self.finished = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_size > MAX_FILE:
                    return
                data = fh.read()
            with self.cond:
                self.data, self.stamp = data, file_stamp(st)
                self.cond.notify_all()
            z = zipfile.ZipFile(io.BytesIO(data))
            infos = [i for i in z.infolist() if SHEET_PART.search(part_key(i))
                     and i.file_size <= MAX_PART]
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
