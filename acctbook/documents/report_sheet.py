"""The `Report YYYY-MM` sheet: `report_sheet` describes it as plain data for any writer (the
zip writer through `build_report_xlsx`, xlwings through acctbook.xlbook), and
`build_report_xlsx` writes it alone, with its three native charts, through XlsxWriter.
XlsxWriter is imported inside that function, so xlwings Lite can import this module.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from acctbook.book import schema
from acctbook.book.model import col_letter
from acctbook.documents import report_bonuses
from acctbook.documents.figures import MonthReport, segment_total
from acctbook.documents.report_html import (FIGURES, LABELS, TARGET_ROWS, Formats, chart_series,
                                            choice, figure_value, heading, labels, lang_of,
                                            movement_text, notes, segment_name, stage_label)


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
    "widths": {col: chars}, "print": {...}}; rows and columns are 0-based. kind is one of title,
    subtitle, header, text, int, money, pct, change, date (values stay raw numbers,
    dates and texts: a writer formats them; texts are never formulas). Each chart:
    {"key", "type" ("column"|"bar"), "title", "series_name", "categories", "values"
    (A1 references with the sheet name), "cat_range"/"val_range" (r0, c0, r1, c1), "anchor",
    "scale" (x, y: of XlsxWriter's 480 x 288 px)}. "print" (see print_setup): A4 portrait at
    a scale that fits the tables and charts to the page's width, with page breaks between
    blocks, so no table or chart is split across pages.
    """
    lang = lang_of(lang or report.lang)
    name = report_sheet_name(report.month, lang)
    sheet = _Cells(report, lang)
    r = _heading_rows(sheet)
    r, charts = _chart_tables(sheet, r, name)
    _list_tables(sheet, r)
    widths = column_widths(sheet.cells)
    return {"name": name, "rtl": lang == "he", "cells": sheet.cells, "charts": charts,
            "widths": widths, "print": print_setup(sheet.blocks, charts, widths)}


class _Cells:
    """The sheet's cells in the order they are written, for one report in one language."""

    def __init__(self, report: MonthReport, lang: str):
        self.report, self.lang, self.L = report, lang, labels(report, lang)
        self.cells: list[dict] = []
        self.blocks: list[tuple[int, int]] = []      # (first row, last row) kept on one page

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
        self.blocks.append((r, r + 1 + len(rows)))
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
    sheet.blocks.append((0, 2))
    _, r = sheet.block(3, L["key_figures"], [L["figure"], L["value"]],
                       [(L[k], figure_value(report, k)) for k, _ in FIGURES],
                       lambda i: ["text", FIGURES[i][1]])
    return r


# Each chart's size as XlsxWriter's (x_scale, y_scale) of 480 x 288 px: the pipeline's is
# taller, so each of its stage labels has room and none is skipped.
CHART_SCALES = {"revenue": (1.15, 1.1), "channels": (1.15, 1.1), "pipeline": (1.15, 1.35)}
CHART_COL = 4              # column E: right of the tables the charts draw
ROW_PX = 20                # a default row (15 pt) in pixels


