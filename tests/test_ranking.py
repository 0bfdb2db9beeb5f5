"""core.ranking on its own: order amounts, live orders, weighted amounts and pipeline, revenue
windows, ABC class, tier, growth, score components, rank (docs/rules.md, "Key-account
ranking"). Small hand-made frames, `today` passed in; expected values worked out by hand.
"""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from acctbook.book.model import Settings
from acctbook.core import ranking as rk

D = dt.date
TODAY = D(2026, 11, 15)
WEIGHTS = {"Revenue": 0.50, "Growth": 0.15, "Frequency": 0.15, "Recency": 0.10, "Pipeline": 0.10}
STAGES = {"Lead": 10.0, "Qualified": 20.0, "Needs analysis": 40.0, "Proposal": 60.0,
          "Negotiation": 80.0, "Won": 100.0, "Lost": 0.0}


def settings(tiers=(("Standard", 0.0, 0.0),), weights=None) -> Settings:
    return Settings(values={"a_threshold": 80.0, "b_threshold": 95.0}, cadence={},
                    stage_probability=dict(STAGES), sla={}, tiers=list(tiers),
                    weights=dict(WEIGHTS if weights is None else weights), holidays=[])


ORDERS = ["order_id", "client_id", "order_date", "quantity", "unit_price", "discount",
          "amount", "status"]
DEALS = ["deal_id", "client_id", "stage", "amount", "probability"]


def table(columns: list[str], *rows: dict, first_row: int = 2) -> pd.DataFrame:
    """A frame as the loader gives it: Excel rows as index, dates datetime64, numbers float."""
    index = pd.Index(range(first_row, first_row + len(rows)), dtype="int64", name="row")
    f = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns,
                     index=index, dtype=object)
    for c in columns:
        if c == "order_date":
            f[c] = pd.to_datetime(f[c])
        elif c in ("quantity", "unit_price", "discount", "amount", "probability"):
            f[c] = pd.to_numeric(f[c]).astype(float)
    return f


def series(**values) -> pd.Series:
    return pd.Series(list(values.values()), index=list(values), dtype=float)


def blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# --- amounts ----------------------------------------------------------------------------------
def test_order_amount_given_or_derived():
    o = table(ORDERS,
              {"quantity": 3, "unit_price": 10, "discount": 20},              # 3×10×0.8 = 24
              {"quantity": 2, "unit_price": 5},                               # no discount: 10
              {"quantity": 2, "unit_price": 5, "discount": 50, "amount": 99},  # typed wins
              {"quantity": 2})                                                # cannot be worked out
    a = rk.order_amount(o)
    assert list(a[:3]) == pytest.approx([24.0, 10.0, 99.0])
    assert math.isnan(a.iloc[3])


def test_live_orders_drop_cancelled_and_keep_the_excel_row():
    o = table(ORDERS,
              {"order_id": "O-1", "status": "Delivered", "amount": 10},
              {"order_id": "O-2", "status": "Cancelled", "amount": 20},
              {"order_id": "O-3", "status": None, "quantity": 4, "unit_price": 5})
    live = rk.live_orders(o)
    # A blank Status is live; O-3's Amount is worked out: 4 × 5 = 20.
    assert list(live["order_id"]) == ["O-1", "O-3"]
    assert list(live["amount"]) == [10.0, 20.0]
    assert list(live["row"]) == [2, 4]


def test_weighted_amounts_and_pipeline_by_client():
    deals = table(DEALS,
                  {"deal_id": "D1", "client_id": "C1", "stage": "Qualified", "amount": 1000,
                   "probability": 25},                      # 1000 × 25% = 250
                  {"deal_id": "D2", "client_id": "C1", "stage": "Proposal", "amount": 1000},
                  # blank probability: Proposal's 60% -> 600
                  {"deal_id": "D3", "client_id": "C1", "stage": "Won", "amount": 5000},
                  {"deal_id": "D4", "client_id": "C1", "stage": "Lost", "amount": 7000,
                   "probability": 50},
                  {"deal_id": "D5", "client_id": "C1", "stage": "Negotiation"},   # no amount
                  {"deal_id": "D6", "client_id": "C2", "stage": "Lead", "amount": 2000},
                  {"deal_id": "D7", "client_id": None, "stage": "Lead", "amount": 9000})
    s = settings()
    w = rk.weighted_amounts(deals, s)
    # D3 Won 100% -> 5000; D4 its own 50% -> 3500; D6 Lead 10% -> 200; D7 10% -> 900.
    assert list(w.drop(6)) == pytest.approx([250.0, 600.0, 5000.0, 3500.0, 200.0, 900.0])
    assert math.isnan(w[6])
    assert list(rk.open_deals(deals)) == [True, True, False, False, True, True, True]
    # Open deals only (Won, Lost out), no client-less deal, a blank amount as 0:
    # C1 = 250 + 600 = 850, C2 = 200.
    assert rk.pipeline_by_client(deals, s).to_dict() == pytest.approx({"C1": 850.0, "C2": 200.0})


