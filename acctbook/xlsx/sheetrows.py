"""Where a sheet part's rows and cells are, found in its bytes (str.find is memchr-fast;
no XML parser): the `<row>` elements, each row's cells and layout, formulas, the
`<dimension>` and the row's spans. Nothing here writes; sheetcells.py does, from these.
"""

from __future__ import annotations

import re
from typing import Any

from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import split_ref
from acctbook.book.model import col_number
from acctbook.xlsx.cellxml import MAX_COL, is_missing

SHEETDATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b[^>]*?(/?)>")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
ROW_NUM = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)""")
_CELL_COL = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]{1,3})""")
TAG_NAME = re.compile(rb"^<[\w.:-]+")
FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_FORMULA_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_DIMENSION = re.compile(rb"(<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*\")([^\"]*)(\")")
_COLS: dict[bytes, int] = {}


def attrs_of(tag: bytes) -> dict[str, str]:
    return {m.group(1).decode(): (m.group(2) if m.group(2) is not None else m.group(3)).decode()
            for m in _ATTR.finditer(tag)}


def layout(letters: tuple[bytes, ...]) -> tuple[int | None, int]:
    """(first, last) column of a row's cells by their letters; first None when they are not
    strictly left to right. The rows of a table mostly share one layout: kept, a few."""
    known = _LAYOUTS.get(letters)
    if known is None:
        cols = [col_of(x) for x in letters]
        ordered = len(set(cols)) == len(cols) and cols == sorted(cols)
        known = (cols[0] if ordered else None, cols[-1])
        if len(_LAYOUTS) < 256:
            _LAYOUTS[letters] = known
    return known


_LAYOUTS: dict[tuple[bytes, ...], tuple[int | None, int]] = {}


def col_of(letters: bytes) -> int:
    col = _COLS.get(letters)
    if col is None:
        col = _COLS[letters] = col_number(letters.decode())
    return col


class Row:
    """One `<row>` found in the part: positions into the part's bytes, cells parsed on demand."""
    __slots__ = ("num", "start", "end", "attrs", "body", "cells", "extra")

    def __init__(self, num: int, start: int, end: int, attrs: bytes, body: tuple[int, int] | None):
        self.num, self.start, self.end, self.attrs, self.body = num, start, end, attrs, body
        self.cells: list[tuple[int, int, int, bytes, bool]] | None = None  # col, start, end, attrs, has r
        self.extra = b""

    def parse(self, data: bytes, p: bytes) -> None:
        if self.cells is not None:
            return
        self.cells, col, extra = [], 0, []
        if self.body is None:
            return
        pos, end = self.body
        for start, stop, attrs in elements(data, pos, end, b"<" + p + b"c", b"</" + p + b"c>"):
            if start != pos and data[pos:start].strip():
                extra.append(data[pos:start].strip())
            rm = _CELL_COL.search(attrs)
            col = col_of(rm.group(1).upper()) if rm else col + 1
            self.cells.append((col, start, stop, attrs, rm is not None))
            pos = stop
        if data[pos:end].strip():
            extra.append(data[pos:end].strip())
        self.extra = b"".join(extra)


_NAME_END = (b" ", b">", b"/", b"\t", b"\n", b"\r")


def elements(data: bytes, pos: int, end: int, open_tag: bytes, close_tag: bytes):
    """(start, stop, attributes) of each element `open_tag...` in data[pos:end].

    str.find is memchr-fast: 3-4x quicker than one regex over a 40 MB sheet part.
    """
    n = len(open_tag)
    while True:
        i = data.find(open_tag, pos, end)
        if i < 0:
            return
        j = i + n
        if data[j:j + 1] not in _NAME_END:        # <cfRule, <rowBreaks...: not ours
            pos = j
            continue
        gt = data.find(b">", j, end)
        if gt < 0:
            raise ValueError(f"unclosed tag at byte {i}")
        if data[gt - 1:gt] == b"/":
            yield i, gt + 1, data[j:gt - 1]
            pos = gt + 1
            continue
        k = data.find(close_tag, gt, end)
        if k < 0:
            raise ValueError(f"unclosed element at byte {i}")
        pos = k + len(close_tag)
        yield i, pos, data[j:gt]


