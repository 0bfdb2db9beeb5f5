"""The one PDF runner: .docx through Microsoft Word (docx2pdf) or LibreOffice, HTML through
headless Chromium/Chrome/Edge or WeasyPrint; and pin_pdf, which takes the clock out of a PDF.

Every external program runs with a fresh profile of its own (two LibreOffice or Chromium runs
sharing one silently lose output) and a time limit; on a timeout its whole process tree is
ended, on POSIX and on Windows alike (Windows has no os.killpg and no SIGKILL). bench/README.md
("PDF engines") has the measurements behind the HTML order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

from acctbook.book.i18n import said, tr
from acctbook.book.model import AcctbookError, Refused

PDF_TIMEOUT = 120      # seconds; a first start with a fresh profile takes 1-2 s


class PdfUnavailable(Refused):
    """A PDF was asked for and nothing on this computer can make one. Exit 1 (refused) by
    default; a caller may keep another code of its own (the report's is 2)."""

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class PdfFailed(AcctbookError):
    """A converter was found but did not make the PDF (error, timeout, empty output).

    Like PdfUnavailable, raised without a book: each carries its English message id and
    arguments (acctbook.book.i18n.said), said in the reader's language by whoever catches it."""


# --- finding the programs --------------------------------------------------------------------
def _platform(platform: str | None) -> str:
    p = platform or sys.platform
    return "win32" if p.startswith("win") else "darwin" if p == "darwin" else "linux"


def _under(root: str | os.PathLike, absolute: str) -> str:
    """`absolute` (a POSIX path) inside `root`: tests point root at a fake file system."""
    return os.path.join(os.fspath(root), absolute.lstrip("/"))


def _runnable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _search(names: Sequence[str], places: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The first of `names` on PATH, else the first runnable of `places`."""
    path = environ.get("PATH", environ.get("Path", ""))
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return next((p for p in places if _runnable(p)), None)


def _program_files(environ: Mapping[str, str], *tail: str, local: bool = False) -> list[str]:
    bases = ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"] + (["LocalAppData"] * local)
    seen, out = set(), []
    for var in bases:
        base = environ.get(var)
        if base and base not in seen:
            seen.add(base)
            out.append(os.path.join(base, *tail))
    return out


def soffice_places(environ: Mapping[str, str], platform: str | None = None,
                   roots: Sequence[str | os.PathLike] = ("/",)) -> list[str]:
    """Where LibreOffice is usually installed, in the order tried (after PATH)."""
    plat = _platform(platform)
    if plat == "win32":
        return _program_files(environ, "LibreOffice", "program", "soffice.exe")
    out = []
    for root in roots:
        if plat == "darwin":
            out.append(_under(root, "/Applications/LibreOffice.app/Contents/MacOS/soffice"))
            continue
        out += [_under(root, "/usr/bin/soffice"), _under(root, "/usr/lib/libreoffice/program/soffice"),
                _under(root, "/usr/local/bin/soffice")]
        out += sorted(glob.glob(_under(glob.escape(os.fspath(root)),
                                       "/opt/libreoffice*/program/soffice")), reverse=True)
    return out


def find_soffice(environ: Mapping[str, str] | None = None, platform: str | None = None,
                 roots: Sequence[str | os.PathLike] = ("/",)) -> str | None:
    """LibreOffice's soffice: on PATH, else in its usual install places; None when absent."""
    env = os.environ if environ is None else environ
    return _search(("soffice", "libreoffice"), soffice_places(env, platform, roots), env)


BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "microsoft-edge", "microsoft-edge-stable", "chrome", "msedge")


def browser_places(environ: Mapping[str, str], platform: str | None = None,
                   roots: Sequence[str | os.PathLike] = ("/",)) -> list[str]:
    """Where Chromium, Google Chrome and Microsoft Edge are usually installed (after PATH)."""
    plat = _platform(platform)
    if plat == "win32":
        return (_program_files(environ, "Google", "Chrome", "Application", "chrome.exe", local=True)
                + _program_files(environ, "Microsoft", "Edge", "Application", "msedge.exe")
                + _program_files(environ, "Chromium", "Application", "chrome.exe", local=True))
    out = []
    for root in roots:
        if plat == "darwin":
            out += [_under(root, p) for p in (
                "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
                "/Applications/Chromium.app/Contents/MacOS/Chromium")]
            continue
        out += [_under(root, p) for p in (
            "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
            "/usr/bin/google-chrome-stable", "/usr/bin/microsoft-edge",
            "/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge")]
    return out


def find_browser(environ: Mapping[str, str] | None = None, platform: str | None = None,
                 roots: Sequence[str | os.PathLike] = ("/",)) -> str | None:
    """A Chromium-based browser that prints to PDF headless; None when absent."""
    env = os.environ if environ is None else environ
    return _search(BROWSER_NAMES, browser_places(env, platform, roots), env)


def word_converter(platform: str | None = None):
    """docx2pdf's convert() where it can drive Microsoft Word (Windows, macOS), else None.
    Importable is not proof Word is there: a failure later means fall back."""
    if _platform(platform) not in ("win32", "darwin"):
        return None
    try:
        import docx2pdf  # optional: pip install 'acctbook[pdf]'
    except Exception:     # noqa: BLE001 - a broken install is as good as none
        return None
    return getattr(docx2pdf, "convert", None)


# --- running a converter ---------------------------------------------------------------------
def _popen_options() -> dict:
    kw: dict = {}
    if hasattr(os, "killpg"):
        # POSIX: its own session, so a timeout can end soffice.bin or Chromium's helpers too.
        kw["start_new_session"] = True
    if os.name == "nt":
        kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP   # proc.kill() + taskkill /T
    return kw


def _end_tree(proc: subprocess.Popen) -> None:
    """End the process and everything it started."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, 9)     # SIGKILL; signal.SIGKILL does not exist on Windows
        except OSError:
            pass
    if os.name == "nt":
        try:
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(proc.pid)],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        proc.kill()
    except OSError:
        pass
    proc.communicate()


def run(cmd: list[str], what: str, timeout: float = PDF_TIMEOUT,
        env: Mapping[str, str] | None = None) -> str:
    """Run a converter; its stderr's last line, or PdfFailed on timeout or a failed start."""
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, **_popen_options())
    except OSError as e:
        raise said(PdfFailed, tr("en", "{program} could not start ({error})"), program=what,
                   error=e) from e
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_tree(proc)
        raise said(PdfFailed, tr("en", "{program} did not finish within {seconds} s"),
                   program=what, seconds=f"{timeout:.0f}") from None
    lines = (err or out or b"").decode("utf-8", "replace").strip().splitlines()
    if proc.returncode != 0 and lines:
        raise said(PdfFailed, tr("en", "{program} failed: {error}"), program=what,
                   error=lines[-1])
    if proc.returncode != 0:
        raise said(PdfFailed, tr("en", "{program} failed (exit {code})"), program=what,
                   code=proc.returncode)
    return lines[-1] if lines else ""


