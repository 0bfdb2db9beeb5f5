"""Cell values read as text, dates and numbers: the loader's parsers (book/coerce.py and
the Settings reader book/settings_load.py use them). Pure."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from typing import Any

from acctbook.book import schema
from acctbook.book.model import ExcelError

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_LOCAL = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*$")   # d/m/yyyy (IL, EU)
# Countries that write local dates month first (m/d/yyyy).
MONTH_FIRST = frozenset({"US", "PH", "FM", "MH", "PW", "BZ"})


def is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (
        isinstance(v, float) and math.isnan(v))


def as_text(v: Any) -> str | None:
    """A cell as text: numbers typed into text columns lose no digits ('0501' stays)."""
    if is_blank(v):
        return None
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return schema.YES if v else schema.NO
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def parse_date(v: Any, month_first: bool = False) -> tuple[dt.date | None, str]:
    """(date, how): how is 'ok', 'text' (parsed from text: a warning) or 'bad'.

    Local text dates are day first (d/m/yyyy), or month first where the book's
    country writes them so."""
    if isinstance(v, dt.datetime):
        return v.date(), "ok"
    if isinstance(v, dt.date):
        return v, "ok"
    if isinstance(v, str):
        m = _ISO.match(v)
        try:
            if m:
                return dt.date(int(m[1]), int(m[2]), int(m[3])), "text"
            m = _LOCAL.match(v)
            if m:
                day, month = (m[2], m[1]) if month_first else (m[1], m[2])
                return dt.date(int(m[3]), int(month), int(day)), "text"
        except ValueError:
            pass
    return None, "bad"


# Thousands separators only in whole groups of three: "1,234.56" is 1234.56, while
# "1,5" or "1.234,56" (a decimal comma) are not numbers here rather than 15 or 1.23456.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def parse_number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v.__class__ is not ExcelError:
        s = v.strip().replace("%", "").replace("₪", "").replace("$", "").strip()
        if "," in s:
            if not _GROUPED.fullmatch(s):
                return None
            s = s.replace(",", "")
        if "_" in s:          # float() takes "1_000"; nobody types that as a number
            return None
        try:
            n = float(s)
        except ValueError:
            return None
        return n if math.isfinite(n) else None      # float() also takes "nan" and "inf"
    return None


def closest_choice(typed: Any, index: dict[str, str], lang: str) -> str | None:
    """The choice a near miss most likely meant ('פעילה' -> פעיל), shown in the book's
    language, or None when nothing is close. `index` is a choice index (folded value of
    either language -> canonical value), so a typo of either spelling is caught."""
    text = as_text(typed)
    if not text:
        return None
    keys = [k for k in index if len(k) > 1]     # not the y/n/1/0 shorthands of yes/no
    hit = difflib.get_close_matches(schema.fold(text), keys, n=1, cutoff=0.6)
    return schema.show_choice(index[hit[0]], lang) if hit else None
