"""The monthly report as words, numbers and pictures: the labels in English and Hebrew, the
number formats (babel), the charts as inline SVG, the HTML page (a sandboxed Jinja2
template) and its PDF through acctbook.documents.pdf. Everything renders a MonthReport
from acctbook.documents.figures.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Callable

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.documents import pdf
from acctbook.documents.figures import (CLOSED_LATER, MonthReport, ReportError, TopAccount,
                                        parse_month)


# --- words and number formats ----------------------------------------------------------------
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Monthly report", "sheet": "Report", "period": "Period",
        "company": "Company", "manager": "Account manager",
        "figure": "Figure", "value": "Value", "key_figures": "Key figures",
        "sec_revenue": "Revenue", "sec_sales": "Orders and clients", "sec_deals": "Deals",
        "sec_pipeline": "Weighted pipeline at month end", "sec_activity": "Activity",
        "sec_service": "Complaints and deliveries", "sec_events": "Events",
        "sec_top": "Top 10 key accounts",
        "revenue": "Revenue in the month", "revenue_prev": "Previous month",
        "revenue_prev_change": "Change vs previous month", "revenue_year_ago": "Same month last year",
        "revenue_year_ago_change": "Change vs same month last year",
        "orders": "Orders", "order_lines": "Order lines", "new_clients": "New clients",
        "new_by_referral": "of them by referral", "deals_won": "Deals won",
        "won_amount": "Won amount", "deals_lost": "Deals lost", "win_rate": "Win rate",
        "lost_by_competitor": "Lost deals by competitor", "competitor": "Competitor",
        "no_competitor": "(not given)", "deals": "Deals",
        "pipeline_weighted": "Weighted pipeline", "stage": "Stage", "amount": "Amount",
        "weighted": "Weighted", "interactions": "Interactions", "channel": "Channel",
        "count": "Count", "followups_overdue": "Follow-ups overdue at month end",
        "complaints_opened": "Complaints opened", "complaints_resolved": "Complaints resolved",
        "sla_met_rate": "SLA met", "deliveries_due": "Deliveries due",
        "deliveries_on_time": "Delivered on time", "on_time_rate": "On time",
        "events_held": "Events held", "event_clients": "Clients attending",
        "event": "Event", "date": "Date", "type": "Type", "clients": "Clients",
        "month": "Month", "rank": "Rank", "client": "Client", "class": "Class", "tier": "Tier",
        "revenue_12m": "Revenue 12m", "prev_rank": "Previous rank", "movement": "Movement",
        "new": "new", "none": "none",
        "chart_revenue": "Revenue, last 12 months", "chart_channels": "Interactions by channel",
        "chart_pipeline": "Weighted pipeline by stage",
        "to_date": "to date", "closed_later": "Closed since (stage then unknown)",
        "sec_pipeline_to_date": "Weighted pipeline today",
        "followups_overdue_to_date": "Follow-ups overdue today",
        "closed_by_created": "Won or Lost deals with Stage since blank, counted in the "
                             "month they were created: {ids}",
        "closed_undated": "Won or Lost deals with neither Stage since nor Created, counted "
                          "in no month: {ids}",
        "more": "and {n} more",
    },
    "he": {
        "title": "דוח חודשי", "sheet": "דוח", "period": "תקופה",
        "company": "חברה", "manager": "מנהל/ת לקוח",
        "figure": "נתון", "value": "ערך", "key_figures": "נתונים עיקריים",
        "sec_revenue": "הכנסות", "sec_sales": "הזמנות ולקוחות", "sec_deals": "עסקאות",
        "sec_pipeline": "צנרת משוקללת בסוף החודש", "sec_activity": "פעילות",
        "sec_service": "תלונות ואספקות", "sec_events": "אירועים",
        "sec_top": "10 הלקוחות המובילים",
        "revenue": "הכנסות בחודש", "revenue_prev": "חודש קודם",
        "revenue_prev_change": "שינוי מול החודש הקודם", "revenue_year_ago": "אותו חודש אשתקד",
        "revenue_year_ago_change": "שינוי מול אותו חודש אשתקד",
        "orders": "הזמנות", "order_lines": "שורות הזמנה", "new_clients": "לקוחות חדשים",
        "new_by_referral": "מהם בהפניה", "deals_won": "עסקאות שנסגרו בהצלחה",
        "won_amount": "סכום שנסגר", "deals_lost": "עסקאות שאבדו", "win_rate": "שיעור הצלחה",
        "lost_by_competitor": "עסקאות שאבדו לפי מתחרה", "competitor": "מתחרה",
        "no_competitor": "(לא צוין)", "deals": "עסקאות",
        "pipeline_weighted": "צנרת משוקללת", "stage": "שלב", "amount": "סכום",
        "weighted": "משוקלל", "interactions": "אינטראקציות", "channel": "ערוץ",
        "count": "מספר", "followups_overdue": "מעקבים באיחור בסוף החודש",
        "complaints_opened": "תלונות שנפתחו", "complaints_resolved": "תלונות שנפתרו",
        "sla_met_rate": "עמידה ב-SLA", "deliveries_due": "אספקות במועד החודש",
        "deliveries_on_time": "סופקו בזמן", "on_time_rate": "בזמן",
        "events_held": "אירועים שהתקיימו", "event_clients": "לקוחות שהשתתפו",
        "event": "אירוע", "date": "תאריך", "type": "סוג", "clients": "לקוחות",
        "month": "חודש", "rank": "דירוג", "client": "לקוח", "class": "סיווג", "tier": "דרגה",
        "revenue_12m": "הכנסות 12 חודשים", "prev_rank": "דירוג קודם", "movement": "תנועה",
        "new": "חדש", "none": "אין",
        "chart_revenue": "הכנסות, 12 החודשים האחרונים", "chart_channels": "אינטראקציות לפי ערוץ",
        "chart_pipeline": "צנרת משוקללת לפי שלב",
        "to_date": "עד כה", "closed_later": "נסגרו מאז (השלב אז לא ידוע)",
        "sec_pipeline_to_date": "צנרת משוקללת היום",
        "followups_overdue_to_date": "מעקבים באיחור היום",
        "closed_by_created": "נסגרו בהצלחה או אבדו בלי תאריך שלב, נספרו בחודש תאריך היצירה: {ids}",
        "closed_undated": "נסגרו בהצלחה או אבדו בלי תאריך שלב ובלי תאריך יצירה, לא נספרו: {ids}",
        "more": "ועוד {n}",
    },
}

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
    L = dict(LABELS[lang_of(lang)])
    if report.to_date:
        for key in ("sec_pipeline", "followups_overdue"):
            L[key] = L[f"{key}_to_date"]
    return L


def heading(report: MonthReport, lang: str) -> str:
    """`November 2026`, or for the current month `November 2026, to date (27 Nov 2026)`."""
    lang = lang_of(lang)
    f = Formats(lang, report.currency)
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
                             ("closed_undated", report.closed_undated)) if ids]


def stage_label(stage: str | None, lang: str) -> str | None:
    return LABELS[lang_of(lang)]["closed_later"] if stage == CLOSED_LATER else choice(stage, lang)


def figure_value(report: MonthReport, key: str) -> Any:
    return len(report.events) if key == "events_held" else getattr(report, key)


class Formats:
    """Numbers, money, percents and dates the way `lang` writes them (babel)."""
    DASH = "—"

    def __init__(self, lang: str, currency: str):
        from babel import Locale
        self.lang, self.locale, self.currency = lang, Locale.parse(lang), currency
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
        from babel.numbers import format_percent
        return self.DASH if v is None else format_percent(v, format="#,##0.#%", locale=self.locale)

    def change(self, v) -> str:
        return self.DASH if v is None else ("+" if v > 0 else "") + self.pct(v)

    def date(self, d) -> str:
        from babel.dates import format_date
        return self.DASH if d is None else format_date(d, "medium", locale=self.locale)

    def month(self, month: str, short: bool = False) -> str:
        from babel.dates import format_date
        return format_date(parse_month(month)[0], "MMM yy" if short else "LLLL y",
                           locale=self.locale)

    def value(self, v, kind: str) -> str:
        return getattr(self, kind)(v) if kind in ("money", "int", "pct", "change") else \
            (self.DASH if v is None else str(v))


def movement_text(a: TopAccount, lang: str) -> str:
    if a.movement == "new":
        return LABELS[lang_of(lang)]["new"]
    return {"up": f"▲ {a.delta}", "down": f"▼ {-a.delta}"}.get(a.movement, "=")


def choice(v, lang) -> str | None:
    return schema.show_choice(v, lang)


# --- charts as SVG (no script, no external asset) ------------------------------------------
def _esc(text) -> str:
    from markupsafe import escape
    return str(escape(text))


def bar_chart_svg(items: list[tuple[str, float]], fmt: Callable[[float], str], title: str,
                  rtl: bool = False, columns: bool = False, bars_only: bool = False) -> str:
    """A bar chart (horizontal bars, or columns for a time series) as SVG text, all escaped.

    bars_only: no text inside the picture (LibreOffice draws SVG text without bidi).
    """
    peak = max([v for _, v in items if v] + [0]) or 1.0
    if columns:
        return _columns_svg(items, fmt, title, peak, rtl, bars_only)
    w, label_w, value_w, bar_h, gap, top = 560, 150, 110, 18, 6, 30
    h = top + len(items) * (bar_h + gap) + 6
    span = w - label_w - value_w - 10
    d = ' direction="rtl"' if rtl else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{_esc(title)}">']
    if not bars_only:
        out.append(f'<text x="{w - 4 if rtl else 4}" y="18" font-size="14" font-weight="bold"'
                   f'{d} text-anchor="{"end" if rtl else "start"}">{_esc(title)}</text>')
    for i, (label, v) in enumerate(items):
        y = top + i * (bar_h + gap)
        bw = max(0.0, (v or 0) / peak * span)
        x = w - label_w - bw if rtl else label_w
        out.append(f'<rect x="{x:.1f}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="#2f6db5"/>')
        if bars_only:
            continue
        lx, vx = (w - label_w + 6, w - label_w - bw - 6) if rtl else (label_w - 6, label_w + bw + 6)
        out.append(f'<text x="{lx:.1f}" y="{y + 13}" font-size="12"{d} '
                   f'text-anchor="{"start" if rtl else "end"}">{_esc(label)}</text>')
        out.append(f'<text x="{vx:.1f}" y="{y + 13}" font-size="12" '
                   f'text-anchor="{"end" if rtl else "start"}">{_esc(fmt(v))}</text>')
    return "".join(out) + "</svg>"


def _columns_svg(items, fmt, title, peak, rtl, bars_only) -> str:
    n = max(len(items), 1)
    w, h, top, bottom, left = 640, 250, 30, 40, 10
    slot = (w - 2 * left) / n
    span = h - top - bottom
    d = ' direction="rtl"' if rtl else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{_esc(title)}">']
    if not bars_only:
        out.append(f'<text x="{w - 4 if rtl else 4}" y="18" font-size="14" font-weight="bold"'
                   f'{d} text-anchor="{"end" if rtl else "start"}">{_esc(title)}</text>')
    out.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - left}" y2="{h - bottom}" '
               f'stroke="#888"/>')
    for i, (label, v) in enumerate(items):
        bh = max(0.0, (v or 0) / peak * span)
        x = left + i * slot + slot * 0.15
        out.append(f'<rect x="{x:.1f}" y="{h - bottom - bh:.1f}" width="{slot * 0.7:.1f}" '
                   f'height="{bh:.1f}" fill="#2f6db5"/>')
        if bars_only:
            continue
        cx = x + slot * 0.35
        out.append(f'<text x="{cx:.1f}" y="{h - bottom + 14}" font-size="10" '
                   f'text-anchor="middle">{_esc(label)}</text>')
        if v:
            out.append(f'<text x="{cx:.1f}" y="{h - bottom - bh - 4:.1f}" font-size="9" '
                       f'text-anchor="middle">{_esc(fmt(v))}</text>')
    return "".join(out) + "</svg>"


def chart_series(report: MonthReport, lang: str) -> dict[str, list[tuple[str, float]]]:
    """The three charts' data with display labels: revenue by month, channels, stages."""
    lang = lang_of(lang)
    f = Formats(lang, report.currency)
    return {
        "revenue": [(f.month(m, short=True), v) for m, v in report.revenue_series],
        "channels": [(choice(c, lang), float(n)) for c, n in report.by_channel],
        "pipeline": [(stage_label(p.stage, lang), p.weighted) for p in report.pipeline],
    }


