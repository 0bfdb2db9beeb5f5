"""A blank Invoice due counts as Invoice date (blank: Delivered on) + the client's Payment terms
(docs/rules.md, "Payment" and "Risk"): in the payment follow-up, in the risk and in their
reasons. Planted frames and small books; expected dates worked out by hand.

Israel works Sun–Thu. Tue 2026-09-22 + 30 days = Thu 2026-10-22 (8 days left in September
+ 22). + 1 business day: Fri 10-23 and Sat 10-24 are off, no holiday after Simchat Torah
(10-03) that month -> Sun 2026-10-25. Sun 2026-11-22 is 31 days after 10-22 (9 left in
October + 22), Sat 11-21 is 30.
"""

import datetime as dt

import pandas as pd

from acctbook.book import bidi, rules, schema
from acctbook.book.coerce import book_from_rows
from acctbook.book.model import Settings
from acctbook.core import followups as fu
from acctbook.core import plan, risk
from acctbook.core.compute import compute, follow_up_candidates
from acctbook.core.workdays import Calendar

D = dt.date
TODAY = D(2026, 11, 22)           # a Sunday: 31 days after the derived due
DELIVERED = D(2026, 9, 22)
DERIVED = D(2026, 10, 22)
FOLLOW_UP = D(2026, 10, 25)
EN = "Payment SO-00558: due 2026-10-22 (30 days after invoice 2026-09-22)"
# Hebrew reasons are compared as a user reads them, without their isolates (test_sheet_bidi).
HE = "תשלום SO-00558: מועד תשלום 2026-10-22 (30 ימים אחרי חשבונית 2026-09-22)"

COLUMNS = ["order_id", "client_id", "amount", "delivered_on", "invoice_date", "invoice_due",
           "paid_on", "terms"]


def orders(*rows: dict) -> pd.DataFrame:
    """Live order lines as compute passes them: Excel rows as index, `terms` per line."""
    f = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], columns=COLUMNS,
                     index=pd.Index(range(2, 2 + len(rows)), dtype="int64"), dtype=object)
    for c in ("delivered_on", "invoice_date", "invoice_due", "paid_on"):
        f[c] = pd.to_datetime(f[c])
    f["amount"] = pd.to_numeric(f["amount"]).astype(float)
    f["terms"] = pd.to_numeric(f["terms"]).astype(float)
    return f


def line(oid="SO-00558", cid="C1", **kw) -> dict:
    return {"order_id": oid, "client_id": cid, "amount": 100.0, **kw}


def cal() -> Calendar:
    s = Settings(values={"country": "IL", "work_week": None}, cadence={}, stage_probability={},
                 sla={}, tiers=[], weights={}, holidays=[])
    return Calendar.from_settings(s, [2026])


# --- the effective Invoice due -----------------------------------------------------------------
def test_invoice_dues_typed_wins_then_invoice_date_then_delivered_on():
    got = risk.invoice_dues(orders(
        line(delivered_on=DELIVERED, terms=30),                              # derived
        line(delivered_on=DELIVERED, invoice_date=D(2026, 9, 25), terms=30),  # invoice date wins
        line(delivered_on=DELIVERED, invoice_due=D(2026, 11, 1), terms=30),   # typed wins
        line(delivered_on=DELIVERED),                                         # no terms
        line(terms=30),                                                       # no date at all
        line(delivered_on=DELIVERED, terms=0)))                               # 0 days: that day
    due = [None if pd.isna(d) else d.date() for d in got["due"]]
    base = [None if pd.isna(d) else d.date() for d in got["base"]]
    assert due == [DERIVED, D(2026, 10, 25), D(2026, 11, 1), None, None, DELIVERED]
    assert base == [DELIVERED, D(2026, 9, 25), None, None, None, DELIVERED]
    assert [None if pd.isna(n) else n for n in got["terms"]] == [30.0, 30.0, None, None, None,
                                                                 0.0]


def test_frames_without_the_new_columns_derive_nothing():
    f = orders(line(invoice_due=D(2026, 10, 1))).drop(columns=["invoice_date", "delivered_on",
                                                                "terms"])
    got = risk.invoice_dues(f)
    assert got["due"].tolist() == [pd.Timestamp(2026, 10, 1)] and got["base"].isna().all()


