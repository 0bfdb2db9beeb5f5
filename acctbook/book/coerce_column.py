"""The parts of typing a table that know no column type: a table's rows chunk by chunk, a
chunk split into columns, stale rows, plain floats, and a column's typed pieces as one
Series. book/coerce.py types each column (its `_typed`) between them. Pure.

A big table comes from the file reader in chunks of rows (RawTable.chunks), so its cells
as Python objects never all exist at once: each chunk is split into columns, each column
typed into a numpy array (numbers, dates) or a list of shared values (text, choices), and
the chunk's cells are dropped.
"""

from __future__ import annotations

import datetime as dt
from itertools import chain
from operator import itemgetter
from typing import Iterable

import numpy as np
import pandas as pd

from acctbook.book import schema
from acctbook.book.model import Problem, RawTable, col_letter

NAT = np.iinfo(np.int64).min                  # NaT as int64 days
EPOCH = dt.date(1970, 1, 1).toordinal()
_NONE = type(None)


class Collector:
    """Builds problems for one table with its sheet/cell coordinates."""

    def __init__(self, raw: RawTable, columns: dict[str, int], out: list[Problem]):
        self.raw, self.columns, self.out = raw, columns, out

    def add(self, severity, code, key, row, value, message):
        col = self.columns.get(key)
        header = self.raw.headers[col - self.raw.first_col] if col else None
        cell = f"{col_letter(col)}{row}" if col else None
        self.out.append(Problem(severity, code, self.raw.sheet, int(row), header, cell, value,
                                message))


def chunks(raw: RawTable) -> Iterable[list[list]]:
    """The table's rows: `rows`, then each chunk still to come (RawTable.chunks)."""
    if raw.rows or raw.chunks is None:
        yield raw.rows
    if raw.chunks is not None:
        yield from raw.chunks


def split_columns(rows: list[list], width: int, inputs: list[int]) -> tuple[list, list[int]]:
    """Rows -> (columns without the blank rows, indexes of the rows kept).

    A row is a record only when one of `inputs` (the positions of acctbook's input
    columns) holds a value: a row with only the user's own columns filled in (a
    formula stretched down the table) or stale computed values is blank.
    """
    if rows and set(map(len, rows)) != {width}:          # ragged rows: pad them
        rows = [list(r[:width]) + [None] * (width - len(r)) for r in rows]
    if not inputs:
        return [[] for _ in range(width)], []
    # A truthy input cell makes a record; only the other rows (0, False, "" ...) need a
    # closer look. `cells` gives a row's input cells (the first one twice, so even a
    # single input column gives a tuple); when every column is an input (the usual
    # table: no computed columns, no user's own) the whole row is the quicker test.
    cells = (lambda r: r) if len(inputs) == width else itemgetter(*inputs, inputs[0])
    truthy = list(map(any, rows)) if len(inputs) == width else list(map(any, map(cells, rows)))
    if all(truthy):
        keep = list(range(len(rows)))
    else:
        keep = [i for i, (t, r) in enumerate(zip(truthy, rows))
                if t or not all(v is None or (v.__class__ is str and v == "") for v in cells(r))]
        rows = [rows[i] for i in keep]
    # zip(*rows) transposes without the GC's cost while the reader has it off (read.py)
    return ([list(c) for c in zip(*rows)] if rows else [[] for _ in range(width)]), keep


def stale_rows(rows: list[list], first_row: int, keep: list[int],
               computed: list[int]) -> list[int]:
    """Excel rows (the first of `rows` is `first_row`) left out as not records that hold a
    computed value."""
    if not computed or len(keep) == len(rows):
        return []
    kept = set(keep)
    return [first_row + i for i, r in enumerate(rows) if i not in kept
            and any(j < len(r) and r[j] not in (None, "") for j in computed)]


def fast_numbers(values: list) -> np.ndarray | None:
    """The column as floats when every cell is a float or blank (the usual case), else None."""
    types = set(map(type, values))
    if not types <= {float, _NONE, str}:
        return None
    if str in types and any(v for v in values if v.__class__ is str):
        return None
    return np.array([v if v.__class__ is float else np.nan for v in values], dtype="float64")


def plain_numbers(spec: schema.Column, numbers: np.ndarray) -> bool:
    """Whether a number column's floats are taken as they are, with no problem to say: no
    fraction in a whole-number column, no 0.6 in a percent column a user fills (that warns:
    Excel stores 60% as 0.6). Otherwise each value goes through convert.typed_value."""
    if spec.type == schema.INTEGER and not np.all(np.isnan(numbers) |
                                                   (numbers == np.floor(numbers))):
        return False
    return not (spec.type == schema.PERCENT and not spec.computed
                and np.any((numbers > 0) & (numbers < 1)))


def column_series(spec: schema.Column, pieces: list, index: pd.Index) -> pd.Series:
    """A column's typed pieces (one per chunk) as one Series on the table's index."""
    t = spec.type
    if t == schema.DATE:
        days = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
        return pd.Series(days.view("datetime64[D]").astype("datetime64[ns]"), index=index)
    if t in (schema.NUMBER, schema.INTEGER, schema.PERCENT):
        numbers = np.concatenate(pieces) if pieces else np.empty(0, dtype="float64")
        return pd.Series(numbers, index=index)
    values = pieces[0] if len(pieces) == 1 else list(chain.from_iterable(pieces))
    return pd.Series(values, index=index, dtype=object)
