"""acctbook's buttons for xlwings Lite (https://lite.xlwings.org).

Each script below is bound to a shape on the Home sheet: the shape links to the cell
hidden behind it, and selecting that cell runs the script. The work is done by the
acctbook package, the same code as the `acctbook` command: `acctbook new` puts it at
the end of this file (ACCTBOOK_CODE), so the workbook needs nothing else but the
packages in requirements.txt.
"""

import xlwings as xw
from xlwings import script


def acctbook_buttons():
    """acctbook.excel from the code at the end of this file (else an installed acctbook)."""
    import sys
    code = globals().get("ACCTBOOK_CODE")
    if code and "acctbook" not in sys.modules:
        import base64, hashlib, io, os, tempfile, zipfile
        data = base64.b64decode(code)
        folder = os.path.join(tempfile.gettempdir(),
                              "acctbook-" + hashlib.sha256(data).hexdigest()[:16])
        if not os.path.isdir(folder):       # unpacked once per session, never half-way
            part = folder + ".part-" + str(os.getpid())
            zipfile.ZipFile(io.BytesIO(data)).extractall(part)
            try:
                os.rename(part, folder)
            except OSError:                 # another run got there first
                pass
        sys.path.insert(0, folder)
    import acctbook.excel
    return acctbook.excel


def press(book: xw.Book, name: str):
    try:
        buttons = acctbook_buttons()
    except ImportError as missing:          # a package in requirements.txt did not install
        book.app.alert(f"acctbook cannot start: {missing}. Check the packages in "
                       "requirements.txt, then restart xlwings Lite.", title="acctbook")
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
    """Contract: for the deal in Home's Deal cell (desktop Excel saves the file)."""
    press(book, "contract")


@script(button="[acctbook_quote]Home!D13")
def quote(book: xw.Book):
    """Quote: a proposal for the deal in Home's Deal cell (desktop Excel saves the file)."""
    press(book, "quote")


@script(button="[acctbook_monthly_report]Home!D16")
def monthly_report(book: xw.Book):
    """Monthly report: the month typed on Home (blank: the last full month)."""
    press(book, "monthly_report")


@script(button="[acctbook_brief]Home!D19")
def brief(book: xw.Book):
    """Brief: the client in Home's Client cell on the Brief sheet, before a meeting."""
    press(book, "brief")


# acctbook's own code: its pure-Python package, zipped and base64-encoded by `acctbook new`.
ACCTBOOK_CODE = ""
