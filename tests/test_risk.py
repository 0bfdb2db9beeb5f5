"""core.risk on its own: unpaid invoices, each risk condition and level, the reason texts
(docs/rules.md, "Risk"). Small hand-made frames, `today` passed in; expected values worked
out by hand.

today is Sun 2026-11-15: an invoice due 11-14 is 1 day overdue, 10-16 is 30 days (15 left
in October + 15 in November), 10-15 is 31 days.
"""

import datetime as dt

import pandas as pd
import pytest

from acctbook.book import bidi
from acctbook.core import risk

D = dt.date
TODAY = D(2026, 11, 15)
ORDERS = ["order_id", "client_id", "amount", "invoice_due", "paid_on"]


def orders(*rows: dict) -> pd.DataFrame:
    """Live order lines as the core passes them: Excel rows as index, effective amounts."""
    index = pd.Index(range(2, 2 + len(rows)), dtype="int64", name="row")
    f = pd.DataFrame([{c: r.get(c) for c in ORDERS} for r in rows], columns=ORDERS,
                     index=index, dtype=object)
    f["amount"] = pd.to_numeric(f["amount"]).astype(float)
    for c in ("invoice_due", "paid_on"):
        f[c] = pd.to_datetime(f[c])
    return f


def inv(oid, cid, due, amount=100.0, paid=None) -> dict:
    return {"order_id": oid, "client_id": cid, "amount": amount, "invoice_due": due,
            "paid_on": paid}


def clients(**rows: dict) -> pd.DataFrame:
    """Client ID -> credit_limit, revenue_12m, revenue_prior (blank limit, revenue 0 unless given)."""
    return pd.DataFrame([{"credit_limit": r.get("limit"), "revenue_12m": r.get("rev", 0.0),
                          "revenue_prior": r.get("prior", 0.0)} for r in rows.values()],
                        index=pd.Index(list(rows), name="client_id")).astype(float)


def assess(cl, lines=(), complaints=None, lang="en") -> dict:
    o = orders(*lines) if lines else orders()
    open_cases = pd.Series(complaints or {}, dtype=int)
    out = risk.assess(cl, o, open_cases, TODAY, lang)
    # Risk reasons of a Low client are blank: None, or NaN in a pandas text column.
    return {cid: (r, None if not isinstance(w, str) and pd.isna(w) else w)
            for cid, r, w in zip(out.index, out["risk"], out["risk_reasons"])}


# --- money ------------------------------------------------------------------------------------
def test_money_without_cents_unless_there_are_some():
    assert risk.money(120000) == "120,000"
    assert risk.money(1234.5) == "1,234.50"
    assert risk.money(0.5) == "0.50"
    assert risk.money(0) == "0"


# --- unpaid invoices ----------------------------------------------------------------------------
def test_unpaid_invoices_grouped_per_order_and_due_date():
    got = risk.unpaid_invoices(orders(
        inv("O-1", "C1", D(2026, 11, 1), 100.0),
        inv("O-1", "C1", D(2026, 11, 1), 50.0),        # same invoice: 150
        inv("O-1", "C1", D(2026, 12, 1), 70.0),        # same order, another due date
        inv(None, "C1", D(2026, 11, 14), None),        # no Order ID, no amount: 0
        inv("O-2", "C1", D(2026, 10, 1), 500.0, paid=D(2026, 10, 2)),    # paid
        inv("O-3", None, D(2026, 10, 1), 500.0),       # no client
        inv("O-4", "C2", None, 500.0)), TODAY)         # no Invoice due
    rows = [(c, o, d.date(), a, n) for c, o, d, a, n in zip(
        got["client_id"], got["order_id"], got["invoice_due"], got["amount"], got["days"])]
    # Days = today − Invoice due: 11-01 -> 14, 12-01 -> −16 (not yet due), 11-14 -> 1.
    assert rows == [("C1", "", D(2026, 11, 14), 0.0, 1),
                    ("C1", "O-1", D(2026, 11, 1), 150.0, 14),
                    ("C1", "O-1", D(2026, 12, 1), 70.0, -16)]


# --- each condition and level --------------------------------------------------------------------
def test_low_when_nothing_is_wrong_or_due_today_or_paid():
    got = assess(clients(NONE={}, DUE_TODAY={"limit": 1000.0}, PAID={"limit": 10.0}),
                 [inv("O-1", "DUE_TODAY", TODAY, 500.0),           # 0 days: not overdue
                  inv("O-2", "PAID", D(2026, 9, 1), 1000.0, paid=D(2026, 11, 1))])
    assert got == {"NONE": ("Low", None), "DUE_TODAY": ("Low", None), "PAID": ("Low", None)}


def test_overdue_invoice_medium_up_to_30_days_high_after():
    got = assess(clients(ONE={}, THIRTY={}, THIRTY_ONE={}),
                 [inv("O-1", "ONE", D(2026, 11, 14)),
                  inv("O-30", "THIRTY", D(2026, 10, 16)),
                  inv("O-31", "THIRTY_ONE", D(2026, 10, 15))])
    assert got == {"ONE": ("Medium", "Invoice O-1 1 day overdue"),
                   "THIRTY": ("Medium", "Invoice O-30 30 days overdue"),
                   "THIRTY_ONE": ("High", "Invoice O-31 31 days overdue")}


