"""Rows added at the end of an existing table, found by name on any sheet, columns by header
text. Trailing blank table rows are filled first; the rows below must be empty (else
Refused) and join the table (its ref and autoFilter grow). New cells take the style of the
cell above (else the column's), calculated columns their formula. A table with a totals
row is refused. The table's drop-downs and conditional formats follow it when it grows past
them: patch.apply extends them after the append (validation.py).
"""

from __future__ import annotations

import os
from typing import Any

from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import split_ref
from acctbook.book.i18n import tr
from acctbook.book.model import AcctbookError, BookUnreadable, Refused
from acctbook.book.schema import fold
from acctbook.xlsx.cellxml import MAX_ROW, CellWriter, Styled
from acctbook.xlsx.errors import error
from acctbook.xlsx.package import canon, find_child, find_children
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.sheetcells import SheetCells
from acctbook.xlsx.sheetrows import ATTR_S, column_styles, row_values


def append(parts: Parts, table: str, rows: list[dict], generated: set[str]) -> None:
    """Add `rows` at the table's end: its trailing blank rows are filled first, then the
    rows below it (which must be empty) join the table. New cells take the style of the
    cell above (else the column's style); calculated columns get their formula."""
    sheet, part, tpart, root = parts.find_table(table)
    if sheet.lower() in generated:
        raise AcctbookError(f"table {table!r} is on a sheet this patch rebuilds")
    if (root.get("totalsRowCount") or "0") != "0":
        raise error(AcctbookError, tr("en", "{book}: table {table} has a totals row; turn it "
                                            "off in Excel (Table Design > Total Row) and try "
                                            "again"), book=parts.pkg.path, table=repr(table))
    (r1, c1), (r2, c2) = (split_ref(x) for x in root.get("ref", "").split(":"))
    cols = find_children(find_child(root, "tableColumns"), "tableColumn")
    if len(cols) != c2 - c1 + 1:
        raise BookUnreadable(f"{parts.pkg.path}: table {table!r} has {len(cols)} columns for "
                             f"its range {root.get('ref')}")
    first = r1 + (0 if root.get("headerRowCount") == "0" else 1)
    formulas = {c1 + i: f.text for i, tc in enumerate(cols)
                if (f := find_child(tc, "calculatedColumnFormula")) is not None and f.text
                and f.get("array") not in ("1", "true")}
    values = [_row_by_column(parts, table, cols, c1, row) for row in rows]
    writer = CellWriter(parts.styles, parts.date1904)
    where = f"{os.path.basename(parts.pkg.path)}:{sheet}"
    sc = SheetCells(parts.current(part), writer, where)
    data, body_start, body_end = sc.locate()
    found, _ = sc.scan(data, body_start, body_end, r2 + len(rows))
    filled = {r: row_values(data, found.get(r), sc.p, c1, c2) for r in range(first, r2 + len(rows) + 1)}
    start = r2 + 1
    while start > first and not (filled[start - 1] - set(formulas)):
        start -= 1                      # trailing blank table rows are filled first
    end = start + len(rows) - 1
    if end > MAX_ROW:
        raise error(Refused, tr("en", "{where}: table {table} cannot grow past Excel's last row"),
                    where=where, table=repr(table))
    busy = [r for r in range(r2 + 1, end + 1) if filled[r]]
    if busy:
        raise error(Refused, tr("en", "{where}: cannot add {count} row(s) to table {table}: row "
                                      "{row} below it holds data; move that data away and try "
                                      "again"),
                    where=where, count=len(rows), table=repr(table), row=busy[0])
    _refuse_overlap(parts, part, tpart, r2 + 1, end, c1, c2, where, table)
    styles = _styles_above(parts, data, found, sc.p, start - 1 if start - 1 >= first else None, c1, c2)
    updates = {}
    for i, row in enumerate(values):
        for c in range(c1, c2 + 1):
            if c in row:
                updates[(start + i, c)] = Styled(row[c], styles.get(c))
            else:
                updates[(start + i, c)] = Styled(None, styles.get(c), formulas.get(c))
    parts.set(part, sc.apply(updates))
    if end > r2:
        _set_ref(parts, tpart, root, f"{cell_ref(r1, c1)}:{cell_ref(end, c2)}")


