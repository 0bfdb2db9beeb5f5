"""A big table read as columns: fastexcel (calamine's parse, handed over as Arrow arrays)
instead of a Python object per cell, for read.py's tables of hundreds of thousands of cells
(bench/README.md, issue 21). book/coerce_columnar.py types what this gives.

The columns are taken only when they give exactly what the rows would. So every column
acctbook reads must hold one kind of cell: fastexcel guesses each column's type from all of
its rows and, being strict, refuses a column of mixed kinds. Each kind must be one its
column's type takes (coerce_columnar.ACCEPTS), dates must fall from 1900 on, and the
header row must read as the table names it. Otherwise `read_columns` gives None and the
table is read as rows. Excel error cells are the error scan's to find (read.py): a table
with one is read again as rows.

fastexcel and pyarrow are imported only here, when a big table is read; where either is
missing, every table is read as rows.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from acctbook.book import schema
from acctbook.book.coerce import find_columns
from acctbook.book.coerce_column import NAT
from acctbook.book.coerce_columnar import ACCEPTS, FIRST_DAY
from acctbook.book.model import RawColumns, RawTable
from acctbook.xlsx.errors import reader_failure
from acctbook.xlsx.package import Package
from acctbook.xlsx.preread import columns_reader, load_columns

_MS_A_DAY = 86_400_000
_SPECS = {t.name: t for t in schema.DATA_TABLES}


class Columnar:
    """fastexcel readers over a workbook. A reader serves one call at a time, so a reading
    thread takes one (`take`: an idle one, else a new one) and gives it back (`give`); one
    idle reader is kept, so two exist only while two sheets are parsed at once. The reader
    is None where fastexcel or pyarrow is not installed, or it cannot open the file: the
    rows path reads it then.

    A reader reads the file itself, entry by entry, rather than a third copy of its bytes
    (70 MB on the large book, beside Package's and calamine's), when the file on disk is
    still the one read (Package.stamp); `changed` tells when it no longer is, and the
    columns read are then dropped."""

    def __init__(self, pkg: Package):
        self.pkg, self.idle, self.lock = pkg, [], threading.Lock()

    def take(self) -> tuple[Any, bool]:
        """(a reader or None, whether it reads the file itself)."""
        with self.lock:
            if self.idle:
                return self.idle.pop()
        by_path = self.pkg.stamp is not None and not self.changed()
        return _open(str(self.pkg.path) if by_path else self.pkg.data), by_path

    def give(self, taken: tuple[Any, bool]) -> None:
        with self.lock:
            if not self.idle and taken[0] is not None:
                self.idle.append(taken)

    def changed(self) -> bool:
        return self.pkg.changed_on_disk(self.pkg.path)


def _open(data: bytes | str):
    try:
        return columns_reader(data)
    except BaseException as e:   # only a shortcut; calamine reports what is wrong
        return _given_up(e)


def read_columns(columnar: Columnar, name: str, sheet: str, r1: int, c1: int, r2: int,
                 headers: list[str]) -> RawTable | None:
    """The table `name` (header on Excel row r1 from column c1, data down to row r2) with
    its cells as columns (RawTable.columns), or None when it must be read as rows. The
    columns parsed while the program started (preread.py) are taken when they are these."""
    spec = _SPECS.get(name)
    if spec is None:
        return None
    raw = RawTable(name, sheet, r1, c1, list(headers), [])
    columns = find_columns(raw, spec)
    types = {columns[c.key] - c1: c.type for c in spec.columns if c.key in columns}
    at = sorted(types)
    if not at:
        return None
    ahead = columnar.pkg.preread
    batch = ahead.columns_for((sheet, r1, c1, r2, tuple(at))) if ahead is not None else None
    if batch is None:
        taken = columnar.take()
        try:
            batch = _load(taken, columnar, sheet, (r1, c1, r2), at)
        finally:
            columnar.give(taken)
    if batch is None or list(batch.schema.names) != [headers[p] for p in at]:
        return None
    return _typed(raw, batch, at, types)


def _load(taken, columnar: Columnar, sheet: str, box: tuple, at: list[int]):
    """The columns as one Arrow batch; None when they must be read as rows."""
    reader, by_path = taken
    try:
        batch = load_columns(reader, sheet, *box, at)
    except BaseException as e:   # mixed kinds of cell, anything odd, a Rust panic: as rows
        return _given_up(e)
    if by_path and columnar.changed():
        return None              # saved meanwhile: the rows come from the bytes read
    return batch


def _typed(raw: RawTable, batch, at: list[int], types: dict) -> RawTable | None:
    """The RawTable with the batch's columns, when each is a kind its column's type takes."""
    cells = {}
    try:
        for p, column in zip(at, batch.columns):
            cell = _cells(column)
            if cell is None or cell[0] not in ACCEPTS[types[p]]:
                return None
            cells[p] = cell
    except BaseException as e:   # an Arrow type or value not foreseen: read as rows
        return _given_up(e)
    raw.columns = RawColumns(cells, batch.num_rows)
    return raw


def _given_up(e: BaseException) -> None:
    """None (the table is read as rows) for a failure of fastexcel or pyarrow, their Rust
    panics included (errors.reader_failure); Ctrl+C goes on."""
    if not reader_failure(e):
        raise e
    return None


def _cells(column) -> tuple[str, object] | None:
    """(kind, data) of one Arrow column as RawColumns holds it; None for a kind it has not.
    Arrow's work goes through the C library's malloc (pyarrow's own pool keeps what it
    frees), so read.py gives it back to the system after each table."""
    import pyarrow as pa
    import pyarrow.compute as pc
    pool, ty = pa.system_memory_pool(), column.type
    if pa.types.is_null(ty):
        return "empty", None
    if pa.types.is_string(ty) or pa.types.is_large_string(ty):
        coded = pc.dictionary_encode(column, memory_pool=pool)
        codes = pc.coalesce(coded.indices, pa.scalar(-1, coded.indices.type), memory_pool=pool)
        return "text", (coded.dictionary.to_pylist(), codes.to_numpy(zero_copy_only=False))
    if pa.types.is_floating(ty) or pa.types.is_integer(ty):
        numbers = pc.cast(column, pa.float64(), memory_pool=pool)
        return "number", numbers.to_numpy(zero_copy_only=False)
    if pa.types.is_boolean(ty):
        flags = pc.cast(column, pa.int64(), memory_pool=pool)
        return "bool", pc.coalesce(flags, pa.scalar(-1, pa.int64()),
                                   memory_pool=pool).to_numpy(zero_copy_only=False)
    if pa.types.is_timestamp(ty) or pa.types.is_date(ty):
        return _days(column, pool)
    return None


def _days(column, pool) -> tuple[str, np.ndarray] | None:
    """A date column as int64 days since 1970 (a time of day dropped), NAT when empty; None
    when a date falls before 1900 (calamine gives that cell as a time of day)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    empty = pc.is_null(column, memory_pool=pool).to_numpy(zero_copy_only=False)
    ms = pc.cast(pc.cast(column, pa.timestamp("ms"), memory_pool=pool), pa.int64(),
                 memory_pool=pool)
    ms = pc.coalesce(ms, pa.scalar(0, pa.int64()), memory_pool=pool)
    days = np.floor_divide(ms.to_numpy(zero_copy_only=False), _MS_A_DAY)
    days[empty] = NAT
    if np.any(days[~empty] < FIRST_DAY):
        return None
    return "date", days
