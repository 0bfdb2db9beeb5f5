"""The pure core of refresh (SPEC sections 3, 4, 5): expected values worked out by hand.

Israel (the default Country) works Sun–Thu. November 2026: Sun 1, Sun 8, Sun 15,
Sun 22, Sun 29; Fri/Sat are off and there are no Israeli holidays that month.
"""

import datetime as dt

import pytest

from acctbook.book import bidi, schema
from acctbook.core.compute import compute, follow_up_candidates
from acctbook.book.coerce import book_from_rows

D = dt.date
TODAY = D(2026, 11, 20)          # a Friday


def client(cid="C1", status="Active", created=D(2025, 1, 1), **kw):
    return {"client_id": cid, "name": f"Client {cid}", "status": status, "created": created, **kw}


def talk(day, cid="C1", outcome="Reached", **kw):
    return {"date": day, "client_id": cid, "channel": "Phone", "outcome": outcome, **kw}


def order(oid, day, amount, cid="C1", status="Delivered", **kw):
    return {"order_id": oid, "client_id": cid, "order_date": day, "amount": amount,
            "status": status, **kw}


def book(settings=None, lang="en", **tables):
    tables.setdefault("Clients", [client()])
    b = book_from_rows(tables, settings or {}, lang)
    assert [p for p in b.problems if p.severity == "error"] == []
    return b


def run(b, today=TODAY):
    r = compute(b, today)
    r.by_id = r.clients.set_axis(list(b.frame("Clients")["client_id"]))
    return r


def row(results, cid="C1"):
    return results.by_id.loc[cid]


def follow(b, today=TODAY, cid="C1"):
    r = row(run(b, today), cid)
    return r["next_follow_up"], r["follow_up_reason"], r["rule"]


def rules_of(b, today=TODAY, cid="C1"):
    c = follow_up_candidates(b, today)
    return sorted(c.loc[c["client_id"] == cid, "rule"])


# A reached call on Sun 11-15 keeps Cadence (C, 60 days -> 2027-01-14) out of the way.
QUIET = [talk(D(2026, 11, 15))]


# --- each follow-up rule alone ------------------------------------------------------------
def test_rule1_complaint_sla_from_opened():
    b = book(Interactions=QUIET, Complaints=[
        {"case_id": "K-0012", "client_id": "C1", "opened": D(2026, 11, 17), "severity": "High",
         "status": "Open"},
        {"case_id": "K-0001", "client_id": "C1", "opened": D(2026, 11, 2), "severity": "High",
         "status": "Resolved", "resolved_on": D(2026, 11, 3)}])
    # Opened Tue 11-17 (the call on 11-15 was before it) + 1 business day = Wed 11-18.
    assert follow(b) == (D(2026, 11, 18), "Complaint K-0012 (High) SLA", 1)
    assert rules_of(b) == [1, 7]          # the resolved case gives nothing


def test_rule1_complaint_counts_from_a_later_interaction():
    b = book(Interactions=[talk(D(2026, 11, 19))], Complaints=[
        {"case_id": "K-0013", "client_id": "C1", "opened": D(2026, 11, 17), "severity": "Medium",
         "status": "In progress"}])
    # Later of Opened 11-17 and the call Thu 11-19, + 2: Sun 11-22, Mon 11-23.
    r = row(run(b, TODAY))
    assert (r["next_follow_up"], r["follow_up_reason"]) == (D(2026, 11, 23),
                                                           "Complaint K-0013 (Medium) SLA")
    assert r["follow_up_status"] == "This week"
    assert r["last_contact"] == D(2026, 11, 19)


def test_rule2_payment_skips_weekend_and_simchat_torah():
    b = book(Interactions=QUIET, Orders=[
        order("O-1001", D(2026, 9, 1), 500, invoice_due=D(2026, 10, 1)),
        order("O-1002", D(2026, 9, 1), 500, invoice_due=D(2026, 9, 1), paid_on=D(2026, 9, 2)),
        order("O-1003", D(2026, 9, 1), 500, invoice_due=TODAY),
        order("O-1004", D(2026, 9, 1), 500, invoice_due=D(2026, 8, 1), status="Cancelled")])
    # Thu 10-01 + 1: Fri, Sat (also Simchat Torah) off -> Sun 10-04. Paid, due today and
    # Cancelled orders give no candidate.
    assert follow(b) == (D(2026, 10, 4), "Payment O-1001: invoice due 2026-10-01", 2)
    assert rules_of(b) == [2, 7]


