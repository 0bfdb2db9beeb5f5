"""Targets, attainment and the forecast of a month or a quarter (docs/rules.md, section 17).

`period_figures(book, period, as_of)` gives one period's figures as they stand at the end of
`as_of` (today, or the last day a monthly report covers):

- **revenue to date**: the live order lines (core/ranking.py, as refresh counts revenue)
  with an Order date from the period's first day to `as_of` (or the period's end);
- **attainment**: that revenue ÷ the period's Revenue target (Settings, Targets);
- **new clients**: the Client IDs Created in the same days whose Status is neither Prospect
  (not won yet) nor Lost, ÷ the New clients target;
- **forecast**: the revenue to date + the weighted pipeline of the deals open at the end of
  `as_of` whose close date falls after it, within the period. A deal's close date is its
  Expected close when typed, else its Stage since (blank: Created) + its stage's Typical
  days (Settings, StageDays); a close date that has passed while the deal is still open
  counts as the next day (the deal can still close, not before tomorrow). Amounts are in
  the book's currency (ranking.weighted_amounts; a deal without an exchange rate counts 0).

Pure: no file, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from acctbook.book import schema
from acctbook.book.settings_load import over_defaults
from acctbook.book.model import Book
from acctbook.book.periods import QUARTER, Period, month_of, parse_period, quarter_of
from acctbook.core import ranking

NOT_NEW = ("Prospect", "Lost")        # statuses that do not count as a new client


@dataclass(frozen=True)
class PeriodFigures:
    """One period's targets and figures as of the end of `as_of`. Money in the book's
    currency, rounded to the cent; a rate is a fraction, None without a target above 0."""
    period: Period
    as_of: dt.date
    revenue_target: float | None
    revenue: float              # to date
    pipeline: float             # weighted, the open deals expected to close in the rest of it
    deals: int                  # those deals
    new_clients_target: int | None
    new_clients: int

    @property
    def forecast(self) -> float:
        return round(self.revenue + self.pipeline, 2)

    @property
    def attainment(self) -> float | None:
        return _share(self.revenue, self.revenue_target)

    @property
    def forecast_vs_target(self) -> float | None:
        return _share(self.forecast, self.revenue_target)

    @property
    def new_clients_attainment(self) -> float | None:
        return _share(self.new_clients, self.new_clients_target)


def _share(part: float, whole: float | None) -> float | None:
    return part / whole if whole else None


# --- the Settings tables -------------------------------------------------------------------
def stage_days(frame: pd.DataFrame) -> dict[str, int]:
    """StageDays over its defaults (schema.DEFAULT_STAGE_DAYS): a row left out, blank or
    below 0 keeps the default."""
    return over_defaults(frame, "stage", "typical_days", schema.DEFAULT_STAGE_DAYS,
                         valid=lambda days: days >= 0, conv=int)


def targets(frame: pd.DataFrame) -> dict[str, tuple[float | None, int | None]]:
    """Period key (2026-05, 2026-Q2) -> (Revenue target, New clients target); the first row
    of a period wins; a Period that is not one (the check's target-period) or a target
    below 0 (range) is left out."""
    out: dict[str, tuple[float | None, int | None]] = {}
    for text, revenue, new in zip(frame["period"], frame["revenue_target"],
                                  frame["new_clients_target"]):
        p = parse_period(text)
        if p is not None and p.key not in out:
            out[p.key] = (_target(revenue), None if _target(new) is None else int(new))
    return out


def _target(v) -> float | None:
    return None if v is None or pd.isna(v) or v < 0 else float(v)


def target_for(table: dict[str, tuple[float | None, int | None]],
               period: Period) -> tuple[float | None, int | None]:
    """A period's targets: its own row's; a quarter's target left blank (or without a row)
    is the sum of its three months' targets when all three give it."""
    own = table.get(period.key, (None, None))
    if period.kind != QUARTER:
        return own
    months = [table.get(m, (None, None)) for m in period.months()]
    return tuple(own[i] if own[i] is not None else None if any(m[i] is None for m in months)
                 else sum(m[i] for m in months) for i in range(2))


# --- deals ---------------------------------------------------------------------------------
def close_dates(deals: pd.DataFrame, days: dict[str, int]) -> pd.Series:
    """Each deal's close date for the forecast: Expected close when typed, else Stage since
    (blank: Created) + the Typical days of its stage; NaT when neither is known."""
    since = deals["stage_since"].fillna(deals["created"])
    add = pd.to_timedelta(pd.to_numeric(deals["stage"].map(days), errors="coerce"), unit="D")
    computed = pd.to_datetime(since) + add
    return pd.to_datetime(deals["expected_close"]).fillna(computed)


def open_on(deals: pd.DataFrame, day: dt.date, settings,
            days: dict[str, int]) -> pd.DataFrame:
    """The deals open at the end of `day` (Created then or blank): those in an open stage,
    weighted as Deals shows them; and those Won or Lost after it (Stage since, else Created),
    open then at a stage not recorded, so weighted by their own Probability only (blank: 0)
    and closing when they did, unless an Expected close is typed (as the monthly report's
    pipeline takes them). Columns: weighted (book's currency, NaN: no rate) and close."""
    t = pd.Timestamp(day)
    exists = deals["created"].isna() | (deals["created"] <= t)
    live = deals[exists & deals["stage"].isin(schema.OPEN_STAGES)]
    closed_on = deals["stage_since"].fillna(deals["created"])
    later = deals[exists & deals["stage"].isin(ranking.CLOSED_STAGES) & (closed_on > t)]
    return pd.concat([
        pd.DataFrame({"weighted": ranking.weighted_amounts(live, settings),
                      "close": close_dates(live, days)}, index=live.index),
        pd.DataFrame({"weighted": ranking.book_amounts(later, settings)
                      * later["probability"].fillna(0) / 100,
                      "close": pd.to_datetime(later["expected_close"]).fillna(
                          closed_on[later.index])}, index=later.index),
    ])


# --- a period's figures ---------------------------------------------------------------------
def period_figures(book: Book, period: Period, as_of: dt.date) -> PeriodFigures:
    """`period`'s targets and figures as of the end of `as_of` (module docstring)."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(min(period.end, as_of))
    orders = ranking.live_orders(book.frame("Orders"))
    in_days = (orders["order_date"] >= start) & (orders["order_date"] <= end)
    revenue = float(orders.loc[in_days, "amount"].fillna(0).sum())
    clients = book.frame("Clients")
    first = clients[clients["client_id"].notna()].drop_duplicates("client_id")
    new = first[(first["created"] >= start) & (first["created"] <= end)
                & first["status"].notna() & ~first["status"].isin(NOT_NEW)]
    days = stage_days(book.frame("StageDays"))
    deals = open_on(book.frame("Deals"), as_of, book.settings, days)
    after = pd.Timestamp(as_of + dt.timedelta(days=1))
    close = deals["close"].where(deals["close"].isna() | (deals["close"] >= after), after)
    coming = deals[(close >= max(after, pd.Timestamp(period.start)))
                   & (close <= pd.Timestamp(period.end))]
    revenue_target, new_target = target_for(targets(book.frame("Targets")), period)
    return PeriodFigures(period, as_of, revenue_target, round(revenue, 2),
                         round(float(coming["weighted"].fillna(0).sum()), 2), len(coming),
                         None if new_target is None else int(new_target), len(new))


def month_and_quarter(book: Book, day: dt.date, as_of: dt.date) -> list[PeriodFigures]:
    """The figures of `day`'s month and of its quarter, as of the end of `as_of`."""
    return [period_figures(book, p, as_of) for p in (month_of(day), quarter_of(day))]