# --- revenue windows ------------------------------------------------------------------------
def test_revenue_windows_edges_frequency_and_last_order():
    # today − 365 = 2025-11-15 (no 29 February in between); today − 730 = 2024-11-15.
    o = rk.live_orders(table(
        ORDERS,
        {"order_id": "O-1", "client_id": "C1", "order_date": D(2026, 11, 15), "amount": 100},
        {"order_id": "O-1", "client_id": "C1", "order_date": D(2026, 11, 15), "amount": 50},
        {"order_id": "O-2", "client_id": "C1", "order_date": D(2025, 11, 16), "amount": 200},
        {"order_id": "O-3", "client_id": "C1", "order_date": D(2025, 11, 15), "amount": 400},
        {"order_id": "O-4", "client_id": "C1", "order_date": D(2024, 11, 16), "amount": 800},
        {"order_id": "O-5", "client_id": "C1", "order_date": D(2024, 11, 15), "amount": 1600},
        {"order_id": "O-6", "client_id": "C1", "order_date": D(2026, 11, 16), "amount": 3200},
        {"order_id": None, "client_id": "C1", "order_date": D(2026, 1, 10), "amount": 10},
        {"order_id": None, "client_id": "C1", "order_date": D(2026, 1, 10), "amount": 10},
        {"order_id": "O-7", "client_id": "C2", "order_date": D(2020, 5, 1), "amount": 5},
        {"order_id": "O-8", "client_id": "C3", "order_date": D(2026, 10, 1)}))
    w = rk.revenue_windows(o, TODAY)
    # C1, 12 months (after 2025-11-15, up to today): O-1 150 + O-2 200 + two ID-less 10s = 370.
    #     Prior (after 2024-11-15, up to 2025-11-15): O-3 400 + O-4 800 = 1200. O-5 is too
    #     old for both, O-6 lies in the future. Frequency: O-1 (two lines, one order), O-2 and
    #     each ID-less line = 4. Last order: today (the future O-6 does not count).
    assert w.loc["C1", "revenue_12m"] == pytest.approx(370.0)
    assert w.loc["C1", "revenue_prior"] == pytest.approx(1200.0)
    assert w.loc["C1", "frequency"] == 4
    assert w.loc["C1", "last_order"] == pd.Timestamp(TODAY)
    # C2: only an order from 2020: no revenue, no frequency, but it is the last order.
    assert (w.loc["C2", "revenue_12m"], w.loc["C2", "revenue_prior"],
            w.loc["C2", "frequency"]) == (0.0, 0.0, 0)
    assert w.loc["C2", "last_order"] == pd.Timestamp(D(2020, 5, 1))
    # C3: a line without any amount counts 0, and is still an order.
    assert (w.loc["C3", "revenue_12m"], w.loc["C3", "frequency"]) == (0.0, 1)


# --- class --------------------------------------------------------------------------------------
def test_abc_class_exactly_80_percent_before_is_b():
    rev = series(X=80.0, Y=15.0, Z=5.0)
    # Before X: 0% -> A; before Y: 80/100 = 80%, not below 80 -> B; before Z: 95%, not
    # below 95 -> C.
    cls = rk.abc_class(rev, pd.Series(dtype=object), 80.0, 95.0)
    assert cls.to_dict() == {"X": "A", "Y": "B", "Z": "C"}


