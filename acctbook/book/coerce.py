"""From RawTables to a typed Book: columns found by header, values coerced, failures collected.

Pure: no file access, so the same code serves the file reader and xlwings.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from acctbook.book import ids, schema
from acctbook.book.i18n import system_lang, tr, translator, trn
from acctbook.book.model import (ERROR, WARNING, Book, ExcelError, LoadedTable, NotAnAcctbook,
                                 Problem, RawTable, col_letter, quoted)
# The parsers live in book/parse.py; cli, create and the tests take them from here too.
from acctbook.book.parse import (DATE_MAX, DATE_MIN, MONTH_FIRST, as_text,  # noqa: F401
                                 closest_choice, is_blank, parse_date, parse_number)
from acctbook.book.settings_load import settings as read_settings

class _Collector:
    """Builds problems for one table with its sheet/cell coordinates."""

    def __init__(self, raw: RawTable, columns: dict[str, int], out: list[Problem]):
        self.raw, self.columns, self.out = raw, columns, out

    def add(self, severity, code, key, row, value, message):
        col = self.columns.get(key)
        header = self.raw.headers[col - self.raw.first_col] if col else None
        cell = f"{col_letter(col)}{row}" if col else None
        self.out.append(Problem(severity, code, self.raw.sheet, int(row), header, cell, value,
                                message))


def _coerce(spec: schema.Column, values: list, rows: list[int], coll: _Collector,
            choices: dict[str, str] | None, month_first: bool = False, lang: str = "en"):
    """One column's cells -> a typed pandas Series; failures become problems.

    Columns repeat few distinct values (choices, dates), so each distinct value is
    converted once and the result mapped over the column: this keeps a 200,000-row
    table fast without per-cell Python work.
    """
    t = spec.type
    if t in (schema.TEXT, schema.REF) or (t == schema.CHOICE and choices is None):
        errors = []        # only cells that are neither str nor None are looked at

        def other(v):
            if v.__class__ is ExcelError:
                errors.append(v)
                return None
            return as_text(v)
        out = [(v.strip() or None) if v.__class__ is str else
               (None if v is None else other(v)) for v in values]
        if errors:
            for r, v in zip(rows, values):
                if v.__class__ is ExcelError:
                    severity, code, message = _excel_error(spec, v, lang)[1]
                    coll.add(severity, code, spec.key, r, str(v), message)
        return pd.Series(out, index=rows, dtype=object)
    types = set(map(type, values))
    # True and 1.0 hash alike but are different cells; so do an error "#N/A" and the text
    if (bool in types and len(types) > 1) or ExcelError in types:
        keys = [(v.__class__, v) for v in values]
        conv = {k: _convert(spec, k[1], choices, month_first, lang) for k in set(keys)}
    else:
        keys = values
        conv = {v: _convert(spec, v, choices, month_first, lang) for v in set(values)}
    if t == schema.DATE:        # days since 1970 as int64 (NaT is int64's minimum)
        conv = {k: (_NAT if v is None else v.toordinal() - _EPOCH, p) for k, (v, p) in conv.items()}
    lookup = {k: v for k, (v, _p) in conv.items()}.__getitem__
    if t == schema.DATE:
        out = np.fromiter(map(lookup, keys), dtype=np.int64, count=len(values))
    else:
        out = list(map(lookup, keys))
    if any(p is not None for _, p in conv.values()):
        for r, v, k in zip(rows, values, keys):
            problem = conv[k][1]
            if problem is not None:
                severity, code, message = problem
                shown = str(v) if v.__class__ is ExcelError else v   # a plain "#N/A"
                coll.add(severity, code, spec.key, r, shown, message)
    if t == schema.DATE:
        return pd.Series(out.view("datetime64[D]").astype("datetime64[ns]"), index=rows)
    if t in (schema.CHOICE, schema.YESNO):
        return pd.Series(out, index=rows, dtype=object)
    return pd.Series(np.array(out, dtype="float64"), index=rows)


_NAT = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1).toordinal()


def _columns(rows: list[list], width: int, inputs: list[int]) -> tuple[list, list[int]]:
    """Rows -> (columns without the blank rows, indexes of the rows kept).

    A row is a record only when one of `inputs` (the positions of acctbook's input
    columns) holds a value: a row with only the user's own columns filled in (a
    formula stretched down the table) or stale computed values is blank.
    numpy transposes a big table about 3x faster than zip(*rows).
    """
    grid = np.array(rows, dtype=object) if rows else np.empty((0, width), dtype=object)
    if grid.ndim != 2 or grid.shape[1] != width:          # ragged rows: pad them
        rows = [list(r[:width]) + [None] * (width - len(r)) for r in rows]
        grid = np.array(rows or np.empty((0, width)), dtype=object).reshape(len(rows), width)
    if not inputs:
        return [[] for _ in range(width)], []
    # A truthy input cell makes a record; only the other rows (0, False, "" ...) need a
    # closer look. `cells` gives a row's input cells (the first one twice, so even a
    # single input column gives a tuple); when every column is an input (the usual
    # table: no computed columns, no user's own) the whole row is the quicker test.
    cells = (lambda r: r) if len(inputs) == width else itemgetter(*inputs, inputs[0])
    truthy = list(map(any, rows)) if len(inputs) == width else list(map(any, map(cells, rows)))
    if all(truthy):
        return [grid[:, j].tolist() for j in range(width)], list(range(len(rows)))
    keep = [i for i, (t, r) in enumerate(zip(truthy, rows))
            if t or not all(v is None or (v.__class__ is str and v == "") for v in cells(r))]
    grid = grid[keep]
    return [grid[:, j].tolist() for j in range(width)], keep


def _stale_rows(raw: RawTable, keep: list[int], computed: list[int]) -> tuple[int, ...]:
    """Excel rows left out as not records that hold a computed value."""
    if not computed or len(keep) == len(raw.rows):
        return ()
    kept = set(keep)
    return tuple(raw.header_row + 1 + i for i, r in enumerate(raw.rows) if i not in kept
                 and any(j < len(r) and r[j] not in (None, "") for j in computed))


def _fast_numbers(values: list, integer: bool) -> np.ndarray | None:
    """The column as floats when every cell is a float or blank (the usual case), else None."""
    types = set(map(type, values))
    if not types <= {float, type(None), str}:
        return None
    if str in types and any(v for v in values if v.__class__ is str):
        return None
    out = np.array([v if v.__class__ is float else np.nan for v in values], dtype="float64")
    if integer and not np.all(np.isnan(out) | (out == np.floor(out))):
        return None
    return out


def _convert(spec: schema.Column, v: Any, choices: dict[str, str] | None,
             month_first: bool = False, lang: str = "en"):
    """(typed value, problem or None) for one distinct cell value; messages in `lang`."""
    label, t, say = spec.label(lang), spec.type, translator(lang)
    if v.__class__ is ExcelError:
        return _excel_error(spec, v, lang)
    if is_blank(v):
        return (np.nan if t in (schema.NUMBER, schema.INTEGER, schema.PERCENT) else None), None
    if t in (schema.CHOICE, schema.YESNO):
        if isinstance(v, bool) and t == schema.YESNO:
            return v, None
        index = schema.YESNO_INDEX if t == schema.YESNO else choices
        hit = index.get(schema.fold(as_text(v)))
        if hit is None:
            return None, _not_a_choice(spec, v, choices, lang)
        return (hit == schema.YES if t == schema.YESNO else hit), None
    if t == schema.DATE:
        d, how = parse_date(v, month_first)
        if how == "bad":
            return None, (ERROR, "type-date", say("{column}: '{value}' is not a date").format(
                column=label, value=as_text(v)))
        if not DATE_MIN <= d <= DATE_MAX:      # a typo (3026); pandas' dates also end in 2262
            return None, (ERROR, "date-range", say(
                "{column}: {date} is outside the years {first}–{last}").format(
                column=label, date=d.isoformat(), first=DATE_MIN.year, last=DATE_MAX.year))
        if how == "text":
            return d, (WARNING, "date-as-text", say(
                "{column}: date typed as text '{value}', read as {date}").format(
                column=label, value=v, date=d.isoformat()))
        return d, None
    n = parse_number(v)
    if n is None:
        return np.nan, (ERROR, "type-number", say("{column}: '{value}' is not a number").format(
            column=label, value=as_text(v)))
    if t == schema.INTEGER and not float(n).is_integer():
        return np.nan, (ERROR, "type-integer", say(
            "{column}: {value} is not a whole number").format(column=label, value=as_text(v)))
    if t == schema.PERCENT and 0 < n < 1:
        # Excel stores 60% as 0.6; acctbook's percents are 0-100, so say what was read
        return n, (WARNING, "percent-fraction", say(
            "{column}: {value} is read as {read} percent; for {meant}% type {meant}").format(
            column=label, value=as_text(v), read=f"{n:g}", meant=f"{n * 100:g}"))
    return n, None


def _not_a_choice(spec: schema.Column, v: Any, choices: dict[str, str], lang: str):
    """The `choice` / `yes-no` problem: the list in the book's language, and the choice a
    near miss most likely meant ('פעילה' is not one of ליד, פעיל, …; did you mean פעיל?)."""
    say = translator(lang)
    yesno = spec.type == schema.YESNO
    index = schema.choice_index((schema.YES, schema.NO)) if yesno else choices
    shown = ", ".join(schema.show_choice(c, lang) for c in dict.fromkeys(index.values()))
    text = say("{column}: '{value}' is not one of {choices}").format(
        column=spec.label(lang), value=as_text(v), choices=shown)
    near = closest_choice(v, index, lang)
    if near:
        text += say("; did you mean {choice}?").format(choice=near)
    code = "yes-no" if yesno else "choice"
    return ERROR, code, text


def _find_columns(raw: RawTable, spec: schema.Table) -> dict[str, int]:
    """Column key -> 1-based sheet column, by header text (the first of repeated headers)."""
    index = schema.header_index(spec)
    columns: dict[str, int] = {}
    for i, h in enumerate(raw.headers):
        key = index.get(schema.fold(h))
        if key is not None and key not in columns:
            columns[key] = raw.first_col + i
    return columns


def _missing_columns(raw: RawTable, spec: schema.Table, columns: dict[str, int],
                     lang: str = "en") -> str | None:
    """What is wrong when required columns are missing (None when none is)."""
    missing = [c.label(lang) for c in spec.columns if c.required and c.key not in columns]
    if not missing:
        return None
    return trn(lang, "sheet '{sheet}', table {table}: missing required column {columns}",
               "sheet '{sheet}', table {table}: missing required columns {columns}",
               len(missing)).format(sheet=raw.sheet, table=spec.name, columns=", ".join(missing))


def _excel_error(spec: schema.Column, v: ExcelError, lang: str = "en"):
    """(blank, problem) for a cell showing an Excel error: reported, then read as blank."""
    blank = np.nan if spec.type in (schema.NUMBER, schema.INTEGER, schema.PERCENT) else None
    return blank, (ERROR, "excel-error", tr(
        lang, "{column}: the cell shows the Excel error {error}").format(
        column=spec.label(lang), error=v))


def load_table(raw: RawTable, spec: schema.Table, problems: list[Problem],
               choices_by_setting: dict[str, dict[str, str]] | None = None,
               month_first: bool = False, lang: str = "en") -> LoadedTable:
    """Type one table. Missing required columns raise NotAnAcctbook (the book is unusable)."""
    columns = _find_columns(raw, spec)
    missing = _missing_columns(raw, spec, columns, lang)
    if missing:
        raise NotAnAcctbook(missing)
    # Blank rows (an empty table keeps one) are not records.
    inputs = [columns[c.key] - raw.first_col for c in spec.columns
              if not c.computed and c.key in columns]
    by_column, keep = _columns(raw.rows, len(raw.headers), inputs)
    rows = [raw.header_row + 1 + i for i in keep]
    stale = _stale_rows(raw, keep, [columns[c.key] - raw.first_col for c in spec.columns
                                    if c.computed and c.key in columns])
    index = pd.Index(rows, name="row")
    coll = _Collector(raw, columns, problems)
    quiet = _Collector(raw, columns, [])   # computed columns are acctbook's: never a problem
    data = {}
    for c in spec.columns:
        if c.key not in columns:
            data[c.key] = _blank(c, index)
            continue
        values = list(by_column[columns[c.key] - raw.first_col])  # a fresh list per column
        if c.type in (schema.NUMBER, schema.PERCENT, schema.INTEGER):
            fast = _fast_numbers(values, c.type == schema.INTEGER)
            if fast is not None and c.type == schema.PERCENT and not c.computed and \
                    np.any((fast > 0) & (fast < 1)):
                fast = None                   # the slow path warns about 0.6 meaning 60%
            if fast is not None:
                data[c.key] = pd.Series(fast, index=index)
                continue
        choices = None
        if c.type == schema.CHOICE:
            if c.choices:
                choices = schema.choice_index(c.choices)
            elif c.choices_setting and choices_by_setting:
                choices = choices_by_setting.get(c.choices_setting)
        data[c.key] = _coerce(c, values, index, quiet if c.computed else coll, choices,
                              month_first, lang)
    frame = pd.DataFrame(data, index=index)
    below = tuple(_first_filled(raw, i) for i in range(len(raw.below)))
    return LoadedTable(spec, raw.sheet, raw.header_row, raw.first_col, list(raw.headers),
                       columns, frame, stale, below)


def _first_filled(raw: RawTable, i: int) -> tuple[int, int, Any]:
    """(Excel row, sheet column, value) of the first non-empty cell of the i-th row below."""
    line = raw.below[i]
    j = next((j for j, v in enumerate(line) if not is_blank(v)), 0)
    return raw.below_start + i, raw.first_col + j, line[j] if line else None


def rows_below_table(tables: dict[str, LoadedTable], code: str,
                     lang: str = "en") -> list[Problem]:
    """A warning for each row typed just below a table (outside it, so not read), on its
    first filled cell, saying how to bring it in. Only the file reader finds such rows."""
    out = []
    for t in tables.values():
        for row, col, v in t.rows_below:
            head = t.headers[col - t.first_col] if 0 <= col - t.first_col < len(t.headers) else None
            what = f" ({head} {quoted(as_text(v))})" if head and not is_blank(v) else ""
            out.append(Problem(WARNING, code, t.sheet, row, head, f"{col_letter(col)}{row}", v,
                               tr(lang, "{sheet} row {row}{what} is below the table {table}, "
                                        "so acctbook ignores it: press Tab in the table's last "
                                        "cell to extend the table, or run acctbook refresh "
                                        "--adopt-rows").format(sheet=t.sheet, row=row,
                                                               what=what, table=t.spec.name)))
    return out


def _blank(c: schema.Column, rows: list[int]) -> pd.Series:
    if c.type == schema.DATE:
        return pd.Series(np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]"), index=rows)
    if c.type in (schema.NUMBER, schema.INTEGER, schema.PERCENT):
        return pd.Series(np.full(len(rows), np.nan), index=rows, dtype="float64")
    return pd.Series([None] * len(rows), index=rows, dtype=object)


def empty_raw(spec: schema.Table, lang: str = "en") -> RawTable:
    return RawTable(spec.name, spec.sheet(lang), 1, 1, [c.label(lang) for c in spec.columns], [])


# --- optional columns a rule needs (rules.rule_missing_columns warns) -----------------
# (table, column key, stand-ins, what its absence turns off). Stand-ins are alternatives,
# each a group of columns that together compute what the column would hold (an order's
# Amount from Quantity and Unit price): the column is missed only when no group is whole.
# Only optional columns are here: a missing required one makes the book unusable. A column
# read by the core but not here has a default that stands in for it (a deal's Probability
# the stage's, a contract's Renewal notice the setting's, a blank Discount 0), or is itself
# a stand-in (Invoice date, Delivered on for Invoice due; Deal ID for a contract's client).
# The effects are English, marked for the catalog: a message translates them (tr(lang, …)).
RULE_COLUMNS: tuple[tuple[str, str, tuple[tuple[str, ...], ...], str], ...] = (
    ("Clients", "key_account", (), tr("en", "key accounts are not made class A (ranking)")),
    ("Clients", "credit_limit", (), tr("en", "credit-limit risk is off")),
    ("Contacts", "primary", (), tr("en", "Today's call list takes a client's first contact, not "
                                         "the primary one")),
    ("Interactions", "outcome", (), tr("en", "no-answer retry follow-ups are off")),
    ("Interactions", "next_step_date", (), tr("en", "promised next-step follow-ups are off")),
    ("Deals", "amount", (), tr("en", "the pipeline (ranking score) and weighted amounts are off")),
    ("Deals", "stage_since", (), tr("en", "stale-deal follow-ups count from the last contact, not "
                                          "from the stage date")),
    ("Orders", "amount", (("quantity", "unit_price"),),
     tr("en", "revenue, ranking, classes and tiers are off")),
    ("Orders", "status", (), tr("en", "delivery follow-ups are off and cancelled lines count as "
                                      "revenue")),
    ("Orders", "due_date", (), tr("en", "delivery follow-ups are off")),
    ("Orders", "invoice_due", (("invoice_date",), ("delivered_on",)),
     tr("en", "payment follow-ups and payment risk are off")),
    ("Orders", "paid_on", (), tr("en", "every invoice counts as unpaid (payment follow-ups and "
                                       "payment risk)")),
    ("Contracts", "client_id", (("deal_id",),), tr("en", "renewal follow-ups are off")),
    ("Contracts", "status", (), tr("en", "renewal follow-ups are off")),
    ("Contracts", "end", (), tr("en", "renewal follow-ups are off")),
    ("Complaints", "severity", (), tr("en", "every complaint gets the Medium SLA (complaint "
                                            "follow-ups and SLA)")),
    ("Complaints", "status", (), tr("en", "every complaint counts as open (complaint follow-ups, "
                                          "SLA and complaint risk)")),
    ("Complaints", "resolved_on", (), tr("en", "the SLA status of resolved complaints is off")),
    ("Attendance", "attended", (), tr("en", "thank-you follow-ups after events are off")),
)


def missing_rule_columns(tables: dict[str, LoadedTable], lang: str = "en") -> list[Problem]:
    """A warning for each optional column a follow-up, ranking or risk rule reads that is
    absent from its table (and no stand-in either): without it the rule would go quiet
    with nothing said. Names and text in the book's language."""
    say = translator(lang)
    out = []
    for name, key, stand_ins, effect in RULE_COLUMNS:
        t = tables.get(name)
        known = {c.key: c for c in t.spec.columns} if t is not None else {}
        if t is None or key not in known or key in t.columns:
            continue
        groups = [[k for k in g if k in known] for g in stand_ins]
        if any(g and all(k in t.columns for k in g) for g in groups):
            continue                  # the stand-ins compute what the column would hold
        absent = [known[k].label(lang) for g in groups for k in g if k not in t.columns]
        label = known[key].label(lang)
        also = say(" (nor {columns} to stand in for it)").format(
            columns=say(" or ").join(absent)) if absent else ""
        out.append(Problem(WARNING, "missing-column-rule", t.sheet, t.header_row, label, None,
                           None, say("{sheet} has no column {column}{also}: {effect}").format(
                               sheet=t.sheet, column=label, also=also, effect=tr(lang, effect))))
    return out


