"""acctbook: one Excel workbook as a key-account manager's whole working system.

The API mirrors the CLI: new, demo, check, refresh, calls, batch.
"""

from .api import batch, calls, check, demo, load, new, refresh
from .model import AcctbookError, Book, BookUnreadable, NotAnAcctbook, Problem, Refused

__version__ = "0.1.0"
__all__ = ["new", "demo", "check", "refresh", "calls", "batch", "load", "Problem", "Book",
           "AcctbookError", "BookUnreadable", "NotAnAcctbook", "Refused"]
