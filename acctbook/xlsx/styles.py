"""styles.xml: find or add the style a date (or a number format) needs, the aligned styles of
the generated sheets (reading order, wrapping), and map the cell formats of an imported sheet
into the workbook's own (equal ones reused)."""

from __future__ import annotations

import copy
import re

from lxml import etree

from acctbook.xlsx.package import (MAIN_T, Package, find_child, find_children, insert_ordered,
                                   local_name, parse_part)

MINIMAL_STYLES = ('<styleSheet xmlns="{ns}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
                  '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
                  '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
                  '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
                  'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1">'
                  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
                  'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Built-in number formats that show dates or times (ECMA-376 18.8.30 plus CJK ids).
BUILTIN_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))


# --- styles.xml: find or add a date style ---------------------------------------------------
class Styles:
    STYLE_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                   "cellStyles", "dxfs", "tableStyles", "colors", "extLst"]

    def __init__(self, pkg: Package, part: str | None, create=None, main_ns: str = MAIN_T):
        self.pkg, self.part, self.tree, self.changed = pkg, part, None, False
        self.create = create                   # callback that adds a styles part, returns its name
        self.main_ns = main_ns
        self._date_cache: dict[tuple[str | None, bool], str] = {}
        self._aligned: dict[tuple, str] = {}
        self._is_date: dict[str, bool] = {}

    def load(self):
        if self.tree is None:
            if self.part is None or self.pkg.name(self.part) is None:
                self.part = self.create()        # a book without styles: add the minimal one
                self.tree = etree.ElementTree(etree.fromstring(MINIMAL_STYLES.format(ns=self.main_ns)))
            else:
                self.tree = parse_part(self.pkg, self.part)
            root = self.tree.getroot()
            self.ns = etree.QName(root).namespace
            if find_child(root, "cellXfs") is None:
                self._complete(root)
            numfmts = find_child(root, "numFmts")
            self.fmts = {int(e.get("numFmtId")): e.get("formatCode", "")
                         for e in (find_children(numfmts, "numFmt") if numfmts is not None else [])}
            self.all_fmt_ids = {int(e.get("numFmtId")) for e in root.iter(f"{{{self.ns}}}numFmt")}
            self.xfs = find_child(root, "cellXfs")
        return self.tree.getroot()

    def _complete(self, root) -> None:
        """A stylesheet without cell formats: add the minimal ones, so xf 0 stays General."""
        for el in etree.fromstring(MINIMAL_STYLES.format(ns=self.ns)):
            if find_child(root, local_name(el)) is None:
                insert_ordered(root, el, self.STYLE_ORDER)
        self.changed = True

    def is_date(self, style: str | None) -> bool:
        if style in (None, ""):
            style = "0"
        if style not in self._is_date:
            self.load()
            xfs = [] if self.xfs is None else find_children(self.xfs, "xf")
            idx = int(style)
            fid = int(xfs[idx].get("numFmtId", "0")) if idx < len(xfs) else 0
            self._is_date[style] = fid in BUILTIN_DATE_IDS or _is_date_code(self.fmts.get(fid, ""))
        return self._is_date[style]

    def date_style(self, style: str | None, with_time: bool) -> str:
        """`style` if it already shows dates; else a copy of it with a yyyy-mm-dd format."""
        if self.is_date(style):
            return style or "0"
        key = (style, with_time)
        if key not in self._date_cache:
            self._date_cache[key] = self._derive(style, DATETIME_FORMAT if with_time else DATE_FORMAT)
        return self._date_cache[key]

    def _derive(self, style: str | None, code: str) -> str:
        root = self.load()
        fid = self.numfmt(root, code)
        xfs = find_children(self.xfs, "xf")
        base = xfs[int(style or 0)] if xfs and int(style or 0) < len(xfs) else None
        new = copy.deepcopy(base) if base is not None else etree.Element(
            f"{{{self.ns}}}xf", numFmtId="0", fontId="0", fillId="0", borderId="0")
        new.set("numFmtId", str(fid))
        new.set("applyNumberFormat", "1")
        want = etree.tostring(new)
        for i, xf in enumerate(xfs):          # reuse an identical xf (keeps repeat runs stable)
            if etree.tostring(xf) == want:
                return str(i)
        new.tail = None
        self.xfs.append(new)
        self.xfs.set("count", str(len(xfs) + 1))
        self.changed = True
        self._is_date[str(len(xfs))] = _is_date_code(code)
        return str(len(xfs))

    def aligned_style(self, code: str | None, align: dict) -> str:
        """A style showing numbers with `code` (None: General) and aligned by `align`
        (acctbook.book.bidi.alignment: horizontal, vertical, wrap, reading_order, indent):
        added once, an equal one already in the book reused (repeat runs stay stable)."""
        key = (code, tuple(sorted(align.items())))
        if key not in self._aligned:
            root = self.load()
            fid = self.numfmt(root, code) if code else 0
            xf = etree.Element(f"{{{self.ns}}}xf", numFmtId=str(fid), fontId="0", fillId="0",
                               borderId="0", xfId="0")
            if code:
                xf.set("applyNumberFormat", "1")
            xf.set("applyAlignment", "1")
            attrs = {"horizontal": align.get("horizontal"), "vertical": align.get("vertical"),
                     "wrapText": "1" if align.get("wrap") else None,
                     "indent": str(align["indent"]) if align.get("indent") else None,
                     "readingOrder": str(align["reading_order"]) if "reading_order" in align
                     else None}
            etree.SubElement(xf, f"{{{self.ns}}}alignment",
                             {k: v for k, v in attrs.items() if v is not None})
            self._aligned[key] = self._add_xf(xf, code)
        return self._aligned[key]

    def _add_xf(self, new, code: str | None) -> str:
        """The index of an xf equal to `new`, appended when the book has none."""
        xfs = find_children(self.xfs, "xf")
        want = _canon_el(new)
        for i, xf in enumerate(xfs):
            if _canon_el(xf) == want:
                return str(i)
        self.xfs.append(new)
        self.xfs.set("count", str(len(xfs) + 1))
        self.changed = True
        self._is_date[str(len(xfs))] = bool(code) and _is_date_code(code)
        return str(len(xfs))

    def numfmt(self, root, code: str) -> int:
        for fid, c in self.fmts.items():
            if c == code:
                return fid
        fid = max([163, *self.all_fmt_ids]) + 1
        self.all_fmt_ids.add(fid)
        numfmts = find_child(root, "numFmts")
        if numfmts is None:
            numfmts = etree.Element(f"{{{self.ns}}}numFmts", count="0")
            insert_ordered(root, numfmts, self.STYLE_ORDER)
        etree.SubElement(numfmts, f"{{{self.ns}}}numFmt", numFmtId=str(fid), formatCode=code)
        numfmts.set("count", str(len(find_children(numfmts, "numFmt"))))
        self.fmts[fid] = code
        self.changed = True
        return fid


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)            # literals, padding
    code = re.sub(r"\[(?![hms]+\])[^\]]*\]", "", code, flags=re.I)  # colours, locales; keep [h]
    return bool(re.search(r"[dmyhs]", code, re.I)) and "general" not in code.lower()