# --- the payment follow-up ------------------------------------------------------------------
def test_due_payment_from_a_derived_due_with_its_reason():
    c = fu.due_payment(orders(line(delivered_on=DELIVERED, terms=30)), TODAY, cal())
    assert [d.date() for d in c["date"]] == [FOLLOW_UP]
    assert fu.reasons(c, "en") == [EN]
    assert [bidi.plain(r) for r in fu.reasons(c, "he")] == [HE]


def test_a_typed_invoice_due_wins_and_keeps_its_reason():
    c = fu.due_payment(orders(line(delivered_on=DELIVERED, invoice_due=D(2026, 10, 1),
                                   terms=30)), TODAY, cal())
    # Thu 10-01 + 1: Fri, Sat (Simchat Torah) off -> Sun 10-04.
    assert [d.date() for d in c["date"]] == [D(2026, 10, 4)]
    assert fu.reasons(c, "en") == ["Payment SO-00558: invoice due 2026-10-01"]


def test_no_payment_without_a_due_not_yet_due_or_paid():
    c = fu.due_payment(orders(
        line("O-1", terms=30),                                                # no date
        line("O-2", delivered_on=DELIVERED),                                  # no terms
        line("O-3", delivered_on=D(2026, 11, 1), terms=30),                   # due 12-01
        line("O-4", delivered_on=D(2026, 10, 23), terms=30),                  # due today
        line("O-5", delivered_on=DELIVERED, terms=30, paid_on=D(2026, 10, 20))), TODAY, cal())
    assert c.empty


# --- the risk ------------------------------------------------------------------------------------
def _clients(*ids) -> pd.DataFrame:
    return pd.DataFrame({"credit_limit": float("nan"), "revenue_12m": 0.0, "revenue_prior": 0.0},
                        index=pd.Index(list(ids), name="client_id"))


def test_risk_high_after_30_days_from_a_derived_due():
    o = orders(line(delivered_on=DELIVERED, terms=30))
    high = risk.assess(_clients("C1"), o, pd.Series(dtype=int), TODAY, "en")
    assert high.loc["C1", "risk"] == "High"
    assert high.loc["C1", "risk_reasons"] == (
        "Invoice SO-00558 31 days overdue (due 2026-10-22, 30 days after invoice 2026-09-22)")
    he = risk.assess(_clients("C1"), o, pd.Series(dtype=int), TODAY, "he")
    assert bidi.plain(he.loc["C1", "risk_reasons"]) == (
        "חשבונית SO-00558 באיחור של 31 ימים "
        "(מועד תשלום 2026-10-22, 30 ימים אחרי חשבונית 2026-09-22)")
    medium = risk.assess(_clients("C1"), o, pd.Series(dtype=int), D(2026, 11, 21), "en")
    assert medium.loc["C1", "risk"] == "Medium"          # 30 days is not more than 30


def test_risk_a_typed_invoice_due_wins_over_the_derived_one():
    o = orders(line(delivered_on=DELIVERED, invoice_due=D(2026, 11, 20), terms=30))
    got = risk.assess(_clients("C1"), o, pd.Series(dtype=int), TODAY, "en")
    assert (got.loc["C1", "risk"], got.loc["C1", "risk_reasons"]) == (
        "Medium", "Invoice SO-00558 2 days overdue")


def test_unpaid_invoices_count_derived_dues_toward_the_credit_limit():
    o = orders(line(delivered_on=D(2026, 11, 10), terms=30, amount=500.0))     # due 12-10
    inv = risk.unpaid_invoices(o, TODAY)
    assert [(d.date(), n) for d, n in zip(inv["invoice_due"], inv["days"])] == [
        (D(2026, 12, 10), -18)]
    cl = _clients("C1").assign(credit_limit=400.0)
    got = risk.assess(cl, o, pd.Series(dtype=int), TODAY, "en")
    assert (got.loc["C1", "risk"], got.loc["C1", "risk_reasons"]) == (
        "High", "Unpaid 500 > credit limit 400")


# --- through compute, on a book ------------------------------------------------------------------
def client(cid="C1", terms=30, **kw):
    return {"client_id": cid, "name": f"Client {cid}", "status": "Active",
            "created": D(2025, 1, 1), "payment_terms": terms, **kw}


def order(oid="SO-00558", cid="C1", **kw):
    return {"order_id": oid, "client_id": cid, "order_date": D(2026, 9, 1), "amount": 1000,
            "status": "Delivered", "delivered_on": DELIVERED, **kw}


