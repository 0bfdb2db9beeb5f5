"""The monthly report as words, numbers and pictures: the labels in English and Hebrew, the
number formats (babel), the charts as inline SVG, the HTML page (a sandboxed Jinja2
template) and its PDF through acctbook.documents.pdf. Everything renders a MonthReport
from acctbook.documents.figures.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import tr
from acctbook.documents import pdf, report_bonuses
from acctbook.documents.report_words import LABELS
from acctbook.documents.figures import (CLOSED_LATER, MonthReport, ReportError, SegmentLine,
                                        TopAccount, parse_month, segment_total)


# --- words and number formats ----------------------------------------------------------------
# LABELS (imported above): the words, in documents/report_words.py.

# The figure rows, in order, with how each value is shown (sheet and HTML alike).
FIGURES: tuple[tuple[str, str], ...] = (
    ("revenue", "money"), ("revenue_prev", "money"), ("revenue_prev_change", "change"),
    ("revenue_year_ago", "money"), ("revenue_year_ago_change", "change"),
    ("orders", "int"), ("order_lines", "int"), ("new_clients", "int"), ("new_by_referral", "int"),
    ("deals_won", "int"), ("won_amount", "money"), ("deals_lost", "int"), ("win_rate", "pct"),
    ("pipeline_weighted", "money"), ("interactions", "int"), ("followups_overdue", "int"),
    ("complaints_opened", "int"), ("complaints_resolved", "int"), ("sla_met_rate", "pct"),
    ("deliveries_due", "int"), ("deliveries_on_time", "int"), ("on_time_rate", "pct"),
    ("events_held", "int"), ("event_clients", "int"),
)


def lang_of(lang: str | None) -> str:
    return lang if lang in LABELS else "en"


def labels(report: MonthReport, lang: str) -> dict[str, str]:
    """The words for this report: the current month's say "today" where others say
    "at month end"."""
    L = {**LABELS[lang_of(lang)], **report_bonuses.labels(lang_of(lang))}
    if report.to_date:
        for key in ("sec_pipeline", "followups_overdue"):
            L[key] = L[f"{key}_to_date"]
    return L


def heading(report: MonthReport, lang: str) -> str:
    """`November 2026`, or for the current month `November 2026, to date (27 Nov 2026)`."""
    lang = lang_of(lang)
    f = Formats(lang, report.currency, report.number_format)
    name = f.month(report.month)
    return f"{name}, {LABELS[lang]['to_date']} ({f.date(report.to_date)})" if report.to_date \
        else name


def notes(report: MonthReport, lang: str) -> list[str]:
    """What the reader should know about how a figure was counted (one line each)."""
    L = LABELS[lang_of(lang)]

    def some(ids: list[str], n: int = 10) -> str:
        return ", ".join(ids[:n]) + (f" {L['more'].format(n=len(ids) - n)}" if len(ids) > n else "")
    return [L[key].format(ids=some(ids))
            for key, ids in (("closed_by_created", report.closed_by_created),
                             ("closed_undated", report.closed_undated),
                             ("no_exchange_rate", report.no_exchange_rate)) if ids]


def stage_label(stage: str | None, lang: str) -> str | None:
    return LABELS[lang_of(lang)]["closed_later"] if stage == CLOSED_LATER else choice(stage, lang)


def figure_value(report: MonthReport, key: str) -> Any:
    return len(report.events) if key == "events_held" else getattr(report, key)


class Formats:
    """Numbers, money, percents and dates the way `lang` writes them (babel); numbers, money
    and percents the way `number_format` (Settings Number format, a locale) writes them
    when given."""
    DASH = "—"

    def __init__(self, lang: str, currency: str, number_format: str | None = None):
        from babel import Locale
        self.lang, self.currency = lang, currency
        self.locale = Locale.parse(number_format or lang)
        self.words = Locale.parse(lang)          # dates and month names: the report's language
        # The locale's currency pattern without decimals: a report shows whole amounts.
        self._money = self.locale.currency_formats["standard"].pattern.replace(".00", "")

    def money(self, v) -> str:
        from babel.numbers import format_currency
        return self.DASH if v is None else format_currency(
            v, self.currency, format=self._money, locale=self.locale, currency_digits=False)

    def int(self, v) -> str:
        from babel.numbers import format_decimal
        return self.DASH if v is None else format_decimal(v, locale=self.locale)

    def pct(self, v) -> str:
        """One decimal always (`+4.0%` beside `+72.8%`), as the Report sheet's `0.0%`."""
        from babel.numbers import format_percent
        return self.DASH if v is None else format_percent(v, format="#,##0.0%", locale=self.locale)

    def change(self, v) -> str:
        return self.DASH if v is None else ("+" if v > 0 else "") + self.pct(v)

    def date(self, d) -> str:
        from babel.dates import format_date
        return self.DASH if d is None else format_date(d, "medium", locale=self.words)

    def month(self, month: str, short: bool = False) -> str:
        from babel.dates import format_date
        return format_date(parse_month(month)[0], "MMM yy" if short else "LLLL y",
                           locale=self.words)

    def period(self, p) -> str:
        """A target period: `May 2026`; a quarter `Q2 2026` (Hebrew: `רבעון 2 2026`)."""
        from babel.dates import format_date
        if p.kind == "month":
            return self.month(p.key)
        return format_date(p.start, "QQQQ y" if self.lang == "he" else "QQQ y",
                           locale=self.words)

    def value(self, v, kind: str) -> str:
        return getattr(self, kind)(v) if kind in ("money", "int", "pct", "change") else \
            (self.DASH if v is None else str(v))


