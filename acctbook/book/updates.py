"""Cell updates held a column at a time: a refresh's computed columns (800,000 cells on a
book of 50,000 clients) go from the plan to the file writer as the columns the plan makes,
not as a dict of (row, col) keys that the writer takes apart again (xlsx/sheetcells.py).
Anything else reads them as that dict, made once when first read that way."""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping
from typing import Any, Iterable, Iterator, Mapping


class ColumnCells(MutableMapping):
    """{(row, col): value}, held as {col: (rows, values)} until it is read or changed a cell
    at a time; then as that dict (`columns()` is None from then on)."""

    def __init__(self) -> None:
        self._columns: dict[int, tuple[list[int], list]] = {}
        self._dict: dict[tuple[int, int], Any] | None = None

    def add_column(self, col: int, rows: list[int], values: list) -> None:
        """Column `col`'s `values` at `rows` (alike in length). A cell given again takes its
        latest value, as dict.update would."""
        if len(rows) != len(values):
            raise ValueError(f"column {col}: {len(rows)} rows but {len(values)} values")
        if self._dict is not None or col in self._columns or len(set(rows)) != len(rows):
            self.as_dict().update(zip(zip(rows, itertools.repeat(col)), values))
        else:
            self._columns[col] = (rows, values)

    def columns(self) -> dict[int, tuple[list[int], list]] | None:
        """{col: (rows, values)} in the order added; None once held as a dict."""
        return None if self._dict is not None else self._columns

    def as_dict(self) -> dict[tuple[int, int], Any]:
        """The cells as {(row, col): value}, keys in the order the columns were added."""
        if self._dict is None:
            cells: dict[tuple[int, int], Any] = {}
            for col, (rows, values) in self._columns.items():
                cells.update(zip(zip(rows, itertools.repeat(col)), values))
            self._dict, self._columns = cells, {}
        return self._dict

    def walk(self) -> Iterable[tuple[tuple[int, int], Any]]:
        """((row, col), value) in as_dict()'s order, without making the dict."""
        if self._dict is not None:
            return self._dict.items()
        return (((r, col), v) for col, (rows, values) in self._columns.items()
                for r, v in zip(rows, values))

    def rows_at_once(self) -> dict[int, dict[int, Any]] | None:
        """cells_by_row(self) made a row at a time, when every column has the same rows (a
        refresh's computed columns); else None."""
        if self._dict is not None or not self._columns:
            return None
        spans = [rows for rows, _ in self._columns.values()]
        if not all(rows is spans[0] or rows == spans[0] for rows in spans):
            return None
        cols, values = list(self._columns), [v for _, v in self._columns.values()]
        return {r: dict(zip(cols, vals)) for r, vals in zip(spans[0], zip(*values))}

    def __getitem__(self, key: tuple[int, int]) -> Any:
        return self.as_dict()[key]

    def __setitem__(self, key: tuple[int, int], value: Any) -> None:
        self.as_dict()[key] = value

    def __delitem__(self, key: tuple[int, int]) -> None:
        del self.as_dict()[key]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        if self._dict is None:
            return sum(len(rows) for rows, _ in self._columns.values())
        return len(self._dict)

    def items(self):
        return self.as_dict().items()

    def keys(self):
        return self.as_dict().keys()

    def values(self):
        return self.as_dict().values()


def cells_by_row(updates: Mapping[tuple[int, int], Any]) -> dict[int, dict[int, Any]]:
    """{row: {col: value}} of cell updates: rows in the order first met, each row's columns in
    the order given (a ColumnCells' made a row at a time when it can be)."""
    if isinstance(updates, ColumnCells):
        rows = updates.rows_at_once()
        if rows is not None:
            return rows
    walk = updates.walk() if isinstance(updates, ColumnCells) else updates.items()
    out: dict[int, dict[int, Any]] = {}
    for (r, c), v in walk:
        out.setdefault(r, {})[c] = v
    return out


def positions(updates: Mapping[tuple[int, int], Any]) -> Iterable:
    """The (row, col) keys of cell updates to check; of a ColumnCells held as columns, each
    column's first cell and each distinct list of rows once (a refresh's columns share one)."""
    columns = updates.columns() if isinstance(updates, ColumnCells) else None
    if columns is None:
        return updates
    spans: dict[int, tuple[list, int]] = {}
    for col, (rows, _) in columns.items():
        spans.setdefault(id(rows), (rows, col))
    return itertools.chain(((rows[0], col) for col, (rows, _) in columns.items() if rows),
                           ((r, col) for rows, col in spans.values() for r in rows))