QUIET = [{"date": D(2026, 11, 19), "client_id": "C1", "channel": "Phone", "outcome": "Reached"}]


def book(clients=None, orders_=None, settings=None, lang="en"):
    b = book_from_rows({"Clients": clients or [client()], "Orders": orders_ or [order()],
                        "Interactions": QUIET}, settings or {}, lang)
    assert [p for p in b.problems if p.severity == "error"] == []
    return b


def result(b, today=TODAY):
    r = compute(b, today)
    return r.clients.set_axis(list(b.frame("Clients")["client_id"])).loc["C1"]


def test_compute_derives_the_due_from_the_clients_terms_and_leaves_the_cell_blank():
    b = book()
    r = compute(b, TODAY)
    row = r.clients.iloc[0]
    assert (row["next_follow_up"], row["follow_up_reason"], row["rule"]) == (FOLLOW_UP, EN, 2)
    assert row["risk"] == "High"
    assert row["risk_reasons"].startswith("Invoice SO-00558 31 days overdue (due 2026-10-22")
    assert b.frame("Orders")["invoice_due"].isna().all()            # nothing typed in
    cells, _ = plan.computed_cells(b, r)
    assert not cells.get(b.tables["Orders"].sheet)                  # nothing written there


def test_compute_in_hebrew():
    assert bidi.plain(result(book(lang="he"))["follow_up_reason"]) == HE


def test_compute_invoice_date_wins_over_delivered_on_and_typed_due_wins_over_both():
    r = result(book(orders_=[order(invoice_date=D(2026, 9, 24))]))
    # Thu 09-24 + 30 = Sat 10-24 -> + 1 business day: Sun 10-25.
    assert r["follow_up_reason"] == (
        "Payment SO-00558: due 2026-10-24 (30 days after invoice 2026-09-24)")
    r = result(book(orders_=[order(invoice_date=D(2026, 9, 24), invoice_due=D(2026, 10, 1))]))
    assert (r["next_follow_up"], r["follow_up_reason"]) == (
        D(2026, 10, 4), "Payment SO-00558: invoice due 2026-10-01")


def test_compute_blank_client_terms_use_the_settings_terms():
    r = result(book(clients=[client(terms=None)], settings={"payment_terms": 45}))
    # Tue 09-22 + 45 = Fri 11-06 -> Sun 11-08.
    assert (r["next_follow_up"], r["follow_up_reason"]) == (
        D(2026, 11, 8), "Payment SO-00558: due 2026-11-06 (45 days after invoice 2026-09-22)")


def test_with_terms_client_else_default_else_none():
    cl = pd.DataFrame({"client_id": ["C1", "C2", "C1"], "payment_terms": [60, None, 10]})
    o = pd.DataFrame({"client_id": ["C1", "C2", "C3", None]})
    assert risk.with_terms(o, cl, 30)["terms"].tolist() == [60.0, 30.0, 30.0, 30.0]
    assert risk.with_terms(o, cl, None)["terms"].isna().tolist() == [False, True, True, True]


def test_compute_an_order_without_any_date_behaves_as_before():
    b = book(orders_=[order(delivered_on=None, status="Open")])
    assert 2 not in set(follow_up_candidates(b, TODAY)["rule"])
    assert result(b)["risk"] == "Low"


# --- the column and its check ------------------------------------------------------------------
def test_invoice_date_is_a_date_column_right_before_invoice_due():
    keys = [c.key for c in schema.ORDERS.columns]
    assert keys[keys.index("invoice_due") - 1] == "invoice_date"
    col = schema.ORDERS.columns[keys.index("invoice_date")]
    assert (col.type, col.label("en"), col.label("he")) == (schema.DATE, "Invoice date",
                                                            "תאריך חשבונית")


def test_invoice_date_after_invoice_due_is_a_warning():
    b = book_from_rows({"Clients": [client()], "Orders": [
        order("O-1", invoice_date=D(2026, 10, 5), invoice_due=D(2026, 10, 1)),
        order("O-2", invoice_date=D(2026, 10, 1), invoice_due=D(2026, 10, 1)),
        order("O-3", invoice_date=D(2026, 10, 5))]}, {}, "en")
    got = [(p.code, p.severity, p.row) for p in rules.rule_orders(b, TODAY)]
    assert got == [("invoice-after-due", "warning", 2)]
