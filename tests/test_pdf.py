"""acctbook.documents.pdf, the one PDF runner: which converter is used where, finding the programs in
their usual install places (fake trees under tmp_path, never the real /), the one-line
refusal when nothing is there, and one real Chromium render of the monthly report.

The LibreOffice contract PDF itself is tested in test_contract.py (test_pdf_holds_the_clients_name).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from acctbook import cli
from acctbook.documents import pdf
from acctbook.documents import figures, report_html
from bookfiles import valid_data, write_book

posix_only = pytest.mark.skipif(os.name == "nt", reason="the fake programs are shell scripts")

# A stand-in soffice: writes <outdir>/<stem>.pdf for its last argument, as LibreOffice does.
FAKE_SOFFICE = """#!/bin/sh
out=""; prev=""
for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; last="$a"; done
b=$(basename "$last")
printf '%%PDF-1.4 fake soffice\\n' > "$out/${b%.*}.pdf"
"""


def _program(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def docx(tmp_path) -> Path:
    p = tmp_path / "CTR-2026-0001 Acme Ltd.docx"
    p.write_bytes(b"PK not really a docx")
    return p


def _fake_word(monkeypatch, platform: str, fail: BaseException | None = None) -> list:
    """docx2pdf on `platform`: records its calls, writes a PDF, or fails as it does without
    Word (an exception, or a printed error and sys.exit(1))."""
    calls = []

    def convert(src, dst):
        calls.append((src, dst))
        if fail is not None:
            print("{'result': 'error', 'message': 'Word is not installed'}")
            raise fail
        Path(dst).write_bytes(b"%PDF-1.7 from Word")
    monkeypatch.setitem(sys.modules, "docx2pdf", types.SimpleNamespace(convert=convert))
    monkeypatch.setattr(pdf, "sys", types.SimpleNamespace(platform=platform))
    return calls


# --- .docx: Word first on Windows and macOS, LibreOffice otherwise ------------------------------
@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_word_makes_the_pdf_when_docx2pdf_is_there(docx, tmp_path, monkeypatch, platform):
    calls = _fake_word(monkeypatch, platform)
    monkeypatch.setattr(pdf, "find_soffice", lambda *a, **k: pytest.fail("LibreOffice tried"))
    out = tmp_path / "out"
    out.mkdir()
    made = pdf.docx_to_pdf(docx, out)
    assert made == (out / "CTR-2026-0001 Acme Ltd.pdf").resolve()
    assert calls == [(str(docx.resolve()), str(made))]
    assert made.read_bytes() == b"%PDF-1.7 from Word"


@posix_only
@pytest.mark.parametrize("fail", [RuntimeError("(-2147221005, 'Invalid class string')"),
                                  SystemExit(1)])
def test_without_word_docx2pdf_falls_back_to_libreoffice(docx, tmp_path, monkeypatch, capsys,
                                                          fail):
    calls = _fake_word(monkeypatch, "win32", fail)
    soffice = _program(tmp_path / "lo" / "soffice", FAKE_SOFFICE)
    monkeypatch.setattr(pdf, "find_soffice", lambda *a, **k: str(soffice))
    made = pdf.docx_to_pdf(docx, tmp_path)
    assert len(calls) == 1 and made.read_bytes() == b"%PDF-1.4 fake soffice\n"
    assert capsys.readouterr() == ("", "")       # docx2pdf's own printing stays out of sight


def test_word_is_not_tried_on_linux(monkeypatch):
    _fake_word(monkeypatch, "linux")
    assert pdf.word_converter() is None
    assert pdf.word_converter("win32") is not None


# --- finding LibreOffice and Chromium in their usual places ----------------------------------
def test_soffice_in_program_files_on_windows(tmp_path):
    exe = _program(tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice.exe")
    env = {"ProgramFiles": str(tmp_path / "Program Files"), "PATH": ""}
    assert pdf.find_soffice(env, "win32") == str(exe)
    x86 = {"ProgramFiles": str(tmp_path / "nothing"), "ProgramFiles(x86)": str(tmp_path / "Program Files"),
           "PATH": ""}
    assert pdf.find_soffice(x86, "win32") == str(exe)
    assert pdf.find_soffice({"ProgramFiles": str(tmp_path / "nothing"), "PATH": ""}, "win32") is None


def test_soffice_in_applications_on_macos_and_opt_on_linux(tmp_path):
    mac = _program(tmp_path / "mac" / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice")
    assert pdf.find_soffice({"PATH": ""}, "darwin", roots=[tmp_path / "mac"]) == str(mac)
    assert pdf.find_soffice({"PATH": ""}, "darwin", roots=[tmp_path / "linux"]) is None
    opt = _program(tmp_path / "linux" / "opt" / "libreoffice7.6" / "program" / "soffice")
    assert pdf.find_soffice({"PATH": ""}, "linux", roots=[tmp_path / "linux"]) == str(opt)
    usr = _program(tmp_path / "linux" / "usr" / "bin" / "soffice")
    assert pdf.find_soffice({"PATH": ""}, "linux", roots=[tmp_path / "linux"]) == str(usr)


@posix_only
def test_path_comes_before_the_usual_places_and_needs_a_runnable_file(tmp_path):
    on_path = _program(tmp_path / "bin" / "libreoffice")
    _program(tmp_path / "root" / "usr" / "bin" / "soffice")
    env = {"PATH": str(tmp_path / "bin")}
    assert pdf.find_soffice(env, "linux", roots=[tmp_path / "root"]) == str(on_path)
    (tmp_path / "root" / "usr" / "bin" / "soffice").chmod(0o644)       # not runnable: skipped
    assert pdf.find_soffice({"PATH": ""}, "linux", roots=[tmp_path / "root"]) is None


def test_browsers_in_their_usual_places(tmp_path):
    edge = _program(tmp_path / "PF86" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    env = {"ProgramFiles": str(tmp_path / "PF"), "ProgramFiles(x86)": str(tmp_path / "PF86"),
           "LocalAppData": str(tmp_path / "Local"), "PATH": ""}
    assert pdf.find_browser(env, "win32") == str(edge)
    chrome = _program(tmp_path / "Local" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert pdf.find_browser(env, "win32") == str(chrome)               # Chrome before Edge
    mac = _program(tmp_path / "mac" / "Applications" / "Microsoft Edge.app" / "Contents" / "MacOS"
                   / "Microsoft Edge")
    assert pdf.find_browser({"PATH": ""}, "darwin", roots=[tmp_path / "mac"]) == str(mac)
    assert pdf.find_browser({"PATH": ""}, "linux", roots=[tmp_path / "mac"]) is None
    linux = _program(tmp_path / "linux" / "opt" / "google" / "chrome" / "chrome")
    assert pdf.find_browser({"PATH": ""}, "linux", roots=[tmp_path / "linux"]) == str(linux)


# --- nothing to convert with: one line, nothing written -----------------------------------------
@pytest.fixture
def nothing_installed(monkeypatch):
    for name in ("find_soffice", "find_browser", "word_converter"):
        monkeypatch.setattr(pdf, name, lambda *a, **k: None)
    monkeypatch.setitem(sys.modules, "weasyprint", None)       # import fails


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_no_converter_is_one_line_naming_word_and_libreoffice(platform):
    msg = pdf.docx_unavailable_message(platform)
    assert "\n" not in msg and "Microsoft Word" in msg and "LibreOffice" in msg and "--pdf" in msg


def test_contract_pdf_without_any_converter_exits_1_with_one_line(tmp_path, capsys,
                                                                  nothing_installed):
    book = write_book(tmp_path / "book.xlsx", valid_data())
    before = book.read_bytes()
    rc = cli.main(["contract", str(book), "D-001", "--pdf", "--today", "2026-06-01"])
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and "Microsoft Word" in err and "LibreOffice" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    assert book.read_bytes() == before


def test_report_pdf_without_any_converter_says_how_to_get_one(tmp_path, nothing_installed):
    with pytest.raises(pdf.PdfUnavailable) as e:
        pdf.html_to_pdf("<p>x</p>", tmp_path / "r.pdf", plain_html=lambda: "<p>x</p>")
    assert "\n" not in str(e.value) and "Edge" in str(e.value) and "print it to PDF" in str(e.value)
    assert not (tmp_path / "r.pdf").exists()


# --- process ends ------------------------------------------------------------------------------
@posix_only
def test_a_hung_converter_is_ended_with_everything_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    hung = _program(tmp_path / "hung", f"#!/bin/sh\nsleep 60 &\necho $! > '{pid_file}'\nwait\n")
    with pytest.raises(pdf.PdfFailed, match="did not finish within 1 s"):
        pdf.run([str(hung)], "hung", timeout=1)
    child = int(pid_file.read_text())
    stat = Path(f"/proc/{child}/stat")
    assert not stat.exists() or stat.read_text().split(")")[1].split()[0] in ("Z", "X")


# --- the monthly report through headless Chromium (one real render) ----------------------------
@pytest.fixture(scope="module")
def chromium_report(tmp_path_factory):
    if not (pdf.find_browser() and shutil.which("pdftotext")):
        pytest.skip("needs Chromium/Chrome/Edge and pdftotext")
    from acctbook import api
    from acctbook.xlsx.read import read_book
    folder = tmp_path_factory.mktemp("chromium")
    today = dt.date(2026, 6, 15)
    book = api.new(folder / "demo.xlsx", demo=True, today=today)
    report = figures.month_figures(read_book(book), "2026-05", today)
    target = report_html.html_to_pdf(report, "en", folder / "report-2026-05.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    return report, target, text


def test_the_report_pdf_keeps_a_7_digit_amount_on_one_line(chromium_report):
    report, target, text = chromium_report
    assert report.revenue >= 1_000_000                    # the demo month: seven digits
    amount = report_html.Formats("en", report.currency).money(report.revenue)
    line = next(line for line in text.splitlines() if "Revenue in the month" in line)
    assert amount in line, line
    data = target.read_bytes()
    assert b"Skia/PDF" in data                            # Chromium made it
    assert re.search(rb"/CreationDate\s*\(D:20260531000000", data)   # pinned
