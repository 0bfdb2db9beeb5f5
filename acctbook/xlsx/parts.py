"""The package's structure: the workbook part, its sheets, relationships, content types,
tables and names. `Parts` reads them and records every part a patch changes, adds or
removes; it writes nothing to disk (package.write_atomically does)."""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from lxml import etree

from acctbook.book.model import AcctbookError, BookUnreadable
from acctbook.book.i18n import tr
from acctbook.xlsx.errors import error
from acctbook.xlsx.package import (CT_NS, CT_RELS, CT_SHEET, CT_STYLES, MAIN_S, MAIN_T, PKG_REL_NS,
                                   REL_S, REL_T, WORKBOOK_ORDER, Deflated, Package, canon, deflate,
                                   find_child, find_children, insert_ordered, local_name,
                                   parse_part, rel_id, rels_part, resolve)
from acctbook.xlsx.styles import Styles

# What a malformed part raises while it is read: a clear BookUnreadable instead.
MALFORMED = (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, struct.error,
             UnicodeDecodeError, KeyError, IndexError, ValueError)


def sheet_names(path) -> list[str]:
    """The workbook's sheet names in tab order (same errors as patch_workbook)."""
    return [name for name, _ in sheet_parts(path)]


def sheet_parts(path) -> list[tuple[str, str | None]]:
    """(sheet name, its part in the zip) in tab order (same errors as patch_workbook)."""
    return list(Parts.open(path).sheets)


BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def check_sheet_name(name: str) -> None:
    if not name or len(name) > 31 or BAD_SHEET_CHARS.search(name) \
            or name.startswith("'") or name.endswith("'"):
        raise AcctbookError(f"invalid sheet name {name!r}")


# A part this big, once written, is deflated in a thread while the patch goes on (zip writer:
# package.deflate); one thread, so the two cores are the patch's and zlib's.
DEFLATE_AHEAD_ABOVE = 1 << 20
KEEP_TAIL = 2 << 20             # the last bytes kept of a part held deflated (new_tail)
_DEFLATER: list[ThreadPoolExecutor] = []


def _deflater() -> ThreadPoolExecutor:
    if not _DEFLATER:
        _DEFLATER.append(ThreadPoolExecutor(1, thread_name_prefix="acctbook-deflate"))
    return _DEFLATER[0]