def test_rule3_delivery_check_before_due_date():
    b = book(Interactions=QUIET, Orders=[
        order("O-1002", D(2026, 11, 1), 100, status="Open", due_date=D(2026, 11, 30)),
        order("O-1003", D(2026, 11, 1), 100, status="Partly delivered", due_date=D(2026, 12, 10)),
        order("O-1004", D(2026, 11, 1), 100, status="Delivered", due_date=D(2026, 11, 22)),
        order("O-1005", D(2026, 11, 1), 100, status="Cancelled", due_date=D(2026, 11, 22))])
    # Mon 11-30 − 2 business days: Sun 11-29, Thu 11-26.
    assert follow(b) == (D(2026, 11, 26), "Delivery O-1002: due 2026-11-30", 3)
    assert rules_of(b) == [3, 3, 7]


def test_rule4_promise_rolled_forward():
    b = book(Interactions=[talk(D(2026, 11, 15), next_step="Send price list",
                                next_step_date=D(2026, 11, 21))])
    # Sat 11-21 rolls forward to Sun 11-22.
    assert follow(b) == (D(2026, 11, 22), "Promise: Send price list (2026-11-21)", 4)


def test_rule5_retry_after_no_answer():
    b = book(Interactions=[talk(D(2026, 11, 19), outcome="No answer")])
    # Thu 11-19 + 1 business day: Sun 11-22.
    assert follow(b) == (D(2026, 11, 22), "Retry: no answer on 2026-11-19", 5)


def test_rule6_stale_deal_from_later_of_stage_since_and_last_contact():
    deals = [{"deal_id": "D-0003", "client_id": "C1", "title": "Big", "stage": "Proposal",
              "stage_since": D(2026, 11, 10)},
             {"deal_id": "D-0004", "client_id": "C1", "title": "Bigger", "stage": "Negotiation",
              "stage_since": D(2026, 11, 19)},
             {"deal_id": "D-0005", "client_id": "C1", "title": "Early", "stage": "Qualified",
              "stage_since": D(2026, 1, 1)}]
    b = book(Interactions=QUIET, Deals=deals)
    # D-0003: later of 11-10 and the call Sun 11-15, + 3: Mon, Tue, Wed 11-18.
    assert follow(b) == (D(2026, 11, 18), "Stale deal D-0003 (Proposal)", 6)
    c = follow_up_candidates(b, TODAY).set_index("record")
    # D-0004: from Thu 11-19 + 3: Sun 11-22, Mon 11-23, Tue 11-24.
    assert c.loc["D-0004", "date"].date() == D(2026, 11, 24)
    assert "D-0005" not in c.index


def test_rule7_cadence_by_class_and_status():
    b = book(Clients=[client("C1"), client("P1", "Prospect", D(2026, 11, 1)),
                      client("R1", "Dormant", D(2026, 1, 1)), client("N1", "Active")],
             Interactions=[talk(D(2026, 11, 6)), talk(D(2026, 8, 20), "R1"),
                           talk(D(2026, 11, 1), "N1")],
             Orders=[order("O-1", D(2026, 10, 1), 1000)])
    r = run(b, TODAY)
    # C1 is class A (the only revenue): Fri 11-06 + 14 = Fri 11-20 -> rolled to Sun 11-22.
    assert (row(r, "C1")["next_follow_up"], row(r, "C1")["follow_up_reason"]) == (
        D(2026, 11, 22), "Cadence A: 14 days after 2026-11-06")
    # A Prospect without interactions counts from Created: Sun 11-01 + 7 = Sun 11-08.
    assert (row(r, "P1")["next_follow_up"], row(r, "P1")["follow_up_reason"]) == (
        D(2026, 11, 8), "Cadence Prospect: 7 days after 2026-11-01")
    assert row(r, "P1")["follow_up_status"] == "Overdue"
    # Dormant: Thu 08-20 + 90 = Wed 11-18.
    assert row(r, "R1")["next_follow_up"] == D(2026, 11, 18)
    # Active without revenue uses C: Sun 11-01 + 60 = Thu 12-31.
    assert (row(r, "N1")["next_follow_up"], row(r, "N1")["follow_up_reason"]) == (
        D(2026, 12, 31), "Cadence C: 60 days after 2026-11-01")
    assert row(r, "N1")["follow_up_status"] == "Later"