def movement_text(a: TopAccount, lang: str) -> str:
    if a.movement == "new":
        return LABELS[lang_of(lang)]["new"]
    return {"up": f"▲ {a.delta}", "down": f"▼ {-a.delta}"}.get(a.movement, "=")


def choice(v, lang) -> str | None:
    return schema.show_choice(v, lang)


# --- bidi: figures kept whole and in reading order ------------------------------------------
_LRI, _FSI, _PDI = "\u2066", "\u2068", "\u2069"


def amount(text, ltr: bool = False, css: str = "", marks: bool = False):
    """A formatted figure as HTML that never wraps and keeps its order in a page of either
    direction. ltr (numbers, percents, signed changes): `<bdi dir="ltr">`, so a Hebrew page
    shows `+61.1%`, never `61.1%+`; else `<bdi>`, the amount in its own direction (babel's
    Hebrew amounts carry RLMs around the number, a no-break space and ₪, and keep them).
    marks: Unicode isolates inside as well (LRI or FSI … PDI), for LibreOffice, whose HTML
    import ignores `<bdi>` and `dir`; not for browsers, which would copy them with the text."""
    from markupsafe import Markup
    cls = f"amt {css}".strip()
    if ltr:
        return Markup('<bdi class="{}" dir="ltr">{}</bdi>').format(
            cls, f"{_LRI}{text}{_PDI}" if marks else text)
    return Markup('<bdi class="{}">{}</bdi>').format(cls, f"{_FSI}{text}{_PDI}" if marks else text)


def _trend(v) -> str:
    return "" if not v else "up" if v > 0 else "down"


def isolate(text, marks: bool = True):
    """Escaped text isolated from its neighbours: a name keeps its own direction inside any
    page (a Latin name ending in '>' stays whole in Hebrew). marks: between FSI and PDI
    (LibreOffice honours these), else a `<bdi>` element."""
    from markupsafe import Markup
    text = "" if text is None else text
    return Markup("\u2068{}\u2069").format(text) if marks else Markup("<bdi>{}</bdi>").format(text)


# --- figures first: the cards -------------------------------------------------------------------
def meta_line(report: MonthReport, f: Formats, L: dict[str, str], marks: bool = False):
    """`Period: … · Company: … · Account manager: …`, a space on both sides of each dot."""
    from markupsafe import Markup
    parts = [Markup("{}: {} – {}").format(L["period"], amount(f.date(report.start), marks=marks),
                                          amount(f.date(report.until), marks=marks))]
    for key, value in (("company", report.company), ("manager", report.manager)):
        if value:
            parts.append(Markup("{}: {}").format(L[key], isolate(value, marks)))
    return Markup(" · ").join(parts)


