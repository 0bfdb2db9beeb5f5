"""Generated sheets: a SheetTable rebuilt wholesale as one Excel table, or two side by side.

A rebuilt sheet keeps from its previous version the user's layout and anything tied to
other parts (sheetPr, column widths unless given, conditional formats, validation, page
setup, drawings, controls, extLst); its rows, merges, hyperlinks and autofilter are
rebuilt. Its table keeps its part and id. A generated table whose sheet the user
renamed is rebuilt on that sheet (tables are found by name). A SheetTable with a table
`beside` (Regions beside Segments) puts that one right of it, one blank column between,
in a table part of its own.
"""

from __future__ import annotations

import dataclasses
import itertools
import posixpath
import re

from lxml import etree

from acctbook.book import bidi, schema
from acctbook.book.cells import letters_of
from acctbook.book.cells import ref as cell_ref
from acctbook.book.model import AcctbookError, SheetTable
from acctbook.xlsx.cellxml import (BAD_XML, CellWriter, attr_text, esc_attr, esc_attrs,
                                   is_missing, xstring)
from acctbook.xlsx.package import (CT_TABLE, PARSER, XML_DECL, canon, cut_element, find_child,
                                   find_children, insert_ordered, local_name)
from acctbook.xlsx.parts import Parts, check_sheet_name
from acctbook.xlsx.sheetrows import has_formula

SHEET_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
               "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
               "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
               "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
               "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
               "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
               "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
               "controls", "webPublishItems", "tableParts", "extLst"]
# What a rebuilt sheet keeps from its previous version: layout the user may have set
# and anything that carries a relationship to a part we copy (drawings, controls).
SHEET_KEEP = {"sheetPr", "sheetFormatPr", "cols", "sheetProtection", "conditionalFormatting",
              "dataValidations", "printOptions", "pageMargins", "pageSetup", "headerFooter",
              "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
              "controls", "AlternateContent", "extLst"}
_ROWS_MARK = "@@acctbook-rows@@"   # placeholder: rows are built as text, not as elements
_LINKS_MARK = "@@acctbook-links@@"
# Elements of an old generated sheet that may be huge and are rebuilt anyway: cut them
# out as text before lxml parses the rest (lxml takes seconds to remove a 200k subtree).
_CUT_BEFORE_PARSE = ("sheetData", "hyperlinks", "mergeCells")
_TABLE_NAME = re.compile(r"^[A-Za-z_\\][\w.\\]*$")


def check_sheet_table(st: SheetTable) -> None:
    """A generated sheet's name, table name, header and rows, before anything is written."""
    check_sheet_name(st.sheet)
    if (not _TABLE_NAME.match(st.table) or len(st.table) > 255 or re.fullmatch(r"[A-Za-z]{1,3}\d+", st.table)
            or re.fullmatch(r"[RrCc]\d*|[Rr]\d+[Cc]\d+", st.table)):
        raise AcctbookError(f"invalid table name {st.table!r}")
    if not st.header:
        raise AcctbookError(f"table {st.table}: no columns")
    seen = set()
    for h in st.header:
        if not isinstance(h, str) or not h.strip() or BAD_XML.search(h) or "\n" in h:
            raise AcctbookError(f"table {st.table}: column name {h!r} must be non-empty text on one line")
        if h.lower() in seen:
            raise AcctbookError(f"table {st.table}: column name {h!r} appears twice")
        seen.add(h.lower())
    for i, row in enumerate(st.rows):
        if len(row) > len(st.header):
            raise AcctbookError(f"table {st.table}: row {i} has {len(row)} values for "
                                f"{len(st.header)} columns")
    if st.beside is not None:
        if st.beside.beside is not None or st.beside.table.lower() == st.table.lower():
            raise AcctbookError(f"table {st.table}: the table beside it must be one other table")
        check_sheet_table(dataclasses.replace(st.beside, sheet=st.sheet))


def where_tables_are(parts: Parts, sheets: list[SheetTable]) -> list[SheetTable]:
    """A generated table whose sheet the user renamed (Today -> My calls) is rebuilt on
    that sheet, under the user's tab name: tables are found by name, wherever they sit."""
    by_part = {(part or "").lower(): name for name, part in parts.sheets}
    found = {}
    for part, root in parts.all_tables():
        found.setdefault((root.get("displayName") or root.get("name") or "").lower(), part)
    out = []
    for st in sheets:
        part = found.get(st.table.lower()) if st.follow_table else None
        if part is not None:
            home = parts.table_sheet(part)
            if home and home != (parts.sheet_part(st.sheet) or "").lower() and home in by_part:
                st = dataclasses.replace(st, sheet=by_part[home])
        out.append(st)
    return out


