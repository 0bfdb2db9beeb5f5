"""`acctbook demo` does the whole day: books, refresh, a contract per language, the monthly
report. Run as a user would (a subprocess), results read with zipfile and openpyxl."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent


def _run(folder: Path) -> list[Path]:
    run = subprocess.run([sys.executable, "-m", "acctbook", "demo", str(folder), "--today", "2026-11-26"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    paths = [Path(m) for m in re.findall(r"^  (\S.*?\.(?:xlsx|docx|html|pdf))  \(", run.stdout, re.M)]
    return paths


def _document_text(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def _client_name(book: Path, contract_row: int, ws_contracts, lang: str) -> str:
    wb = openpyxl.load_workbook(book, read_only=True)
    clients = wb["Clients" if lang == "en" else "לקוחות"]
    client_id = ws_contracts.cell(contract_row, 2).value
    for row in clients.iter_rows(min_row=2, values_only=True):
        if row[0] == client_id:
            return row[1]
    raise AssertionError(client_id)


def test_demo_runs_the_whole_day_twice(tmp_path):
    folder = tmp_path / "demo"
    for _ in range(2):                                          # a second run replaces the first
        paths = _run(folder)
        assert len(paths) == 6 and all(p.is_file() for p in paths)
        books = [p for p in paths if p.suffix == ".xlsx"]
        contracts = [p for p in paths if p.suffix == ".docx"]
        reports = [p for p in paths if p.suffix == ".html"]
        assert [b.name for b in books] == ["acctbook-demo.xlsx", "acctbook-demo.he.xlsx"]
        assert len(contracts) == 2 and all(c.parent == folder / "contracts" for c in contracts)
        for book, docx, html, lang in zip(books, contracts, reports, ("en", "he")):
            wb = openpyxl.load_workbook(book)
            ws = wb["Contracts" if lang == "en" else "חוזים"]
            last = int(ws.tables["Contracts"].ref.split(":")[1][1:])
            contract_id = ws.cell(last, 1).value
            assert docx.name.startswith(contract_id + " ")
            assert ws.cell(last, 5).value == ("Draft" if lang == "en" else "טיוטה")
            assert ws.cell(last, 14).value == f"contracts/{docx.name}"
            assert _client_name(book, last, ws, lang) in _document_text(docx)
            sheet = ("Report" if lang == "en" else "דוח") + " 2026-10"
            assert wb.sheetnames.count(sheet) == 1 and len(wb[sheet]._charts) == 3
            month = "October 2026" if lang == "en" else "אוקטובר 2026"
            assert "2026-10" in html.name and month in html.read_text(encoding="utf-8")
            assert html.name == f"{book.stem} report-2026-10.html"     # the book's own name
            assert html.parent == folder / "reports" / lang
        assert sorted(p.name for p in (folder / "contracts").iterdir()) == sorted(c.name for c in contracts)
    # The first run's books (a user may have edited them) are kept beside the new ones.
    kept = folder / "acctbook-demo.previous.xlsx"
    assert kept.is_file() and (folder / "acctbook-demo.he.previous.xlsx").is_file()
    assert openpyxl.load_workbook(kept).sheetnames == openpyxl.load_workbook(
        folder / "acctbook-demo.xlsx").sheetnames
