"""Files that are not a workbook acctbook can use say what they are and what to do, in one
line: other spreadsheet formats (.ods, .xlsb, .xls, a CSV), a book saved as Strict Open XML,
and a book open in LibreOffice (refused like one open in Excel). Commands run through
acctbook.cli.main; the file is never changed."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path, PureWindowsPath

import pytest

from acctbook import cli
from acctbook.book.model import BookUnreadable
from acctbook.xlsx import package
from acctbook.xlsx.read import read_book
from bookfiles import TODAY, write_book

CORPUS = Path("/work/shared/corpus/calamine")
MAIN_T = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_T = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys, *argv) -> tuple[int, list[str], str]:
    """(exit code, stderr lines, stdout) of one command run in this process."""
    code = cli.main([*map(str, argv), "--today", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, err.strip().splitlines(), out


# --- the files ---------------------------------------------------------------------------
def _ods(tmp_path: Path) -> Path:
    p = tmp_path / "book.ods"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")   # stored, first
        z.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    return p


def _ods_named_xlsx(tmp_path: Path) -> Path:
    """Told by its content, not its name."""
    p = _ods(tmp_path)
    return p.rename(tmp_path / "renamed.xlsx")


def _xlsb(tmp_path: Path) -> Path:
    p = tmp_path / "book.xlsb"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00\x80\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return p


def _csv(tmp_path: Path) -> Path:
    p = tmp_path / "clients.csv"
    p.write_text("Client ID,Name,City\nC-001,Acme,תל אביב\n", encoding="utf-8")
    return p


def _ole(stream: str):
    def make(tmp_path: Path) -> Path:
        p = tmp_path / ("old.xls" if stream != "EncryptionInfo" else "locked.xlsx")
        directory = stream.encode("utf-16-le") + b"\0" * (64 - 2 * len(stream))
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + b"\0" * 448)
        return p
    return make


def _numbers(tmp_path: Path) -> Path:
    p = tmp_path / "book.numbers"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Index/Document.iwa", b"\0\1\2")
        z.writestr("Metadata/Properties.plist", b"bplist00")
    return p


def strict_book(tmp_path: Path) -> Path:
    """An acctbook workbook made by openpyxl, its parts rewritten to the Strict
    namespaces, as Excel's "Strict Open XML Spreadsheet" saves them."""
    src = write_book(tmp_path / "transitional.xlsx")
    p = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith((".xml", ".rels")):
                data = (data.replace(MAIN_T.encode(), package.MAIN_S.encode())
                        .replace(REL_T.encode(), package.REL_S.encode()))
            zout.writestr(info, data)
    return p


FORMATS = [
    (_ods, "OpenDocument spreadsheet (.ods)"),
    (_ods_named_xlsx, "OpenDocument spreadsheet (.ods)"),
    (_xlsb, "Excel binary workbook (.xlsb)"),
    (_csv, "a text file (CSV?)"),
    (_ole("Workbook"), "Excel 97-2003 workbook (.xls)"),
    (_ole("Book"), "Excel 97-2003 workbook (.xls)"),
    (_ole("EncryptionInfo"), "encrypted (password-protected) workbook"),
    (_numbers, "Apple Numbers document"),
    (strict_book, "saved as Strict Open XML Spreadsheet"),
]
IDS = ["ods", "ods-named-xlsx", "xlsb", "csv", "xls", "xls-book", "encrypted", "numbers", "strict"]


@pytest.mark.parametrize("command", ["check", "refresh"])
@pytest.mark.parametrize("make, words", FORMATS, ids=IDS)
def test_another_format_says_which_and_exits_2(tmp_path, capsys, make, words, command):
    path = make(tmp_path)
    digest, files = sha(path), sorted(tmp_path.iterdir())
    code, lines, _ = run(capsys, command, path)
    assert code == BookUnreadable.exit_code == 2
    assert len(lines) == 1 and words in lines[0] and str(path) in lines[0], lines
    assert "no acctbook tables" not in lines[0] and "Traceback" not in lines[0]
    assert sha(path) == digest
    assert sorted(tmp_path.iterdir()) == files                           # nothing written beside


@pytest.mark.parametrize("make", [_ods, _xlsb, _csv, _ole("Workbook")], ids=["ods", "xlsb", "csv", "xls"])
def test_the_message_says_how_to_save_it_as_xlsx(tmp_path, make):
    with pytest.raises(BookUnreadable, match=r"save it as \.xlsx \(Excel: File → Save As → Excel Workbook\)"):
        read_book(make(tmp_path))


