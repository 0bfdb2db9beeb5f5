"""The workbook file as a zip package: the checks made before anything inflates it.

Shared by the reader (xlsx/read.py) and the writer (xlsx/patch.py).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from acctbook.book.model import BookUnreadable

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
