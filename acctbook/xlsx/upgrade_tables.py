"""`acctbook upgrade` on a book's tables (acctbook.xlsx.upgrade drives it): a column added at a
table's right end (its tableColumn, the ref widened, the header's width, format and
drop-down copied from the donor book), a Settings-sheet table placed where a new book puts
it when its cells are free (docs/excel.md, "Upgrading a book")."""

from __future__ import annotations

import copy
import re

from lxml import etree

from acctbook.book.cells import ref as cell_ref
from acctbook.book.cells import split_ref
from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.core.upgrade_plan import Plan
from acctbook.xlsx.cellxml import CellWriter, esc_attr
from acctbook.xlsx.generated import SHEET_ORDER
from acctbook.xlsx.package import (CT_TABLE, PARSER, find_child, find_children, insert_ordered,
                                   serialize)
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.sheetcells import SheetCells
from acctbook.xlsx.sheetrows import row_values
from acctbook.xlsx.styles import StyleImport
from acctbook.xlsx.validation import RULE_MARGIN


def has_name(parts: Parts, name: str) -> bool:
    dn = find_child(parts.tree(parts.wb).getroot(), "definedNames")
    return dn is not None and any(el.get("name", "").lower() == name.lower()
                                  for el in find_children(dn, "definedName"))


def donor_table_col(donor: Parts, table: str) -> int:
    _, _, _, root = donor.find_table(table)
    return split_ref(root.get("ref").split(":")[0])[1]


# --- tables --------------------------------------------------------------------------------
def _busy(parts: Parts, sheet: str, r1: int, r2: int, c1: int, c2: int) -> bool:
    """Any cell with a value in the box, or a table over it."""
    part = parts.sheet_part(sheet)
    for _, ty, t, _ in parts.rels(part):
        if ty.endswith("/table") and parts.pkg.name(t):
            (a1, b1), (a2, b2) = (split_ref(x) for x in parts.tree(t).getroot().get("ref").split(":"))
            if a1 <= r2 and r1 <= a2 and b1 <= c2 and c1 <= b2:
                return True
    sc = SheetCells(parts.current(part), CellWriter(parts.styles, parts.date1904), sheet)
    data, start, end = sc.locate()
    found, _ = sc.scan(data, start, end, r2)
    return any(row_values(data, found.get(r), sc.p, c1, c2) for r in range(r1, r2 + 1))


def donor_rows(donor: Parts | None, table: str) -> int:
    """How many rows below its header the donor's table has: its default rows (Loyalty's
    tiers, StageDays' stages), or 1 (a blank row) for a table a new book leaves empty."""
    if donor is None:
        return 1
    _, _, _, root = donor.find_table(table)
    (r1, _), (r2, _) = (split_ref(x) for x in root.get("ref").split(":"))
    return max(1, r2 - r1)


def placed_settings_tables(parts: Parts, plan: Plan, skipped: list[str],
                           donor: Parts | None = None) -> list[tuple]:
    """(table, first column, rows below the header) for each Settings table the plan adds
    whose cells are free; the others are named in `skipped`."""
    out = []
    for table, col in plan.settings_tables:
        sheet = table.sheet(plan.lang)
        rows = donor_rows(donor, table.name)
        if _busy(parts, sheet, 1, 1 + rows, col, col + len(table.columns) - 1):
            skipped.append(tr(plan.lang, "table {table}: cells {cells} on sheet {sheet} are not "
                                         "free; not added (make room there, then run upgrade "
                                         "again)").format(
                table=table.name, sheet=sheet,
                cells=f"{cell_ref(1, col)}:{cell_ref(1 + rows, col + len(table.columns) - 1)}"))
        else:
            out.append((table, col, rows))
    return out


def widen_table(parts: Parts, nc, donor: Parts, styles: StyleImport, lang: str) -> None:
    """The table's ref one column wider, a tableColumn for it, its width, format and drop-down
    as the donor has them."""
    sheet, part, tpart, root = parts.find_table(nc.table.name)
    (r1, c1), (r2, c2) = (split_ref(x) for x in root.get("ref").split(":"))
    new_ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2 + 1)}"
    root.set("ref", new_ref)
    auto = find_child(root, "autoFilter")
    if auto is not None:
        auto.set("ref", new_ref)
    cols = find_child(root, "tableColumns")
    ids = [int(c.get("id", "0")) for c in find_children(cols, "tableColumn")]
    el = etree.SubElement(cols, f"{{{etree.QName(root).namespace}}}tableColumn",
                          id=str(max(ids, default=0) + 1), name=nc.column.label(lang))
    el.tail = None
    cols.set("count", str(len(ids) + 1))
    parts.dirty(tpart)
    donor_sheet = donor.sheet_part(nc.table.sheet(lang))
    dcol = donor_table_col(donor, nc.table.name) + nc.table.columns.index(nc.column)
    xml = _add_col(parts.current(part), donor.pkg.read(donor_sheet), dcol, c2 + 1, styles)
    xml = _add_validation(xml, donor.pkg.read(donor_sheet), dcol, c2 + 1, r1, r2, parts)
    parts.set(part, xml)