def test_the_strict_message_says_how_to_save_a_normal_xlsx(tmp_path):
    path = strict_book(tmp_path)
    with pytest.raises(BookUnreadable) as e:
        read_book(path)
    assert str(e.value) == (f"{path}: saved as Strict Open XML Spreadsheet, which acctbook cannot "
                            "write back: in Excel, File → Save As → Excel Workbook (.xlsx)")


def test_the_same_book_in_transitional_form_is_read(tmp_path):
    """The Strict refusal looks at the workbook part's namespace, nothing else."""
    book = read_book(write_book(tmp_path / "transitional.xlsx"))
    assert book.tables


def test_the_corpus_strict_book_is_refused_by_name_not_as_no_tables(tmp_path):
    src = CORPUS / "strict_iso_paths.xlsx"
    if not src.exists():
        pytest.skip("corpus not present")
    with pytest.raises(BookUnreadable, match="Strict Open XML Spreadsheet"):
        read_book(src)


def test_an_encrypted_file_without_stream_names_keeps_its_old_line(tmp_path):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(BookUnreadable, match=r"encrypted \(password-protected\) or old \.xls"):
        read_book(p)


def test_a_binary_file_that_is_not_a_zip_is_not_called_text(tmp_path):
    p = tmp_path / "noise.xlsx"
    p.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(BookUnreadable) as e:
        read_book(p)
    assert "not an Excel workbook (not a zip file)" in str(e.value) and "text" not in str(e.value)


# --- a book open in LibreOffice ----------------------------------------------------------
LOCKS = {"Excel": "~${}", "LibreOffice": ".~lock.{}#"}


@pytest.mark.parametrize("app", ["Excel", "LibreOffice"])
def test_a_book_open_in_libreoffice_is_refused_like_one_open_in_excel(tmp_path, capsys, app):
    path = write_book(tmp_path / "book.xlsx")
    lock = tmp_path / LOCKS[app].format(path.name)
    lock.write_text(",dana,host,26.11.2026 09:00,file:///home/dana/.config/libreoffice/4;")
    digest = sha(path)
    code, lines, _ = run(capsys, "refresh", path)
    assert code == 1
    assert lines == [f"acctbook: {path}: the workbook is open in {app} ({lock.name} exists); "
                     "close it and try again"]
    assert sha(path) == digest and not (tmp_path / "book.bak.xlsx").exists()
    code, lines, _ = run(capsys, "check", path)      # reading an open book is allowed, as for Excel
    assert code == 0 and not any("open in" in line for line in lines)
    assert sha(path) == digest


def test_the_lock_file_is_named_exactly(tmp_path):
    path = tmp_path / "My Books" / "ספר לקוחות.xlsx"
    assert package.libreoffice_lock_file(path) == str(path.with_name(".~lock.ספר לקוחות.xlsx#"))
    assert package.libreoffice_lock_file(str(path)) == str(path.with_name(".~lock.ספר לקוחות.xlsx#"))
    assert (package.libreoffice_lock_file(PureWindowsPath(r"\\server\share\Sales Team\ספר.xlsm"))
            == r"\\server\share\Sales Team\.~lock.ספר.xlsm#")
    assert (package.libreoffice_lock_file(PureWindowsPath("C:/Users/dana/book.xlsx"))
            == r"C:\Users\dana\.~lock.book.xlsx#")


def test_a_lock_file_of_another_book_does_not_refuse(tmp_path, capsys):
    path = write_book(tmp_path / "book.xlsx")
    (tmp_path / ".~lock.other.xlsx#").write_text("x")
    (tmp_path / ".~lock.book.xlsx").write_text("x")          # no trailing '#': not LibreOffice's
    code, lines, _ = run(capsys, "refresh", path)
    assert code in (0, 1) and not any("open in" in line for line in lines), lines


def test_a_symlinked_book_is_refused_by_the_lock_beside_the_real_file(tmp_path, capsys):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = write_book(real_dir / "book.xlsx")
    link = tmp_path / "link.xlsx"
    try:
        link.symlink_to(real)
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    (real_dir / ".~lock.book.xlsx#").write_text("x")
    digest = sha(real)
    code, lines, _ = run(capsys, "refresh", link)
    assert code == 1 and len(lines) == 1 and "open in LibreOffice" in lines[0]
    assert sha(real) == digest


def test_corpus_copy_is_not_refused_as_another_format(tmp_path):
    """A few ordinary corpus books still open (the format checks do not misfire)."""
    if not CORPUS.exists():
        pytest.skip("corpus not present")
    for name in ("date.xlsx", "nonstandard-xml-ns-prefix.xlsx", "table_with_absolute_paths.xlsx",
                 "vba.xlsm", "minimal_package.xlsx"):
        p = Path(shutil.copy(CORPUS / name, tmp_path / name))
        package.Package.open(p)