def kpi_cards(report: MonthReport, f: Formats, L: dict[str, str],
              marks: bool = False) -> list[list[dict]]:
    """The key figures as cards, two rows of four: [{"label", "value", "sub", "trend"}],
    value and sub as HTML (every figure through `amount`)."""
    from markupsafe import Markup, escape

    def money(v):
        return amount(f.money(v), marks=marks)

    def num(v):
        return amount(f.int(v), ltr=True, marks=marks)

    def pct(v):
        return amount(f.pct(v), ltr=True, marks=marks)

    def change(v):
        return amount(f.change(v), ltr=True, marks=marks)

    def sub(key, **values):
        return Markup(escape(L[key])).format(**values)

    cards = [
        (L["kpi_revenue"], money(report.revenue),
         sub("kpi_revenue_12m", v=money(sum(v for _, v in report.revenue_series))), ""),
        (L["revenue_prev_change"], change(report.revenue_prev_change),
         sub("kpi_vs_year", v=change(report.revenue_year_ago_change)),
         _trend(report.revenue_prev_change)),
        (L["orders"], num(report.orders), sub("kpi_order_lines", v=num(report.order_lines)), ""),
        (L["new_clients"], num(report.new_clients),
         sub("kpi_referral", v=num(report.new_by_referral)), ""),
        (L["win_rate"], pct(report.win_rate),
         sub("kpi_won_lost", won=num(report.deals_won), lost=num(report.deals_lost)), ""),
        (L["sec_pipeline"], money(report.pipeline_weighted),
         sub("kpi_open_deals", v=num(sum(p.deals for p in report.pipeline))), ""),
        (L["sla_met_rate"], pct(report.sla_met_rate),
         sub("kpi_complaints", opened=num(report.complaints_opened),
             resolved=num(report.complaints_resolved)), ""),
        (L["deliveries_on_time"], pct(report.on_time_rate),
         sub("kpi_on_time", on=num(report.deliveries_on_time), due=num(report.deliveries_due)),
         ""),
    ]
    out = [{"label": a, "value": b, "sub": c, "trend": d} for a, b, c, d in cards]
    return [out[:4], out[4:]]


# --- the segment section ------------------------------------------------------------------------
# Its tables' columns after the name, as the Segments sheet has them, and how each is shown.
SEGMENT_KINDS: tuple[tuple[str, str], ...] = (
    ("clients", "int"), ("key_accounts", "int"), ("revenue_12m", "money"), ("growth", "change"),
    ("share", "pct"), ("weighted_pipeline", "money"), ("won_12m", "int"), ("lost_12m", "int"),
    ("win_rate", "pct"), ("open_complaints", "int"))


def segment_tables(report: MonthReport, f: Formats, lang: str, marks: bool = False) -> list[dict]:
    """The segment section's tables, by segment then by region, each {"key", "title", "head",
    "rows", "total"}: the headers of the Segments sheet in `lang`, the cells as HTML (every
    figure through `amount`, a name isolated), a Total row last; none without clients."""
    L = LABELS[lang_of(lang)]

    def cells(line: SegmentLine) -> list:
        return [amount(f.value(getattr(line, key), kind), ltr=kind != "money",
                       css=_trend(line.growth) if kind == "change" else "", marks=marks)
                for key, kind in SEGMENT_KINDS]

    out = []
    for key, lines, table, title in (("segments", report.segments, schema.SEGMENTS,
                                      L["sec_segments"]),
                                     ("regions", report.regions, schema.REGIONS, L["by_region"])):
        if lines:
            out.append({"key": key, "title": title,       # "12 ח׳" kept on one line
                        "head": [c.label(lang).replace("12 ", "12\u00a0") for c in table.columns],
                        "rows": [[isolate(segment_name(x, lang), marks)] + cells(x)
                                 for x in lines],
                        "total": [L["total"]] + cells(segment_total(lines))})
    return out


# --- targets and the forecast -------------------------------------------------------------------
# The figures of the month and of its quarter, a row each (label key, figure attribute, how it
# is shown), HTML and sheet alike.
TARGET_ROWS: tuple[tuple[str, str, str], ...] = (
    ("revenue_target", "revenue_target", "money"), ("revenue_to_date", "revenue", "money"),
    ("attainment", "attainment", "pct"), ("pipeline_to_close", "pipeline", "money"),
    ("forecast", "forecast", "money"), ("forecast_vs_target", "forecast_vs_target", "pct"),
    ("new_clients_target", "new_clients_target", "int"), ("new_clients_won", "new_clients", "int"))


