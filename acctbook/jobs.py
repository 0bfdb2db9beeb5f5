"""What each command does end to end, on a workbook file: read it, run the pure layers, write
documents and the workbook back. The one place that combines the file adapter (acctbook.xlsx)
with the documents and the workbook makers (ARCHITECTURE.md). `today` always comes in from
acctbook.api, which alone reads the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import glob
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

from acctbook import __version__
from acctbook.book import schema
from acctbook.book.adapter import row_by_header, user_cells
from acctbook.book.gcpause import paused
from acctbook.book.history import Stamp, history_row
from acctbook.book.i18n import said, system_lang, tr, translator
from acctbook.book.model import AcctbookError, Book, Refused, speaking
from acctbook.book.results import (BatchItem, CheckResult, ContractResult, DemoResult,
                                   OrderDocumentResult, QuoteResult, RefreshResult,
                                   ReportResult)
from acctbook.book.rules import EarlyRules, check_book
from acctbook.core import plan
from acctbook.core.early import EarlyWork
from acctbook.core.upgrade_plan import version_problem
from acctbook.create.demo import DEMO_SEED, demo_data
from acctbook.create.workbook import create_workbook
from acctbook.documents import contract as ct
from acctbook.documents import delivery_note, invoice
from acctbook.documents import engine
from acctbook.documents import quote as qt
from acctbook.documents import versions
from acctbook.documents import pdf as pdfs
from acctbook.documents.docx import ContractError, clean, render_contract
from acctbook.documents.engine import DocumentKind, Register
from acctbook.documents.figures import last_full_month, month_figures, refuse_unstarted
from acctbook.documents.report_html import write_report_files
from acctbook.documents.report_sheet import build_report_xlsx, report_sheet_name
from acctbook.xlsx.file import WorkbookFile, open_book
from acctbook.xlsx.patch import SheetImport, refuse_if_open, refuse_unless_writable
from acctbook.xlsx.read import give_back_memory, read_book
from acctbook.xlsx.upgrade import read_stamp

# progress(step, done, total): the step now starting, `done` of `total` steps finished; a
# plain callable, so a command can say how far it is without knowing of any terminal.
Progress = Callable[[str, int, int], None]


class Step(str):
    """A step as `progress` gets it: its English text, a plain str, carrying its message id
    and arguments (`msgid`, `msgargs`, i18n.said), so whoever shows it says it in the
    reader's language: message(step, lang)."""


def steps(progress: Progress | None, total: int) -> Callable[..., None]:
    """A step counter over `progress` (None: nothing said): each call names the next step,
    `step(tr("en", "reading {book}"), book=name)`; the call after the last one
    (`step(tr("en", "done"))`) gives done == total."""
    count = iter(range(total))

    def step(text: str, **args) -> None:
        if progress is not None:        # no args: the text as it is (an f-string's braces too)
            progress(said(Step, text, **args) if args else _step(text), next(count, total), total)
    return step


def _step(text: str) -> Step:
    s = Step(text)
    s.msgid, s.msgargs = text, {}
    return s


# --- what a failure says, in the book's language ---------------------------------------------
def message(e: BaseException, lang: str) -> str:
    """An AcctbookError's one line in `lang`. An error raised before the book's language was
    known (the file adapter, on a path) carries its English message id and arguments
    (`msgid`, `msgargs`, acctbook.xlsx.package.error) and is said here; any other already
    speaks the book's language."""
    msgid = getattr(e, "msgid", None)
    if msgid is None:
        return str(e)
    args = {k: message(v, lang) if getattr(v, "msgid", None) is not None else v
            for k, v in getattr(e, "msgargs", {}).items()}    # a said step or error inside
    return tr(lang, msgid).format(**args) if args else tr(lang, msgid)


# --- new, check, refresh, batch ---------------------------------------------------------------
def new(path, lang: str, demo: bool, today: dt.date, seed: int | None = None,
        overwrite: bool = False, macros: bool = False, lite: bool = True) -> Path:
    if lang not in schema.LANGS:
        raise AcctbookError(tr(system_lang(), "unknown language '{lang}' (use en or he)").format(
            lang=lang))
    if Path(path).exists() and not overwrite:
        raise Refused(tr(lang, "{book}: already exists; acctbook new never replaces a workbook "
                               "(choose another name)").format(book=path))
    data = settings = None
    if demo:
        data, settings = demo_data(today, seed=DEMO_SEED if seed is None else seed, lang=lang)
    return create_workbook(path, lang=lang, data=data, settings=settings,
                           lite=lite and not macros, macros=macros)


