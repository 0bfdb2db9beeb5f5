"""`acctbook` for a newcomer: help for every argument with examples that run, the exit codes,
--version, "did you mean" for a mistyped command or option, and progress on stderr only for
a person at a terminal (never with --json or --quiet, never into a pipe).

The CLI runs in-process (acctbook.cli.main with capsys) and, where the real streams matter,
as its own process; the workbooks are real files made by acctbook new and the demo."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli, cli_common

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-26"
COMMANDS = ["new", "demo", "check", "refresh", "calls", "contract", "quote", "delivery-note",
            "invoice", "report", "brief", "calendar", "campaign", "team", "batch", "import", "history",
            "upgrade"]
ESC = "\x1b"                                # any terminal control sequence


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    return subprocess.run([sys.executable, "-m", "acctbook", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


def commands() -> dict[str, argparse.ArgumentParser]:
    ap = cli.build_parser()
    sub = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def help_of(capsys, *argv) -> str:
    assert cli.main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.strip()
    return out


@pytest.fixture
def book(tmp_path) -> Path:
    p = tmp_path / "book.xlsx"
    api.new(p, today=dt.date.fromisoformat(TODAY))
    return p


@pytest.fixture
def terminal(monkeypatch):
    """As if stderr were a terminal (pytest captures it into a file)."""
    monkeypatch.setattr(cli_common, "stderr_is_terminal", lambda: True)


# --- help ---------------------------------------------------------------------------------
def test_top_help_lists_the_commands_the_exit_codes_and_where_to_read_more(capsys):
    out = help_of(capsys)
    assert list(commands()) == COMMANDS
    for name in COMMANDS:
        # each with its one line (argparse puts it below a name too long for the column)
        assert re.search(rf"^    {name}(?: +|\n +)\S", out, re.M), name
    exits = out[out.index("Exit codes:"):]
    for code in "012":
        assert re.search(rf"^  {code}  \S", exits, re.M), code
    assert "README.md" in out and "--version" in out and "--quiet" in out
    assert "acctbook COMMAND --help" in out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_has_a_help_line_and_every_example_runs(capsys, name):
    out = help_of(capsys, name)
    flat = " ".join(out.split())
    parser = commands()[name]
    positionals = [a for a in parser._actions if not a.option_strings]
    assert positionals, name
    section = out[out.index("positional arguments:"):out.index("options:")]
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        assert action.help and len(action.help.split()) >= 3, (name, action.dest)
        if not action.option_strings:                  # a line of its own, with its words
            metavar = action.metavar or action.dest
            assert re.search(rf"^  {re.escape(metavar)}\s", section, re.M), (name, metavar)
            assert f"{metavar} {' '.join(action.help.split())}" in flat, (name, metavar)
        else:
            assert " ".join(action.help.split()) in flat, (name, action.option_strings)
    examples = re.findall(r"^  (acctbook .*?)(?:\s{2,}\S.*)?$",
                          out[out.index("Examples:"):], re.M)
    assert examples, name
    for line in examples:                 # an example is a real command line: it parses
        args = cli.build_parser().parse_args(shlex.split(line)[1:])
        assert args.command == name, line


def test_the_description_says_what_the_command_writes(capsys):
    assert "BOOK.bak.xlsx" in help_of(capsys, "refresh")
    assert "Writes nothing" in " ".join(help_of(capsys, "check").split())
    assert "*.previous.xlsx" in " ".join(help_of(capsys, "demo").split())


def test_acctbook_alone_shows_the_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "Exit codes:" in err and all(name in err for name in COMMANDS)


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    version = importlib.metadata.version("acctbook")
    assert capsys.readouterr().out == f"acctbook {version}\n"
    r = run("--version")
    assert (r.returncode, r.stdout, r.stderr) == (0, f"acctbook {version}\n", "")


# --- did you mean -------------------------------------------------------------------------
def test_a_mistyped_command_is_one_line_with_the_nearest_command(tmp_path):
    r = run("refesh", tmp_path / "book.xlsx")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == "acctbook: unknown command 'refesh'; did you mean 'refresh'?\n"
    assert not (tmp_path / "book.xlsx").exists()


@pytest.mark.parametrize("argv, line", [
    (["chek", "b.xlsx"], "acctbook: unknown command 'chek'; did you mean 'check'?"),
    (["Demo"], "acctbook: unknown command 'Demo'; did you mean 'demo'?"),
    (["-q", "reprot", "b.xlsx"], "acctbook: unknown command 'reprot'; did you mean 'report'?"),
    (["b.xlsx"], "acctbook: unknown command 'b.xlsx'; the command comes first, e.g. "
                 "acctbook check b.xlsx"),
    (["check", "b.xlsx", "--jsn"],
     "acctbook check: unknown option '--jsn'; did you mean '--json'?"),
    (["report", "b.xlsx", "--mnth", "2026-10"],
     "acctbook report: unknown option '--mnth'; did you mean '--month'?"),
])
def test_mistyped_words_get_one_line_and_exit_2(capsys, argv, line):
    assert cli.main(argv) == 2
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", line + "\n")


def test_a_word_near_nothing_lists_the_commands(capsys):
    assert cli.main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and all(name in err for name in COMMANDS)


@pytest.mark.parametrize("argv, line", [
    (["--lang", "he", "refesh", "b.xlsx"],
     "acctbook: אין פקודה 'refesh'; אולי התכוונתם ל־'refresh'?"),
    (["check", "b.xlsx", "--lang=he", "--jsn"],
     "acctbook check: אין אפשרות '--jsn'; אולי התכוונתם ל־'--json'?"),
])
def test_a_mistyped_word_is_told_in_the_language_asked_for(capsys, argv, line):
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == line + "\n"


# --- progress -----------------------------------------------------------------------------
def test_the_api_tells_each_step(book):
    said = []
    api.refresh(book, today=dt.date.fromisoformat(TODAY),
                progress=lambda step, done, total: said.append((step, done, total)))
    assert [d for _s, d, _t in said] == [0, 1, 2, 3] and {t for _s, _d, t in said} == {4}
    assert said[0][0] == "reading book.xlsx" and said[-1][0] == "writing book.xlsx"
    said.clear()
    api.check(book, today=dt.date.fromisoformat(TODAY), progress=lambda *a: said.append(a))
    assert [s for s, _d, _t in said] == ["reading book.xlsx", "checking every rule"]


def test_demo_shows_its_steps_at_a_terminal_and_keeps_stdout_clean(tmp_path, capsys, terminal):
    folder = tmp_path / "demo"
    assert cli.main(["demo", str(folder), "--today", TODAY]) == 0
    out = capsys.readouterr()
    for step in ("English demo: making the workbook", "English demo: refreshing",
                 "Hebrew demo: a contract", "Hebrew demo: report 2026-10"):
        assert step in out.err, step
    assert ESC in out.err and "/10" in out.err                 # a bar, step n of 10
    assert ESC not in out.out and out.out.startswith(f"demo in {folder}")
    books = re.findall(r"^  (\S.*?\.xlsx)  \(", out.out, re.M)
    assert [Path(b).name for b in books] == ["acctbook-demo.xlsx", "acctbook-demo.he.xlsx"]
    assert "Today" in CalamineWorkbook.from_path(books[0]).sheet_names   # the books are real


def test_refresh_shows_its_steps_at_a_terminal(book, capsys, terminal):
    assert cli.main(["refresh", str(book), "--today", TODAY]) == 0
    out = capsys.readouterr()
    for step in ("reading book.xlsx", "checking every rule", "writing book.xlsx"):
        assert step in out.err
    assert ESC not in out.out and out.out.startswith(f"refreshed {book}")


@pytest.mark.parametrize("argv", [["refresh", "BOOK", "--json"], ["calls", "BOOK", "--json"],
                                  ["check", "BOOK", "--json"]])
def test_json_output_has_no_progress_anywhere(book, capsys, terminal, argv):
    argv = [str(book) if a == "BOOK" else a for a in argv]
    assert cli.main([*argv, "--today", TODAY]) == 0
    out = capsys.readouterr()
    assert isinstance(json.loads(out.out), list)
    assert ESC not in out.err and "reading" not in out.err


@pytest.mark.parametrize("quiet", [["--quiet"], ["-q"]])
def test_quiet_silences_progress_before_or_after_the_command(book, capsys, terminal, quiet):
    for argv in ([*quiet, "refresh", str(book)], ["refresh", str(book), *quiet]):
        assert cli.main([*argv, "--today", TODAY]) == 0
        out = capsys.readouterr()
        assert out.err == "" and out.out.startswith(f"refreshed {book}")


def test_no_progress_into_a_pipe(book):
    r = run("refresh", book, "--today", TODAY)                  # stderr is a pipe
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith(f"refreshed {book}")


def test_batch_bar_on_stderr_book_lines_on_stdout(tmp_path, capsys, terminal):
    folder = tmp_path / "team"
    folder.mkdir()
    for name in ("anna.xlsx", "dan.xlsx"):
        api.new(folder / name)
    assert cli.main(["batch", str(folder), "--today", TODAY]) == 0
    out = capsys.readouterr()
    assert "refreshing dan.xlsx" in out.err and "2/2" in out.err
    assert ESC not in out.out
    assert [line.split(":")[0] for line in out.out.splitlines()[:2]] == [
        f"ok    {folder / 'anna.xlsx'}", f"ok    {folder / 'dan.xlsx'}"]


def test_a_console_without_unicode_gets_ascii(tmp_path, monkeypatch, terminal):
    book = tmp_path / "לקוחות.xlsx"
    api.new(book)
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(raw, encoding="cp1252",
                                                         errors="backslashreplace", newline=""))
    assert cli.main(["check", str(book), "--today", TODAY]) == 0
    sys.stderr.flush()
    err = raw.getvalue().decode("cp1252")
    assert "checking every rule" in err and "reading ??????.xlsx" in err
    assert "\u280b" not in err and "\u2501" not in err           # no Braille spinner, no box bar


def test_argparse_own_errors_speak_the_language_asked_for_and_then_english_again(capsys):
    assert cli.main(["--lang", "he", "check"]) == 2
    err = capsys.readouterr().err
    assert "acctbook check: שגיאה: חסרים הארגומנטים: BOOK" in err and "error:" not in err
    assert cli.main(["check", "--lang", "he", "b.xlsx", "--today"]) == 2
    assert "ארגומנט --today: נדרש ערך אחד" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "check"]) == 2           # argparse is itself again
    assert "error: the following arguments are required: BOOK" in capsys.readouterr().err
