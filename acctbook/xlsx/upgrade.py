"""`acctbook upgrade` in the zip: what a book has (`survey`) and the parts that bring it to the
current version (`upgrade`), through the same patcher as every write: the user's cells and
every part not named here are copied byte for byte (docs/excel.md, "Upgrading a book").

What to add comes from acctbook.core.upgrade_plan; how a new book looks comes from a
`donor`: a workbook the current acctbook made (XlsxWriter output), whose header and cell
styles, column widths, drop-downs and Home shapes are copied over, and the xlwings Lite
parts given as bytes (`LiteParts`). This module writes nothing to disk; the caller writes
`parts` (package.write_atomically).
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from python_calamine import CalamineWorkbook

from acctbook.book import schema
from acctbook.book.history import Stamp, history_row
from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import split_ref
from acctbook.book.i18n import tr
from acctbook.book.model import SheetTable
from acctbook.core.upgrade_plan import HOME_NAMES, STAMP_PROPERTY, Found, Plan, home_name_target
from acctbook.xlsx.cellxml import Styled
from acctbook.xlsx.generated import SHEET_ORDER
from acctbook.xlsx.history import history_write
from acctbook.xlsx.importsheet import SheetImport
from acctbook.xlsx.package import (PARSER, WORKBOOK_ORDER, Package, canon, find_child,
                                   find_children, insert_ordered, local_name, rels_part,
                                   serialize)
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.patch import apply
from acctbook.xlsx.read import read_tables
from acctbook.xlsx.styles import StyleImport
from acctbook.xlsx.upgrade_tables import (add_setting_rules, add_settings_table, donor_rule,
                                          donor_table_col, has_name, insert_rule,
                                          placed_settings_tables, widen_table)

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
REL_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


@dataclass
class LiteParts:
    """xlwings Lite's parts as a new book has them (acctbook.create.lite)."""
    code: dict[str, str]                    # property name -> value: main.py, requirements.txt
    store_id: str                           # the add-in's id in the Office store
    webextension: bytes
    taskpanes: bytes
    taskpanes_rels: bytes
    taskpanes_rel_type: str
    content_types: dict[str, str] = field(default_factory=dict)   # "/xl/..." -> content type


# --- what the book has ---------------------------------------------------------------------
def survey(parts: Parts, lite: "LiteParts | None" = None, lite_for=None) -> Found:
    """The book as read. `lite_for(lang)` gives the current LiteParts for the book's language
    (the code carries Home's name in that language)."""
    raws = read_tables(parts, ["Settings"])
    lang = _book_lang(parts)
    headers = {}
    for t in schema.DATA_TABLES + schema.SETTINGS_TABLES + schema.LOG_TABLES:
        root = _table_root(parts, t.name)
        if root is not None:
            cols = find_children(find_child(root, "tableColumns"), "tableColumn")
            headers[t.name] = [c.get("name") or "" for c in cols]
    raw = raws.get("Settings")
    settings = [str(r[0]) for r in raw.rows if r and r[0] not in (None, "")] if raw else []
    home_name = _home_name(parts, lang)
    lite = lite_for(lang) if lite_for else lite
    return Found(lang, [n for n, _ in parts.sheets], headers, settings,
                 _home_cells(parts, home_name) if home_name else None,
                 {n.casefold() for n in HOME_NAMES if has_name(parts, n)},
                 _shape_names(parts, home_name) if home_name else set(),
                 lite is not None and _lite_code(parts, lite) == lite.code, read_stamp(parts))


def _book_lang(parts: Parts) -> str:
    """Hebrew when the data tables sit on sheets with their Hebrew names (load_book is not
    asked: it refuses a book that lacks a table, which is what an upgrade adds)."""
    where = {}
    for t_part, root in parts.all_tables():
        where[(root.get("displayName") or root.get("name") or "").lower()] = parts.table_sheet(t_part)
    names = {(p or "").lower(): n for n, p in parts.sheets}
    votes = [names.get(where.get(t.name.lower()), "") == t.sheet_he for t in schema.DATA_TABLES
             if t.name.lower() in where]
    return "he" if votes and sum(votes) * 2 > len(votes) else "en"


def _table_root(parts: Parts, name: str):
    for _, root in parts.all_tables():
        if (root.get("displayName") or root.get("name") or "").lower() == name.lower():
            return root
    return None


