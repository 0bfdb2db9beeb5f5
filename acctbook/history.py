"""`acctbook history BOOK`: what acctbook wrote into a book, read back from its History table
(docs/workbook.md, "History"). Reads the file; writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from acctbook.book import history as log
from acctbook.book.i18n import tr
from acctbook.book.schema import HISTORY
from acctbook.xlsx.file import open_book


@dataclass
class HistoryResult:
    path: str
    lang: str                                       # the book's language
    rows: list[dict[str, Any]] = field(default_factory=list)    # oldest first, schema keys


def history(path) -> HistoryResult:
    """The book's History rows, oldest first (none in a book without a History table)."""
    wbf = open_book(path)
    raw = wbf.read_tables([HISTORY.name]).get(HISTORY.name)
    if raw is None:
        return HistoryResult(str(path), wbf.read_book().lang)
    return HistoryResult(str(path), log.book_lang(raw.headers),
                         log.rows_from_table(raw.headers, raw.rows))


def when_text(v: Any) -> str | None:
    """2026-03-10 for a date (a --today), 2026-03-10T14:05:00 for a moment on the clock."""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(timespec="seconds")
    return v.isoformat() if isinstance(v, dt.date) else v


def to_json(row: dict[str, Any]) -> dict[str, Any]:
    """A row for `--json`: the stable English words, When as ISO text, counts as numbers."""
    return {**row, "when": when_text(row.get("when"))}


def line(row: dict[str, Any], lang: str) -> str:
    """One row as `acctbook history` prints it, in the book's language; its details below,
    indented."""
    head = "  ".join(str(v) for v in (
        when_text(row.get("when")), log.shown(row.get("command"), lang),
        log.shown(row.get("where_from"), lang), row.get("version"), row.get("user"))
        if v not in (None, ""))
    counts = tr(lang, "{cells} cell(s) changed, {rows} row(s) added, {documents} document(s) "
                      "written, {errors} error(s)").format(
        cells=row.get("cells_changed") or 0, rows=row.get("rows_added") or 0,
        documents=row.get("documents") or 0, errors=row.get("errors") or 0)
    details = str(row.get("details") or "").splitlines()
    return "\n".join([f"{head}: {counts}"] + [f"    {d}" for d in details])


def text(result: HistoryResult, as_json: bool = False) -> str:
    """What `acctbook history` prints: a line per row (the book's language), or JSON."""
    if as_json:
        return json.dumps([to_json(r) for r in result.rows], ensure_ascii=False, indent=1)
    if not result.rows:
        return tr(result.lang, "{book}: nothing in its {sheet} sheet yet").format(
            book=result.path, sheet=HISTORY.sheet(result.lang))
    return "\n".join(line(r, result.lang) for r in result.rows)
