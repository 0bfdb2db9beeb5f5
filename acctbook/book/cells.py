"""Cells as Excel stores them: A1 references, date serials and numbers as cell text.

Pure (standard library only): shared by the file writer (acctbook.xlsx) and the workbook
maker (acctbook.create), so a date or a number is written the same way by both.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re

# --- A1 references ---------------------------------------------------------------------------
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_LETTERS: dict[int, str] = {}


def col_letter(col: int) -> str:
    """1-based column number -> Excel letters (1 -> A, 27 -> AA)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: str) -> int:
    """Excel letters -> 1-based column number (A -> 1, AA -> 27); col_letter's inverse."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def letters_of(col: int) -> str:
    """col_letter, each column's worked out once (a refresh names a million cells)."""
    letters = _LETTERS.get(col)
    if letters is None:
        letters = _LETTERS[col] = col_letter(col)
    return letters


def split_ref(text: str) -> tuple[int, int]:
    """"B7" (or "$B$7") -> (7, 2): row and column, 1-based."""
    m = _REF.match(text)
    if not m:
        raise ValueError(f"bad cell reference {text!r}")
    return int(m.group(2)), col_number(m.group(1))


def ref(row: int, col: int) -> str:
    """(7, 2) -> "B7"."""
    return f"{letters_of(col)}{row}"


# --- dates -----------------------------------------------------------------------------------
_DAY_1900 = dt.date(1899, 12, 30).toordinal()       # serial 0 of the 1900 system, from March 1900
_DAY_1904 = dt.date(1904, 1, 1).toordinal()         # serial 0 of the 1904 system


def excel_serial(value: dt.date, date1904: bool = False) -> float | None:
    """The serial Excel stores for a date or datetime (time zone dropped): whole days for a
    date (an int), a fraction of a day added for the time. None before the first date of
    the workbook's date system (1900-01-01, or 1904-01-01 with `date1904`); each caller
    decides what to do then.

    The 1900 system counts a 29 February 1900 that never was (Lotus's bug): serials from
    1 March 1900 on are days since 1899-12-30, earlier ones days since 1899-12-31, so
    1900-02-28 is 59 and 1900-03-01 is 61.
    """
    if type(value) is dt.date:                      # the common case first
        day, fraction = value.toordinal(), 0
    elif isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        day = value.toordinal()
        fraction = (value.hour * 3600 + value.minute * 60 + value.second
                    + value.microsecond / 1e6) / 86400
    else:
        day, fraction = value.toordinal(), 0
    if date1904:
        days = day - _DAY_1904
        return days + fraction if days >= 0 else None
    days = day - _DAY_1900
    if days < 61:
        days -= 1
    return days + fraction if days >= 1 else None


# --- numbers ---------------------------------------------------------------------------------
def number_text(v) -> str:
    """A number as a cell's <v> text: whole numbers without a decimal point, others as the
    shortest text that reads back as the same double (repr), so 0.1 + 0.2 stays
    0.30000000000000004 and is not rounded to 16 digits. Raises ValueError for infinity."""
    kind = type(v)
    if kind is int:
        return str(v)
    if kind is float:                       # the common cases first
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        if v - v == 0 or v != v:            # finite (or NaN, as repr says it)
            return repr(v)
    if isinstance(v, decimal.Decimal):
        v = float(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    f = float(v)
    if math.isinf(f):
        raise ValueError("infinite number")
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)
