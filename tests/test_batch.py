"""`acctbook batch` on a folder and on a quoted pattern (what a Windows shell passes on):
acctbook expands them itself, and each book's line says what became of it, distinctly:
refreshed, refreshed with N errors, refused (why), unreadable (why)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from acctbook import api, cli
from acctbook.book.results import BATCH_STATES
from acctbook.create.demo import demo_data
from acctbook.create.workbook import create_workbook
from acctbook.jobs import expand_books

TODAY = dt.date(2026, 11, 26)
SUMMARY = "2 refreshed (1 with errors), 2 failed (1 refused, 1 unreadable)"


def sha(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """A clean demo book and one with an error (a Status that is not a choice)."""
    folder = tmp_path_factory.mktemp("made")
    clean = api.new(folder / "clean.xlsx", demo=True, today=TODAY)
    data, settings = demo_data(TODAY)
    data["Clients"][2]["status"] = "Sleeping"
    errors = create_workbook(folder / "errors.xlsx", "en", data, settings, lite=True)
    return {"clean": clean, "errors": errors}


@pytest.fixture()
def folder(made, tmp_path) -> Path:
    """clean.xlsx, errors.xlsx, book.xlsx open in Excel (~$book.xlsx beside it), notes.xlsx
    (text), and what a folder of books also holds: backups, a kept demo book, a subfolder."""
    books = tmp_path / "books"
    books.mkdir()
    shutil.copy(made["clean"], books / "clean.xlsx")
    shutil.copy(made["errors"], books / "errors.xlsx")
    shutil.copy(made["clean"], books / "book.xlsx")
    (books / "~$book.xlsx").write_bytes(b"\x0bmanager" + b"\x00" * 40)   # Excel's owner file
    (books / "notes.xlsx").write_text("meeting notes, not a workbook\n", encoding="utf-8")
    shutil.copy(made["clean"], books / "clean.bak.xlsx")           # refresh's backup
    shutil.copy(made["clean"], books / "old.previous.xlsx")        # the demo's kept book
    (books / "sub").mkdir()
    shutil.copy(made["clean"], books / "sub" / "inner.xlsx")       # not recursive
    (books / "readme.txt").write_text("not a book\n", encoding="utf-8")
    return books


def _lines(out: str) -> dict[str, str]:
    """Each book's line by its file name, the line without its path."""
    lines = {}
    for line in out.splitlines():
        if line.startswith(("ok    ", "FAIL  ")):
            path, _, rest = line[6:].partition(": ")
            lines[Path(path).name] = f"{line[:6]}{rest}"
    return lines


def _check_four(books: Path, out: str) -> None:
    lines = _lines(out)
    assert sorted(lines) == ["book.xlsx", "clean.xlsx", "errors.xlsx", "notes.xlsx"], out
    assert lines["clean.xlsx"].startswith("ok    refreshed; ")
    assert lines["errors.xlsx"].startswith("ok    refreshed with 1 error; ")
    assert lines["book.xlsx"] == ("FAIL  refused (the workbook is open in Excel (~$book.xlsx "
                                  "exists); close it and try again)")
    assert lines["notes.xlsx"].startswith("FAIL  unreadable (") and lines["notes.xlsx"].endswith(")")
    assert "internal error" not in out and SUMMARY in out
    # the books: the two refreshed, the open one and everything skipped untouched
    for name in ("clean.xlsx", "errors.xlsx"):
        assert openpyxl.load_workbook(books / name)["Today"]["B2"].value is not None
        assert (books / name.replace(".xlsx", ".bak.xlsx")).is_file()
    assert not (books / "clean.bak.bak.xlsx").exists()
    assert not (books / "book.bak.xlsx").exists() and not (books / "sub" / "inner.bak.xlsx").exists()


