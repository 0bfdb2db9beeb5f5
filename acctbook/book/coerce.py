"""From RawTables to a typed Book: columns found by header, values coerced, failures collected.

Pure: no file access, so the same code serves the file reader and xlwings.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pandas as pd

from acctbook.book import ids, schema
from acctbook.book.i18n import system_lang, tr, translator, trn
from acctbook.book.model import (WARNING, Book, ExcelError, LoadedTable, NotAnAcctbook,
                                 Problem, RawTable, TablesSoFar, col_letter, quoted)
# The parsers live in book/parse.py; cli, create and the tests take them from here too.
from acctbook.book.parse import (DATE_MAX, DATE_MIN, MONTH_FIRST, as_text,  # noqa: F401
                                 closest_choice, is_blank, parse_date, parse_number)
from acctbook.book.coerce_column import (Collector, chunks, column_series, fast_numbers,
                                         plain_numbers, split_columns, stale_rows)
from acctbook.book.coerce_columnar import typed_columns
from acctbook.book.convert import excel_error, typed_value
from acctbook.book.settings_load import settings as read_settings


_SHARE = object()       # a text column's memo key: whether its equal texts share one object


def _texts(spec: schema.Column, values: list, rows: list[int], coll: Collector,
           memo: dict, lang: str) -> list:
    """A text column: stripped text or None. In a reference column (a client's ID on each
    of a million interactions), or one whose first chunk repeats its texts, equal texts
    share one object (memo): a few MB, not 50."""
    if set(map(type, values)) <= {str, type(None)}:
        share = memo.get(_SHARE)
        if share is None:
            share = memo[_SHARE] = spec.type == schema.REF or 4 * len(set(values)) <= len(values)
        if share:
            memo.update({v: (v.strip() or None) if v is not None else None
                         for v in set(values).difference(memo)})
            return list(map(memo.__getitem__, values))
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
                severity, code, message = excel_error(spec, v, lang)[1]
                coll.add(severity, code, spec.key, r, str(v), message)
    return out


def _typed(spec: schema.Column, values: list, rows: list[int], coll: Collector,
           choices: dict[str, str] | None, month_first: bool = False, lang: str = "en",
           memo: dict | None = None):
    """One column's cells (one chunk of them) -> its typed values: int64 days for a date
    (NAT when blank), float64 for a number, a list for the rest; failures become problems.
    `memo` (one per column, kept across chunks) holds each distinct value's conversion."""
    memo = {} if memo is None else memo
    t = spec.type
    if t in (schema.TEXT, schema.REF) or (t == schema.CHOICE and choices is None):
        return _texts(spec, values, rows, coll, memo, lang)
    types = set(map(type, values))
    # True and 1.0 hash alike but are different cells; so do an error "#N/A" and the text:
    # such a column is looked up by (class, value), in a memo of its own
    if bool in types or ExcelError in types:
        keys = [(v.__class__, v) for v in values]
        conv = memo.setdefault("by class", {})
        distinct = set(keys)
        for k in distinct - conv.keys():
            conv[k] = typed_value(spec, k[1], choices, month_first, lang)
    else:
        keys = values
        conv = memo.setdefault("by value", {})
        distinct = set(values)
        for v in distinct - conv.keys():
            conv[v] = typed_value(spec, v, choices, month_first, lang)
    lookup = {k: conv[k][0] for k in distinct}.__getitem__
    if t == schema.DATE:
        out = np.fromiter(map(lookup, keys), dtype=np.int64, count=len(values))
    else:
        out = list(map(lookup, keys))
    if any(conv[k][1] is not None for k in distinct):
        for r, v, k in zip(rows, values, keys):
            problem = conv[k][1]
            if problem is not None:
                severity, code, message = problem
                shown = str(v) if v.__class__ is ExcelError else v   # a plain "#N/A"
                coll.add(severity, code, spec.key, r, shown, message)
    if t in (schema.DATE, schema.CHOICE, schema.YESNO):
        return out
    return np.array(out, dtype="float64")


def find_columns(raw: RawTable, spec: schema.Table) -> dict[str, int]:
    """Column key -> 1-based sheet column, by header text (the first of repeated headers)."""
    return {key: raw.first_col + i for key, i in schema.column_places(raw.headers, spec).items()}


def _missing_columns(raw: RawTable, spec: schema.Table, columns: dict[str, int],
                     lang: str = "en") -> str | None:
    """What is wrong when required columns are missing (None when none is)."""
    missing = [c.label(lang) for c in spec.columns if c.required and c.key not in columns]
    if not missing:
        return None
    return trn(lang, "sheet '{sheet}', table {table}: missing required column {columns}",
               "sheet '{sheet}', table {table}: missing required columns {columns}",
               len(missing)).format(sheet=raw.sheet, table=spec.name, columns=", ".join(missing))