def _made(pdf: Path, what: str, note: str = "") -> Path:
    if not pdf.is_file() or pdf.stat().st_size == 0:
        if note:
            raise said(PdfFailed, tr("en", "{program} made no PDF: {note}"), program=what,
                       note=note)
        raise said(PdfFailed, tr("en", "{program} made no PDF"), program=what)
    return pdf


def _soffice_convert(exe: str, src: Path, out_dir: Path, timeout: float,
                     infilter: str | None = None) -> Path:
    with tempfile.TemporaryDirectory(prefix="acctbook-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--nolockcheck"]
        cmd += [f"--infilter={infilter}"] * bool(infilter)
        cmd += ["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), str(src)]
        # HOME too: some builds write there even with a profile of their own.
        note = run(cmd, f"LibreOffice ({src.name})", timeout, {**os.environ, "HOME": profile})
    return _made(out_dir / (src.stem + ".pdf"), f"LibreOffice ({src.name})", note)


# --- .docx -> PDF ------------------------------------------------------------------------------
def docx_unavailable_message(platform: str | None = None) -> str:
    """The English line (a message id: PdfUnavailable is said with i18n.said)."""
    if _platform(platform) == "linux":
        return tr("en", "PDF needs LibreOffice (apt install libreoffice-writer, or "
                        "libreoffice.org) or Microsoft Word (Windows, macOS); neither was found: "
                        "install one, or leave out --pdf")
    return tr("en", "PDF needs Microsoft Word (with: pip install docx2pdf) or LibreOffice "
                    "(libreoffice.org); neither was found: install one, or leave out --pdf")


def check_docx_pdf() -> None:
    """PdfUnavailable now, before anything is written, when no converter can be tried."""
    if word_converter() is None and find_soffice() is None:
        raise said(PdfUnavailable, docx_unavailable_message())


def _word_pdf(convert, docx: Path, pdf: Path) -> bool:
    """True when Word made the PDF. docx2pdf prints, draws a progress bar and may
    sys.exit(1) when Word is missing: all of that is caught and means 'no Word'."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            convert(str(docx), str(pdf))
    except (Exception, SystemExit):       # noqa: BLE001 - any failure: LibreOffice instead
        pdf.unlink(missing_ok=True)
        return False
    return pdf.is_file() and pdf.stat().st_size > 0


def docx_to_pdf(docx, out_dir, timeout: float = PDF_TIMEOUT) -> Path:
    """out_dir/<stem>.pdf from a .docx: Microsoft Word when docx2pdf can reach it (Windows,
    macOS; it lays out Word's own documents best), else LibreOffice headless."""
    docx, out_dir = Path(docx).resolve(), Path(out_dir).resolve()
    pdf = out_dir / (docx.stem + ".pdf")
    convert = word_converter()
    if convert is not None and _word_pdf(convert, docx, pdf):
        return pdf
    exe = find_soffice()
    if exe is None:
        raise said(PdfUnavailable, docx_unavailable_message())
    return _soffice_convert(exe, docx, out_dir, timeout)


# --- HTML -> PDF -------------------------------------------------------------------------------
HTML_UNAVAILABLE = tr("en", "PDF needs Google Chrome, Microsoft Edge or Chromium (or: pip "
                           "install weasyprint); none was found: install one, or open the HTML "
                           "report in a browser and print it to PDF")


def chromium_pdf(exe: str, html: str, target, timeout: float = PDF_TIMEOUT) -> Path:
    """Print HTML to PDF with headless Chromium/Chrome/Edge (print CSS honoured)."""
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="acctbook-chromium-") as tmp:
        src, out = Path(tmp, "report.html"), Path(tmp, "report.pdf")
        src.write_text(html, encoding="utf-8")
        cmd = [exe, "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--no-default-browser-check", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-extensions",
               f"--user-data-dir={Path(tmp, 'profile')}",
               "--no-pdf-header-footer", "--print-to-pdf-no-header",   # new and old spelling
               f"--print-to-pdf={out}", src.as_uri()]
        if sys.platform.startswith("linux"):
            cmd.insert(1, "--no-sandbox")       # root and containers have no namespace sandbox
        note = run(cmd, "Chromium", timeout)
        _made(out, "Chromium", note)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(out), str(target))
    return target


