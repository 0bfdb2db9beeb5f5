"""Make the pictures in docs/img from the demo: `python docs/img/pictures.py [DIR]`.

Runs `acctbook demo --pdf` (a fixed day, so the same pictures come out each time) in a
temporary folder, then draws the first page of each document and the Today sheet:

  report-en.png, report-he.png        the monthly report (Chromium's PDF), page 1
  contract-en.png, contract-he.png    the demo's contract (LibreOffice's PDF), page 1
  quote-en.png, quote-he.png          a quote for the same deal (LibreOffice's PDF), page 1
  invoice-en.png, invoice-he.png      a proforma invoice for the demo's first open order
  today-en.png, today-he.png          the Today sheet, as LibreOffice prints it on one page
  brief.png, brief.he.png             `acctbook brief` of the demo client BRIEF_CLIENT (Chromium)

Needs what `demo --pdf` needs (Chromium/Chrome/Edge, LibreOffice), poppler's pdftoppm and
Pillow (matplotlib brings it). Look at every picture before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = dt.date(2026, 6, 15)          # the report is May 2026's
DPI = 60                              # an A4 page: 497 x 702 pixels
SHEET_DPI = 80
BRIEF_CLIENT = "C-025"                # open deal, order, invoice, complaint, contract, rivals
BRIEF_NAMES = {"en": "brief.png", "he": "brief.he.png"}


def page_png(pdf: Path, target: Path, page: int = 1, dpi: int = DPI) -> Path:
    """One page of a PDF as PNG (pdftoppm)."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", "-png", str(pdf), str(stem)], check=True)
    return target


def trimmed(png: Path, margin: int = 12) -> Path:
    """The picture cut to its content, with a white margin."""
    from PIL import Image, ImageChops
    im = Image.open(png).convert("RGB")
    box = ImageChops.difference(im, Image.new("RGB", im.size, "white")).getbbox()
    if box:
        left, top, right, bottom = box
        im = im.crop((max(0, left - margin), max(0, top - margin),
                      min(im.width, right + margin), min(im.height, bottom + margin)))
    im.save(png, optimize=True)
    return png


def sheet_pdf(book: Path, out_dir: Path) -> Path:
    """The workbook as PDF with every sheet on one page of its own (LibreOffice)."""
    options = json.dumps({"SinglePageSheets": {"type": "boolean", "value": "true"}})
    with tempfile.TemporaryDirectory(prefix="acctbook-lo-") as profile:
        subprocess.run([shutil.which("soffice") or "soffice",
                        f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", f"pdf:calc_pdf_Export:{options}", "--outdir",
                        str(out_dir), str(book)], check=True, capture_output=True, timeout=300)
    return out_dir / f"{book.stem}.pdf"


def visible_index(book: Path, name: str) -> int:
    """The 1-based page of sheet `name` in a one-page-per-sheet PDF (hidden sheets print none)."""
    import openpyxl
    wb = openpyxl.load_workbook(book, read_only=True)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    return visible.index(name) + 1


def quote_png(book: Path, lang: str, tmp: Path, out: Path = HERE) -> Path:
    """A quote for the demo's contract deal, page 1 (the book gets its Interactions row)."""
    from acctbook import api, jobs
    deal = jobs.demo_deal(api.load(book), lang)
    made = api.quote(book, deal, out=tmp, pdf=True, today=TODAY)
    return page_png(made.pdf, out / f"quote-{lang}.png")


def invoice_png(book: Path, lang: str, tmp: Path, out: Path = HERE) -> Path:
    """A proforma invoice, in `lang`, for the demo's first open order with no invoice dates
    yet, page 1."""
    from acctbook import api
    loaded = api.load(book)
    orders, clients = loaded.frame("Orders"), loaded.frame("Clients")
    speaks = dict(zip(clients["client_id"], clients["language"].fillna(loaded.lang)))
    free = orders[orders["status"].isin(["Open", "Partly delivered"])
                  & orders["invoice_date"].isna() & orders["invoice_due"].isna()
                  & orders["client_id"].map(speaks).eq(lang)]
    made = api.invoice(book, free["order_id"].iloc[0], out=tmp, pdf=True, today=TODAY)
    return page_png(made.pdf, out / f"invoice-{lang}.png")


def brief_png(book: Path, lang: str, tmp: Path, out: Path = HERE) -> Path:
    """The brief of BRIEF_CLIENT as `acctbook brief --pdf` makes it, its one page."""
    from acctbook import api
    made = api.brief(book, BRIEF_CLIENT, out=tmp, pdf=True, today=TODAY)
    return page_png(made.files["pdf"], out / BRIEF_NAMES[lang])


def main(out: Path = HERE) -> list[Path]:
    from acctbook import api
    from acctbook.book import schema
    made = []
    with tempfile.TemporaryDirectory(prefix="acctbook-pictures-") as tmp:
        result = api.demo(Path(tmp) / "demo", TODAY, pdf=True)
        for lang in ("en", "he"):
            made.append(page_png(result.reports[lang].files["pdf"], out / f"report-{lang}.png"))
            made.append(brief_png(result.books[lang], lang, Path(tmp) / f"brief-{lang}", out))
            if lang in result.contracts:
                made.append(page_png(result.contracts[lang].pdf, out / f"contract-{lang}.png"))
            made.append(quote_png(result.books[lang], lang, Path(tmp) / f"quote-{lang}", out))
            made.append(invoice_png(result.books[lang], lang, Path(tmp) / f"inv-{lang}", out))
            book = result.books[lang]
            pdf = sheet_pdf(book, Path(tmp) / f"sheets-{lang}")
            page = visible_index(book, schema.TODAY.sheet(lang))
            made.append(trimmed(page_png(pdf, out / f"today-{lang}.png", page, SHEET_DPI)))
    return made


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {p}")
