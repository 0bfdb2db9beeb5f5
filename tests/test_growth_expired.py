"""Growth counted only on a real base, and Contract expired (SPEC 3 and 5; docs/rules.md,
"Score" and "Follow-up candidates"), through compute() and the refresh plan on planted books.
"""

import datetime as dt

import pytest

from acctbook.book import bidi, schema
from acctbook.book.coerce import book_from_rows
from acctbook.core import plan
from acctbook.core.compute import compute, follow_up_candidates

D = dt.date
TODAY = D(2026, 11, 20)          # a Friday
NOW, BEFORE = D(2026, 11, 1), D(2025, 6, 1)     # in the window, in the prior window


def client(cid, status="Active"):
    return {"client_id": cid, "name": f"Client {cid}", "status": status,
            "created": D(2024, 1, 1)}


def order(oid, day, amount, cid):
    return {"order_id": oid, "client_id": cid, "order_date": day, "amount": amount,
            "status": "Delivered"}


def book(settings=None, lang="en", **tables):
    b = book_from_rows(tables, settings or {}, lang)
    assert [p for p in b.problems if p.severity == "error"] == []
    return b


# Revenue 12m and prior-window revenue. G is up 1,358.7% from ₪20k; N has no prior revenue;
# S and G are below the growth base; L is Lost (neither ranked nor in the median).
PLANTED = {"P1": (1_200_000, 1_000_000), "P2": (1_100_000, 900_000),
           "P3": (1_050_000, 1_100_000), "G": (291_740, 20_000), "S": (100_000, 90_000),
           "N": (60_000, 0), "L": (0, 5_000)}


def planted(settings=None, lang="en"):
    orders = []
    for cid, (now, before) in PLANTED.items():
        if now:
            orders.append(order(f"O-{cid}", NOW, now, cid))
        if before:
            orders.append(order(f"O-{cid}-p", BEFORE, before, cid))
    clients = [client(c, "Lost" if c == "L" else "Active") for c in PLANTED]
    return book(settings, lang, Clients=clients, Orders=orders)


def rankings(b):
    return compute(b, TODAY).rankings.set_index("client_id")


def test_a_small_base_does_not_lift_a_gold_client_above_platinum_ones():
    r = rankings(planted())
    # Growth base: median of the non-Lost priors 20k, 90k, 900k, 1M, 1.1M = 900k; ÷ 4 = 225k.
    # Ranked on growth: P1 +20%, P2 +22.2%, P3 −4.5% -> 2/3, 1, 1/3; G, S, N: 0.5.
    # Frequency, recency and pipeline tie for all six (20.4167 points each).
    # Revenue 1, 5/6, 4/6, 3/6, 2/6, 1/6 (× 50); growth × 15:
    #   P1 50 + 10 = 60; P2 41.667 + 15 = 56.667; P3 33.333 + 5 = 38.333;
    #   G 25 + 7.5 = 32.5; S 16.667 + 7.5 = 24.167; N 8.333 + 7.5 = 15.833.
    # On raw growth G (5/6, behind N's +∞) would have had 25 + 12.5 = 37.5 > P3's
    # 33.333 + 2.5 (P3 the lowest, 1/6) = 35.833.
    assert list(r.index) == ["P1", "P2", "P3", "G", "S", "N"]
    assert list(r["tier"]) == ["Platinum"] * 3 + ["Gold", "Silver", "Silver"]
    assert r.loc["G", "growth"] == pytest.approx(13.587)            # shown: 1358.7%
    assert r.loc["G", "growth_note"] == "small base"
    assert r.loc["S", "growth_note"] == "small base"
    assert r.loc["N", "growth_note"] == "new" and r.loc["N", "growth"] is None
    assert [r.loc[c, "growth_note"] for c in ("P1", "P2", "P3")] == [None] * 3
    assert "L" not in r.index
    pts = {c: r.loc[c, "pts_growth"] for c in r.index}
    assert pts == pytest.approx({"P1": 10.0, "P2": 15.0, "P3": 5.0, "G": 7.5, "S": 7.5,
                                 "N": 7.5})
    assert r.loc["G", "score"] == pytest.approx(32.5 + 20.4, abs=0.051)
    for cid in r.index:     # the points still add up to the Score shown
        parts = [r.loc[cid, f"pts_{k}"] for k in ("revenue", "growth", "frequency",
                                                  "recency", "pipeline")]
        assert round(sum(parts), 1) == r.loc[cid, "score"]


def test_growth_minimum_base_typed_in_settings():
    # 10,000: G (20k) and S (90k) now have a real base; N still has none.
    r = rankings(planted({"growth_minimum_base": 10_000}))
    # Ranked: S +11.1%, P1 +20%, P2 +22.2%, G +1358.7%, P3 −4.5% -> G 1, P3 0.2.
    assert r.loc["G", "pts_growth"] == 15.0 and r.loc["P3", "pts_growth"] == 3.0
    assert r.loc["N", "pts_growth"] == 7.5
    assert r["growth_note"].to_dict() == {c: ("new" if c == "N" else None) for c in r.index}


