"""What `acctbook upgrade` adds to a book, worked out from the schema and the book as read.

Pure: the file adapter describes the book (`Found`: its tables' headers, the Settings rows,
its sheets, Home's cells, its buttons and version stamp) and this module compares it with
the schema (acctbook.book.schema: DATA_TABLES, SETTINGS_TABLES, SETTING_ROWS, HOME_KPIS,
HOME_BUTTONS ...), so whatever a later change adds to the schema reaches existing books
through `plan()` without new upgrade code (docs/excel.md, "Upgrading a book").
Only what is missing is planned; nothing already in the book is ever changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from acctbook.book import schema
from acctbook.book.i18n import tr, translator
from acctbook.book.model import WARNING, Problem
from acctbook.book.schema import Column, Setting, Table, fold

STAMP_PROPERTY = "acctbook version"      # the custom document property (docProps/custom.xml)


@dataclass
class Found:
    """The book as read, in plain values."""
    lang: str
    sheets: list[str]                               # tab order
    headers: dict[str, list[str]]                   # table name -> header texts
    settings: list[str] = field(default_factory=list)   # the Settings table's first column
    home: dict[tuple[int, int], Any] | None = None  # Home's cells (1-based), None: no Home
    names: set[str] = field(default_factory=set)    # HOME_NAMES the book defines (casefolded)
    shapes: set[str] = field(default_factory=set)   # shape names on Home
    lite_current: bool = False                      # the Lite code equals the current one
    stamp: str | None = None                        # the custom property `acctbook version`


@dataclass(frozen=True)
class NewColumn:
    table: Table
    column: Column


@dataclass(frozen=True)
class HomeCell:
    row: int
    col: int
    value: Any                  # text, or None for a value cell left blank
    role: str                   # "kpi-label" | "kpi" | "month-label" | "month" | "deal-label" | "deal"


@dataclass
class Plan:
    lang: str
    columns: list[NewColumn] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    settings_tables: list[tuple[Table, int]] = field(default_factory=list)   # (table, 1st col)
    sheets: list[Table] = field(default_factory=list)
    home_sheet: bool = False        # Home itself is missing
    home_cells: list[HomeCell] = field(default_factory=list)
    home_busy: list[HomeCell] = field(default_factory=list)   # wanted, but the cell holds other text
    names: list[str] = field(default_factory=list)            # HOME_NAMES to define
    buttons: list[str] = field(default_factory=list)          # HOME_BUTTONS keys
    lite: bool = False              # the Lite code (main.py, requirements.txt) to write
    stamp: str | None = None        # the version to stamp (None: already stamped so)
    refused: list[str] = field(default_factory=list)          # lines: parts left out, and why

    def structural(self) -> bool:
        """Anything besides the code and the stamp (the donor workbook is then needed)."""
        return bool(self.columns or self.settings or self.settings_tables or self.sheets
                    or self.home_sheet or self.home_cells or self.names or self.buttons)

    def empty(self) -> bool:
        return not (self.structural() or self.lite or self.stamp)


# --- versions ----------------------------------------------------------------------------
def version_key(text: str) -> tuple[int, ...]:
    """"0.10.2" -> (0, 10, 2); anything after the numbers (rc1, .dev3) is ignored."""
    m = re.match(r"\s*v?(\d+(?:\.\d+)*)", str(text or ""))
    return tuple(int(n) for n in m[1].split(".")) if m else ()


def older(stamp: str | None, current: str) -> bool:
    """A stamp present and older than `current` (an absent stamp is not older: see check)."""
    if not stamp or not version_key(stamp):
        return False
    a, b = version_key(stamp), version_key(current)
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) < b + (0,) * (width - len(b))


def version_problem(stamp: str | None, current: str, lang: str) -> Problem | None:
    """`old-book` when the book's stamp is older than acctbook (docs/problems.md)."""
    if not older(stamp, current):
        return None
    home = schema.generated_sheet("Home", lang)
    return Problem(WARNING, "old-book", home, None, None, None, stamp,
                   tr(lang, "made or last upgraded by acctbook {old}, older than this acctbook "
                            "{new}: run acctbook upgrade on it for the current buttons, columns "
                            "and settings").format(old=stamp, new=current))


