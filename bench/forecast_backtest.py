"""Backtest of Forecast 12m (acctbook/core/reorder.py, docs/rules.md section 19): hide the last
6 months, forecast them from the rest, compare with what happened.

    python bench/forecast_backtest.py [--today 2026-11-26] [--clients 3000]

Two histories: the demo book (made the way `acctbook demo` makes it, read back from the file)
and a larger synthetic one (seeded: a few thousand clients over 4 years, with seasonality,
trends, order cadences from weekly to quarterly, noise, churners and new clients).

The cutoff is today − 182 days; the hidden 6 months are the days after it up to today (months
1..6 of the forecast, 365/12 days each). For each client with an order on or before the
cutoff: the model's months 1..6 (`reorder.monthly_path`), and the naive forecast: the same 6
months a year earlier (the last 12 months repeated); and, to show what the trend adds, the
run-rate alone (damping 0: half the last 12 months). Status is not used (a client the book
calls Lost today was not known to be lost at the cutoff).

Figures, over the clients whose actual revenue in the hidden months is above 0: MAPE (mean
of |forecast − actual| / actual) and hit rate (share within ±25 % of actual); over every
client: the total forecast against the total actual.

The damping (the share of the trend carried forward) is chosen on a first synthetic
history (seed 1) at three cutoffs (6, 12 and 18 months back), by the best mean hit rate; the
figures reported are on a second synthetic history (seed 2) and on the demo, which take no
part in the choice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from acctbook import jobs  # noqa: E402
from acctbook.core import ranking, reorder  # noqa: E402

TODAY = dt.date(2026, 11, 26)
HIDDEN_DAYS = 182               # 6 forecast months of 365/12 days, whole days
DAMPINGS = (0.0, 0.25, 0.5, 0.75, 1.0)
HIT = 0.25


# --- the histories ------------------------------------------------------------------------
def synthetic_orders(clients: int, today: dt.date, seed: int, years: int = 4) -> pd.DataFrame:
    """Order lines (client_id, order_date, amount) of `clients` clients over `years` years.

    Each client: a monthly rate (log-normal, median 20,000), a yearly trend (normal, sd
    25 %), seasonality (amplitude 0–50 %, any peak month), a cadence of 7–90 days with
    ±15 % jitter, 10 % of orders skipped, amounts with 35 % log-normal noise. 12 % churn
    (stop on a day in the last 3 years), 15 % are new (start on a day in the history, ramping
    up over 4 months); the rest were buying before the history starts.
    """
    rng = np.random.default_rng(seed)
    end = np.datetime64(today, "D")
    start = end - np.timedelta64(365 * years, "D")
    span = int((end - start).astype(int))
    ids, days, amounts = [], [], []
    for i in range(clients):
        rate = 20_000 * rng.lognormal(0, 1)
        trend = np.log1p(np.clip(rng.normal(0, 0.25), -0.7, 2.0))
        amp, peak = rng.uniform(0, 0.5), rng.uniform(0, 12)
        gap = rng.choice([7, 14, 30, 30, 30, 45, 60, 90])
        kind = rng.choice(["steady", "churn", "new"], p=[0.73, 0.12, 0.15])
        first = int(rng.integers(0, span - 30)) if kind == "new" else -int(rng.integers(0, gap))
        last = int(rng.integers(365, span)) if kind == "churn" else span
        t, steps = [], first
        while steps <= last:
            if steps >= 0 and rng.random() > 0.10:
                t.append(steps)
            steps += max(1, int(round(gap * (1 + rng.normal(0, 0.15)))))
        if not t:
            continue
        t = np.array(t)
        day = start + t.astype("timedelta64[D]")
        month = (day.astype("datetime64[M]").astype(int) % 12).astype(float)
        season = 1 + amp * np.cos(2 * np.pi * (month - peak) / 12)
        ramp = np.minimum(1.0, 0.4 + 0.6 * (t - first) / 122) if kind == "new" else 1.0
        level = rate * np.exp(trend * (t - span) / 365) * season * ramp
        amount = level * gap / reorder.MONTH_DAYS * rng.lognormal(-0.06, 0.35, len(t))
        ids += [f"S-{i:05d}"] * len(t)
        days.append(day)
        amounts.append(np.round(amount, 2))
    return pd.DataFrame({"client_id": ids,
                         "order_date": pd.to_datetime(np.concatenate(days)),
                         "amount": np.concatenate(amounts)})


def demo_orders(today: dt.date) -> pd.DataFrame:
    """The demo book's live order lines, from the file `acctbook demo` would write."""
    with tempfile.TemporaryDirectory() as folder:
        path = jobs.new(Path(folder) / "demo.xlsx", lang="en", demo=True, today=today)
        book = jobs.load(path)
    return ranking.live_orders(book.frame("Orders"))[["client_id", "order_date", "amount"]]


