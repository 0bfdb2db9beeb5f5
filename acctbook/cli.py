"""The `acctbook` command: each subcommand parses options and calls one api function.

Every failure ends as one clear line and a non-zero exit (README, "Exit codes"):
0 done; 1 the book has errors or the request was refused; 2 bad usage or a
file that cannot be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Any

from acctbook import api
from acctbook.book.coerce import DATE_MAX, DATE_MIN       # the dates a workbook may hold
from acctbook.book.model import AcctbookError
from acctbook.book.results import BATCH_STATES
from acctbook.core.workdays import Calendar


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise argparse.ArgumentTypeError(f"'{text}' is outside the years "
                                         f"{DATE_MIN.year}–{DATE_MAX.year}")
    return day


# --- the today-notice: a --today far from the clock, or on a day off ---------------------
def _clock() -> dt.date:
    """The system date, only to compare --today with (the work itself gets its date from api)."""
    return dt.date.today()


def _years_on(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:                      # 29 February
        return day.replace(year=day.year + n, day=28)


def _far_notice(today: dt.date | None) -> None:
    """One line on stderr when --today is more than a year from the system date: a fixed
    date in a script stays as given (and the exit code as it was), but never unremarked."""
    if today is None:
        return
    now = _clock()
    if not _years_on(now, -1) <= today <= _years_on(now, 1):
        print(f"note: working as of {today.isoformat()}, more than a year from today's date "
              f"{now.isoformat()}", file=sys.stderr)


HOLIDAYS_OF = {"IL": "Israeli holidays"}


def _day_off_notice(book, today: dt.date | None) -> None:
    """One line on stderr when --today is not a working day on the book's own calendar
    (Settings Work week, Country's public holidays, the Holidays table), so a manager knows
    the follow-ups that would fall on it were moved (docs/rules.md, "Business days")."""
    if today is None:
        return
    s = book.settings
    cal = Calendar.from_settings(s, [today.year])
    if cal.is_business_day(today):
        return
    week = cal.work_week.replace("-", "–")
    country = str(s.country or "").upper()
    days_off = f", {HOLIDAYS_OF.get(country, f'{country} holidays')}" if country else ""
    print(f"note: {today.isoformat()} is not a working day ({week}{days_off} and the Holidays "
          f"table); follow-ups never fall on it: promises and cadence move to the next working "
          f"day, renewals to the one before", file=sys.stderr)


def _jsonable(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if v is not None and type(v).__name__ in ("Timestamp", "NaTType"):
        return None if str(v) == "NaT" else v.date().isoformat()
    return v


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=_jsonable)
    sys.stdout.write("\n")


# --- commands ----------------------------------------------------------------------
def cmd_new(a) -> int:
    p = api.new(a.book, lang=a.lang, demo=a.demo, today=a.today, macros=a.macros)
    print(f"made {p}" + (" with demo data" if a.demo else ""))
    return 0


def _summary(problems) -> str:
    e = sum(p.severity == "error" for p in problems)
    return f"{e} error{'s' * (e != 1)}, {len(problems) - e} warning{'s' * (len(problems) - e != 1)}"


def cmd_check(a) -> int:
    r = api.check(a.book, today=a.today)
    if a.json:
        _print_json([p.as_json() for p in r.problems])
    else:
        for p in r.problems:
            print(p.line(a.book))
        print(f"{a.book}: {_summary(r.problems)}", file=sys.stderr)
    return 1 if r.errors else 0


CLIENT_JSON = ("client_id", "last_contact", "next_follow_up", "follow_up_reason",
               "follow_up_status", "revenue_12m", "class", "rank", "score", "tier", "risk",
               "risk_reasons")


def cmd_refresh(a) -> int:
    r = api.refresh(a.book, today=a.today, dry_run=a.dry_run, adopt_rows=a.adopt_rows)
    _day_off_notice(r.book, a.today)
    if a.json:
        frame = r.results.clients.copy()
        frame["client_id"] = r.book.frame("Clients")["client_id"].reindex(frame.index)
        out = [{k: _jsonable(rec.get(k)) for k in CLIENT_JSON}
               for rec in frame.to_dict("records")]
        _print_json(out)
    else:
        for p in r.problems:
            print(p.line(a.book), file=sys.stderr)
        if a.dry_run:
            for c in r.changes:
                print(f"{a.book}:{c.sheet}!{c.cell}: {_show(c.old)} -> {_show(c.new)}")
            print(f"dry run: {len(r.changes)} computed cell(s) would change; Today would list "
                  f"{len(r.results.queue)} call(s); nothing written")
        else:
            print(f"refreshed {a.book} for {r.today.isoformat()}: {len(r.changes)} cell(s) changed, "
                  f"{len(r.results.queue)} call(s) on Today, {_summary(r.problems)}"
                  + (f"; previous version kept as {r.backup}" if r.backup else ""))
    return 1 if r.errors else 0      # written, but the book has errors


def _show(v) -> str:
    v = _jsonable(v)
    return "(blank)" if v is None or v == "" else str(v)


def cmd_calls(a) -> int:
    res = api.refresh(a.book, today=a.today, dry_run=True)   # api.calls, with the problems
    _day_off_notice(res.book, a.today)
    recs = res.results.queue.to_dict("records")
    status = 1 if res.errors else 0                # 1 when the book has errors (README, "Exit codes")
    if a.json:
        _print_json([{k: _jsonable(v) for k, v in r.items() if k != "client_row"} for r in recs])
        return status
    if not recs:
        print("no calls due")
    for r in recs:
        print(f"{r['position']:>3}. {r['client_id']}  {r.get('name') or ''}  "
              f"[{_show(r.get('next_follow_up'))}]  {r.get('follow_up_reason') or ''}"
              + (f"  {r['contact']}" if r.get("contact") else "")
              + (f"  {r['phone']}" if r.get("phone") else ""))
    if status:
        print(f"{a.book}: {_summary(res.problems)}; run: acctbook check {a.book}",
              file=sys.stderr)
    return status


def _say(line: str) -> None:
    """A progress line; a reader that went away (`| head`) must not stop the work."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def cmd_batch(a) -> int:
    from rich.progress import Progress
    books = [p for p, _why in api.expand_books(a.books)]   # folders and patterns: the bar's length
    counts = dict.fromkeys(BATCH_STATES, 0)
    status = 0
    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("refreshing", total=len(books))

        def done(item):
            nonlocal status
            counts[item.state] += 1
            status = max(status, item.exit_code)
            bar.advance(task)
            if item.ok:
                r = item.result
                _say(f"ok    {item.path}: {item.label}; {len(r.results.queue)} call(s), "
                     f"{_summary(r.problems)}")
            else:
                _say(f"FAIL  {item.path}: {item.label}")
        api.batch(books, today=a.today, on_done=done)
    failed = counts["refused"] + counts["unreadable"]
    _say(f"{len(books) - failed} refreshed ({counts['refreshed with errors']} with errors), "
         f"{failed} failed ({counts['refused']} refused, {counts['unreadable']} unreadable)")
    return status                  # the worst of the books' own exit codes


def cmd_demo(a) -> int:
    r = api.demo(a.dir, today=a.today, pdf=a.pdf)
    print(f"demo in {r.folder}/")
    for lang, p in r.books.items():
        c = r.checks[lang]
        line = f"  {p}  ({lang}): {_summary(c.problems)}"
        if lang in r.refreshes:
            line += f"; refreshed: {len(r.refreshes[lang].results.queue)} calls on Today"
        print(line)
        if lang in r.contracts:
            k = r.contracts[lang]
            print(f"  {k.docx}  ({lang}): contract {k.contract_id}, Contracts row added")
            if k.pdf:
                print(f"  {k.pdf}  ({lang}): contract {k.contract_id} as PDF")
        if lang in r.reports:
            rep = r.reports[lang]
            for p2 in rep.files.values():
                if p2:
                    print(f"  {p2}  ({lang}): report {rep.month}"
                          + (f", sheet '{rep.sheet}' added to {p.name}" if rep.sheet else ""))
    return 0


def cmd_contract(a) -> int:
    r = api.contract(a.book, a.deal_id, out=a.out, pdf=a.pdf, today=a.today)
    print(f"contract {r.contract_id}: {r.docx}" + (f", {r.pdf}" if r.pdf else "")
          + f"; Contracts row added to {a.book} (Status Draft)")
    return 0


def cmd_report(a) -> int:
    r = api.report(a.book, a.month, out=a.out, pdf=a.pdf, today=a.today)
    paths = ", ".join(str(p) for p in r.files.values() if p)
    print(f"report {r.month}: {paths}" + (f"; sheet '{r.sheet}' in {a.book}" if r.sheet else ""))
    return 0


# Options several commands share (sqlite-utils' shared-option habit).
def _today_option(p) -> None:
    p.add_argument("--today", type=_date, help="the date to work as of (YYYY-MM-DD)")


def _book_argument(p, json: bool = True) -> None:
    p.add_argument("book")
    if json:
        p.add_argument("--json", action="store_true", help="print JSON")


def _document_options(p) -> None:
    p.add_argument("--out", help="folder for the documents (default: beside the workbook)")
    p.add_argument("--pdf", action="store_true",
                   help="also a PDF (a contract through Word or LibreOffice, a report through "
                        "Chrome, Edge or Chromium)")


def _workbook_commands(add) -> None:
    p = add("new", cmd_new, "create a workbook from the schema")
    _book_argument(p, json=False)
    p.add_argument("--lang", choices=("en", "he"), default="en")
    p.add_argument("--demo", action="store_true", help="fill it with realistic demo data")
    p.add_argument("--macros", action="store_true",
                   help="a macro-enabled .xlsm with xlwings VBA buttons (desktop xlwings)")
    _today_option(p)
    p = add("demo", cmd_demo, "the main job on a built-in example")
    p.add_argument("dir", nargs="?", default="acctbook-demo")
    p.add_argument("--pdf", action="store_true",
                   help="also PDFs of the contracts and reports (Word or LibreOffice; Chrome, "
                        "Edge or Chromium; slower)")
    _today_option(p)
    p = add("check", cmd_check, "validate a workbook")
    _book_argument(p)
    _today_option(p)
    p = add("refresh", cmd_refresh, "compute follow-ups, ranking, risk; write them back")
    _book_argument(p)
    p.add_argument("--dry-run", action="store_true", help="write nothing; print what would change")
    p.add_argument("--adopt-rows", action="store_true",
                   help="first grow each table over the rows typed just below it")
    _today_option(p)
    p = add("calls", cmd_calls, "print the call queue")
    _book_argument(p)
    _today_option(p)


def _document_commands(add) -> None:
    p = add("contract", cmd_contract, "fill the contract template for a deal")
    _book_argument(p, json=False)
    p.add_argument("deal_id")
    _document_options(p)
    _today_option(p)
    p = add("report", cmd_report, "the monthly report: a sheet, HTML and PDF")
    _book_argument(p, json=False)
    p.add_argument("--month", help="YYYY-MM (default: the last full month)")
    _document_options(p)
    _today_option(p)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="acctbook", description="A key-account manager's workbook, "
                                 "checked and refreshed.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help):
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    _workbook_commands(add)
    _document_commands(add)
    p = add("batch", cmd_batch, "refresh many workbooks")
    p.add_argument("books", nargs="+", metavar="BOOK",
                   help="a workbook, a folder (its .xlsx/.xlsm) or a pattern ('books/*.xlsx')")
    _today_option(p)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _far_notice(getattr(args, "today", None))
    try:
        status = args.func(args)
        sys.stdout.flush()              # a reader gone away shows here, not after exit
        return status
    except AcctbookError as e:
        print(f"acctbook: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("acctbook: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `acctbook check BOOK | head`: the reader stopped reading, so the output is not
        # all out: quietly (no flush error at exit), but never as a success.
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except OSError as e:
        print(f"acctbook: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # never a traceback for the user; say what broke in one line
        print(f"acctbook: internal error ({type(e).__name__}: {e}); please report this",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