def check_table_names(parts: Parts, sheets: list[SheetTable]) -> None:
    wanted = {}
    for st in sheets:
        for t in (st, st.beside):
            if t is None:
                continue
            if t.table.lower() in wanted:
                raise AcctbookError(f"table name {t.table!r} is used twice")
            wanted[t.table.lower()] = st
    if not wanted:
        return
    for part, root in parts.all_tables():
        name = (root.get("displayName") or root.get("name") or "").lower()
        st = wanted.get(name)
        if st is not None and parts.table_sheet(part) != (parts.sheet_part(st.sheet) or "").lower():
            raise AcctbookError(f"{parts.pkg.path}: a table named {st.table!r} already exists on "
                                f"another sheet than {st.sheet!r}")
    dn = find_child(parts.tree(parts.wb).getroot(), "definedNames")
    for el in (find_children(dn, "definedName") if dn is not None else []):
        if el.get("name", "").lower() in wanted:
            raise AcctbookError(f"{parts.pkg.path}: the name {el.get('name')!r} is already a "
                                "defined name; a table cannot share it")


# -- where a missing generated sheet goes back
# A generated table's sheet, when the user deleted it, comes back where the template puts
# it: right after its neighbour there (a sheet name in either language, or the sheet that
# holds the neighbour's table, renamed or not); at the end when that neighbour is gone too.
# Rankings, Segments, Loyalty, Problems in one write: each then finds the one before just
# put back. Problems follows Loyalty, or the one before it in a book made before that.
_AFTER: dict[str, tuple[tuple[tuple[str, ...], str | None], ...]] = {
    "today": ((schema.GENERATED_SHEETS["Home"], None),),
    "rankings": (((schema.BONUS_PAYMENTS.sheet_en, schema.BONUS_PAYMENTS.sheet_he),
                  schema.BONUS_PAYMENTS.name),     # the last data sheet; in older books
                 ((schema.ATTENDANCE.sheet_en, schema.ATTENDANCE.sheet_he),  # Attendance or
                  schema.ATTENDANCE.name),                                   # Events
                 ((schema.EVENTS.sheet_en, schema.EVENTS.sheet_he), schema.EVENTS.name)),
    "segments": ((schema.GENERATED_SHEETS["Rankings"], schema.RANKINGS.name),),
    "loyaltybalances": ((schema.GENERATED_SHEETS["Segments"], schema.SEGMENTS.name),
                        (schema.GENERATED_SHEETS["Rankings"], schema.RANKINGS.name)),
    "problems": ((schema.GENERATED_SHEETS["Loyalty"], schema.LOYALTY_BALANCES.name),
                 (schema.GENERATED_SHEETS["Segments"], schema.SEGMENTS.name),
                 (schema.GENERATED_SHEETS["Rankings"], schema.RANKINGS.name)),
}


def place(parts: Parts, table: str) -> int | None:
    """The tab position (0-based) for the sheet of generated table `table`, not yet in
    the book: right after its template neighbour (the first of them found), or None (the
    end)."""
    for names, neighbour_table in _AFTER.get(table.lower(), ()):
        at = _after(parts, names, neighbour_table)
        if at is not None:
            return at
    return None


def _after(parts: Parts, names: tuple[str, ...], neighbour_table: str | None) -> int | None:
    """The position right after the sheet named one of `names`, else after the sheet that
    holds `neighbour_table`; None when neither is in the book."""
    wanted = {n.casefold() for n in names}
    for i, (name, _) in enumerate(parts.sheets):
        if name.casefold() in wanted:
            return i + 1
    if neighbour_table is not None:
        for t_part, root in parts.all_tables():
            if (root.get("displayName") or root.get("name") or "").lower() == neighbour_table.lower():
                home = parts.table_sheet(t_part)
                for i, (_, part) in enumerate(parts.sheets):
                    if part is not None and part.lower() == home:
                        return i + 1
    return None


