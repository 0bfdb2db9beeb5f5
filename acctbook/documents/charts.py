"""The report's charts drawn with matplotlib: inline SVG for the HTML report, PNG pictures for
the Report sheet written by the Monthly report button.

`acctbook report` gives the sheet native charts (XlsxWriter). The button writes through
xlwings, whose remote engine in the xlwings Lite versions seen (0.33.x) has no charts,
only `pictures.add` (FIELD-NOTES "Charts in Lite"); so the button draws the same three
charts (report.report_sheet's "charts": revenue by month, interactions by channel,
weighted pipeline by stage, from the very cells the sheet shows) with matplotlib, a
Pyodide package, and places them right of the widest table. Desktop xlwings uses the
same pictures. The HTML report draws its charts with the same function (`chart_figure`).

Every category label is shown (set one by one, wrapped or turned when long), value axes
carry thousands separators, and a right-to-left chart is mirrored (bars grow leftwards,
their labels on the right). Output is deterministic: Agg canvas (no pyplot, no backend
switch), fixed size and dpi, no software or date in the PNG or SVG, fixed SVG ids.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from typing import Any, Callable

COLOR = "#2F6DB5"
GRID = "#D5DDE8"
INK = "#1D2733"
SIZE = (6.4, 3.2)        # inches: 640 x 320 px at DPI, about 16 rows of a sheet
DPI = 100
NAME = "acctbook_chart_{key}"

_HEBREW = re.compile(r"[\u0590-\u05FF\u200F]")       # Hebrew letters, or an RLM saying RTL
_CONTROLS = re.compile(r"[\u200E\u200F\u202A-\u202E\u2066-\u2069]")
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

    Text with Hebrew (or an RLM, as babel's Hebrew amounts have) is taken as a right-to-left
    line: its runs are laid out right to left, Hebrew and neutral runs reversed with
    brackets mirrored, Latin/digit runs kept as they are; the invisible bidi marks are
    then dropped. Enough for labels (a month, a stage, a title, an amount); python-bidi is
    compiled since 0.5, so not an option in xlwings Lite. Text without Hebrew is returned
    unchanged."""
    text = "" if text is None else str(text)
    if not _HEBREW.search(text):
        return _CONTROLS.sub("", text)
    runs, pos = [], 0
    for m in _LTR_RUN.finditer(text):
        if m.start() > pos:
            runs.append(text[pos:m.start()][::-1].translate(_MIRROR))
        runs.append(m.group())
        pos = m.end()
    if pos < len(text):
        runs.append(text[pos:][::-1].translate(_MIRROR))
    return _CONTROLS.sub("", "".join(reversed(runs)))


@functools.lru_cache(maxsize=None)
def lays_out_bidi() -> bool:
    """Whether matplotlib lays out right-to-left text itself: from 3.11 it shapes text with
    libraqm (FriBidi, HarfBuzz), the version that has the `text.language` setting. Then a
    label goes to it in logical order; an older one (as in xlwings Lite) draws left to right
    and gets `visual` order."""
    import matplotlib
    return "text.language" in matplotlib.rcParams


def _in_order(text: str) -> str:
    """Text as matplotlib must be given it: as typed when it lays out bidi, else visual."""
    return text if lays_out_bidi() else visual(text)


def _label(text: Any, width: int) -> str:
    """A category label wrapped at `width` characters, each line in the order matplotlib
    draws it right (_in_order); `$` escaped (matplotlib would read `$...$` as mathematics)."""
    lines = textwrap.wrap(_CONTROLS.sub("", str(text or "")), width) or [""]
    return "\n".join(_in_order(line) for line in lines).replace("$", r"\$")


def _shown(text: str) -> str:
    return _in_order(text).replace("$", r"\$")


def thousands(v: float) -> str:
    return f"{v:,.0f}"


