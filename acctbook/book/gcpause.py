"""Python's cyclic garbage collector paused while a book is read or a button works.

Reading a book makes a list per row (hundreds of thousands in a big book), and each pass
of the collector walks every one still alive, again and again: a third of a big book's read,
a sixth of a Refresh button press (bench/README.md, issue 21). Reading and computing make
few reference cycles; reference counting frees the rest at once, and the collector runs as
usual when the work is done. Pure: both doors use it (the file reader, xlwings' buttons).
"""

from __future__ import annotations

import contextlib
import functools
import gc
from typing import Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside the block (left as it was when already off)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def paused(fn: F) -> F:
    """`fn` run with the collector paused: a command's whole work on a book (its check,
    compute and write make few cycles; the passes over the book cost a refresh of the
    medium book 0.1 s)."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with collector_paused():
            return fn(*args, **kwargs)
    return run  # type: ignore[return-value]
