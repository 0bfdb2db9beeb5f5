"""A list to import (`acctbook import`), read from the file it is in: .xlsx, .xlsm, .xls,
.xlsb and .ods through python-calamine (a plain range or a table; merged title cells read
as one value and blanks), .csv and .txt through the csv module, the encoding found by
charset-normalizer (UTF-8 with or without BOM, Windows-1255, …) and the delimiter by
csv.Sniffer. The header row is found even below a title (book.headers.header_row). Nothing
is typed here: the cells are handed over as the file holds them.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from acctbook.book.headers import header_row
from acctbook.book.i18n import tr
from acctbook.book.importrows import SourceTable
from acctbook.book.model import BookUnreadable
from acctbook.xlsx.errors import error

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXTS = (".csv", ".txt", ".tsv")
MAX_BYTES = 200 << 20


def read_source(path, sheet: str | None = None) -> SourceTable:
    """The list in `path` (on `sheet`, else the first sheet holding one). Unreadable files
    raise BookUnreadable (exit 2), said in the reader's language."""
    p = Path(os.fspath(path))
    if not p.is_file():
        raise error(BookUnreadable, tr("en", "{file}: no such file"), file=p)
    suffix = p.suffix.lower()
    if suffix in TEXTS:
        rows, where = _csv_rows(p), None
    elif suffix in SPREADSHEETS:
        rows, where = _sheet_rows(p, sheet)
    else:
        raise error(BookUnreadable, tr("en", "{file}: not a list acctbook can read (use .csv, "
                                             ".xlsx, .xlsm, .xls, .xlsb or .ods)"), file=p)
    rows = [list(r) for r in rows]
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    if not rows:
        raise error(BookUnreadable, tr("en", "{file}: holds no rows"), file=p)
    h = header_row(rows)
    width = max(len(r) for r in rows)
    head = [("" if v is None else str(v).strip()) for v in rows[h]] + [""] * width
    last = max((i for i, v in enumerate(head) if v), default=0) + 1
    body = [(r + [None] * width)[:last] for r in rows[h + 1:]]
    return SourceTable(p.name, where, h + 1, head[:last], body,
                       list(range(h + 2, h + 2 + len(body))))


def _csv_rows(p: Path) -> list[list]:
    data = p.read_bytes()[:MAX_BYTES]
    text = _decode(data, p)
    sample = text[:64 << 10]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [[v if v.strip() else None for v in row]
            for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _decode(data: bytes, p: Path) -> str:
    """The text: UTF-8 (with or without BOM) when it decodes, else what charset-normalizer
    finds (Windows-1255 for a Hebrew CSV out of an older Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    best = from_bytes(data, cp_isolation=["cp1255", "cp1252", "utf_16"]).best() or \
        from_bytes(data).best()
    if best is None:
        raise error(BookUnreadable, tr("en", "{file}: not a text file acctbook can read"),
                    file=p)
    return str(best)


def _sheet_rows(p: Path, sheet: str | None) -> tuple[list[list], str]:
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_path(str(p))
    except Exception as e:              # calamine raises its own error types
        raise error(BookUnreadable, tr("en", "{file}: cannot be read ({error})"),
                    file=p, error=str(e).splitlines()[0] if str(e) else type(e).__name__) from e
    names = wb.sheet_names
    if sheet is not None and sheet not in names:
        raise error(BookUnreadable, tr("en", "{file}: no sheet named '{sheet}' (it has "
                                             "{sheets})"), file=p, sheet=sheet,
                    sheets=", ".join(names))
    for name in ([sheet] if sheet else names):
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if any(any(v not in (None, "") for v in r) for r in rows):
            return rows, name
    return [], names[0] if names else ""