def _home_name(parts: Parts, lang: str) -> str | None:
    names = [n for n, _ in parts.sheets]
    for n in (schema.generated_sheet("Home", lang), *schema.GENERATED_SHEETS["Home"]):
        if n in names:
            return n
    return None


def _home_cells(parts: Parts, home: str) -> dict[tuple[int, int], Any]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(parts.pkg.data))
    sheet = wb.get_sheet_by_name(home)
    out = {}
    for r, row in enumerate(sheet.to_python(skip_empty_area=False)):
        for c, v in enumerate(row[:2]):
            if v not in (None, ""):
                out[(r + 1, c + 1)] = v
    return out


def _drawing_of(parts: Parts, sheet_part: str) -> str | None:
    return next((canon(parts.pkg.name(t) or t) for _, ty, t, _ in parts.rels(sheet_part)
                 if ty.endswith("/drawing") and parts.pkg.name(t)), None)


def _shape_names(parts: Parts, home: str) -> set[str]:
    drawing = _drawing_of(parts, parts.sheet_part(home))
    if drawing is None:
        return set()
    return {el.get("name", "") for el in parts.tree(drawing).getroot().iter()
            if local_name(el) == "cNvPr"}


def _webextension(parts: Parts, store_id: str) -> str | None:
    """The Lite add-in's webextension part, found from the package's task panes."""
    for _, ty, pane, _ in parts.rels("/"):
        if ty.endswith("/webextensiontaskpanes") and parts.pkg.name(pane):
            for _, ty2, we, _ in parts.rels(pane):
                if ty2.endswith("/webextension") and parts.pkg.name(we):
                    root = parts.tree(we).getroot()
                    if any(local_name(r) == "reference" and r.get("id") == store_id
                           for r in root.iter()):
                        return canon(parts.pkg.name(we))
    return None


def _lite_code(parts: Parts, lite: LiteParts) -> dict[str, str] | None:
    we = _webextension(parts, lite.store_id)
    if we is None:
        return None
    props = {p.get("name"): p for p in parts.tree(we).getroot().iter(f"{{{WE_NS}}}property")}
    try:
        return {k: json.loads(props[k].get("value", "")) for k in lite.code if k in props}
    except ValueError:
        return {}


def read_stamp(parts: Parts) -> str | None:
    """The custom document property `acctbook version`, or None."""
    part = _custom_part(parts)
    if part is None:
        return None
    for prop in parts.tree(part).getroot():
        if local_name(prop) == "property" and prop.get("name") == STAMP_PROPERTY:
            return "".join(prop.itertext()).strip() or None
    return None


def _custom_part(parts: Parts) -> str | None:
    return next((canon(parts.pkg.name(t)) for _, ty, t, _ in parts.rels("/")
                 if ty.endswith("/custom-properties") and parts.pkg.name(t)), None)


