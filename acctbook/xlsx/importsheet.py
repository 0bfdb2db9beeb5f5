"""A worksheet copied from another package (XlsxWriter output) with every part it links to
(drawing, charts, pictures) under fresh part names. Its cell formats are appended to
styles.xml (equal ones reused, numFmt ids renumbered), shared strings become inline
strings, chart formulas follow the new sheet name, tabSelected is dropped. A sheet of the
same name is replaced wholesale: the parts only it used are dropped and their names
reused, so importing the same sheet again changes nothing. Sheets holding tables or pivot
tables cannot be imported; the source's defined names (print areas) are not copied.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from acctbook.book.model import AcctbookError
from acctbook.xlsx.package import (CT_RELS, PARSER, Package, canon, find_child, local_name,
                                   rels_part, resolve, serialize)
from acctbook.xlsx.parts import Parts, check_sheet_name
from acctbook.xlsx.styles import StyleImport


@dataclass
class SheetImport:
    """A worksheet copied from another package (an XlsxWriter file) with its drawing and
    charts; it replaces a sheet of the same `name` wholesale."""
    source: Any                 # path of the package to copy from
    sheet: str                  # the sheet's name there
    name: str                   # its name in the target workbook


def import_sheet(parts: Parts, si: SheetImport) -> None:
    """Copy a worksheet with everything it links to (drawing, charts, their rels) from
    another package: fresh part names, its styles appended to ours, its shared strings
    made inline, chart formulas pointed at the new name. A sheet already called
    `si.name` is replaced wholesale (its old drawing and charts are dropped)."""
    check_sheet_name(si.name)
    src = Parts(Package.open(os.fspath(si.source)))
    if src.ns != parts.ns:
        raise AcctbookError(f"{parts.pkg.path}: cannot import a sheet into a Strict Open XML "
                            "workbook; save it as an ordinary .xlsx")
    src_part = src.sheet_part(si.sheet)
    if src_part is None:
        raise AcctbookError(f"{si.source}: no sheet named {si.sheet!r}")
    closure = src.closure(src_part)
    part = parts.sheet_part(si.name)
    if part is None:
        part = parts.add_sheet(si.name)
    else:
        _drop_linked(parts, part)
    names = {src_part: part}
    for p in closure[1:]:
        folder = posixpath.normpath(posixpath.join(posixpath.dirname(parts.wb), posixpath.relpath(
            posixpath.dirname(p), posixpath.dirname(src.wb))))
        stem, ext = posixpath.splitext(posixpath.basename(p))
        names[p] = parts.free_name(folder, re.sub(r"\d+$", "", stem) or "part", ext)
    types = src.content_types()
    src_name = next(n for n, p in src.sheets if p == src_part)
    for p in closure:
        if p != src_part:
            _copy_type(parts, p, names[p], types)
            data = src.pkg.read(p)
            if types.get(p.lower(), "").endswith("drawingml.chart+xml") and src_name != si.name:
                data = _rename_in_formulas(data, src_name, si.name)
            parts.set(names[p], data)
        rels = _copied_rels(parts, src, p, names)
        rp = rels_part(names[p])
        if rels is not None:
            parts.content_type_default("rels", CT_RELS)
            parts.set(rp, rels)
        elif parts.pkg.name(rp) is not None:
            parts.removed.add(parts.pkg.name(rp))
    parts.set(part, _imported_sheet_xml(parts, src, src_part))


def _drop_linked(parts: Parts, sheet_part: str) -> None:
    """Remove the parts only `sheet_part` links to (its old drawing, charts, ...)."""
    closure = parts.closure(sheet_part, strict=False)
    inside = {p.lower() for p in closure}
    used_elsewhere = set()
    for info in parts.pkg.infos:
        rp = canon(info.filename)
        if not rp.lower().endswith(".rels"):
            continue
        folder, base = posixpath.split(rp)
        source = posixpath.join(posixpath.dirname(folder), base[:-5])
        if source.lower() in inside or posixpath.basename(folder) != "_rels":
            continue
        for _, _, t, el in parts.rels(source if base != ".rels" else "/"):
            if el.get("TargetMode") != "External":
                used_elsewhere.add(t.lower())
    for p in closure:
        rp = parts.pkg.name(rels_part(p))
        if rp is not None:
            parts.removed.add(rp)
        if p != sheet_part and p.lower() not in used_elsewhere:
            parts.removed.add(parts.pkg.name(p))


def _copy_type(parts: Parts, src_part: str, part: str, types: dict[str, str]) -> None:
    ctype = types.get(src_part.lower())
    if ctype:
        parts.content_type(part, ctype)
        return
    ext = posixpath.splitext(part)[1].lower()
    if ext and types.get(ext):
        parts.content_type_default(ext[1:], types[ext])


def _copied_rels(parts: Parts, src: Parts, part: str, names: dict[str, str]) -> bytes | None:
    """The relationships of `part` with targets renamed; ids kept (the XML refers to them)."""
    if src.pkg.name(rels_part(part)) is None:
        return None
    root = copy.deepcopy(src.tree(rels_part(part)).getroot())
    new_base = posixpath.dirname(names[part])
    for el in root:
        if local_name(el) != "Relationship" or el.get("TargetMode") == "External":
            continue
        target = src.pkg.name(resolve(part, el.get("Target", "")))
        if target is None:                      # a dangling link: leave it as it was
            continue
        el.set("Target", posixpath.relpath(names[canon(target)], new_base))
    return serialize(etree.ElementTree(root))


def _imported_sheet_xml(parts: Parts, src: Parts, part: str) -> bytes:
    root = etree.fromstring(src.pkg.read(part), PARSER)
    strings = src.shared_strings()
    styles = StyleImport(src.styles, parts.styles)
    q = lambda n: f"{{{parts.ns}}}{n}"  # noqa: E731
    for el in list(root.iter()):          # a list: cells are edited on the way
        name = local_name(el)
        if name == "c":
            if el.get("s"):
                el.set("s", styles.xf(el.get("s")))
            if el.get("t") == "s":
                _inline(el, strings, q)
        elif name == "row" and el.get("s"):
            el.set("s", styles.xf(el.get("s")))
        elif name == "col" and el.get("style"):
            el.set("style", styles.xf(el.get("style")))
        elif name == "cfRule" and el.get("dxfId"):
            el.set("dxfId", styles.dxf(el.get("dxfId")))
        elif name == "sheetView":
            el.attrib.pop("tabSelected", None)   # two selected tabs would group the sheets
    return serialize(etree.ElementTree(root))


def _inline(cell, strings: list, q) -> None:
    """A shared-string cell turned into an inline string (rich text runs kept)."""
    v = find_child(cell, "v")
    idx = int(v.text) if v is not None and (v.text or "").strip().isdigit() else -1
    if v is not None:
        cell.remove(v)
    cell.set("t", "inlineStr")
    is_ = etree.Element(q("is"))
    if 0 <= idx < len(strings):
        for child in strings[idx]:
            is_.append(copy.deepcopy(child))
    else:
        etree.SubElement(is_, q("t"))
    f = find_child(cell, "f")
    cell.insert(cell.index(f) + 1 if f is not None else 0, is_)


def _rename_in_formulas(data: bytes, old: str, new: str) -> bytes:
    """A chart part with its references to sheet `old` pointed at sheet `new`."""
    root = etree.fromstring(data, PARSER)
    quoted_old = "'" + old.replace("'", "''") + "'!"
    quoted_new = "'" + new.replace("'", "''") + "'!"
    plain = re.compile(r"(?<![\w.'])" + re.escape(old) + "!")
    changed = False
    for el in root.iter():
        if local_name(el) == "f" and el.text:
            text = el.text.replace(quoted_old, quoted_new)
            if re.fullmatch(r"[A-Za-z_][\w.]*", old):
                text = plain.sub(lambda m: quoted_new, text)
            if text != el.text:
                el.text, changed = text, True
    return serialize(etree.ElementTree(root)) if changed else data