def chart_blocks(report: MonthReport, lang: str, bars_only: bool) -> dict[str, dict]:
    from markupsafe import Markup
    f, L, rtl = Formats(lang, report.currency), LABELS[lang], lang == "he"
    series = chart_series(report, lang)
    spec = {"revenue": ("chart_revenue", f.money, True), "channels": ("chart_channels", f.int, False),
            "pipeline": ("chart_pipeline", f.money, False)}
    out = {}
    for key, (title, fmt, cols) in spec.items():
        items = series[key]
        svg = bar_chart_svg(items, fmt, L[title], rtl, cols)
        rows = []
        if bars_only:   # LibreOffice: one text-free bar picture per row of an HTML table
            peak = max([v for _, v in items if v] + [0]) or 1.0
            rows = [(label, fmt(v), _bar_data_uri(v / peak if v else 0.0)) for label, v in items]
        out[key] = {"title": L[title], "svg": Markup(svg), "rows": rows}
    return out


def _bar_data_uri(frac: float, width: int = 220, height: int = 12) -> str:
    bw = max(1.0, frac * width) if frac > 0 else 0.0
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}"><rect x="0" y="0" width="{bw:.1f}" height="{height}" '
           f'fill="#2f6db5"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def isolate(text):
    """Escaped text between FSI and PDI: a name keeps its own direction inside any page
    (a Latin name ending in '>' stays whole in Hebrew; LibreOffice honours these too)."""
    from markupsafe import Markup
    return Markup("\u2068{}\u2069").format("" if text is None else text)


