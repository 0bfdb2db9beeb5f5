"""acctbook: one Excel workbook as a key-account manager's whole working system.

The API mirrors the CLI: new, demo, check, refresh, calls, batch (acctbook.api). They are
loaded on first use, so that `import acctbook.excel` inside xlwings Lite pulls in only the
layers the buttons need (ARCHITECTURE.md), never the file adapter.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["new", "demo", "check", "refresh", "calls", "batch", "load", "Problem", "Book",
           "AcctbookError", "BookUnreadable", "NotAnAcctbook", "Refused"]
_API = {"new", "demo", "check", "refresh", "calls", "batch", "load"}


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module("acctbook.api"), name)
    if name in __all__:
        return getattr(importlib.import_module("acctbook.book.model"), name)
    raise AttributeError(f"module 'acctbook' has no attribute {name!r}")
