"""Columns added at the right of an existing table, with their header and values: the user's
own columns of an imported list, in the book `acctbook import` has just made. The table's
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
from acctbook.xlsx.package import find_child, find_children, serialize, write_atomically
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.sheetcells import SheetCells


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
    updates = {(r1, c2 + 1 + i): h for i, h in enumerate(headers)}
    for r, values in enumerate(rows, start=r1 + 1):
        for i, v in enumerate(values[:len(headers)]):
            if v is not None and v != "":
                updates[(r, c2 + 1 + i)] = v
    writer = CellWriter(parts.styles, parts.date1904)
    sc = SheetCells(parts.current(part), writer, f"{os.path.basename(parts.pkg.path)}:{sheet}")
    parts.set(part, sc.apply(updates))
    parts.set(tpart, serialize(parts.tree(tpart)))
    if parts.styles.changed:
        parts.set(parts.styles.part, serialize(parts.styles.tree))
    write_atomically(parts.pkg, parts, parts.pkg.path, keep_backup=False)
