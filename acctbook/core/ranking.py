"""Key-account ranking: revenue windows, Class, Score, Rank, Tier; Weighted amount.

As described in docs/rules.md, "Key-account ranking".

Pure functions over the loaded frames; `today` is a datetime.date argument.
Per-client results are indexed by Client ID (one row per distinct ID).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from acctbook.book.model import Settings

CLOSED_STAGES = ("Won", "Lost")
SCORE_DECIMALS = 1       # Score and points as written to the workbook
COMPONENT_KEYS = {"Revenue": "revenue", "Growth": "growth", "Frequency": "frequency",
                  "Recency": "recency", "Pipeline": "pipeline"}
NEUTRAL = 0.5            # the Growth percentile of a client without a real base
# Why a client's growth is not ranked (Rankings' Growth note), in the book's language.
NEW, SMALL_BASE = "new", "small base"
GROWTH_NOTES = {"en": {NEW: "new", SMALL_BASE: "small base"},
                "he": {NEW: "חדש", SMALL_BASE: "בסיס קטן"}}


# --- orders and deals ------------------------------------------------------------------
def order_amount(orders: pd.DataFrame) -> pd.Series:
    """Amount as in Orders: the given Amount, else Quantity × Unit price × (1 − Discount/100)."""
    derived = orders["quantity"] * orders["unit_price"] * (1 - orders["discount"].fillna(0) / 100)
    return orders["amount"].where(orders["amount"].notna(), derived)


def live_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Order lines that count anywhere: not Cancelled, with their effective amount and Excel row."""
    out = orders[orders["status"] != "Cancelled"].rename_axis(None)
    return out.assign(amount=order_amount(out), row=out.index)   # no deep copy (pandas 3)


def book_amounts(deals: pd.DataFrame, settings: Settings) -> pd.Series:
    """Each deal's Amount in the book's currency: × the ExchangeRates rate of its Currency
    (its own currency or a blank one: × 1); NaN where there is no rate (the check's
    `no-exchange-rate` error, so refresh skips that deal). A frame without a Currency
    column is in the book's currency."""
    if "currency" not in deals:
        return deals["amount"]
    cur = deals["currency"]
    rates = {v: settings.rate(v) for v in cur.dropna().unique()}
    rate = cur.map({v: np.nan if r is None else r for v, r in rates.items()})
    return deals["amount"] * pd.to_numeric(rate.where(cur.notna(), 1.0), errors="coerce")


def weighted_amounts(deals: pd.DataFrame, settings: Settings) -> pd.Series:
    """Amount (in the book's currency) × Probability / 100; a blank Probability takes the
    stage's from Settings."""
    prob = deals["probability"].where(deals["probability"].notna(),
                                      deals["stage"].map(settings.stage_probability))
    return book_amounts(deals, settings) * pd.to_numeric(prob, errors="coerce") / 100


def open_deals(deals: pd.DataFrame) -> pd.Series:
    return ~deals["stage"].isin(CLOSED_STAGES)


def pipeline_by_client(deals: pd.DataFrame, settings: Settings) -> pd.Series:
    """Weighted amount of each client's open deals (stages other than Won and Lost)."""
    w = weighted_amounts(deals, settings)
    mask = open_deals(deals) & deals["client_id"].notna()
    return w[mask].fillna(0).groupby(deals.loc[mask, "client_id"]).sum()


