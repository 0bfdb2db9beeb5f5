"""HTML -> PDF engines for the monthly report, measured side by side.

    .venv/bin/python bench/pdf_engines.py [--runs 3]

The demo workbook's report (English and Hebrew) through each engine acctbook.documents.pdf can drive:
headless Chromium, WeasyPrint (when importable), LibreOffice's HTML import (with the report's
LibreOffice variant). Per engine: median seconds per report, pages, and quality read back with
`pdftotext -layout`: every amount (the cells marked nowrap) on one line, and every section
(heading to its last row) on one page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import html as lhtml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from acctbook import api  # noqa: E402
from acctbook.documents import pdf
from acctbook.documents import figures, report_html
from acctbook.xlsx.read import read_book  # noqa: E402

TODAY = dt.date(2026, 6, 15)
MONTH = "2026-05"


def sections(html: str) -> list[tuple[str, str, list[str]]]:
    """(heading, last row's first cell, nowrap cell texts) of each <section>."""
    out = []
    for sec in lhtml.fromstring(html).iter("section"):
        h2 = sec.findtext(".//h2").strip()
        rows = [r for r in sec.iter("tr") if r.text_content().strip()]
        last = max((c.text_content().strip() for c in rows[-1]), key=len) if rows else h2
        nums = [m for td in sec.iter("td") if td.get("nowrap") is not None
                for m in NUMBER.findall(td.text_content()) if len(m) > 3]
        out.append((h2, last, nums))
    return out


NUMBER = re.compile(r"\d[\d,.]*\d")   # the figure; its sign and symbol move in RTL extraction


def _flat(s: str) -> str:
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", s)


def quality(pdf_path: Path, html: str, titles: list[str]) -> tuple:
    """(pages, amounts whole, amounts, sections whole, sections, chart titles readable)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    lines = text.splitlines()
    whole = total = sec_ok = 0
    secs = sections(html)
    for h2, last, nums in secs:
        for n in nums:
            total += 1
            whole += any(n in NUMBER.findall(line) for line in lines)

        def page_of(s):
            return next((i for i, p in enumerate(pages) if _flat(s) in _flat(p)), -1)
        first = page_of(h2)
        sec_ok += first >= 0 and first == page_of(last)
    readable = sum(_flat(t) in _flat(text) for t in titles)
    return len(pages), whole, total, sec_ok, len(secs), f"{readable}/{len(titles)}"


def engines():
    out = []
    exe = pdf.find_browser()
    if exe:
        out.append(("chromium", False, lambda h, t: pdf.chromium_pdf(exe, h, t)))
    try:
        import weasyprint  # noqa: F401
        out.append(("weasyprint", False, lambda h, t: pdf.weasyprint_pdf(h, t)))
        # the SVG-free variant: WeasyPrint draws SVG text without bidi (Hebrew reversed)
        out.append(("weasy-bars", True, lambda h, t: pdf.weasyprint_pdf(h, t)))
    except Exception:  # noqa: BLE001
        print("weasyprint: not importable", file=sys.stderr)
    so = pdf.find_soffice()
    if so:
        out.append(("libreoffice", True, lambda h, t: pdf.soffice_html_pdf(h, t, exe=so)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reports = {}
        for lang in ("en", "he"):
            p = api.new(Path(tmp, f"demo-{lang}.xlsx"), lang=lang, demo=True, today=TODAY)
            reports[lang] = figures.month_figures(read_book(p), MONTH, TODAY)
        print(f"{'engine':<12} {'lang':<4} {'s/report':>9} {'min':>6} {'pages':>5} "
              f"{'amounts on 1 line':>18} {'sections on 1 page':>19} {'chart titles':>12}")
        for name, lo, convert in engines():
            for lang, r in reports.items():
                html = report_html.render_html(r, lang, for_pdf=lo)
                times = []
                for i in range(a.runs):
                    target = Path(tmp, f"{name}-{lang}-{i}.pdf")
                    t0 = time.perf_counter()
                    convert(html, target)
                    times.append(time.perf_counter() - t0)
                titles = [c["title"] for c in report_html.chart_blocks(r, lang, bars_only=lo).values()]
                pages, whole, total, sec_ok, secs, ok = quality(target, report_html.render_html(r, lang), titles)
                print(f"{name:<12} {lang:<4} {statistics.median(times):>9.2f} {min(times):>6.2f} "
                      f"{pages:>5} {f'{whole}/{total}':>18} {f'{sec_ok}/{secs}':>19} {ok:>12}")


if __name__ == "__main__":
    main()
