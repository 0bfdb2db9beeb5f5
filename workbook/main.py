"""acctbook's buttons for xlwings Lite (https://lite.xlwings.org).

Each script below is bound to a shape on the Home sheet: the shape links to the cell
hidden behind it, and selecting that cell runs the script. The work is done by the
acctbook package (see requirements.txt), the same code as the `acctbook` command.
"""

import xlwings as xw
from xlwings import script

try:
    import acctbook.excel as buttons
except ImportError as missing:      # acctbook not installed in this workbook's Python yet
    buttons = None
    MISSING = str(missing)


def press(book: xw.Book, name: str):
    if buttons is None:
        book.app.alert("acctbook is not installed in xlwings Lite: add the acctbook wheel's "
                       "URL to requirements.txt, then restart xlwings Lite. "
                       f"({MISSING})", title="acctbook")
        return
    getattr(buttons, name)(book)


@script(button="[acctbook_refresh]Home!D4")
def refresh(book: xw.Book):
    """Refresh: follow-ups, ranking, risk, Today, Rankings and Problems."""
    press(book, "refresh")


@script(button="[acctbook_check]Home!D7")
def check(book: xw.Book):
    """Check: every problem in the book, on the Problems sheet."""
    press(book, "check")


@script(button="[acctbook_contract]Home!D10")
def contract(book: xw.Book):
    """Contract: for the deal in the selected row of Deals (desktop Excel saves the file)."""
    press(book, "contract")


@script(button="[acctbook_monthly_report]Home!D13")
def monthly_report(book: xw.Book):
    """Monthly report: the month typed on Home (blank: the last full month)."""
    press(book, "monthly_report")