def _chart_rows(key: str) -> int:
    """Rows a chart takes, with two rows below it (room for the button's 320 px pictures)."""
    return -(-round(288 * CHART_SCALES[key][1]) // ROW_PX) + 2


def _chart_tables(sheet: _Cells, r: int, name: str) -> tuple[int, list[dict]]:
    """The three tables the native charts draw (revenue, channels, pipeline) from row r, and
    those charts, one under the other from row 4 in column E; returns (the next free row,
    the charts)."""
    report, lang, L = sheet.report, sheet.lang, sheet.L
    series = chart_series(report, lang)
    at = [3]
    for key in ("revenue", "channels"):
        at.append(at[-1] + _chart_rows(key))
    anchor = [f"{col_letter(CHART_COL + 1)}{row + 1}" for row in at]
    charts = []
    rev0, r = sheet.block(r, L["chart_revenue"], [L["month"], L["revenue"]],
                          [(lbl, v) for lbl, v in series["revenue"]], ["text", "money"])
    charts.append(_chart("revenue", "column", L["chart_revenue"], L["revenue"], name,
                         rev0, len(series["revenue"]), 1, anchor[0]))
    ch0, r = sheet.block(r, L["chart_channels"], [L["channel"], L["interactions"]],
                         [(lbl, int(v)) for lbl, v in series["channels"]], ["text", "int"])
    charts.append(_chart("channels", "bar", L["chart_channels"], L["interactions"], name,
                         ch0, len(series["channels"]), 1, anchor[1]))
    st0, r = sheet.block(r, L["sec_pipeline"], [L["stage"], L["weighted"], L["deals"], L["amount"]],
                         [(stage_label(p.stage, lang), p.weighted, p.deals, p.amount)
                          for p in report.pipeline],
                         ["text", "money", "int", "money"])
    charts.append(_chart("pipeline", "bar", L["chart_pipeline"], L["weighted"], name,
                         st0, len(report.pipeline), 1, anchor[2]))
    return r, charts


def _list_tables(sheet: _Cells, r: int) -> int:
    """The targets and forecast, lost deals by competitor, the month's events and the events'
    invitations and results, the top accounts, the campaigns, the bonuses due and the market
    segments from row r (the HTML's order); returns the next free row."""
    report, lang, L = sheet.report, sheet.lang, sheet.L
    if report.targets:
        f = Formats(lang, report.currency, report.number_format)
        _, r = sheet.block(r, L["sec_targets"], [""] + [f.period(t.period) for t in report.targets],
                           [[L[label]] + [getattr(t, key) for t in report.targets]
                            for label, key, _ in TARGET_ROWS],
                           lambda i: ["text"] + [TARGET_ROWS[i][2]] * len(report.targets))
    _, r = sheet.block(r, L["lost_by_competitor"], [L["competitor"], L["deals"]],
                       [(c or L["no_competitor"], n) for c, n in report.lost_by_competitor],
                       ["text", "int"])
    _, r = sheet.block(r, L["sec_events"], [L["event"], L["date"], L["type"], L["clients"]],
                       [(e.name or e.event_id, e.date, choice(e.type, lang), e.clients)
                        for e in report.events], ["text", "date", "text", "int"])
    _, r = sheet.block(r, L["sec_event_results"], [L["event"], L["date"], L["invited"],
                                                    L["accepted"], L["attended"], L["deals_90"]],
                       [(e.name or e.event_id, e.date, e.invited, e.accepted, e.attended, e.deals)
                        for e in report.event_results],
                       ["text", "date", "int", "int", "int", "int"])
    _, r = sheet.block(r, L["sec_top"], [L["rank"], L["client"], L["class"], L["tier"],
                                          L["revenue_12m"], L["prev_rank"], L["movement"]],
                       [(a.rank, a.name or a.client_id, a.cls, choice(a.tier, lang), a.revenue_12m,
                         a.prev_rank, movement_text(a, lang)) for a in report.top],
                       ["int", "text", "text", "text", "money", "int", "text"])
    _, r = sheet.block(r, L["sec_campaigns"], [L["campaign"], L["type"], L["sent_on"],
                                                L["recipients"], L["responses"], L["deals"],
                                                L["response_rate"]],
                       [(c.name or c.campaign_id, choice(c.type, lang), c.sent_on, c.recipients,
                         c.responses, c.deals, c.rate) for c in report.campaigns],
                       ["text", "text", "date", "int", "int", "int", "pct"])
    r = _bonus_table(sheet, r)
    return _segment_tables(sheet, r)


def _bonus_table(sheet: _Cells, r: int) -> int:
    """Bonuses due from row r, as the HTML has them: the highest balances, the other clients
    on one row, the Total row (the Loyalty sheet lists every client); returns the next free
    row."""
    L = sheet.L
    t = report_bonuses.bonus_table(sheet.report, sheet.lang)
    rows = [] if t is None else [list(x) for x in t["rows"]] + (
        [list(t["others"])] if t["others"] else []) + [[L["total"], *t["total"]]]
    _, r = sheet.block(r, L["sec_bonuses"], [L["client"]] + [
        L[f"bonus_{k}"] for k in report_bonuses.COLUMNS], rows, ["text"] + ["money"] * 3)
    return r


# The segment tables' columns on the sheet (seven, as wide as the Top 10's: the charts'
# pictures stay where they are), of the Segments sheet's; every figure is in the HTML.
SHEET_SEGMENT_COLUMNS = (("revenue_12m", "money"), ("growth", "change"), ("share", "pct"),
                         ("weighted_pipeline", "money"), ("clients", "int"), ("win_rate", "pct"))


def _segment_tables(sheet: _Cells, r: int) -> int:
    """Market segments, then by region, from row r, each with its Total row; returns the
    next free row."""
    report, lang, L = sheet.report, sheet.lang, sheet.L
    kinds = ["text"] + [kind for _, kind in SHEET_SEGMENT_COLUMNS]
    for title, lines, table in ((L["sec_segments"], report.segments, schema.SEGMENTS),
                                (L["by_region"], report.regions, schema.REGIONS)):
        if not lines:
            continue
        rows = [[segment_name(x, lang)] + [getattr(x, k) for k, _ in SHEET_SEGMENT_COLUMNS]
                for x in lines]
        total = segment_total(lines)
        rows.append([L["total"]] + [getattr(total, k) for k, _ in SHEET_SEGMENT_COLUMNS])
        _, r = sheet.block(r, title, [table.columns[0].label(lang)] +
                           [table.column(k).label(lang) for k, _ in SHEET_SEGMENT_COLUMNS],
                           rows, kinds)
    return r


def _chart(key, kind, title, series_name, sheet, first, n, val_col, anchor) -> dict:
    cat = (first, 0, first + n - 1, 0)
    val = (first, val_col, first + n - 1, val_col)
    return {"key": key, "type": kind, "title": title, "series_name": series_name,
            "categories": "=" + _ref(sheet, *cat), "values": "=" + _ref(sheet, *val),
            "cat_range": cat, "val_range": val, "anchor": anchor, "scale": CHART_SCALES[key]}


# --- widths and printing ----------------------------------------------------------------------
BASE_WIDTHS = {0: 34, 1: 16, 2: 10, 3: 12, 4: 14, 5: 13, 6: 10}
MAX_WIDTH = 45


def column_widths(cells: list[dict]) -> dict[int, float]:
    """Columns wide enough for their labels and names (the Top 10's clients in B, the
    figures' labels in A) and their tables' headers, at least the base widths, at most
    MAX_WIDTH characters."""
    widths = dict(BASE_WIDTHS)
    for c in cells:
        if c["kind"] == "text" and isinstance(c["value"], str) and c["row"] > 2:
            need = min(MAX_WIDTH, len(c["value"]) + 2)
            widths[c["col"]] = max(widths.get(c["col"], 8.43), need)
        elif c["kind"] == "header" and isinstance(c["value"], str):
            widths[c["col"]] = max(widths.get(c["col"], 8.43), min(MAX_WIDTH, len(c["value"])))
    return widths


def _px(chars: float) -> int:
    return int(chars * 7 + 5)        # a column of `chars` characters of Calibri 11, in pixels


# A4 portrait (XlsxWriter paper 9) and its margins, inches; the footer numbers the pages.
PAGE = {"paper": 9, "width": 8.27, "height": 11.69, "left": 0.4, "right": 0.4, "top": 0.5,
        "bottom": 0.6}


def print_setup(blocks: list[tuple[int, int]], charts: list[dict],
                widths: dict[int, float]) -> dict:
    """How the sheet prints: {"paper", "margins", "scale" (percent), "breaks" (rows a page
    starts at, 0-based)}. The scale fits the widest of the tables and the charts to the
    page's width (an explicit scale, as Excel ignores page breaks when fitting to pages);
    the breaks fall between blocks (a table with its title, the charts beside the tables),
    so none is split. Row heights are taken 10% taller than Excel's default, for safety."""
    table_px = sum(_px(w) for w in widths.values())
    chart_px = sum(_px(widths.get(c, 8.43)) for c in range(CHART_COL)) + max(
        (round(480 * ch["scale"][0]) for ch in charts), default=0)
    printable_w = (PAGE["width"] - PAGE["left"] - PAGE["right"]) * 96
    printable_h = (PAGE["height"] - PAGE["top"] - PAGE["bottom"]) * 96
    scale = max(10, min(100, int(100 * printable_w / max(table_px, chart_px, 1))))
    per_page = int(printable_h / (ROW_PX * 1.1 * scale / 100))
    units = sorted(blocks + [(_anchor_row(ch), _anchor_row(ch) + _chart_rows(ch["key"]) - 2)
                             for ch in charts])
    merged: list[list[int]] = []
    for first, last in units:           # overlapping rows (charts beside tables): one unit
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    breaks, top = [], 0
    for first, last in merged:
        if last - top + 1 > per_page and first > top:
            breaks.append(first)
            top = first
    return {"paper": PAGE["paper"], "scale": scale, "breaks": breaks,
            "margins": tuple(PAGE[k] for k in ("left", "right", "top", "bottom"))}


def _anchor_row(chart: dict) -> int:
    return int(re.sub(r"^[A-Z]+", "", chart["anchor"])) - 1


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
            ws.insert_chart(ch["anchor"], _native_chart(wb, ch),
                            {"x_scale": ch["scale"][0], "y_scale": ch["scale"][1]})
        _page_setup(ws, desc["print"])
    finally:
        wb.close()
    return path


def _native_chart(wb, ch: dict):
    """One native chart: every category labelled (interval 1, a small font), the value
    axis with thousands separators."""
    chart = wb.add_chart({"type": ch["type"]})
    chart.add_series({"name": ch["series_name"], "categories": ch["categories"],
                      "values": ch["values"], "fill": {"color": "#2F6DB5"}})
    chart.set_title({"name": ch["title"], "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    categories = {"interval_unit": 1, "num_font": {"size": 8}}
    values = {"num_format": "#,##0", "num_font": {"size": 8},
              "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    if ch["type"] == "bar":      # XlsxWriter: a bar chart's y axis is its category axis
        # top to bottom in table order, the value axis below the last bar
        chart.set_y_axis({**categories, "reverse": True, "crossing": "max"})
        chart.set_x_axis(values)
    else:
        chart.set_x_axis(categories)
        chart.set_y_axis(values)
    return chart


def _page_setup(ws, p: dict) -> None:
    """A4 portrait at the computed scale, page breaks between blocks, pages numbered."""
    ws.set_paper(p["paper"])
    ws.set_portrait()
    left, right, top, bottom = p["margins"]
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.fit_to_pages(1, 0)       # one page wide, as tall as needed: the breaks still count
    if p["breaks"]:
        ws.set_h_pagebreaks(p["breaks"])
    ws.set_footer("&C&P / &N", {"margin": 0.25})


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