def load_table(raw: RawTable, spec: schema.Table, problems: list[Problem],
               choices_by_setting: dict[str, dict[str, str]] | None = None,
               month_first: bool = False, lang: str = "en") -> LoadedTable:
    """Type one table (chunk by chunk when the reader streams it: RawTable.chunks). Missing
    required columns raise NotAnAcctbook (the book is unusable)."""
    columns = find_columns(raw, spec)
    missing = _missing_columns(raw, spec, columns, lang)
    if missing:
        raise NotAnAcctbook(missing)
    present = [c for c in spec.columns if c.key in columns]
    found: dict[str, list[Problem]] = {c.key: [] for c in present}   # in column order
    kinds = {c.key: _choices(c, choices_by_setting) for c in present}
    if raw.columns is not None:        # handed over as columns: typed a column at a time
        index, typed, stale = typed_columns(raw, present, columns, kinds, month_first, lang,
                                            found)
    else:
        index, typed, stale = _typed_rows(raw, present, columns, kinds, month_first, lang,
                                          found)
    data = {c.key: typed[c.key] if c.key in typed else _blank(c, index) for c in spec.columns}
    for c in present:
        problems += found[c.key]
    frame = pd.DataFrame(data, index=index)
    below = tuple(_first_filled(raw, i) for i in range(len(raw.below)))
    return LoadedTable(spec, raw.sheet, raw.header_row, raw.first_col, list(raw.headers),
                       columns, frame, tuple(stale), below)


def _typed_rows(raw: RawTable, present: list[schema.Column], columns: dict[str, int],
                kinds: dict, month_first: bool, lang: str,
                found: dict[str, list[Problem]]) -> tuple[pd.Index, dict, list[int]]:
    """(the records' Excel rows, column key -> typed Series, stale rows) of a table read as
    rows, chunk by chunk; `present`: the table's columns found in the file, in schema order;
    each column's problems into found[key]."""
    width = len(raw.headers)
    # Blank rows (an empty table keeps one) are not records.
    inputs = [columns[c.key] - raw.first_col for c in present if not c.computed]
    computed = [columns[c.key] - raw.first_col for c in present if c.computed]
    pieces: dict[str, list] = {c.key: [] for c in present}
    memos: dict[str, dict] = {c.key: {} for c in present}
    rows: list[int] = []
    stale: list[int] = []
    first = raw.header_row + 1
    for chunk in chunks(raw):
        by_column, keep = split_columns(chunk, width, inputs)
        chunk_rows = [first + i for i in keep]
        rows += chunk_rows
        stale += stale_rows(chunk, first, keep, computed)
        first += len(chunk)
        for c in present:
            # computed columns are acctbook's: never a problem
            coll = Collector(raw, columns, [] if c.computed else found[c.key])
            pieces[c.key].append(_typed_piece(c, by_column[columns[c.key] - raw.first_col],
                                              chunk_rows, coll, kinds[c.key], month_first,
                                              lang, memos[c.key]))
        del chunk, by_column
    index = pd.Index(rows, name="row")
    return index, {c.key: column_series(c, pieces.pop(c.key), index) for c in present}, stale


def _choices(c: schema.Column, by_setting: dict[str, dict[str, str]] | None):
    """A choice column's index of choices (schema's, or a setting's list), else None."""
    if c.type != schema.CHOICE:
        return None
    if c.choices:
        return schema.choice_index(c.choices)
    if c.choices_setting and by_setting:
        return by_setting.get(c.choices_setting)
    return None


def _typed_piece(c: schema.Column, values: list, rows: list[int], coll: Collector,
                 choices, month_first: bool, lang: str, memo: dict):
    """One chunk of one column, typed (coerce_column.typed; plain floats the quick way)."""
    if c.type in (schema.NUMBER, schema.PERCENT, schema.INTEGER):
        fast = fast_numbers(values)
        if fast is not None and plain_numbers(c, fast):
            return fast
    return _typed(c, values, rows, coll, choices, month_first, lang, memo)


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
    return load_stream(list(raw), iter(raw.items()), path)


class _Arrivals:
    """The tables as the reader hands them over; one asked for before its turn is read up to,
    the ones read meanwhile kept until their turn."""

    def __init__(self, stream: Iterator[tuple[str, RawTable]]):
        self.stream, self.held = stream, {}

    def take(self, name: str) -> RawTable:
        while name not in self.held:
            got, raw = next(self.stream)
            self.held[got] = raw
        return self.held.pop(name)

    def peek(self, name: str) -> RawTable:
        self.held[name] = raw = self.take(name)
        return raw

    def rest(self) -> Iterator[tuple[str, RawTable]]:
        while self.held:
            yield self.held.popitem()
        yield from self.stream


def _refuse_missing(names: list[str], where: str, lang: str) -> None:
    say = translator(lang)
    missing = [t.name for t in schema.DATA_TABLES if t.name not in names]
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


