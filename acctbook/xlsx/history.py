"""The History table in a file: rows appended in the same write as the rest, never rebuilt.

A book with its History table gets the rows appended (append.py: the table grows, nothing
else on the sheet moves). A book without it (made before History existed) gets the sheet
and its table added at the end, as a generated sheet is added back (generated.py). Past
schema.HISTORY_KEEP rows the oldest are dropped: the History sheet alone is rebuilt from
its rows as read (acctbook's own log; no user cell lives there), with what the user set on
it (widths, print setup) kept as for any generated sheet.
"""

from __future__ import annotations

from typing import Any

from acctbook.book import bidi, history
from acctbook.book.cells import split_ref
from acctbook.book.model import AcctbookError, SheetTable
from acctbook.book.schema import HISTORY, HISTORY_KEEP, fold, header_index
from acctbook.xlsx.package import find_child, find_children
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.read import read_tables


def history_write(parts: Parts, rows: list[dict[str, Any]], lang: str,
                  keep: int = HISTORY_KEEP) -> tuple[list[SheetTable], dict[str, list[dict]]]:
    """(sheets to generate, appends) that put `rows` (history.history_row's) at the end of
    the book's History table, in the book's language `lang`; for patch.apply."""
    rtl = lang == "he"
    try:
        sheet, _part, _tpart, root = parts.find_table(HISTORY.name)
    except AcctbookError:       # no History table yet: the sheet is added with it
        head = history.headers(lang)
        return [_sheet(HISTORY.sheet(lang), head, [], rows, lang)], {}
    names = [tc.get("name") or "" for tc in
             find_children(find_child(root, "tableColumns"), "tableColumn")]
    (r1, _c1), (r2, _c2) = (split_ref(x) for x in root.get("ref", "A1:A2").split(":"))
    if r2 - r1 + len(rows) <= keep:
        lines = []
        for row in rows:
            values = history.sheet_values(row, names, lang)
            lines.append({h: (bidi.rtl_cell(v) if rtl else v) for h, v in zip(names, values)
                          if v is not None})
        return [], {HISTORY.name: lines}
    raw = read_tables(parts, [HISTORY.name])[HISTORY.name]
    old = [r for r in raw.rows if any(v not in (None, "") for v in r)]
    old = old[max(0, len(old) - max(keep - len(rows), 0)):]
    return [_sheet(sheet, raw.headers, old, rows[-keep:], lang)], {}


def _sheet(sheet: str, head: list[str], old: list[list], rows: list[dict], lang: str) -> SheetTable:
    keys = header_index(HISTORY)
    cols = [HISTORY.column(keys[fold(h)]) if fold(h) in keys else None for h in head]
    new = [history.sheet_values(r, head, lang) for r in rows]
    return SheetTable(sheet, HISTORY.name, list(head), [list(r) for r in old] + new,
                      widths=[c.width if c else 14 for c in cols], rtl=lang == "he",
                      formats=[c.number_format if c else None for c in cols], follow_table=True)
