"""The Python API: one function per command. The CLI and the Excel buttons call these.

Each function takes paths and plain values, returns a result value, and raises
only AcctbookError (bad files, refused requests). Bad data comes back as Problems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import schema
from .model import ERROR, WARNING, AcctbookError, Book, Problem, Refused


def _today(today: dt.date | None) -> dt.date:
    # The one place that reads the clock; the core always gets `today` passed in.
    return today or dt.date.today()


# --- new ---------------------------------------------------------------------------
def new(path, lang: str = "en", demo: bool = False, today: dt.date | None = None,
        seed: int | None = None, overwrite: bool = False, macros: bool = False,
        lite: bool = True) -> Path:
    """Create a workbook from the schema, optionally filled with the demo data.

    An existing file is never replaced unless `overwrite` (the demo's own files).
    `lite`: xlwings Lite's code and shape buttons on Home (the default); `macros`: an
    .xlsm with the standalone xlwings VBA module and form buttons instead.
    """
    from .create import create_workbook
    if lang not in schema.LANGS:
        raise AcctbookError(f"unknown language '{lang}' (use en or he)")
    if Path(path).exists() and not overwrite:
        raise Refused(f"{path}: already exists; acctbook new never replaces a workbook "
                      "(choose another name)")
    data = settings = None
    if demo:
        from .demo import DEMO_SEED, demo_data
        data, settings = demo_data(_today(today), seed=DEMO_SEED if seed is None else seed)
    return create_workbook(path, lang=lang, data=data, settings=settings,
                           lite=lite and not macros, macros=macros)


# --- check -------------------------------------------------------------------------
@dataclass
class CheckResult:
    path: str
    problems: list[Problem]
    book: Book | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


def load(path) -> Book:
    from .load import read_book
    return read_book(path)


def check(path, today: dt.date | None = None) -> CheckResult:
    """Validate every rule of SPEC section 2; all problems, never the first only."""
    from .rules import check_book
    book = load(path)
    return CheckResult(str(path), check_book(book, _today(today)), book)


# --- refresh -----------------------------------------------------------------------
@dataclass
class Change:
    sheet: str
    cell: str
    old: Any
    new: Any


@dataclass
class RefreshResult:
    path: str
    today: dt.date
    problems: list[Problem]
    results: Any                       # core.Results
    changes: list[Change] = field(default_factory=list)
    written: bool = False
    backup: str | None = None
    book: Book | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def refresh(path, today: dt.date | None = None, dry_run: bool = False) -> RefreshResult:
    """Check, compute follow-ups, ranking and risk, and write them into the book."""
    from .writeback import refresh_file
    return refresh_file(path, _today(today), dry_run=dry_run)


def calls(path, today: dt.date | None = None):
    """The call queue (SPEC section 4) without writing anything."""
    r = refresh(path, today, dry_run=True)
    return r.results.queue


# --- batch -------------------------------------------------------------------------
@dataclass
class BatchItem:
    path: str
    result: RefreshResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def batch(paths: Iterable, today: dt.date | None = None,
          on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Refresh many workbooks; one bad workbook does not stop the others."""
    out = []
    for p in paths:
        try:
            item = BatchItem(str(p), refresh(p, today))
        except AcctbookError as e:
            item = BatchItem(str(p), error=str(e))
        out.append(item)
        if on_done:
            on_done(item)
    return out


# --- demo --------------------------------------------------------------------------
@dataclass
class DemoResult:
    folder: Path
    books: dict[str, Path]
    checks: dict[str, CheckResult]
    refreshes: dict[str, RefreshResult] = field(default_factory=dict)


def demo(folder=None, today: dt.date | None = None) -> DemoResult:
    """The main job on the built-in example: demo workbooks (en, he), checked and refreshed."""
    today = _today(today)
    folder = Path(folder or "acctbook-demo")
    folder.mkdir(parents=True, exist_ok=True)
    books, checks, refreshes = {}, {}, {}
    for lang, name in (("en", "acctbook-demo.xlsx"), ("he", "acctbook-demo.he.xlsx")):
        p = new(folder / name, lang=lang, demo=True, today=today, overwrite=True)
        books[lang] = p
        checks[lang] = check(p, today)
        refreshes[lang] = refresh(p, today)
    return DemoResult(folder, books, checks, refreshes)


# --- documents -----------------------------------------------------------------------
def contract(path, deal_id: str, out=None, pdf: bool = False, today: dt.date | None = None):
    """Fill the contract template for a deal; add its Contracts row (Status Draft, File)."""
    from .contract import make_contract
    return make_contract(path, deal_id, _today(today), out_dir=out, pdf=pdf)


def last_full_month(today: dt.date) -> str:
    first = today.replace(day=1)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"


@dataclass
class ReportResult:
    month: str
    report: Any                        # report.MonthReport
    files: dict[str, Path]
    sheet: str | None = None


def report(path, month: str | None = None, out=None, pdf: bool = False,
           today: dt.date | None = None, sheet: bool = True) -> ReportResult:
    """The monthly report: figures, the `Report YYYY-MM` sheet, HTML (and PDF)."""
    from . import report as rp
    month = month or last_full_month(_today(today))
    rp.parse_month(month)                       # a bad month fails before anything is read
    book = load(path)
    figures = rp.month_figures(book, month)
    out_dir = Path(out) if out is not None else Path(path).resolve().parent
    files = rp.write_report_files(figures, out_dir, book.lang, pdf=pdf)
    name = None
    if sheet:
        from .writeback import write_report_sheet
        name = write_report_sheet(path, figures, book.lang)
    return ReportResult(month, figures, files, name)