def load(path) -> Book:
    return read_book(path)


@paused
def check(path, today: dt.date, progress: Progress | None = None) -> CheckResult:
    step = steps(progress, 2)
    step(tr("en", "reading {book}"), book=Path(path).name)
    wbf, early = open_book(path), EarlyRules(today)     # rules run as the last sheets parse
    book = wbf.read_book(meanwhile=early)
    step(tr("en", "checking every rule"))
    stamp = read_stamp(wbf.parts)           # an older acctbook made it: `old-book`
    old = version_problem(stamp, __version__, book.lang)
    return CheckResult(str(path), check_book(book, today, early) + ([old] if old else []), book,
                       stamp)


@paused
def refresh(path, today: dt.date, dry_run: bool = False, adopt_rows: bool = False,
            progress: Progress | None = None, stamp: Stamp | None = None) -> RefreshResult:
    """Check, compute, and write the computed cells, Home's figures and the generated sheets.
    `adopt_rows`: each table first grows over the rows typed just below it (a ref change in
    the same write), so they are read, checked and computed as its records. The History row
    (`stamp`: when, where from, who; default `today`, the CLI) goes into the same write; a
    dry run describes it the same way (`history`) and writes nothing."""
    step = steps(progress, 3 + (not dry_run))
    step(tr("en", "reading {book}"), book=Path(path).name)
    wbf = open_book(path)                # the file is read and checked once, then patched
    early = EarlyWork(today)   # rules, then compute's pieces, while the last sheets parse
    book = wbf.read_book(adopt_rows=adopt_rows, meanwhile=early)
    wbf.inflate_ahead([] if dry_run else plan.computed_sheets(book))   # while computing
    step(tr("en", "checking every rule"))
    problems = check_book(book, today, early.rules)
    step(tr("en", "computing follow-ups, ranking and risk"))
    results = plan.refresh_results(book, problems, today, early.digests)
    give_back_memory()           # compute's work frames, before the plan and the write
    home = schema.generated_sheet("Home", book.lang)
    with_home = dry_run or home in wbf.sheet_names()     # a book without Home gets no KPIs
    to_write = plan.plan_refresh(book, problems, results, with_home)
    give_back_memory()
    out = RefreshResult(str(path), today, problems, results, to_write.changes, book=book)
    out.history = history_row("refresh", stamp or Stamp(today), errors=len(out.errors),
                              cells_changed=len(to_write.changes))
    if not dry_run:
        wbf.log(out.history)
        step(tr("en", "writing {book}"), book=Path(path).name)
        with speaking(book.lang):       # e.g. open in Excel: refused in the book's words
            res = wbf.write_refresh(to_write.cells, to_write.sheets)
        out.written = True
        out.backup = str(getattr(res, "backup", None) or "") or None
    return out


# What the call queue reads: every table a follow-up, ranking or risk rule reads (core
# compute.READS) but Campaigns and Bonus payments (their results are not the queue's);
# Deal items, Products and Competitors no rule of it reads. The others are not parsed, and a
# problem in them is check's and refresh's to say.
CALLS_TABLES = tuple(name for name in schema.TABLES if name not in (
    "DealItems", "Products", "Competitors", "Campaigns", "BonusPayments"))