def test_credit_limit_counts_every_unpaid_invoice_and_is_strict():
    got = assess(clients(OVER={"limit": 5000.0}, AT={"limit": 5000.0}, ZERO={"limit": 0.0},
                         NO_LIMIT={}),
                 [inv("O-1", "OVER", D(2026, 12, 1), 4000.0),    # not yet due, still unpaid
                  inv("O-1", "OVER", D(2026, 12, 1), 2000.0),    # 4000 + 2000 = 6000 > 5000
                  inv("O-2", "AT", D(2026, 12, 1), 5000.0),      # 5000 is not above 5000
                  inv("O-3", "ZERO", D(2026, 12, 1), 0.5),       # anything exceeds 0
                  inv("O-4", "NO_LIMIT", D(2026, 12, 1), 1e9)])  # a blank limit never does
    assert got == {"OVER": ("High", "Unpaid 6,000 > credit limit 5,000"),
                   "AT": ("Low", None),
                   "ZERO": ("High", "Unpaid 0.50 > credit limit 0"),
                   "NO_LIMIT": ("Low", None)}


def test_two_open_complaints_are_medium_one_is_not():
    got = assess(clients(TWO={}, ONE={}), complaints={"TWO": 2, "ONE": 1})
    assert got == {"TWO": ("Medium", "2 open complaints"), "ONE": ("Low", None)}


def test_falling_revenue_below_half_of_prior():
    got = assess(clients(FALL={"rev": 499.0, "prior": 1000.0},
                         HALF={"rev": 500.0, "prior": 1000.0},
                         NEW={"rev": 0.0, "prior": 0.0},
                         GONE={"rev": 0.0, "prior": 10.0}))
    # 499 / 1000 = 49.9% -> "49%" (rounded down); exactly 50% is not below half; no prior
    # revenue never falls; 0 of 10 is 0%.
    assert got == {"FALL": ("Medium", "Revenue 12m 49% of prior year"),
                   "HALF": ("Low", None), "NEW": ("Low", None),
                   "GONE": ("Medium", "Revenue 12m 0% of prior year")}


def test_falling_revenue_percent_is_exact():
    # 29 / 100 is 29% (in floats 29 / 100 * 100 is 28.999999999999996)
    got = assess(clients(X={"rev": 29.0, "prior": 100.0}))
    assert got == {"X": ("Medium", "Revenue 12m 29% of prior year")}


# --- several invoices, several conditions ------------------------------------------------------
def test_three_overdue_invoices_named_the_rest_counted():
    five = [inv("M-1", "FIVE", D(2026, 10, 6)),      # 25 + 15 = 40 days
            inv("M-2", "FIVE", D(2026, 11, 5)),      # 10
            inv("M-3", "FIVE", D(2026, 11, 10)),     # 5
            inv("M-4", "FIVE", D(2026, 11, 12)),     # 3
            inv("M-5", "FIVE", D(2026, 11, 13))]     # 2
    four = [inv("F-4", "FOUR", D(2026, 11, 12)), inv("F-3", "FOUR", D(2026, 11, 12)),
            inv("F-2", "FOUR", D(2026, 11, 5)), inv("F-1", "FOUR", D(2026, 11, 1))]
    got = assess(clients(FIVE={}, FOUR={}), five + four)
    # Most overdue first; equal days by Order ID. 40 days > 30: High.
    assert got["FIVE"] == ("High", "Invoice M-1 40 days overdue; Invoice M-2 10 days overdue; "
                                   "Invoice M-3 5 days overdue; 2 more overdue invoices")
    # F-1 14 days, F-2 10, then F-3 and F-4 both 3 (F-3 first); the fourth is counted.
    assert got["FOUR"] == ("Medium", "Invoice F-1 14 days overdue; Invoice F-2 10 days "
                                     "overdue; Invoice F-3 3 days overdue; 1 more overdue invoice")


ALL = dict(cl=clients(ALL={"limit": 1000.0, "rev": 200.0, "prior": 1000.0}),
           lines=[inv("A-1", "ALL", D(2026, 11, 13), 3000.0),
                  inv("X-1", "GHOST", D(2026, 1, 1), 9e9)],     # not a client here: ignored
           complaints={"ALL": 3, "GHOST": 5})


def test_every_condition_in_order():
    # 2 days overdue (Medium), 3000 unpaid > 1000 (High), 3 open complaints, 200 of 1000 = 20%.
    assert assess(**ALL) == {"ALL": ("High", "Invoice A-1 2 days overdue; "
                                             "Unpaid 3,000 > credit limit 1,000; "
                                             "3 open complaints; Revenue 12m 20% of prior year")}


def _plain(got: dict) -> dict:
    """Risk reasons as a user reads them: without the isolates around IDs, amounts and
    percents (tests/test_sheet_bidi.py checks those)."""
    return {cid: (r, bidi.plain(w)) for cid, (r, w) in got.items()}


def test_every_condition_in_hebrew():
    assert _plain(assess(**ALL, lang="he")) == {"ALL": ("High", "חשבונית A-1 באיחור של 2 ימים; "
                                                                "לא שולם 3,000 > מסגרת אשראי 1,000; "
                                                                "3 תלונות פתוחות; "
                                                                "הכנסות 12 ח׳ 20% מהשנה הקודמת")}


def test_hebrew_one_day_and_counted_invoices():
    lines = [inv(f"H-{i}", "H", D(2026, 11, 14)) for i in range(1, 5)]
    got = _plain(assess(clients(H={}), lines, lang="he"))
    # Four invoices 1 day overdue: three named (by Order ID), one counted.
    assert got == {"H": ("Medium", "חשבונית H-1 באיחור של יום; חשבונית H-2 באיחור של יום; "
                                   "חשבונית H-3 באיחור של יום; עוד חשבונית אחת באיחור")}
