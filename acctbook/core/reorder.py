"""Reorder expected and the 12-month revenue forecast (docs/rules.md, section 19).

Expected order: for a client with at least 3 distinct Order dates (live orders dated today
or before), the last Order date + the median of the gaps in days between consecutive
distinct Order dates (rounded half up). The client has **stopped** ordering once today is
more than half that median gap (at least 7 days) past its Expected order: follow-up rule 11,
Reorder expected (core/followups.py), and a risk reason (core/risk.py).

Forecast 12m: the run-rate and its trend. A "month" is 365/12 days counted back from the
cutoff, so the last 12 months are exactly the Revenue 12m window (Order dates after cutoff −
365 up to the cutoff) and the 12 before them the prior window (core/ranking.py:
revenue_windows). Level = the mean month of the last 12; slope = the change of that mean
from the prior 12 months, per month (÷ 12), times DAMPING; month k (1..12) after the cutoff
= max(0, level + slope × (k + 5.5)): k + 5.5 months from the middle of the last 12 months.
Without a floor the 12 months add up to Revenue 12m + DAMPING × (Revenue 12m − prior).
Lost clients forecast 0. DAMPING was chosen by bench/forecast_backtest.py (bench/README.md).

Pure and vectorised (numpy over every client at once): no file, no clock.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from acctbook.core.rounding import half_up

MIN_ORDER_DATES = 3        # distinct Order dates needed for an Expected order
MIN_PASSED_DAYS = 7        # stopped: past Expected order by more than max(gap / 2, this)
MONTH_DAYS = 365 / 12      # the forecast's month: 12 of them are the Revenue 12m window
HORIZON = 12               # months forecast
# The share of the year-on-year trend carried forward, chosen by the backtest on a synthetic
# history (bench/forecast_backtest.py; the figures in bench/README.md and docs/rules.md).
DAMPING = 0.25


def _days(s: pd.Series) -> np.ndarray:
    """Dates as whole days since 1970 (int64); NaT as the smallest int64."""
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def order_days(orders: pd.DataFrame, clients: pd.Index, today: dt.date) -> pd.DataFrame:
    """The distinct (client_id, day) pairs of the live orders of `clients` dated today or
    before, sorted by client and day (day: int days since 1970)."""
    known = (orders["client_id"].isin(clients) & orders["order_date"].notna()).to_numpy()
    day = _days(orders["order_date"])[known]
    keep = day <= np.datetime64(today, "D").astype(np.int64)
    ids, day = orders["client_id"].to_numpy(dtype=object)[known][keep], day[keep]
    # Sorted and made distinct as whole numbers: the IDs' codes in the IDs' sorted order.
    codes, names = pd.factorize(ids, sort=True)
    at = np.lexsort((day, codes))
    codes, day = codes[at], day[at]
    new = np.ones(len(day), dtype=bool)
    new[1:] = (codes[1:] != codes[:-1]) | (day[1:] != day[:-1])
    return pd.DataFrame({"client_id": np.asarray(names, dtype=object)[codes[new]],
                         "day": day[new]})


def expected_orders(orders: pd.DataFrame, clients: pd.Index, today: dt.date) -> pd.DataFrame:
    """Per Client ID in `clients`: expected_order (Timestamp or NaT), gap_days (the median gap,
    NaN without 3 order dates), stopped (bool), last_order (Timestamp or NaT).

    `orders` are live order lines (ranking.live_orders: no Cancelled)."""
    clients = pd.Index(clients).drop_duplicates()
    d = order_days(orders, clients, today)
    gap = d["day"].diff().where(d["client_id"].eq(d["client_id"].shift()))
    by = d.assign(gap=gap).groupby("client_id", sort=False)
    stats = pd.DataFrame({"last": by["day"].max(), "dates": by["day"].size(),
                          "gap": by["gap"].median()}).reindex(clients)
    enough = stats["dates"].ge(MIN_ORDER_DATES).to_numpy()
    median = stats["gap"].to_numpy(dtype=float, copy=True)
    median[~enough] = np.nan
    last = stats["last"].to_numpy(dtype=float)
    expected = last + half_up(median)
    passed = np.datetime64(today, "D").astype(np.int64) - expected
    stopped = enough & (passed > np.maximum(median / 2, MIN_PASSED_DAYS))
    return pd.DataFrame({"expected_order": _timestamps(expected),
                         "gap_days": median,
                         "stopped": stopped,
                         "last_order": _timestamps(last)},
                        index=clients)


def _timestamps(days: np.ndarray) -> np.ndarray:
    """Float days since 1970 (NaN = none) -> datetime64[ns] (NaT)."""
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(days)
    out[ok] = days[ok].astype(np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    return out


# --- the 12-month forecast -------------------------------------------------------------------
def revenue_years(orders: pd.DataFrame, ids: pd.Index, cutoff: dt.date) -> np.ndarray:
    """Per client of `ids` (rows) the revenue of the last 12 months up to `cutoff` and of the
    12 months before (columns 0 and 1), the windows of core/ranking.py: revenue_windows."""
    pos = ids.get_indexer(orders["client_id"].to_numpy(dtype=object))
    back = np.datetime64(cutoff, "D").astype(np.int64) - _days(orders["order_date"])
    amount = pd.to_numeric(orders["amount"], errors="coerce").fillna(0).to_numpy(dtype=float)
    year = back // 365                      # 0: the last 365 days, 1: the 365 before
    ok = (pos >= 0) & (orders["order_date"].notna().to_numpy()) & (back >= 0) & (year <= 1)
    out = np.zeros((len(ids), 2))
    np.add.at(out, (pos[ok], year[ok]), amount[ok])
    return out


def monthly_path(orders: pd.DataFrame, per: pd.DataFrame, cutoff: dt.date,
                 damping: float = DAMPING) -> pd.DataFrame:
    """Per Client ID (per's index; per has status) the forecast revenue of months 1..12
    after `cutoff` (columns 1..12): max(0, level + damping × slope × (k + 5.5)); Lost 0."""
    rev = revenue_years(orders, per.index, cutoff)
    level = rev[:, 0] / 12
    slope = (rev[:, 0] - rev[:, 1]) / 12 / 12 * damping
    k = np.arange(1, HORIZON + 1)
    path = np.maximum(0.0, level[:, None] + slope[:, None] * (k + 5.5)[None, :])
    path[per["status"].eq("Lost").to_numpy()] = 0.0
    return pd.DataFrame(path, index=per.index, columns=k)


def forecast_12m(orders: pd.DataFrame, per: pd.DataFrame, cutoff: dt.date,
                 damping: float = DAMPING) -> pd.Series:
    """Per Client ID (per's index): revenue expected in the 12 months after `cutoff`, the
    sum of monthly_path. A client without revenue in the 24 months before it gets 0."""
    return monthly_path(orders, per, cutoff, damping).sum(axis=1)
