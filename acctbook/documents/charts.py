"""The Report sheet's three charts as PNG pictures, for the Monthly report button.

`acctbook report` gives the sheet native charts (XlsxWriter). The button writes through
xlwings, whose remote engine in the xlwings Lite versions seen (0.33.x) has no charts,
only `pictures.add` (FIELD-NOTES "Charts in Lite"); so the button draws the same three
charts (report.report_sheet's "charts": revenue by month, interactions by channel,
weighted pipeline by stage, from the very cells the sheet shows) with matplotlib, a
Pyodide package, and places them right of the widest table. Desktop xlwings uses the
same pictures. Output is deterministic: Agg canvas (no pyplot, no backend switch), fixed
size and dpi, no software or date in the PNG.
"""

from __future__ import annotations

import io
import re
from typing import Any

COLOR = "#2F6DB5"
SIZE = (6.4, 3.2)        # inches: 640 x 320 px at DPI, about 16 rows of a sheet
DPI = 100
NAME = "acctbook_chart_{key}"

_HEBREW = re.compile(r"[\u0590-\u05FF]")
# A left-to-right run inside right-to-left text: Latin letters and digits, with the
# punctuation that joins them (1,234.5 / 2026-02 / A&B).
_LTR_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.,:/&+%_-]*[A-Za-z0-9%])?")
_MIRROR = str.maketrans("()[]{}<>", ")(][}{><")


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def visual(text: Any) -> str:
    """Text in display order for a renderer without bidi (matplotlib draws left to right).

    Text with Hebrew is taken as a right-to-left line: its runs are laid out right to left,
    Hebrew and neutral runs reversed with brackets mirrored, Latin/digit runs kept as they
    are. Enough for labels (a month, a stage, a title); python-bidi is compiled since 0.5,
    so not an option in xlwings Lite. Text without Hebrew is returned unchanged."""
    text = "" if text is None else str(text)
    if not _HEBREW.search(text):
        return text
    runs, pos = [], 0
    for m in _LTR_RUN.finditer(text):
        if m.start() > pos:
            runs.append(text[pos:m.start()][::-1].translate(_MIRROR))
        runs.append(m.group())
        pos = m.end()
    if pos < len(text):
        runs.append(text[pos:][::-1].translate(_MIRROR))
    return "".join(reversed(runs))


def chart_items(desc: dict, chart: dict) -> list[tuple[str, float]]:
    """(label, value) of one chart, read from the sheet's own cells (cat_range/val_range)."""
    r0, c0, r1, _ = chart["cat_range"]
    vc = chart["val_range"][1]
    at = {(c["row"], c["col"]): c["value"] for c in desc["cells"]}
    return [("" if at.get((r, c0)) is None else str(at.get((r, c0))),
             float(at.get((r, vc)) or 0)) for r in range(r0, r1 + 1)]


def anchors(desc: dict) -> list[tuple[int, int]]:
    """(row, col), 0-based, of each chart: the rows report_sheet gives its native charts,
    in the column after a blank one right of the widest table, so never over a table."""
    col = max((c["col"] for c in desc["cells"]), default=0) + 2
    out = []
    for ch in desc["charts"]:
        row = int(re.sub(r"^[A-Z]+", "", ch["anchor"])) - 1
        out.append((row, col))
    return out


def chart_png(chart: dict, items: list[tuple[str, float]]) -> bytes:
    """One chart as PNG bytes: a column chart (a time series) or horizontal bars."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [visual(label) for label, _ in items]
    values = [v for _, v in items]
    ticks = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    if chart["type"] == "column":
        ax.bar(range(len(values)), values, color=COLOR)
        ax.set_xticks(range(len(values)), labels, fontsize=7, rotation=45, ha="right")
        ax.yaxis.set_major_formatter(ticks)
    else:
        ax.barh(range(len(values)), values, color=COLOR)
        ax.set_yticks(range(len(values)), labels, fontsize=8)
        ax.invert_yaxis()                   # table order, top to bottom
        ax.xaxis.set_major_formatter(ticks)
    ax.tick_params(labelsize=8)
    ax.set_title(visual(chart["title"]), fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def report_pictures(desc: dict) -> list[dict]:
    """[{"name", "png", "row", "col"}] for each chart of a report_sheet description."""
    return [{"name": NAME.format(key=ch["key"]), "png": chart_png(ch, chart_items(desc, ch)),
             "row": row, "col": col}
            for ch, (row, col) in zip(desc["charts"], anchors(desc))]
