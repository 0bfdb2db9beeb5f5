"""ColumnCells (book/updates.py): the cells a refresh writes, held as the columns the plan makes,
read by anything else as the very dict {(row, col): value} it stands for."""

from __future__ import annotations

import datetime as dt

import pytest

from acctbook.book.updates import ColumnCells, cells_by_row

STALE, ROWS = [40, 41], [2, 3, 5, 9]
COLUMNS = {        # column -> values at STALE + ROWS, as a refresh gives them (stale rows blank)
    22: [None, None, dt.date(2026, 3, 9), None, dt.date(2026, 1, 2), dt.date(2025, 12, 31)],
    23: [None, None, "Overdue", "Today", None, "Later"],
    30: [None, None, 12.5, 0.0, None, 3],
}


def _as_dict_updates(columns: dict, rows: list[int]) -> dict:
    """What the plan made before ColumnCells: dict.update, a column at a time."""
    out: dict = {}
    for col, values in columns.items():
        out.update({(r, col): v for r, v in zip(rows, values)})
    return out


def _grouped(cells) -> dict:
    """Grouped by row as the file writer grouped a dict of updates."""
    out: dict = {}
    for (r, c), v in cells.items():
        out.setdefault(r, {})[c] = v
    return out


def _made(columns: dict, rows: list[int]) -> ColumnCells:
    cells = ColumnCells()
    for col, values in columns.items():
        cells.add_column(col, rows, values)
    return cells


def test_column_cells_read_as_the_dict_they_stand_for():
    rows = STALE + ROWS
    cells, want = _made(COLUMNS, rows), _as_dict_updates(COLUMNS, rows)
    assert len(cells) == len(want) == 18 and cells.columns() is not None
    assert cells_by_row(cells) == _grouped(want)
    assert [list(d) for d in cells_by_row(cells).values()] == [list(d) for d in _grouped(want).values()]
    assert list(cells_by_row(cells)) == list(_grouped(want))   # the rows in the same order
    assert cells == want and list(cells.items()) == list(want.items())   # keys in order too
    assert cells[(3, 23)] == "Today" and (41, 30) in cells and (4, 23) not in cells


def test_column_cells_given_a_cell_again_keep_its_latest_value_as_dict_update_would():
    cells = _made(COLUMNS, STALE + ROWS)
    cells.add_column(23, [3, 7], ["Later", "Today"])       # column 23 again: held as the dict
    assert cells.columns() is None
    want = _as_dict_updates(COLUMNS, STALE + ROWS)
    want.update({(3, 23): "Later", (7, 23): "Today"})
    assert cells == want and list(cells) == list(want)
    assert cells_by_row(cells) == _grouped(want)
    repeated = ColumnCells()
    repeated.add_column(5, [2, 3, 2], ["a", "b", "c"])     # a row twice in one column
    assert repeated == {(2, 5): "c", (3, 5): "b"} and repeated.columns() is None


def test_column_cells_set_a_cell_at_a_time_become_the_dict():
    cells = _made(COLUMNS, STALE + ROWS)
    cells[(2, 40)] = "added"
    del cells[(9, 22)]
    want = _as_dict_updates(COLUMNS, STALE + ROWS)
    want[(2, 40)] = "added"
    del want[(9, 22)]
    assert cells.columns() is None and cells == want and cells_by_row(cells) == _grouped(want)


def test_column_cells_with_columns_of_other_rows_group_as_the_dict_does():
    cells = ColumnCells()
    cells.add_column(4, [5, 2], ["x", "y"])
    cells.add_column(3, [2, 7], [1, 2])
    want = {(5, 4): "x", (2, 4): "y", (2, 3): 1, (7, 3): 2}
    assert cells_by_row(cells) == _grouped(want) and list(cells_by_row(cells)) == [5, 2, 7]
    assert list(cells_by_row(cells)[2]) == [4, 3] and cells.columns() is not None


def test_column_cells_refuse_rows_and_values_of_other_lengths():
    with pytest.raises(ValueError, match="2 rows but 1 values"):
        ColumnCells().add_column(3, [2, 3], ["x"])