def test_growth_notes_in_hebrew_and_the_rankings_column_after_growth():
    r = rankings(planted(lang="he"))
    assert (r.loc["G", "growth_note"], r.loc["N", "growth_note"]) == ("בסיס קטן", "חדש")
    keys = [c.key for c in schema.RANKINGS.columns]
    assert keys[keys.index("growth") + 1] == "growth_note"
    assert schema.RANKINGS.column("growth_note").label("he") == "הערת צמיחה"


def test_growth_minimum_base_is_a_setting_row():
    s = schema.SETTING_BY_KEY["growth_minimum_base"]
    assert (s.en, s.type, s.default) == ("Growth minimum base", schema.NUMBER, None)


# --- Contract expired ---------------------------------------------------------------------
def contracts_book(lang="en", *contracts):
    return book(None, lang, Clients=[client("C1"), client("C2"), client("C3")],
                Contracts=list(contracts),
                # Reached calls keep Cadence well away (A client, no revenue: C, 60 days).
                Interactions=[{"date": TODAY, "client_id": c, "channel": "Phone",
                               "outcome": "Reached"} for c in ("C1", "C2", "C3")])


def contract(ctr, cid, status, end, **kw):
    return {"contract_id": ctr, "client_id": cid, "status": status, "start": D(2025, 1, 1),
            "end": end, "signed_on": D(2024, 12, 20), **kw}


EXPIRED_LAST_MONTH = contract("CTR-2026-0001", "C1", "Signed", D(2026, 10, 15))
ENDS_NEXT_YEAR = contract("CTR-2026-0002", "C2", "Signed", D(2027, 11, 30))
STATUS_EXPIRED = contract("CTR-2026-0003", "C3", "Expired", D(2026, 10, 15))


def test_a_signed_contract_that_ended_last_month_is_contract_expired():
    b = contracts_book("en", EXPIRED_LAST_MONTH, ENDS_NEXT_YEAR, STATUS_EXPIRED)
    r = compute(b, TODAY)
    by_id = r.clients.set_axis(list(b.frame("Clients")["client_id"]))
    # Renewal's date: Thu 10-15 − 60 days = Sun 08-16 (a business day), so Overdue.
    assert by_id.loc["C1", "next_follow_up"] == D(2026, 8, 16)
    assert by_id.loc["C1", "follow_up_reason"] == (
        "Contract CTR-2026-0001 expired on 2026-10-15: renew, or set its Status to Expired")
    assert by_id.loc["C1", "rule"] == 8
    # Ending next year: still Renewal (11-30-2027 − 60 = Fri 10-01 -> back to Thu 09-30);
    # Cadence comes first for now. Status Expired: no contract candidate at all.
    c = follow_up_candidates(b, TODAY)
    c = c[c["rule"] == 8].set_index("client_id")
    assert list(c.index) == ["C1", "C2"]
    assert c.loc["C2", "reason"] == "Renewal CTR-2026-0002: ends 2027-11-30"
    assert c.loc["C2", "date"].date() == D(2027, 9, 30)
    assert by_id.loc["C3", "follow_up_reason"].startswith("Cadence")
    # The computed State column; acctbook never rewrites the Status.
    assert list(r.contracts["state"]) == ["Expired", None, None]
    assert list(b.frame("Contracts")["status"]) == ["Signed", "Signed", "Expired"]
    # The queue puts it in rule 8's place.
    q = r.queue.set_index("client_id")
    assert q.loc["C1", "follow_up_reason"].startswith("Contract CTR-2026-0001 expired")


def test_contract_expired_in_hebrew_and_the_state_cell_in_the_plan():
    b = contracts_book("he", EXPIRED_LAST_MONTH, ENDS_NEXT_YEAR, STATUS_EXPIRED)
    r = compute(b, TODAY)
    by_id = r.clients.set_axis(list(b.frame("Clients")["client_id"]))
    assert bidi.plain(by_id.loc["C1", "follow_up_reason"]) == (     # isolates aside
        "חוזה CTR-2026-0001 פג ב-2026-10-15: חדשו אותו, או שנו את הסטטוס לפג תוקף")
    assert ("Contracts", "contracts") in plan.COMPUTED
    cells, _changes = plan.computed_cells(b, r)
    t = b.tables["Contracts"]
    col = t.columns["state"]
    rows = list(b.frame("Contracts").index)
    # A grey computed column; shown in the book's language (the Expired status's name).
    assert schema.CONTRACTS.column("state").computed
    assert [cells[t.sheet][(row, col)] for row in rows] == ["פג תוקף", None, None]
