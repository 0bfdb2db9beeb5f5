"""Pieces of compute worked out from whole tables, kept with the very frames they came from.

The reader parses a big book's sheets one after another; while the main thread waits for
the last ones, compute's pieces that read only the tables already in are worked out
(core/early.py), and compute takes them from here. A piece is taken only when compute asks
with the same frame objects (not equal ones: the same), so a table that lost rows to errors
before compute (core/plan.py: without_error_rows) is a new frame, and its pieces are worked
out again from it. The frames are never changed once loaded.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd


class Digests:
    """fn(*frames), each worked out once per set of frame objects."""

    def __init__(self) -> None:
        self._kept: dict[tuple, tuple[tuple[pd.DataFrame, ...], Any]] = {}

    def get(self, fn: Callable[..., Any], *frames: pd.DataFrame) -> Any:
        key = (fn, tuple(map(id, frames)))
        kept = self._kept.get(key)
        if kept is not None and all(a is b for a, b in zip(kept[0], frames)):
            return kept[1]
        out = fn(*frames)
        self._kept[key] = (frames, out)    # the frames kept too: their ids stay theirs
        return out

    def __contains__(self, fn: Callable[..., Any]) -> bool:
        return any(key[0] is fn for key in self._kept)