def test_rule8_renewal_rolled_back():
    b = book(Interactions=QUIET, Contracts=[
        {"contract_id": "CTR-2025-0001", "client_id": "C1", "status": "Signed",
         "end": D(2027, 1, 31)},
        {"contract_id": "CTR-2025-0002", "client_id": "C1", "status": "Signed",
         "end": D(2026, 12, 27), "renewal_notice": 30},
        {"contract_id": "CTR-2025-0003", "client_id": "C1", "status": "Draft",
         "end": D(2026, 11, 25)}])
    # 0002: Sun 12-27 − 30 days = Fri 11-27, rolled back to Thu 11-26.
    assert follow(b) == (D(2026, 11, 26), "Renewal CTR-2025-0002: ends 2026-12-27", 8)
    c = follow_up_candidates(b, TODAY).set_index("record")
    # 0001: Sun 01-31 − 60 days (the Settings default) = Wed 12-02.
    assert c.loc["CTR-2025-0001", "date"].date() == D(2026, 12, 2)
    assert "CTR-2025-0003" not in c.index


# --- replacements and ties ---------------------------------------------------------------
def test_promise_replaces_retry_and_cadence():
    b = book(Interactions=[talk(D(2026, 6, 1)),
                           talk(D(2026, 11, 15), outcome="No answer", next_step="Call again",
                                next_step_date=D(2026, 12, 1))])
    # Cadence from 06-01 (C: 07-31 -> Sun 08-02) and a retry on 11-16 would be earlier.
    assert rules_of(b) == [4]
    assert follow(b) == (D(2026, 12, 1), "Promise: Call again (2026-12-01)", 4)


def test_retry_replaces_cadence_and_latest_is_by_date_then_row():
    b = book(Interactions=[talk(D(2026, 6, 1)),
                           talk(D(2026, 11, 15), next_step_date=D(2026, 12, 1)),
                           talk(D(2026, 11, 15), outcome="No answer"),
                           talk(D(2026, 11, 10), next_step_date=D(2026, 11, 11))])
    # The latest is the third row (same date as the second, lower down): No answer, no date.
    assert rules_of(b) == [5]
    assert follow(b) == (D(2026, 11, 16), "Retry: no answer on 2026-11-15", 5)


def test_ties_go_to_the_earlier_rule():
    done = [{"case_id": f"K-0{i}", "client_id": "C1", "opened": D(2026, 1, 1),
             "status": "Resolved", "resolved_on": D(2026, 1, 2)} for i in range(3)]
    b = book(Interactions=QUIET,       # the open case sits lower in its sheet than the deal
             Complaints=done + [{"case_id": "K-1", "client_id": "C1", "opened": D(2026, 11, 17),
                                 "severity": "High", "status": "Open"}],
             Deals=[{"deal_id": "D-1", "client_id": "C1", "title": "T", "stage": "Proposal",
                     "stage_since": D(2026, 11, 10)}])
    assert follow(b)[1:] == ("Complaint K-1 (High) SLA", 1)          # both on 11-18
    b = book(Interactions=[talk(D(2026, 11, 15), next_step_date=D(2026, 11, 26))],
             Contracts=[{"contract_id": "CTR-1", "client_id": "C1", "status": "Signed",
                         "end": D(2026, 12, 27), "renewal_notice": 30}])
    assert follow(b) == (D(2026, 11, 26), "Promise: next step (2026-11-26)", 4)


def test_lost_and_unknown_clients_get_no_follow_up():
    b = book(Clients=[client("C1", "Lost")], Interactions=QUIET,
             Complaints=[{"case_id": "K-1", "client_id": "C1", "opened": D(2026, 11, 1),
                          "severity": "High", "status": "Open"},
                         {"case_id": "K-2", "client_id": "GHOST", "opened": D(2026, 11, 1),
                          "severity": "High", "status": "Open"}])
    r = run(b, TODAY)
    assert follow(b) == (None, None, None)
    assert r.queue.empty and r.rankings.empty
    assert r.kpis["open_complaints"] == 1      # the GHOST's case is not counted


# --- holidays in the way --------------------------------------------------------------------
def test_sun_thu_holidays_and_company_day_off():
    # Invoice due Thu 2026-09-10: Fri, Sat off, Sun 09-13 Rosh Hashanah -> Mon 09-14.
    b = book(Interactions=QUIET, Orders=[order("O-1", D(2026, 9, 1), 1, invoice_due=D(2026, 9, 10))])
    assert follow(b)[0] == D(2026, 9, 14)
    # Delivery due Sun 2027-04-25 − 2: Thu 04-22 is Pesach -> Wed 04-21, Tue 04-20.
    b = book(Interactions=QUIET, Orders=[order("O-2", D(2026, 11, 1), 1, status="Open",
                                               due_date=D(2027, 4, 25))])
    assert follow_up_candidates(b, TODAY).set_index("record").loc["O-2", "date"].date() == \
        D(2027, 4, 20)
    # A company day off (Holidays table) on Mon 11-16 pushes a retry from Sun 11-15 to Tue.
    b = book(Interactions=[talk(D(2026, 11, 15), outcome="No answer")],
             Holidays=[{"date": D(2026, 11, 16), "name": "Offsite"}])
    assert follow(b)[0] == D(2026, 11, 17)


