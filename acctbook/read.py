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

SUFFIXES = (".xlsx", ".xlsm")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    except zipfile.BadZipFile as e:
        raise BookUnreadable(f"{p}: corrupt workbook file ({e})") from None
    return p


def read_tables(path: str | os.PathLike, names=None) -> dict[str, RawTable]:
    """Every acctbook table found in the file, by table name (case-insensitive)."""
    p = check_file(path)
    try:
        import python_calamine as pc
    except ImportError:  # pragma: no cover - only where calamine is absent
        raise BookUnreadable("reading files needs python-calamine: pip install python-calamine")
    wanted = {n.casefold(): n for n in (names or schema.TABLES)}
    try:
        wb = pc.CalamineWorkbook.from_path(str(p), load_tables=True)
        found = {}
        for tname in wb.table_names:
            canon = wanted.get(tname.casefold())
            if canon is None:
                continue
            t = wb.get_table_by_name(tname)
            # calamine's `start` is the first data row (0-based), i.e. the header's Excel row
            header_row, first_col = t.start[0], t.start[1] + 1
            rows = t.to_python()
            found[canon] = RawTable(canon, t.sheet, header_row, first_col,
                                    [str(c) for c in t.columns], rows)
        wb.close()
    except BookUnreadable:
        raise
    except Exception as e:  # calamine raises its own types for broken XML/zip parts
        raise BookUnreadable(f"{p}: cannot read workbook ({type(e).__name__}: {e})") from None
    return found
