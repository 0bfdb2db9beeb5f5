"""Market segmentation: the Segments sheet's figures per segment and per region.

As described in docs/rules.md, section 14, "Segments and regions". Pure: `today` is an argument, the
frames come from core/compute.py (the book without the rows refresh skips). Amounts are in
the book's currency and add up to the cent to what the other sheets show: a segment's
Revenue 12m is the sum of its clients' Revenue 12m as Clients shows it, its Weighted
pipeline the sum of its open deals' Weighted amount as Deals shows it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.book.model import Settings
from acctbook.core import ranking

COUNTED = ("Active", "Prospect")     # the statuses a segment's Clients counts
FIGURES = ("clients", "key_accounts", "revenue_12m", "growth", "share", "weighted_pipeline",
           "won_12m", "lost_12m", "win_rate", "open_complaints")
# Beside the sheet's columns, for the monthly report: the prior 12 months' revenue, and
# whether the row is the clients with the Segment (Region) blank.
EXTRA = ("revenue_prior", "blank")
NONE_KEY = "\0none"       # the group of a blank Segment (Region): after every name


def none_label(lang: str) -> str:
    """What a blank Segment or Region is called, in the book's language."""
    return tr(lang, "(none)")


def closed_on(deals: pd.DataFrame) -> pd.Series:
    """When a deal was Won or Lost: its Stage since, else its Created (as the monthly
    report and the stale-deal rule take it); neither: never (NaT)."""
    return deals["stage_since"].fillna(deals["created"])


def client_facts(per: pd.DataFrame, clients: pd.DataFrame, deals: pd.DataFrame,
                 open_cases: pd.Series, settings: Settings, today: dt.date) -> pd.DataFrame:
    """Per Client ID (the index of `per`, core/compute.py's per-client frame with status,
    class, revenue_12m and revenue_prior): segment, region, and the figures summed by
    segment, money in whole cents."""
    idx = per.index
    first = clients[clients["client_id"].notna()].drop_duplicates("client_id")
    first = first.set_index("client_id").reindex(idx)
    counted = per["status"].isin(COUNTED)
    known = deals["client_id"].isin(idx)
    cents = np.round(ranking.weighted_amounts(deals, settings) * 100).fillna(0)
    live = known & ranking.open_deals(deals)
    t = pd.Timestamp(today)
    when = closed_on(deals)
    in_window = known & (when > t - pd.Timedelta(days=365)) & (when <= t)

    def per_client(mask: pd.Series, values) -> pd.Series:
        v = pd.Series(values, index=deals.index)[mask]
        return v.groupby(deals.loc[mask, "client_id"]).sum().reindex(idx).fillna(0)

    return pd.DataFrame({
        "segment": first["segment"], "region": first["region"],
        "clients": counted.astype(int),
        "key_accounts": (counted & (per["class"] == "A")).astype(int),
        "revenue_cents": np.round(per["revenue_12m"].fillna(0) * 100),
        "prior_cents": np.round(per["revenue_prior"].fillna(0) * 100),
        "pipeline_cents": per_client(live, cents),
        "won_12m": per_client(in_window & (deals["stage"] == "Won"), 1),
        "lost_12m": per_client(in_window & (deals["stage"] == "Lost"), 1),
        "open_complaints": open_cases.reindex(idx).fillna(0),
        "lost_client": per["status"] == "Lost",
    }, index=idx)


def _groups(values: pd.Series, listed: tuple[str, ...] = ()) -> tuple[pd.Series, dict]:
    """Each client's group key (its text folded: trimmed, any case; None when blank) and
    key -> the label shown (the first spelling in sheet order, after `listed`)."""
    labels: dict = {}
    for s in listed:
        labels.setdefault(schema.fold(s), str(s).strip())
    keys = []
    folded: dict = {}                        # each distinct value folded once
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            keys.append(None)
            continue
        key = folded.get(v, folded)
        if key is folded:
            text = str(v).strip()
            key = folded[v] = schema.fold(text) or None     # only direction marks: blank too
            if key is not None:
                labels.setdefault(key, text)
        keys.append(key)
    return pd.Series(keys, index=values.index, dtype=object), labels


def table(facts: pd.DataFrame, by: str, lang: str, base: float,
          listed: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per segment (by="segment") or region (by="region"), in the Segments table's
    keys: revenue highest first, then the name A to Z, "(none)" (blank) last. `base` is
    the growth base (ranking.growth_base); `listed`: names that get a row even without a
    client (Settings Segments)."""
    keys, labels = _groups(facts[by], listed)
    sums = facts.drop(columns=["segment", "region", "lost_client"]).groupby(
        keys.fillna(NONE_KEY).to_numpy(), sort=False).sum()
    order = list(labels) + ([NONE_KEY] if keys.isna().any() else [])
    sums = sums.reindex(order).fillna(0)
    sums = sums.assign(_none=[k == NONE_KEY for k in order],
                       _name=[labels.get(k, "").casefold() for k in order])
    sums = sums.sort_values(["_none", "revenue_cents", "_name"], ascending=[True, False, True],
                            kind="stable")
    total = float(sums["revenue_cents"].sum())
    on_base = ranking.real_base(sums["prior_cents"] / 100, base)
    rows = []
    for key, s in sums.iterrows():
        won, lost = int(s["won_12m"]), int(s["lost_12m"])
        growth = s["revenue_cents"] / s["prior_cents"] - 1 if on_base[key] else None
        rows.append({
            by: none_label(lang) if key == NONE_KEY else labels[key],
            "clients": int(s["clients"]), "key_accounts": int(s["key_accounts"]),
            "revenue_12m": float(round(s["revenue_cents"] / 100, 2)),
            "growth": None if growth is None else float(growth),
            "share": float(s["revenue_cents"] / total) if total else None,
            "weighted_pipeline": float(round(s["pipeline_cents"] / 100, 2)),
            "won_12m": won, "lost_12m": lost,
            "win_rate": won / (won + lost) if won + lost else None,
            "open_complaints": int(s["open_complaints"]),
            "revenue_prior": float(round(s["prior_cents"] / 100, 2)), "blank": key == NONE_KEY,
        })
    return pd.DataFrame(rows, columns=[by, *FIGURES, *EXTRA], dtype=object)


def segment_tables(per: pd.DataFrame, clients: pd.DataFrame, deals: pd.DataFrame,
                   open_cases: pd.Series, settings: Settings, today: dt.date,
                   lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the Segments table, the Regions table) for the clients of `per`. Growth is given
    only on a real base, as a client's is ranked (docs/rules.md, section 5): the segment's
    prior 12 months above 0 and at least the growth base (Settings Growth minimum base,
    blank = a quarter of the median prior revenue of the non-Lost clients that had any)."""
    facts = client_facts(per, clients, deals, open_cases, settings, today)
    base = ranking.growth_base(facts.loc[~facts["lost_client"], "prior_cents"] / 100,
                               settings.values.get("growth_minimum_base"))
    listed = tuple(s.strip() for s in str(settings.values.get("segments") or "").split(",")
                   if s.strip())
    return (table(facts, "segment", lang, base, listed), table(facts, "region", lang, base))
