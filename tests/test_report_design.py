"""The documents as a manager sends them, read back the way a reader meets them: the demo's
monthly report printed by headless Chromium, its contracts by LibreOffice, the Report sheet
printed by LibreOffice; each PDF read with pdftotext, the workbook with openpyxl and zipfile.

One demo run (`acctbook demo --pdf`, both languages) serves every test here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from acctbook.documents import pdf as pdf_runner

TODAY = dt.date(2026, 6, 15)
MONTH = "2026-05"
pytestmark = pytest.mark.skipif(
    not (pdf_runner.find_browser() and shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs Chromium/Chrome/Edge, LibreOffice and pdftotext")

# The invisible marks pdftotext puts around right-to-left runs (and the RLMs of babel's
# Hebrew amounts): not what a reader sees.
_MARKS = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
KPI_LABELS = {
    "en": ["Revenue this month", "Change vs previous month", "Orders", "New clients",
           "Win rate", "Weighted pipeline at month end", "SLA met", "Delivered on time"],
    "he": ["הכנסות החודש", "שינוי מול החודש הקודם", "הזמנות", "לקוחות חדשים", "שיעור הצלחה",
           "צנרת משוקללת בסוף החודש", "עמידה ב־SLA", "סופקו בזמן"],
}


def pdf_pages(path) -> list[list[str]]:
    """pdftotext -layout, page by page, each a list of lines without bidi marks (a no-break
    space read as a space)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [[_MARKS.sub("", line).replace("\xa0", " ") for line in page.splitlines()]
            for page in text.split("\f") if page.strip()]


def squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def words(s: str) -> set[str]:
    """The words of a text. pdftotext's layout mode interleaves a label wrapped in a card
    with its neighbours, and in Hebrew puts a comma or colon beside digits on their other
    side and drops the space between a number and a word; words are what stays."""
    s = re.sub(r"(?<=\d)(?=[\u0590-\u05ff])|(?<=[\u0590-\u05ff])(?=\d)", " ", s)
    return set(re.sub(r"[,:()·]", " ", s).split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo with PDFs; plus, per language, the report's figures and its PDF's pages, and
    one more Hebrew report whose changes are negative (a real book rarely has both)."""
    from acctbook import api
    from acctbook.documents import figures, report_html
    from acctbook.xlsx.read import read_book
    folder = tmp_path_factory.mktemp("design")
    result = api.demo(folder / "demo", TODAY, pdf=True)
    out = {"result": result, "reports": {}, "pages": {}}
    for lang in ("en", "he"):
        out["reports"][lang] = result.reports[lang].report
        out["pages"][lang] = pdf_pages(result.reports[lang].files["pdf"])
    falling = dataclasses.replace(out["reports"]["he"], revenue_prev_change=-0.04,
                                  revenue_year_ago_change=-0.611)
    target = report_html.html_to_pdf(falling, "he", folder / "falling.pdf")
    out["pages"]["he-falling"] = pdf_pages(target)
    return out


def _money_numbers(report) -> set[str]:
    """Every amount the report prints, as its digits with separators."""
    values = [report.revenue, report.revenue_prev, report.revenue_year_ago, report.won_amount,
              report.pipeline_weighted, sum(v for _, v in report.revenue_series)]
    values += [x for p in report.pipeline for x in (p.amount, p.weighted)]
    values += [a.revenue_12m for a in report.top]
    return {f"{round(v):,}" for v in values}


@pytest.mark.parametrize("lang", ["en", "he"])
def test_no_amount_is_split_across_lines(demo, lang):
    report, pages = demo["reports"][lang], demo["pages"][lang]
    lines = [line for page in pages for line in page]
    assert any(len(n) >= 9 for n in _money_numbers(report))      # 7-digit sums are there
    for number in _money_numbers(report):
        whole = re.compile(rf"(₪ ?{re.escape(number)}(?![\d,])|(?<![\d,]){re.escape(number)} ?₪)")
        assert any(whole.search(line) for line in lines), (lang, number)
    for line in lines:
        # every ₪ beside its number; no line ending in a separator or a lone digit group
        assert all(re.search(r"\d ?₪|₪ ?\d", line[max(0, i - 2):i + 3])
                   for i in [m.start() for m in re.finditer("₪", line)]), line
        assert not re.search(r"\d,$", line.rstrip()), line


@pytest.mark.parametrize("lang", ["en", "he"])
def test_signed_percents_read_sign_first(demo, lang):
    from acctbook.documents.report_html import Formats
    report = demo["reports"][lang]
    text = "\n".join(line for page in demo["pages"][lang] for line in page)
    change = Formats(lang, report.currency).change(report.revenue_prev_change)
    assert change.startswith("+") and re.search(r"\.\d%$", change)     # e.g. +40.7%
    assert change in text and change[1:] + "+" not in text
    assert not re.search(r"\d%\+", text)                          # never 61.1%+


def test_a_falling_month_reads_minus_first_in_hebrew(demo):
    text = "\n".join(line for page in demo["pages"]["he-falling"] for line in page)
    assert "-4.0%" in text and "-61.1%" in text
    assert "4.0%-" not in text and "61.1%-" not in text


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_report_opens_with_the_key_figures(demo, lang):
    pages = demo["pages"][lang]
    assert 2 <= len(pages) <= 4
    first = words(" ".join(pages[0]))
    for label in KPI_LABELS[lang]:
        assert words(label) <= first, label
    # the cards come before the charts and the tables
    lines = [squash(line) for line in pages[0]]
    kpi = next(i for i, line in enumerate(lines) if KPI_LABELS[lang][0] in line)
    chart = "Revenue, last 12 months" if lang == "en" else "החודשים האחרונים"
    assert kpi < next(i for i, line in enumerate(lines) if chart in line)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_heading_stays_on_the_page_of_its_last_row(demo, lang):
    """Printed, no table is split from its heading or cut over two pages (the On time row
    once came alone onto page 3)."""
    from acctbook.documents.report_html import LABELS
    L, report = LABELS[lang], demo["reports"][lang]
    pages = [words(" ".join(p)) for p in demo["pages"][lang]]

    def page_of(text: str) -> set[int]:
        return {i for i, p in enumerate(pages) if words(text) <= p}

    last_client = report.top[-1].name
    for heading, last in ((L["sec_service"], L["on_time_rate"]),
                          (L["sec_revenue"], L["revenue_12m_total"]),
                          (L["sec_pipeline"], L["pipeline_weighted"]),
                          (L["sec_top"], last_client)):
        assert page_of(heading) & page_of(last), (heading, last)


def test_the_html_report_draws_its_charts_inline(demo):
    for lang in ("en", "he"):
        html = demo["result"].reports[lang].files["html"].read_text(encoding="utf-8")
        svgs = re.findall(r"<svg .*?</svg>", html, re.S)
        assert len(svgs) == 4 and "<img" not in html and "<script" not in html   # + segments
        for svg in svgs:
            etree.fromstring(svg)                       # well-formed, inline
            assert "xlink:href=\"http" not in svg and "<text" not in svg   # text drawn as shapes


def _docx_text(path) -> str:
    import docx
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_contract_keeps_the_clients_email_whole(demo, lang):
    c = demo["result"].contracts[lang]
    emails = re.findall(r"[\w.+\-\u2060]+@[\w\-\u2060]+(?:\.[\w\-\u2060]+)+", _docx_text(c.docx))
    assert emails
    email = emails[0].replace("\u2060", "")
    assert "-" in email                     # the demo's contacts have a hyphen in the domain
    lines = [line for page in pdf_pages(c.pdf) for line in page]
    assert any(email in line for line in lines), email
    raw = subprocess.run(["pdftotext", str(c.pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert "\u2060" not in raw              # copied from the PDF: the address as typed


@pytest.fixture(scope="module")
def sheet_print(demo, tmp_path_factory):
    """The demo's English Report sheet as LibreOffice prints it (the sheet alone)."""
    from acctbook.documents import report_sheet
    folder = tmp_path_factory.mktemp("sheet")
    xlsx = report_sheet.build_report_xlsx(demo["reports"]["en"], "en", folder / "report.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    return pdf_pages(folder / "report.pdf")


def test_the_report_sheet_prints_its_charts_whole_with_every_label(demo, sheet_print):
    from acctbook.documents.report_html import stage_label
    report = demo["reports"]["en"]
    assert len(sheet_print) == 2
    first = squash(" ".join(sheet_print[0]))
    for title in ("Revenue, last 12 months", "Interactions by channel",
                  "Weighted pipeline by stage"):
        assert first.count(title) >= 1, title
    # every stage named on the chart's axis as in the table: each label twice on page 1
    for p in report.pipeline:
        assert first.count(squash(stage_label(p.stage, "en"))) >= 2, p.stage
    assert re.search(r"\b1,[2468]00,000\b", first)              # axis ticks with separators
    assert not re.search(r"\b\d{7}\b", first)                   # never 1800000
    second = sheet_print[1]
    assert any("Top 10 key accounts" in line for line in second)
    for a in report.top:                                        # names whole, never cut
        assert any(a.name in line for line in second), a.name


def test_the_workbooks_report_sheet_keeps_its_print_setup_and_axes(demo):
    result = demo["result"]
    for lang in ("en", "he"):
        book, name = result.books[lang], result.reports[lang].sheet
        ws = openpyxl.load_workbook(book)[name]
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.orientation == "portrait" and ws.page_setup.paperSize == 9
        breaks = [b.id for b in ws.row_breaks.brk]
        assert breaks                                       # the Top 10 on a page of its own
        for chart in ws._charts:                            # no break through a chart
            top = chart.anchor._from.row
            assert not any(top < b < top + 20 for b in breaks)
        names = [c.value for c in ws["B"] if isinstance(c.value, str)]
        width = ws.column_dimensions["B"].width
        assert all(len(n) <= width for n in names)          # Top 10 names fit column B
        with zipfile.ZipFile(book) as z:
            charts = [etree.fromstring(z.read(n)) for n in z.namelist()
                      if re.match(r"xl/charts/chart\d+\.xml$", n)]
        ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
        for ch in charts:
            assert ch.xpath("string(//c:valAx/c:numFmt/@formatCode)", namespaces=ns) == "#,##0"
            assert ch.xpath("string(//c:catAx/c:tickLblSkip/@val)", namespaces=ns) == "1"


def test_the_pictures_script_draws_from_the_same_demo():
    """docs/img/pictures.py makes the README's pictures: it must stay importable and name
    the files the README shows."""
    import importlib.util
    path = Path(__file__).resolve().parents[1] / "docs" / "img" / "pictures.py"
    spec = importlib.util.spec_from_file_location("pictures", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.TODAY.isoformat().startswith("2026-06")
    readme = (path.parents[2] / "README.md").read_text(encoding="utf-8")
    for name in ("report-en.png", "report-he.png", "contract-en.png", "contract-he.png"):
        assert f"docs/img/{name}" in readme and (path.parent / name).is_file()