def _canon_el(el) -> tuple:
    """An element as comparable data (tag, attributes, text, children): to reuse equal styles."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_canon_el(c) for c in el if isinstance(c.tag, str)))


_STYLE_PARTS = (("fontId", "fonts", "font"), ("fillId", "fills", "fill"), ("borderId", "borders", "border"))


class StyleImport:
    """Maps a source workbook's cell formats into ours: each one appended once (or an equal
    one reused), with its font, fill, border and number format; existing styles untouched."""

    def __init__(self, src: Styles, dst: Styles):
        self.src, self.dst = src, dst
        self.src_root, self.dst_root = src.load(), dst.load()
        self.done: dict[str, str] = {}

    def xf(self, index: str) -> str:
        if index not in self.done:
            self.done[index] = self._xf(int(index or 0))
        return self.done[index]

    def _xf(self, i: int) -> str:
        xfs = find_children(self.src.xfs, "xf") if self.src.xfs is not None else []
        if i >= len(xfs):
            return "0"
        xf = copy.deepcopy(xfs[i])
        for attr, group, tag in _STYLE_PARTS:
            items = find_children(find_child(self.src_root, group), tag) if find_child(self.src_root, group) is not None else []
            k = int(xf.get(attr, "0") or 0)
            if k < len(items):
                xf.set(attr, str(self._element(group, tag, items[k])))
            else:
                xf.set(attr, "0")
        fid = int(xf.get("numFmtId", "0") or 0)
        if fid in self.src.fmts:                   # a custom format: same code, our id
            xf.set("numFmtId", str(self.dst.numfmt(self.dst_root, self.src.fmts[fid])))
        xf.set("xfId", "0")                         # the Normal cell style
        return str(self._element("cellXfs", "xf", xf, own=True))

    def dxf(self, index: str) -> str:
        group = find_child(self.src_root, "dxfs")
        items = find_children(group, "dxf") if group is not None else []
        i = int(index or 0)
        return str(self._element("dxfs", "dxf", items[i])) if i < len(items) else index

    def _element(self, group: str, tag: str, el, own: bool = False) -> int:
        parent = find_child(self.dst_root, group)
        if parent is None:
            parent = etree.Element(f"{{{self.dst.ns}}}{group}", count="0")
            insert_ordered(self.dst_root, parent, Styles.STYLE_ORDER)
        items = find_children(parent, tag)
        want = _canon_el(el)
        for k, item in enumerate(items):
            if _canon_el(item) == want:
                return k
        new = el if own else copy.deepcopy(el)
        new.tail = None
        parent.append(new)
        parent.set("count", str(len(items) + 1))
        self.dst.changed = True
        return len(items)