class Parts:
    """Works out every changed, added and removed part; writes nothing to disk."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.parts: dict[str, bytes | Deflated] = {}   # zip entry -> new content (new_content)
        self.changed: set[str] = set()
        self.added: list[str] = []
        self.removed: set[str] = set()
        self._trees: dict[str, etree._ElementTree] = {}
        self.dirty_parts: set[str] = set()
        self.table_ids: list[int] = []          # ids handed to new tables in this patch
        self._reserved: set[str] = set()        # removed part names taken again (lower case)
        # The last bytes of sheet parts the reader inflated anyway (zip entry, lower case):
        # the writer finds their validation ranges there without inflating them again.
        self.sheet_tails: dict[str, bytes] = {}
        # A new book's sheet names in tab order (upgrade sets it from its donor book): a
        # sheet added without a position goes where a new book has it (add_sheet).
        self.tab_order: list[str] = []
        self._ahead: dict[str, Future] = {}   # part -> its deflate(), running in a thread
        self._inflating: dict[str, Future] = {}   # zip entry -> its bytes, read in a thread
        self._find_workbook()

    @classmethod
    def open(cls, path) -> "Parts":
        """The workbook file opened and checked (Package.open), its structure read."""
        pkg = Package.open(path)
        try:
            return cls(pkg)
        except MALFORMED as e:
            raise error(BookUnreadable, tr("en", "{book}: cannot be read, the workbook is "
                                                 "malformed ({error})"), book=pkg.path, error=e) from e

    # -- package structure
    def tree(self, part: str) -> etree._ElementTree:
        key = part.lower()
        if key not in self._trees:
            self._trees[key] = parse_part(self.pkg, part)
        return self._trees[key]

    def dirty(self, part: str) -> None:
        self.tree(part)
        self.dirty_parts.add(part)

    def rels(self, part: str) -> list[tuple[str, str, str, Any]]:
        """(id, type, resolved target, element) of a part's relationships."""
        rp = rels_part(part)
        if self.pkg.name(rp) is None and rp.lower() not in self._trees:
            return []
        out = []
        for el in self.tree(rp).getroot():
            if local_name(el) == "Relationship":
                target = el.get("Target", "")
                resolved = target if el.get("TargetMode") == "External" else resolve(part, target)
                out.append((el.get("Id"), el.get("Type", ""), resolved, el))
        return out

    def _find_workbook(self) -> None:
        pkg = self.pkg
        if pkg.name("_rels/.rels") is None:
            raise error(BookUnreadable, tr("en", "{book}: a zip file, but not an Excel workbook "
                                                 "(no package relationships)"), book=pkg.path)
        wb = next((t for _, ty, t, _ in self.rels("/") if ty.endswith("/officeDocument")), None)
        if wb is None or pkg.name(wb) is None:
            raise error(BookUnreadable, tr("en", "{book}: a zip file, but not an Excel workbook "
                                                 "(no workbook part)"), book=pkg.path)
        if wb.lower().endswith(".bin"):
            raise error(BookUnreadable, tr("en", "{book}: binary workbooks (.xlsb) are not "
                                                 "supported"), book=pkg.path)
        self.wb = canon(pkg.name(wb))
        root = self.tree(self.wb).getroot()
        self.ns = etree.QName(root).namespace
        if local_name(root) != "workbook" or self.ns not in (MAIN_T, MAIN_S):
            raise error(BookUnreadable, tr("en", "{book}: not an Excel workbook ({part} is not "
                                                 "a workbook)"), book=pkg.path, part=wb)
        self.rel_ns = REL_S if self.ns == MAIN_S else REL_T
        pr = find_child(root, "workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        rels = {rid: (ty, t) for rid, ty, t, _ in self.rels(self.wb)}
        self.sheets: list[tuple[str, str | None]] = []     # (name, part)
        sheets_el = find_child(root, "sheets")
        for el in (find_children(sheets_el, "sheet") if sheets_el is not None else []):
            ty, t = rels.get(rel_id(el), ("", None))
            part = pkg.name(t) if t and ty.endswith("/worksheet") else None
            self.sheets.append((el.get("name", ""), canon(part) if part else None))
        styles = next((t for ty, t in rels.values() if ty.endswith("/styles")), None)
        self.styles = Styles(pkg, styles, self._add_styles_part, self.ns)

    def _add_styles_part(self) -> str:
        part = posixpath.join(posixpath.dirname(self.wb), "styles.xml")
        if self.pkg.name(part) is not None:
            raise AcctbookError(f"{self.pkg.path}: {part} exists but the workbook does not use it")
        self.add_rel(self.wb, self.rel_type("styles"), part)
        self.content_type(part, CT_STYLES)
        return part

    def inflate_ahead(self, sheets) -> None:
        """These sheets' parts inflated in a thread (zlib frees the GIL, so on the other
        core) while the caller works out what to write there; sheet_data takes them."""
        for sheet in sheets:
            part = self.sheet_part(sheet)
            name = self.pkg.name(part) if part else None
            if name is not None and name not in self._inflating:
                self._inflating[name] = _deflater().submit(self.pkg.read, name)

    def sheet_data(self, part: str) -> bytes:
        """A sheet part's bytes as read: those inflated ahead (handed over once), else now."""
        ahead = self._inflating.pop(self.pkg.name(part) or part, None)
        return ahead.result() if ahead is not None else self.pkg.read(part)

    def sheet_part(self, name: str) -> str | None:
        exact = [p for n, p in self.sheets if n == name]
        folded = [p for n, p in self.sheets if n.lower() == name.lower()]
        found = exact or folded
        if not found:
            return None
        if found[0] is None:
            raise AcctbookError(f"{self.pkg.path}: sheet {name!r} is not a worksheet (a chart sheet?)")
        return found[0]

    def set(self, part: str, data: bytes) -> None:
        name = self.pkg.name(part)
        if name is not None:
            self.removed.discard(name)       # a dropped part given new content: kept after all
        if name is None:
            name = part.lstrip("/")
            if name not in self.added:
                self.added.append(name)
        else:
            if self._same(name, data):
                self.parts.pop(name, None)   # as it was: copied, not rewritten
                self.changed.discard(name)
                self._ahead.pop(name, None)
                return
            self.changed.add(name)
        self.parts[name] = data
        self._ahead.pop(name, None)
        self._keep_deflated()
        if len(data) >= DEFLATE_AHEAD_ABOVE:    # deflated meanwhile, in a thread (zlib frees the GIL)
            self._ahead[name] = _deflater().submit(deflate, data)

    def _keep_deflated(self) -> None:
        """Big parts already deflated keep only that (package.Deflated): the bytes of a sheet
        of 50,000 rows are not held beside the next one's."""
        for name, ahead in list(self._ahead.items()):
            data = self.parts.get(name)
            if ahead.done() and isinstance(data, bytes):
                crc, body = ahead.result()
                self.parts[name] = Deflated(len(data), crc, body, data[-KEEP_TAIL:])
                del self._ahead[name]

    def _same(self, name: str, data: bytes) -> bool:
        """The part's content as read (sizes and CRCs first: a big sheet part is inflated only
        when they match)."""
        info = self.pkg.zf.getinfo(name)
        if info.file_size != len(data) or info.CRC != zlib.crc32(data):
            return False
        return self.pkg.read(name) == data

    def deflated(self, name: str) -> tuple[int, bytes] | None:
        """The part's (CRC, deflate stream) when it was deflated ahead (set), else None."""
        ahead = self._ahead.get(name)
        return ahead.result() if ahead is not None else None

    def new_tail(self, name: str) -> bytes | None:
        """The last KEEP_TAIL bytes (or more) of the content this patch gave `name`."""
        data = self.parts.get(name)
        return data.tail if isinstance(data, Deflated) else data

    def new_content(self, name: str) -> bytes | None:
        """The content this patch gave the zip entry `name` so far (None: not set)."""
        data = self.parts.get(name)
        return data.inflate() if isinstance(data, Deflated) else data

    # -- tables and names
    def all_tables(self) -> list[tuple[str, etree._Element]]:
        out = []
        for _, part in self.sheets:
            if part is None:
                continue
            for _, ty, t, _ in self.rels(part):
                if ty.endswith("/table") and self.pkg.name(t):
                    out.append((canon(self.pkg.name(t)), self.tree(t).getroot()))
        return out

    def table_sheet(self, table_part: str) -> str:
        for _, part in self.sheets:
            if part and any(canon(self.pkg.name(t) or "") == table_part for _, ty, t, _ in self.rels(part)
                            if ty.endswith("/table")):
                return part.lower()
        return ""

    # -- adding a sheet and its parts
    def add_sheet(self, name: str, at: int | None = None) -> str:
        """A new empty worksheet `name`, last in tab order or at tab position `at`
        (0-based; the sheets from there on move one tab right, and the workbook's
        sheet positions, localSheetId, activeTab and firstSheet, follow them). Without
        `at`, a sheet `tab_order` names goes where it has it."""
        if at is None:
            at = self._order_place(name)
        root = self.tree(self.wb).getroot()
        sheets = find_child(root, "sheets")
        if sheets is None:
            raise BookUnreadable(f"{self.pkg.path}: workbook.xml has no <sheets>")
        listed = find_children(sheets, "sheet")
        if at is not None and not 0 <= at < len(listed):
            at = None
        ids = [int(s.get("sheetId")) for s in listed if (s.get("sheetId") or "").isdigit()]
        part = self.free_name(posixpath.join(posixpath.dirname(self.wb), "worksheets"), "sheet")
        rid = self.add_rel(self.wb, self.rel_type("worksheet"), part)
        nsmap = {} if self.rel_ns in root.nsmap.values() else {"r": self.rel_ns}
        el = etree.Element(f"{{{self.ns}}}sheet", name=name,
                           sheetId=str(max(ids, default=0) + 1), nsmap=nsmap)
        el.set(f"{{{self.rel_ns}}}id", rid)
        if at is None:
            sheets.append(el)
            el.tail = None
        else:
            listed[at].addprevious(el)
            prev = el.getprevious()
            el.tail = prev.tail if prev is not None else sheets.text
            self._shift_sheet_positions(root, at)
        self.dirty(self.wb)
        self.content_type(part, CT_SHEET)
        if at is None:
            self._app_title(name)
            self.sheets.append((name, part))
        else:
            # Its title goes before the first worksheet now after it (app.xml lists worksheets).
            self._app_title(name, next((n for n, p in self.sheets[at:] if p is not None), None))
            self.sheets.insert(at, (name, part))
        return part

    def _order_place(self, name: str) -> int | None:
        """Where `tab_order` has `name`: right after the nearest sheet before it there that
        this book has, else before the nearest one after it; None (the end) otherwise."""
        order = [n.casefold() for n in self.tab_order]
        if name.casefold() not in order:
            return None
        i = order.index(name.casefold())
        have = [n.casefold() for n, _ in self.sheets]
        for n in reversed(order[:i]):
            if n in have:
                return have.index(n) + 1
        return next((have.index(n) for n in order[i + 1:] if n in have), None)

    def _shift_sheet_positions(self, root, at: int) -> None:
        """A sheet inserted at tab position `at`: positions from `at` on count one more."""
        def shift(el, attr):
            v = el.get(attr)
            if v is not None and v.isdigit() and int(v) >= at:
                el.set(attr, str(int(v) + 1))
        dn = find_child(root, "definedNames")
        for el in (find_children(dn, "definedName") if dn is not None else []):
            shift(el, "localSheetId")
        views = find_child(root, "bookViews")
        for el in (find_children(views, "workbookView") if views is not None else []):
            shift(el, "activeTab")
            shift(el, "firstSheet")

    def free_name(self, folder: str, stem: str, ext: str = ".xml") -> str:
        """A part name not in use; a part dropped in this patch may be reused (so a sheet
        imported again keeps its part names and unchanged parts stay byte-identical)."""
        dropped = {canon(r).lower(): r for r in self.removed}
        taken = (set(self.pkg.by_lower) - set(dropped)) | {a.lower() for a in self.added} | self._reserved
        n = 1
        while posixpath.join(folder, f"{stem}{n}{ext}").lower() in taken:
            n += 1
        name = posixpath.join(folder, f"{stem}{n}{ext}")
        if name.lower() in dropped:
            self.removed.discard(dropped[name.lower()])
            self._reserved.add(name.lower())
            return canon(dropped[name.lower()])
        self.added.append(name)      # reserve it; content comes later
        return name

    def rel_type(self, kind: str) -> str:
        return f"{self.rel_ns}/{kind}"

    def add_rel(self, source: str, rel_type: str, target: str) -> str:
        rp = rels_part(source)
        if self.pkg.name(rp) is None and rp.lower() not in self._trees:
            self._trees[rp.lower()] = etree.ElementTree(etree.fromstring(
                f'<Relationships xmlns="{PKG_REL_NS}"/>'.encode()))
            self.content_type_default("rels", CT_RELS)
        root = self.tree(rp).getroot()
        ids = {el.get("Id") for el in root}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        existing = [el.get("Target", "") for el in root if local_name(el) == "Relationship"]
        absolute = existing and all(t.startswith("/") for t in existing)
        href = "/" + target if absolute else posixpath.relpath(target, posixpath.dirname(source.lstrip("/")) or ".")
        etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=f"rId{n}", Type=rel_type, Target=href)
        self.dirty(rp)
        return f"rId{n}"

    def content_type(self, part: str, ctype: str) -> None:
        root = self.tree("[Content_Types].xml").getroot()
        name = "/" + part.lstrip("/")
        for o in root:
            if local_name(o) == "Override" and (o.get("PartName") or "").lower() == name.lower():
                if o.get("ContentType") != ctype:
                    o.set("ContentType", ctype)
                    self.dirty("[Content_Types].xml")
                return
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=name, ContentType=ctype)
        self.dirty("[Content_Types].xml")

    def forget_removed_types(self) -> None:
        """Drop the content-type overrides of parts removed for good."""
        if not self.removed:
            return
        gone = {"/" + canon(r).lower() for r in self.removed}
        root = self.tree("[Content_Types].xml").getroot()
        for o in list(root):
            if local_name(o) == "Override" and (o.get("PartName") or "").lower() in gone:
                root.remove(o)
                self.dirty("[Content_Types].xml")

    def content_type_default(self, ext: str, ctype: str) -> None:
        root = self.tree("[Content_Types].xml").getroot()
        if any(local_name(e) == "Default" and e.get("Extension", "").lower() == ext for e in root):
            return
        root.insert(0, etree.Element(f"{{{CT_NS}}}Default", Extension=ext, ContentType=ctype))
        self.dirty("[Content_Types].xml")

    def _app_title(self, name: str, before: str | None = None) -> None:
        """`name` added to docProps/app.xml's worksheet titles: last, or before the title
        `before` when it is there."""
        app = next((t for _, ty, t, _ in self.rels("/") if ty.endswith("extended-properties")
                    or ty.endswith("/extendedProperties")), None)
        if app is None or self.pkg.name(app) is None:
            return
        root = self.tree(app).getroot()
        pairs, titles = find_child(root, "HeadingPairs"), find_child(root, "TitlesOfParts")
        if pairs is None or titles is None or len(pairs) == 0 or len(titles) == 0:
            return
        pvec, tvec = pairs[0], titles[0]
        variants = find_children(pvec, "variant")
        counts = []
        for i in range(0, len(variants) - 1, 2):
            label, count = variants[i][0], variants[i + 1][0]
            counts.append((label.text or "", count))
        if not counts or not (counts[0][1].text or "").strip().isdigit():
            return
        count = counts[0][1]           # Excel lists worksheets first
        n = int(count.text)
        count.text = str(n + 1)
        lpstrs = find_children(tvec, "lpstr")
        tag = lpstrs[0].tag if lpstrs else f"{{{etree.QName(tvec).namespace}}}lpstr"
        new = etree.Element(tag)
        new.text = name
        at = min(n, len(tvec))
        if before is not None:
            names = [(el.text or "") for el in list(tvec)[:at]]
            at = names.index(before) if before in names else at
        tvec.insert(at, new)
        tvec.set("size", str(len(find_children(tvec, "lpstr"))))
        self.dirty(app)

    # -- appending rows to a table
    def find_table(self, name: str) -> tuple[str, str, str, etree._Element]:
        """(sheet name, sheet part, table part, table root) of the table called `name`."""
        for sheet, part in self.sheets:
            if part is None:
                continue
            for _, ty, t, _ in self.rels(part):
                if ty.endswith("/table") and self.pkg.name(t):
                    root = self.tree(t).getroot()
                    if (root.get("displayName") or root.get("name") or "").lower() == name.lower():
                        return sheet, part, canon(self.pkg.name(t)), root
        raise AcctbookError(f"{self.pkg.path}: no table named {name!r}")

    def current(self, part: str) -> bytes:
        """A part's content as this patch has it so far."""
        name = self.pkg.name(part)
        return self.new_content(name) if name in self.parts else self.pkg.read(part)

    def closure(self, part: str, strict: bool = True) -> list[str]:
        """`part` and every part reachable from it through internal relationships
        (strict: refuse links a copied sheet cannot take along, such as tables)."""
        seen, queue = [part], [part]
        while queue:
            cur = queue.pop(0)
            for _, ty, t, el in self.rels(cur):
                if el.get("TargetMode") == "External" or not self.pkg.name(t):
                    continue
                if ty.endswith(("/worksheet", "/officeDocument")):
                    continue                        # back up to the book: not the sheet's own
                if strict and ty.endswith(("/table", "/pivotTable")):
                    raise AcctbookError(f"{self.pkg.path}: sheet part {part} links to {t}; only "
                                        "sheets with drawings, charts and pictures can be imported")
                name = canon(self.pkg.name(t))
                if name not in seen:
                    seen.append(name)
                    queue.append(name)
        return seen

    def content_types(self) -> dict[str, str]:
        """Part name (lower case, no leading slash) or `.ext` -> content type."""
        out = {}
        for el in self.tree("[Content_Types].xml").getroot():
            if local_name(el) == "Override":
                out[(el.get("PartName") or "").lstrip("/").lower()] = el.get("ContentType", "")
            elif local_name(el) == "Default":
                out["." + el.get("Extension", "").lower()] = el.get("ContentType", "")
        return out

    def shared_strings(self) -> list:
        part = next((t for _, ty, t, _ in self.rels(self.wb) if ty.endswith("/sharedStrings")), None)
        if part is None or self.pkg.name(part) is None:
            return []
        return find_children(self.tree(part).getroot(), "si")

    # -- workbook-wide consequences of a write
    def full_calc_on_load(self) -> None:
        """Values changed: have Excel recalculate the user's formulas when it opens the book."""
        root = self.tree(self.wb).getroot()
        calc = find_child(root, "calcPr")
        if calc is None:
            calc = etree.Element(f"{{{self.ns}}}calcPr")
            insert_ordered(root, calc, WORKBOOK_ORDER)
        if calc.get("fullCalcOnLoad") not in ("1", "true"):
            calc.set("fullCalcOnLoad", "1")
            self.dirty(self.wb)

    def drop_calc_chain(self) -> None:
        for rid, ty, t, el in self.rels(self.wb):
            if ty.endswith("/calcChain"):
                el.getparent().remove(el)
                self.dirty(rels_part(self.wb))
                if self.pkg.name(t):
                    self.removed.add(self.pkg.name(t))
                root = self.tree("[Content_Types].xml").getroot()
                for o in list(root):
                    if (o.get("PartName") or "").lstrip("/").lower() == t.lower():
                        root.remove(o)
                        self.dirty("[Content_Types].xml")