# --- the plan ----------------------------------------------------------------------------
def plan(found: Found, version: str) -> Plan:
    out = Plan(found.lang)
    lang = found.lang
    sheets = {s.casefold() for s in found.sheets}
    for table in schema.DATA_TABLES + schema.SETTINGS_TABLES + schema.LOG_TABLES:
        headers = found.headers.get(table.name)
        if headers is None:
            _missing_table(out, table, sheets, lang)
            continue
        have = {fold(h) for h in headers}
        for col in table.columns:
            if fold(col.en) not in have and fold(col.he) not in have:
                out.columns.append(NewColumn(table, col))
    if "Settings" in found.headers:
        have = {fold(s) for s in found.settings}
        out.settings = [s for s in schema.SETTING_ROWS
                        if fold(s.en) not in have and fold(s.he) not in have]
    _home(out, found)
    out.lite = not found.lite_current
    out.stamp = None if found.stamp == version else version
    return out


def _missing_table(out: Plan, table: Table, sheets: set[str], lang: str) -> None:
    if table.settings:
        if schema.SETTINGS.sheet(lang).casefold() in sheets:
            out.settings_tables.append((table, settings_column(table)))
        else:
            out.refused.append(tr(lang, "table {table}: its sheet {sheet} is missing; not "
                                        "added").format(table=table.name,
                                                        sheet=schema.SETTINGS.sheet(lang)))
    elif table.sheet(lang).casefold() in sheets:
        out.refused.append(tr(lang, "table {table}: sheet {sheet} exists without it; not added "
                                    "(rename that sheet, then run upgrade again)").format(
            table=table.name, sheet=table.sheet(lang)))
    else:
        out.sheets.append(table)


def settings_column(table: Table) -> int:
    """The 1-based first column of a Settings-sheet table where a new book puts it: the
    tables side by side, one empty column between (create/workbook.py)."""
    col = 1
    for t in schema.SETTINGS_TABLES:
        if t is table:
            return col
        col += len(t.columns) + 1
    raise ValueError(table.name)


def home_layout(lang: str) -> list[HomeCell]:
    """Home's labels and value cells as a new book has them (create/home.py)."""
    he = lang == "he"
    cells = []
    for i, (key, en, heb) in enumerate(schema.HOME_KPIS):
        r = schema.HOME_FIRST_ROW + i
        cells += [HomeCell(r, 1, heb if he else en, "kpi-label"), HomeCell(r, 2, None, "kpi")]
    r = schema.REPORT_MONTH_ROW
    cells += [HomeCell(r, 1, schema.REPORT_MONTH_LABEL[he], "month-label"),
              HomeCell(r, 2, None, "month")]
    r = schema.DEAL_ROW
    cells += [HomeCell(r, 1, schema.DEAL_LABEL[he], "deal-label"), HomeCell(r, 2, None, "deal")]
    r = schema.CLIENT_ROW
    cells += [HomeCell(r, 1, schema.CLIENT_LABEL[he], "client-label"),
              HomeCell(r, 2, None, "client")]
    return cells


# The workbook names Home's inputs use, and what each is for (the --dry-run line).
HOME_NAMES = (schema.DEAL_NAME, schema.CLIENT_NAME, schema.CLIENT_LIST)


def home_name_target(name: str, lang: str) -> str:
    """What a Home name refers to in a book of `lang` (create/home.py defines them so)."""
    home = "'" + schema.generated_sheet("Home", lang).replace("'", "''") + "'"
    if name == schema.CLIENT_LIST:
        return schema.structured_ref(schema.CLIENTS, "name", lang)
    row = schema.DEAL_ROW if name == schema.DEAL_NAME else schema.CLIENT_ROW
    return f"{home}!$B${row}"