def _set_ref(parts: Parts, tpart: str, root, ref: str) -> None:
    """A table's new extent: its ref and its autoFilter's, in its part."""
    root.set("ref", ref)
    auto = find_child(root, "autoFilter")
    if auto is not None:
        auto.set("ref", ref)
    parts.dirty(tpart)


def grow_table(parts: Parts, table: str, n: int) -> int:
    """Grow the table's ref (and its autoFilter's) over the `n` rows right below it, which
    already hold the data (refresh --adopt-rows); no cell is touched. The table's last row
    before growing is returned. A table with a totals row is refused, as in append."""
    sheet, part, tpart, root = parts.find_table(table)
    if (root.get("totalsRowCount") or "0") != "0":
        raise error(Refused, tr("en", "{book}: table {table} has a totals row, so the rows "
                                      "below it cannot join it; turn it off in Excel (Table "
                                      "Design > Total Row), or move those rows into the table"),
                    book=parts.pkg.path, table=repr(table))
    (r1, c1), (r2, c2) = (split_ref(x) for x in root.get("ref", "").split(":"))
    if n <= 0:
        return r2
    if r2 + n > MAX_ROW:
        raise error(Refused, tr("en", "{where}: table {table} cannot grow past Excel's last row"),
                    where=parts.pkg.path, table=repr(table))
    _set_ref(parts, tpart, root, f"{cell_ref(r1, c1)}:{cell_ref(r2 + n, c2)}")
    return r2


def _row_by_column(parts: Parts, table: str, cols: list, c1: int, row: dict) -> dict[int, Any]:
    by_name = {fold(tc.get("name") or ""): c1 + i for i, tc in enumerate(cols)}   # as the reader
    out = {}
    for key, value in row.items():
        if isinstance(key, int) and not isinstance(key, bool):
            if not 1 <= key <= len(cols):
                raise AcctbookError(f"table {table!r} has no column number {key}")
            col = c1 + key - 1
        else:
            col = by_name.get(fold(key))
            if col is None:
                raise AcctbookError(f"table {table!r} has no column {key!r}")
        if col in out:
            raise AcctbookError(f"table {table!r}: column {key!r} is given twice in one row")
        out[col] = value
    return out


def _refuse_overlap(parts: Parts, part, tpart, ra, rb, c1, c2, where, table) -> None:
    if rb < ra:
        return
    for _, ty, t, _ in parts.rels(part):
        if not ty.endswith("/table") or not parts.pkg.name(t) or canon(parts.pkg.name(t)) == tpart:
            continue
        try:
            (a1, b1), (a2, b2) = (split_ref(x) for x in parts.tree(t).getroot().get("ref", "").split(":"))
        except ValueError:
            continue
        if a1 <= rb and ra <= a2 and b1 <= c2 and c1 <= b2:
            raise error(Refused, tr("en", "{where}: cannot add rows to table {table}: another "
                                          "table starts right below it"),
                        where=where, table=repr(table))


def _styles_above(parts: Parts, data, rows, p, r, c1, c2) -> dict[int, str | None]:
    """Each column's style for new cells: the cell in row r, else the column's style."""
    out: dict[int, str | None] = {}
    row = rows.get(r) if r is not None else None
    if row is not None:
        row.parse(data, p)
        for col, _, _, attrs, _ in row.cells:
            m = ATTR_S.search(attrs)
            if c1 <= col <= c2 and m and m.group(1):
                out[col] = m.group(1).decode()
    for c, style in column_styles(data[:data.find(b"sheetData")]).items():
        if c1 <= c <= c2:
            out.setdefault(c, style)
    return out