def load_stream(names: list[str], stream: Iterator[tuple[str, RawTable]],
                path: str | None = None, unread: frozenset[str] = frozenset(),
                meanwhile=None) -> Book:
    """load_book over tables that arrive one by one ((name, RawTable), `names` those the
    book has): each is typed as it comes and its cells dropped, so a big book's cells never
    all exist at once. Settings and Clients are asked for first (the reader reads them first:
    acctbook.xlsx.read.FIRST); the Book, its problems and its tables' order are load_book's
    whatever the order of arrival. `unread`: tables the reader handed over with their
    headers only (Book.unread). `meanwhile` (rules.EarlyRules, core/early.py's EarlyWork):
    handed the book as loaded so far (_SoFar), which it asks for while the reader waits, to
    run the rules (and compute's pieces) that can run."""
    arrivals = _Arrivals(stream)
    if "Clients" in names:
        lang = detect_lang(arrivals.peek("Clients"))
    else:
        lang = _raw_lang(dict(arrivals.rest()))
    where = path or translator(lang)("workbook")
    _refuse_missing(names, where, lang)
    broken: dict[str, str] = {}        # every table missing required columns, in one message
    tables: dict[str, LoadedTable] = {}
    found: dict[str, list[Problem]] = {}
    for spec in schema.SETTINGS_TABLES:
        raw = arrivals.take(spec.name) if spec.name in names else empty_raw(spec, lang)
        _load_one(raw, spec, tables, found, broken, lang=lang)
    settings_problems: list[Problem] = []
    settings = read_settings(tables, settings_problems, lang) if not broken else None
    segs = [s.strip() for s in str(settings["segments"] or "").split(",") if s.strip()] \
        if settings is not None else []
    by_setting = {"segments": {schema.fold(s): s for s in segs}} if segs else {}
    month_first = settings is not None and settings.country in MONTH_FIRST
    data = {spec.name: spec for spec in schema.DATA_TABLES}
    so_far = _SoFar(meanwhile, tables, settings, lang, path, unread)
    for name, raw in arrivals.rest():
        if name in data:
            _load_one(raw, data[name], tables, found, broken, by_setting, month_first, lang,
                      check_only=bool(broken))
        del raw
    if broken:
        raise NotAnAcctbook(f"{where}: " + "; ".join(broken[t.name] for t in schema.ALL_TABLES
                                                     if t.name in broken))
    order = [t.name for t in schema.SETTINGS_TABLES + schema.DATA_TABLES]
    problems = [p for n in order[:len(schema.SETTINGS_TABLES)] for p in found[n]]
    problems += settings_problems + [p for n in order[len(schema.SETTINGS_TABLES):]
                                     for p in found[n]]
    tables = {n: tables[n] for n in order}
    return Book(ids.match_refs(tables, so_far.unmatched(tables)), settings, lang, path,
                problems, unread=frozenset(unread))     # IDs: book/ids.py


class _SoFar:
    """The book as loaded so far, for `meanwhile` (load_stream), which asks for it in the
    reader's idle time (book()): each table's references are matched then, as soon as the
    tables they name are in, and only a matched table is in it."""

    ALL = [t.name for t in schema.SETTINGS_TABLES + schema.DATA_TABLES]

    def __init__(self, meanwhile, tables: dict, settings, lang: str, path, unread):
        self.tables, self.matched, self.made = tables, set(), None
        self.book_of = (settings, lang, path, frozenset(unread))
        if meanwhile is not None and settings is not None:
            meanwhile.offer(self)

    def book(self) -> Book | None:
        """The tables loaded and matched so far, as a Book (None: none yet)."""
        tables = self.tables
        loaded = set(tables)
        ready = [n for n, t in tables.items() if n not in self.matched
                 and ids.ref_targets(t.spec) <= loaded]
        if ready or self.made is None:
            ids.match_refs(tables, ready)
            self.matched.update(ready)
            settings, lang, path, unread = self.book_of
            self.made = Book(TablesSoFar({n: tables[n] for n in self.matched}, self.ALL),
                             settings, lang, path, unread=unread)
        return self.made

    def unmatched(self, tables: dict) -> list[str]:
        return [n for n in tables if n not in self.matched]


def _load_one(raw: RawTable, spec: schema.Table, tables: dict, found: dict, broken: dict,
              by_setting=None, month_first: bool = False, lang: str = "en",
              check_only: bool = False) -> None:
    """Type one table into `tables` (its problems into found[name]), or say in `broken` what
    required columns it lacks; `check_only`: the book is already refused, only look."""
    message = _missing_columns(raw, spec, find_columns(raw, spec), lang)
    if message:
        broken[spec.name] = message
    elif not check_only:
        found[spec.name] = []
        tables[spec.name] = load_table(raw, spec, found[spec.name], by_setting, month_first,
                                       lang)


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