def target_table(report: MonthReport, f: Formats, L: dict[str, str],
                 marks: bool = False) -> dict | None:
    """{"periods": the month's and the quarter's names, "rows": [(label, [cell per period])]},
    the cells as HTML (every figure through `amount`); None without figures."""
    if not report.targets:
        return None
    return {"periods": [f.period(t.period) for t in report.targets],
            "rows": [(L[label], [amount(f.value(getattr(t, key), kind), ltr=kind != "money",
                                        marks=marks) for t in report.targets])
                     for label, key, kind in TARGET_ROWS]}


# --- charts (acctbook.documents.charts: matplotlib) ------------------------------------------
# Inches: the revenue chart spans the page's width, the other two share a row; the
# segments' bars span the page too, as tall as their number needs (segments_size).
CHART_SIZES = {"revenue": (7.1, 2.3), "pipeline": (3.5, 2.5), "channels": (3.5, 2.5)}


def segments_size(n: int) -> tuple[float, float]:
    return 7.1, round(0.4 + 0.2 * max(n, 1), 2)


def segment_name(line: SegmentLine, lang: str) -> str:
    """A segment's (region's) name; the blank one's "(none)" in `lang`."""
    return LABELS[lang_of(lang)]["seg_none"] if line.name is None else line.name


def chart_series(report: MonthReport, lang: str) -> dict[str, list[tuple[str, float]]]:
    """The three charts' data with display labels: revenue by month, channels, stages."""
    lang = lang_of(lang)
    f = Formats(lang, report.currency, report.number_format)
    return {
        "revenue": [(f.month(m, short=True), v) for m, v in report.revenue_series],
        "channels": [(choice(c, lang), float(n)) for c, n in report.by_channel],
        "pipeline": [(stage_label(p.stage, lang), p.weighted) for p in report.pipeline],
        "segments": [(segment_name(x, lang), x.revenue_12m) for x in report.segments],
    }


def chart_blocks(report: MonthReport, lang: str, png: bool = False) -> dict[str, dict]:
    """{"revenue"|"pipeline"|"channels": {"title", "svg"}}: each chart as inline SVG (its
    text drawn as shapes, so no renderer's bidi matters), every category labelled, value
    axes with the locale's separators; png: a `data:` PNG picture instead ("png", "width"
    in CSS pixels), for LibreOffice, whose HTML import draws no inline SVG. Empty without
    matplotlib: the tables below carry every figure."""
    from markupsafe import Markup
    from acctbook.documents import charts
    if not charts.available():
        return {}
    lang = lang_of(lang)
    f, L = Formats(lang, report.currency, report.number_format), labels(report, lang)
    series = chart_series(report, lang)
    spec = {"revenue": ("chart_revenue", "column", None),
            "pipeline": ("chart_pipeline", "bar", f.money),
            "channels": ("chart_channels", "bar", f.int),
            "segments": ("chart_segments", "bar", f.money)}
    sizes = {**CHART_SIZES, "segments": segments_size(len(series["segments"]))}
    out = {}
    for key, (title, kind, value_fmt) in spec.items():
        if not series[key]:
            continue                    # no segment (a book without clients): no chart
        fig = charts.chart_figure(kind, series[key], value_fmt=value_fmt, axis_fmt=f.int,
                                  rtl=lang == "he", size=sizes[key])
        if png:
            data = base64.b64encode(charts.figure_png(fig, dpi=150)).decode()
            out[key] = {"title": L[title], "png": f"data:image/png;base64,{data}",
                        "width": round(sizes[key][0] * 96)}
        else:
            out[key] = {"title": L[title], "svg": Markup(charts.figure_svg(fig, L[title]))}
    return out


# --- HTML -----------------------------------------------------------------------------------------
def template_dir() -> Path:
    return templates_dir()