# -- generated sheet
def generate(parts: Parts, st: SheetTable) -> None:
    tables = [(st, 1)] + ([(st.beside, st.beside_col)] if st.beside is not None else [])
    cells = side_by_side(st) if st.beside is not None else st
    if cells.rtl:   # Latin text that would not read as typed in a right-to-left cell
        cells = dataclasses.replace(cells, rows=bidi.rtl_rows(cells.rows))
    part = parts.sheet_part(st.sheet)
    if part is None:
        part = parts.add_sheet(st.sheet, place(parts, st.table))
        old = None
    else:
        old = parts.pkg.read(part)
        if has_formula(old):
            parts.drop_calc_chain()
        for name in _CUT_BEFORE_PARSE:      # the old rows go now, before the new are made
            old = cut_element(old, name.encode())
    found = _tables_for(parts, part, [t for t, _ in tables])
    ns = parts.ns
    for (t, first_col), (table_part, _rid, table_id) in zip(tables, found):
        parts.set(table_part, _table_xml(t, ns, table_id, _old_style(parts, table_part),
                                         first_col))
    parts.set(part, _sheet_xml(parts, cells, old, [rid for _, rid, _ in found]))


def side_by_side(st: SheetTable) -> SheetTable:
    """The cells of a sheet with a table beside: one SheetTable whose header, rows, widths,
    formats and links are the first table's, a blank column (header None), then the
    beside table's; each table's own part is written from its own SheetTable."""
    b = st.beside
    n, m = len(st.header), len(b.header)

    def pad(rows: list[list], i: int, width: int) -> list:
        return list(rows[i]) + [None] * (width - len(rows[i])) if i < len(rows) else [None] * width

    def fill(values, width: int, blank) -> list:
        return (list(values or []) + [blank] * width)[:width]

    rows = [pad(st.rows, i, n) + [None] + pad(b.rows, i, m)
            for i in range(max(len(st.rows), len(b.rows)))]
    widths = None
    if st.widths or b.widths:        # 8.43: Excel's default width
        widths = fill(st.widths, n, 8.43) + [schema.BESIDE_GAP_WIDTH] + fill(b.widths, m, 8.43)
    formats = fill(st.formats, n, None) + [None] + fill(b.formats, m, None)
    links = {**st.links, **{(i, j + n + 1): target for (i, j), target in b.links.items()}}
    return dataclasses.replace(st, header=[*st.header, None, *b.header], rows=rows,
                               widths=widths, formats=formats, links=links, beside=None)


def _old_style(parts: Parts, table_part: str) -> dict | None:
    if parts.pkg.name(table_part) is None:
        return None
    el = find_child(parts.tree(table_part).getroot(), "tableStyleInfo")
    return dict(el.attrib) if el is not None else None


def _tables_for(parts: Parts, sheet_part: str,
                sts: list[SheetTable]) -> list[tuple[str, str, int]]:
    """(table part, its relationship id from the sheet, table id) for each of `sts`, on
    the sheet: its table of that name reused, else another of its tables (renamed), else a
    new one."""
    tables = [(rid, t) for rid, ty, t, _ in parts.rels(sheet_part) if ty.endswith("/table")]
    if len(tables) > len(sts):
        names = " and ".join(repr(t.table) for t in sts)
        raise AcctbookError(f"{parts.pkg.path}: generated sheet {sts[0].sheet!r} holds "
                            f"{len(tables)} tables; it may hold only {names}")
    have = [(rid, t) for rid, t in tables if parts.pkg.name(t)]

    def name(t: str) -> str:
        root = parts.tree(t).getroot()
        return (root.get("displayName") or root.get("name") or "").lower()

    wanted = [t.table.lower() for t in sts]
    chosen: dict[int, tuple[str, str]] = {}
    for i in range(len(sts)):               # by name first, then any table not wanted
        for same in (True, False):
            hit = next((x for x in have if i not in chosen and
                        (name(x[1]) == wanted[i] if same else name(x[1]) not in wanted)), None)
            if hit is not None:
                chosen[i] = hit
                have.remove(hit)
    return [(canon(parts.pkg.name(chosen[i][1])), chosen[i][0],
             int(parts.tree(chosen[i][1]).getroot().get("id", "1")))
            if i in chosen else _new_table(parts, sheet_part) for i in range(len(sts))]


def _new_table(parts: Parts, sheet_part: str) -> tuple[str, str, int]:
    ids = [int(r.get("id", "0")) for _, r in parts.all_tables() if r.get("id", "").isdigit()]
    part = parts.free_name(posixpath.join(posixpath.dirname(parts.wb), "tables"), "table")
    rid = parts.add_rel(sheet_part, parts.rel_type("table"), part)
    parts.content_type(part, CT_TABLE)
    parts.table_ids.append(max(ids + parts.table_ids, default=0) + 1)
    return part, rid, parts.table_ids[-1]


