"""`acctbook calendar`: the follow-ups, contract renewals, complaint SLAs, events and
birthdays of a book as an iCalendar file (docs/calendar.md), and the same file rewritten by
`refresh --calendar`. Reads the book, never writes it; `today` comes in from acctbook.api.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from acctbook import __version__
from acctbook.book.i18n import said, tr, trn
from acctbook.book.model import ERROR, AcctbookError, Book, Problem
from acctbook.book.rules import check_book
from acctbook.core import plan
from acctbook.core.calendar_items import (BIRTHDAY, COMPLAINT, DEFAULT_DAYS, EVENT, FOLLOW_UP,
                                          RENEWAL, CalendarPlan, calendar_plan)
from acctbook.documents.ical import write_ics
from acctbook.xlsx.read import read_book

Step = Callable[..., None]          # jobs.steps: step(tr("en", "…{book}"), book=…)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class CalendarResult:
    path: Path                      # the .ics written
    plan: CalendarPlan
    book: Book
    problems: list[Problem]

    @property
    def lang(self) -> str:
        return self.book.lang

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    def line(self, lang: str | None = None) -> str:
        """`calendar: 12 items (5 follow-ups, 2 renewals, …) in clients.ics`, in `lang`."""
        return summary_line(self.plan, self.path, lang or self.lang)


def summary_line(cal: CalendarPlan, path, lang: str) -> str:
    n = {kind: cal.count(kind) for kind in (FOLLOW_UP, RENEWAL, COMPLAINT, EVENT, BIRTHDAY)}
    kinds = [
        trn(lang, "{n} follow-up", "{n} follow-ups", n[FOLLOW_UP]),
        trn(lang, "{n} renewal", "{n} renewals", n[RENEWAL]),
        trn(lang, "{n} complaint SLA", "{n} complaint SLAs", n[COMPLAINT]),
        trn(lang, "{n} event", "{n} events", n[EVENT]),
        trn(lang, "{n} birthday", "{n} birthdays", n[BIRTHDAY]),
    ]
    items = trn(lang, "{n} item", "{n} items", len(cal.items)).format(n=len(cal.items))
    return tr(lang, "calendar: {items} ({kinds}) in {file}").format(
        items=items, kinds=", ".join(k.format(n=n[kind]) for k, kind in zip(kinds, n)),
        file=path)


def calendar_path(book_path, out=None) -> Path:
    """Where the .ics goes: `out` (a folder: `<book name>.ics` in it), else beside the book.
    Never a workbook: a name ending in .xlsx or .xlsm is refused."""
    book_path = Path(book_path)
    target = Path(out) if out is not None else book_path.with_suffix(".ics")
    if out is not None and target.is_dir():
        target = target / (book_path.stem + ".ics")
    if target.suffix.lower() in WORKBOOK_SUFFIXES:
        raise said(AcctbookError, tr("en", "{file}: a calendar is written to an .ics file, "
                                           "never to a workbook"), file=target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise said(AcctbookError, tr("en", "{file}: cannot write the calendar: there is no "
                                           "folder {folder}"), file=target, folder=folder)
    return target


def check_days(days: int) -> int:
    if int(days) != days or days < 0:
        raise said(AcctbookError, tr("en", "--days must be a whole number of days, 0 or more "
                                           "(not {days})"), days=days)
    return int(days)


def calendar(path, today: dt.date, out=None, days: int = DEFAULT_DAYS,
             step: Step | None = None) -> CalendarResult:
    """Read the book, check it, compute as refresh does (rows with errors skipped, as there)
    and write the .ics; the workbook is not written."""
    step = step or (lambda *_a, **_k: None)
    days = check_days(days)
    target = calendar_path(path, out)
    step(tr("en", "reading {book}"), book=Path(path).name)
    book = read_book(path)
    step(tr("en", "checking every rule"))
    problems = check_book(book, today)
    step(tr("en", "computing follow-ups, ranking and risk"))
    results = plan.refresh_results(book, problems, today)
    step(tr("en", "writing {file}"), file=target.name)
    return write_calendar(book, problems, results, today, target, days, Path(path).name)


def write_calendar(book: Book, problems: list[Problem], results, today: dt.date, target,
                   days: int = DEFAULT_DAYS, book_name: str | None = None) -> CalendarResult:
    """The .ics of a book already read and computed (`refresh --calendar` passes its own
    results, so the calendar holds the dates the refresh wrote)."""
    cal = calendar_plan(book, problems, results, today, check_days(days),
                        book_name or Path(book.path or "book").name)
    written = write_ics(cal, Path(target), __version__)
    return CalendarResult(written, cal, book, problems)