def calls(path, today: dt.date, progress: Progress | None = None) -> RefreshResult:
    """What `refresh --dry-run` says of the call queue, from CALLS_TABLES only and without
    planning a write: results.queue, and the problems of the tables read."""
    step = steps(progress, 3)
    step(tr("en", "reading {book}"), book=Path(path).name)
    book = open_book(path).read_book(tables=CALLS_TABLES)
    step(tr("en", "checking every rule"))
    problems = check_book(book, today)
    step(tr("en", "computing follow-ups, ranking and risk"))
    return RefreshResult(str(path), today, problems,
                         plan.refresh_results(book, problems, today), book=book)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def expand_books(args: Iterable) -> list[tuple[str, str | None]]:
    """The workbooks `batch` works on, in the order given, each once: a folder gives its
    .xlsx/.xlsm files (not its subfolders'), a glob pattern (`books/*.xlsx`, which a Windows
    shell passes on as it is) the files `glob.glob` finds, sorted; either way without Excel's
    `~$` owner files, `*.bak.xlsx` backups and `*.previous.xlsx` demo books. Any other argument
    is taken as it is (the reader says if it is no workbook). Each entry is (path, None), or
    (argument, why) for an argument that matched nothing. Pure path work: Windows paths too."""
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for arg in args:
        text = os.fspath(arg)
        found, why = _books_in(text)
        if not found:
            out.append((text, why))
        for p in found:
            key = os.path.normcase(os.path.abspath(p))
            if key not in seen:
                seen.add(key)
                out.append((p, None))
    return out


def _books_in(text: str) -> tuple[list[str], str | None]:
    path = Path(text)
    if path.is_dir():
        found = sorted((c for c in path.iterdir() if c.suffix.lower() in WORKBOOK_SUFFIXES
                        and _a_book(c.name) and c.is_file()), key=lambda c: c.name)
        return [str(c) for c in found], tr("en", "a folder with no workbook (.xlsx, .xlsm) in it")
    if path.exists() or not any(c in text for c in "*?["):
        return [text], None
    found = sorted(p for p in glob.glob(text) if _a_book(Path(p).name) and os.path.isfile(p))
    return found, tr("en", "no workbook matches this pattern")


def _a_book(name: str) -> bool:
    """Not Excel's owner file of an open book, nor a backup acctbook or the demo kept."""
    return not name.startswith("~$") and \
        not Path(name).stem.lower().endswith((".bak", ".previous"))


def batch(paths: Iterable, today: dt.date,
          on_done: Callable[[BatchItem], None] | None = None,
          lang: str | None = None, stamp: Stamp | None = None,
          map_books: Callable[..., list] | None = None) -> list[BatchItem]:
    """Refresh many workbooks (folders and glob patterns expanded: expand_books); one bad
    workbook does not stop the others; an argument that matched nothing is an item of its own,
    unreadable (exit code 2). A failure is said in its book's language when it was read, else
    in `lang` (default: the system's); the item's `lang` says which. `map_books`
    (acctbook.parallel's, bound to its processes or cluster) runs the books' refreshes."""
    lang = lang or system_lang()
    found, out = expand_books(paths), {}

    def done(i: int, item: BatchItem) -> None:
        out[i] = item
        if on_done:
            on_done(item)
    todo = [i for i, (_p, why) in enumerate(found) if why is None]
    for i, (p, why) in enumerate(found):
        if why is not None:
            item = BatchItem(p, error=f"{p}: {tr(lang, why)}", failure_code=2)
            item.lang = lang
            done(i, item)
        elif map_books is None:
            done(i, batch_book(p, today, lang, stamp))
    if map_books is not None:       # each item back without its Book (`lang`: the book's)
        map_books(functools.partial(batch_book, today=today, lang=lang, stamp=stamp, slim=True),
                  [found[i][0] for i in todo], on_done=lambda k, item: done(
                      todo[k], item.as_given(found[todo[k]][0])))
    return [out[i] for i in range(len(found))]


def batch_book(p: str, today: dt.date, lang: str, stamp: Stamp | None = None,
               slim: bool = False) -> BatchItem:
    """One book of `batch`, refreshed; never raises. `slim`: without its Book and changes."""
    item = _batch_item(p, today, lang, stamp)
    if slim and item.result is not None:
        item.lang, item.result.book, item.result.changes = item.result.book.lang, None, []
    return item


def _batch_item(p: str, today: dt.date, lang: str, stamp: Stamp | None = None) -> BatchItem:
    try:
        return BatchItem(p, refresh(p, today, stamp=stamp))
    except AcctbookError as e:
        said = getattr(e, "lang", None) or lang
        item = BatchItem(p, error=message(e, said), failure_code=e.exit_code)
    except Exception as e:  # one broken book must not stop the others
        said = lang
        item = BatchItem(p, error=tr(lang, "internal error ({error})").format(
            error=f"{type(e).__name__}: {e}"), failure_code=2)
    item.lang = said
    return item