# --- the write ---------------------------------------------------------------------------------
def upgrade(parts: Parts, plan: Plan, donor: Parts | None, lite: LiteParts | None,
            stamp: Stamp | None = None, details=()) -> list[str]:
    """Work out every part the plan changes or adds (in `parts`); returns lines for what was
    left out (cells not free). A missing sheet goes where the donor has it in the tabs. With
    `stamp`, the History row ("upgrade", a line of `details` per thing added) goes in too.
    Nothing is written to disk."""
    skipped: list[str] = []
    lang = plan.lang
    styles = StyleImport(donor.styles, parts.styles) if donor is not None else None
    cells: dict[str, dict] = {}
    placed = placed_settings_tables(parts, plan, skipped, donor)
    if donor is not None:
        _header_cells(parts, plan, donor, styles, cells, placed)
        _home_cell_updates(parts, plan, donor, styles, cells)
    appends = {"Settings": [{1: s.label(lang), 2: _setting_value(s, lang)}
                            for s in plan.settings]} if plan.settings else {}
    sheets = [_new_sheet(t, lang) for t in plan.sheets]
    home = schema.generated_sheet("Home", lang)
    imports = [SheetImport(donor.pkg.path, home, home)] if plan.home_sheet and donor else []
    lists = schema.lists_sheet(lang)
    if imports and parts.sheet_part(lists) is None:
        imports.append(SheetImport(donor.pkg.path, lists, lists))
    if donor is not None:
        parts.tab_order = [name for name, _ in donor.sheets]
    if stamp is not None:
        sheets, appends = _logged(parts, plan, sheets, appends, history_row(
            "upgrade", stamp, rows_added=len(plan.settings), details=details,
            cells_changed=sum(len(c) for c in cells.values())))
    apply(parts, cells, sheets, appends, imports)
    if imports and parts.sheet_part(lists) is not None:
        _hide_sheet(parts, lists)
    if donor is not None:
        for nc in plan.columns:
            widen_table(parts, nc, donor, styles, lang)
        for table, col, rows in placed:
            add_settings_table(parts, table, col, lang, rows)
        if plan.settings:
            add_setting_rules(parts, donor, plan.settings, lang)
        if plan.buttons and not plan.home_sheet:
            _add_buttons(parts, donor, home, plan.buttons)
    for name in plan.names:
        _define_name(parts, name, home_name_target(name, lang))
    if donor is not None:
        _home_rules(parts, plan, donor, home)
    if plan.lite and lite is not None and not _write_lite(parts, lite):
        skipped.append(tr(lang, "another add-in's task pane is in the book: the xlwings Lite "
                                "code was not added"))
    if plan.stamp:
        write_stamp(parts, plan.stamp)
    finish(parts)
    return skipped


def _logged(parts: Parts, plan: Plan, sheets: list, appends: dict, row: dict) -> tuple:
    """The sheets and appends with the History row in them (a History sheet the plan adds
    comes with the row in it)."""
    more, logged = history_write(parts, [row], plan.lang)
    made = {st.table.lower() for st in more}
    return [st for st in sheets if st.table.lower() not in made] + more, {**appends, **logged}


def finish(parts: Parts) -> None:
    if parts.styles.changed:
        parts.set(parts.styles.part, serialize(parts.styles.tree))
    for part in parts.dirty_parts:
        parts.set(part, serialize(parts.tree(part)))


def _setting_value(s, lang: str):
    v = s.default
    if callable(v) or v == "":
        return None
    if s.type == schema.YESNO and isinstance(v, bool):
        v = schema.YES if v else schema.NO
    if s.type in (schema.YESNO, schema.CHOICE) and isinstance(v, str):
        v = schema.show_choice(v, lang)
    return v


def _new_sheet(table, lang: str) -> SheetTable:
    return SheetTable(table.sheet(lang), table.name, [c.label(lang) for c in table.columns], [],
                      widths=[max(c.width, len(c.label(lang)) + 3) for c in table.columns],
                      rtl=lang == "he", formats=[c.number_format for c in table.columns])


# --- cells: headers and Home ---------------------------------------------------------------
def _donor_cell(donor: Parts, sheet: str, row: int, col: int,
                numbers: bool = False) -> tuple[str | None, Any]:
    """(style index, shown text) of a donor cell, from its XML (shared strings resolved);
    with `numbers`, a number cell's value too (int when whole)."""
    root = etree.fromstring(donor.pkg.read(donor.sheet_part(sheet)), PARSER)
    want = cell_ref(row, col)
    for c in root.iter(f"{{{donor.ns}}}c"):
        if c.get("r") == want:
            v = find_child(c, "v")
            text = None
            if c.get("t") == "s" and v is not None:
                text = "".join(donor.shared_strings()[int(v.text)].itertext())
            elif numbers and c.get("t") in (None, "n") and v is not None and v.text:
                n = float(v.text)
                text = int(n) if n.is_integer() else n
            return c.get("s"), text
    return None, None


def _styled(styles: StyleImport, style: str | None) -> str | None:
    return styles.xf(style) if style not in (None, "", "0") else None


