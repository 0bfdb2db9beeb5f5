"""The `Report YYYY-MM` sheet: `report_sheet` describes it as plain data for any writer (the
zip writer through `build_report_xlsx`, xlwings through acctbook.xlbook), and
`build_report_xlsx` writes it alone, with its three native charts, through XlsxWriter.
XlsxWriter is imported inside that function, so xlwings Lite can import this module.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from acctbook.book.model import col_letter
from acctbook.documents.figures import MonthReport
from acctbook.documents.report_html import (FIGURES, LABELS, chart_series, choice, figure_value,
                                            heading, labels, lang_of, movement_text, notes,
                                            stage_label)


# --- the Report YYYY-MM sheet as data --------------------------------------------------------
def report_sheet_name(month: str, lang: str) -> str:
    return f"{LABELS[lang_of(lang)]['sheet']} {month}"


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _ref(sheet: str, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{_quote_sheet(sheet)}!${col_letter(c0 + 1)}${r0 + 1}:${col_letter(c1 + 1)}${r1 + 1}"


def report_sheet(report: MonthReport, lang: str | None = None) -> dict:
    """The `Report YYYY-MM` sheet as plain data, for any writer.

    Returns {"name", "rtl", "cells": [{"row", "col", "value", "kind"}], "charts": [...],
    "widths": {col: chars}}; rows and columns are 0-based. kind is one of title,
    subtitle, header, text, int, money, pct, change, date (values stay raw numbers,
    dates and texts: a writer formats them; texts are never formulas). Each chart:
    {"key", "type" ("column"|"bar"), "title", "series_name", "categories", "values"
    (A1 references with the sheet name), "cat_range"/"val_range" (r0, c0, r1, c1), "anchor"}.
    """
    lang = lang_of(lang or report.lang)
    name = report_sheet_name(report.month, lang)
    sheet = _Cells(report, lang)
    r = _heading_rows(sheet)
    r, charts = _chart_tables(sheet, r, name)
    _list_tables(sheet, r)
    return {"name": name, "rtl": lang == "he", "cells": sheet.cells, "charts": charts,
            "widths": {0: 34, 1: 16, 2: 10, 3: 12, 4: 14, 5: 13, 6: 10}}


class _Cells:
    """The sheet's cells in the order they are written, for one report in one language."""

    def __init__(self, report: MonthReport, lang: str):
        self.report, self.lang, self.L = report, lang, labels(report, lang)
        self.cells: list[dict] = []

    def put(self, r, c, v, kind="text") -> None:
        self.cells.append({"row": r, "col": c, "value": v, "kind": kind})

    def block(self, r, title, header, rows, kinds) -> tuple[int, int]:
        """A titled table at row r; returns (first data row, row after the block).

        kinds: one kind per column, or a callable row index -> that list."""
        self.put(r, 0, title, "subtitle")
        for c, h in enumerate(header):
            self.put(r + 1, c, h, "header")
        for i, row in enumerate(rows):
            for c, (v, k) in enumerate(zip(row, kinds(i) if callable(kinds) else kinds)):
                self.put(r + 2 + i, c, v, k)
        return r + 2, r + 2 + len(rows) + 1


def _heading_rows(sheet: _Cells) -> int:
    """Title, period, the notes (when any) and the key figures; returns the next free row."""
    report, lang, L = sheet.report, sheet.lang, sheet.L
    sheet.put(0, 0, f"{L['title']} — {heading(report, lang)}", "title")
    who = " · ".join(x for x in (report.company, report.manager) if x)
    sheet.put(1, 0, f"{L['period']}: {report.start.isoformat()} – {report.until.isoformat()}"
              + (f" · {who}" if who else ""), "subtitle")
    if notes(report, lang):          # the row left blank above the figures
        sheet.put(2, 0, " ".join(notes(report, lang)), "text")
    _, r = sheet.block(3, L["key_figures"], [L["figure"], L["value"]],
                       [(L[k], figure_value(report, k)) for k, _ in FIGURES],
                       lambda i: ["text", FIGURES[i][1]])
    return r


