"""A table's column rules follow the table as it grows: data validation (drop-downs, date and
number bounds) and conditional formats whose ranges cover a table column from its first data
row, and which the table has outgrown, are extended to the table's last row plus
RULE_MARGIN rows (docs/excel.md, "Drop-downs when a table grows").

A new workbook's rules reach RULE_MARGIN rows past its data (acctbook.create.workbook's
GROW_ROWS, the same number). Excel carries a table's rules into the rows it gains as
you type; a book grown elsewhere (rows pasted, LibreOffice, `refresh --adopt-rows`,
`append`) is mended here. Only the ranges are rewritten, as bytes in the part's tail after
sheetData: the rules themselves, every cell and every other byte stay as they are, and a
sheet part whose tables have not outgrown their rules is not touched at all.

Which ranges count as a column rule of a table: in one rule's ranges (`sqref`, or the
`xm:sqref` of Excel 2010's extension rules), the pieces over the same columns, inside the
table's columns, that start at its header or first data row and reach more than one row;
the bottom piece is extended when it ends above the table's last data row. A rule on a
single cell, on the header alone, or on a piece starting further down is the user's own and
is left as it is (so is a gap the user cut into a rule).
"""

from __future__ import annotations

import re
from typing import Iterable

from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import split_ref
from acctbook.xlsx.cellxml import MAX_ROW
from acctbook.xlsx.package import canon
from acctbook.xlsx.parts import Parts

RULE_MARGIN = 1000      # rows past a table's last row that its column rules reach

# (header row, first data row, last data row, first column, last column) of one table.
Box = tuple[int, int, int, int, int]

_RULE_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:dataValidation|conditionalFormatting)\b[^>]*>")
_SQREF_ATTR = re.compile(rb"""(\ssqref\s*=\s*)(["'])([^"']*)\2""")
_EXT_BLOCK = re.compile(rb"<((?:[\w.-]+:)?)(dataValidations|conditionalFormattings)\b"
                        rb"[^>]*?(?:/>|>.*?</\1\2\s*>)", re.S)
_EXT_SQREF = re.compile(rb"(<(?:[\w.-]+:)?sqref\s*>)([^<]*)(</(?:[\w.-]+:)?sqref\s*>)")
_PIECE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


def table_boxes(parts: Parts, part: str, names: set[str] | None = None) -> list[Box]:
    """The tables of one sheet part as they stand in this patch (a ref grown by append or
    --adopt-rows included); only those named in `names` (lower case) when given."""
    out = []
    for _, ty, target, _ in parts.rels(part):
        if not ty.endswith("/table") or not parts.pkg.name(target):
            continue
        root = parts.tree(target).getroot()
        if names is not None and not {(root.get(k) or "").lower()
                                      for k in ("name", "displayName")} & names:
            continue
        try:
            (r1, c1), (r2, c2) = (split_ref(x) for x in (root.get("ref") or "").split(":"))
        except ValueError:
            continue                        # a one-cell or unreadable ref: no rows to follow
        header = (root.get("headerRowCount") or "1") != "0"
        totals = root.get("totalsRowCount") or "0"
        first, last = r1 + header, r2 - (int(totals) if totals.isdigit() else 0)
        if last >= first:
            out.append((r1, first, last, min(c1, c2), max(c1, c2)))
    return out


def extend_rules(parts: Parts, tables: Iterable[str] | None = None,
                 skip: Iterable[str] = (), margin: int = RULE_MARGIN) -> list[str]:
    """Extend the column rules of the tables named in `tables` (every table when None) that
    have outgrown them, on every worksheet but those named in `skip` (sheets this patch
    rebuilds). Returns the sheet parts rewritten."""
    wanted = None if tables is None else {t.lower() for t in tables}
    skipped = {s.lower() for s in skip}
    done = []
    for sheet, part in parts.sheets:
        if part is None or sheet.lower() in skipped:
            continue
        boxes = table_boxes(parts, part, wanted)
        if not boxes or _within_rules(parts, part, boxes, margin):
            continue
        new = grown_rules(parts.current(part), boxes, margin)
        if new is not None:
            parts.set(part, new)
            done.append(canon(part))
    return done


def _within_rules(parts: Parts, part: str, boxes: list[Box], margin: int) -> bool:
    """True when the part's last bytes, kept by the reader (Parts.sheet_tails), show that
    no rule is outgrown: a 50 MB sheet is then not inflated a second time."""
    name = parts.pkg.name(part)
    if name is None:
        return False
    tail = parts.new_tail(name) if name in parts.parts else \
        parts.sheet_tails.get(canon(name).lower())       # rewritten in this patch, or as read
    if tail is None or not (b"sheetData>" in tail or b"sheetData/>" in tail):
        return False
    return grown_rules(tail, boxes, margin) is None


def grown_rules(xml: bytes, boxes: list[Box], margin: int = RULE_MARGIN) -> bytes | None:
    """The sheet part with its outgrown column rules extended, or None when none is."""
    # The rules come after sheetData: only that tail is searched (found from the end, so
    # a 40 MB sheet costs no scan of its cells).
    end = max(xml.rfind(b"sheetData>"), xml.rfind(b"sheetData/>"))
    start = xml.find(b">", end) + 1 if end >= 0 else 0
    tail = xml[start:]
    if b"sqref" not in tail:
        return None

    def attr(tag: re.Match) -> bytes:
        return _SQREF_ATTR.sub(lambda a: a[1] + a[2] + _grow(a[3], boxes, margin) + a[2], tag[0],
                               count=1)

    def ext(block: re.Match) -> bytes:
        return _EXT_SQREF.sub(lambda s: s[1] + _grow(s[2], boxes, margin) + s[3], block[0])

    new = _EXT_BLOCK.sub(ext, _RULE_TAG.sub(attr, tail))
    return None if new == tail else xml[:start] + new


def _grow(sqref: bytes, boxes: list[Box], margin: int) -> bytes:
    """One rule's ranges with the table column pieces it has outgrown extended."""
    text = sqref.decode("ascii", "replace")
    pieces = text.split()
    parsed = [_piece(p) for p in pieces]
    changed = False
    for top, first, last, c1, c2 in boxes:
        groups: dict[tuple[int, int], list[int]] = {}
        for i, p in enumerate(parsed):
            if p is not None and c1 <= p[1] and p[3] <= c2:
                groups.setdefault((p[1], p[3]), []).append(i)
        for idx in groups.values():
            start = min(parsed[i][0] for i in idx)
            bottom = max(idx, key=lambda i: parsed[i][2])
            ra, ca, rb, cb = parsed[bottom]
            if not top <= start <= first or rb <= start or not first <= rb < last:
                continue
            end = min(last + margin, MAX_ROW)
            parsed[bottom] = (ra, ca, end, cb)
            pieces[bottom] = f"{cell_ref(ra, ca)}:{cell_ref(end, cb)}"
            changed = True
    return " ".join(pieces).encode("ascii") if changed else sqref


def _piece(text: str) -> tuple[int, int, int, int] | None:
    """"B2:C10" -> (2, 2, 10, 3): top row, left column, bottom row, right column."""
    m = _PIECE.match(text)
    if not m:
        return None                           # whole columns (A:A) already reach every row
    a, b = split_ref(m[1] + m[2]), split_ref((m[3] or m[1]) + (m[4] or m[2]))
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])
