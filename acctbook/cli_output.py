"""What the `acctbook` command prints, beside the parsing in cli.py: JSON values, the
problem counts, a batch book's line, the day-off note. Every word in the reader's language
(acctbook.book.i18n)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from typing import Any

from acctbook.book import schema
from acctbook.book.i18n import tr, trn
from acctbook.core.workdays import Calendar


def holidays_of(country: str, lang: str) -> str:
    if country == "IL":
        return tr(lang, "Israeli holidays")
    return tr(lang, "{country} holidays").format(country=country)


def day_off_notice(book, today: dt.date | None) -> None:
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
    lang = book.lang
    days_off = f", {holidays_of(country, lang)}" if country else ""
    print(tr(lang, "note: {day} is not a working day ({week}{days_off} and the Holidays "
                   "table); follow-ups never fall on it: promises and cadence move to the next "
                   "working day, renewals to the one before").format(
        day=today.isoformat(), week=week, days_off=days_off), file=sys.stderr)


# The direction marks a Hebrew sheet's text carries for Excel (book/bidi.py): JSON is data,
# and a script comparing a reason should not meet invisible characters.
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                "\u2066\u2067\u2068\u2069"))


def jsonable(v: Any) -> Any:
    if isinstance(v, str):
        return v.translate(_MARKS)
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


def print_json(data) -> None:
    # \u escapes where the output cannot hold Hebrew (a file redirected on a cp1252 Windows)
    utf = "utf" in (getattr(sys.stdout, "encoding", "") or "").lower()
    json.dump(data, sys.stdout, ensure_ascii=not utf, indent=1, default=jsonable)
    sys.stdout.write("\n")


def summary(problems, lang: str) -> str:
    e = sum(p.severity == "error" for p in problems)
    w = len(problems) - e
    return (trn(lang, "{n} error", "{n} errors", e).format(n=e) + ", "
            + trn(lang, "{n} warning", "{n} warnings", w).format(n=w))


def show_value(v, lang: str) -> str:
    v = jsonable(v)
    return tr(lang, "(blank)") if v is None or v == "" else str(v)


def batch_line(item, lang: str) -> str:
    """One book's line: in its own language when it was read, else in `lang`."""
    if not item.ok:
        lang = getattr(item, "lang", None) or lang
        state = (tr(lang, "refused ({why})") if item.failure_code == 1 else
                 tr(lang, "unreadable ({why})")).format(why=item.reason)
        return f"FAIL  {item.path}: {state}"
    r = item.result
    lang = r.book.lang if r.book is not None else getattr(item, "lang", None) or lang
    n = len(r.errors)
    state = (trn(lang, "refreshed with {n} error", "refreshed with {n} errors", n).format(n=n)
             if n else tr(lang, "refreshed"))
    calls = tr(lang, "{calls} call(s)").format(calls=len(r.results.queue))
    return f"ok    {item.path}: {state}; {calls}, {summary(r.problems, lang)}"


def streams_never_fail() -> None:
    """A console or file whose encoding lacks a character (a Hebrew name printed to a cp1252
    console, or redirected to a file on Windows) gets '?' for it instead of an error."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):      # a stream that cannot change: leave it
                pass


NEW_VERSION_HELP = ("the deal already has a contract: make its next version (CTR-YYYY-NNNN-v2), "
                    "mark the earlier one Superseded and list what changed")


def superseded(r, lang: str) -> list[str]:
    """After `contract --new-version`: the earlier contract now Superseded, and what
    changed since it, a line each (nothing for a first contract)."""
    if not r.supersedes:
        return []
    table = schema.CONTRACTS
    return [tr(lang, "{earlier} in {sheet}: {column} {value}; what changed:").format(
        earlier=r.supersedes, sheet=table.sheet(lang), column=table.column("status").label(lang),
        value=schema.show_choice("Superseded", lang))] + [f"  {line}" for line in r.changes]


def printable(console, text: str) -> str:
    """`text`, or its ASCII form ('?' for what it lacks) where the (rich) console cannot
    print it."""
    try:
        text.encode(console.encoding)
        return text
    except (UnicodeError, LookupError):
        return text.encode("ascii", "replace").decode("ascii")


def order_document_line(r, lang: str, book) -> str:
    """`delivery-note` / `invoice`: the number, the files, the cells it filled in the book."""
    files = ", ".join(str(f) for f in (r.docx, r.pdf) if f)
    column = schema.ORDERS.column("delivery_note" if r.command == "delivery-note"
                                  else "invoice_no").label(lang)
    line = trn(lang, "{number}: {files}; {sheet} {column} filled on {count} line of order "
                     "{order} in {book}",
               "{number}: {files}; {sheet} {column} filled on {count} lines of order "
               "{order} in {book}", len(r.rows)).format(
        number=r.number, files=files, sheet=schema.ORDERS.sheet(lang), column=column,
        count=len(r.rows), order=r.order_id, book=book)
    if r.invoice_due:
        line += tr(lang, "; due {date}").format(date=r.invoice_due.isoformat())
    return line