# --- deal documents: contract, quote ------------------------------------------------------------
def contract(path, deal_id: str, today: dt.date, out_dir=None, pdf: bool = False,
             tier_discount: float | None = None, referral: bool | None = None,
             templates_dir=None, progress: Progress | None = None,
             stamp: Stamp | None = None, new_version: bool = False) -> ContractResult:
    """Make the contract for a deal: .docx (and PDF), plus the Contracts row and its History
    row in one write. All or nothing. A deal that has a contract is refused unless
    new_version: then the earlier row's Status becomes Superseded in the same write."""
    made = document(ct.CONTRACT, path, deal_id, today, out_dir, pdf, tier_discount,
                    {"referral": referral, "new_version": new_version}, templates_dir,
                    progress, stamp, write=_write_contract)
    earlier = made.ctx.values.get("earlier")
    result = ContractResult(made.number, made.docx, made.pdf,
                            made.register.appends["Contracts"][0],
                            earlier.id if earlier else None,
                            made.ctx.values.get("changes", []))
    result.lang = made.lang              # the book's language, for the CLI's line
    return result


def quote(path, deal_id: str, today: dt.date, out_dir=None, pdf: bool = False,
          valid_days: int | None = None, tier_discount: float | None = None,
          templates_dir=None, progress: Progress | None = None,
          stamp: Stamp | None = None) -> QuoteResult:
    """Make the quote for a deal: .docx (and PDF), plus its Interactions row, the deal's Last
    quote (and Stage, when earlier than Proposal) and a History row, in one write."""
    made = document(qt.QUOTE, path, deal_id, today, out_dir, pdf, tier_discount,
                    {"valid_days": valid_days}, templates_dir, progress, stamp)
    cells = made.register.updates["Deals"][made.ctx.values["deal_row"]]
    result = QuoteResult(made.number, made.docx, made.pdf, made.ctx.values["deal_id"],
                         made.ctx.values["valid_until"], cells.get("stage"),
                         made.register.appends["Interactions"][0])
    result.lang = made.lang
    return result


def order_document(command: str, path, order_id: str, today: dt.date, out_dir=None,
                   pdf: bool = False, templates_dir=None, progress: Progress | None = None,
                   stamp: Stamp | None = None) -> OrderDocumentResult:
    """`delivery-note` or `invoice` for an order: .docx (and PDF), its number on the order's
    lines (an invoice: its Invoice date and due where blank) and a History row, in one write."""
    kind = {"delivery-note": delivery_note.DELIVERY_NOTE, "invoice": invoice.INVOICE}[command]
    made = document(kind, path, order_id, today, out_dir, pdf, None, {}, templates_dir,
                    progress, stamp)
    v = made.ctx.values
    result = OrderDocumentResult(command, made.number, made.docx, made.pdf, v["order_id"],
                                 v["rows"], v.get("due") and v["date"], v.get("due"))
    result.lang = made.lang
    return result


# What a contract reads (its deal, client, items, products, contacts, rates, contracts, and the
# orders its tier comes from); the others, Interactions the biggest, are not parsed.
CONTRACT_TABLES = tuple(name for name in schema.TABLES if name not in (
    "Interactions", "Complaints", "Competitors", "Events", "Campaigns", "Attendance",
    "BonusPayments"))


@dataclasses.dataclass
class Made:
    """A document made and registered: its number, files, context and Register."""
    number: str
    docx: Path
    pdf: Path | None
    ctx: Any
    register: Register
    lang: str


