"""Cell updates held a column at a time: a refresh's computed columns (800,000 cells on a
book of 50,000 clients) go from the plan to the file writer as the columns the plan makes,
not as a dict of (row, col) keys that the writer takes apart again (xlsx/sheetcells.py).
Anything else reads them as that dict, made once when first read that way."""

from __future__ import annotations

import itertools
from collections.abc import MutableMapping
from typing import Any, Iterator


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

    def by_row(self) -> dict[int, dict[int, Any]]:
        """{row: {col: value}}: grouped as a walk over as_dict() would group them (rows in the
        order first met, each row's columns in the order added), made row by row at once when
        every column has the same rows (a refresh's computed columns)."""
        if self._dict is None and self._columns:
            spans = [rows for rows, _ in self._columns.values()]
            if all(rows is spans[0] or rows == spans[0] for rows in spans):
                cols = list(self._columns)
                values = [v for _, v in self._columns.values()]
                return {r: dict(zip(cols, vals)) for r, vals in zip(spans[0], zip(*values))}
        out: dict[int, dict[int, Any]] = {}
        walk = self._dict.items() if self._dict is not None else (
            ((r, col), v) for col, (rows, values) in self._columns.items()
            for r, v in zip(rows, values))
        for (r, c), v in walk:
            out.setdefault(r, {})[c] = v
        return out

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
