"""The commands that prepare a meeting: brief (the client on one page) and calendar (the
follow-ups and dates as an iCalendar file), each a parser and a function that calls one api
function and prints what it made."""

from __future__ import annotations

import argparse
from pathlib import Path

from acctbook import api
from acctbook.book.i18n import tr
from acctbook.cli_common import (USAGE_LANG, book_argument, document_options, errors_exit,
                                 lang_of, progress_bar, today_option)
from acctbook.cli_output import print_json
from acctbook.core.brief import as_json
from acctbook.core.calendar_items import DEFAULT_DAYS


def cmd_brief(a) -> int:
    with progress_bar(a, tr("en", "brief for {client}"), client=a.client_id) as progress:
        r = api.brief(a.book, a.client_id, out=a.out, pdf=a.pdf, today=a.today,
                      progress=progress, write=not a.json)
    lang = lang_of(a, r)
    if a.json:
        print_json(as_json(r.brief))
    else:
        print(tr(lang, "brief of {client}: {files}").format(
            client=r.brief.client.client_id, files=", ".join(str(f) for f in r.files.values())))
    return errors_exit(a, r.problems, lang)     # made all the same, as refresh would


def brief_commands(add) -> None:
    """`acctbook brief`."""
    p = add("brief", cmd_brief, "one client on one page before a meeting (HTML, PDF, JSON)")
    book_argument(p)
    p.add_argument("client_id", metavar="CLIENT_ID",
                   help="the client's Client ID in the Clients sheet (e.g. C-004)")
    document_options(p)
    today_option(p)


def days_arg(text: str) -> int:
    """--days: a whole number of days, 0 or more (0: today only)."""
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(tr(USAGE_LANG.get(), "'{text}' is not a number of "
                                                              "days (0 or more)").format(text=text))
    return days


DAYS_HELP = f"the calendar's days from today (default: {DEFAULT_DAYS}; 0: today only)"


def cmd_calendar(a) -> int:
    with progress_bar(a, tr("en", "calendar of {book}"), book=Path(a.book).name) as progress:
        r = api.calendar(a.book, out=a.out, today=a.today, days=a.days, progress=progress)
    lang = lang_of(a, r)
    print(r.line(lang))
    return errors_exit(a, r.problems, lang)     # the calendar is made all the same


def calendar_options(p) -> None:
    """`refresh --calendar FILE.ics [--days N]`: the refresh rewrites that calendar too."""
    p.add_argument("--calendar", metavar="FILE.ics",
                   help="also rewrite this calendar file from the refresh (as acctbook "
                        "calendar; not on a dry run)")
    p.add_argument("--days", type=days_arg, default=DEFAULT_DAYS, metavar="N",
                   help=DAYS_HELP + ", with --calendar")


def calendar_commands(add) -> None:
    """`acctbook calendar`."""
    p = add("calendar", cmd_calendar, "follow-ups, renewals, SLAs, events, birthdays as .ics")
    book_argument(p, json=False)
    p.add_argument("--out", metavar="FILE.ics",
                   help="the calendar file, or a folder for it (default: BOOK's name with .ics, "
                        "beside it)")
    p.add_argument("--days", type=days_arg, default=DEFAULT_DAYS, metavar="N", help=DAYS_HELP)
    today_option(p)
