"""Columns added at the right of an existing table, with their header and values: the user's
own columns of an imported list, in the book `acctbook import` has just made or, when the
cells right of its Clients table are free (room_right), in an existing book. The table's
ref, autoFilter and tableColumns grow; the header and values are written as cells (text as
inline strings, never formulas); every other part is copied byte for byte (package.py).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from lxml import etree

from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import split_ref
from acctbook.book.schema import fold
from acctbook.xlsx.cellxml import CellWriter
from acctbook.xlsx.package import canon, find_child, find_children, serialize, write_atomically
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.sheetcells import SheetCells
from acctbook.xlsx.sheetrows import row_values


def unique_headers(wanted: Sequence[str], taken: Sequence[str]) -> list[str]:
    """Each wanted header, made unique against `taken` and each other (Excel compares table
    headers ignoring case): 'Phone' beside a Phone column becomes 'Phone 2'."""
    seen = {fold(t) for t in taken}
    out = []
    for h in wanted:
        name, n = " ".join(str(h).split()) or "Column", 1
        while fold(name) in seen:
            n += 1
            name = f"{' '.join(str(h).split())} {n}"
        seen.add(fold(name))
        out.append(name)
    return out


def add_columns(path, table: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Widen `table` in the workbook at `path` by `headers` (already unique), its data rows
    taking `rows` (one list per data row, in order; shorter lists leave blanks). Written in
    place, without a backup: for a book acctbook has just made."""
    if not headers:
        return
    parts = Parts.open(os.fspath(path))
    sheet, part, _, _ = parts.find_table(table)
    updates = widen(parts, table, headers, rows)
    writer = CellWriter(parts.styles, parts.date1904)
    sc = SheetCells(parts.current(part), writer, f"{os.path.basename(parts.pkg.path)}:{sheet}")
    parts.set(part, sc.apply(updates))
    if parts.styles.changed:
        parts.set(parts.styles.part, serialize(parts.styles.tree))
    write_atomically(parts.pkg, parts, parts.pkg.path, keep_backup=False)


def room_right(parts: Parts, table: str, n: int, more_rows: int) -> bool:
    """True when the `n` columns right of `table`, from its header down to `more_rows` rows
    past its end (the rows about to be appended), hold no value and no other table: the
    table can widen there without covering anything of the user's."""
    sheet, part, tpart, root = parts.find_table(table)
    (r1, _c1), (r2, c2) = (split_ref(x) for x in root.get("ref", "").split(":"))
    a, b, top, bottom = c2 + 1, c2 + n, r1, r2 + more_rows
    for _, ty, t, _ in parts.rels(part):
        if ty.endswith("/table") and parts.pkg.name(t) and canon(parts.pkg.name(t)) != tpart:
            ref = parts.tree(t).getroot().get("ref", "")
            if ":" not in ref:
                continue
            (t1, u1), (t2, u2) = (split_ref(x) for x in ref.split(":"))
            if t1 <= bottom and top <= t2 and u1 <= b and a <= u2:
                return False
    sc = SheetCells(parts.current(part), CellWriter(parts.styles, parts.date1904), sheet)
    data, start, end = sc.locate()
    found, _ = sc.scan(data, start, end, bottom)
    return not any(row_values(data, found.get(r), sc.p, a, b) for r in range(top, bottom + 1))


def widen(parts: Parts, table: str, headers: Sequence[str],
          rows: Sequence[Sequence[Any]] = ()) -> dict[tuple[int, int], Any]:
    """The table part of `add_columns`, in `parts` (this patch; nothing written to disk): the
    table's ref, autoFilter and tableColumns grow by `headers`. Returns the cells to write on
    its sheet, {(row, column): value}: the headers and `rows`' values (a patch's `cells`).
    Rows appended in the same patch then find the new columns by header."""
    if not headers:
        return {}
    sheet, part, tpart, root = parts.find_table(table)
    (r1, c1), (r2, c2) = (split_ref(x) for x in root.get("ref", "").split(":"))
    cols = find_child(root, "tableColumns")
    ids = [int(tc.get("id") or 0) for tc in find_children(cols, "tableColumn")]
    tag = etree.QName(root).namespace
    for i, h in enumerate(headers):
        el = etree.SubElement(cols, f"{{{tag}}}tableColumn" if tag else "tableColumn")
        el.set("id", str(max(ids, default=0) + 1 + i))
        el.set("name", h)
    cols.set("count", str(len(ids) + len(headers)))
    new_ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2 + len(headers))}"
    root.set("ref", new_ref)
    auto = find_child(root, "autoFilter")
    if auto is not None:
        auto.set("ref", new_ref)
    parts.set(tpart, serialize(parts.tree(tpart)))
    updates: dict[tuple[int, int], Any] = {(r1, c2 + 1 + i): h for i, h in enumerate(headers)}
    for r, values in enumerate(rows, start=r1 + 1):
        for i, v in enumerate(values[:len(headers)]):
            if v is not None and v != "":
                updates[(r, c2 + 1 + i)] = v
    return updates
