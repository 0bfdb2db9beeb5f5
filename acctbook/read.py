"""Reading a workbook file: python-calamine finds the tables by name (the fast path).

This adapter only turns a file into RawTables; typing and checks live in load.py
and rules.py, which also serve the xlwings adapter. It is imported lazily so the
core stays importable where python-calamine is absent (xlwings Lite).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from . import schema
from .model import BookUnreadable, RawTable

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# A zip whose parts would inflate beyond these is refused before anything inflates it.
MAX_TOTAL_UNCOMPRESSED = 1 << 30          # 1 GiB declared in all
MAX_RATIO = 200                           # ... or a big part inflating more than this
BIG_PART = 16 << 20                       # "big" for the ratio check


def check_bounds(path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from its declared sizes (the reader and the writer both ask)."""
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise BookUnreadable(f"{path}: refused, its parts would inflate to "
                             f"{total >> 20} MiB (limit {MAX_TOTAL_UNCOMPRESSED >> 20} MiB)")
    for i in infos:
        if i.file_size > BIG_PART and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise BookUnreadable(f"{path}: refused, part {i.filename} would inflate "
                                 f"{i.file_size // max(i.compress_size, 1)}x")
    if len(infos) >= 0xFFFF:
        raise BookUnreadable(f"{path}: too many parts ({len(infos)})")


def check_file(path: str | os.PathLike) -> Path:
    """Fail with one clear line unless `path` is a readable .xlsx/.xlsm zip."""
    p = Path(path)
    if not p.exists():
        raise BookUnreadable(f"{p}: no such file")
    if p.is_dir():
        raise BookUnreadable(f"{p}: is a folder, not a workbook")
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise BookUnreadable(f"{p}: cannot read: {e.strerror or e}") from None
    if head == _OLE:
        raise BookUnreadable(f"{p}: encrypted (password-protected) or legacy .xls workbook; "
                             "save it as an unprotected .xlsx first")
    if not head.startswith(b"PK"):
        raise BookUnreadable(f"{p}: not an Excel workbook (.xlsx or .xlsm)")
    try:
        with zipfile.ZipFile(p) as z:
            if "xl/workbook.xml" not in z.namelist() and not any(
                    n.endswith("workbook.xml") for n in z.namelist()):
                raise BookUnreadable(f"{p}: a zip file, but not an Excel workbook")
            check_bounds(p, z.infolist())
    except zipfile.BadZipFile as e:
        raise BookUnreadable(f"{p}: corrupt workbook file ({e})") from None
    return p


# Above this file size tables are read by two threads, each with its own workbook:
# calamine parses a sheet without holding the GIL, so the two big sheets overlap, and
# the caller types the tables already read meanwhile.
PARALLEL_ABOVE = 2_000_000


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
    except Exception as e:  # calamine raises its own types for broken XML/zip parts
        raise BookUnreadable(f"{p}: cannot read workbook ({type(e).__name__}: {e})") from None
    rank = {n: i for i, n in enumerate(first)}
    todo = sorted(last.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    if os.path.getsize(p) >= PARALLEL_ABOVE and len(todo) > 1:
        stream = _read_parallel(pc, p, wb, todo)
    else:
        stream = _read_serial(p, wb, todo)
    return list(last), stream


def _unreadable(p, e: Exception) -> BookUnreadable:
    if isinstance(e, BookUnreadable):
        return e
    return BookUnreadable(f"{p}: cannot read workbook ({type(e).__name__}: {e})")


def _read_serial(p, wb, todo):
    try:
        for canon, tname in todo:
            try:
                parts = _read_one(wb, tname)
            except Exception as e:
                raise _unreadable(p, e) from None
            yield canon, RawTable(canon, *parts)
    finally:
        wb.close()


def _read_parallel(pc, p, wb, todo):
    """Two threads take the next table left; results come back as they are done."""
    import queue
    import threading
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
    except Exception as e:
        wb.close()
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