def _sheet_xml(parts: Parts, st: SheetTable, old: bytes | None, table_rids: list[str]) -> bytes:
    ns = parts.ns
    if old is not None:            # its rows, links and merged cells already cut (generate)
        root = etree.fromstring(old, PARSER)
        ns = etree.QName(root).namespace
    else:
        root = etree.fromstring(f'<worksheet xmlns="{ns}" xmlns:r="{parts.rel_ns}"/>')
    q = lambda n: f"{{{ns}}}{n}"  # noqa: E731
    old_view = None
    for c in list(root):
        name = local_name(c)
        if name == "sheetViews":
            old_view = find_child(c, "sheetView")
        if name not in SHEET_KEEP or (name == "cols" and st.widths):
            root.remove(c)
    last_row = 1 + max(len(st.rows), 1)
    ref = f"A1:{cell_ref(last_row, len(st.header))}"
    insert_ordered(root, etree.Element(q("dimension"), ref=ref), SHEET_ORDER)
    insert_ordered(root, _sheet_views(q, old_view, st.rtl), SHEET_ORDER)
    if st.widths:
        insert_ordered(root, _cols(parts, st, q), SHEET_ORDER)
    data = etree.Element(q("sheetData"))
    data.text = _ROWS_MARK
    insert_ordered(root, data, SHEET_ORDER)
    if st.links:
        links = etree.Element(q("hyperlinks"))
        links.text = _LINKS_MARK
        insert_ordered(root, links, SHEET_ORDER)
    if find_child(root, "pageMargins") is None:
        insert_ordered(root, etree.Element(q("pageMargins"), left="0.7", right="0.7", top="0.75",
                                            bottom="0.75", header="0.3", footer="0.3"), SHEET_ORDER)
    if find_child(root, "pageSetup") is None:
        # Printed landscape, one page wide (a page setup the user made is kept above).
        insert_ordered(root, etree.Element(q("pageSetup"), orientation="landscape",
                                            fitToWidth="1", fitToHeight="0"), SHEET_ORDER)
        pr = find_child(root, "sheetPr")
        if pr is None:
            pr = etree.Element(q("sheetPr"))
            insert_ordered(root, pr, SHEET_ORDER)
        fit = find_child(pr, "pageSetUpPr")
        (fit if fit is not None else etree.SubElement(pr, q("pageSetUpPr"))).set("fitToPage", "1")
    table_parts = etree.Element(q("tableParts"), count=str(len(table_rids)))
    for rid in table_rids:
        etree.SubElement(table_parts, q("tablePart")).set(f"{{{parts.rel_ns}}}id", rid)
    insert_ordered(root, table_parts, SHEET_ORDER)
    prefix = root.prefix + ":" if root.prefix else ""
    xml = XML_DECL + etree.tostring(root, encoding="UTF-8")
    if st.links:
        xml = xml.replace(_LINKS_MARK.encode(), _hyperlinks_xml(parts, st, prefix).encode("utf-8"), 1)
    head, tail = xml.split(_ROWS_MARK.encode(), 1)
    # the rows as bytes, a row at a time, joined once: a big sheet exists twice at most
    return b"".join([head, *_rows_xml(parts, st, prefix), tail])


def _cols(parts: Parts, st: SheetTable, q):
    """`<cols>`: each column's width, and its values' style (a cell Excel adds there, as the
    buttons do, takes it): aligned, wrapped, in the book's reading order."""
    styles = column_styles(parts, st)[1]
    cols = etree.Element(q("cols"))
    for i, w in enumerate(st.widths or [], 1):
        col = etree.SubElement(cols, q("col"), min=str(i), max=str(i), width=f"{float(w):g}",
                               customWidth="1")
        if i <= len(styles):
            col.set("style", styles[i - 1])
    return cols


def column_styles(parts: Parts, st: SheetTable) -> tuple[list[str], list[str]]:
    """(header styles, value styles) of a generated sheet's columns: each column's number
    format (Revenue #,##0.00, Growth 0.0%), aligned as acctbook.book.bidi.alignment says
    (numbers right, text at the line's start and wrapped, a header on its values' side),
    in the book's reading order (right to left in Hebrew)."""
    formats = list(st.formats or [])
    formats += [None] * (len(st.header) - len(formats))
    heads = [parts.styles.aligned_style(None, bidi.alignment(st.rtl, bool(f), header=True))
             for f in formats]
    values = [parts.styles.aligned_style(f or None, bidi.alignment(st.rtl, bool(f)))
              for f in formats]
    return heads, values