def _chart_tables(sheet: _Cells, r: int, name: str) -> tuple[int, list[dict]]:
    """The three tables the native charts draw (revenue, channels, pipeline) from row r, and
    those charts; returns (the next free row, the charts)."""
    report, lang, L = sheet.report, sheet.lang, sheet.L
    series = chart_series(report, lang)
    charts = []
    rev0, r = sheet.block(r, L["chart_revenue"], [L["month"], L["revenue"]],
                          [(lbl, v) for lbl, v in series["revenue"]], ["text", "money"])
    charts.append(_chart("revenue", "column", L["chart_revenue"], L["revenue"], name,
                         rev0, len(series["revenue"]), 1, "E4"))
    ch0, r = sheet.block(r, L["chart_channels"], [L["channel"], L["interactions"]],
                         [(lbl, int(v)) for lbl, v in series["channels"]], ["text", "int"])
    charts.append(_chart("channels", "bar", L["chart_channels"], L["interactions"], name,
                         ch0, len(series["channels"]), 1, "E22"))
    st0, r = sheet.block(r, L["sec_pipeline"], [L["stage"], L["weighted"], L["deals"], L["amount"]],
                         [(stage_label(p.stage, lang), p.weighted, p.deals, p.amount)
                          for p in report.pipeline],
                         ["text", "money", "int", "money"])
    charts.append(_chart("pipeline", "bar", L["chart_pipeline"], L["weighted"], name,
                         st0, len(report.pipeline), 1, "E40"))
    return r, charts


def _list_tables(sheet: _Cells, r: int) -> int:
    """Lost deals by competitor, the month's events and the top accounts from row r; returns
    the next free row."""
    report, lang, L = sheet.report, sheet.lang, sheet.L
    _, r = sheet.block(r, L["lost_by_competitor"], [L["competitor"], L["deals"]],
                       [(c or L["no_competitor"], n) for c, n in report.lost_by_competitor],
                       ["text", "int"])
    _, r = sheet.block(r, L["sec_events"], [L["event"], L["date"], L["type"], L["clients"]],
                       [(e.name or e.event_id, e.date, choice(e.type, lang), e.clients)
                        for e in report.events], ["text", "date", "text", "int"])
    _, r = sheet.block(r, L["sec_top"], [L["rank"], L["client"], L["class"], L["tier"],
                                          L["revenue_12m"], L["prev_rank"], L["movement"]],
                       [(a.rank, a.name or a.client_id, a.cls, choice(a.tier, lang), a.revenue_12m,
                         a.prev_rank, movement_text(a, lang)) for a in report.top],
                       ["int", "text", "text", "text", "money", "int", "text"])
    return r


def _chart(key, kind, title, series_name, sheet, first, n, val_col, anchor) -> dict:
    cat = (first, 0, first + n - 1, 0)
    val = (first, val_col, first + n - 1, val_col)
    return {"key": key, "type": kind, "title": title, "series_name": series_name,
            "categories": "=" + _ref(sheet, *cat), "values": "=" + _ref(sheet, *val),
            "cat_range": cat, "val_range": val, "anchor": anchor}


# --- the sheet alone, with native charts (XlsxWriter) -----------------------------------------
NUMBER_FORMATS = {"money": "#,##0", "int": "0", "pct": "0.0%", "change": "+0.0%;-0.0%;0.0%",
                  "date": "yyyy-mm-dd"}


def build_report_xlsx(report: MonthReport, lang: str | None, path) -> Path:
    """Write the `Report YYYY-MM` sheet with its three native charts to a new .xlsx at path."""
    import xlsxwriter
    desc = report_sheet(report, lang)
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    try:
        ws = wb.add_worksheet(desc["name"])
        if desc["rtl"]:
            ws.right_to_left()
        fmts = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
        fmts.update(title=wb.add_format({"bold": True, "font_size": 16}),
                    subtitle=wb.add_format({"bold": True}),
                    header=wb.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1}))
        for c, width in desc["widths"].items():
            ws.set_column(c, c, width)
        for cell in desc["cells"]:
            _write_cell(ws, cell, fmts.get(cell["kind"]))
        for ch in desc["charts"]:
            chart = wb.add_chart({"type": ch["type"]})
            chart.add_series({"name": ch["series_name"], "categories": ch["categories"],
                              "values": ch["values"], "fill": {"color": "#2F6DB5"}})
            chart.set_title({"name": ch["title"]})
            chart.set_legend({"none": True})
            if ch["type"] == "bar":
                chart.set_y_axis({"reverse": True})   # categories top to bottom in table order
            ws.insert_chart(ch["anchor"], chart, {"x_scale": 1.3, "y_scale": 1.1})
    finally:
        wb.close()
    return path


def _write_cell(ws, cell: dict, fmt) -> None:
    r, c, v = cell["row"], cell["col"], cell["value"]
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, str):
        ws.write_string(r, c, v, fmt)     # never a formula, whatever the text starts with
    elif isinstance(v, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), fmt)
    else:
        ws.write_number(r, c, float(v), fmt)