_COL = re.compile(rb"<((?:[\w.-]+:)?)col\b([^>]*?)/>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _add_col(xml: bytes, donor_xml: bytes, dcol: int, col: int, styles: StyleImport) -> bytes:
    """A `<col>` for column `col` copied from the donor's column `dcol` (width, style), unless
    a `<col>` of the book already covers it."""
    head_end = xml.find(b"sheetData")
    head = xml[:head_end]
    spec = None
    for m in _COL.finditer(donor_xml[:donor_xml.find(b"sheetData")]):
        a = dict(_ATTR.findall(m[2]))
        if int(a.get(b"min", 0)) <= dcol <= int(a.get(b"max", 0)):
            spec = a
    if spec is None:
        return xml
    taken = [dict(_ATTR.findall(m[2])) for m in _COL.finditer(head)]
    if any(int(a.get(b"min", 0)) <= col <= int(a.get(b"max", 0)) for a in taken):
        return xml
    prefix = (_COL.search(head)[1] if _COL.search(head) else
              re.search(rb"<((?:[\w.-]+:)?)sheetData", xml)[1])
    attrs = f'min="{col}" max="{col}" width="{spec[b"width"].decode()}" customWidth="1"'
    if spec.get(b"style"):
        attrs += f' style="{styles.xf(spec[b"style"].decode())}"'
    el = b"<" + prefix + b"col " + attrs.encode() + b"/>"
    after = [m for m in _COL.finditer(head) if int(dict(_ATTR.findall(m[2]))[b"min"]) < col]
    if after:
        at = after[-1].end()
    elif re.search(rb"<(?:[\w.-]+:)?cols\b[^>]*>", head):
        at = re.search(rb"<(?:[\w.-]+:)?cols\b[^>]*>", head).end()
    else:
        at = head.rfind(b"<")
        el = b"<" + prefix + b"cols>" + el + b"</" + prefix + b"cols>"
    return xml[:at] + el + xml[at:]


_DV = re.compile(rb"<(?:[\w.-]+:)?dataValidation\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?dataValidation>)",
                 re.S)
_AFTER_DV = (b"hyperlinks", b"printOptions", b"pageMargins", b"pageSetup", b"headerFooter",
             b"rowBreaks", b"colBreaks", b"customProperties", b"cellWatches", b"ignoredErrors",
             b"smartTags", b"drawing", b"legacyDrawing", b"legacyDrawingHF", b"picture",
             b"oleObjects", b"controls", b"webPublishItems", b"tableParts", b"extLst")


def _add_validation(xml: bytes, donor_xml: bytes, dcol: int, col: int, r1: int, r2: int,
                    parts: Parts) -> bytes:
    """The donor's drop-down or bounds of column `dcol`, on column `col` from the first data
    row to RULE_MARGIN rows past the table (a rule naming a name the book lacks is left out)."""
    letter = cell_ref(1, dcol)[:-1]
    rule = donor_rule(donor_xml, rb'sqref="' + letter.encode() + rb"\d", parts)
    sqref = f"{cell_ref(r1 + 1, col)}:{cell_ref(max(r2, r1 + 1) + RULE_MARGIN, col)}"
    return insert_rule(xml, rule, sqref) if rule else xml


def donor_rule(donor_xml: bytes, sqref_pattern: bytes, parts: Parts) -> bytes | None:
    """The donor's first dataValidation whose sqref matches, unless it names a workbook name
    the book lacks."""
    rules = [m[0] for m in _DV.finditer(donor_xml) if re.search(sqref_pattern, m[0])]
    names = set(re.findall(rb"acctbook_\w+", b"".join(rules)))
    if not rules or any(not has_name(parts, n.decode()) for n in names):
        return None
    return rules[0]


def insert_rule(xml: bytes, rule: bytes, sqref: str) -> bytes:
    """`rule` on `sqref`, added to the sheet's dataValidations (made where the schema puts it)."""
    rule = re.sub(rb'sqref="[^"]*"', b'sqref="' + sqref.encode() + b'"', rule)
    tail_at = max(xml.rfind(b"sheetData>"), xml.rfind(b"sheetData/>"))
    m = re.compile(rb"</((?:[\w.-]+:)?)dataValidations>").search(xml, tail_at)
    if m:
        open_m = list(re.finditer(rb"<(?:[\w.-]+:)?dataValidations\b[^>]*>", xml[:m.start()]))[-1]
        tag = re.sub(rb'count="(\d+)"', lambda c: b'count="%d"' % (int(c[1]) + 1), open_m[0])
        return xml[:open_m.start()] + tag + xml[open_m.end():m.start()] + rule + xml[m.start():]
    p = re.search(rb"<((?:[\w.-]+:)?)worksheet\b", xml)[1]
    block = b"<" + p + b'dataValidations count="1">' + rule + b"</" + p + b"dataValidations>"
    for name in _AFTER_DV:
        at = re.compile(rb"<(?:[\w.-]+:)?" + name + rb"[\s/>]").search(xml, tail_at)
        if at:
            return xml[:at.start()] + block + xml[at.start():]
    end = xml.rfind(b"</")
    return xml[:end] + block + xml[end:]


def add_setting_rules(parts: Parts, donor: Parts, added: list, lang: str) -> None:
    """Each added setting's Value cell (the last rows of the Settings table, as appended) gets
    the drop-down or bounds the donor book has on that setting's row."""
    if not added:
        return
    _, part, _, root = parts.find_table("Settings")
    (_, c1), (r2, _) = (split_ref(x) for x in root.get("ref").split(":"))
    _, dpart, _, droot = donor.find_table("Settings")
    (dr1, dc1), _ = (split_ref(x) for x in droot.get("ref").split(":"))
    donor_xml, xml = donor.pkg.read(dpart), parts.current(part)
    rows = [s.key for s in schema.SETTING_ROWS]
    for i, s in enumerate(added):
        where = cell_ref(dr1 + 1 + rows.index(s.key), dc1 + 1)
        rule = donor_rule(donor_xml, b'sqref="' + where.encode() + b'"', parts)
        if rule:
            xml = insert_rule(xml, rule, cell_ref(r2 - len(added) + 1 + i, c1 + 1))
    parts.set(part, xml)


def add_settings_table(parts: Parts, table, col: int, lang: str, rows: int = 1) -> None:
    sheet = table.sheet(lang)
    part = parts.sheet_part(sheet)
    ids = [int(r.get("id", "0")) for _, r in parts.all_tables() if r.get("id", "").isdigit()]
    tid = max(ids + parts.table_ids, default=0) + 1
    parts.table_ids.append(tid)
    tpart = parts.free_name("xl/tables", "table")
    rid = parts.add_rel(part, parts.rel_type("table"), tpart)
    parts.content_type(tpart, CT_TABLE)
    ref = f"{cell_ref(1, col)}:{cell_ref(1 + rows, col + len(table.columns) - 1)}"
    style = next((find_child(r, "tableStyleInfo") for t, r in parts.all_tables()
                  if parts.table_sheet(t) == part.lower()
                  and find_child(r, "tableStyleInfo") is not None), None)
    style_xml = etree.tostring(copy.deepcopy(style)).decode() if style is not None else (
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/>')
    style_xml = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", style_xml)
    heads = "".join(f'<tableColumn id="{i}" name="{esc_attr(c.label(lang))}"/>'
                    for i, c in enumerate(table.columns, 1))
    parts.set(tpart, (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      f'<table xmlns="{parts.ns}" id="{tid}" name="{table.name}" '
                      f'displayName="{table.name}" ref="{ref}" totalsRowShown="0">'
                      f'<autoFilter ref="{ref}"/><tableColumns count="{len(table.columns)}">'
                      f"{heads}</tableColumns>{style_xml}</table>").encode("utf-8"))
    root = etree.fromstring(parts.current(part), PARSER)
    tps = find_child(root, "tableParts")
    if tps is None:
        tps = etree.Element(f"{{{root.nsmap.get(root.prefix)}}}tableParts", count="0")
        insert_ordered(root, tps, SHEET_ORDER)
    etree.SubElement(tps, f"{{{etree.QName(tps).namespace}}}tablePart").set(
        f"{{{parts.rel_ns}}}id", rid)
    tps.set("count", str(len(find_children(tps, "tablePart"))))
    parts.set(part, serialize(etree.ElementTree(root)))