# --- revenue windows ----------------------------------------------------------------------
def revenue_windows(orders: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Per client: revenue_12m, revenue_prior, frequency (orders in the window), last_order.

    `orders` are live order lines (see live_orders). The window holds Order dates
    after today − 365 up to today; the prior window after today − 730 up to today − 365.
    """
    t = pd.Timestamp(today)
    d = orders["order_date"]
    in_win = (d > t - pd.Timedelta(days=365)) & (d <= t)
    in_prior = (d > t - pd.Timedelta(days=730)) & (d <= t - pd.Timedelta(days=365))
    amount = orders["amount"].fillna(0)
    cid = orders["client_id"]
    # An order is an Order ID (one row per line); a line without an ID counts alone.
    oid = orders["order_id"].astype(object)
    blank = oid.isna().to_numpy()
    if blank.any():
        oid = oid.copy()
        oid[blank] = ["row " + str(r) for r in orders.index[blank]]
    sums = pd.DataFrame({"revenue_12m": amount.where(in_win, 0.0),
                         "revenue_prior": amount.where(in_prior, 0.0),
                         "last_order": d.where(d <= t)}).groupby(cid.to_numpy(), sort=False).agg(
        {"revenue_12m": "sum", "revenue_prior": "sum", "last_order": "max"})
    win = pd.DataFrame({"cid": cid[in_win], "oid": oid[in_win]}).drop_duplicates()
    out = sums.assign(frequency=win.groupby("cid").size().reindex(sums.index).fillna(0))
    out.index.name = "client_id"
    return out


# --- class, tier --------------------------------------------------------------------------
def abc_class(revenue: pd.Series, key_account: pd.Series, a_threshold: float,
              b_threshold: float) -> pd.Series:
    """ABC by share of revenue before the client (thresholds in percent); Key account forces A.

    `revenue` and `key_account` are indexed by Client ID. No revenue -> no class.
    """
    pos = revenue[revenue > 0]
    order = pd.DataFrame({"rev": pos, "cid": pos.index}).sort_values(
        ["rev", "cid"], ascending=[False, True])
    # In whole cents, so a client exactly at a threshold is not A by float noise
    # (714.64 + 387.04 is 1101.6799… in floats).
    cents = np.round(order["rev"].to_numpy() * 100)
    total = cents.sum()
    before = np.cumsum(cents) - cents
    # before/total < threshold%, compared without division.
    cls = np.where(before * 100 < a_threshold * total, "A",
                   np.where(before * 100 < b_threshold * total, "B", "C"))
    out = pd.Series(pd.Series(cls, index=order.index, dtype=object), index=revenue.index,
                    dtype=object)
    out = out.where(out.notna(), None)
    out[key_account.reindex(revenue.index).eq(True).to_numpy()] = "A"
    return out


def tier_of(revenue: pd.Series, tiers: list[tuple[str, float, float]]) -> pd.Series:
    """The highest Tiers row whose Min revenue 12m ≤ revenue (tiers come high to low)."""
    out = pd.Series([None] * len(revenue), index=revenue.index, dtype=object)
    for name, minimum, _ in reversed(tiers):     # later (higher) tiers overwrite lower ones
        out[(revenue >= minimum).to_numpy()] = name
    return out


# --- score --------------------------------------------------------------------------------
def growth(revenue: pd.Series, prior: pd.Series) -> pd.Series:
    """Revenue 12m ÷ prior − 1; prior 0 with revenue > 0 is the highest (inf); both 0 is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = revenue / prior - 1
    g = g.where(prior > 0, np.where(revenue > 0, np.inf, 0.0))
    return g.astype(float)


def growth_base(prior: pd.Series, typed: float | None) -> float:
    """The growth base: Settings Growth minimum base, blank = a quarter of the median
    prior-window revenue of the clients in `prior` (the non-Lost ones) that had any."""
    if typed is not None and not pd.isna(typed):
        return float(typed)
    had = prior[prior > 0]
    return float(had.median()) / 4 if len(had) else 0.0


def real_base(prior: pd.Series, base: float) -> pd.Series:
    """Prior-window revenue above 0 and at least the growth base (in whole cents, so float
    noise in a sum does not decide it): the clients whose Growth is ranked."""
    cents = np.round(prior.to_numpy(float) * 100)
    return pd.Series((cents > 0) & (cents >= np.ceil(np.round(base * 100, 6))), index=prior.index)


def growth_note(prior: pd.Series, counted: pd.Series) -> pd.Series:
    """NEW (no prior revenue) or SMALL_BASE for a client whose Growth is not ranked."""
    note = np.where(counted, None, np.where(prior > 0, SMALL_BASE, NEW))
    return pd.Series(note, index=prior.index, dtype=object)


def score_components(comp: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Percentiles, points and Score for the non-Lost clients in `comp`.

    `comp` columns: revenue_12m, growth, growth_counted (the client has a real base:
    real_base), frequency, recency_days (NaN = no order), pipeline. Each becomes a
    percentile (rank(pct=True), average ties); Growth is ranked among the clients with
    growth_counted only, and every other client takes NEUTRAL (0.5); points =
    weight × percentile × 100, the weights scaled to add up to 1 (so Score stays
    0–100 when they are typed as 50/15/15/10/10); Score = the sum of the points.
    Points are rounded to SCORE_DECIMALS so that they add up to the Score shown, and
    the Score is that rounded sum: rank and queue order follow the Score as written.
    """
    keys = {
        "revenue": comp["revenue_12m"],
        "growth": comp["growth"],
        "frequency": comp["frequency"],
        # Fewer days is better; no order is the worst of all.
        "recency": -comp["recency_days"].fillna(np.inf),
        "pipeline": comp["pipeline"],
    }
    w = {c: max(float(weights.get(c, 0.0)), 0.0) for c in COMPONENT_KEYS}
    total = sum(w.values())
    out = pd.DataFrame(index=comp.index)
    points = []
    counted = comp["growth_counted"].astype(bool)
    for component, key in COMPONENT_KEYS.items():
        if key == "growth":
            pct = keys[key][counted].rank(pct=True, method="average").reindex(comp.index)
            pct = pct.fillna(NEUTRAL).astype(float)
        else:
            pct = keys[key].rank(pct=True, method="average") if len(comp) else keys[key]
        out[f"pct_{key}"] = pct
        points.append((pct * 100 * (w[component] / total if total else 0.0)).to_numpy(float))
    pts = _round_parts(np.column_stack(points)) if len(comp) else np.empty((0, len(points)))
    for j, key in enumerate(COMPONENT_KEYS.values()):
        out[f"pts_{key}"] = pts[:, j]
    out["score"] = np.round(pts.sum(axis=1), SCORE_DECIMALS)
    return out


def _round_parts(parts: np.ndarray) -> np.ndarray:
    """Each row's parts rounded to SCORE_DECIMALS so they add up to the row's rounded sum
    (largest remainder; ties go to the earlier component)."""
    scale = 10.0 ** SCORE_DECIMALS
    x = np.round(parts * scale, 6)                  # float noise off: 549.9999999 -> 550
    low = np.floor(x)
    short = np.floor(x.sum(axis=1) + 0.5) - low.sum(axis=1)     # units to hand out
    order = np.argsort(-(x - low), axis=1, kind="stable")
    place = np.empty_like(order)
    np.put_along_axis(place, order, np.arange(x.shape[1])[None, :].repeat(len(x), 0), axis=1)
    return np.round((low + (place < short[:, None])) / scale, SCORE_DECIMALS)


def rank_order(score: pd.Series, revenue: pd.Series) -> pd.Series:
    """Rank 1..n by Score descending, then Revenue 12m descending, then Client ID."""
    frame = pd.DataFrame({"s": score.round(9), "r": revenue, "cid": score.index})
    frame = frame.sort_values(["s", "r", "cid"], ascending=[False, False, True])
    return pd.Series(np.arange(1, len(frame) + 1), index=frame.index)


# --- everything per client ------------------------------------------------------------------
def rank_clients(clients: pd.DataFrame, orders: pd.DataFrame, deals: pd.DataFrame,
                 settings: Settings, today: dt.date) -> pd.DataFrame:
    """Per distinct Client ID: revenue windows, class, tier, components, score and rank.

    `clients` is indexed by Client ID with status and key_account; `orders` are
    live order lines. Lost clients get class and tier but no score or rank. Growth is
    ranked only on a real base (growth_base, real_base); the others' growth_note says why.
    """
    idx = clients.index
    rev = revenue_windows(orders, today).reindex(idx)
    out = pd.DataFrame(index=idx)
    out["revenue_12m"] = rev["revenue_12m"].fillna(0.0)
    out["revenue_prior"] = rev["revenue_prior"].fillna(0.0)
    out["frequency"] = rev["frequency"].fillna(0).astype(int)
    out["recency_days"] = (pd.Timestamp(today) - rev["last_order"]).dt.days.astype(float)
    out["pipeline"] = pipeline_by_client(deals, settings).reindex(idx).fillna(0.0)
    out["growth"] = growth(out["revenue_12m"], out["revenue_prior"])
    out["class"] = abc_class(out["revenue_12m"], clients["key_account"],
                             float(settings["a_threshold"]), float(settings["b_threshold"]))
    out["tier"] = tier_of(out["revenue_12m"], settings.tiers)
    ranked = (clients["status"] != "Lost").to_numpy()
    base = growth_base(out.loc[ranked, "revenue_prior"],
                       settings.values.get("growth_minimum_base"))
    out["growth_counted"] = real_base(out["revenue_prior"], base)
    out["growth_note"] = growth_note(out["revenue_prior"], out["growth_counted"])
    out.loc[~ranked, "growth_note"] = None
    pts = score_components(out[ranked], settings.weights)
    out = out.join(pts)
    out["rank"] = rank_order(pts["score"], out.loc[pts.index, "revenue_12m"]).reindex(idx)
    return out
