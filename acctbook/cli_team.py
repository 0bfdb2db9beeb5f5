"""The head of sales' command: `acctbook team` (a roll-up over many managers' books,
docs/team.md), and the options it shares with `batch`: --jobs and --scheduler (the books
read in parallel processes, or on a Dask cluster)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable

from acctbook import api
from acctbook.book.i18n import tr, trn
from acctbook.cli_common import USAGE_LANG, lang_of, progress_bar, today_option
from acctbook.cli_output import print_json
from acctbook.parallel import default_jobs
from acctbook.teams import DEFAULT_OUT, as_json


def jobs_arg(text: str) -> int:
    """--jobs: a whole number of processes, 1 or more."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(tr(USAGE_LANG.get(), "'{text}' is not a number of "
                                                              "processes (1 or more)").format(
            text=text))
    return n


def engine_options(p) -> None:
    """--jobs and --scheduler (team and batch)."""
    p.add_argument("--jobs", type=jobs_arg, default=None, metavar="N",
                   help=f"work on the books in N processes (default: the number of cores, "
                        f"{default_jobs()} here; 1: one after the other in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the books on the Dask cluster at ADDRESS (tcp://host:8786); "
                        "needs pip install \"acctbook[dask]\" and the books at the same path "
                        "on every worker")


def in_order(paths: list[str], say: Callable[[Any], None]) -> Callable[[Any], None]:
    """`batch`'s on_done for items that finish in any order (processes, a cluster): each
    item is said once every one before it in `paths` was, so the lines keep their order."""
    slots: dict[str, list[int]] = {}
    for i, p in enumerate(paths):
        slots.setdefault(p, []).append(i)
    waiting: dict[int, Any] = {}
    following = [0]

    def take(item) -> None:
        waiting[slots[item.path].pop(0)] = item
        while following[0] in waiting:
            say(waiting.pop(following[0]))
            following[0] += 1
    return take


def batch_json(item) -> dict:
    """`batch --json`: a book's state (one of BATCH_STATES, stable English), its exit code,
    why it failed (in its language), and when refreshed its errors, warnings and calls."""
    r = item.result
    return {"book": item.path, "state": item.state, "exit_code": item.exit_code,
            "reason": item.reason,
            "errors": None if r is None else len(r.errors),
            "warnings": None if r is None else len(r.warnings),
            "calls": None if r is None else len(r.results.queue)}


def cmd_team(a) -> int:
    lang = lang_of(a)
    with progress_bar(a, tr("en", "reading the books")) as progress:
        r = api.team(a.books, out=a.out, html=a.html, lang=lang, jobs=a.jobs,
                     scheduler=a.scheduler, today=a.today, progress=progress,
                     write=not a.json)
    if a.json:
        print_json(as_json(r.team, lang))
        return r.exit_code
    for row in r.team.unread:
        print(f"{row['book']}: " + tr(lang, "not read ({why})").format(why=row["why"]),
              file=sys.stderr)
    n, conflicts = len(r.team.managers), len({c["conflict"] for c in r.team.conflicts})
    files = ", ".join(str(f) for f in r.files.values())
    print(trn(lang, "{files}: the team of {n} book", "{files}: the team of {n} books", n).format(
        files=files, n=n) + "; " + trn(lang, "{n} client in two managers' books",
                                       "{n} clients in two managers' books",
                                       conflicts).format(n=conflicts)
          + (("; " + trn(lang, "{n} book not read", "{n} books not read",
                         len(r.team.unread)).format(n=len(r.team.unread)))
             if r.team.unread else ""))
    return r.exit_code


def team_commands(add) -> None:
    """`acctbook team`."""
    p = add("team", cmd_team, "a head of sales' roll-up over many managers' books")
    p.add_argument("books", nargs="+", metavar="BOOK_OR_FOLDER",
                   help="a manager's workbook, a folder (its .xlsx/.xlsm) or a pattern "
                        "('books/*.xlsx')")
    p.add_argument("--out", metavar="TEAM.xlsx",
                   help=f"the team workbook to write (default: {DEFAULT_OUT} here; never one "
                        "of the books)")
    p.add_argument("--html", action="store_true",
                   help="also a dashboard page beside it (TEAM.html)")
    engine_options(p)
    p.add_argument("--json", action="store_true",
                   help="print the same content as JSON on stdout; write no file")
    today_option(p)
