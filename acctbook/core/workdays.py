"""Business-day arithmetic (docs/rules.md, "The calendar"): Work week, Country's public
holidays, Holidays table.

"+N business days" is the Nth business day after a date and "−N" the Nth before
it, whether or not the date itself is a business day; numpy's busday_offset does
exactly that with roll="backward" for +N and roll="forward" for −N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from acctbook.book.model import Settings

WEEKMASKS = {"Sun-Thu": "1111001", "Mon-Fri": "1111100"}   # numpy masks run Mon..Sun


def public_holidays(country: str, years: Iterable[int]) -> list[dt.date]:
    """Public holidays of an ISO country code; an unknown code has none (not a crash)."""
    country = (country or "").upper()
    return sorted(d for y in set(years) for d in _holidays_of_year(country, y))


@lru_cache(maxsize=512)   # the Hebrew calendar is slow; batch runs ask for the same years
def _holidays_of_year(country: str, year: int) -> tuple[dt.date, ...]:
    if not country:
        return ()
    import holidays   # imported lazily: it is slow to import and only refresh needs it
    try:
        found = holidays.country_holidays(country, years=year)
    except (NotImplementedError, KeyError, AttributeError, ValueError):
        return ()
    return tuple(d for d in found if d.year == year)


def _D(d) -> np.datetime64:
    return np.datetime64(d, "D")


def _out(a):
    """numpy day(s) -> datetime.date (scalar) or datetime64[D] array."""
    if isinstance(a, np.ndarray) and a.ndim:
        return a
    return None if np.isnat(a) else a.astype(dt.date)


class Calendar:
    """A business-day calendar; scalar methods take and return datetime.date,
    the *_many variants take and return numpy datetime64[D] arrays (NaT passes through)."""

    def __init__(self, work_week: str = "Mon-Fri", holidays: Iterable = ()):
        self.work_week = work_week if work_week in WEEKMASKS else "Mon-Fri"
        self.holidays = sorted({_D(h) for h in holidays})
        self.cal = np.busdaycalendar(weekmask=WEEKMASKS[self.work_week],
                                     holidays=np.array(self.holidays, dtype="datetime64[D]"))

    @classmethod
    def from_settings(cls, settings: Settings, years: Iterable[int]) -> "Calendar":
        days = public_holidays(settings.country, years)
        days += [d for d, _ in settings.holidays if d is not None]
        return cls(settings.work_week, days)

    def is_business_day(self, d: dt.date) -> bool:
        return bool(np.is_busday(_D(d), busdaycal=self.cal))

    # --- scalars ---------------------------------------------------------------
    def add(self, d: dt.date, n: int) -> dt.date:
        return _out(self.add_many(_D(d), n))

    def sub(self, d: dt.date, n: int) -> dt.date:
        return _out(self.sub_many(_D(d), n))

    def roll_forward(self, d: dt.date) -> dt.date:
        return _out(self.roll_forward_many(_D(d)))

    def roll_back(self, d: dt.date) -> dt.date:
        return _out(self.roll_back_many(_D(d)))

    # --- vectorized (n may be an int array of the same length) -------------------
    def add_many(self, days, n):
        return np.busday_offset(_days(days), _ints(n), roll="backward", busdaycal=self.cal)

    def sub_many(self, days, n):
        return np.busday_offset(_days(days), -_ints(n), roll="forward", busdaycal=self.cal)

    def roll_forward_many(self, days):
        return np.busday_offset(_days(days), 0, roll="forward", busdaycal=self.cal)

    def roll_back_many(self, days):
        return np.busday_offset(_days(days), 0, roll="backward", busdaycal=self.cal)


def _days(days):
    return np.asarray(days).astype("datetime64[D]")


def _ints(n):
    return np.asarray(n).astype(np.int64)


def years_around(today: dt.date, dates: Iterable = (), span: int = 15) -> range:
    """The years a calendar must cover: those of the data near today, plus today±2."""
    lo, hi = today.year - 2, today.year + 2
    for d in dates:
        if d is None:
            continue
        y = d.year if hasattr(d, "year") else None
        if y is not None and abs(y - today.year) <= span:
            lo, hi = min(lo, y), max(hi, y)
    return range(lo, hi + 2)   # +1 past hi: "+N business days" can cross New Year