def test_mon_fri_country_with_christmas_in_the_way():
    b = book({"country": "DE"}, Interactions=[talk(D(2026, 12, 20))],
             Orders=[order("O-1", D(2026, 12, 1), 1, invoice_due=D(2026, 12, 24))])
    # Thu 12-24 + 1: Fri 12-25 Christmas, weekend -> Mon 12-28.
    assert follow(b, D(2026, 12, 31))[0] == D(2026, 12, 28)
    b = book({"country": "GB"}, Interactions=[talk(D(2026, 12, 24), outcome="No answer")])
    # GB also keeps Mon 12-28 (Boxing Day observed) -> Tue 12-29.
    assert follow(b, D(2026, 12, 31))[0] == D(2026, 12, 29)


# --- SLA --------------------------------------------------------------------------------------
def test_complaint_sla_due_and_status():
    cases = [("K1", "High", D(2026, 11, 1), "Resolved", D(2026, 11, 2)),
             ("K2", "Medium", D(2026, 11, 1), "Resolved", D(2026, 11, 4)),
             ("K3", "Low", D(2026, 11, 12), "Open", None),
             ("K4", "High", D(2026, 11, 16), "In progress", None)]
    b = book(Complaints=[{"case_id": k, "client_id": "C1", "severity": s, "opened": o,
                          "status": st, "resolved_on": ro} for k, s, o, st, ro in cases])
    r = run(b, D(2026, 11, 19))
    got = list(zip(r.complaints["sla_due"], r.complaints["sla_status"]))
    assert got == [(D(2026, 11, 2), "Met"),        # Sun + 1 = Mon, resolved that day
                   (D(2026, 11, 3), "Missed"),     # Sun + 2 = Tue, resolved Wed
                   (D(2026, 11, 19), "Open"),      # Thu + 5 = Sun..Thu 11-19 = today
                   (D(2026, 11, 17), "Overdue")]   # Mon + 1 = Tue, still open on Thu


# --- ranking ------------------------------------------------------------------------------------
def test_abc_boundaries_key_account_and_no_revenue():
    b = book(Clients=[client(c, key_account=(c in ("C3", "C6"))) for c in
                      ("C1", "C2", "C3", "C4", "C5", "C6")],
             Orders=[order("O1", D(2026, 10, 1), 50, "C1"), order("O2", D(2026, 10, 1), 30, "C2"),
                     order("O3", D(2026, 10, 1), 15, "C4"), order("O4", D(2026, 10, 1), 5, "C5")])
    r = run(b, TODAY)
    # share_before: C1 0, C2 50%, C4 exactly 80% -> B, C5 exactly 95% -> C.
    assert [row(r, c)["class"] for c in ("C1", "C2", "C4", "C5")] == ["A", "A", "B", "C"]
    assert row(r, "C3")["class"] == "A"          # key account without revenue
    assert row(r, "C6")["class"] == "A"
    b = book(Clients=[client("C1"), client("C2")])
    assert row(run(b, TODAY), "C1")["class"] is None


def test_abc_revenue_ties_by_client_id():
    b = book({"a_threshold": 40}, Clients=[client("C2"), client("C1"), client("C3")],
             Orders=[order("O1", D(2026, 10, 1), 40, "C1"), order("O2", D(2026, 10, 1), 40, "C2"),
                     order("O3", D(2026, 10, 1), 20, "C3")])
    r = run(b, TODAY)
    assert [row(r, c)["class"] for c in ("C1", "C2", "C3")] == ["A", "B", "B"]


def test_revenue_windows_edges_and_cancelled_orders():
    b = book(Orders=[order("O1", D(2025, 11, 20), 1),       # today − 365: prior window
                     order("O2", D(2025, 11, 21), 10),      # today − 364: window
                     order("O3", TODAY, 100),
                     order("O4", D(2026, 11, 21), 1000),    # after today: neither
                     order("O5", D(2024, 11, 20), 10000),   # today − 730: neither
                     order("O6", D(2024, 11, 21), 20),      # today − 729: prior
                     order("O7", D(2026, 11, 1), 99999, status="Cancelled",
                           invoice_due=D(2026, 1, 1)),
                     {"order_id": "O8", "client_id": "C1", "order_date": D(2026, 11, 2),
                      "quantity": 2, "unit_price": 50, "discount": 10}])   # blank Amount: 90
    r = run(b, TODAY)
    assert row(r)["revenue_12m"] == 200.0
    rk = r.rankings.iloc[0]
    assert (rk["revenue_prior"], rk["frequency"], rk["recency_days"]) == (21.0, 3, 0)
    assert row(r)["risk"] == "Low"                    # the Cancelled unpaid invoice is ignored
    assert row(r)["follow_up_reason"].startswith("Cadence")