# --- the whole book -------------------------------------------------------------------
def detect_lang(raw: RawTable) -> str:
    he = {schema.fold(c.he) for c in schema.CLIENTS.columns}
    en = {schema.fold(c.en) for c in schema.CLIENTS.columns}
    heads = [schema.fold(h) for h in raw.headers]
    return "he" if sum(h in he for h in heads) > sum(h in en for h in heads) else "en"


def _raw_lang(raw: dict[str, RawTable]) -> str:
    """The book's language before it can be loaded: its Clients headers, else its sheet
    names (Hebrew letters), else the user's (system_lang): for the messages that refuse it."""
    if "Clients" in raw:
        return detect_lang(raw["Clients"])
    if raw:
        return "he" if any("\u0590" <= ch <= "\u05ff" for t in raw.values()
                           for ch in t.sheet) else "en"
    return system_lang()


def load_book(raw: dict[str, RawTable], path: str | None = None) -> Book:
    """Type every acctbook table. Raises NotAnAcctbook when data tables are missing."""
    lang = _raw_lang(raw)
    say = translator(lang)
    where = path or say("workbook")
    missing = [t.name for t in schema.DATA_TABLES if t.name not in raw]
    if len(missing) == len(schema.DATA_TABLES):
        raise NotAnAcctbook(say("{book}: no acctbook tables found (expected Excel tables named "
                                "{tables}, …)").format(
            book=where, tables=", ".join(t.name for t in schema.DATA_TABLES[:3])))
    if missing:
        raise NotAnAcctbook(trn(lang, "{book}: missing table {tables} (each data sheet holds "
                                      "one Excel table of that name)",
                                "{book}: missing tables {tables} (each data sheet holds one "
                                "Excel table of that name)", len(missing)).format(
            book=where, tables=", ".join(missing)))
    # Every table missing required columns, in one message: the user fixes them all at once.
    broken = [m for spec in schema.ALL_TABLES if spec.name in raw
              for m in [_missing_columns(raw[spec.name], spec,
                                         _find_columns(raw[spec.name], spec), lang)] if m]
    if broken:
        raise NotAnAcctbook(f"{where}: {'; '.join(broken)}")
    problems: list[Problem] = []
    tables: dict[str, LoadedTable] = {}
    for spec in schema.SETTINGS_TABLES:
        tables[spec.name] = load_table(raw.get(spec.name) or empty_raw(spec, lang), spec, problems,
                                       lang=lang)
    settings = read_settings(tables, problems, lang)
    segs = [s.strip() for s in str(settings["segments"] or "").split(",") if s.strip()]
    by_setting = {"segments": {schema.fold(s): s for s in segs}} if segs else {}
    for spec in schema.DATA_TABLES:
        tables[spec.name] = load_table(raw[spec.name], spec, problems, by_setting,
                                       settings.country in MONTH_FIRST, lang)
    return Book(ids.match_refs(tables), settings, lang, path, problems)  # IDs: book/ids.py


def rows_to_raw(spec: schema.Table, rows: list[dict], lang: str = "en") -> RawTable:
    """Test/demo helper: row dicts keyed by column key -> a RawTable with every column."""
    cols = list(spec.columns)
    return RawTable(spec.name, spec.sheet(lang), 1, 1, [c.label(lang) for c in cols],
                    [[r.get(c.key) for c in cols] for r in rows])


def book_from_rows(data: dict[str, list[dict]], settings: dict[str, Any] | None = None,
                   lang: str = "en") -> Book:
    """A Book straight from row dicts (tests and the core's users; no file involved)."""
    raw = {t.name: rows_to_raw(t, data.get(t.name, []), lang) for t in schema.DATA_TABLES}
    srows = [{"setting": s.label(lang), "value": (settings or {}).get(s.key, s.default)}
             for s in schema.SETTING_ROWS]
    raw["Settings"] = rows_to_raw(schema.SETTINGS, srows, lang)
    for spec in schema.SETTINGS_TABLES[1:]:
        if spec.name in data:
            raw[spec.name] = rows_to_raw(spec, data[spec.name], lang)
    return load_book(raw)