# --- one backtest -------------------------------------------------------------------------
def hidden_months(orders: pd.DataFrame, cutoff: dt.date, damping: float) -> pd.DataFrame:
    """Per client with an order on or before `cutoff`: model, naive and actual revenue of
    the 6 months after it."""
    c = pd.Timestamp(cutoff)
    d = orders["order_date"]
    seen = orders[d <= c]
    ids = pd.Index(seen["client_id"].dropna().unique())
    per = pd.DataFrame({"status": "Active"}, index=ids)
    model = reorder.monthly_path(seen, per, cutoff, damping).loc[:, 1:6].sum(axis=1)
    back = (c - d).dt.days
    by = orders["client_id"]
    month_back = np.floor(back * 12 / 365)
    naive = orders["amount"].where((month_back >= 6) & (month_back <= 11), 0.0).groupby(by).sum()
    actual = orders["amount"].where((back < 0) & (back >= -HIDDEN_DAYS), 0.0).groupby(by).sum()
    return pd.DataFrame({"model": model, "naive": naive.reindex(ids).fillna(0.0),
                         "actual": actual.reindex(ids).fillna(0.0)}, index=ids)


def scores(h: pd.DataFrame, column: str) -> dict[str, float]:
    a = h["actual"]
    pos = h[a > 0]
    err = (pos[column] - pos["actual"]).abs() / pos["actual"]
    return {"clients": len(pos), "mape": 100 * err.mean(), "hit": 100 * (err <= HIT).mean(),
            "total": 100 * (h[column].sum() / a.sum() - 1)}


# --- the report -----------------------------------------------------------------------------
def choose_damping(train: pd.DataFrame, today: dt.date) -> tuple[float, list]:
    rows = []
    for damping in DAMPINGS:
        s = [scores(hidden_months(train, today - dt.timedelta(days=HIDDEN_DAYS * back), damping),
                    "model") for back in (1, 2, 3)]
        rows.append((damping, np.mean([x["mape"] for x in s]), np.mean([x["hit"] for x in s])))
    best = max(rows, key=lambda r: (round(r[2], 6), -r[1]))
    return best[0], rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--today", type=dt.date.fromisoformat, default=TODAY)
    ap.add_argument("--clients", type=int, default=3000)
    a = ap.parse_args(argv)
    train = synthetic_orders(a.clients, a.today, seed=1)
    damping, sweep = choose_damping(train, a.today)
    print(f"Choosing the damping on synthetic history seed 1 ({a.clients} clients, "
          f"{len(train):,} order lines), cutoffs 6, 12, 18 months back (means):")
    print(f"{'damping':>8} {'MAPE %':>8} {'hit %':>7}")
    for d, mape, hit in sweep:
        print(f"{d:>8.2f} {mape:>8.1f} {hit:>7.1f}" + ("   <- chosen" if d == damping else ""))
    print(f"(acctbook uses DAMPING = {reorder.DAMPING})\n")

    cutoff = a.today - dt.timedelta(days=HIDDEN_DAYS)
    test = synthetic_orders(a.clients, a.today, seed=2)
    histories = [("demo", demo_orders(a.today)), ("synthetic seed 2", test)]
    print(f"Hidden: {cutoff + dt.timedelta(days=1)} .. {a.today} (cutoff {cutoff}); "
          f"damping {reorder.DAMPING}")
    print(f"{'history':<18} {'forecast':<9} {'clients':>7} {'MAPE %':>8} {'hit %':>7} "
          f"{'total %':>8}")
    for name, orders in histories:
        h = hidden_months(orders, cutoff, reorder.DAMPING)
        h["run-rate"] = hidden_months(orders, cutoff, 0.0)["model"]
        for column in ("model", "run-rate", "naive"):
            s = scores(h, column)
            print(f"{name:<18} {column:<9} {s['clients']:>7} {s['mape']:>8.1f} "
                  f"{s['hit']:>7.1f} {s['total']:>+8.1f}")


if __name__ == "__main__":
    main()
