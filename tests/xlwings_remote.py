"""xlwings' remote engine without Excel: a payload from a real file, its actions applied back.

`payload(path)` reads a workbook with openpyxl into the JSON the xlwings Lite / Office.js
client sends (every sheet's values over its used range from A1, dates as ISO text ending
in Z, tables' addresses). `apply(wb, actions)` plays the actions the button code returned
onto the openpyxl workbook the way Excel would: text with a leading apostrophe stays
text, ISO date text becomes a date, tables resize. Used by tests/test_excel.py and
bench/buttons.py. The remote engine needs XLWINGS_LICENSE_KEY (tests and bench only).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _json_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(v, dt.time):
        return v.isoformat()
    return v


def _addr(c0: int, r0: int, c1: int, r1: int) -> str:
    return f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"


def payload(path, active: str | None = None, selection: str = "A1",
            wb: openpyxl.Workbook | None = None) -> dict:
    import xlwings as xw
    wb = wb or openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        nrows, ncols = ws.max_row, ws.max_column
        values = [[_json_value(v) for v in row] for row in
                  ws.iter_rows(min_row=1, max_row=nrows, max_col=ncols, values_only=True)]
        tables = []
        for t in ws.tables.values():
            c0, r0, c1, r1 = range_boundaries(t.ref)
            headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
            tables.append({
                "name": t.name, "range_address": _addr(c0, r0, c1, r1),
                "header_row_range_address": _addr(c0, r0, c1, r0),
                "data_body_range_address": _addr(c0, r0 + 1, c1, r1) if r1 > r0 else None,
                "total_row_range_address": None, "columns": headers,
                "row_count": r1 - r0 + 1, "column_count": c1 - c0 + 1,
                "show_headers": True, "show_totals": False, "show_autofilter": True,
                "table_style": "TableStyleMedium2",
                "show_table_style_first_column": False, "show_table_style_last_column": False,
                "show_table_style_row_stripes": True, "show_table_style_column_stripes": False})
        sheets.append({"name": ws.title, "values": values or [[]], "tables": tables,
                       "pictures": [], "shapes": [], "charts": [], "notes": [],
                       "pivot_tables": [], "visibility": "Visible", "show_gridlines": True,
                       "print_area": None, "used_range_address": _addr(1, 1, ncols, nrows)})
    names = [s.title for s in wb.worksheets]
    index = names.index(active) if active else names.index(wb.active.title)
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": str(path).rsplit("/", 1)[-1], "active_sheet_index": index,
                     "selection": selection},
            "names": _names(wb), "sheets": sheets}


def _names(wb: openpyxl.Workbook) -> list[dict]:
    """The defined names that refer to one range, as Office.js sends them (its named
    items of type Range; Excel's own `_xlnm.` names aside). A name defined by a formula
    is left out: Excel would evaluate it, openpyxl cannot."""
    sheets = [s.title for s in wb.worksheets]
    out = []
    scoped = [(None, wb.defined_names)] + [(ws, ws.defined_names) for ws in wb.worksheets]
    for ws, names in scoped:
        for name, dn in names.items():
            if name.startswith("_xlnm."):
                continue
            try:
                dest = list(dn.destinations)
            except Exception:       # not a plain reference
                continue
            if len(dest) != 1 or dest[0][0] not in sheets:
                continue
            sheet, ref = dest[0]
            out.append({"name": name, "sheet_index": sheets.index(sheet),
                        "address": ref.replace("$", ""),
                        "scope_sheet_name": None if ws is None else ws.title,
                        "scope_sheet_index": None if ws is None else sheets.index(ws.title),
                        "book_scope": ws is None})
    return out


def run(func, path, today, active=None, selection="A1", **kw):
    """Run a button function on a fresh remote Book of `path`; (result, actions)."""
    import xlwings as xw
    book = xw.Book(json=payload(path, active=active, selection=selection))
    result = func(book, today=today, **kw)
    return result, book.json()["actions"]


def pressed(func, path, today, **kw) -> openpyxl.Workbook:
    """`path` as Excel shows it after the button: `func` run on a remote Book of it (it must
    return a result), its actions played onto the file as openpyxl reads it, with no alert
    and no action this player does not know."""
    written, actions = run(func, path, today, **kw)
    assert written is not None
    wb = openpyxl.load_workbook(path)
    played = apply(wb, actions)
    assert played["alerts"] == [] and played["unknown"] == [], played
    return wb


def table_values(wb: openpyxl.Workbook, name: str) -> tuple[str, str, list[list]]:
    """(sheet, ref, rows with the header) of the Excel table `name`, as openpyxl reads it."""
    for ws in wb.worksheets:
        if name in ws.tables:
            ref = ws.tables[name].ref
            c0, r0, c1, r1 = range_boundaries(ref)
            return ws.title, ref, [[ws.cell(r, c).value for c in range(c0, c1 + 1)]
                                   for r in range(r0, r1 + 1)]
    raise AssertionError(f"no table {name}")


# --- applying the actions as Excel would ------------------------------------------------------------
def _excel(v: Any) -> Any:
    if v == "" or v is None:
        return None
    if isinstance(v, str):
        if v.startswith("'"):
            return v[1:]
        if _DATE.match(v):
            return dt.datetime.fromisoformat(v)
        if _DATETIME.match(v):
            return dt.datetime.fromisoformat(v)
    return v


def apply(wb: openpyxl.Workbook, actions: list[dict]) -> dict:
    """Play the actions onto `wb`; returns {"alerts": [...], "active": sheet, "links": {...},
    "pictures": {sheet: [{"name", "row", "col", "png"}]}} (row/col 1-based, png bytes)."""
    out: dict = {"alerts": [], "active": None, "links": {}, "unknown": [], "pictures": {}}
    sheets = wb.worksheets

    def cells(a):
        ws = sheets[a["sheet_position"]]
        for i in range(a["row_count"]):
            for j in range(a["column_count"]):
                yield ws, a["start_row"] + 1 + i, a["start_column"] + 1 + j, i, j

    for a in actions:
        f = a["func"]
        if f == "setValues":
            for ws, r, c, i, j in cells(a):
                ws.cell(r, c).value = _excel(a["values"][i][j])
        elif f in ("rangeClearContents", "rangeClear"):
            for ws, r, c, _i, _j in cells(a):
                ws.cell(r, c).value = None
        elif f == "resizeTable":
            ws = sheets[a["sheet_position"]]
            table = list(ws.tables.values())[a["args"][0]]
            table.ref = a["args"][1].replace("$", "")
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
        elif f == "setNumberFormat":
            for ws, r, c, _i, _j in cells(a):
                ws.cell(r, c).number_format = a["args"][0]
        elif f == "addHyperlink":
            ws = sheets[a["sheet_position"]]
            out["links"][(ws.title, a["start_row"] + 1, a["start_column"] + 1)] = a["args"][0]
        elif f == "addSheet":           # args: 0-based position, name
            wb.create_sheet(a["args"][1], a["args"][0])
            sheets = wb.worksheets
        elif f == "addTable":           # args: address, has headers, style, name
            from openpyxl.worksheet.table import Table, TableStyleInfo
            ws = sheets[a["sheet_position"]]
            ref = a["args"][0].replace("$", "").split("!")[-1]
            c0, r0, c1, _r1 = range_boundaries(ref)
            for c in range(c0, c1 + 1):      # Excel names a blank header Column1, ...
                if ws.cell(r0, c).value in (None, ""):
                    ws.cell(r0, c).value = f"Column{c - c0 + 1}"
            t = Table(displayName=a["args"][3], ref=ref)
            t.tableStyleInfo = TableStyleInfo(name=a["args"][2] or "TableStyleMedium2",
                                              showRowStripes=True)
            ws.add_table(t)
        elif f == "activateSheet":
            out["active"] = sheets[a["args"][0]].title
        elif f == "alert":
            out["alerts"].append(a["args"][0])
        elif f == "addPicture":         # args: base64 PNG, column, row (0-based), left, top
            pics = out["pictures"].setdefault(sheets[a["sheet_position"]].title, [])
            pics.append({"name": f"Picture {len(pics) + 1}", "row": a["args"][2] + 1,
                         "col": a["args"][1] + 1, "png": base64.b64decode(a["args"][0])})
        elif f == "setPictureName":     # args: index on the sheet, name
            out["pictures"][sheets[a["sheet_position"]].title][a["args"][0]]["name"] = a["args"][1]
        elif f == "updatePicture":      # args: base64 PNG, index, name, width, height
            pic = out["pictures"][sheets[a["sheet_position"]].title][a["args"][1]]
            pic["png"] = base64.b64decode(a["args"][0])
        else:
            out["unknown"].append(f)
    return out