def weasyprint_pdf(html: str, target) -> Path | None:
    """WeasyPrint when importable (it needs Pango from the system), else None."""
    try:
        import weasyprint  # optional; not a dependency
    except Exception:     # noqa: BLE001 - OSError when Pango is missing
        return None
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        weasyprint.HTML(string=html).write_pdf(str(target))
    except Exception as e:  # noqa: BLE001
        raise said(PdfFailed, tr("en", "WeasyPrint could not write the PDF ({error})"),
                   error=e) from e
    return _made(target, "WeasyPrint")


def soffice_html_pdf(html: str, target, timeout: float = PDF_TIMEOUT, exe: str | None = None) -> Path:
    """LibreOffice's HTML import: the last resort (it ignores nowrap and splits tables)."""
    exe = exe or find_soffice()
    if exe is None:
        raise said(PdfUnavailable, HTML_UNAVAILABLE)
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="acctbook-pdf-") as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(html, encoding="utf-8")
        made = _soffice_convert(exe, src, Path(tmp, "out"), timeout, "HTML (StarWriter)")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), str(target))
    return target


def html_to_pdf(html: str, target, plain_html=None, rtl: bool = False,
                timeout: float = PDF_TIMEOUT) -> str:
    """Write target from HTML; returns the HTML actually used (the seed for pin_pdf).
    plain_html: a callable giving the variant without inline SVG, for the engines that draw
    SVG text without bidi (WeasyPrint for rtl) or not at all (LibreOffice, only with it).
    Order (bench/README.md, "PDF engines"): Chromium/Chrome/Edge, which draws Hebrew charts
    right and is on every Windows machine as Edge; WeasyPrint; LibreOffice last."""
    exe = find_browser()
    if exe is not None:
        chromium_pdf(exe, html, target, timeout)
        return html
    variant = plain_html() if plain_html is not None and rtl else html
    if weasyprint_pdf(variant, target) is not None:
        return variant
    soffice = find_soffice() if plain_html is not None else None
    if soffice is None:
        raise said(PdfUnavailable, HTML_UNAVAILABLE)
    variant = plain_html()
    soffice_html_pdf(variant, target, timeout, soffice)
    return variant


# --- pinning -----------------------------------------------------------------------------------
# Converters stamp each PDF with the time of conversion (/CreationDate, /ModDate: LibreOffice
# `(D:20260101120000...`, Chromium's Skia `(D:20260101120000+00'00')` after a space) and a
# random file identifier (/ID, /DocChecksum; Skia writes none). Each is rewritten in place
# with a value of the same length, so every xref offset stays valid.
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")
_PDF_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>)")
_PDF_SUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)")


def pin_pdf(path, day: dt.date, seed: bytes) -> Path:
    """Make a PDF's time stamps `day` 00:00:00 and its identifiers a hash of `seed` (the
    document it was made from): no wall clock or random number in the file. The bytes are
    then usually identical for identical inputs, not always: under load LibreOffice now and
    then writes the embedded fonts in another object order."""
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(seed).hexdigest().upper().encode()

    def hexlike(old: bytes) -> bytes:
        return (digest * (len(old) // len(digest) + 1))[:len(old)]

    data = _PDF_DATE.sub(lambda m: m[1] + day.strftime("%Y%m%d000000").encode(), data)
    data = _PDF_ID.sub(lambda m: m[1] + hexlike(m[2]) + m[3] + hexlike(m[4]) + m[5], data)
    data = _PDF_SUM.sub(lambda m: m[1] + hexlike(m[2]), data)
    path.write_bytes(data)
    return path