def _score_book(**more):
    clients = [client("C1"), client("C2"), client("C3"), client("C4", "Prospect"),
               client("C5", "Lost")]
    orders = [order("O-1", D(2026, 11, 10), 600, "C1"), order("O-1", D(2026, 11, 10), 400, "C1"),
              order("O-9", D(2025, 6, 1), 500, "C1"),
              order("O-2", D(2026, 10, 21), 1000, "C2"),
              order("O-3", D(2026, 5, 1), 300, "C3"), order("O-4", D(2026, 6, 1), 200, "C3"),
              order("O-8", D(2025, 1, 1), 1000, "C3")]
    deals = [{"deal_id": "D1", "client_id": "C1", "title": "t", "stage": "Negotiation",
              "amount": 1000, "probability": 50},
             {"deal_id": "D2", "client_id": "C2", "title": "t", "stage": "Won", "amount": 5000},
             {"deal_id": "D3", "client_id": "C4", "title": "t", "stage": "Proposal",
              "amount": 10000}]
    return book(Clients=clients, Orders=orders, Deals=deals, **more)


def test_score_components_percentiles_and_rank():
    r = run(_score_book(), TODAY)
    # Percentiles over the 4 non-Lost clients (average ties):
    #   revenue  C1 1000 .875, C2 1000 .875, C3 500 .5, C4 0 .25
    #   growth   base 750/4 = 187.5: C1 +100% 1, C3 −50% .5 (ranked between them);
    #            C2 and C4 have no prior revenue ("new"): .5
    #   orders   C1 1 .625, C2 1 .625, C3 2 1, C4 0 .25
    #   recency  C1 10 days 1, C2 30 .75, C3 172 .5, C4 no order .25
    #   pipeline C1 500 .75, C2 0 .375, C3 0 .375, C4 6000 (60% of 10000) 1
    expected = {"C1": 85.625, "C2": 71.875, "C3": 56.25, "C4": 36.25}
    for cid, score in expected.items():
        assert row(r, cid)["score"] == pytest.approx(score, abs=0.051)
    assert [row(r, c)["rank"] for c in ("C1", "C2", "C3", "C4")] == [1, 2, 3, 4]
    assert row(r, "C5")["score"] is None and row(r, "C5")["rank"] is None
    rk = r.rankings.set_index("client_id")
    assert list(r.rankings["client_id"]) == ["C1", "C2", "C3", "C4"]
    assert rk.loc["C1", "pts_revenue"] == pytest.approx(43.75, abs=0.051)
    assert rk.loc["C4", "pipeline"] == 6000.0 and rk.loc["C4", "recency_days"] is None
    assert rk.loc["C3", "growth"] == -0.5 and rk.loc["C2", "growth"] is None
    assert list(r.deals["weighted_amount"]) == [500.0, 5000.0, 6000.0]
    assert r.kpis["weighted_pipeline"] == 6500.0


def test_score_ties_rank_by_revenue_then_client_id():
    weights = [{"component": c, "weight": 0.2}
               for c in ("Revenue", "Growth", "Frequency", "Recency", "Pipeline")]
    b = book(Clients=[client("P3"), client("P2"), client("P1")], Weights=weights,
             Orders=[order("O-a", D(2026, 11, 10), 2000, "P1"),
                     order("O-b", D(2026, 11, 10), 500, "P2"),
                     order("O-c", D(2026, 11, 10), 500, "P2"),
                     order("O-d", D(2026, 11, 10), 2000, "P3")])
    r = run(b, TODAY)
    # No prior revenue: growth .5 for all ("new"), where +∞ tied at 2/3 before.
    # P1 .2*(5/6 + .5 + .5 + 2/3*2), P2 .2*(1/3 + 1 + .5 + 2/3*2): both 63.3; P1 = P3.
    assert [row(r, c)["score"] for c in ("P1", "P2", "P3")] == [63.3, 63.3, 63.3]
    assert list(r.rankings["client_id"]) == ["P1", "P3", "P2"]