def _header_cells(parts, plan, donor, styles, cells, placed) -> None:
    lang = plan.lang
    for nc in plan.columns:
        sheet, _, _, root = parts.find_table(nc.table.name)
        (r1, _), (_, c2) = (split_ref(x) for x in root.get("ref").split(":"))
        donor_col = donor_table_col(donor, nc.table.name) + nc.table.columns.index(nc.column)
        style, _ = _donor_cell(donor, nc.table.sheet(lang), 1, donor_col)
        cells.setdefault(sheet, {})[(r1, c2 + 1)] = Styled(nc.column.label(lang),
                                                          _styled(styles, style))
    for table, col, rows in placed:
        sheet = table.sheet(lang)
        dcol = donor_table_col(donor, table.name)
        for i, c in enumerate(table.columns):
            style, _ = _donor_cell(donor, sheet, 1, dcol + i)
            cells.setdefault(sheet, {})[(1, col + i)] = Styled(c.label(lang),
                                                              _styled(styles, style))
            # the default rows a new book has (Loyalty's tiers ...), as the donor holds them
            for r in range(2, 2 + rows):
                style, value = _donor_cell(donor, sheet, r, dcol + i, numbers=True)
                if value is not None:
                    cells[sheet][(r, col + i)] = Styled(value, _styled(styles, style))


def _home_cell_updates(parts, plan, donor, styles, cells) -> None:
    home = schema.generated_sheet("Home", plan.lang)
    for c in plan.home_cells:
        style, _ = _donor_cell(donor, home, c.row, c.col)
        cells.setdefault(home, {})[(c.row, c.col)] = Styled(c.value, _styled(styles, style))


# --- Home: buttons, the Deal name, Lists ------------------------------------------------------
def _add_buttons(parts: Parts, donor: Parts, home: str, buttons: list[str]) -> None:
    """The donor's shapes for `buttons` (each with its link to the cell behind it) added to
    Home's drawing; the drawing made when Home has none."""
    dpart = _drawing_of(donor, donor.sheet_part(home))
    droot = donor.tree(dpart).getroot()
    links = {rid: el.get("Target") for rid, _, _, el in donor.rels(dpart)}
    want = {f"acctbook_{b}" for b in buttons}
    anchors = [a for a in droot if any(local_name(e) == "cNvPr" and e.get("name") in want
                                       for e in a.iter())]
    hpart = parts.sheet_part(home)
    drawing = _drawing_of(parts, hpart)
    if drawing is None:
        drawing = parts.free_name("xl/drawings", "drawing")
        root = etree.Element(droot.tag, nsmap=droot.nsmap)
        parts.content_type(drawing, CT_DRAWING)
        rid = parts.add_rel(hpart, parts.rel_type("drawing"), drawing)
        sroot = etree.fromstring(parts.current(hpart), PARSER)
        el = etree.Element(f"{{{etree.QName(sroot).namespace}}}drawing")
        el.set(f"{{{parts.rel_ns}}}id", rid)
        insert_ordered(sroot, el, SHEET_ORDER)
        parts.set(hpart, serialize(etree.ElementTree(sroot)))
        new = True
    else:
        root, new = parts.tree(drawing).getroot(), False
    ids = [int(e.get("id")) for e in root.iter() if local_name(e) == "cNvPr"
           and (e.get("id") or "").isdigit()]
    for a in anchors:
        a = copy.deepcopy(a)
        for e in a.iter():
            if local_name(e) == "cNvPr":
                ids.append(max(ids, default=1) + 1)
                e.set("id", str(ids[-1]))
            rid = e.get(f"{{{parts.rel_ns}}}id") if local_name(e) == "hlinkClick" else None
            if rid in links:
                e.set(f"{{{parts.rel_ns}}}id", _raw_rel(parts, drawing, links[rid]))
        root.append(a)
    if new:
        parts.set(drawing, serialize(etree.ElementTree(root)))
    else:
        parts.dirty(drawing)


def _raw_rel(parts: Parts, source: str, target: str) -> str:
    """A hyperlink relationship whose Target is kept as given (`#'Home'!D4`)."""
    rid = parts.add_rel(source, REL_HYPERLINK, source)
    for el in parts.tree(rels_part(source)).getroot():
        if el.get("Id") == rid:
            el.set("Target", target)
    return rid


def _define_name(parts: Parts, name: str, target: str) -> None:
    root = parts.tree(parts.wb).getroot()
    dn = find_child(root, "definedNames")
    if dn is None:
        dn = etree.Element(f"{{{parts.ns}}}definedNames")
        insert_ordered(root, dn, WORKBOOK_ORDER)
    el = etree.SubElement(dn, f"{{{parts.ns}}}definedName", name=name)
    el.text = target
    parts.dirty(parts.wb)