def test_abc_class_just_under_80_percent_is_a():
    rev = series(X=79.99, Y=15.01, Z=5.0)
    # Before Y: 79.99%, below 80 -> A; before Z: 79.99 + 15.01 = 95.00% -> C.
    cls = rk.abc_class(rev, pd.Series(dtype=object), 80.0, 95.0)
    assert cls.to_dict() == {"X": "A", "Y": "A", "Z": "C"}


def test_abc_class_counts_in_cents():
    # 714.64 + 387.04 = 1101.68, exactly 80% of the total 1377.10 (× 0.8 = 1101.68); the
    # third client is therefore B, though 714.64 + 387.04 in floats is 1101.6799999….
    rev = series(P=714.64, Q=387.04, R=275.42)
    assert rk.abc_class(rev, pd.Series(dtype=object), 80.0, 95.0).to_dict() == {
        "P": "A", "Q": "A", "R": "B"}


def test_abc_class_ties_by_client_id_no_revenue_and_key_account():
    rev = series(K2=50.0, K1=50.0, N=0.0, KA=0.0)
    key = pd.Series({"N": False, "KA": True})
    # A threshold 50: K1 comes first (same revenue, ID A→Z), 0% before it -> A; K2 has
    # 50% before it, not below 50 -> B. N has no revenue: no class. KA is a key account: A.
    cls = rk.abc_class(rev, key, 50.0, 95.0)
    assert cls.to_dict() == {"K2": "B", "K1": "A", "N": None, "KA": "A"}


# --- tier ---------------------------------------------------------------------------------------
def test_tier_is_the_highest_row_reached():
    tiers = [("Gold", 250_000.0, 7.0), ("Silver", 50_000.0, 3.0), ("Standard", 0.0, 0.0)]
    rev = series(a=250_000.0, b=249_999.99, c=50_000.0, d=0.0)
    assert list(rk.tier_of(rev, tiers)) == ["Gold", "Silver", "Silver", "Standard"]
    # Without a 0 row, revenue below the lowest minimum has no tier.
    assert list(rk.tier_of(rev, tiers[:2])) == ["Gold", "Silver", "Silver", None]


# --- growth ---------------------------------------------------------------------------------------
def test_growth_including_zero_prior_revenue():
    rev = series(up=150.0, down=0.0, new=10.0, none=0.0, half=50.0)
    prior = series(up=100.0, down=200.0, new=0.0, none=0.0, half=100.0)
    g = rk.growth(rev, prior)
    # 150/100 − 1 = 0.5; 0/200 − 1 = −1; prior 0 with revenue: +∞; both 0: 0; 50/100 − 1.
    assert g.to_dict() == {"up": 0.5, "down": -1.0, "new": np.inf, "none": 0.0, "half": -0.5}


# --- score ---------------------------------------------------------------------------------------
COMP = pd.DataFrame({
    "revenue_12m": [400.0, 300.0, 200.0, 100.0],
    "growth": [1.0, 2.0, 0.0, -0.5],
    "growth_counted": [True, True, True, True],     # every one on a real base
    "frequency": [4, 4, 1, 2],
    "recency_days": [10.0, np.nan, 40.0, 5.0],
    "pipeline": [0.0, 100.0, 0.0, 50.0],
}, index=["A", "B", "C", "D"])
# Percentiles (rank / 4, ties averaged):
#   revenue    A 1     B .75   C .5    D .25
#   growth     A .75   B 1     C .5    D .25
#   frequency  A .875  B .875  C .25   D .5      (A and B tie on ranks 3, 4: 3.5 / 4)
#   recency    A .75   B .25   C .5    D 1       (fewer days better; no order the worst)
#   pipeline   A .375  B 1     C .375  D .75     (A and C tie on ranks 1, 2: 1.5 / 4)
# Points = percentile × 100 × weight (.50 .15 .15 .10 .10), then each row rounded to tenths
# by largest remainder (equal remainders: the earlier component):
#   A 50, 11.25, 13.125, 7.5, 3.75 = 85.625 -> 85.6: one tenth to hand out after flooring
#     (855 of 856 tenths); growth and pipeline both have .5 left, growth is earlier.
#   B 37.5, 15, 13.125, 2.5, 10 = 78.125 -> 78.1: the floors already add up to 781.
#   C 25, 7.5, 3.75, 5, 3.75 = 45 -> one tenth to frequency (before pipeline).
#   D 12.5, 3.75, 7.5, 10, 7.5 = 41.25 -> 41.3 (half up): one tenth to growth.
POINTS = {
    "A": [50.0, 11.3, 13.1, 7.5, 3.7],
    "B": [37.5, 15.0, 13.1, 2.5, 10.0],
    "C": [25.0, 7.5, 3.8, 5.0, 3.7],
    "D": [12.5, 3.8, 7.5, 10.0, 7.5],
}
SCORES = {"A": 85.6, "B": 78.1, "C": 45.0, "D": 41.3}
PTS = [f"pts_{k}" for k in ("revenue", "growth", "frequency", "recency", "pipeline")]