def document(kind: DocumentKind, path, deal_id: str, today: dt.date, out_dir, pdf: bool,
             tier_discount: float | None, options: dict, templates_dir,
             progress: Progress | None = None, stamp: Stamp | None = None,
             write: Callable[[WorkbookFile, Register], None] | None = None) -> Made:
    """Make document `kind` for a deal: number, context, check, render (and PDF), place the
    files, and write its Register with a History row in one write. All or nothing."""
    path = Path(path)
    step = steps(progress, 3)
    step(tr("en", "reading {book}"), book=path.name)
    wbf = open_book(path)                # read once; its register goes into that read
    book = wbf.read_book(tables=CONTRACT_TABLES if kind is ct.CONTRACT else None)
    with speaking(book.lang):
        if pdf:
            pdfs.check_docx_pdf()      # fail before anything is written, in the book's words
        ctx = _document_context(kind, book, deal_id, today, tier_discount, options)
        template = kind.template(ctx.lang, templates_dir)
        engine.check_fields(template, ctx)
        refuse_unless_writable(path)    # open in Excel or read-only: before any folder or file
        return _place(kind, path, wbf, book, ctx, template, out_dir, pdf, today, step,
                      stamp or Stamp(today), write or write_register)


def _document_context(kind: DocumentKind, book: Book, deal_id: str, today: dt.date,
                      tier_discount: float | None, options: dict):
    if kind.table != "Deals":           # an order's document (Order ID): no deal, no tier
        number = engine.next_number(kind.numbers(book), kind.prefix, today)
        return kind.context(book, deal_id, today, number, None, **options)
    engine.deal_and_client(book, deal_id, kind)       # an unknown or refused deal: first
    deal_rows = ct.find_rows(book.frame("Deals"), "deal_id", str(deal_id).strip())
    if tier_discount is None:
        client_id = clean(book.frame("Deals").at[deal_rows[0], "client_id"])
        tier_discount = engine.client_tier_discount(book, client_id, today)
    number = engine.next_number(kind.numbers(book), kind.prefix, today)
    return kind.context(book, deal_id, today, number, tier_discount, **options)


def _place(kind: DocumentKind, path: Path, wbf: WorkbookFile, book: Book, ctx, template,
           out_dir, pdf: bool, today: dt.date, step: Callable[..., None], stamp: Stamp,
           write: Callable[[WorkbookFile, Register], None]) -> Made:
    say = translator(book.lang)
    number = ctx[kind.name.replace("-", "_")]["id"]
    out = Path(out_dir) if out_dir is not None else path.resolve().parent
    name = engine.safe_file_name(number, ctx.values["client_name"] or ctx["client"]["id"])
    final_docx = out / name
    final_pdf = out / (Path(name).stem + ".pdf") if pdf else None
    for f in (final_docx, final_pdf):
        if f is not None and f.exists():
            raise ContractError(say("{file} already exists; move it away and run again")
                                .format(file=f))
    made_dirs = [d for d in (out, *out.parents) if not d.exists()]
    out.mkdir(parents=True, exist_ok=True)
    placed: list[Path] = []
    try:
        # Rendered in a private folder beside the target, then renamed into place (atomic on
        # one file system); any failure removes whatever was placed, so nothing is left
        # half-done: not even the folders made for it.
        with tempfile.TemporaryDirectory(prefix=".acctbook-", dir=out) as tmp:
            step(tr("en", "writing {file} and its PDF") if pdf else tr("en", "writing {file}"),
                 file=name)
            docx = render_contract(template, ctx, Path(tmp) / name)
            try:
                made_pdf = pdfs.docx_to_pdf(docx, tmp) if pdf else None
            except pdfs.PdfFailed as e:      # the document's failure: exit 1
                raise ContractError(say("could not convert {file} to PDF: {error}").format(
                    file=docx.name, error=message(e, book.lang))) from e
            if made_pdf is not None:
                pdfs.pin_pdf(made_pdf, today, docx.read_bytes())
            os.replace(docx, final_docx)
            placed.append(final_docx)
            if made_pdf is not None:
                os.replace(made_pdf, final_pdf)
                placed.append(final_pdf)
            register = kind.register(ctx, _file_text(final_docx, path))
            step(tr("en", "adding {contract} to {book}"), contract=number, book=path.name)
            wbf.log(history_row(kind.name, stamp, rows_added=sum(map(len, register.appends
                                                                     .values())),
                                documents=len(placed),
                                details=[f"{number}: " + ", ".join(p.name for p in placed)]
                                + register.details))
            write(wbf, register)
    except BaseException:
        _undo(placed, made_dirs)
        raise
    return Made(number, final_docx, final_pdf, ctx, register, book.lang)


