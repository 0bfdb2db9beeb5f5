"""core.followups on its own: each follow-up rule (due_*), replacements, the winner, reason
texts, follow-up status and the complaint SLA, on small hand-made frames (docs/rules.md,
"Follow-up candidates" and "Complaint SLA"). Expected values are worked out by hand.

The calendar is Israel's (Country IL): Sun–Thu, Friday and Saturday off. September 2026:
Thu 10, Fri 11, Sat 12 (Rosh Hashanah), Sun 13 (Rosh Hashanah), Mon 14; Sun 20, Mon 21 (Yom
Kippur), Tue 22, Wed 23. November 2026: Sun 1, 8, 15, 22, 29 and no holidays.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from acctbook.book import bidi
from acctbook.book.model import Settings
from acctbook.core import followups as fu
from acctbook.core.workdays import Calendar

D = dt.date
TODAY = D(2026, 11, 20)      # a Friday

SETTINGS = Settings(
    values={"country": "IL", "work_week": None, "retry_after_no_answer": 1,
            "stale_deal_days": 3, "delivery_check_days": 2, "renewal_notice": 60,
            "upcoming_window": 7},
    cadence={"A": 14, "B": 30, "C": 60, "Prospect": 7, "Dormant": 90},
    stage_probability={}, sla={"High": 1, "Medium": 2, "Low": 5}, tiers=[], weights={},
    holidays=[])
CAL = Calendar.from_settings(SETTINGS, [2026])

INTERACTIONS = ["date", "client_id", "outcome", "next_step", "next_step_date"]
ORDERS = ["order_id", "client_id", "order_date", "amount", "due_date", "status",
          "invoice_due", "paid_on"]
DEALS = ["deal_id", "client_id", "stage", "stage_since", "created"]
COMPLAINTS = ["case_id", "client_id", "opened", "severity", "status", "resolved_on"]
CONTRACTS = ["contract_id", "client_id", "deal_id", "status", "end", "renewal_notice"]
DATES = {"date", "next_step_date", "order_date", "due_date", "invoice_due", "paid_on",
         "stage_since", "created", "opened", "resolved_on", "end"}
NUMBERS = {"amount", "renewal_notice"}


def table(columns: list[str], *rows: dict, first_row: int = 2) -> pd.DataFrame:
    """A frame as the loader gives it: indexed by Excel row, dates as datetime64, numbers
    as floats, blanks as None / NaT / NaN."""
    index = pd.Index(range(first_row, first_row + len(rows)), dtype="int64", name="row")
    f = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns,
                     index=index, dtype=object)
    for c in columns:
        if c in DATES:
            f[c] = pd.to_datetime(f[c])
        elif c in NUMBERS:
            f[c] = pd.to_numeric(f[c]).astype(float)
    return f


def clients(*rows: dict) -> pd.DataFrame:
    """Per-client facts as compute passes them: indexed by Client ID."""
    f = table(["client_id", "status", "created", "class"], *rows)
    return f.set_index("client_id")


def dates(cands: pd.DataFrame) -> list:
    return [None if pd.isna(d) else d.date() for d in pd.to_datetime(cands["date"])]


def plain(values) -> list:
    """A column as a list, a blank (None or NaN) as None."""
    return [None if not isinstance(v, str) and pd.isna(v) else v for v in values]


def last(**by_client: dt.date) -> pd.Series:
    return pd.Series(pd.to_datetime(list(by_client.values())), index=list(by_client))


# --- the calendar these tests stand on -----------------------------------------------------
def test_the_israeli_calendar_has_the_holidays_the_examples_use():
    for day in (D(2026, 9, 12), D(2026, 9, 13), D(2026, 9, 21)):
        assert not CAL.is_business_day(day)
    assert not CAL.is_business_day(D(2026, 9, 11))          # a Friday
    assert CAL.is_business_day(D(2026, 9, 14)) and CAL.is_business_day(D(2026, 9, 20))


# --- latest interaction ------------------------------------------------------------------
def test_latest_interaction_by_date_then_lower_row():
    inter = table(INTERACTIONS,
                  {"date": D(2026, 11, 10), "client_id": "C1", "outcome": "Reached"},      # 2
                  {"date": D(2026, 11, 12), "client_id": "C1", "outcome": "Reached"},      # 3
                  {"date": D(2026, 11, 12), "client_id": "C1", "outcome": "No answer"},    # 4
                  {"date": D(2026, 11, 1), "client_id": "C1", "outcome": "Reached"},       # 5
                  {"date": None, "client_id": "C1", "outcome": "Reached"},                 # 6
                  {"date": D(2026, 12, 1), "client_id": None, "outcome": "Reached"},       # 7
                  {"date": D(2026, 11, 3), "client_id": "C2", "outcome": "Reached"})       # 8
    latest = fu.latest_interactions(inter)
    # C1: 11-12 is the latest date; of its two rows, row 4 sits lower and wins. Rows without
    # a date or a Client ID take no part.
    assert sorted(latest.index) == ["C1", "C2"]
    assert latest.loc["C1", "row"] == 4 and latest.loc["C1", "outcome"] == "No answer"
    assert latest.loc["C2", "row"] == 8


# --- rule 1: complaint ------------------------------------------------------------------------
def test_due_complaint_business_days_past_weekend_and_holidays():
    comp = table(COMPLAINTS,
                 {"case_id": "K-1", "client_id": "C1", "opened": D(2026, 9, 10),
                  "severity": "High", "status": "Open"},                                 # 2
                 {"case_id": "K-2", "client_id": "C2", "opened": D(2026, 9, 20),
                  "severity": None, "status": "In progress"},                            # 3
                 {"case_id": "K-3", "client_id": "C3", "opened": D(2026, 11, 1),
                  "severity": "Low", "status": "Open"},                                  # 4
                 {"case_id": "K-4", "client_id": "C1", "opened": D(2026, 9, 1),
                  "severity": "High", "status": "Resolved", "resolved_on": D(2026, 9, 2)},
                 {"case_id": "K-5", "client_id": None, "opened": D(2026, 9, 1),
                  "severity": "High", "status": "Open"},
                 {"case_id": "K-6", "client_id": "C1", "opened": None,
                  "severity": "High", "status": "Open"})
    c = fu.due_complaint(comp, last(C1=D(2026, 9, 8), C3=D(2026, 11, 10)), SETTINGS, CAL)
    # K-1: the call on 09-08 is before Opened Thu 09-10; + 1 (High): Fri, Sat off, Sun 09-13
    #      Rosh Hashanah -> Mon 09-14.
    # K-2: blank Severity is Medium, 2 days; no interaction. Sun 09-20 + 2: Mon 09-21 Yom
    #      Kippur -> Tue 09-22 (1), Wed 09-23 (2).
    # K-3: the call Tue 11-10 is after Opened; + 5 (Low): Wed 11, Thu 12, Sun 15, Mon 16,
    #      Tue 11-17. Resolved, client-less and undated cases give nothing.
    assert list(c["record"]) == ["K-1", "K-2", "K-3"]
    assert dates(c) == [D(2026, 9, 14), D(2026, 9, 23), D(2026, 11, 17)]
    assert list(c["client_id"]) == ["C1", "C2", "C3"]
    assert list(c["rule"]) == [fu.COMPLAINT] * 3 == [1, 1, 1]
    assert list(c["row"]) == [2, 3, 4]
    assert plain(c["t"]) == ["High", None, "Low"]


# --- rule 2: payment ---------------------------------------------------------------------------
def test_due_payment_one_business_day_after_invoice_due():
    orders = table(ORDERS,
                   {"order_id": "O-1", "client_id": "C1", "invoice_due": D(2026, 9, 20)},
                   {"order_id": "O-1", "client_id": "C1", "invoice_due": D(2026, 9, 20)},
                   {"order_id": "O-2", "client_id": "C1", "invoice_due": D(2026, 9, 10)},
                   {"order_id": "O-3", "client_id": "C1", "invoice_due": D(2026, 9, 1),
                    "paid_on": D(2026, 9, 2)},
                   {"order_id": "O-4", "client_id": "C1", "invoice_due": TODAY},
                   {"order_id": "O-5", "client_id": "C1", "invoice_due": None})
    c = fu.due_payment(orders, TODAY, CAL)
    # O-1 (two lines, one invoice): Sun 09-20 + 1 -> Mon 09-21 is Yom Kippur -> Tue 09-22.
    # O-2: Thu 09-10 + 1 -> Fri, Sat, Sun 09-13 (Rosh Hashanah) off -> Mon 09-14.
    # Paid (O-3), due today (O-4, not before today) and without Invoice due (O-5): nothing.
    assert list(c["record"]) == ["O-1", "O-2"]
    assert dates(c) == [D(2026, 9, 22), D(2026, 9, 14)]
    assert list(c["a"]) == [D(2026, 9, 20), D(2026, 9, 10)]     # the Invoice due, for the text
    assert list(c["row"]) == [2, 4] and set(c["rule"]) == {fu.PAYMENT} == {2}


# --- rule 3: delivery ----------------------------------------------------------------------------
def test_due_delivery_business_days_before_due_date():
    orders = table(ORDERS,
                   {"order_id": "O-1", "client_id": "C1", "status": "Open",
                    "due_date": D(2026, 9, 22)},
                   {"order_id": "O-2", "client_id": "C1", "status": "Partly delivered",
                    "due_date": D(2026, 9, 15)},
                   {"order_id": "O-3", "client_id": "C1", "status": "Delivered",
                    "due_date": D(2026, 9, 22)},
                   {"order_id": "O-4", "client_id": "C1", "status": "Open", "due_date": None})
    c = fu.due_delivery(orders, SETTINGS, CAL)
    # O-1: Tue 09-22 − 2: Mon 09-21 Yom Kippur off, Sun 09-20 (1), Sat/Fri off, Thu 09-17 (2).
    # O-2: Tue 09-15 − 2: Mon 09-14 (1), Sun 09-13 Rosh Hashanah, Sat, Fri off, Thu 09-10 (2).
    # A delivered order and one without a Due date give nothing.
    assert list(c["record"]) == ["O-1", "O-2"]
    assert dates(c) == [D(2026, 9, 17), D(2026, 9, 10)]
    assert list(c["a"]) == [D(2026, 9, 22), D(2026, 9, 15)]
    assert set(c["rule"]) == {fu.DELIVERY} == {3}


# --- rules 4 and 5: promise and retry --------------------------------------------------------
def test_due_promise_rolls_forward_past_weekend_and_holiday():
    latest = fu.latest_interactions(table(
        INTERACTIONS,
        {"date": D(2026, 9, 1), "client_id": "C1", "outcome": "Reached",
         "next_step": "Send samples", "next_step_date": D(2026, 9, 11)},
        {"date": D(2026, 9, 1), "client_id": "C2", "outcome": "Reached",
         "next_step": None, "next_step_date": D(2026, 9, 16)},
        {"date": D(2026, 9, 1), "client_id": "C3", "outcome": "Reached"}))
    c = fu.due_promise(latest, CAL).set_index("client_id")
    # C1: Fri 09-11 -> Sat, Sun 09-13 (Rosh Hashanah) -> Mon 09-14.
    # C2: Wed 09-16 is a business day and stays. C3 promised nothing.
    assert sorted(c.index) == ["C1", "C2"]
    assert dates(c.loc[["C1", "C2"]]) == [D(2026, 9, 14), D(2026, 9, 16)]
    assert c.loc["C1", "t"] == "Send samples" and c.loc["C1", "a"] == D(2026, 9, 11)
    assert c.loc["C1", "row"] == 2 and c.loc["C1", "rule"] == fu.PROMISE == 4


def test_due_retry_only_after_no_answer_without_next_step():
    latest = fu.latest_interactions(table(
        INTERACTIONS,
        {"date": D(2026, 9, 10), "client_id": "C1", "outcome": "No answer"},
        {"date": D(2026, 9, 10), "client_id": "C2", "outcome": "No answer",
         "next_step_date": D(2026, 9, 30)},
        {"date": D(2026, 9, 10), "client_id": "C3", "outcome": "Reached"}))
    c = fu.due_retry(latest, SETTINGS, CAL)
    # C1: Thu 09-10 + 1 -> Fri, Sat, Sun 09-13 (Rosh Hashanah) off -> Mon 09-14.
    # C2 has a Next step date (a promise, not a retry); C3 was reached.
    assert list(c["client_id"]) == ["C1"]
    assert dates(c) == [D(2026, 9, 14)]
    assert list(c["a"]) == [D(2026, 9, 10)] and list(c["rule"]) == [fu.RETRY] == [5]


# --- rule 6: stale deal ------------------------------------------------------------------------
def test_due_stale_from_later_of_stage_since_and_last_contact_else_created():
    deals = table(DEALS,
                  {"deal_id": "D-1", "client_id": "C1", "stage": "Proposal",
                   "stage_since": D(2026, 9, 16)},
                  {"deal_id": "D-2", "client_id": "C2", "stage": "Negotiation"},
                  {"deal_id": "D-3", "client_id": "C3", "stage": "Proposal",
                   "created": D(2026, 11, 1)},
                  {"deal_id": "D-4", "client_id": "C3", "stage": "Proposal"},
                  {"deal_id": "D-5", "client_id": "C1", "stage": "Won",
                   "stage_since": D(2026, 9, 1)},
                  {"deal_id": "D-6", "client_id": None, "stage": "Proposal",
                   "stage_since": D(2026, 9, 1)})
    c = fu.due_stale(deals, last(C1=D(2026, 9, 8), C2=D(2026, 11, 10)), SETTINGS, CAL)
    # D-1: Stage since Wed 09-16 is later than the call on 09-08; + 3: Thu 09-17 (1),
    #      Sun 09-20 (2), Mon 09-21 Yom Kippur off, Tue 09-22 (3).
    # D-2: no Stage since, the call Tue 11-10; + 3: Wed 11, Thu 12, Sun 11-15.
    # D-3: neither: Created Sun 11-01 + 3: Mon 2, Tue 3, Wed 11-04.
    # D-4 has no date at all, D-5 is Won, D-6 has no client: nothing.
    assert list(c["record"]) == ["D-1", "D-2", "D-3"]
    assert dates(c) == [D(2026, 9, 22), D(2026, 11, 15), D(2026, 11, 4)]
    assert list(c["t"]) == ["Proposal", "Negotiation", "Proposal"]
    assert set(c["rule"]) == {fu.STALE} == {6}


# --- rule 7: cadence ---------------------------------------------------------------------------
def test_cadence_key_status_then_class_then_c():
    status = pd.Series(["Prospect", "Dormant", "Active", "Active", "Dormant"])
    cls = pd.Series(["A", None, "B", None, "A"])
    assert list(fu.cadence_key(status, cls)) == ["Prospect", "Dormant", "B", "C", "Dormant"]


def test_due_cadence_from_last_answered_interaction_or_created():
    cl = clients({"client_id": "C1", "status": "Active", "created": D(2025, 1, 1), "class": "A"},
                 {"client_id": "C2", "status": "Prospect", "created": D(2026, 11, 6)},
                 {"client_id": "C3", "status": "Active", "created": D(2025, 1, 1)},
                 {"client_id": "C4", "status": "Dormant", "created": None})
    inter = table(INTERACTIONS,
                  {"date": D(2026, 9, 7), "client_id": "C1", "outcome": "Reached"},
                  {"date": D(2026, 9, 10), "client_id": "C1", "outcome": "No answer"},
                  {"date": D(2026, 8, 1), "client_id": "C3", "outcome": None})
    c = fu.due_cadence(cl, inter, SETTINGS, CAL).set_index("client_id")
    # C1 (class A, 14 days): the No answer on 09-10 does not count; Mon 09-07 + 14 = Mon
    #    09-21, Yom Kippur, rolled forward to Tue 09-22.
    # C2 (Prospect, 7 days): no interaction, Created Fri 11-06 + 7 = Fri 11-13 -> Sun 11-15.
    # C3 (no class: C, 60 days): a blank Outcome counts as answered; Sat 08-01 + 60 days
    #    (30 to 08-31, 30 more) = Wed 09-30, a business day.
    # C4: neither an interaction nor Created: no candidate.
    assert sorted(c.index) == ["C1", "C2", "C3"]
    assert dates(c.loc[["C1", "C2", "C3"]]) == [D(2026, 9, 22), D(2026, 11, 15), D(2026, 9, 30)]
    assert list(c.loc[["C1", "C2", "C3"], "t"]) == ["A", "Prospect", "C"]
    assert list(c.loc[["C1", "C2", "C3"], "n"]) == [14, 7, 60]
    assert list(c.loc[["C1", "C2", "C3"], "a"]) == [D(2026, 9, 7), D(2026, 11, 6), D(2026, 8, 1)]
    assert set(c["rule"]) == {fu.CADENCE} == {7}


# --- rule 8: renewal -------------------------------------------------------------------------
def test_due_renewal_calendar_days_rolled_back_and_client_from_deal():
    contracts = table(CONTRACTS,
                      {"contract_id": "CTR-1", "client_id": "C1", "status": "Signed",
                       "end": D(2026, 11, 20)},
                      {"contract_id": "CTR-2", "client_id": None, "deal_id": "D-7",
                       "status": "Signed", "end": D(2026, 12, 31), "renewal_notice": 30},
                      {"contract_id": "CTR-3", "client_id": "C1", "status": "Draft",
                       "end": D(2026, 12, 31)},
                      {"contract_id": "CTR-4", "client_id": "C1", "status": "Signed"},
                      {"contract_id": "CTR-5", "client_id": None, "deal_id": "D-99",
                       "status": "Signed", "end": D(2026, 12, 31)})
    deals = table(DEALS, {"deal_id": "D-7", "client_id": "C2", "stage": "Won"},
                  {"deal_id": "D-7", "client_id": "C9", "stage": "Won"})
    c = fu.due_renewal(contracts, deals, SETTINGS, CAL, TODAY)
    # CTR-1: Fri 11-20 − 60 calendar days (Settings) = Mon 09-21 (20 to 10-31, 31 to 09-30,
    #        9 more), Yom Kippur: rolled back to Sun 09-20.
    # CTR-2: its own notice, Thu 12-31 − 30 = Tue 12-01; its client comes from the first
    #        Deals row of D-7: C2. Draft, no End, an unknown deal: nothing.
    assert list(c["record"]) == ["CTR-1", "CTR-2"]
    assert list(c["client_id"]) == ["C1", "C2"]
    assert dates(c) == [D(2026, 9, 20), D(2026, 12, 1)]
    assert list(c["a"]) == [D(2026, 11, 20), D(2026, 12, 31)]
    assert set(c["rule"]) == {fu.RENEWAL} == {8}
    # CTR-1 ends today: not passed yet, so still Renewal (no Expired mark).
    assert plain(c["t"]) == [None, None]


def test_a_signed_contract_past_its_end_is_contract_expired_in_renewals_place():
    contracts = table(CONTRACTS,
                      {"contract_id": "CTR-2026-0001", "client_id": "C1", "status": "Signed",
                       "end": D(2026, 10, 15)},
                      {"contract_id": "CTR-2026-0002", "client_id": "C1", "status": "Signed",
                       "end": D(2027, 11, 20)},
                      {"contract_id": "CTR-2026-0003", "client_id": "C1", "status": "Expired",
                       "end": D(2026, 10, 15)})
    assert list(fu.contract_expired(contracts, TODAY)) == [True, False, False]
    c = fu.due_renewal(contracts, table(DEALS), SETTINGS, CAL, TODAY)
    # The same date as Renewal: Thu 10-15 − 60 = Sun 08-16, a business day.
    # Thu 11-20-2027 − 60 = Tue 09-21-2027; the Expired one gives nothing.
    assert list(c["record"]) == ["CTR-2026-0001", "CTR-2026-0002"]
    assert set(c["rule"]) == {fu.RENEWAL}
    assert dates(c) == [D(2026, 8, 16), D(2027, 9, 21)]
    assert fu.reasons(c, "en") == [
        "Contract CTR-2026-0001 expired on 2026-10-15: renew, or set its Status to Expired",
        "Renewal CTR-2026-0002: ends 2027-11-20"]
    assert bidi.plain(fu.reasons(c, "he")[0]) == (
        "חוזה CTR-2026-0001 פג ב-2026-10-15: חדשו אותו, או שנו את הסטטוס לפג תוקף")
    # Through candidates and the winner: the expired contract's date is the earliest.
    cl = clients({"client_id": "C1", "status": "Active", "created": D(2026, 11, 1),
                  "class": "A"})
    w = fu.next_follow_up(fu.candidates(cl, tables(Contracts=contracts), SETTINGS, TODAY,
                                        CAL), "en")
    assert (w.loc["C1", "rule"], w.loc["C1", "record"]) == (fu.RENEWAL, "CTR-2026-0001")
    assert w.loc["C1", "reason"].startswith("Contract CTR-2026-0001 expired on 2026-10-15")


# --- candidates: who takes part, replacements ----------------------------------------------------
def tables(**given) -> dict[str, pd.DataFrame]:
    out = {"Interactions": table(INTERACTIONS), "Orders": table(ORDERS),
           "Deals": table(DEALS), "Complaints": table(COMPLAINTS),
           "Contracts": table(CONTRACTS)}
    out.update(given)
    return out


def test_candidates_replacements_and_lost_or_unknown_clients():
    cl = clients({"client_id": "P", "status": "Active", "created": D(2026, 1, 1)},
                 {"client_id": "R", "status": "Active", "created": D(2026, 1, 1)},
                 {"client_id": "Q", "status": "Active", "created": D(2026, 1, 1)},
                 {"client_id": "L", "status": "Lost", "created": D(2026, 1, 1)})
    inter = table(INTERACTIONS,
                  {"date": D(2026, 11, 1), "client_id": "P", "outcome": "Reached"},
                  {"date": D(2026, 11, 15), "client_id": "P", "outcome": "No answer",
                   "next_step": "Call again", "next_step_date": D(2026, 11, 24)},
                  {"date": D(2026, 11, 15), "client_id": "R", "outcome": "No answer"},
                  {"date": D(2026, 11, 15), "client_id": "L", "outcome": "No answer"},
                  {"date": D(2026, 11, 15), "client_id": "X", "outcome": "No answer"})
    c = fu.candidates(cl, tables(Interactions=inter), SETTINGS, TODAY, CAL, lang="en")
    got = {cid: sorted(g["rule"]) for cid, g in c.groupby("client_id")}
    # P: a Promise drops its Cadence; R: a Retry drops its Cadence; Q: only Cadence.
    # L is Lost and X is not in Clients: no candidates at all.
    assert got == {"P": [4], "R": [5], "Q": [7]}
    by = c.set_index("client_id")
    # Q: no interaction; Created Thu 01-01 + 60 (class C) = Tue 03-02, a business day.
    assert by.loc["Q", "reason"] == "Cadence C: 60 days after 2026-01-01"
    assert by.loc["Q", "date"].date() == D(2026, 3, 2)
    assert by.loc["P", "reason"] == "Promise: Call again (2026-11-24)"
    assert by.loc["R", "reason"] == "Retry: no answer on 2026-11-15"


# --- the winner -------------------------------------------------------------------------------
def cands(*rows) -> pd.DataFrame:
    """Hand-made candidates: (client, rule, date, record, row, a, t, n)."""
    f = pd.DataFrame(rows, columns=fu.CANDIDATE_COLUMNS)
    f["date"] = pd.to_datetime(f["date"])
    return f


def test_next_follow_up_earliest_then_lower_rule_then_lower_row():
    c = cands(("C1", 7, D(2026, 11, 22), None, None, D(2026, 11, 8), "A", 14),
              ("C1", 3, D(2026, 11, 23), "O-1", 5, D(2026, 11, 25), None, None),
              ("C2", 6, D(2026, 11, 24), "D-2", 9, None, "Proposal", None),
              ("C2", 2, D(2026, 11, 24), "O-9", 12, D(2026, 11, 1), None, None),
              ("C3", 6, D(2026, 11, 24), "D-8", 14, None, "Proposal", None),
              ("C3", 6, D(2026, 11, 24), "D-7", 3, None, "Negotiation", None))
    w = fu.next_follow_up(c, "en")
    # C1: 11-22 is earlier than 11-23, whatever the rule numbers.
    # C2: same day; rule 2 beats rule 6. C3: same day, same rule; row 3 beats row 14.
    assert [d.date() for d in w["date"]] == [D(2026, 11, 22), D(2026, 11, 24), D(2026, 11, 24)]
    assert list(w["rule"]) == [7, 2, 6]
    assert plain(w["record"]) == [None, "O-9", "D-7"]
    assert list(w["reason"]) == ["Cadence A: 14 days after 2026-11-08",
                                 "Payment O-9: invoice due 2026-11-01",
                                 "Stale deal D-7 (Negotiation)"]


# --- every reason text ----------------------------------------------------------------------------
ALL_REASONS = cands(
    ("C", 1, D(2026, 11, 1), "K-1", 2, None, "High", None),
    ("C", 1, D(2026, 11, 1), "K-2", 3, None, None, None),
    ("C", 2, D(2026, 11, 1), "O-1", 2, D(2026, 10, 1), None, None),
    ("C", 3, D(2026, 11, 1), "O-2", 3, D(2026, 11, 30), None, None),
    ("C", 4, D(2026, 11, 1), None, 4, D(2026, 11, 21), "Send price list", None),
    ("C", 4, D(2026, 11, 1), None, 5, D(2026, 11, 21), None, None),
    ("C", 5, D(2026, 11, 1), None, 6, D(2026, 11, 19), None, None),
    ("C", 6, D(2026, 11, 1), "D-3", 2, None, "Negotiation", None),
    ("C", 7, D(2026, 11, 1), None, None, D(2026, 11, 6), "Prospect", 7),
    ("C", 8, D(2026, 11, 1), "CTR-1", 2, D(2026, 12, 27), None, None),
    ("C", 8, D(2026, 11, 1), "CTR-2", 3, D(2026, 10, 31), fu.EXPIRED, None))


def test_every_reason_text_in_english():
    assert fu.reasons(ALL_REASONS, "en") == [
        "Complaint K-1 (High) SLA",
        "Complaint K-2 SLA",                        # no Severity
        "Payment O-1: invoice due 2026-10-01",
        "Delivery O-2: due 2026-11-30",
        "Promise: Send price list (2026-11-21)",
        "Promise: next step (2026-11-21)",          # no Next step text
        "Retry: no answer on 2026-11-19",
        "Stale deal D-3 (Negotiation)",
        "Cadence Prospect: 7 days after 2026-11-06",
        "Renewal CTR-1: ends 2026-12-27",
        "Contract CTR-2 expired on 2026-10-31: renew, or set its Status to Expired",
    ]


def test_every_reason_text_in_hebrew_with_choices_translated():
    # Read as a user reads them: without the isolates around IDs and dates (test_sheet_bidi).
    assert [bidi.plain(r) for r in fu.reasons(ALL_REASONS, "he")] == [
        "תלונה K-1 (גבוה) SLA",
        "תלונה K-2 SLA",
        "תשלום O-1: מועד תשלום 2026-10-01",
        "אספקה O-2: מועד אספקה 2026-11-30",
        "הבטחה: Send price list (2026-11-21)",      # typed text is not translated
        "הבטחה: הצעד הבא (2026-11-21)",
        "ניסיון חוזר: אין מענה ב-2026-11-19",
        "עסקה תקועה D-3 (משא ומתן)",
        "תדירות ליד: 7 ימים אחרי 2026-11-06",
        "חידוש CTR-1: מסתיים 2026-12-27",
        "חוזה CTR-2 פג ב-2026-10-31: חדשו אותו, או שנו את הסטטוס לפג תוקף",
    ]


def test_a_blank_cell_arriving_as_nan_reads_as_blank():
    c = cands(("C", 1, D(2026, 11, 1), "K-1", 2, None, np.nan, None))
    assert fu.reasons(c, "en") == ["Complaint K-1 SLA"]


# --- follow-up status -------------------------------------------------------------------------------
def test_follow_up_status_around_today_and_the_window():
    d = pd.Series(pd.to_datetime([D(2026, 11, 19), TODAY, D(2026, 11, 21), D(2026, 11, 27),
                                  D(2026, 11, 28), None]), index=list("abcdef"))
    # Window 7 calendar days: up to and including 11-27 is This week; 11-28 is Later.
    assert list(fu.follow_up_status(d, TODAY, 7)) == [
        "Overdue", "Today", "This week", "This week", "Later", None]
    assert list(fu.follow_up_status(d, TODAY, 7).index) == list("abcdef")
    # Window 0: nothing is This week.
    assert fu.follow_up_status(d, TODAY, 0)["c"] == "Later"


# --- settings over defaults --------------------------------------------------------------------------
def test_sla_and_cadence_days_keep_defaults_for_rows_left_out():
    s = Settings(values={}, cadence={"A": 10}, stage_probability={}, sla={"High": 3},
                 tiers=[], weights={}, holidays=[])
    assert fu.sla_days(s) == {"High": 3, "Medium": 2, "Low": 5}
    assert fu.cadence_days(s) == {"A": 10, "B": 30, "C": 60, "Prospect": 7, "Dormant": 90}


# --- complaint SLA ---------------------------------------------------------------------------------
def test_complaint_sla_due_and_every_status():
    today = D(2026, 9, 23)
    comp = table(COMPLAINTS,
                 {"case_id": "K-1", "client_id": "C1", "opened": D(2026, 9, 10),
                  "severity": "High", "status": "Resolved", "resolved_on": D(2026, 9, 14)},
                 {"case_id": "K-2", "client_id": "C1", "opened": D(2026, 9, 10),
                  "severity": "High", "status": "Resolved", "resolved_on": D(2026, 9, 15)},
                 {"case_id": "K-3", "client_id": "C1", "opened": D(2026, 9, 20),
                  "severity": "Low", "status": "Open"},
                 {"case_id": "K-4", "client_id": None, "opened": D(2026, 9, 20),
                  "severity": None, "status": "In progress"},
                 {"case_id": "K-5", "client_id": "C1", "opened": D(2026, 9, 17),
                  "severity": "High", "status": "Open"},
                 {"case_id": "K-6", "client_id": "C1", "opened": None,
                  "severity": "High", "status": "Open"},
                 {"case_id": "K-7", "client_id": "C1", "opened": D(2026, 9, 10),
                  "severity": "High", "status": "Resolved"})
    sla = fu.complaint_sla(comp, SETTINGS, today, CAL)
    due = [None if pd.isna(d) else d.date() for d in sla["sla_due"]]
    # K-1, K-2, K-7: Thu 09-10 + 1 (High) -> Mon 09-14 (Fri, Sat, Sun Rosh Hashanah off).
    #   K-1 resolved on 09-14: Met. K-2 resolved 09-15: Missed. K-7 Resolved without a
    #   date: blank status.
    # K-3: Sun 09-20 + 5 (Low): Tue 22, Wed 23, Thu 24, Sun 27, Mon 09-28 (Yom Kippur
    #   skipped): not yet due on 09-23, Open.
    # K-4: blank Severity is Medium: Sun 09-20 + 2 -> Tue 22, Wed 09-23: due today, Open
    #   (no client needed for the SLA).
    # K-5: Thu 09-17 + 1 -> Sun 09-20, before today: Overdue. K-6: no Opened, all blank.
    assert due == [D(2026, 9, 14), D(2026, 9, 14), D(2026, 9, 28), D(2026, 9, 23),
                   D(2026, 9, 20), None, D(2026, 9, 14)]
    assert plain(sla["sla_status"]) == ["Met", "Missed", "Open", "Open", "Overdue", None, None]
    assert list(sla.index) == list(comp.index)


def test_complaint_sla_is_not_moved_by_a_later_interaction():
    comp = table(COMPLAINTS, {"case_id": "K-1", "client_id": "C1", "opened": D(2026, 11, 1),
                              "severity": "Medium", "status": "Open"})
    # The follow-up rule counts from the later call (Tue 11-10 + 2 = Thu 11-12); SLA due
    # counts from Opened only (Sun 11-01 + 2 = Tue 11-03).
    rule = fu.due_complaint(comp, last(C1=D(2026, 11, 10)), SETTINGS, CAL)
    assert dates(rule) == [D(2026, 11, 12)]
    assert fu.complaint_sla(comp, SETTINGS, TODAY, CAL)["sla_due"].iloc[0].date() == D(2026, 11, 3)


@pytest.mark.parametrize("work_week, expected", [("Sun-Thu", D(2026, 11, 22)),
                                                 ("Mon-Fri", D(2026, 11, 20))])
def test_retry_follows_the_work_week(work_week, expected):
    cal = Calendar(work_week, [])
    latest = fu.latest_interactions(table(
        INTERACTIONS, {"date": D(2026, 11, 19), "client_id": "C1", "outcome": "No answer"}))
    # Thu 11-19 + 1: Sun–Thu skips Fri and Sat -> Sun 11-22; Mon–Fri -> Fri 11-20.
    assert dates(fu.due_retry(latest, SETTINGS, cal)) == [expected]
