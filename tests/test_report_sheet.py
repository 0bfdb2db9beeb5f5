"""The `Report YYYY-MM` sheet with native charts, imported into the user's workbook by the zip
writer: read back with openpyxl, python-calamine and LibreOffice (never with acctbook)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
import python_calamine

from acctbook import api
from bookfiles import history_parts

TODAY = dt.date(2026, 11, 26)
MONTH = "2026-10"
WORKBOOK_LEVEL = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                  "docProps/app.xml", "xl/styles.xml"}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("books")
    return {lang: api.new(folder / f"{lang}.xlsx", lang=lang, demo=True, today=TODAY)
            for lang in ("en", "he")}


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _report(books, lang, tmp_path):
    path = tmp_path / f"{lang}.xlsx"
    shutil.copy(books[lang], path)
    before = _parts(path)
    r = api.report(path, MONTH, out=tmp_path / "out")
    return path, before, r


@pytest.mark.parametrize("lang", ["en", "he"])
def test_report_sheet_with_charts_and_formats(books, tmp_path, lang):
    path, before, r = _report(books, lang, tmp_path)
    assert r.sheet == ("Report 2026-10" if lang == "en" else "דוח 2026-10")
    after = _parts(path)
    for name in set(before) - history_parts(path):          # the History row aside
        if name not in WORKBOOK_LEVEL:
            assert after[name] == before[name], name
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == r.sheet and len(wb.sheetnames) == len(openpyxl.load_workbook(
        books[lang]).sheetnames) + 1
    ws = wb[r.sheet]
    assert "2026" in ws["A1"].value and ws["A1"].font.b
    assert ws["B6"].value == pytest.approx(r.report.revenue) and ws["B6"].number_format == "#,##0"
    assert len(ws._charts) == 3
    assert bool(ws.sheet_view.rightToLeft) == (lang == "he")
    assert not ws.sheet_view.tabSelected                      # not grouped with the active tab
    cal = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = cal.get_sheet_by_name(r.sheet).to_python()
    assert rows[0][0] == ws["A1"].value and rows[5][1] == pytest.approx(r.report.revenue)
    charts = [n for n in after if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    assert all(f"'{r.sheet}'!$".encode() in after[n] for n in charts)


def test_same_report_twice_leaves_one_sheet_with_the_same_content(books, tmp_path):
    path, _, r = _report(books, "en", tmp_path)
    log = history_parts(path)                               # each write logs a row there
    first = {k: v for k, v in _parts(path).items() if k not in log}
    api.report(path, MONTH, out=tmp_path / "out")
    assert {k: v for k, v in _parts(path).items() if k not in log} == first
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames.count(r.sheet) == 1
    api.report(path, "2026-09", out=tmp_path / "out")      # another month: another sheet
    wb = openpyxl.load_workbook(path)
    assert [n for n in wb.sheetnames if n.startswith("Report")] == ["Report 2026-10", "Report 2026-09"]
    assert sum(len(wb[n]._charts) for n in wb.sheetnames) == 6


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="needs LibreOffice (soffice) and pdftotext")
def test_libreoffice_prints_the_report_sheet(books, tmp_path):
    path, _, r = _report(books, "en", tmp_path)
    # The whole book is printed (re-saving a copy with fewer sheets through openpyxl
    # would lose the charts); the report sheet's title must be in it.
    out = tmp_path / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", str(out / f"{path.stem}.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Monthly report — October 2026" in text


def test_a_month_not_yet_started_is_refused_and_nothing_is_written(books, tmp_path, capsys):
    from acctbook import cli
    path = tmp_path / "en.xlsx"
    shutil.copy(books["en"], path)
    before = path.read_bytes()
    rc = cli.main(["report", str(path), "--month", "2027-05", "--out", str(tmp_path / "out"),
                   "--today", TODAY.isoformat()])
    err = capsys.readouterr().err
    assert rc == 1 and "2027-05 has not started yet (today is 2026-11-26)" in err
    assert path.read_bytes() == before and not (tmp_path / "out").exists()


def test_the_current_month_says_to_date_in_the_sheet_and_the_html(books, tmp_path):
    path = tmp_path / "en.xlsx"
    shutil.copy(books["en"], path)
    r = api.report(path, " 2026-11 ", out=tmp_path / "out", today=TODAY)   # trimmed, too
    assert r.month == "2026-11" and r.sheet == "Report 2026-11"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["en report-2026-11.html"]
    ws = openpyxl.load_workbook(path)["Report 2026-11"]
    assert ws["A1"].value == "Monthly report — November 2026, to date (Nov 26, 2026)"
    assert ws["A2"].value.startswith("Period: 2026-11-01 – 2026-11-26")
    html = (tmp_path / "out" / "en report-2026-11.html").read_text(encoding="utf-8")
    assert "<h1>Monthly report — November 2026, to date (Nov 26, 2026)</h1>" in html
