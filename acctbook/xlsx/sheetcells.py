"""The streaming rewrite of one sheet part's cells: a byte-level pass that touches only the
affected `<row>` elements (3-4x faster than parsing a 40 MB sheet with lxml). Each cell keeps
its `s=` style; an existing `<c r="REF"` without a formula is swapped in place, anything else
(new cells, formulas, rows without r=) rebuilds its row.

Known limits: overwriting a shared-formula master turns the remaining cells of that shared
formula into ordinary formulas (translated with openpyxl's Translator); writing into a cell
of a multi-cell array formula other than its anchor is not detected (acctbook writes only
its own computed columns); a CDATA section holding a literal `</c>` or `</row>` would
confuse the pass (no known writer makes one).
"""

from __future__ import annotations

import bisect
import html
import re
from typing import Any

from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import letters_of, split_ref
from acctbook.book.model import AcctbookError, col_number
from acctbook.xlsx.cellxml import (MAX_COL, CellWriter, Styled, blank_update, esc, is_missing,
                                   style_attr)

# --- the streaming rewrite of one sheet part's cells -------------------------------------
_SHEETDATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b[^>]*?(/?)>")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ROW_NUM = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)""")
_CELL_COL = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]{1,3})""")
_TAG_NAME = re.compile(rb"^<[\w.:-]+")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f\b")
_DIMENSION = re.compile(rb"(<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*\")([^\"]*)(\")")
_COLS: dict[bytes, int] = {}


def _attrs(tag: bytes) -> dict[str, str]:
    return {m.group(1).decode(): (m.group(2) if m.group(2) is not None else m.group(3)).decode()
            for m in _ATTR.finditer(tag)}


def _layout(letters: tuple[bytes, ...]) -> tuple[int | None, int]:
    """(first, last) column of a row's cells by their letters; first None when they are not
    strictly left to right. The rows of a table mostly share one layout: kept, a few."""
    known = _LAYOUTS.get(letters)
    if known is None:
        cols = [_col_of(x) for x in letters]
        ordered = len(set(cols)) == len(cols) and cols == sorted(cols)
        known = (cols[0] if ordered else None, cols[-1])
        if len(_LAYOUTS) < 256:
            _LAYOUTS[letters] = known
    return known


_LAYOUTS: dict[tuple[bytes, ...], tuple[int | None, int]] = {}


def _col_of(letters: bytes) -> int:
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
        for start, stop, attrs in _elements(data, pos, end, b"<" + p + b"c", b"</" + p + b"c>"):
            if start != pos and data[pos:start].strip():
                extra.append(data[pos:start].strip())
            rm = _CELL_COL.search(attrs)
            col = _col_of(rm.group(1).upper()) if rm else col + 1
            self.cells.append((col, start, stop, attrs, rm is not None))
            pos = stop
        if data[pos:end].strip():
            extra.append(data[pos:end].strip())
        self.extra = b"".join(extra)


_NAME_END = (b" ", b">", b"/", b"\t", b"\n", b"\r")


def _elements(data: bytes, pos: int, end: int, open_tag: bytes, close_tag: bytes):
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


def column_styles(head: bytes) -> dict[int, str]:
    """Column -> its style, from the `<cols>` before sheetData (a style of 0 is General)."""
    out: dict[int, str] = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?col\b([^>]*)>", head):
        a = _attrs(m.group(1))
        if a.get("style") not in (None, "", "0") and a.get("min", "").isdigit() \
                and a.get("max", "").isdigit():
            for c in range(int(a["min"]), min(int(a["max"]), MAX_COL) + 1):
                out[c] = a["style"]
    return out


class SheetCells:
    """Rewrites the given cells in one sheet part, touching only their `<row>`s."""

    def __init__(self, data: bytes, writer: CellWriter, where: str):
        if data[:3] == b"\xef\xbb\xbf":
            data = data[3:]
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise AcctbookError(f"{where}: UTF-16 sheet parts are not supported")
        self.data, self.writer, self.where = data, writer, where
        self.formula_removed = False
        self.p = b""
        self.col_styles: dict[int, str] = {}

    def new_style(self, row_attrs: bytes | None, col: int) -> str | None:
        """The style Excel gives a cell typed into an empty spot: its row's (when the row
        is formatted), else its column's; so a new Revenue cell shows #,##0.00."""
        return self._row_style(row_attrs) or self.col_styles.get(col)

    @staticmethod
    def _row_style(row_attrs: bytes | None) -> str | None:
        """A formatted row's style (customFormat), else None."""
        if row_attrs and b'customFormat="1"' in row_attrs:
            m = ATTR_S.search(row_attrs)
            if m and m.group(1):
                return m.group(1).decode()
        return None

    def locate(self) -> tuple[bytes, int, int]:
        """(the part, sheetData opened up if empty, where its rows start and end)."""
        data = self.data
        m = _SHEETDATA.search(data)
        if not m:
            raise AcctbookError(f"{self.where}: the sheet has no sheetData")
        self.p = prefix = m.group(1)
        self.writer.p = prefix.decode()
        if m.group(2):   # <sheetData/>: open it up
            data = data[:m.start()] + b"<" + prefix + b"sheetData></" + prefix + b"sheetData>" + data[m.end():]
            body_start = m.start() + len(prefix) + 11
        else:
            body_start = m.end()
        body_end = data.find(b"</" + prefix + b"sheetData>", body_start)
        if body_end < 0:
            raise AcctbookError(f"{self.where}: the sheet's sheetData is not closed")
        self.col_styles = column_styles(data[:m.start()])
        return data, body_start, body_end

    def apply(self, updates: dict[tuple[int, int], Any]) -> bytes:
        data, body_start, body_end = self.locate()
        by_row: dict[int, dict[int, Any]] = {}
        for (r, c), v in updates.items():
            by_row.setdefault(r, {})[c] = v
        dim = _dimension_edit(data, by_row)     # before by_row loses the rows done in place
        rows, after = self.scan(data, body_start, body_end, max(by_row))
        edits = []
        for r in list(by_row):               # existing cells without formulas: swap them in place
            fast = self._fast_cells(data, rows[r], by_row[r]) if r in rows else None
            if fast is not None:
                edits += fast
                del by_row[r]
        if by_row:
            edits += self._slow_rows(data, rows, after, by_row, body_start, body_end)
        edits.sort(key=lambda e: (e[0], e[1]))
        edits = [e for e in edits if data[e[0]:e[1]] != e[2]]   # a cell written as it was
        if dim is not None:
            edits.insert(0, dim)               # the dimension comes before sheetData
        if not edits:
            return data                        # nothing changes: the part stays as it is
        whole, out, last = memoryview(data), [], 0     # unchanged stretches are not copied
        for a, b, new in edits:
            out += [whole[last:a], new]
            last = b
        out.append(whole[last:])
        return b"".join(out)

    def _fast_cells(self, data: bytes, row: Row, updates: dict[int, Any]):
        """Edits replacing just the cells, when each exists as `<c r="REF"` with no formula."""
        if row.body is None:
            return None
        p, (lo, hi) = self.p, row.body
        close = b"</" + p + b"c>"
        formulas = None              # whether the row has any; else no cell needs a look
        edits = []
        for col, value in updates.items():
            ref = cell_ref(row.num, col)
            needle = b"<" + p + b'c r="' + ref.encode() + b'"'
            i = data.find(needle, lo, hi)
            if i < 0:
                if blank_update(value):
                    continue      # no cell and nothing to put there: the rebuild would skip it too
                return None
            gt = data.find(b">", i, hi)
            stop = gt + 1 if data[gt - 1:gt] == b"/" else data.find(close, gt, hi) + len(close)
            if formulas is None:
                formulas = _FORMULA_TAG.search(data, lo, hi) is not None
            if stop < gt or formulas and _FORMULA.search(data, i, stop):
                return None
            style = ATTR_S.search(data, i + len(p) + 2, gt)
            edits.append((i, stop, self._cell(ref, value, style.group(1).decode() if style else None)))
        return edits

    def _slow_rows(self, data, rows, after, by_row, body_start, body_end):
        """Rebuild whole rows: new cells, formulas, shared-formula masters, rows without `r`."""
        broken = self._broken_masters(data, rows, by_row)
        spans = [_range_rows(ref) for ref, _ in broken.values()]
        if broken:
            rows, after = self.scan(data, body_start, body_end, max(max(b for _, b in spans), max(by_row)))
        edits = []
        appended = {} if broken else self._append_rows(data, rows, by_row)
        for r, row in rows.items():
            if r in by_row or any(a <= r <= b for a, b in spans):
                new = appended.get(r) if r in appended else (
                    self._append_cells(data, row, by_row[r]) if not broken and r in by_row else None)
                if new is None:
                    new = self._rewrite_row(data, row, by_row.get(r, {}), broken)
                elif not new:
                    continue
                if new is not None:
                    edits.append((row.start, row.end, new))
        return edits + self._new_rows(rows, after, by_row)

    def scan(self, data: bytes, start: int, end: int, upto: int) -> tuple[dict[int, Row], int]:
        """Rows numbered <= upto, and the offset where rows after them begin."""
        rows: dict[int, Row] = {}
        num = 0
        close = b"</" + self.p + b"row>"
        for i, stop, attrs in _elements(data, start, end, b"<" + self.p + b"row", close):
            r = _ROW_NUM.search(attrs)
            num = int(r.group(1)) if r else num + 1
            if num > upto:
                return rows, i
            body = (data.find(b">", i) + 1, stop - len(close)) if data[stop - 2:stop] != b"/>" else None
            rows[num] = Row(num, i, stop, attrs, body)
        return rows, end

    def _new_rows(self, rows: dict[int, Row], after: int, by_row) -> list[tuple[int, int, bytes]]:
        """Rows to create, each inserted before the first existing row numbered after it."""
        existing = sorted(rows)
        inserts: dict[int, list[bytes]] = {}
        for r in sorted(set(by_row) - set(rows)):
            i = bisect.bisect_right(existing, r)
            pos = rows[existing[i]].start if i < len(existing) else after
            new = self._new_row(r, by_row[r])
            if new:
                inserts.setdefault(pos, []).append(new)
        return [(pos, pos, b"".join(parts)) for pos, parts in inserts.items()]

    def _broken_masters(self, data, rows, by_row) -> dict[str, tuple[str, tuple[str, str]]]:
        """Shared-formula masters we overwrite: si -> (ref range, (master cell, formula))."""
        broken = {}
        for r, updates in by_row.items():
            row = rows.get(r)
            if row is None or data.find(b"<" + self.p + b"f", row.start, row.end) < 0:
                continue                      # no formula in the row: nothing shared to break
            row.parse(data, self.p)
            for col, start, end, _, _ in row.cells:
                if col not in updates:
                    continue
                fm = _FORMULA.search(data, start, end)
                if not fm:
                    continue
                fa = _attrs(fm.group(1))
                if fa.get("t") == "shared" and "ref" in fa and fm.group(2):
                    text = html.unescape(fm.group(2).decode())
                    broken[fa.get("si")] = (fa["ref"], (cell_ref(r, col), text))
        return broken

    def _append_rows(self, data: bytes, rows: dict[int, Row], by_row) -> dict[int, bytes]:
        """_append_cells of every row it can do without the row's own style, their new cells
        made a column at a time (CellWriter.column); {} when a value cannot be written (then
        each row is done on its own, and the bad cell named)."""
        todo = {}
        for r, updates in by_row.items():
            row = rows.get(r)
            if row is not None and self._row_style(row.attrs) is None:
                found = self._appendable(data, row, updates)
                if found is not None:
                    todo[r] = found
        if len(todo) < 2:
            return {}
        nums = list(todo)
        cols = sorted({c for r in nums for c in by_row[r]})
        try:
            made = [self.writer.column(letters_of(c), nums, [by_row[r].get(c) for r in nums],
                                       self.col_styles.get(c)) for c in cols]
        except ValueError:
            return {}
        p, out = self.p, {}
        for r, cells in zip(nums, zip(*made)):
            written = [c for c, cell in zip(cols, cells) if cell]
            if not written:
                out[r] = b""
                continue
            body, first = todo[r]
            attrs = _widen_spans(rows[r].attrs.rstrip(), written[0] if first is None else first,
                                 written[-1])
            out[r] = b"".join([b"<", p, b"row", attrs, b">", body, "".join(cells).encode("utf-8"),
                               b"</", p, b"row>"])
        return out

    def _append_cells(self, data: bytes, row: Row, updates: dict[int, Any]) -> bytes | None:
        """What _rewrite_row makes of a row whose updates all lie after its last cell (computed
        columns filled for the first time), built without parsing its cells; b"" when nothing
        changes. None when the full rebuild is needed: a formula, a cell without a leading
        `r`, whitespace or other elements between cells, or an update on an existing cell."""
        found = self._appendable(data, row, updates)
        if found is None:
            return None
        body, first = found
        p, cols = self.p, [c for c in sorted(updates) if not blank_update(updates[c])]
        if not cols:
            return b""
        attrs = _widen_spans(row.attrs.rstrip(), cols[0] if first is None else first, cols[-1])
        return b"".join([b"<", p, b"row", attrs, b">", body, self._new_cells(row, cols, updates),
                         b"</", p, b"row>"])

    def _appendable(self, data: bytes, row: Row, updates: dict[int, Any]
                    ) -> tuple[bytes, int | None] | None:
        """(the row's cells as they are, its first column or None when it has none) when
        `updates` can be appended after its last cell; else None (see _append_cells)."""
        p = self.p
        if not _ROW_NUM.search(row.attrs):
            return None
        body, first = b"", None
        if row.body is not None:
            lo, hi = row.body
            if data.find(b"<" + p + b"f", lo, hi) >= 0:
                return None
            body = data[lo:hi]
            refs, tags = _cell_patterns(p)
            letters = refs.findall(body)
            if letters:
                if (len(letters) != len(tags.findall(body)) or _GAP.search(body)
                        or not body.startswith(b"<" + p + b'c r="')
                        or not (body.endswith(b"</" + p + b"c>") or (
                            body.endswith(b"/>") and body.rfind(b"<") == body.rfind(b"<" + p + b'c r="')))):
                    return None
                first, last = _layout(tuple(letters))
                if first is None or min(updates) <= last:
                    return None           # not strictly left to right, or an update on a cell
            elif body.strip():
                return None
        return body, first

    def _new_cells(self, row: Row, cols: list[int], updates: dict[int, Any]) -> bytes:
        """The cells of `cols` (none blank) appended to a row, in its style or their columns'."""
        values = [updates[c] for c in cols]
        own = self._row_style(row.attrs)
        styles = [own] * len(cols) if own else [self.col_styles.get(c) for c in cols]
        if Styled not in set(map(type, values)):
            try:
                return self.writer.cells(row.num, [letters_of(c) for c in cols], values,
                                         styles).encode("utf-8")
            except ValueError:
                pass                            # said below, with the cell's reference
        return b"".join(self._cell(cell_ref(row.num, c), v, None, style)
                        for c, v, style in zip(cols, values, styles))

    def _rewrite_row(self, data: bytes, row: Row, updates: dict[int, Any], broken) -> bytes | None:
        row.parse(data, self.p)
        cells: list[tuple[int, bytes]] = []
        touched = False
        attrs = row.attrs.rstrip()
        if not _ROW_NUM.search(attrs):
            attrs = b' r="%d"' % row.num + attrs
            touched = True
        have = set()
        for col, start, end, cell_attrs, has_r in row.cells:
            have.add(col)
            if col in updates:
                if _FORMULA.search(data, start, end):
                    self.formula_removed = True
                style = ATTR_S.search(cell_attrs)
                cells.append((col, self._cell(cell_ref(row.num, col), updates[col],
                                              style.group(1).decode() if style else None)))
                touched = True
                continue
            raw = data[start:end]
            if broken:
                raw2 = self._unshare(raw, cell_ref(row.num, col), broken)
                touched |= raw2 is not raw
                raw = raw2
            if not has_r:
                raw = _TAG_NAME.sub(lambda m: m.group(0) + b' r="%s"' % cell_ref(row.num, col).encode(), raw, 1)
            cells.append((col, raw))
        for col in sorted(set(updates) - have):
            if not blank_update(updates[col]):
                cells.append((col, self._cell(cell_ref(row.num, col), updates[col], None,
                                              self.new_style(row.attrs, col))))
                touched = True
        if not touched:
            return None
        cells.sort(key=lambda x: x[0])
        if cells:
            attrs = _widen_spans(attrs, cells[0][0], cells[-1][0])
        p = self.p
        return b"".join([b"<", p, b"row", attrs, b">", *(c for _, c in cells), row.extra, b"</", p, b"row>"])

    def _unshare(self, raw: bytes, ref: str, broken) -> bytes:
        fm = _FORMULA.search(raw)
        if not fm:
            return raw
        fa = _attrs(fm.group(1))
        if fa.get("t") != "shared" or fa.get("si") not in broken or "ref" in fa:
            return raw
        from openpyxl.formula.translate import Translator, TranslatorError  # only on this rare path
        master, text = broken[fa["si"]][1]
        try:
            formula = Translator("=" + text, origin=master).translate_formula(ref)[1:]
        except TranslatorError as e:
            raise AcctbookError(f"{self.where}!{master}: cannot overwrite this shared formula "
                                f"without breaking {ref} ({e})") from None
        new_f = b"<" + self.p + b"f>" + esc(formula).encode() + b"</" + self.p + b"f>"
        return raw[:fm.start()] + new_f + raw[fm.end():]

    def _new_row(self, num: int, updates: dict[int, Any]) -> bytes:
        cells = [self._cell(cell_ref(num, c), v, None, self.new_style(None, c))
                 for c, v in sorted(updates.items()) if not blank_update(v)]
        if not cells:
            return b""
        p = self.p
        return b'<' + p + b'row r="%d">' % num + b"".join(cells) + b"</" + p + b"row>"

    def _cell(self, ref: str, value: Any, style: str | None, fallback: str | None = None) -> bytes:
        """`style`: the cell's own; else an appended row's (the row above); else `fallback`
        (a new cell's row or column style)."""
        if type(value) is not Styled:       # the usual case, in one step
            try:
                return self.writer.xml(ref, value, style if style not in (None, "") else
                                       fallback).encode("utf-8")
            except ValueError as e:
                raise AcctbookError(f"{self.where}!{ref}: {e}") from None
        style = style if style not in (None, "") else value.style
        if style in (None, ""):
            style = fallback
        if value.formula is not None:
            p = self.writer.p
            return (f'<{p}c r="{ref}"{style_attr(style)}><{p}f>{esc(value.formula)}</{p}f></{p}c>'
                    ).encode("utf-8")
        return self._cell(ref, value.value, style)


