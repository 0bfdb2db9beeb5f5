"""Loyalty and referral bonuses: the Loyalty sheet (docs/rules.md, section 20).

Per client, over the calendar year of `today` (1 January to `today`):
- Paid this year: its live order lines (not Cancelled) whose Paid on falls in the year;
- Bonus %: Settings Loyalty's percent for the client's Tier as refresh computes it (a tier
  the table leaves out, or gives a blank or bad percent, keeps schema.DEFAULT_LOYALTY's);
- Loyalty bonus = Paid this year × Bonus %;
- as a referrer (clients name it in Referred by): Referred clients, how many; Referred
  revenue paid, those clients' lines ordered in their first year (from their first live
  Order date ever, for one year) and paid this year; Referral bonus = that × Settings
  Referral bonus %;
- Earned = both bonuses; Paid out = its Bonus payments dated this year; Balance due.

Pure: no file, no clock (`today` passed in). Money in the book's currency, rounded to the
cent; Earned adds the rounded bonuses and Balance due subtracts the rounded Paid out, so
each row adds up as shown.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from acctbook.book import schema
from acctbook.book.settings_load import over_defaults

COLUMNS = [c.key for c in schema.LOYALTY_BALANCES.columns]


def year_start(today: dt.date) -> pd.Timestamp:
    return pd.Timestamp(dt.date(today.year, 1, 1))


def in_year(dates: pd.Series, today: dt.date) -> pd.Series:
    """Dates from 1 January of `today`'s year to `today`, both included (NaT: no)."""
    return (dates >= year_start(today)) & (dates <= pd.Timestamp(today))


def bonus_percents(loyalty: pd.DataFrame) -> dict[str, float]:
    """Tier -> bonus percent (3 = 3 %): Settings Loyalty over schema.DEFAULT_LOYALTY. A tier
    left out, or whose Bonus % is blank or outside 0-100 (the check's error), keeps its
    default; when a tier has two rows the first wins, as with every unique key."""
    return over_defaults(loyalty, "tier", "bonus", schema.DEFAULT_LOYALTY,
                         valid=lambda bonus: 0 <= bonus <= 100)


def paid_lines(orders: pd.DataFrame, ids: pd.Index, today: dt.date) -> pd.DataFrame:
    """The live order lines of known clients paid this year, with amount (blank: 0)."""
    o = orders[orders["client_id"].isin(ids) & in_year(orders["paid_on"], today)]
    return o.assign(amount=o["amount"].fillna(0.0))


def first_year(orders: pd.DataFrame) -> pd.Series:
    """Per line (bool): its Order date lies in its client's first year, from the client's
    earliest live Order date to one year later (that day excluded)."""
    first = orders.groupby("client_id")["order_date"].transform("min")
    return (orders["order_date"] >= first) & (orders["order_date"] < first + pd.DateOffset(years=1))


def referrals(per: pd.DataFrame, clients: pd.DataFrame) -> pd.Series:
    """Referred client ID -> its referrer's ID: a client's first row naming another known
    client in Referred by (itself: the check's self-referral error, left out)."""
    c = clients[clients["client_id"].notna()].drop_duplicates("client_id")
    c = c[c["referred_by"].notna() & (c["referred_by"] != c["client_id"])
          & c["referred_by"].isin(per.index)]
    return pd.Series(c["referred_by"].to_numpy(), index=c["client_id"].to_numpy(), dtype=object)


def balances(per: pd.DataFrame, clients: pd.DataFrame, orders: pd.DataFrame,
             payments: pd.DataFrame, loyalty: pd.DataFrame, referral_pct, today: dt.date,
             tiers: pd.Series | None = None) -> pd.DataFrame:
    """The Loyalty sheet's rows (schema.LOYALTY_BALANCES keys), one per client with a bonus
    earned or paid out this year, Balance due highest first, then Client ID.

    per: one row per Client ID (core/compute.py) with name; clients: the Clients frame
    (Referred by); orders: live order lines (ranking.live_orders: effective amount, no
    Cancelled lines); payments: BonusPayments; loyalty: Settings Loyalty; referral_pct:
    Settings Referral bonus % (5 = 5 %); tiers: each client's Tier by Client ID (None: no
    tier, no loyalty bonus)."""
    ids = per.index
    tier = (tiers if tiers is not None else pd.Series(None, index=ids, dtype=object)).reindex(ids)
    pct = tier.map(bonus_percents(loyalty)).fillna(0.0).astype(float)
    paid = paid_lines(orders, ids, today)
    revenue = paid.groupby("client_id")["amount"].sum().reindex(ids).fillna(0.0)
    loyalty_bonus = _cents(revenue * pct / 100)

    referrer = referrals(per, clients)
    # the referred clients' own lines only: a client's first year is its own orders' affair
    known = orders[orders["client_id"].isin(referrer.index.intersection(ids))
                   & orders["order_date"].notna()]
    early = known[first_year(known)].index
    ref = paid[paid.index.isin(early) & paid["client_id"].isin(referrer.index)]
    ref_revenue = ref["amount"].groupby(ref["client_id"].map(referrer)).sum().reindex(ids)
    ref_revenue = ref_revenue.fillna(0.0)
    referred = referrer.value_counts().reindex(ids).fillna(0).astype(int)
    referral_bonus = _cents(ref_revenue * float(referral_pct or 0) / 100)

    pay = payments[payments["client_id"].isin(ids) & in_year(payments["date"], today)
                   & payments["amount"].notna()]
    paid_out = _cents(pay.groupby("client_id")["amount"].sum().reindex(ids).fillna(0.0))
    earned = _cents(loyalty_bonus + referral_bonus)
    due = _cents(earned - paid_out)
    out = pd.DataFrame({
        "client_id": ids, "name": per["name"].to_numpy(), "tier": tier.to_numpy(),
        "paid_revenue": _cents(revenue).to_numpy(), "bonus_pct": (pct / 100).to_numpy(),
        "loyalty_bonus": loyalty_bonus.to_numpy(), "referred": referred.to_numpy(),
        "referral_revenue": _cents(ref_revenue).to_numpy(),
        "referral_bonus": referral_bonus.to_numpy(), "earned": earned.to_numpy(),
        "paid_out": paid_out.to_numpy(), "balance_due": due.to_numpy()})
    out = out[(out["earned"] > 0) | (out["paid_out"] > 0)]
    out = out.sort_values(["balance_due", "client_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def _cents(s: pd.Series) -> pd.Series:
    return pd.Series(np.round(s.to_numpy(dtype=float), 2), index=s.index)