def test_score_percentiles_by_hand():
    out = rk.score_components(COMP, WEIGHTS)
    assert list(out["pct_revenue"]) == [1.0, 0.75, 0.5, 0.25]
    assert list(out["pct_growth"]) == [0.75, 1.0, 0.5, 0.25]
    assert list(out["pct_frequency"]) == [0.875, 0.875, 0.25, 0.5]
    assert list(out["pct_recency"]) == [0.75, 0.25, 0.5, 1.0]
    assert list(out["pct_pipeline"]) == [0.375, 1.0, 0.375, 0.75]


def test_score_points_rounded_and_adding_up_to_the_score():
    out = rk.score_components(COMP, WEIGHTS)
    for cid, points in POINTS.items():
        assert list(out.loc[cid, PTS]) == pytest.approx(points, abs=1e-9)
        assert out.loc[cid, "score"] == pytest.approx(SCORES[cid], abs=1e-9)
        assert round(sum(out.loc[cid, PTS]), 1) == pytest.approx(out.loc[cid, "score"])


def test_weights_are_scaled_and_negative_weights_count_as_zero():
    typed = rk.score_components(COMP, {"Revenue": 50, "Growth": 15, "Frequency": 15,
                                       "Recency": 10, "Pipeline": 10})
    assert typed["score"].to_dict() == pytest.approx(SCORES)
    # Revenue alone (Growth −5 is 0): points are the revenue percentile × 100.
    alone = rk.score_components(COMP, {"Revenue": 2, "Growth": -5})
    assert alone["score"].to_dict() == pytest.approx({"A": 100.0, "B": 75.0, "C": 50.0, "D": 25.0})
    assert list(alone["pts_growth"]) == [0.0] * 4
    # All weights 0: every point is 0.
    zero = rk.score_components(COMP, {})
    assert list(zero["score"]) == [0.0] * 4


def test_growth_ranked_only_on_a_real_base_the_others_neutral():
    comp = COMP.assign(growth=[1.0, np.inf, 0.0, 25.0],
                       growth_counted=[True, False, True, False])
    out = rk.score_components(comp, WEIGHTS)
    # A and C are ranked between themselves (A 1, C .5); B (new) and D (small base) 0.5,
    # however high their growth.
    assert list(out["pct_growth"]) == [1.0, 0.5, 0.5, 0.5]
    assert list(out["pts_growth"]) == [15.0, 7.5, 7.5, 7.5]
    # Nobody on a real base: everyone neutral.
    none = rk.score_components(comp.assign(growth_counted=False), WEIGHTS)
    assert list(none["pct_growth"]) == [0.5] * 4


def test_growth_base_setting_else_a_quarter_of_the_median_prior():
    prior = series(a=0.0, b=400.0, c=1000.0, d=2000.0, e=80.0)
    # Median of 80, 400, 1000, 2000 (those that had any) = 700; a quarter: 175.
    assert rk.growth_base(prior, None) == 175.0
    assert rk.growth_base(prior, 500) == 500.0
    assert rk.growth_base(series(a=0.0), None) == 0.0
    counted = rk.real_base(prior, 175.0)
    assert counted.to_dict() == {"a": False, "b": True, "c": True, "d": True, "e": False}
    # Exactly at the base counts (in whole cents: 714.64 + 387.04 is 1101.6799… in floats).
    assert rk.real_base(series(x=714.64 + 387.04, y=1101.67), 1101.68).tolist() == [True, False]
    # Base 0 typed: any prior revenue counts, none still does not.
    assert rk.real_base(prior, 0.0).tolist() == [False, True, True, True, True]
    assert rk.growth_note(prior, counted).to_dict() == {
        "a": "new", "b": None, "c": None, "d": None, "e": "small base"}


