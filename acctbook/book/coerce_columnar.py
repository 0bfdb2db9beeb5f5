"""Typing a table that the file reader handed over as columns (RawColumns), not rows: the
same frame, problems and stale rows as the row path of book/coerce.py, without Python
running per cell on a million rows. Each column's distinct values are converted once
(convert.typed_value, as the row path does) and spread back by their codes. Plain
numbers and dates in range skip even that. Pure.

`ACCEPTS` says which kinds of cell each column type takes here: those whose Python value
the row path would get back exactly. The file reader hands a table over as columns only
when each column it reads is of such a kind (acctbook/xlsx/columnar.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from acctbook.book import schema
from acctbook.book.coerce_column import EPOCH, NAT, Collector, column_series, plain_numbers
from acctbook.book.convert import typed_value
from acctbook.book.model import Problem, RawTable
from acctbook.book.parse import DATE_MAX, DATE_MIN, as_text

_NUMBERS = (schema.NUMBER, schema.INTEGER, schema.PERCENT)
_ALL = frozenset({"text", "number", "bool", "empty"})
# A date cell's Python value is a date or a datetime (the time of day lost here): only a
# date column takes it, and only from 1900 on (an earlier serial is a time of day).
ACCEPTS: dict[str, frozenset[str]] = {t: _ALL for t in (
    schema.TEXT, schema.REF, schema.CHOICE, schema.YESNO, *_NUMBERS)}
ACCEPTS[schema.DATE] = _ALL | {"date"}
FIRST_DAY = DATE_MIN.toordinal() - EPOCH       # the first date a date column takes here
_LAST_DAY = DATE_MAX.toordinal() - EPOCH


def typed_columns(raw: RawTable, present: list[schema.Column], columns: dict[str, int],
                  choices: dict, month_first: bool, lang: str,
                  found: dict[str, list[Problem]]) -> tuple[pd.Index, dict, list[int]]:
    """(the records' Excel rows, column key -> typed Series, stale rows) of a table read as
    columns (`present`: its columns found in the file); each column's problems into
    found[key] in row order, as the row path gives them (none for a computed column)."""
    cols = raw.columns
    cells = {c.key: cols.cells[columns[c.key] - raw.first_col] for c in present}
    filled = {k: _filled(kind, data, cols.length) for k, (kind, data) in cells.items()}
    # A row is a record when one of acctbook's input cells holds a value (coerce_column.
    # split_columns); one that is not but holds a computed value is stale.
    record = _any([filled[c.key] for c in present if not c.computed], cols.length)
    held = _any([filled[c.key] for c in present if c.computed], cols.length)
    first = raw.header_row + 1
    stale = (np.flatnonzero(~record & held) + first).tolist()
    keep = np.flatnonzero(record)
    index = pd.Index(keep + first, name="row")
    typed = {}
    for c in present:
        coll = Collector(raw, columns, [] if c.computed else found[c.key])
        kind, data = cells[c.key]
        piece = _typed(c, kind, data, keep, index, coll, choices.get(c.key), month_first, lang)
        typed[c.key] = column_series(c, [piece], index)
    return index, typed, stale


def _any(masks: list[np.ndarray], n: int) -> np.ndarray:
    return np.logical_or.reduce(masks) if masks else np.zeros(n, dtype=bool)


def _filled(kind: str, data, n: int) -> np.ndarray:
    """Which cells hold a value (not empty, not "")."""
    if kind == "text":
        distinct, codes = data
        blank = [k for k, v in enumerate(distinct) if v == ""]
        return (codes >= 0) & ~np.isin(codes, blank) if blank else codes >= 0
    if kind == "number":
        return ~np.isnan(data)
    if kind == "date":
        return data != NAT
    if kind == "bool":
        return data >= 0
    return np.zeros(n, dtype=bool)


def _typed(c: schema.Column, kind: str, data, keep: np.ndarray, rows: pd.Index,
           coll: Collector, choices, month_first: bool, lang: str):
    """One column's kept cells typed as coerce._typed_piece types them."""
    if kind == "number" and c.type in _NUMBERS:
        numbers = data[keep]
        if plain_numbers(c, numbers):
            return numbers
    if kind == "date" and c.type == schema.DATE:
        days = data[keep]
        if not np.any(days > _LAST_DAY):
            return days
    values, codes = _distinct(kind, data, keep)
    return _by_value(c, values, codes, rows, coll, choices, month_first, lang)


def _distinct(kind: str, data, keep: np.ndarray) -> tuple[list, np.ndarray]:
    """(the distinct Python values the row path would see, each kept cell's code into them;
    -1 for an empty cell)."""
    if kind == "text":
        distinct, codes = data
        return list(distinct), codes[keep]
    if kind == "bool":
        return [False, True], data[keep]
    if kind == "empty":
        return [], np.full(len(keep), -1, dtype=np.int64)
    cells = data[keep]
    blank = np.isnan(cells) if kind == "number" else cells == NAT
    uniq, codes = np.unique(cells[~blank], return_inverse=True)
    out = np.full(len(cells), -1, dtype=np.int64)
    out[~blank] = codes
    if kind == "date":
        return [dt.date.fromordinal(int(d) + EPOCH) for d in uniq], out
    return [float(v) for v in uniq], out


def _by_value(c: schema.Column, values: list, codes: np.ndarray, rows: pd.Index,
              coll: Collector, choices, month_first: bool, lang: str):
    """Each distinct value typed once, spread back by code; a value's problem on each of
    its rows, in row order."""
    if c.type in (schema.TEXT, schema.REF) or (c.type == schema.CHOICE and choices is None):
        conv = [((v.strip() or None) if isinstance(v, str) else as_text(v), None)
                for v in values]
        blank = (None, None)
    else:
        conv = [typed_value(c, v, choices, month_first, lang) for v in values]
        blank = typed_value(c, None, choices, month_first, lang)
    dtype = np.int64 if c.type == schema.DATE else (
        "float64" if c.type in _NUMBERS else object)
    table = np.empty(len(conv) + 1, dtype=dtype)
    table[:] = [value for value, _ in conv] + [blank[0]]
    bad = [k for k, (_, problem) in enumerate(conv) if problem is not None]
    if bad:
        at = np.flatnonzero(np.isin(codes, bad))
        for i in at:
            severity, code, message = conv[codes[i]][1]
            coll.add(severity, code, c.key, rows[i], values[codes[i]], message)
    return table[codes]