def test_batch_of_a_folder_says_what_became_of_each_book(folder, capsys):
    before = {p.name: sha(p) for p in (folder / "book.xlsx", folder / "old.previous.xlsx")}
    rc = cli.main(["batch", str(folder), "--today", TODAY.isoformat()])
    captured = capsys.readouterr()
    assert rc == 2, captured                  # the worst book's own code: notes.xlsx, unreadable
    _check_four(folder, captured.out)
    assert {p.name: sha(p) for p in (folder / "book.xlsx", folder / "old.previous.xlsx")} == before


def test_batch_of_a_quoted_pattern_is_the_same(folder, capsys):
    rc = cli.main(["batch", str(folder / "*.xlsx"), "--today", TODAY.isoformat()])
    captured = capsys.readouterr()
    assert rc == 2, captured
    _check_four(folder, captured.out)


def test_the_exit_code_is_the_worst_books_own(folder, capsys):
    (folder / "notes.xlsx").unlink()                                   # now: refused is worst
    assert cli.main(["batch", str(folder), "--today", TODAY.isoformat()]) == 1
    assert "2 refreshed (1 with errors), 1 failed (1 refused, 0 unreadable)" in capsys.readouterr().out
    (folder / "~$book.xlsx").unlink()
    (folder / "errors.xlsx").unlink()
    assert cli.main(["batch", str(folder / "*.xlsx"), "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "2 refreshed (0 with errors), 0 failed (0 refused, 0 unreadable)" in out


def test_batch_items_carry_their_state(folder):
    items = api.batch([folder], today=TODAY)
    states = {Path(i.path).name: i.state for i in items}
    assert states == {"book.xlsx": "refused", "clean.xlsx": "refreshed",
                      "errors.xlsx": "refreshed with errors", "notes.xlsx": "unreadable"}
    assert set(states.values()) == set(BATCH_STATES)
    by_name = {Path(i.path).name: i for i in items}
    assert by_name["errors.xlsx"].label == "refreshed with 1 error"
    assert by_name["book.xlsx"].label.startswith("refused (the workbook is open in Excel")
    assert [i.exit_code for i in items] == [1, 0, 1, 2]          # in file-name order


def test_an_argument_that_matches_nothing_is_its_own_unreadable_item(made, tmp_path, capsys):
    good = Path(shutil.copy(made["clean"], tmp_path / "good.xlsx"))
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [str(tmp_path / "nothing-*.xlsx"), str(empty), str(tmp_path / "missing.xlsx"), str(good)]
    rc = cli.main(["batch", *args, "--today", TODAY.isoformat()])
    out = capsys.readouterr().out
    assert rc == 2
    assert f"FAIL  {args[0]}: unreadable (no workbook matches this pattern)" in out
    assert f"FAIL  {args[1]}: unreadable (a folder with no workbook (.xlsx, .xlsm) in it)" in out
    assert f"FAIL  {args[2]}: unreadable (no such file)" in out
    assert f"ok    {good}: refreshed; " in out
    assert "1 refreshed (0 with errors), 3 failed (0 refused, 3 unreadable)" in out


def test_expanding_keeps_the_order_given_and_each_book_once(folder):
    got = expand_books([folder / "errors.xlsx", folder, str(folder / "c*.xlsx"),
                        folder / "sub" / "inner.xlsx"])
    assert [(Path(p).name, why) for p, why in got] == [
        ("errors.xlsx", None), ("book.xlsx", None), ("clean.xlsx", None), ("notes.xlsx", None),
        ("inner.xlsx", None)]
    (folder / "Upper.XLSM").write_bytes(b"")
    (folder / "~$Upper.XLSM").write_bytes(b"")
    assert "Upper.XLSM" in [Path(p).name for p, _ in expand_books([folder])]
    assert "~$Upper.XLSM" not in [Path(p).name for p, _ in expand_books([folder / "*.XLSM"])]
    # a book named explicitly is taken as it is, a backup too: the user asked for it
    assert expand_books([folder / "clean.bak.xlsx"]) == [(str(folder / "clean.bak.xlsx"), None)]
