"""The team workbook (`acctbook team`, docs/team.md): a NEW .xlsx made with XlsxWriter from
a core.team.Team, never a manager's book. A sheet per table of book/team_schema.py, each an
Excel table at A1 named as the schema names it, headers and choice values in the team book's
language, right to left in Hebrew. The same Team and language give the same bytes (the
document's dates are pinned to `today`), so two runs can be compared file to file.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

from acctbook import __version__
from acctbook.book import bidi, schema
from acctbook.book.i18n import tr
from acctbook.book.team_schema import (CONFLICTS, MANAGERS, PIPELINE_BY_MONTH,
                                       PIPELINE_BY_STAGE, TEAM_TABLES, TOP_OVERDUE, UNREAD)
from acctbook.book.columns import CHOICE, DATE, Table
from acctbook.core.team import Team, currency_note
from acctbook.create.style import Formats

ROWS = {MANAGERS.name: "managers", PIPELINE_BY_STAGE.name: "by_stage",
        PIPELINE_BY_MONTH.name: "by_month", CONFLICTS.name: "conflicts",
        TOP_OVERDUE.name: "top_overdue", UNREAD.name: "unread"}


def table_rows(team: Team, spec: Table) -> tuple[dict[str, Any], ...]:
    """The rows of `spec`'s table in the team (schema keys, canonical values)."""
    return getattr(team, ROWS[spec.name])


def shown(value: Any, key: str, spec: Table, lang: str) -> Any:
    """A team value as its cell holds it in a team book of `lang`: a choice in `lang`,
    Conflicts' Matched on as the Clients headers it names, a blank month as (none)."""
    column = spec.column(key)
    if key == "matched_on" and isinstance(value, tuple):
        return ", ".join(schema.CLIENTS.column(k).label(lang) for k in value)
    if key == "month" and value is None:
        return tr(lang, "(none)")
    if column.type == CHOICE and isinstance(value, str):
        return schema.show_choice(value, lang)
    return value


def write_team_book(team: Team, path, lang: str) -> Path:
    """Write the team workbook to `path` (replaced whole: written beside it, then moved
    into place)."""
    import xlsxwriter
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")   # the folder's own mode
    try:
        wb = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False})
        when = dt.datetime.combine(team.today, dt.time())
        wb.set_properties({"title": tr(lang, "Team roll-up"), "created": when,
                           "comments": f"acctbook {__version__} team"})
        formats = Formats(wb, lang)
        for spec in TEAM_TABLES:
            _sheet(wb, formats, spec, table_rows(team, spec), lang)
        note = currency_note(team, lang)
        if note:
            ws = wb.get_worksheet_by_name(MANAGERS.sheet(lang))
            ws.write_string(len(team.managers) + 3, 0, note, formats.label_bold)
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _sheet(wb, formats: Formats, spec: Table, rows, lang: str) -> None:
    ws = wb.add_worksheet(spec.sheet(lang))
    if lang == "he":
        ws.right_to_left()
    header = [c.label(lang) for c in spec.columns]
    fmts = [formats.generated(c) for c in spec.columns]
    heads = [header_formats(formats)[c.number_format is not None] for c in spec.columns]
    last = max(len(rows), 1)             # an Excel table has a data row, blank when none
    ws.add_table(0, 0, last, len(spec.columns) - 1, {
        "name": spec.name, "style": "Table Style Medium 2",
        "columns": [{"header": h, "format": f, "header_format": hf}
                    for h, f, hf in zip(header, fmts, heads)]})
    for i, row in enumerate(rows, 1):
        for j, c in enumerate(spec.columns):
            _cell(ws, i, j, shown(row.get(c.key), c.key, spec, lang), c, fmts[j])
    widths = [max(c.width, max(len(w) for w in h.split()) + 3) for c, h in zip(spec.columns,
                                                                                header)]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    lines = max(math.ceil((len(h) + 3) / w) for h, w in zip(header, widths))
    if lines > 1:                        # a wrapped header's lines, as Excel does not fit them
        ws.set_row(0, 15 * lines)
    ws.freeze_panes(1, 0)
    ws.set_landscape()                   # printed: A4 across, as wide as the page, the
    ws.set_paper(9)                      # header on every page
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def header_formats(formats: Formats) -> dict[bool, Any]:
    """{a number column: its header's format, a text column: its header's}: bold as the
    table style draws it (LibreOffice does not), wrapped, on its column's side; made once."""
    if not hasattr(formats, "team_headers"):
        formats.team_headers = {
            number: formats.add({"bold": True, "text_wrap": True, "valign": "bottom",
                                 "bottom": 1, "align": bidi.alignment(
                                     formats.rtl, number=number, header=True)["horizontal"]})
            for number in (True, False)}
    return formats.team_headers


def _cell(ws, r: int, c: int, value: Any, column, fmt) -> None:
    """Each value by its type, so a name starting with '=' stays text."""
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        if column.type != DATE:
            ws.write_string(r, c, value.isoformat(), fmt)
        else:
            ws.write_datetime(r, c, value if isinstance(value, dt.datetime)
                              else dt.datetime.combine(value, dt.time()), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


# --- docs/team.md's table reference, from the schema (tests/test_team.py holds them together) --
def tables_markdown() -> str:
    """The team workbook's tables as docs/team.md lists them: a section per table, a row per
    column with its Hebrew header, its type and what it holds."""
    from acctbook.create.docs import TYPE_TEXT
    lines = []
    for t in TEAM_TABLES:
        lines += [f"### {t.sheet_en} — {t.sheet_he}", "", f"Excel table `{t.name}`.", "",
                  "| column | עמודה | type | what it holds |", "|---|---|---|---|"]
        for c in t.columns:
            kind = ("percent" if c.fmt == "0.0%" else "date and time" if c.type == DATE and c.fmt
                    else TYPE_TEXT[c.type])
            lines.append(f"| {c.en} | {c.he} | {kind} | {c.note} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