def test_rank_follows_the_score_as_written_and_points_add_up():
    """On the demo book three weeks on (raw scores that round alike), every Rankings row's
    five points add up to its Score, and rank goes by Score as shown, then Revenue, then ID;
    the Clients sheet shows the same Score and Rank."""
    from acctbook.create.demo import demo_data
    data, settings = demo_data(D(2026, 11, 27))
    b = book_from_rows(data, settings)
    r = compute(b, D(2026, 12, 18))
    rows = r.rankings.to_dict("records")
    assert len(rows) > 40
    for x in rows:
        points = [x[f"pts_{k}"] for k in ("revenue", "growth", "frequency", "recency",
                                          "pipeline")]
        assert round(sum(points), 1) == x["score"], x["client_id"]
    keys = [(-x["score"], -x["revenue_12m"], x["client_id"]) for x in rows]
    assert keys == sorted(keys)
    assert len({x["score"] for x in rows}) < len(rows)            # ties do occur here
    shown = r.clients.set_axis(list(b.frame("Clients")["client_id"]))
    for x in rows:
        assert (shown.loc[x["client_id"], "score"], shown.loc[x["client_id"], "rank"]) == (
            x["score"], x["rank"])


def test_today_breaks_equal_scores_by_client_id():
    """Scores equal as written (55.0, one of them 54.99999… in floats): Client ID decides,
    on Today as on Rankings."""
    today = D(2026, 6, 10)
    spec = {"C0": (800, 20), "C1": (1000, 30), "C2": (None, 20), "C3": (1000, 0),
            "C4": (900, 10), "C5": (1000, 10), "C6": (None, 20)}
    orders = [order("o" + c, today - dt.timedelta(days=d), 100, c)
              for c, (d, _p) in spec.items() if d]
    deals = [{"deal_id": "d" + c, "client_id": c, "title": "t", "stage": "Lead",
              "amount": p * 10} for c, (_d, p) in spec.items() if p]
    r = run(book(Clients=[client(c) for c in spec], Orders=orders, Deals=deals), today)
    scores = {c: row(r, c)["score"] for c in ("C2", "C5", "C6")}
    assert set(scores.values()) == {53.9}
    ranked = [c for c in r.rankings["client_id"] if c in scores]
    queued = [c for c in r.queue["client_id"] if c in scores]
    assert ranked == queued == ["C2", "C5", "C6"]


def test_class_at_the_threshold_exactly_is_b():
    # 714.64 + 387.04 = 1101.68 = exactly 80% of 1377.10 (floats say 79.9999…%).
    today = D(2026, 6, 10)
    orders = [order("o" + c, D(2026, 5, 1), a, c)
              for c, a in (("C00", 387.04), ("C01", 714.64), ("C02", 275.42))]
    r = run(book(Clients=[client("C00"), client("C01"), client("C02")], Orders=orders), today)
    assert [row(r, c)["class"] for c in ("C01", "C00", "C02")] == ["A", "A", "B"]


def test_weights_typed_as_percentages_give_the_same_scores():
    percent = [{"component": c, "weight": w} for c, w in
               (("Revenue", 50), ("Growth", 15), ("Frequency", 15), ("Recency", 10),
                ("Pipeline", 10))]
    r1, r2 = run(_score_book(), TODAY), run(_score_book(Weights=percent), TODAY)
    assert list(r2.rankings["score"]) == list(r1.rankings["score"])
    assert list(r2.rankings["score"])[0] == pytest.approx(85.6, abs=0.051)


def test_a_typo_in_credit_limit_keeps_the_client_on_today(tmp_path):
    """Credit limit '5k' is an error on Problems, but the client keeps its follow-up."""
    from bookfiles import write_book
    from acctbook.xlsx.read import read_book
    today = D(2026, 6, 10)
    data = {"Clients": [client("E1", credit_limit="5k", key_account="yess"), client("E2")],
            "Complaints": [{"case_id": "k", "client_id": "E1", "opened": D(2026, 6, 1),
                            "severity": "High", "status": "Open"}]}
    b = read_book(write_book(tmp_path / "e.xlsx", data))
    assert {p.code for p in b.problems} >= {"type-number", "yes-no"}
    from acctbook.core.plan import refresh_results
    from acctbook.book.rules import check_book
    results = refresh_results(b, check_book(b, today), today)
    assert "E1" in list(results.queue["client_id"])