def _missing_names(found: Found) -> list[str]:
    return [n for n in HOME_NAMES if n.casefold() not in found.names]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _home(out: Plan, found: Found) -> None:
    if found.home is None:
        out.home_sheet = True
        out.names = _missing_names(found)
        out.buttons = [k for k, _, _ in schema.HOME_BUTTONS]
        return
    for cell in home_layout(found.lang):
        if cell.value is None:
            continue                     # value cells come with their label
        have = found.home.get((cell.row, cell.col))
        if _blank(have):
            out.home_cells.append(cell)
            out.home_cells += [c for c in home_layout(found.lang)
                               if c.row == cell.row and c.value is None
                               and _blank(found.home.get((c.row, c.col)))]
        elif fold(str(have)) not in {fold(cell.value), *_other_labels(cell)}:
            out.home_busy.append(cell)
    out.names = _missing_names(found)
    names = {n.casefold() for n in found.shapes}
    out.buttons = [k for k, _, _ in schema.HOME_BUTTONS
                   if f"acctbook_{k}".casefold() not in names]


def _other_labels(cell: HomeCell) -> set[str]:
    """The cell's label in the other language too (a book whose language was changed)."""
    other = home_layout("he" if _is_en(cell) else "en")
    return {fold(c.value) for c in other if c.row == cell.row and c.col == cell.col and c.value}


def _is_en(cell: HomeCell) -> bool:
    return not re.search("[\u0590-\u05ff]", str(cell.value))


def describe(p: Plan) -> list[str]:
    """One line per thing the plan adds, in the book's language (--dry-run prints them)."""
    say, lang = translator(p.lang), p.lang
    lines = []
    for nc in p.columns:
        lines.append(say("column {column} added to table {table} ({sheet})").format(
            column=nc.column.label(lang), table=nc.table.name, sheet=nc.table.sheet(lang)))
    for s in p.settings:
        lines.append(say("setting {setting} added to the Settings table").format(
            setting=s.label(lang)))
    for table, _ in p.settings_tables:
        lines.append(say("table {table} added to sheet {sheet}").format(
            table=table.name, sheet=table.sheet(lang)))
    for table in p.sheets:
        lines.append(say("sheet {sheet} added with its table {table}").format(
            sheet=table.sheet(lang), table=table.name))
    if p.home_sheet:
        lines.append(say("sheet {sheet} added").format(sheet=schema.generated_sheet("Home", lang)))
    for c in p.home_cells:
        if c.value is not None:
            lines.append(say("{sheet}!A{row}: label {label} added").format(
                sheet=schema.generated_sheet("Home", lang), row=c.row, label=c.value))
    for name in p.names:
        if name == schema.DEAL_NAME:
            line = say("the name {name} added (the Contract button's deal)")
        elif name == schema.CLIENT_NAME:
            line = say("the name {name} added (the Brief button's client)")
        else:
            line = say("the name {name} added (the Client cell's drop-down)")
        lines.append(line.format(name=name))
    labels = {k: (he if lang == "he" else en) for k, en, he in schema.HOME_BUTTONS}
    for b in p.buttons:
        lines.append(say("button {button} added to {sheet}").format(
            button=labels[b], sheet=schema.generated_sheet("Home", lang)))
    if p.lite:
        lines.append(say("the xlwings Lite code (main.py, requirements.txt) replaced by the "
                         "current one"))
    if p.stamp:
        lines.append(say("version stamp set to {version}").format(version=p.stamp))
    for c in p.home_busy:
        lines.append(say("{sheet}!A{row} holds other text: label {label} not added").format(
            sheet=schema.generated_sheet("Home", lang), row=c.row, label=c.value))
    return lines + list(p.refused)
