"""The file errors of the file adapter: raised on a path before the book's language is
known, each carries its English message id and arguments, so whoever catches it says it
in the reader's language (acctbook.jobs.message, acctbook.excel.message)."""

from __future__ import annotations

import os
from pathlib import PurePath

from acctbook.book.i18n import said as error  # noqa: F401 (xlsx.errors.error)
from acctbook.book.i18n import tr
from acctbook.book.model import AcctbookError, BookUnreadable


def reader_failure(e: BaseException) -> bool:
    """An exception from a reader library (python-calamine, fastexcel) that means "this
    file, or this sheet, cannot be read so": its own errors, and the Rust panics it lets
    through (pyo3's PanicException derives from BaseException, not Exception).
    KeyboardInterrupt and SystemExit are neither."""
    return isinstance(e, Exception) or type(e).__name__ == "PanicException"


_OLE_NAMES = {name: name.encode("utf-16-le") for name in ("EncryptionInfo", "Workbook", "Book")}


def ole_error(path, data: bytes) -> AcctbookError:
    """An OLE compound file: a password-protected .xlsx (an EncryptionInfo stream) or an old
    .xls (a Workbook or Book stream), told apart by the stream names in its directory."""
    head = data[:1 << 16]
    if _OLE_NAMES["EncryptionInfo"] in head:
        return error(BookUnreadable, tr("en", "{book}: encrypted (password-protected) workbook; "
                                              "remove the password in Excel (File → Info → "
                                              "Protect Workbook → Encrypt with Password) and save "
                                              "it as .xlsx"), book=path)
    if _OLE_NAMES["Workbook"] in head or _OLE_NAMES["Book"] in head:
        return error(BookUnreadable, tr("en", "{book}: an Excel 97-2003 workbook (.xls), not an "
                                              ".xlsx workbook: save it as .xlsx (Excel: File → "
                                              "Save As → Excel Workbook)"), book=path)
    return error(BookUnreadable, tr("en", "{book}: encrypted (password-protected) or old .xls "
                                          "workbook; save it as an unprotected .xlsx"), book=path)


def numbers_error(path) -> AcctbookError:
    return error(BookUnreadable, tr("en", "{book}: an Apple Numbers document, not an Excel "
                                          "workbook: in Numbers, File → Export To → Excel, then "
                                          "use the .xlsx"), book=path)


def folder_error(path) -> AcctbookError:
    pure = path if isinstance(path, PurePath) else PurePath(os.fspath(path))
    if pure.suffix.lower() == ".numbers":      # a Numbers document saved as a package
        return numbers_error(path)
    return error(BookUnreadable, tr("en", "{book}: is a folder, not a workbook"), book=path)