def _rows_xml(parts: Parts, st: SheetTable, p: str) -> list[bytes]:
    """The sheet's rows as XML, a bytes object per row (the header row first)."""
    writer = CellWriter(parts.styles, parts.date1904, p)
    ncol = len(st.header)
    heads, styles = column_styles(parts, st)
    out = [f'<{p}row r="1" spans="1:{ncol}">']
    out += [writer.xml(cell_ref(1, c), h, heads[c - 1]) for c, h in enumerate(st.header, 1)
            if h is not None]       # None: the blank column between two tables
    out.append(f"</{p}row>")
    done = ["".join(out).encode("utf-8")]
    letters = [letters_of(c) for c in range(1, ncol + 1)]    # rows are checked: len <= ncol
    nums = list(map(str, range(2, len(st.rows) + 2)))     # each row's number, as text once
    try:          # a column at a time (CellWriter.column), then each row's cells joined
        columns = [writer.column(letters[c], nums, values, styles[c])
                   for c, values in enumerate(itertools.zip_longest(*st.rows))]
    except ValueError:
        _say_bad_row(writer, st, styles)
        raise
    head, mid, end = f'<{p}row r="', f'" spans="1:{ncol}">', f"</{p}row>"
    done += [f'{head}{r}{mid}{"".join(cells)}{end}'.encode("utf-8")
             for r, cells in zip(nums, zip(*columns) if columns else [()] * len(st.rows))]
    return done


def _say_bad_row(writer: CellWriter, st: SheetTable, styles: list) -> None:
    """The first cell, row by row, that cannot be written, said with its reference."""
    for i, row in enumerate(st.rows):
        for c, v in enumerate(row):
            try:
                writer.cells(i + 2, ["A"], [v], styles[c:c + 1])
            except ValueError as e:
                raise AcctbookError(f"{st.sheet}!{cell_ref(i + 2, c + 1)}: {e}") from None


def _hyperlinks_xml(parts: Parts, st: SheetTable, p: str) -> str:
    links = sorted(st.links.items())
    targets = esc_attrs([target.lstrip("#") for _, target in links])
    n, width, out = max(len(st.rows), 1), len(st.header), []
    for ((i, j), _), location in zip(links, targets):
        if not (0 <= i < n and 0 <= j < width):
            raise AcctbookError(f"{st.sheet}: link at row {i}, column {j} is outside the table")
        value = st.rows[i][j] if i < len(st.rows) and j < len(st.rows[i]) else None
        display = "" if is_missing(value) else f' display="{attr_text(str(value))}"'
        out.append(f'<{p}hyperlink ref="{cell_ref(i + 2, j + 1)}" location="{location}"{display}/>')
    return "".join(out)


def _sheet_views(q, old_view, rtl: bool):
    views = etree.Element(q("sheetViews"))
    view = etree.SubElement(views, q("sheetView"))
    if old_view is not None:
        for k, v in old_view.attrib.items():
            if k not in ("rightToLeft", "topLeftCell"):
                view.set(k, v)
    view.attrib.pop("rightToLeft", None)
    if rtl:
        view.set("rightToLeft", "1")
    view.set("workbookViewId", view.get("workbookViewId", "0"))
    etree.SubElement(view, q("pane"), ySplit="1", topLeftCell="A2", activePane="bottomLeft", state="frozen")
    etree.SubElement(view, q("selection"), pane="bottomLeft", activeCell="A2", sqref="A2")
    return views


def _table_xml(st: SheetTable, ns: str, table_id: int, style: dict | None,
               first_col: int = 1) -> bytes:
    last_row = 1 + max(len(st.rows), 1)       # an Excel table needs one body row, even blank
    ref = f"{cell_ref(1, first_col)}:{cell_ref(last_row, first_col + len(st.header) - 1)}"
    name = esc_attr(st.table)
    cols = "".join(f'<tableColumn id="{i}" name="{esc_attr(xstring(h))}"/>'
                   for i, h in enumerate(st.header, 1))
    style = style or {"name": "TableStyleMedium2", "showFirstColumn": "0", "showLastColumn": "0",
                      "showRowStripes": "1", "showColumnStripes": "0"}
    style_xml = "<tableStyleInfo " + " ".join(f'{k}="{esc_attr(v)}"' for k, v in style.items()
                                               if not k.startswith("{")) + "/>"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<table xmlns="{ns}" id="{table_id}" name="{name}" displayName="{name}" ref="{ref}" '
            f'totalsRowShown="0"><autoFilter ref="{ref}"/><tableColumns count="{len(st.header)}">'
            f"{cols}</tableColumns>{style_xml}</table>").encode("utf-8")