def test_tier_boundaries():
    amounts = {"T1": 1_000_000, "T2": 250_000, "T3": 249_999.99, "T4": 50_000, "T5": 10}
    b = book(Clients=[client(c) for c in amounts] + [client("T6")],
             Orders=[order(f"O{c}", D(2026, 10, 1), a, c) for c, a in amounts.items()])
    r = run(b, TODAY)
    assert [row(r, c)["tier"] for c in ("T1", "T2", "T3", "T4", "T5", "T6")] == [
        "Platinum", "Gold", "Silver", "Silver", "Standard", "Standard"]


# --- risk ------------------------------------------------------------------------------------------
def test_each_risk_condition():
    def unpaid(oid, cid, due, amount=100):
        return order(oid, D(2026, 9, 1), amount, cid, invoice_due=due)
    cases = {
        "H1": ([unpaid("O-1001", "H1", D(2026, 10, 5))], {}, 0),           # 46 days overdue
        "M30": ([unpaid("O-1002", "M30", D(2026, 10, 21))], {}, 0),        # exactly 30
        "H2": ([unpaid("O-2", "H2", D(2026, 12, 1), 70_000),
                unpaid("O-3", "H2", D(2026, 12, 2), 50_000)], {"credit_limit": 100_000}, 0),
        "L2": ([unpaid("O-4", "L2", D(2026, 12, 1), 100_000)], {"credit_limit": 100_000}, 0),
        "M1": ([unpaid("O-1003", "M1", D(2026, 11, 15))], {}, 0),
        "M2": ([], {}, 2),
        "L3": ([], {}, 1),
        "M3": ([order("O-5", D(2026, 10, 1), 400, "M3"), order("O-6", D(2025, 10, 1), 1000, "M3")],
               {}, 0),
        "L4": ([order("O-7", D(2026, 10, 1), 500, "L4"), order("O-8", D(2025, 10, 1), 1000, "L4")],
               {}, 0),
        "L5": ([order("O-9", D(2026, 9, 1), 9, "L5", invoice_due=D(2026, 9, 1),
                      paid_on=D(2026, 9, 2))], {}, 0),
    }
    orders, complaints = [], []
    for cid, (o, _, n) in cases.items():
        orders += o
        complaints += [{"case_id": f"K-{cid}-{i}", "client_id": cid, "opened": D(2026, 11, 1),
                        "severity": "Low", "status": ("Open", "In progress")[i % 2]} for i in range(n)]
    complaints.append({"case_id": "K-L3-x", "client_id": "L3", "opened": D(2026, 11, 1),
                       "status": "Resolved", "resolved_on": D(2026, 11, 2)})
    b = book(Clients=[client(c, **kw) for c, (_, kw, _) in cases.items()], Orders=orders,
             Complaints=complaints)
    r = run(b, TODAY)
    got = {c: (row(r, c)["risk"], row(r, c)["risk_reasons"]) for c in cases}
    assert got == {
        "H1": ("High", "Invoice O-1001 46 days overdue"),
        "M30": ("Medium", "Invoice O-1002 30 days overdue"),
        "H2": ("High", "Unpaid 120,000 > credit limit 100,000"),
        "L2": ("Low", None),
        "M1": ("Medium", "Invoice O-1003 5 days overdue"),
        "M2": ("Medium", "2 open complaints"),
        "L3": ("Low", None),
        "M3": ("Medium", "Revenue 12m 40% of prior year"),
        "L4": ("Low", None),
        "L5": ("Low", None),
    }
    assert r.kpis["high_risk"] == 2


