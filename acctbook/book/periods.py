"""Target periods (the Settings table Targets, docs/rules.md section 17): a month `YYYY-MM`
or a quarter `YYYY-Qn`, as a `Period` with its first and last day. Pure."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

MONTH, QUARTER = "month", "quarter"
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-01)?$")      # 2026-05; 2026-05-01: see parse
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q\s*([1-4])$", re.I)
YEARS = (1900, 2199)                                       # the dates a book accepts


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    kind: str                 # MONTH or QUARTER
    key: str                  # 2026-05, 2026-Q2

    def months(self) -> tuple[str, ...]:
        """Its months as keys (a month: itself)."""
        if self.kind == MONTH:
            return (self.key,)
        return tuple(f"{self.start.year:04d}-{m:02d}"
                     for m in range(self.start.month, self.start.month + 3))


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period(start, _next(start, 1) - dt.timedelta(days=1), MONTH,
                  f"{start.year:04d}-{start.month:02d}")


def quarter_of(day: dt.date) -> Period:
    q = (day.month - 1) // 3
    start = dt.date(day.year, 3 * q + 1, 1)
    return Period(start, _next(start, 3) - dt.timedelta(days=1), QUARTER, f"{day.year:04d}-Q{q + 1}")


def _next(start: dt.date, months: int) -> dt.date:
    k = start.year * 12 + start.month - 1 + months
    return dt.date(k // 12, k % 12 + 1, 1)


def parse_period(value: Any) -> Period | None:
    """`2026-05` (or `2026-5`) a month, `2026-Q2` (any case, `2026Q2`, `2026 - q2`) a
    quarter; a date on the first of a month (`2026-05-01`: what Excel makes of 2026-05
    typed into a General cell) that month. None: not a period."""
    text = "" if value is None else str(value).strip()
    m = _MONTH.match(text)
    if m and YEARS[0] <= int(m[1]) <= YEARS[1] and 1 <= int(m[2]) <= 12:
        return month_of(dt.date(int(m[1]), int(m[2]), 1))
    m = _QUARTER.match(text)
    if m and YEARS[0] <= int(m[1]) <= YEARS[1]:
        return quarter_of(dt.date(int(m[1]), 3 * int(m[2]) - 2, 1))
    return None