def write_register(book_file: WorkbookFile, register: Register) -> None:
    """A document's Register through the file adapter, in one atomic write (with the History
    rows logged): rows appended under the book's own headers, user cells set in place,
    choices shown in the book's language. Columns the book lacks are left out."""
    book = book_file.read_book()
    cells = user_cells(book, register.updates)
    appends = {book.tables[table].spec.name: [row_by_header(book, table, r) for r in rows]
               for table, rows in register.appends.items()}
    book_file.patch(cells or None, appends=appends)


def _undo(placed: list[Path], made_dirs: list[Path]) -> None:
    """A failed contract leaves nothing: its files, then the folders made for them."""
    for f in placed:
        f.unlink(missing_ok=True)
    for d in made_dirs:                 # deepest first; a folder someone filled meanwhile stays
        try:
            d.rmdir()
        except OSError:
            break


def _file_text(doc: Path, book_path: Path) -> str:
    """File as the register shows it: relative to the workbook's folder when inside it."""
    try:
        return str(doc.resolve().relative_to(book_path.resolve().parent))
    except ValueError:
        return str(doc.resolve())


def _write_contract(book_file: WorkbookFile, register: Register) -> None:
    """A first contract appends its row; a new version also sets the earlier row's Status
    (write_register: the row and that cell in one atomic write)."""
    if register.updates:
        write_register(book_file, register)
    else:
        add_contract_row(book_file, register.appends["Contracts"][0])


def add_contract_row(book_file: WorkbookFile, row: dict[str, Any]) -> None:
    """Append `row` (schema keys) to the Contracts table under the book's own header texts,
    choices shown in the book's language. Columns the book lacks are left out."""
    book_file.append_rows("Contracts", [row])


# --- report ------------------------------------------------------------------------------------
def report(path, month: str | None, today: dt.date, out=None, pdf: bool = False,
           sheet: bool = True, progress: Progress | None = None,
           stamp: Stamp | None = None) -> ReportResult:
    """The monthly report: figures, the `Report YYYY-MM` sheet, HTML (and PDF)."""
    month = (month or "").strip() or last_full_month(today)
    refuse_unstarted(month, today)              # a bad or future month: before any reading
    step = steps(progress, 2 + sheet)
    step(tr("en", "reading {book}"), book=Path(path).name)
    wbf = open_book(path)                       # read once; the sheet goes into that read
    book = wbf.read_book()
    with speaking(book.lang):
        return _report(path, wbf, book, month, today, out, pdf, sheet, step,
                       stamp or Stamp(today))


def _report(path, wbf: WorkbookFile, book: Book, month: str, today: dt.date, out, pdf: bool,
            sheet: bool, step: Callable[..., None], stamp: Stamp) -> ReportResult:
    if sheet:
        refuse_unless_writable(path)            # open in Excel or read-only: before any file
    figures = month_figures(book, month, today)       # the current month: to date
    out_dir = Path(out) if out is not None else Path(path).resolve().parent
    step(tr("en", "writing the report for {month} and its PDF") if pdf else
         tr("en", "writing the report for {month}"), month=figures.month)
    files = write_report_files(figures, out_dir, book.lang, pdf=pdf, book=Path(path).name)
    name = None
    if sheet:
        step(tr("en", "adding its sheet to {book}"), book=Path(path).name)
        wbf.log(history_row("report", stamp, documents=sum(1 for f in files.values() if f),
                            details=[report_sheet_name(figures.month, book.lang)]))
        try:
            name = write_report_sheet(wbf, figures, book.lang)
        except BaseException:           # e.g. Excel holds the book: all or nothing
            for made in files.values():
                Path(made).unlink(missing_ok=True)
            raise
    return ReportResult(figures.month, figures, files, name)