ATTR_S = re.compile(rb"""(?:^|\s)s\s*=\s*["'](\d*)""")
_GAP = re.compile(rb">\s+<")
_CELL_PATTERNS: dict[bytes, tuple[re.Pattern, re.Pattern]] = {}


def _cell_patterns(p: bytes) -> tuple[re.Pattern, re.Pattern]:
    """(column letters of each `<c r="A1"`, every `<c` tag) for the prefix p."""
    pats = _CELL_PATTERNS.get(p)
    if pats is None:
        c = b"<" + re.escape(p) + b"c"
        pats = _CELL_PATTERNS[p] = (re.compile(c + rb' r="([A-Z]{1,3})\d+"'), re.compile(c + rb"[\s>/]"))
    return pats
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s>/]")


def row_values(data: bytes, row: "Row | None", p: bytes, c1: int, c2: int) -> set[int]:
    """The columns c1..c2 of a row whose cells hold a value or formula (not just a style)."""
    if row is None:
        return set()
    row.parse(data, p)
    return {col for col, start, end, _, _ in row.cells
            if c1 <= col <= c2 and _HAS_VALUE.search(data, start, end)}


def _range_rows(ref: str) -> tuple[int, int]:
    parts = ref.split(":")
    return split_ref(parts[0])[0], split_ref(parts[-1])[0]


def _widen_spans(tag: bytes, lo: int, hi: int) -> bytes:
    if b"spans" not in tag:
        return tag
    m = re.search(rb'\bspans\s*=\s*"(\d+):(\d+)"', tag)
    if not m:
        return tag
    a, b = min(int(m.group(1)), lo), max(int(m.group(2)), hi)
    return tag[:m.start()] + b'spans="%d:%d"' % (a, b) + tag[m.end():]


def _dimension_edit(data: bytes, by_row: dict[int, dict[int, Any]]
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