def chart_figure(kind: str, items: list[tuple[str, float]], *, title: str | None = None,
                 value_fmt: Callable[[float], str] | None = None,
                 axis_fmt: Callable[[float], str] = thousands, rtl: bool = False,
                 size: tuple[float, float] = SIZE, fontsize: float = 8):
    """One chart as a matplotlib Figure: "column" (a time series, left to right) or "bar"
    (horizontal bars in the order given, mirrored when rtl). value_fmt: the value written
    at each bar's end (bars only); axis_fmt: the value axis' tick labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    values = [float(v or 0) for _, v in items]
    ticks = FuncFormatter(lambda v, _pos: _shown(axis_fmt(v)))
    if kind == "column":
        _columns(ax, [label for label, _ in items], values, size[0], fontsize)
        ax.yaxis.set_major_formatter(ticks)
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.grid(axis="y", color=GRID, linewidth=0.6)
    else:
        notes = _bars(ax, [label for label, _ in items], values, value_fmt, rtl, fontsize)
        if value_fmt is None:
            ax.xaxis.set_major_formatter(ticks)
            ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=fontsize, colors=INK, length=2)
    if title:
        ax.set_title(_shown(title), fontsize=fontsize + 3, color=INK)
    fig.tight_layout(pad=0.4)
    if kind != "column" and value_fmt is not None:
        _room_for_values(ax, notes, values)
    return fig


def _columns(ax, labels: list[str], values: list[float], width_in: float, fontsize: float) -> None:
    n = max(len(labels), 1)
    ax.bar(range(len(values)), values, color=COLOR, width=0.7)
    longest = max((len(str(x)) for x in labels), default=1)
    slot_pt = width_in * 72 * 0.85 / n
    turn = longest * fontsize * 0.62 > slot_pt          # would overlap its neighbours
    ax.set_xticks(range(len(values)), [_label(x, 40) for x in labels], fontsize=fontsize,
                  rotation=45 if turn else 0, ha="right" if turn else "center")
    ax.set_xlim(-0.6, len(values) - 0.4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    top = max(values + [0]) or 1.0
    ax.set_ylim(0, top * 1.08)


def _bars(ax, labels: list[str], values: list[float], value_fmt, rtl: bool,
          fontsize: float) -> list:
    """Horizontal bars; returns the value texts written at their ends."""
    ax.barh(range(len(values)), values, color=COLOR, height=0.65)
    ax.set_yticks(range(len(values)), [_label(x, 22) for x in labels], fontsize=fontsize)
    ax.tick_params(axis="y", pad=4)
    ax.invert_yaxis()                   # table order, top to bottom
    top = max(values + [0]) or 1.0
    ax.set_xlim(0, top * 1.05)
    if rtl:                             # mirrored: bars grow leftwards from the labels
        ax.invert_xaxis()
        ax.yaxis.tick_right()
    hide = ("top", "left") if rtl else ("top", "right")
    for side in hide + (("bottom",) if value_fmt else ()):
        ax.spines[side].set_visible(False)
    if value_fmt is None:
        return []
    ax.set_xticks([])
    return [ax.annotate(_shown(value_fmt(v)), (v, i), xytext=(-3 if rtl else 3, 0),
                        textcoords="offset points", va="center", ha="right" if rtl else "left",
                        fontsize=fontsize, color=INK) for i, v in enumerate(values)]


def _room_for_values(ax, notes: list, values: list[float]) -> None:
    """Widen the value axis until every value written at a bar's end fits inside the
    chart (measured, not guessed: an amount is wider than a count)."""
    renderer = ax.figure.canvas.get_renderer()
    width = ax.get_window_extent(renderer).width
    limit = ax.get_xlim()
    top = max(abs(limit[0]), abs(limit[1]))
    need = top
    for note, v in zip(notes, values):
        w = note.get_window_extent(renderer).width + 6      # the text and its offset
        if w < width:
            need = max(need, v * width / (width - w))
    ax.set_xlim((need, 0) if limit[0] > limit[1] else (0, need))


def figure_png(fig, dpi: int = DPI) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


_SVG_HEAD = re.compile(r"^.*?(?=<svg\b)", re.S)
_SVG_META = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def figure_svg(fig, label: str) -> str:
    """The figure as an <svg> element to put inside HTML: text drawn as paths (the same
    glyphs everywhere, no bidi needed), no XML prolog, date or software; it scales to the
    width of its container (CSS); `label` names it for screen readers (escaped)."""
    import matplotlib
    from markupsafe import escape
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "acctbook"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = _SVG_META.sub("", _SVG_HEAD.sub("", buf.getvalue(), count=1))
    head, rest = svg.split(">", 1)
    head = _SVG_SIZE.sub("", head)
    return f'{head} class="chart" role="img" aria-label="{escape(label)}">{rest.strip()}'


# --- the Report sheet's pictures --------------------------------------------------------------
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


def chart_png(chart: dict, items: list[tuple[str, float]], rtl: bool = False) -> bytes:
    """One chart of the sheet as PNG bytes, its title inside: a column chart (a time series)
    or horizontal bars with their values written at the ends."""
    value_fmt = None if chart["type"] == "column" else thousands
    fig = chart_figure(chart["type"], items, title=chart["title"], value_fmt=value_fmt,
                       rtl=rtl)
    return figure_png(fig)


def report_pictures(desc: dict) -> list[dict]:
    """[{"name", "png", "row", "col"}] for each chart of a report_sheet description."""
    rtl = bool(desc.get("rtl"))
    return [{"name": NAME.format(key=ch["key"]), "png": chart_png(ch, chart_items(desc, ch), rtl),
             "row": row, "col": col}
            for ch, (row, col) in zip(desc["charts"], anchors(desc))]
