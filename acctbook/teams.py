"""`acctbook team`: the head of sales' roll-up over many managers' books (docs/team.md).

`book_summary(path, today, lang)` is the per-book work: it reads one book through the file
adapter (never writes it), checks it and computes what refresh computes, and sums it up as a
core.team.BookSummary: plain values. It is a module-level function that never raises, so
acctbook.parallel can run it in a process pool or on a Dask cluster. `finish` combines the
summaries (core.team.combine) and writes the team workbook (create/team_book.py) and, with
html, its dashboard page (documents/team_html.py). acctbook.api wires the three together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any, Callable, Iterable

from acctbook.book import schema
from acctbook.book.coerce import load_book
from acctbook.book.history import rows_from_table
from acctbook.book.i18n import said, tr, trn
from acctbook.book.model import AcctbookError, Refused
from acctbook.book.rules import check_book
from acctbook.book.team_schema import TEAM_TABLES
from acctbook.core import plan
from acctbook.core.team import BookSummary, Team, combine, summarise
from acctbook.create.team_book import table_rows, write_team_book
from acctbook.documents.team_html import write_team_html
from acctbook.xlsx.file import open_book
from acctbook.xlsx.patch import refuse_if_open

DEFAULT_OUT = "team.xlsx"


@dataclasses.dataclass
class TeamResult:
    team: Team
    lang: str
    files: dict[str, Path]                 # "xlsx", "html": what was written (none: --json)
    summaries: list[BookSummary]

    @property
    def exit_code(self) -> int:
        """0: every book read; 2: a book could not be read (the rest are in the team)."""
        return 2 if self.team.unread else 0


# --- one book: the work a process or a Dask worker does ---------------------------------------
def book_summary(path: str, today: dt.date, lang: str) -> BookSummary:
    """One book summed up (core/team.py summarise), read only. Never raises: a book that
    cannot be read is a summary whose `error` says why, in `lang`."""
    try:
        wbf = open_book(path)
        raws = wbf.read_tables([*schema.TABLES, schema.HISTORY.name])
        history = raws.pop(schema.HISTORY.name, None)
        book = load_book(raws, str(path))
        problems = check_book(book, today)
        results = plan.refresh_results(book, problems, today)
        return summarise(book, problems, results, today, str(path), last_refresh(history, path))
    except AcctbookError as e:
        return BookSummary(str(path), error=reason(e, lang, path))
    except Exception as e:  # noqa: BLE001 - one broken book must not stop the others
        return BookSummary(str(path), error=tr(lang, "internal error ({error})").format(
            error=f"{type(e).__name__}: {e}"))


def reason(e: BaseException, lang: str, path) -> str:
    """An AcctbookError's message in `lang` (as acctbook.jobs.message says it), without the
    path it starts with."""
    msgid = getattr(e, "msgid", None)
    text = str(e) if msgid is None else tr(lang, msgid).format(**{
        k: reason(v, lang, path) if getattr(v, "msgid", None) else v
        for k, v in getattr(e, "msgargs", {}).items()})
    prefix = f"{path}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def last_refresh(history, path) -> dt.datetime | None:
    """The latest refresh in the book's History table, else the file's modification time
    (to the second)."""
    if history is not None:
        rows = rows_from_table(history.headers, history.rows)
        whens = [_moment(r["when"]) for r in rows if r.get("command") == "refresh"]
        whens = [w for w in whens if w is not None]
        if whens:
            return max(whens)
    try:
        return dt.datetime.fromtimestamp(os.stat(path).st_mtime).replace(microsecond=0)
    except OSError:
        return None


def _moment(v: Any) -> dt.datetime | None:
    if isinstance(v, dt.datetime):
        return v.replace(microsecond=0)
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time())
    return None


# --- before the work: which books, and where the team workbook goes -------------------------
def target(out, html: bool) -> tuple[Path, Path | None]:
    """(the team workbook, its HTML page beside it or None): default team.xlsx here; a
    folder gets team.xlsx in it."""
    xlsx = Path(out) if out else Path(DEFAULT_OUT)
    if xlsx.is_dir():
        xlsx = xlsx / DEFAULT_OUT
    elif xlsx.suffix.lower() != ".xlsx":
        xlsx = xlsx.with_name(xlsx.name + ".xlsx")
    return xlsx, xlsx.with_suffix(".html") if html else None


def _same(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def books_to_read(args: Iterable, found: list[tuple[str, str | None]], out: Path | None,
                  lang: str) -> list[tuple[str, str | None]]:
    """The expanded arguments (jobs.expand_books) without the team workbook itself, which a
    folder or a pattern may have found (a previous run's). A book named on its own that IS
    the team workbook is refused: acctbook team never writes a manager's book."""
    if out is None:
        return list(found)
    for arg in args:
        if Path(arg).is_file() and _same(arg, out):
            raise said(Refused, tr("en", "{book} is one of the books to read; acctbook team "
                                         "never writes a manager's book (choose another "
                                         "--out)"), book=os.fspath(arg))
    return [(p, why) for p, why in found if why is not None or not _same(p, out)]


def progress_of(progress: Callable[[str, int, int], None] | None, names: list[str],
                lang: str) -> Callable[[int, Any], None] | None:
    """map_books' on_done(index, summary) as progress(step, done, total) steps."""
    if progress is None:
        return None
    total, done = len(names), [0]
    progress(trn(lang, "reading {n} book", "reading {n} books", total).format(n=total), 0,
             total)

    def on_done(i: int, _summary: Any) -> None:
        done[0] += 1
        progress(tr(lang, "read {book}").format(book=Path(names[i]).name), done[0], total)
    return on_done


# --- after the work ---------------------------------------------------------------------------
def finish(found: list[tuple[str, str | None]], summaries: list[BookSummary], today: dt.date,
           lang: str, xlsx: Path | None, html: Path | None) -> TeamResult:
    """The team from the summaries of the books read (in `found`'s order; an argument that
    matched nothing is a book not read), written to `xlsx` (and `html`) unless None."""
    done = iter(summaries)
    ordered = [BookSummary(p, error=tr(lang, why)) if why is not None else next(done)
               for p, why in found]
    ordered = [dataclasses.replace(s, path=p) for s, (p, _why) in zip(ordered, found)]
    team = combine(ordered, today)
    files: dict[str, Path] = {}
    if xlsx is not None:
        refuse_if_open(xlsx)
        try:
            files["xlsx"] = write_team_book(team, xlsx, lang)
            if html is not None:
                files["html"] = write_team_html(team, html, lang)
        except PermissionError as e:
            raise said(Refused, tr("en", "{file}: cannot write it ({error}); close it and "
                                         "try again"), file=os.fspath(e.filename or xlsx),
                       error=e.strerror or str(e)) from e
    return TeamResult(team, lang, files, ordered)


def as_json(team: Team, lang: str) -> dict[str, Any]:
    """The team workbook's content as data: each table's rows under its name, keys the
    schema's, values canonical (stages, statuses in English; dates ISO), and the totals."""
    def plain(row: dict[str, Any]) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else _iso(v) for k, v in row.items()}
    out: dict[str, Any] = {"today": team.today.isoformat(), "lang": lang,
                           "currencies": list(team.currencies)}
    for spec in TEAM_TABLES:
        out[spec.name] = [plain(r) for r in table_rows(team, spec)]
    out["totals"] = [plain(r) for r in team.totals]
    return out


def _iso(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="minutes" if v.second == 0 else "seconds")
    return v.isoformat() if isinstance(v, dt.date) else v
