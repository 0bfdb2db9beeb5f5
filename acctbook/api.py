"""The Python API: one function per command. The CLI calls these; the Excel buttons
(acctbook.excel) call the same layers on the open workbook.

Each function takes paths and plain values, returns a result value (acctbook.book.results),
and raises only AcctbookError (bad files, refused requests). Bad data comes back as
Problems. This is the one place that reads the clock: everything below gets `today`.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from acctbook import history as book_history
from acctbook import jobs, upgrading
from acctbook import parallel, teams
from acctbook import calendars

if TYPE_CHECKING:      # imported by the commands that use them: any command starts sooner
    from acctbook import briefs, campaigning, importing
from acctbook.book.history import CLI, Stamp
from acctbook.book.i18n import system_lang
from acctbook.book.model import Book
from acctbook.book.results import (BatchItem, Change, CheckResult, ContractResult,  # noqa: F401
                                   DemoResult, QuoteResult, RefreshResult, ReportResult)
from acctbook.documents.figures import last_full_month  # noqa: F401 - acctbook.api.last_full_month

demo_deal = jobs.demo_deal
message = jobs.message               # an AcctbookError's one line, in a language (he or en)
expand_books = jobs.expand_books     # folders and patterns ('books/*.xlsx') into workbooks
_refresh_books = jobs.batch          # (batch's own `jobs` argument hides the module)
# `progress`: an optional callable progress(step, done, total), told each step of a slow
# command as it starts (done of total steps finished); the CLI draws it, a script may log it.
Progress = jobs.Progress


def _today(today: dt.date | None) -> dt.date:
    # The one place that reads the clock; the core always gets `today` passed in.
    return today or dt.date.today()


def _stamp(today: dt.date | None) -> Stamp:
    """A History row's when, where from and who: the --today date when one is given, else
    the clock's moment; the system's user name where it gives one."""
    return Stamp(today or dt.datetime.now().replace(microsecond=0), CLI, _user())


def _user() -> str | None:
    import getpass
    try:
        return getpass.getuser() or None
    except Exception:       # noqa: BLE001 - no user name (no USERNAME, no passwd entry)
        return None


def new(path, lang: str = "en", demo: bool = False, today: dt.date | None = None,
        seed: int | None = None, overwrite: bool = False, macros: bool = False,
        lite: bool = True) -> Path:
    """Create a workbook from the schema, optionally filled with the demo data.

    An existing file is never replaced unless `overwrite` (the demo's own files).
    `lite`: xlwings Lite's code and shape buttons on Home (the default); `macros`: an
    .xlsm with the standalone xlwings VBA module and form buttons instead.
    """
    return jobs.new(path, lang, demo, _today(today), seed, overwrite, macros, lite)


def load(path) -> Book:
    return jobs.load(path)


def check(path, today: dt.date | None = None, progress: Progress | None = None) -> CheckResult:
    """Validate every rule (docs/problems.md); all problems, never the first only."""
    return jobs.check(path, _today(today), progress)


def refresh(path, today: dt.date | None = None, dry_run: bool = False,
            adopt_rows: bool = False, progress: Progress | None = None,
            calendar=None, days: int = calendars.DEFAULT_DAYS) -> RefreshResult:
    """Check, compute follow-ups, ranking and risk, and write them into the book.
    `adopt_rows`: rows typed just below a table join it first (its ref grows over them).
    `calendar`: an .ics path the refresh also rewrites from its own results (the next
    `days` days, as `calendar`), once the book is written; a dry run writes neither."""
    day = _today(today)
    target = calendars.calendar_path(path, calendar) if calendar is not None else None
    if target is not None:
        calendars.check_days(days)
    r = jobs.refresh(path, day, dry_run=dry_run, adopt_rows=adopt_rows, progress=progress,
                     stamp=_stamp(today))
    if target is not None and r.written:
        r.calendar = calendars.write_calendar(r.book, r.problems, r.results, day, target, days)
    return r


def calendar(path, out=None, today: dt.date | None = None,
             days: int = calendars.DEFAULT_DAYS,
             progress: Progress | None = None) -> calendars.CalendarResult:
    """The book's follow-ups, contract renewals, complaint SLAs, events and birthdays from
    today to today + `days`, as an iCalendar file (`out`, default `<book>.ics` beside the
    book); the workbook is only read (docs/calendar.md)."""
    return calendars.calendar(path, _today(today), out=out, days=days,
                              step=jobs.steps(progress, 4))


def calls(path, today: dt.date | None = None, progress: Progress | None = None):
    """The call queue (docs/rules.md, "The call queue") without writing anything; only the
    tables it uses are read (jobs.CALLS_TABLES)."""
    return calls_result(path, today, progress).results.queue


def calls_result(path, today: dt.date | None = None,
                 progress: Progress | None = None) -> RefreshResult:
    """`calls` with its book and the problems of the tables it read (the CLI's)."""
    return jobs.calls(path, _today(today), progress=progress)


def batch(paths: Iterable, today: dt.date | None = None,
          on_done: Callable[[BatchItem], None] | None = None,
          lang: str | None = None, jobs: int = 1,
          scheduler: str | None = None) -> list[BatchItem]:
    """Refresh many workbooks; one bad workbook does not stop the others. A failure is said
    in its book's language, or in `lang` (default: the system's) when none was read.
    `jobs` > 1: that many processes; `scheduler`: a Dask cluster's address (docs/team.md);
    then each item comes back without its Book."""
    mapper = None if jobs == 1 and not scheduler else functools.partial(
        parallel.map_books, jobs=jobs, scheduler=scheduler)
    return _refresh_books(paths, _today(today), on_done, lang, _stamp(today), mapper)


def team(books: Iterable, out=None, html: bool = False, lang: str | None = None,
         jobs: int | None = None, scheduler: str | None = None,
         today: dt.date | None = None, progress: Progress | None = None,
         write: bool = True) -> teams.TeamResult:
    """The team roll-up over many managers' books (docs/team.md), read only: the team
    workbook `out` (default team.xlsx here; never one of the books) and with `html` its
    dashboard page, in `lang` (default: the system's); `write=False`: the content only
    (--json). The books are read in `jobs` processes (default: the cores) or on the Dask
    cluster at `scheduler`; one that cannot be read is listed, the rest go on."""
    day, lang = _today(today), lang or system_lang()
    xlsx, page = teams.target(out, html) if write else (None, None)
    found = teams.books_to_read(books, expand_books(books), xlsx, lang)
    todo = [p for p, why in found if why is None]
    summaries = parallel.map_books(
        functools.partial(teams.book_summary, today=day, lang=lang), todo, jobs, scheduler,
        teams.progress_of(progress, todo, lang))
    return teams.finish(found, summaries, day, lang, xlsx, page)


def demo(folder=None, today: dt.date | None = None, pdf: bool = False,
         progress: Progress | None = None) -> DemoResult:
    """The whole day on the built-in example, in English and in Hebrew (see jobs.demo)."""
    return jobs.demo(folder, _today(today), pdf, progress)


def contract(path, deal_id: str, out=None, pdf: bool = False,
             today: dt.date | None = None, progress: Progress | None = None,
             new_version: bool = False) -> ContractResult:
    """Fill the contract template for a deal; add its Contracts row (Status Draft, File).
    A deal that has a contract is refused unless new_version: then the new one supersedes
    it (its Status becomes Superseded) and the result lists what changed."""
    return jobs.contract(path, deal_id, _today(today), out_dir=out, pdf=pdf, progress=progress,
                         stamp=_stamp(today), new_version=new_version)


def quote(path, deal_id: str, out=None, pdf: bool = False, valid_days: int | None = None,
          today: dt.date | None = None, progress: Progress | None = None) -> QuoteResult:
    """Make a price quote for a deal; log it in Interactions, fill the deal's Last quote and
    move it to Proposal from an earlier stage."""
    return jobs.quote(path, deal_id, _today(today), out_dir=out, pdf=pdf, valid_days=valid_days,
                      progress=progress, stamp=_stamp(today))


def order_document(command: str, path, order_id: str, out=None, pdf: bool = False,
                   today: dt.date | None = None, progress: Progress | None = None):
    """`delivery-note` or `invoice` for an order (Order ID): the document, its number on the
    order's lines (an invoice: also Invoice date and Invoice due where blank)."""
    return jobs.order_document(command, path, order_id, _today(today), out_dir=out, pdf=pdf,
                               progress=progress, stamp=_stamp(today))


def delivery_note(path, order_id: str, **kw):
    """The delivery note of an order: ordered, delivered, still to deliver."""
    return order_document("delivery-note", path, order_id, **kw)


def invoice(path, order_id: str, **kw):
    """The proforma invoice of an order: lines, VAT, total, due date, bank details."""
    return order_document("invoice", path, order_id, **kw)


def report(path, month: str | None = None, out=None, pdf: bool = False,
           today: dt.date | None = None, sheet: bool = True,
           progress: Progress | None = None) -> ReportResult:
    """The monthly report: figures, the `Report YYYY-MM` sheet, HTML (and PDF)."""
    return jobs.report(path, month, _today(today), out=out, pdf=pdf, sheet=sheet,
                       progress=progress, stamp=_stamp(today))


def brief(path, client_id: str, out=None, pdf: bool = False, today: dt.date | None = None,
          progress: Progress | None = None, write: bool = True) -> briefs.BriefResult:
    """One client on one page (acctbook.core.brief): `brief-<client id>.html` (and .pdf)
    in `out`, default beside the workbook; `write=False`: the content only (.brief), no
    file (--json). The workbook is only read; an unknown Client ID is refused."""
    from acctbook import briefs
    return briefs.brief(path, client_id, _today(today), out=out, pdf=pdf, write=write,
                        step=jobs.steps(progress, 4 if write else 3))


def campaign(path, campaign_id: str, out=None, send: bool = False, dry_run: bool = False,
             all_contacts: bool = False, today: dt.date | None = None,
             progress: Progress | None = None) -> campaigning.CampaignResult:
    """A Campaigns row's messages (docs/campaigns.md): the audience's primary contacts (every
    contact with `all_contacts`) who consented, each message rendered from its template;
    `.eml` files in `out` (default: a folder beside the book named after the campaign), the
    letters' .docx for Channel Mail, or with `send` through SMTP; each one logged in
    Interactions (and Attendance for an Event invitation) with a History row, in one write.
    `dry_run`: who would get it and who is skipped, nothing sent or written."""
    from acctbook import campaigning
    return campaigning.campaign(path, campaign_id, _today(today), out=out, send=send,
                                dry_run=dry_run, all_contacts=all_contacts,
                                step=jobs.steps(progress, 4 if dry_run else 7),
                                stamp=_stamp(today))


def history(path) -> book_history.HistoryResult:
    """What acctbook wrote into the book, from its History table, oldest first."""
    return book_history.history(path)


def history_text(path, as_json: bool = False) -> str:
    """What `acctbook history` prints: a line per History row, or JSON (`as_json`)."""
    return book_history.text(history(path), as_json)


def upgrade(path, dry_run: bool = False, macros: bool = False,
            today: dt.date | None = None):
    """Bring a book made by an earlier acctbook to the current version in place: Lite code,
    Home buttons, new columns, tables and settings (acctbook.upgrading); `macros`: also
    BOOK.xlsm beside it with the desktop buttons. Its History row is dated `today` when
    given, else by the clock. Returns an upgrading.UpgradeResult."""
    return upgrading.upgrade(path, _stamp(today), dry_run=dry_run, macros=macros)


def import_(sources, into, lang: str | None = None, maps=(), sheet: str | None = None,
            dry_run: bool = False, today: dt.date | None = None) -> importing.ImportResult:
    """Import client lists (and contact logs) into the book `into`, made when missing
    (see acctbook.importing); `maps`: "Header=Column" overrides; nothing written on a
    dry run. The result's exit_code is 1 when the sources had faults (reported)."""
    from acctbook import importing
    return importing.import_(sources, into, _today(today), lang=lang, maps=maps, sheet=sheet,
                             dry_run=dry_run, stamp=_stamp(today))


def import_text(result: importing.ImportResult, as_json: bool = False) -> str:
    """What `acctbook import` prints: the mapping, problems and counts, or JSON."""
    from acctbook import importing
    return importing.text(result, as_json)
