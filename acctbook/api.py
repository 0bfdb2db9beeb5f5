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
    failure_code: int = 0          # the exit code the failure has on its own (1 refused, 2)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exit_code(self) -> int:
        """As `acctbook refresh` of this book alone would exit (SPEC section 7)."""
        return self.failure_code if not self.ok else 1 if self.result.errors else 0


def batch(paths: Iterable, today: dt.date | None = None,
          on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Refresh many workbooks; one bad workbook does not stop the others."""
    out = []
    for p in paths:
        try:
            item = BatchItem(str(p), refresh(p, today))
        except AcctbookError as e:
            item = BatchItem(str(p), error=str(e), failure_code=e.exit_code)
        except Exception as e:  # one broken book must not stop the others
            item = BatchItem(str(p), error=f"internal error ({type(e).__name__}: {e})",
                             failure_code=2)
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
    contracts: dict[str, Any] = field(default_factory=dict)     # lang -> contract.ContractResult
    reports: dict[str, ReportResult] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        """Every file the demo made, books first."""
        out = list(self.books.values())
        for c in self.contracts.values():
            out += [p for p in (c.docx, c.pdf) if p]
        for r in self.reports.values():
            out += [p for p in r.files.values() if p]
        return out


def demo_deal(book: Book, lang: str) -> str | None:
    """The demo's contract deal: the first open deal in Proposal or Negotiation whose client
    has a Legal name, a Company number and the Language `lang`."""
    clients = book.frame("Clients")
    by_id = {cid: row for cid, row in zip(clients["client_id"], clients.index) if cid}
    deals = book.frame("Deals")
    for deal_id, client_id, stage in zip(deals["deal_id"], deals["client_id"], deals["stage"]):
        row = by_id.get(client_id)
        if not deal_id or stage not in ("Proposal", "Negotiation") or row is None:
            continue
        c = clients.loc[row]
        if c["legal_name"] and c["company_number"] and c["language"] == lang:
            return deal_id
    return None


def demo(folder=None, today: dt.date | None = None, pdf: bool = False) -> DemoResult:
    """The whole day on the built-in example, for each language (en, he): the demo workbook,
    checked and refreshed; a contract for a deal of a client speaking the book's language
    (into contracts/); the report for the last full month (into reports/, HTML; PDF too
    when `pdf`), its sheet added to the workbook."""
    today = _today(today)
    folder = Path(folder or "acctbook-demo")
    folder.mkdir(parents=True, exist_ok=True)
    result = DemoResult(folder, {}, {})
    month = last_full_month(today)
    for lang, name in (("en", "acctbook-demo.xlsx"), ("he", "acctbook-demo.he.xlsx")):
        _keep_previous(folder / name)
        p = new(folder / name, lang=lang, demo=True, today=today, overwrite=True)
        result.books[lang] = p
        result.checks[lang] = check(p, today)
        result.refreshes[lang] = refresh(p, today)
        deal = demo_deal(load(p), lang)
        if deal is not None:
            result.contracts[lang] = _demo_contract(p, deal, folder / "contracts", today, pdf)
        result.reports[lang] = report(p, month, out=folder / "reports" / lang, pdf=pdf, today=today)
    return result


def _keep_previous(path: Path) -> None:
    """A demo book from an earlier run (perhaps edited) is kept as BOOK.previous.xlsx."""
    if path.exists():
        from .xlsxpatch import refuse_if_open
        refuse_if_open(path)
        path.replace(path.with_name(f"{path.stem}.previous{path.suffix}"))


def _demo_contract(path: Path, deal: str, out: Path, today: dt.date, pdf: bool):
    """make_contract, first removing this demo's own document from an earlier run (the
    workbook was made afresh, so the contract gets the same number and name again)."""
    from . import contract as C
    book = load(path)
    cid = C.next_contract_id(book.frame("Contracts")["contract_id"], today)
    deals, clients = book.frame("Deals"), book.frame("Clients")
    client_id = deals.loc[deals["deal_id"] == deal, "client_id"].iloc[0]
    name = clients.loc[clients["client_id"] == client_id, "name"].iloc[0]
    stem = Path(C.safe_file_name(cid, C.clean(name) or client_id)).stem
    for ext in (".docx", ".pdf"):
        (out / (stem + ext)).unlink(missing_ok=True)
    return C.make_contract(path, deal, today, out_dir=out, pdf=pdf)


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
    today = _today(today)
    month = (month or "").strip() or last_full_month(today)
    rp.refuse_unstarted(month, today)           # a bad or future month: before any reading
    book = load(path)
    if sheet:
        from .xlsxpatch import refuse_unless_writable
        refuse_unless_writable(path)            # open in Excel or read-only: before any file
    figures = rp.month_figures(book, month, today)    # the current month: to date
    out_dir = Path(out) if out is not None else Path(path).resolve().parent
    files = rp.write_report_files(figures, out_dir, book.lang, pdf=pdf)
    name = None
    if sheet:
        from .writeback import write_report_sheet
        try:
            name = write_report_sheet(path, figures, book.lang)
        except BaseException:           # e.g. Excel holds the book: all or nothing
            for made in files.values():
                Path(made).unlink(missing_ok=True)
            raise
    return ReportResult(figures.month, figures, files, name)
