"""The History table's rows: what acctbook wrote, kept in the book (docs/workbook.md).

Pure: the caller passes the moment (`Stamp.when`: the --today date when one was given, else
the clock's date and time, read by acctbook.api or the button), where the write came from and
the user name. A command that writes builds one row with history_row() and hands it to its
writer in the same write: `WorkbookFile.log(row)` on a file (acctbook.xlsx.file), then its
patch; `xlbook.book.append_history` on the open workbook.

    from acctbook.book.history import Stamp, history_row
    row = history_row("import", stamp, rows_added=12, details=["C-0001 Acme: City filled"])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from acctbook import __version__
from acctbook.book import schema
from acctbook.book.schema import HISTORY, HISTORY_KEEP, HISTORY_WORDS_HE, fold

__all__ = ["Stamp", "history_row", "sheet_values", "rows_from_table", "HISTORY_KEEP",
           "CLI", "DESKTOP", "LITE"]

CLI, DESKTOP, LITE = "CLI", "desktop button", "Lite"
MAX_DETAILS = 32767            # one Excel cell's text


@dataclass(frozen=True)
class Stamp:
    """Who wrote, when, from where: the part of a History row the command does not count."""
    when: dt.date | dt.datetime
    where_from: str = CLI
    user: str | None = None
    version: str = __version__


def history_row(command: str, stamp: Stamp, *, cells_changed: int = 0, rows_added: int = 0,
                documents: int = 0, errors: int = 0, details: Iterable[str] = ()) -> dict[str, Any]:
    """One History row (schema keys, values canonical: English words, counts as ints).
    `details`: a line per changed record (import, upgrade), kept in one cell, cut to fit."""
    return {"when": stamp.when, "command": command, "where_from": stamp.where_from,
            "version": stamp.version, "user": stamp.user or None,
            "cells_changed": int(cells_changed), "rows_added": int(rows_added),
            "documents": int(documents), "errors": int(errors),
            "details": details_text(details) or None}


def details_text(lines: Iterable[str]) -> str:
    """The lines in one cell, one a line; past a cell's limit the rest is counted, not kept."""
    lines = [str(x) for x in lines if str(x).strip()]
    text = "\n".join(lines)
    if len(text) <= MAX_DETAILS:
        return text
    kept, size = [], 0
    for line in lines:
        if size + len(line) + 1 > MAX_DETAILS - 40:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept + [f"... (+{len(lines) - len(kept)})"])


def shown(value: Any, lang: str) -> Any:
    """A Command or Where from word as a book in `lang` shows it."""
    return HISTORY_WORDS_HE.get(value, value) if lang == "he" and isinstance(value, str) else value


def sheet_values(row: dict[str, Any], headers: list[str], lang: str) -> list[Any]:
    """`row` in the order of a History table's `headers` (either language); a header that is
    no History column gets a blank."""
    keys = schema.header_index(HISTORY)
    return [shown(row.get(keys.get(fold(h), ""), None), lang) for h in headers]


def headers(lang: str) -> list[str]:
    return [c.label(lang) for c in HISTORY.columns]


_WORDS_BACK = {fold(he): en for en, he in HISTORY_WORDS_HE.items()}
_INTS = {c.key for c in HISTORY.columns if c.type == schema.INTEGER}


def rows_from_table(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The History table as read (header texts in either language, raw cell values) back into
    rows like history_row()'s: Hebrew words to English, counts as ints, blank rows dropped."""
    keys = [schema.header_index(HISTORY).get(fold(h or "")) for h in header]
    out = []
    for values in rows:
        rec: dict[str, Any] = {c.key: None for c in HISTORY.columns}
        for key, v in zip(keys, values):
            if key is None or v is None or v == "":
                continue
            if isinstance(v, str) and key in ("command", "where_from"):
                v = _WORDS_BACK.get(fold(v), v)
            elif key in _INTS and isinstance(v, (int, float)) and not isinstance(v, bool):
                v = int(v)
            rec[key] = v
        if any(v is not None for v in rec.values()):
            out.append(rec)
    return out


def book_lang(header: list[str]) -> str:
    """he when the History header is in Hebrew."""
    he = {fold(c.he) for c in HISTORY.columns} - {fold(c.en) for c in HISTORY.columns}
    return "he" if any(fold(h or "") in he for h in header) else "en"
