"""Works where the managers are: Windows (FIELD-NOTES "Windows and macOS, where the managers are").

Three checks, all runnable on Linux:
- a static one: no POSIX-only name of `os`/`signal`, no POSIX-only module, no
  `start_new_session=True` in acctbook/ or workbook/main.py unless guarded;
- Windows simulated in-process: those names deleted from `os` and `signal`, those modules
  made unimportable, every command run through the API; then `os.replace` failing onto the
  book as it does while Excel holds it open, through the CLI entry;
- the path helpers on Windows paths (drive letters, UNC shares, spaces, Hebrew) through
  `PureWindowsPath`, which behaves the Windows way on any system.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import importlib
import os
import shutil
import signal
import sys
from pathlib import Path, PureWindowsPath

import pytest

from acctbook.xlsx import patch as xlsxpatch
from acctbook.book.model import Refused

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 26)

# --- what Windows Python lacks --------------------------------------------------------------
POSIX_ONLY_ATTRS = {
    "os": ["geteuid", "getegid", "getuid", "getgid", "chown", "lchown", "fchown", "killpg",
           "setsid", "getpgid", "setpgrp", "fork", "getpwnam", "sync", "WNOHANG"],
    "signal": ["SIGKILL", "SIGHUP", "SIGQUIT", "SIGALRM", "alarm"],
}
POSIX_ONLY_MODULES = ["fcntl", "pwd", "grp", "resource", "termios", "tty", "posix"]
# Handlers that turn a missing name or module into a handled case. Exception and bare
# `except:` catch it too, but would hide the miss (e.g. a process never killed): not a guard.
GUARD_EXCEPTIONS = {"AttributeError", "ImportError", "ModuleNotFoundError"}


def python_files() -> list[Path]:
    return sorted((ROOT / "acctbook").rglob("*.py")) + [ROOT / "workbook" / "main.py"]


# --- the static check -----------------------------------------------------------------------
class _Finder(ast.NodeVisitor):
    """Uses of POSIX-only names, each with its line, unless guarded.

    Guarded means one of (kept simple on purpose; it trusts the guard to test the right thing):
    - inside the body or else of an `if`/`while`/conditional expression, or after an earlier
      operand of an `and`, whose test mentions `hasattr(os or signal, ...)`, `os.name`,
      `sys.platform`, or `getattr(os or signal, "<the same name>", ...)`;
    - inside the body of a `try` with a handler naming AttributeError or ImportError
      (or ModuleNotFoundError).
    `getattr(os, "geteuid", None)` itself is not a use: only `os.geteuid` is.
    """

    def __init__(self):
        self.found: list[tuple[int, str]] = []
        self.modules: dict[str, str] = {}          # local alias -> "os" / "signal" / "sys"
        self.guards: list[str | None] = []         # enclosing guards: the name, or None (any)

    # imports --------------------------------------------------------------------------------
    def visit_Import(self, node):
        for a in node.names:
            top = a.name.split(".")[0]
            if a.name in ("os", "signal", "sys"):
                self.modules[a.asname or a.name] = a.name
            if top in POSIX_ONLY_MODULES:
                self._use(node, f"import {a.name}")

    def visit_ImportFrom(self, node):
        top = (node.module or "").split(".")[0]
        if node.level == 0 and top in POSIX_ONLY_MODULES:
            self._use(node, f"from {node.module} import ...")
        for a in node.names:
            if node.level == 0 and a.name in POSIX_ONLY_ATTRS.get(node.module or "", ()):
                self._use(node, f"from {node.module} import {a.name}")

    # uses -----------------------------------------------------------------------------------
    def visit_Attribute(self, node):
        mod = self._module(node.value)
        if mod and node.attr in POSIX_ONLY_ATTRS.get(mod, ()):
            self._use(node, f"{mod}.{node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node):
        for kw in node.keywords:
            if (kw.arg == "start_new_session" and isinstance(kw.value, ast.Constant)
                    and kw.value.value is True):
                self._use(kw.value, "start_new_session=True")
        self.generic_visit(node)

    def _use(self, node, what: str) -> None:
        name = what.split(".")[-1] if "." in what else what
        if not any(g is None or g == name for g in self.guards):
            self.found.append((node.lineno, what))

    # guards ---------------------------------------------------------------------------------
    def _module(self, node) -> str | None:
        return self.modules.get(node.id) if isinstance(node, ast.Name) else None

    def _guard(self, test) -> list[str | None]:
        """What a condition guards: None for any name (hasattr, os.name, sys.platform),
        or the names it looks up with getattr."""
        out: list[str | None] = []
        for n in ast.walk(test):
            if isinstance(n, ast.Attribute) and (self._module(n.value), n.attr) in (
                    ("os", "name"), ("sys", "platform")):
                out.append(None)
            elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                  and n.func.id in ("hasattr", "getattr") and len(n.args) >= 2
                  and self._module(n.args[0]) in POSIX_ONLY_ATTRS):
                if n.func.id == "hasattr":
                    out.append(None)
                elif isinstance(n.args[1], ast.Constant):
                    out.append(n.args[1].value)
        return out

    def _guarded(self, guards, nodes) -> None:
        self.guards += guards
        for n in nodes:
            self.visit(n)
        del self.guards[len(self.guards) - len(guards):]

    def visit_If(self, node):
        self.visit(node.test)
        self._guarded(self._guard(node.test), node.body + node.orelse)

    visit_While = visit_If

    def visit_IfExp(self, node):
        self.visit(node.test)
        self._guarded(self._guard(node.test), [node.body, node.orelse])

    def visit_BoolOp(self, node):
        if not isinstance(node.op, ast.And):
            return self.generic_visit(node)
        self.visit(node.values[0])
        guards: list[str | None] = []
        for before, value in zip(node.values, node.values[1:]):
            guards += self._guard(before)           # `a and b`: b runs only when a held
            self._guarded(guards, [value])

    def visit_Try(self, node):
        names = set()
        for h in node.handlers:
            types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
            names |= {t.id for t in types if isinstance(t, ast.Name)}
        self._guarded([None] if names & GUARD_EXCEPTIONS else [], node.body)
        for n in node.handlers + node.orelse + node.finalbody:
            self.visit(n)

    visit_TryStar = visit_Try


def posix_only_uses(source: str) -> list[tuple[int, str]]:
    finder = _Finder()
    finder.visit(ast.parse(source))
    return finder.found


@pytest.mark.parametrize("code", [
    "import os\nos.geteuid()",
    "import os\nos.chown(p, 1, 1)",
    "import os as o\no.killpg(1, 9)",
    "import signal\nx = signal.SIGKILL",
    "from os import geteuid",
    "import fcntl",
    "import subprocess\nsubprocess.Popen(a, start_new_session=True)",
    "import os\nif os.geteuid() == 0:\n    pass",                 # the test itself is a use
    "import os\nif hasattr(os, 'geteuid'):\n    pass\nos.geteuid()",
    "import os\nif getattr(os, 'chown', None):\n    os.geteuid()",   # another name
    "import os\ntry:\n    os.killpg(1, 9)\nexcept Exception:\n    pass",
    "import os\ntry:\n    pass\nexcept AttributeError:\n    os.killpg(1, 9)",
])
def test_the_finder_sees_unguarded_uses(code):
    assert posix_only_uses(code)


@pytest.mark.parametrize("code", [
    "import os\nif hasattr(os, 'chown'):\n    os.chown(p, 1, 1)",
    "import os\nif os.name != 'nt':\n    os.killpg(1, 9)\nelse:\n    pass",
    "import os, sys\nif sys.platform != 'win32':\n    import fcntl",
    "import os\nuid = os.geteuid() if hasattr(os, 'geteuid') else 0",
    "import os\nok = hasattr(os, 'geteuid') and os.geteuid() == 0",
    "import os\nif getattr(os, 'killpg', None):\n    os.killpg(1, 9)",
    "import os\ntry:\n    os.killpg(1, 9)\nexcept (AttributeError, OSError):\n    pass",
    "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None",
    "import os\neuid = getattr(os, 'geteuid', None)",
    "import subprocess, os\nsubprocess.Popen(a, start_new_session=os.name != 'nt')",
])
def test_the_finder_accepts_guarded_uses(code):
    assert posix_only_uses(code) == []


def test_no_unguarded_posix_only_names_in_the_code():
    """Windows Python lacks these: an unguarded use crashes there (AttributeError)."""
    found = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for path in python_files()
             for line, what in posix_only_uses(path.read_text(encoding="utf-8"))]
    assert found == [], "POSIX-only, unguarded:\n" + "\n".join(found)


# --- Windows, simulated in-process ------------------------------------------------------------
@pytest.fixture()
def windows(monkeypatch, tmp_path):    # tmp_path first: pytest's own set-up calls os.getuid
    """os and signal without their POSIX-only names, those modules unimportable, and acctbook
    imported afresh under these conditions (its module-level code included). Returns a
    function giving acctbook's modules: windows("api"). Everything is put back afterwards."""
    for mod, names in POSIX_ONLY_ATTRS.items():
        for name in names:
            monkeypatch.delattr(sys.modules[mod], name, raising=False)
    for name in POSIX_ONLY_MODULES:
        monkeypatch.setitem(sys.modules, name, None)      # `import fcntl` -> ImportError
    before = {k for k in sys.modules if k == "acctbook" or k.startswith("acctbook.")}
    for k in before:
        monkeypatch.delitem(sys.modules, k)
    yield lambda name: importlib.import_module(f"acctbook.{name}")
    for k in [k for k in sys.modules if k == "acctbook" or k.startswith("acctbook.")]:
        if k not in before:
            del sys.modules[k]        # imported under the simulation: not for later tests


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_every_command_works_without_the_posix_only_names(windows, tmp_path):
    api = windows("api")
    assert not hasattr(os, "geteuid") and not hasattr(signal, "SIGKILL")
    folder = tmp_path / "My Books" / "דנה"
    folder.mkdir(parents=True)
    book = api.new(folder / "ספר לקוחות.xlsx", demo=True, today=TODAY)
    assert not api.check(book, TODAY).errors
    r = api.refresh(book, TODAY)
    assert r.changes and Path(r.backup).name == "ספר לקוחות.bak.xlsx"
    deal = api.demo_deal(api.load(book), "en")
    c = api.contract(book, deal, today=TODAY)
    assert c.docx.is_file() and c.pdf is None
    rep = api.report(book, today=TODAY)
    assert rep.files["html"].is_file() and rep.sheet
    items = api.batch([book, shutil.copy(book, folder / "copy.xlsx")], TODAY)
    assert [i.ok for i in items] == [True, True], [i.error for i in items]
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith((".~", ".acctbook"))
                 or p.name.endswith(".tmp")]
    assert leftovers == []