def test_rank_by_score_then_revenue_then_client_id():
    score = series(X=50.0, Y=70.0, Z=50.0, W=50.0)
    revenue = series(X=10.0, Y=0.0, Z=20.0, W=10.0)
    # Y has the best score; Z beats W and X on revenue; W beats X on its ID.
    assert rk.rank_order(score, revenue).to_dict() == {"Y": 1, "Z": 2, "W": 3, "X": 4}


# --- everything per client -----------------------------------------------------------------------
def test_rank_clients_lost_and_key_accounts():
    clients = pd.DataFrame({"status": ["Active", "Lost", "Active", "Active"],
                            "key_account": [None, None, None, True]},
                           index=pd.Index(["C1", "C2", "C3", "C4"], name="client_id"))
    orders = rk.live_orders(table(
        ORDERS,
        {"order_id": "O-1", "client_id": "C1", "order_date": D(2026, 11, 1), "amount": 800},
        {"order_id": "O-2", "client_id": "C2", "order_date": D(2026, 10, 1), "amount": 150},
        {"order_id": "O-3", "client_id": "C3", "order_date": D(2026, 6, 1), "amount": 50}))
    s = settings(tiers=[("Silver", 500.0, 3.0), ("Standard", 0.0, 0.0)])
    r = rk.rank_clients(clients, orders, table(DEALS), s, TODAY)
    # Class over all revenue, the Lost client's included (total 1000): C1 0% before -> A;
    # C2 80% -> B; C3 95% -> C; C4 has no revenue but is a key account -> A.
    assert r["class"].to_dict() == {"C1": "A", "C2": "B", "C3": "C", "C4": "A"}
    assert r["tier"].to_dict() == {"C1": "Silver", "C2": "Standard", "C3": "Standard",
                                   "C4": "Standard"}
    # Recency: 11-01 -> 14 days; 06-01 -> 29 + 31 + 31 + 30 + 31 + 15 = 167 days; none: blank.
    assert r.loc["C1", "recency_days"] == 14 and r.loc["C3", "recency_days"] == 167
    assert math.isnan(r.loc["C4", "recency_days"])
    # Scored: C1, C3, C4 (n = 3); C2 is Lost: no score, no rank.
    #   revenue    C1 1      C3 2/3    C4 1/3
    #   growth     all .5: no prior revenue anywhere, so every one is "new" (neutral)
    #   frequency  C1 2.5/3  C3 2.5/3  C4 1/3
    #   recency    C1 1      C3 2/3    C4 1/3
    #   pipeline   all 2/3 (all 0, one tie)
    # C1: 50 + 7.5 + 12.5 + 10 + 6.667 = 86.667 -> pipeline gets the tenth: 6.7, Score 86.7.
    # C3: 33.333 + 7.5 + 12.5 + 6.667 + 6.667 = 66.667 -> 33.3, 7.5, 12.5, 6.7, 6.7 = 66.7.
    # C4: 16.667 + 7.5 + 5 + 3.333 + 6.667 = 39.167 -> 16.7, 7.5, 5, 3.3, 6.7 = 39.2.
    assert r.loc["C1", PTS].tolist() == pytest.approx([50.0, 7.5, 12.5, 10.0, 6.7])
    assert r.loc["C3", PTS].tolist() == pytest.approx([33.3, 7.5, 12.5, 6.7, 6.7])
    assert r.loc["C4", PTS].tolist() == pytest.approx([16.7, 7.5, 5.0, 3.3, 6.7])
    assert r.loc[["C1", "C3", "C4"], "score"].tolist() == pytest.approx([86.7, 66.7, 39.2])
    assert r["growth_note"].to_dict() == {"C1": "new", "C2": None, "C3": "new", "C4": "new"}
    assert r.loc[["C1", "C3", "C4"], "rank"].tolist() == [1, 2, 3]
    assert blank(r.loc["C2", "score"]) and blank(r.loc["C2", "rank"])
    assert r.loc["C2", "revenue_12m"] == 150.0
