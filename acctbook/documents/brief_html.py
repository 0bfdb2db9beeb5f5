"""The client brief on one printable A4 page: templates/brief.html.j2 rendered in the same
sandboxed, autoescaping Jinja2 environment as the monthly report, every figure through the
report's helpers (report_html.Formats, amount, isolate), the revenue trend as a small inline
chart (documents/charts.py), the PDF through the one PDF runner (documents/pdf.py).
Everything renders a core.brief.Brief; nothing here reads a workbook.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.core.brief import Brief
from acctbook.core.brief_table import SWOT, component_label, lines_words, overdue_words, words
from acctbook.documents import pdf
from acctbook.documents.engine import safe_file_name
from acctbook.documents.report_html import Formats, amount, choice, isolate

TEMPLATE = "brief.html.j2"
TREND_SIZE = (4.3, 1.1)          # inches: the trend chart beside the points
MAX_ROWS = 6                     # rows of an open list on the page; "and N more" after them
OPEN = ("deals", "orders", "invoices", "complaints", "contracts")
# Column names the page shows, as the schema has them: (table, key) -> label key in L.
COLUMNS = {
    "CLIENTS": ("status", "segment", "owner", "class", "tier", "rank", "score", "risk",
                "risk_reasons", "revenue_12m", "next_follow_up", "last_contact", "excludes"),
    "CONTACTS": ("name", "role", "phone", "email", "preferred_channel", "primary", "birthday"),
    "INTERACTIONS": ("date", "channel", "subject", "outcome", "next_step"),
    "DEALS": ("deal_id", "title", "stage", "amount", "probability", "weighted_amount",
              "expected_close"),
    "ORDERS": ("order_id", "order_date", "due_date", "invoice_due"),
    "COMPLAINTS": ("case_id", "opened", "severity", "description", "sla_due", "sla_status"),
    "CONTRACTS": ("contract_id", "end"),
    "COMPETITORS": ("competitor", "price_level") + SWOT,
    "PRODUCTS": ("sku",),
}


def labels(lang: str) -> dict[str, str]:
    """The page's words: the brief's own (core.brief_table.words) and the schema's column
    names (`DEALS.stage`) in `lang`."""
    out = dict(words(lang))
    for table, keys in COLUMNS.items():
        spec = getattr(schema, table)
        out.update({f"{table}.{k}": spec.column(k).label(lang) for k in keys})
    return out


def trend_chart(brief: Brief, f: Formats, title: str, png: bool = False) -> dict:
    """The last 12 months' revenue as a small column chart: inline SVG ({"svg"}), or with
    `png` a `data:` PNG ({"png", "width"}) for LibreOffice; {} without matplotlib or
    without any revenue."""
    from markupsafe import Markup
    from acctbook.documents import charts
    if not charts.available() or not any(v for _, v in brief.client.trend):
        return {}                       # no revenue at all: no chart of zeros
    items = [(f.month(m, short=True), v) for m, v in brief.client.trend]
    fig = charts.chart_figure("column", items, axis_fmt=f.int, rtl=brief.lang == "he",
                              size=TREND_SIZE, fontsize=6.5)
    if png:
        data = base64.b64encode(charts.figure_png(fig, dpi=150)).decode()
        return {"png": f"data:image/png;base64,{data}", "width": round(TREND_SIZE[0] * 96)}
    return {"svg": Markup(charts.figure_svg(fig, title))}


def environment(lang: str, f: Formats, marks: bool):
    """The report's environment (report_html.render_html): sandboxed, autoescaped, strict,
    with its figure filters; plus the brief's own."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    from babel.numbers import format_currency, format_decimal, format_percent
    from markupsafe import Markup, escape
    env = SandboxedEnvironment(autoescape=True, loader=FileSystemLoader(str(templates_dir())),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    dash = f.DASH
    env.filters.update(
        money=lambda v: amount(f.money(v), marks=marks),
        int=lambda v: amount(f.int(v), True, marks=marks),
        pct=lambda v: amount(dash if v is None else format_percent(
            v / 100, format="#,##0.#%", locale=f.locale), True, marks=marks),
        money_in=lambda v, cur: amount(dash if v is None else format_currency(
            v, cur, locale=f.locale), marks=marks),
        points=lambda v: amount(dash if v is None else format_decimal(
            v, format="#,##0.0", locale=f.locale), True, marks=marks),
        date=lambda d: amount(f.date(d), marks=marks),
        choice=lambda v: choice(v, lang) or dash,
        iso=lambda v: isolate(v if v not in (None, "") else dash, marks=marks),
        overdue=lambda n: overdue_words(lang, n),
        lines=lambda n: lines_words(lang, n),
        component=lambda k: component_label(k, lang),
        fill=lambda text, **values: Markup(escape(text)).format(**values),
        ids=lambda ids: Markup(", ").join(amount(i, True, marks=marks) for i in ids))
    return env


def render_html(brief: Brief, for_pdf: bool = False) -> str:
    """The brief as one HTML page in its language (right to left in Hebrew). for_pdf: the
    variant for LibreOffice (the chart as a PNG picture, Unicode isolates in the text)."""
    lang = brief.lang
    f = Formats(lang, brief.currency, brief.number_format)
    L = labels(lang)
    env = environment(lang, f, marks=for_pdf)
    g = brief.client
    return env.get_template(TEMPLATE).render(
        b=brief, g=g, L=L, lang=lang, dir="rtl" if lang == "he" else "ltr", for_pdf=for_pdf,
        as_of=L["as_of"].format(date=f.date(brief.today)),
        chart=trend_chart(brief, f, L["trend"], png=for_pdf),
        trend=[(f.month(m, short=True), v) for m, v in g.trend],
        rank_of=L["rank_of"].format(rank=f.int(g.rank), n=f.int(g.ranked))
        if g.rank is not None else None,
        touches_of=L["touches_of"].format(shown=len(brief.touches), total=brief.touches_total),
        place=", ".join(x for x in (g.region, g.city) if x), max_rows=MAX_ROWS,
        nothing_open=[L[k] for k in OPEN if not getattr(brief, k)])


def file_stem(client_id: str) -> str:
    """`brief-<client id>`, made safe as every document's name (engine.safe_file_name)."""
    return Path(safe_file_name(f"brief-{client_id}", "", ".html")).stem


def write_brief_files(brief: Brief, out_dir, pdf_too: bool = False) -> dict[str, Path]:
    """`brief-<client id>.html` (and `.pdf`) in out_dir, each put in place whole (written
    beside it, then renamed), replacing an earlier brief of the client; the HTML first, so
    it is there to print from a browser when no PDF can be made (as the report's).
    Returns {"html": p, "pdf": p}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(brief.client.client_id)
    paths = {"html": out / f"{stem}.html"}
    with tempfile.TemporaryDirectory(prefix=".acctbook-", dir=out) as tmp:
        html = Path(tmp) / paths["html"].name
        html.write_text(render_html(brief), encoding="utf-8")
        os.replace(html, paths["html"])
        if pdf_too:
            paths["pdf"] = out / f"{stem}.pdf"
            os.replace(html_to_pdf(brief, Path(tmp) / paths["pdf"].name), paths["pdf"])
    return paths


def html_to_pdf(brief: Brief, target: Path) -> Path:
    """The brief as PDF through acctbook.documents.pdf (Chromium/Chrome/Edge, WeasyPrint,
    LibreOffice), its clock and identifiers pinned: the same book and day, the same bytes."""
    used = pdf.html_to_pdf(render_html(brief), target, rtl=brief.lang == "he",
                           plain_html=lambda: render_html(brief, for_pdf=True))
    return pdf.pin_pdf(target, brief.today, used.encode("utf-8"))