def _home_rules(parts: Parts, plan: Plan, donor: Parts, home: str) -> None:
    """A Home input cell the plan adds (Deal, Client) gets the drop-down a new book has there."""
    added = [c for c in plan.home_cells if c.value is None and c.role in ("deal", "client")]
    part = parts.sheet_part(home)
    if not added or part is None or plan.home_sheet:
        return
    xml, donor_xml = parts.current(part), donor.pkg.read(donor.sheet_part(home))
    for c in added:
        where = cell_ref(c.row, c.col)
        rule = donor_rule(donor_xml, b'sqref="' + where.encode() + b'"', parts)
        if rule:
            xml = insert_rule(xml, rule, where)
    parts.set(part, xml)


def _hide_sheet(parts: Parts, name: str) -> None:
    sheets = find_child(parts.tree(parts.wb).getroot(), "sheets")
    for el in find_children(sheets, "sheet"):
        if el.get("name") == name and el.get("state") != "hidden":
            el.set("state", "hidden")
            parts.dirty(parts.wb)


# --- xlwings Lite's parts and the stamp -------------------------------------------------------
def _write_lite(parts: Parts, lite: LiteParts) -> bool:
    """The Lite code replaced in the book's webextension part; the parts added if missing.
    False when another add-in's task pane is there (left alone)."""
    we = _webextension(parts, lite.store_id)
    if we is not None:
        root = parts.tree(we).getroot()
        props = {p.get("name"): p for p in root.iter(f"{{{WE_NS}}}property")}
        for name, value in lite.code.items():
            if name in props:
                if _loads(props[name].get("value")) != value:
                    props[name].set("value", json.dumps(value))
                    parts.dirty(we)
            else:
                holder = next(root.iter(f"{{{WE_NS}}}properties"))
                etree.SubElement(holder, f"{{{WE_NS}}}property", name=name,
                                 value=json.dumps(value))
                parts.dirty(we)
        return True
    if any(ty.endswith("/webextensiontaskpanes") for _, ty, _, _ in parts.rels("/")):
        return False
    pane, web = "xl/webextensions/taskpanes.xml", "xl/webextensions/webextension1.xml"
    if parts.pkg.name(pane) is not None or parts.pkg.name(web) is not None:
        pane = parts.free_name("xl/webextensions", "taskpanes")
        web = parts.free_name("xl/webextensions", "webextension")
    parts.set(pane, lite.taskpanes)
    parts.set(rels_part(pane), lite.taskpanes_rels.replace(
        b'Target="webextension1.xml"', f'Target="{web.rsplit("/", 1)[1]}"'.encode()))
    parts.set(web, lite.webextension)
    for name, ctype in lite.content_types.items():
        stem = name.rsplit("/", 1)[1]
        parts.content_type(pane if stem.startswith("taskpanes") else web, ctype)
    parts.add_rel("/", lite.taskpanes_rel_type, pane)
    return True


def _loads(text):
    try:
        return json.loads(text or "")
    except ValueError:
        return None


def write_stamp(parts: Parts, version: str) -> None:
    """The custom document property `acctbook version` set (the part added if missing)."""
    part = _custom_part(parts)
    if part is None:
        part = "docProps/custom.xml"
        if parts.pkg.name(part) is not None:
            part = parts.free_name("docProps", "custom")
        parts.content_type(part, CT_CUSTOM)
        parts.add_rel("/", REL_CUSTOM, part)
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
        tree = etree.ElementTree(root)
    else:
        tree = parts.tree(part)
        root = tree.getroot()
    props = [p for p in root if local_name(p) == "property"]
    prop = next((p for p in props if p.get("name") == STAMP_PROPERTY), None)
    if prop is None:
        pids = [int(p.get("pid")) for p in props if (p.get("pid") or "").isdigit()]
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID,
                                pid=str(max(pids, default=1) + 1), name=STAMP_PROPERTY)
    for child in list(prop):
        prop.remove(child)
    etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = version
    if parts.pkg.name(part) is None:
        parts.set(part, serialize(tree))
    else:
        parts.dirty(part)


def open_donor(path) -> Parts:
    return Parts(Package.open(path))


__all__ = ["LiteParts", "finish", "open_donor", "read_stamp", "survey", "upgrade",
           "write_stamp"]
