"""What the command line's modules share: the language a line is said in, the date and
book arguments, and progress on stderr (a rich bar, only while stderr is a terminal; never
with --json or -q/--quiet). The api takes a plain `progress(step, done, total)` callable
and only the command line knows of the terminal."""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import datetime as dt
import sys
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column

from acctbook import api
from acctbook.book.coerce import DATE_MAX, DATE_MIN       # the dates a workbook may hold
from acctbook.book.i18n import system_lang, tr
from acctbook.cli_output import printable, summary


# A usage error's language: argparse checks a value before it reads --lang (_parse sets it).
USAGE_LANG = contextvars.ContextVar("acctbook_usage_lang", default="en")


def argv_lang(argv: list[str]) -> str:
    """--lang's value in the raw arguments (`--lang he`, `--lang=he`), else the system's."""
    said = [w[len("--lang="):] if w != "--lang" else after
            for w, after in zip(argv, [*argv[1:], ""]) if w.split("=", 1)[0] == "--lang"]
    return next((v for v in said if v in ("en", "he")), system_lang())


def date_arg(text: str) -> dt.date:
    lang = USAGE_LANG.get()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr(lang, "'{text}' is not a date (use YYYY-MM-DD)")
                                         .format(text=text)) from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise argparse.ArgumentTypeError(tr(lang, "'{text}' is outside the years {first}–{last}")
                                         .format(text=text, first=DATE_MIN.year,
                                                 last=DATE_MAX.year))
    return day


def lang_of(a, book=None) -> str:
    """The language acctbook speaks in: the book's when one was read; else --lang; else the
    system's (Python's locale, the Windows setting too); else English."""
    lang = getattr(book, "lang", None) or getattr(a, "lang", None)
    return lang if lang in ("en", "he") else system_lang()


# --- progress: on stderr, only for a person watching a terminal ------------------------
def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):       # no console (pythonw) or a closed stream
        return False


def shows_progress(a) -> bool:
    """Progress only for a person at a terminal: never with -q/--quiet, never beside --json
    output, never into a pipe or a file (stderr not a terminal)."""
    return not (getattr(a, "quiet", False) or getattr(a, "json", False)) and stderr_is_terminal()


@contextlib.contextmanager
def progress_bar(a, what: str, **args) -> Iterator[api.Progress | None]:
    """A transient progress bar on stderr while the block runs: yields the
    progress(step, done, total) callable to pass to the api, or None when progress is off.
    A console that cannot print the Braille spinner (an old Windows code page) gets an ASCII
    one; rich draws its bar in ASCII there too. The label and each step are said in lang_of(a)
    (the book's language is unknown before it is read): api.message(step, lang)."""
    if not shows_progress(a):
        yield None
        return
    lang = lang_of(a)                 # `what`: tr("en", "…{book}…") and its args
    what = tr(lang, what).format(**args) if args else tr(lang, what)
    console = Console(stderr=True, force_terminal=True)
    spinner = "dots" if printable(console, "⠋⠙⠹⠸") == "⠋⠙⠹⠸" else "line"
    # one line, however narrow the terminal: the step gives way, not the count or the time
    step_column = Column(no_wrap=True, overflow="ellipsis", max_width=max(console.width - 38, 10))
    columns = (SpinnerColumn(spinner),
               TextColumn("{task.description}", markup=False, table_column=step_column),
               BarColumn(bar_width=20), TextColumn("{task.fields[count]}"), TimeElapsedColumn())
    try:
        stdout_here = sys.stdout.isatty()       # results printed meanwhile go above the bar
    except (AttributeError, ValueError):
        stdout_here = False
    with Progress(*columns, console=console, transient=True, redirect_stdout=stdout_here) as bar:
        task = bar.add_task(printable(console, what), total=None, count="")

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=printable(console, api.message(step, lang)),
                       completed=done, total=total, count=f"{done}/{total}", refresh=True)
        yield progress


# Options several commands share (sqlite-utils' shared-option habit).
def today_option(p) -> None:
    p.add_argument("--today", type=date_arg, metavar="YYYY-MM-DD",
                   help="the date to work as of (default: the system date)")


def book_argument(p, json: bool = True) -> None:
    p.add_argument("book", metavar="BOOK", help="the workbook (.xlsx or .xlsm)")
    if json:
        p.add_argument("--json", action="store_true",
                       help="print JSON on stdout, nothing else (no progress)")


def document_options(p) -> None:
    p.add_argument("--out", metavar="DIR",
                   help="folder for the documents (default: beside the workbook)")
    p.add_argument("--pdf", action="store_true",
                   help="also a PDF (a contract through Word or LibreOffice, a report through "
                        "Chrome, Edge or Chromium)")


def errors_exit(a, problems, lang: str) -> int:
    """A command that read the book and made its output all the same, rows with errors left
    out as refresh leaves them: the count and what to run on stderr, and exit 1 (README,
    "Exit codes"); 0 when the book has no error."""
    if not any(p.severity == "error" for p in problems):
        return 0
    print(f"{a.book}: {summary(problems, lang)}; "
          + tr(lang, "run: acctbook check {book}").format(book=a.book), file=sys.stderr)
    return 1

