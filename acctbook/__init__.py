"""acctbook: one Excel workbook as a key-account manager's whole working system.

The API mirrors the CLI: new, demo, check, refresh, calls, batch (acctbook.api). They are
loaded on first use, so that `import acctbook.excel` inside xlwings Lite pulls in only the
layers the buttons need (ARCHITECTURE.md), never the file adapter.
"""

from __future__ import annotations

import importlib
import sys

__version__ = "0.1.0"
__all__ = ["new", "demo", "check", "refresh", "calls", "batch", "load", "Problem", "Book",
           "AcctbookError", "BookUnreadable", "NotAnAcctbook", "Refused"]
_API = {"new", "demo", "check", "refresh", "calls", "batch", "load"}


def _one_malloc_arena() -> None:
    """glibc gives each thread a malloc arena of its own. The reader's thread parses a big
    sheet there (600 MB on the large book, then freed) and the main thread never reuses that
    memory: a large refresh peaks 150 MB higher (bench/README.md, issue 21). So all threads
    share one arena. It must be set before a thread allocates (numpy starts its threads at
    import), hence here. Linux only; elsewhere nothing is changed."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
        if mallopt is not None:
            mallopt(-8, 1)                     # M_ARENA_MAX (malloc.h), one arena
    except (OSError, AttributeError):          # no C library to ask: nothing to change
        pass


_one_malloc_arena()


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module("acctbook.api"), name)
    if name in __all__:
        return getattr(importlib.import_module("acctbook.book.model"), name)
    raise AttributeError(f"module 'acctbook' has no attribute {name!r}")