def render_html(report: MonthReport, lang: str | None = None, for_pdf: bool = False) -> str:
    """The report as one HTML page (sandboxed, autoescaped Jinja2; client names are data):
    the key figures as cards, the charts, then the tables.

    for_pdf: the variant for LibreOffice, whose HTML import ignores inline SVG: the
    charts come as PNG pictures.
    """
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup, escape
    lang = lang_of(lang or report.lang)
    f = Formats(lang, report.currency, report.number_format)
    env = SandboxedEnvironment(autoescape=True, loader=FileSystemLoader(str(template_dir())),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    m = for_pdf            # LibreOffice: Unicode isolates, as it ignores <bdi>
    env.filters.update(money=lambda v: amount(f.money(v), marks=m),
                       int=lambda v: amount(f.int(v), True, marks=m),
                       pct=lambda v: amount(f.pct(v), True, marks=m),
                       change=lambda v: amount(f.change(v), True, _trend(v), marks=m),
                       date=lambda d: amount(f.date(d), marks=m),
                       choice=lambda v: choice(v, lang) or f.DASH,
                       iso=lambda v: isolate(v, marks=m),
                       stage=lambda v: stage_label(v, lang) or f.DASH)
    L = labels(report, lang)
    return env.get_template("report.html.j2").render(
        r=report, L=L, lang=lang, dir="rtl" if lang == "he" else "ltr",
        notes=notes(report, lang), month_name=heading(report, lang), for_pdf=for_pdf,
        meta=meta_line(report, f, L, m), kpis=kpi_cards(report, f, L, m),
        charts=chart_blocks(report, lang, png=for_pdf),
        revenue_12m=sum(v for _, v in report.revenue_series),
        closed_later=any(p.stage == CLOSED_LATER for p in report.pipeline),
        moves=[movement_text(a, lang) for a in report.top],
        segments=segment_tables(report, f, lang, m),
        targets=target_table(report, f, L, m),
        bonuses=report_bonuses.bonus_table(report, lang),
        bonuses_note=Markup(escape(report_bonuses.note(lang))).format(
            date=amount(f.date(report.until), marks=m), year=report.until.year),
        targets_note=Markup(escape(L["targets_note"])).format(
            date=amount(f.date(report.until), marks=m)),
        segments_note=Markup(escape(L["segments_note"])).format(
            date=amount(f.date(report.until), marks=m)),
        campaigns_note=Markup(escape(L["campaigns_note"])).format(
            date=amount(f.date(report.until), marks=m)),
        event_results_note=Markup(escape(L["event_results_note"])).format(
            date=amount(f.date(report.until), marks=m)))


def write_report_files(report: MonthReport, out_dir, lang: str | None = None,
                       pdf: bool = False, book: str | None = None) -> dict[str, Path]:
    """`<book> report-YYYY-MM.html` (and .pdf when asked) in out_dir, `book` the workbook's
    name without its extension (a path or a file name of it will do), so two books in one
    folder keep their own reports; plain `report-YYYY-MM.html` without one. Returns
    {"html": p, "pdf": p}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = str(book or "").replace("\\", "/").split("/")[-1].strip()
    stem = stem.rsplit(".", 1)[0] if stem.lower().endswith((".xlsx", ".xlsm")) else stem
    name = f"{stem} report-{report.month}" if stem else f"report-{report.month}"
    paths = {"html": out / f"{name}.html"}
    paths["html"].write_text(render_html(report, lang), encoding="utf-8")
    if pdf:
        paths["pdf"] = out / f"{name}.pdf"
        html_to_pdf(report, lang, paths["pdf"])
    return paths


def html_to_pdf(report: MonthReport, lang: str | None, target: Path) -> Path:
    """The report as PDF through acctbook.documents.pdf (Chromium/Chrome/Edge, WeasyPrint,
    LibreOffice), its clock and identifiers pinned: the same inputs give the same bytes."""
    lang = lang_of(lang or report.lang)
    try:
        used = pdf.html_to_pdf(render_html(report, lang), target, rtl=lang == "he",
                               plain_html=lambda: render_html(report, lang, for_pdf=True))
    except pdf.PdfUnavailable as e:
        e.exit_code = ReportError.exit_code     # the report's exit code for it, as before (2)
        raise
    except pdf.PdfFailed as e:
        why = tr(lang, e.msgid).format(**e.msgargs) if hasattr(e, "msgid") else str(e)
        raise ReportError(tr(lang, "cannot write the report PDF: {error}").format(
            error=why)) from e
    return pdf.pin_pdf(target, report.until, used.encode("utf-8"))