def has_formula(xml: bytes) -> bool:
    """Whether a sheet part holds a formula (an `<f>` element, any prefix). Most hold none:
    two plain searches (memchr-fast) rule it out before the regex looks at every `<`."""
    return (b"<f" in xml or b":f" in xml) and _FORMULA_ELEMENT.search(xml) is not None


def column_styles(head: bytes) -> dict[int, str]:
    """Column -> its style, from the `<cols>` before sheetData (a style of 0 is General)."""
    out: dict[int, str] = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?col\b([^>]*)>", head):
        a = attrs_of(m.group(1))
        if a.get("style") not in (None, "", "0") and a.get("min", "").isdigit() \
                and a.get("max", "").isdigit():
            for c in range(int(a["min"]), min(int(a["max"]), MAX_COL) + 1):
                out[c] = a["style"]
    return out



LETTERS_AT = re.compile(rb"([A-Z]{1,3})\d")
ATTR_S = re.compile(rb"""(?:^|\s)s\s*=\s*["'](\d*)""")
GAP = re.compile(rb">\s+<")
_CELL_LETTERS: dict[bytes, re.Pattern] = {}


def cell_letters(p: bytes) -> re.Pattern:
    """For the prefix p: every `<c` tag, found with its column letters when it starts with
    `r="A1"`, else with b"" (findall: one item a cell)."""
    pat = _CELL_LETTERS.get(p)
    if pat is None:
        pat = _CELL_LETTERS[p] = re.compile(b"<" + re.escape(p) + rb'c(?: r="([A-Z]{1,3})\d+"|(?=[\s>/]))')
    return pat


_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s>/]")


def row_values(data: bytes, row: "Row | None", p: bytes, c1: int, c2: int) -> set[int]:
    """The columns c1..c2 of a row whose cells hold a value or formula (not just a style)."""
    if row is None:
        return set()
    row.parse(data, p)
    return {col for col, start, end, _, _ in row.cells
            if c1 <= col <= c2 and _HAS_VALUE.search(data, start, end)}


def range_rows(ref: str) -> tuple[int, int]:
    parts = ref.split(":")
    return split_ref(parts[0])[0], split_ref(parts[-1])[0]


def widen_spans(tag: bytes, lo: int, hi: int) -> bytes:
    if b"spans" not in tag:
        return tag
    m = re.search(rb'\bspans\s*=\s*"(\d+):(\d+)"', tag)
    if not m:
        return tag
    a, b = min(int(m.group(1)), lo), max(int(m.group(2)), hi)
    return tag[:m.start()] + b'spans="%d:%d"' % (a, b) + tag[m.end():]


def dimension_edit(data: bytes, by_row: dict[int, dict[int, Any]]
                    ) -> tuple[int, int, bytes] | None:
    """The edit growing the part's `<dimension ref>` over the cells given a value (by_row:
    row -> {column: value}), if it must grow."""
    head_end = data.find(b"sheetData")
    m = _DIMENSION.search(data, 0, head_end if head_end > 0 else len(data))
    if not m or not by_row:
        return None
    try:
        parts = m.group(2).decode().split(":")
        (r1, c1), (r2, c2) = split_ref(parts[0]), split_ref(parts[-1])
    except ValueError:
        return None
    cols = set().union(*by_row.values())
    if r1 <= min(by_row) and max(by_row) <= r2 and c1 <= min(cols) and max(cols) <= c2:
        return None                 # every cell given lies inside it, valued or not
    # the rows and the columns that get a value (any() stops at the first)
    order = sorted(by_row)
    filled = [r for r in order if not all(map(is_missing, by_row[r].values()))]
    if not filled:
        return None
    cols = {c for c in cols if any(not is_missing(by_row[r].get(c)) for r in filled)}
    nr1, nc1, nr2, nc2 = min(r1, filled[0]), min(c1, *cols), max(r2, filled[-1]), max(c2, *cols)
    if (nr1, nc1, nr2, nc2) == (r1, c1, r2, c2):
        return None
    return m.start(2), m.end(2), f"{cell_ref(nr1, nc1)}:{cell_ref(nr2, nc2)}".encode()