HELD = "The process cannot access the file because it is being used by another process"


def hold_open(monkeypatch, *paths):
    """os.replace onto these files fails as on Windows while Excel has them open."""
    held = {os.path.realpath(p) for p in paths}
    real_replace = os.replace

    def replace(src, dst, **kw):
        if os.path.realpath(dst) in held:
            raise PermissionError(13, HELD)
        return real_replace(src, dst, **kw)
    monkeypatch.setattr(os, "replace", replace)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    """A demo workbook, never refreshed (copy before use)."""
    from acctbook import api
    return api.new(tmp_path_factory.mktemp("demo") / "book.xlsx", demo=True, today=TODAY)


def refused_once(cli, capsys, args) -> str:
    """Run the CLI in-process; it must refuse (exit 1) in one line of stderr."""
    assert cli.main([*map(str, args), "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "close the workbook in Excel" in err[0], err
    assert "it is unchanged" in err[0]
    return err[0]


@pytest.mark.parametrize("also_backup", [False, True], ids=["book", "book-and-backup"])
def test_refresh_of_a_book_held_open_is_refused_and_changes_nothing(
        windows, demo_book, tmp_path, monkeypatch, capsys, also_backup):
    cli = windows("cli")
    """Held: the book alone (the backup is made, then removed), or the book and an earlier
    backup that cannot be replaced either (it stays as it was)."""
    book = Path(shutil.copy(demo_book, tmp_path / "book.xlsx"))
    bak = Path(xlsxpatch.backup_path(book))
    if also_backup:
        bak.write_bytes(b"an earlier backup")
    files, digest = sorted(os.listdir(tmp_path)), sha(book)
    hold_open(monkeypatch, book, *([bak] if also_backup else []))
    line = refused_once(cli, capsys, ["refresh", book])
    assert line.startswith(f"acctbook: {book}: ") and HELD in line
    assert sha(book) == digest and sorted(os.listdir(tmp_path)) == files
    if also_backup:
        assert bak.read_bytes() == b"an earlier backup"


def test_contract_for_a_book_held_open_leaves_no_document(
        windows, demo_book, tmp_path, monkeypatch, capsys):
    cli, api = windows("cli"), windows("api")
    book = Path(shutil.copy(demo_book, tmp_path / "book.xlsx"))
    deal = api.demo_deal(api.load(book), "en")
    files, digest = sorted(os.listdir(tmp_path)), sha(book)
    hold_open(monkeypatch, book)
    refused_once(cli, capsys, ["contract", book, deal])
    # the .docx was placed, then removed when the Contracts row could not be written
    assert sha(book) == digest and sorted(os.listdir(tmp_path)) == files


def test_report_for_a_book_held_open_leaves_the_book_unchanged(
        windows, demo_book, tmp_path, monkeypatch, capsys):
    cli = windows("cli")
    book = Path(shutil.copy(demo_book, tmp_path / "book.xlsx"))
    files, digest = sorted(os.listdir(tmp_path)), sha(book)
    hold_open(monkeypatch, book)
    refused_once(cli, capsys, ["report", book, "--month", "2026-10"])
    # all or nothing: the HTML written before the sheet is taken back
    assert sha(book) == digest and sorted(os.listdir(tmp_path)) == files


def test_batch_reports_a_book_held_open_and_goes_on(windows, demo_book, tmp_path, monkeypatch,
                                                   capsys):
    cli = windows("cli")
    held = Path(shutil.copy(demo_book, tmp_path / "held.xlsx"))
    free = Path(shutil.copy(demo_book, tmp_path / "free.xlsx"))
    digest = sha(held)
    hold_open(monkeypatch, held)
    # --jobs 1: the Windows stand-in (os patched) lives in this process, not in a worker's
    assert cli.main(["batch", str(held), str(free), "--jobs", "1",
                     "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  {held}: " in out and "close the workbook in Excel" in out
    assert "1 refreshed (0 with errors), 1 failed" in out
    assert sha(held) == digest and sha(free) != sha(demo_book)


def test_a_read_only_book_keeps_its_own_message(demo_book, tmp_path):
    """Refused before any work, even for root and on Windows (the read-only attribute)."""
    book = Path(shutil.copy(demo_book, tmp_path / "book.xlsx"))
    os.chmod(book, 0o444)
    with pytest.raises(Refused, match="read-only; make it writable") as e:
        xlsxpatch.patch_workbook(book, {"Clients": {(2, 3): 1}})
    assert "Excel" not in str(e.value)


# --- paths: handled as paths, never split by hand ---------------------------------------------
@pytest.mark.parametrize("book, backup, owner", [
    (r"C:\Users\דנה\My Books\book.xlsx", r"C:\Users\דנה\My Books\book.bak.xlsx",
     r"C:\Users\דנה\My Books\~$book.xlsx"),
    (r"\\server\share\book.xlsx", r"\\server\share\book.bak.xlsx", r"\\server\share\~$book.xlsx"),
    (r"\\server\share\Sales Team\ספר.xlsm", r"\\server\share\Sales Team\ספר.bak.xlsm",
     r"\\server\share\Sales Team\~$ספר.xlsm"),
    (r"D:\My.Books\book", r"D:\My.Books\book.bak", r"D:\My.Books\~$book"),     # dot in a folder
    ("C:/Users/dana/book.xlsx", r"C:\Users\dana\book.bak.xlsx", r"C:\Users\dana\~$book.xlsx"),
])
def test_backup_and_owner_file_of_windows_paths(book, backup, owner):
    assert xlsxpatch.backup_path(PureWindowsPath(book)) == backup
    assert xlsxpatch.owner_file(PureWindowsPath(book)) == owner


def test_backup_and_owner_file_of_this_systems_paths(tmp_path):
    book = tmp_path / "My Books" / "ספר.xlsx"
    assert xlsxpatch.backup_path(book) == str(book.with_name("ספר.bak.xlsx"))
    assert xlsxpatch.backup_path(str(book)) == str(book.with_name("ספר.bak.xlsx"))
    assert xlsxpatch.owner_file(str(book)) == str(book.with_name("~$ספר.xlsx"))


def test_excels_owner_file_beside_the_book_refuses_a_write(demo_book, tmp_path):
    folder = tmp_path / "My Books" / "דנה"
    folder.mkdir(parents=True)
    book = Path(shutil.copy(demo_book, folder / "ספר לקוחות.xlsx"))
    (folder / "~$ספר לקוחות.xlsx").write_bytes(b"dana")
    digest = sha(book)
    with pytest.raises(Refused, match=r"open in Excel \(~\$ספר לקוחות\.xlsx exists\)"):
        xlsxpatch.patch_workbook(book, {"Clients": {(2, 3): 1}})
    assert sha(book) == digest