# --- the call queue ----------------------------------------------------------------------------------
def test_queue_order_and_columns():
    today = D(2026, 11, 19)     # Thursday
    revenue = {"R1": 9000, "R2": 500, "R3": 200, "R4": 200, "R5": 200, "Z3": 100}
    clients = [client(c, created=D(2026, 11, 1)) for c in
               ("R5", "R4", "Z2", "R3", "Y1", "R2", "Z3", "R1", "Z1")]
    clients[4]["status"] = "Prospect"
    clients[4]["created"] = D(2026, 11, 18)          # Y1: cadence 11-25, not due
    orders = [order(f"O-{c}", D(2026, 10, 1), a, c) for c, a in revenue.items()]
    orders.append(order("O-pay", D(2026, 10, 1), 0, "Z3", invoice_due=D(2026, 11, 10)))
    b = book({"a_threshold": 80, "b_threshold": 90}, Clients=clients, Orders=orders,
             Interactions=[talk(D(2026, 11, 15), c, "No answer") for c in revenue if c != "Z3"]
             + [talk(D(2026, 11, 15), "Z3")],
             Complaints=[{"case_id": "K-1", "client_id": "Z1", "opened": D(2026, 11, 1),
                          "severity": "High", "status": "Open"},
                         {"case_id": "K-2", "client_id": "Z2", "opened": D(2026, 11, 18),
                          "severity": "High", "status": "Open"}],
             Deals=[{"deal_id": "D-1", "client_id": "R3", "title": "t", "stage": "Lead",
                     "amount": 1000}],
             Contacts=[{"contact_id": "P1", "client_id": "Z1", "name": "Dana", "phone": "050-1"},
                       {"contact_id": "P2", "client_id": "Z1", "name": "Avi", "phone": "050-2",
                        "preferred_channel": "Email", "primary": True}])
    r = run(b, today)
    q = r.queue
    # Overdue: Z1 rule 1, Z3 rule 2, then rule 5 by class A (R1), B (R2), C by score
    # (R3 has pipeline) and then Client ID (R4, R5 identical); Z2 is due today, last.
    assert list(q["client_id"]) == ["Z1", "Z3", "R1", "R2", "R3", "R4", "R5", "Z2"]
    assert list(q["rule"]) == [1, 2, 5, 5, 5, 5, 5, 1]
    assert list(q["class"]) == [None, "C", "A", "B", "C", "C", "C", None]
    first = q.iloc[0]
    assert (first["position"], first["contact"], first["phone"], first["channel"]) == (
        1, "Avi", "050-2", "Email")
    assert (first["next_follow_up"], first["days_overdue"], first["open_complaints"]) == (
        D(2026, 11, 2), 17, 1)
    assert first["client_row"] == 10          # Z1 is the 9th client, below the header row
    assert q.iloc[4]["open_pipeline"] == 100.0
    assert q.iloc[-1]["days_overdue"] == 0
    assert list(q.columns) == [c.key for c in schema.TODAY.columns] + ["client_row", "rule"]
    assert (r.kpis["calls_overdue"], r.kpis["calls_today"]) == (7, 1)


# --- language, shape, determinism -------------------------------------------------------------------
def test_hebrew_reasons():
    b = book(lang="he", Interactions=QUIET,
             Complaints=[{"case_id": "K-0012", "client_id": "C1", "opened": D(2026, 11, 17),
                          "severity": "High", "status": "Open"}])
    assert b.lang == "he"
    assert bidi.plain(follow(b)[1]) == "תלונה K-0012 (גבוה) SLA"   # isolates aside


def test_result_shapes_and_determinism():
    b = _score_book()
    r1, r2 = run(b, TODAY), run(b, TODAY)
    keys = [c.key for c in schema.CLIENTS.computed]
    assert list(r1.clients.columns) == keys + ["rule"]
    assert list(r1.clients.index) == list(b.frame("Clients").index)
    assert list(r1.rankings.columns) == [c.key for c in schema.RANKINGS.columns]
    assert r1.clients.equals(r2.clients) and r1.queue.equals(r2.queue)
    wanted = {k for k, _, _ in schema.HOME_KPIS} - {"errors", "warnings"}
    assert set(r1.kpis) == wanted
    assert r1.kpis["refreshed"] == TODAY and r1.kpis["active_clients"] == 3
    assert r1.kpis["revenue_12m"] == 2500.0
    assert isinstance(row(r1, "C1")["rank"], int)


def test_blank_next_step_and_severity_read_from_a_file_are_not_nan(tmp_path):
    """Through a real file (pandas keeps a blank text cell as NaN beside filled ones):
    the reasons fall back to their wording for a blank, never 'nan'."""
    from bookfiles import write_book
    from acctbook.xlsx.read import read_book
    today = D(2026, 6, 10)
    data = {
        "Clients": [client("P1", created=D(2026, 6, 1)), client("P2", created=D(2026, 6, 1)),
                    client("S1", created=D(2026, 6, 1))],
        "Interactions": [talk(D(2026, 6, 9), "P1", next_step="call back",
                              next_step_date=D(2026, 6, 11)),
                         talk(D(2026, 6, 9), "P2", next_step_date=D(2026, 6, 11))],
        "Complaints": [{"case_id": "b", "client_id": "S1", "opened": D(2026, 6, 5),
                        "status": "Open"},
                       {"case_id": "o", "client_id": "S1", "opened": D(2026, 6, 9),
                        "severity": "Low", "status": "Open"}],
    }
    b = read_book(write_book(tmp_path / "b.xlsx", data))
    reasons = dict(zip(b.frame("Clients")["client_id"],
                       compute(b, today).clients["follow_up_reason"]))
    assert reasons["P1"] == "Promise: call back (2026-06-11)"
    assert reasons["P2"] == "Promise: next step (2026-06-11)"
    assert reasons["S1"] == "Complaint b SLA"