# --- HTML -----------------------------------------------------------------------------------------
def template_dir() -> Path:
    return templates_dir()


def render_html(report: MonthReport, lang: str | None = None, for_pdf: bool = False) -> str:
    """The report as one HTML page (sandboxed, autoescaped Jinja2; client names are data).

    for_pdf: the variant for LibreOffice, whose HTML import ignores inline SVG and
    draws SVG text without bidi: charts become tables of text-free bar pictures.
    """
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    lang = lang_of(lang or report.lang)
    f = Formats(lang, report.currency)
    env = SandboxedEnvironment(autoescape=True, loader=FileSystemLoader(str(template_dir())),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=f.money, int=f.int, pct=f.pct, change=f.change, date=f.date,
                       choice=lambda v: choice(v, lang) or f.DASH, iso=isolate,
                       stage=lambda v: stage_label(v, lang) or f.DASH)
    L = labels(report, lang)
    figures = [(L[k], f.value(figure_value(report, k), kind)) for k, kind in FIGURES]
    return env.get_template("report.html.j2").render(
        r=report, L=L, lang=lang, dir="rtl" if lang == "he" else "ltr",
        start="right" if lang == "he" else "left", notes=notes(report, lang),
        month_name=heading(report, lang), figures=figures, for_pdf=for_pdf,
        charts=chart_blocks(report, lang, bars_only=for_pdf),
        moves=[movement_text(a, lang) for a in report.top])


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
        raise ReportError(f"cannot write the report PDF: {e}") from e
    return pdf.pin_pdf(target, report.until, used.encode("utf-8"))