def write_report_sheet(path, figures, lang: str) -> str:
    """Put the `Report YYYY-MM` sheet, native charts included, into the workbook; return its
    name. XlsxWriter builds the sheet alone in a temporary file; the zip writer imports it,
    replacing an earlier report for the same month. `path` may be a workbook already opened."""
    wbf = path if isinstance(path, WorkbookFile) else open_book(path)
    name = report_sheet_name(figures.month, lang)
    with tempfile.TemporaryDirectory(prefix="acctbook-report-") as tmp:
        source = build_report_xlsx(figures, lang, Path(tmp) / "report.xlsx")
        wbf.patch(imports=[SheetImport(source, name, name)])
    return name


# --- demo --------------------------------------------------------------------------------------
def demo_deal(book: Book, lang: str) -> str | None:
    """The demo's contract deal: the first open deal in Proposal or Negotiation without a
    contract whose client has a Legal name, a Company number and the Language `lang`."""
    clients = book.frame("Clients")
    by_id = {cid: row for cid, row in zip(clients["client_id"], clients.index) if cid}
    deals = book.frame("Deals")
    for deal_id, client_id, stage in zip(deals["deal_id"], deals["client_id"], deals["stage"]):
        row = by_id.get(client_id)
        if not deal_id or stage not in ("Proposal", "Negotiation") or row is None \
                or versions.deal_contract(book, deal_id) is not None:    # one contract a deal
            continue
        c = clients.loc[row]
        if c["legal_name"] and c["company_number"] and c["language"] == lang:
            return deal_id
    return None


def demo(folder, today: dt.date, pdf: bool = False,
         progress: Progress | None = None) -> DemoResult:
    """The whole day on the built-in example, for each language (en, he): the demo workbook,
    checked and refreshed; a contract for a deal of a client speaking the book's language
    (into contracts/); the report for the last full month (into reports/, HTML; PDF too
    when `pdf`), its sheet added to the workbook."""
    folder = Path(folder or "acctbook-demo")
    folder.mkdir(parents=True, exist_ok=True)
    result = DemoResult(folder, {}, {})
    month = last_full_month(today)
    step = steps(progress, 10)
    for lang, name in (("en", "acctbook-demo.xlsx"), ("he", "acctbook-demo.he.xlsx")):
        which = said(Step, tr("en", "English demo") if lang == "en" else tr("en", "Hebrew demo"))
        step(tr("en", "{which}: making the workbook"), which=which)
        _keep_previous(folder / name)
        p = new(folder / name, lang=lang, demo=True, today=today, overwrite=True)
        result.books[lang] = p
        step(tr("en", "{which}: checking"), which=which)
        result.checks[lang] = check(p, today)
        step(tr("en", "{which}: refreshing"), which=which)
        result.refreshes[lang] = refresh(p, today)
        step(tr("en", "{which}: a contract and its PDF") if pdf else
             tr("en", "{which}: a contract"), which=which)
        deal = demo_deal(load(p), lang)
        if deal is not None:
            result.contracts[lang] = _demo_contract(p, deal, folder / "contracts", today, pdf)
        step(tr("en", "{which}: report {month} and its PDF") if pdf else
             tr("en", "{which}: report {month}"), which=which, month=month)
        result.reports[lang] = report(p, month, today, out=folder / "reports" / lang, pdf=pdf)
    step(tr("en", "done"))
    return result


def _keep_previous(path: Path) -> None:
    """A demo book from an earlier run (perhaps edited) is kept as BOOK.previous.xlsx."""
    if path.exists():
        refuse_if_open(path)
        path.replace(path.with_name(f"{path.stem}.previous{path.suffix}"))


def _demo_contract(path: Path, deal: str, out: Path, today: dt.date, pdf: bool):
    """contract(), first removing this demo's own document from an earlier run (the
    workbook was made afresh, so the contract gets the same number and name again)."""
    book = load(path)
    cid = ct.next_contract_id(book.frame("Contracts")["contract_id"], today)
    deals, clients = book.frame("Deals"), book.frame("Clients")
    client_id = deals.loc[deals["deal_id"] == deal, "client_id"].iloc[0]
    name = clients.loc[clients["client_id"] == client_id, "name"].iloc[0]
    stem = Path(ct.safe_file_name(cid, clean(name) or client_id)).stem
    for ext in (".docx", ".pdf"):
        (out / (stem + ext)).unlink(missing_ok=True)
    return contract(path, deal, today, out_dir=out, pdf=pdf)
