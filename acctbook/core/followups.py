"""Follow-up dates: the follow-up rules, the earliest candidate, its reason; SLA.

As described in docs/rules.md, "Follow-up candidates" and "Complaint SLA". Each follow-up
rule is a `due_*` function giving its candidate dates (the validation rules are
acctbook.book.rules' `rule_*`).

Pure functions over the loaded frames; `today` is a datetime.date argument and business
days come from a workdays.Calendar. Candidates are a long DataFrame: client_id, rule
(the follow-up rule's number, 1..11; RULE_ORDER is their order), date, record (the
record's ID), row (its Excel row), and the arguments its reason text needs (a: a date,
t: a text, n: a number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from acctbook.book import bidi, schema
from acctbook.book.model import Settings
from acctbook.book.rules_forecast import close_date_passed
from acctbook.core.reorder import MIN_PASSED_DAYS
from acctbook.core.rounding import half_up
from acctbook.core.risk import invoice_dues
from acctbook.core.workdays import Calendar

COMPLAINT, PAYMENT, DELIVERY, PROMISE, RETRY, STALE, CADENCE, RENEWAL = range(1, 9)
# Thank-you after an attended event, added later: number 9, placed right after Promise. Ties
# and the call queue follow RULE_ORDER (RULE_RANK), not the numbers.
THANK_YOU = 9
# Close date passed (an open deal past the Expected close the user typed), added later still:
# number 10, placed after Renewal (and Contract expired, in Renewal's place).
CLOSE_PASSED = 10
# Reorder expected (a client whose orders stopped: core/reorder.py), number 11, placed last.
REORDER = 11
RULE_ORDER = (COMPLAINT, PAYMENT, DELIVERY, PROMISE, THANK_YOU, RETRY, STALE, CADENCE, RENEWAL,
              CLOSE_PASSED, REORDER)
RULE_RANK = {rule: i for i, rule in enumerate(RULE_ORDER, 1)}
THANK_YOU_DAYS = 2            # business days after the event's date
OPEN_ORDER = ("Open", "Partly delivered")
STALE_STAGES = ("Proposal", "Negotiation")
NO_ANSWER = "No answer"
DEFAULT_SEVERITY = "Medium"   # a complaint without Severity gets the middle SLA
# Contract expired takes Renewal's place (rule 8) for a Signed contract whose End has
# passed; its candidate is a Renewal one with t = EXPIRED, which picks the reason -RENEWAL.
EXPIRED = "Expired"

# Reason templates: {r} record ID, {a} date (ISO), {t} text, {n} number. In Hebrew the
# record ID and the text are isolated (FSI … PDI) and the date held left to right (LRI … PDI),
# so `תשלום SO-00558: מועד תשלום 2026-10-22` reads in order in any cell; in English only
# an ID or text holding Hebrew is isolated (book/bidi.py).
REASONS = {
    "en": {
        COMPLAINT: "Complaint {r} ({t}) SLA", -COMPLAINT: "Complaint {r} SLA",
        PAYMENT: "Payment {r}: invoice due {a}",
        -PAYMENT: "Payment {r}: due {a} ({n} days after invoice {t})",
        DELIVERY: "Delivery {r}: due {a}",
        PROMISE: "Promise: {t} ({a})", -PROMISE: "Promise: next step ({a})",
        THANK_YOU: "Thank-you call after Event {r} ({t})",
        -THANK_YOU: "Thank-you call after Event {r}",
        RETRY: "Retry: no answer on {a}",
        STALE: "Stale deal {r} ({t})",
        CADENCE: "Cadence {t}: {n} days after {a}",
        RENEWAL: "Renewal {r}: ends {a}",
        -RENEWAL: "Contract {r} expired on {a}: renew, or set its Status to " + EXPIRED,
        CLOSE_PASSED: "Close date passed: {r} expected {a}",
        REORDER: "Reorder expected since {a} (orders every {n} days)",
    },
    "he": {
        COMPLAINT: "תלונה {r} ({t}) SLA", -COMPLAINT: "תלונה {r} SLA",
        PAYMENT: "תשלום {r}: מועד תשלום {a}",
        -PAYMENT: "תשלום {r}: מועד תשלום {a} ({n} ימים אחרי חשבונית {t})",
        DELIVERY: "אספקה {r}: מועד אספקה {a}",
        PROMISE: "הבטחה: {t} ({a})", -PROMISE: "הבטחה: הצעד הבא ({a})",
        THANK_YOU: "שיחת תודה אחרי אירוע {r} ({t})",
        -THANK_YOU: "שיחת תודה אחרי אירוע {r}",
        RETRY: "ניסיון חוזר: אין מענה ב-{a}",
        STALE: "עסקה תקועה {r} ({t})",
        CADENCE: "תדירות {t}: {n} ימים אחרי {a}",
        RENEWAL: "חידוש {r}: מסתיים {a}",
        -RENEWAL: "חוזה {r} פג ב-{a}: חדשו אותו, או שנו את הסטטוס ל"
                  + schema.CHOICE_HE[EXPIRED],
        CLOSE_PASSED: "מועד הסגירה עבר: עסקה {r} הייתה צפויה להיסגר ב-{a}",
        REORDER: "הזמנה חוזרת צפויה מאז {a} (הזמנה כל {n} ימים)",
    },
}
CHOICE_ARG_RULES = (COMPLAINT, STALE, CADENCE)   # their {t} is a choice value, shown per language
CANDIDATE_COLUMNS = ["client_id", "rule", "date", "record", "row", "a", "t", "n"]


# --- interactions ----------------------------------------------------------------------
@dataclass(frozen=True)
class Contacted:
    """What the follow-up rules read of Interactions, per Client ID, from one pass over its
    1M rows (contacted()): compute may work it out while the reader parses the next sheet
    (core/early.py)."""
    latest: pd.DataFrame     # the latest interaction's row, with `row` (latest_interactions)
    answered: pd.Series      # the Date of the latest one that is not No answer (last_answered)
    heard: pd.Series         # the same, campaign messages aside too (the thank-you rule)


def contacted(inter: pd.DataFrame) -> Contacted:
    """Latest by Date, then row order; rows without a Client ID or a Date count for none.
    The client IDs are told apart once (integer codes) for all three."""
    ok = (inter["client_id"].notna() & inter["date"].notna()).to_numpy()
    answered = ok & (inter["outcome"] != NO_ANSWER).to_numpy()
    heard = answered & inter["campaign_id"].isna().to_numpy() if "campaign_id" in inter \
        else answered
    codes = pd.factorize(inter["client_id"].to_numpy(dtype=object))[0]
    # One sortable number per row: the day, then the Excel row (< 2**21) breaks ties.
    rows = inter.index.to_numpy(dtype=np.int64)
    day = inter["date"].to_numpy(dtype="datetime64[ns]")[ok].astype("datetime64[D]")
    key = np.zeros(len(inter), dtype=np.int64)
    key[ok] = day.astype(np.int64) * (1 << 21) + rows[ok]
    at = _latest_at(codes, key, ok)
    latest = inter.iloc[at].assign(row=rows[at]).set_index("client_id")
    return Contacted(latest, _dates_at(inter, _latest_at(codes, key, answered)),
                     _dates_at(inter, _latest_at(codes, key, heard)))


def _latest_at(codes: np.ndarray, key: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The position of each client's highest key among the rows of `mask`, the clients in
    the order they first appear there."""
    pos = np.flatnonzero(mask)
    if not len(pos):
        return pos
    return pd.Series(key[pos], index=pos).groupby(codes[pos], sort=False).idxmax().to_numpy()


def _dates_at(inter: pd.DataFrame, at: np.ndarray) -> pd.Series:
    """The Date of the rows at `at`, indexed by their Client ID."""
    ids = pd.Index(inter["client_id"].to_numpy(dtype=object)[at], name="client_id")
    return pd.Series(inter["date"].to_numpy()[at], index=ids, name="date")


def latest_interactions(interactions: pd.DataFrame) -> pd.DataFrame:
    """The latest interaction per client (by Date, then row order), indexed by Client ID."""
    return contacted(interactions).latest


# --- the follow-up rules --------------------------------------------------------------------
def _frame(client_id, rule, date, record=None, row=None, a=None, t=None, n=None) -> pd.DataFrame:
    size = len(client_id)
    fill = lambda v: [None] * size if v is None else list(v) if not isinstance(v, np.ndarray) else v
    return pd.DataFrame({
        "client_id": np.asarray(client_id, dtype=object), "rule": rule,
        "date": np.asarray(date, dtype="datetime64[D]").astype("datetime64[s]"),
        "record": fill(record), "row": fill(row), "a": fill(a), "t": fill(t), "n": fill(n),
    }, columns=CANDIDATE_COLUMNS)


def _days(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """table[key] for each key, NaN/NaT when absent (Series.map fails on an empty datetime table)."""
    return pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def _later(x: pd.Series, y: pd.Series) -> pd.Series:
    """The later of two date columns; a blank one is ignored."""
    x, y = pd.to_datetime(x), pd.to_datetime(y)    # an empty lookup comes back as float
    return x.where(x.notna() & ~(y > x), y)


def due_complaint(complaints, last, settings, cal):
    c = complaints[(complaints["status"] != "Resolved") & complaints["opened"].notna()
                   & complaints["client_id"].notna()]
    base = _later(c["opened"], _lookup(c["client_id"], last))
    days = c["severity"].fillna(DEFAULT_SEVERITY).map(sla_days(settings)).fillna(0)
    return _frame(c["client_id"], COMPLAINT, cal.add_many(_days(base), days.to_numpy()),
                  c["case_id"], c.index, t=c["severity"])


def due_payment(orders, today, cal):
    """A blank Invoice due counts as Invoice date (or Delivered on) + the line's `terms`
    (risk.invoice_dues); then the derived reason -PAYMENT: t = that invoice date, n = terms."""
    o = orders[["client_id", "order_id", "paid_on"]].join(invoice_dues(orders))  # not every column
    o = o[o["due"].notna() & o["paid_on"].isna() & (o["due"] < pd.Timestamp(today))]
    o = o.drop_duplicates(["client_id", "order_id", "due"])
    base = [None if pd.isna(b) else b.date().isoformat() for b in o["base"]]
    return _frame(o["client_id"], PAYMENT, cal.add_many(_days(o["due"]), 1),
                  o["order_id"], o.index, a=o["due"].dt.date, t=base, n=o["terms"])


def due_delivery(orders, settings, cal):
    o = orders.loc[orders["status"].isin(OPEN_ORDER) & orders["due_date"].notna(),
                   ["client_id", "order_id", "due_date"]]
    o = o.drop_duplicates(["client_id", "order_id", "due_date"])
    n = int(settings["delivery_check_days"] or 0)
    return _frame(o["client_id"], DELIVERY, cal.sub_many(_days(o["due_date"]), n),
                  o["order_id"], o.index, a=o["due_date"].dt.date)


def due_promise(latest, cal):
    p = latest[latest["next_step_date"].notna()]
    return _frame(p.index, PROMISE, cal.roll_forward_many(_days(p["next_step_date"])),
                  None, p["row"], a=p["next_step_date"].dt.date, t=p["next_step"])


def due_retry(latest, settings, cal):
    r = latest[(latest["outcome"] == NO_ANSWER) & latest["next_step_date"].isna()]
    n = int(settings["retry_after_no_answer"] or 0)
    return _frame(r.index, RETRY, cal.add_many(_days(r["date"]), n), None, r["row"],
                  a=r["date"].dt.date)


def due_thank_you(attendance, events, contacts, interactions, today, cal,
                  heard: pd.Series | None = None):
    """An event the client's contact attended (Attended Yes, the event's date today or
    before): the event's date + THANK_YOU_DAYS business days, one per client and event. It
    is done (no candidate) once the client has an interaction dated after the event's date
    that is neither No answer nor a campaign message (Campaign ID given): `heard`
    (Contacted.heard), when the caller has it already."""
    a = attendance[attendance["attended"].eq(True) & attendance["event_id"].notna()]
    owner = contacts.dropna(subset=["contact_id"]).drop_duplicates("contact_id").set_index(
        "contact_id")["client_id"]
    cid = a["client_id"].where(a["client_id"].notna(), _lookup(a["contact_id"], owner))
    ev = events.dropna(subset=["event_id"]).drop_duplicates("event_id").set_index("event_id")
    when = pd.to_datetime(_lookup(a["event_id"], ev["date"]))
    a = a.assign(_client=cid, _when=when)
    a = a[a["_client"].notna() & a["_when"].notna() & (a["_when"] <= pd.Timestamp(today))]
    a = a.drop_duplicates(["_client", "event_id"])
    heard = contacted(interactions).heard if heard is None else heard
    since = pd.to_datetime(_lookup(a["_client"], heard))
    a = a[~(since > a["_when"])]
    return _frame(a["_client"], THANK_YOU, cal.add_many(_days(a["_when"]), THANK_YOU_DAYS),
                  a["event_id"], a.index, a=a["_when"].dt.date,
                  t=_lookup(a["event_id"], ev["name"]))


def due_stale(deals, last, settings, cal):
    d = deals[deals["stage"].isin(STALE_STAGES) & deals["client_id"].notna()]
    base = _later(d["stage_since"], _lookup(d["client_id"], last))
    base = base.where(base.notna(), d["created"])   # no dates at all: from the deal's creation
    d, base = d[base.notna()], base[base.notna()]
    n = int(settings["stale_deal_days"] or 0)
    return _frame(d["client_id"], STALE, cal.add_many(_days(base), n), d["deal_id"], d.index,
                  t=d["stage"])


def cadence_key(status: pd.Series, cls: pd.Series) -> pd.Series:
    """Prospect and Dormant clients use their Status row, the rest their Class (none -> C)."""
    key = cls.where(cls.notna(), "C")
    return key.where(~status.isin(("Prospect", "Dormant")), status)


def last_answered(interactions: pd.DataFrame) -> pd.Series:
    """Per Client ID, the Date of its latest interaction that is not No answer."""
    return contacted(interactions).answered


def due_cadence(clients, interactions, settings, cal, answered: pd.Series | None = None):
    """`clients`: indexed by Client ID with status, created and class; `answered`:
    last_answered(interactions), when the caller has it already."""
    answered = last_answered(interactions) if answered is None else answered
    base = answered.reindex(clients.index)
    base = base.where(base.notna(), clients["created"])
    key = cadence_key(clients["status"], clients["class"])
    days = key.map(cadence_days(settings)).fillna(0).astype(int)
    ok = base.notna()
    base, key, days = base[ok], key[ok], days[ok]
    target = _days(base) + days.to_numpy().astype("timedelta64[D]")
    return _frame(base.index, CADENCE, cal.roll_forward_many(target), None, None,
                  a=base.dt.date, t=key, n=days)


def contract_expired(contracts: pd.DataFrame, today: dt.date) -> pd.Series:
    """A Signed contract whose End has passed (End before today); acctbook never changes
    its Status, it says so (Contracts' State, the Contract expired reason)."""
    return (contracts["status"] == "Signed") & (contracts["end"] < pd.Timestamp(today))


def due_renewal(contracts, deals, settings, cal, today):
    """Renewal, or Contract expired in its place: End − Renewal notice days, rolled back."""
    c = contracts[(contracts["status"] == "Signed") & contracts["end"].notna()]
    # A contract without a Client ID belongs to its deal's client.
    by_deal = deals.dropna(subset=["deal_id"]).drop_duplicates("deal_id").set_index("deal_id")
    cid = c["client_id"].where(c["client_id"].notna(), _lookup(c["deal_id"], by_deal["client_id"]))
    c, cid = c[cid.notna()], cid[cid.notna()]
    notice = c["renewal_notice"].fillna(float(settings["renewal_notice"] or 0)).astype(int)
    target = _days(c["end"]) - notice.to_numpy().astype("timedelta64[D]")
    expired = np.where(contract_expired(c, today), EXPIRED, None)
    return _frame(cid, RENEWAL, cal.roll_back_many(target), c["contract_id"], c.index,
                  a=c["end"].dt.date, t=expired)


def due_close_passed(deals, today, cal):
    """An open deal whose typed Expected close is before today (rules_forecast's
    close-date-passed warning): Expected close + 1 business day. A blank Expected close
    (counted from Stage since for the forecast only) gives none."""
    if "expected_close" not in deals:
        return _frame([], CLOSE_PASSED, [])
    d = deals[close_date_passed(deals, today) & deals["client_id"].notna()]
    return _frame(d["client_id"], CLOSE_PASSED, cal.add_many(_days(d["expected_close"]), 1),
                  d["deal_id"], d.index, a=d["expected_close"].dt.date)


def due_reorder(reorder: pd.DataFrame | None, clients: pd.DataFrame,
                interactions: pd.DataFrame, cal: Calendar, answered: pd.Series | None = None):
    """An Active client that stopped ordering (core/reorder.py: expected_orders): its Expected
    order, rolled forward; the reason gives that date and the median gap, rounded half up.
    Answered once: an interaction not No answer on or after the day the stop showed (Expected
    order + the days it had to pass) ends it; Dormant clients are followed by their cadence."""
    if reorder is None:
        return _frame([], REORDER, [])
    r = reorder[reorder["stopped"].eq(True)]
    r = r[r.index.isin(clients.index[clients["status"] == "Active"])]
    answered = last_answered(interactions) if answered is None else answered
    showed = r["expected_order"] + pd.to_timedelta(np.floor(np.maximum(
        r["gap_days"].to_numpy(dtype=float) / 2, MIN_PASSED_DAYS)) + 1, unit="D")
    r = r[~(answered.reindex(r.index) >= showed).to_numpy(dtype=bool)]
    gap = half_up(r["gap_days"].to_numpy(dtype=float))
    return _frame(r.index, REORDER, cal.roll_forward_many(_days(r["expected_order"])), None,
                  None, a=r["expected_order"].dt.date, n=gap)


def sla_days(settings: Settings) -> dict[str, int]:
    return {**dict(schema.DEFAULT_SLA), **settings.sla}


def cadence_days(settings: Settings) -> dict[str, int]:
    return {**dict(schema.DEFAULT_CADENCE), **settings.cadence}


# --- candidates and the winner -----------------------------------------------------------
def candidates(clients: pd.DataFrame, tables: dict[str, pd.DataFrame], settings: Settings,
               today: dt.date, cal: Calendar, lang: str | None = None,
               contact: Contacted | None = None,
               reorder: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule's candidates for the clients that get follow-ups, replacements applied.

    `clients` is indexed by Client ID with status, created and class; Lost clients
    and IDs missing from it get none. `tables` holds the frames Interactions,
    Orders (live lines: no Cancelled), Deals, Complaints, Contracts, and when given
    Attendance, Events and Contacts (the thank-you rule). Rule 10, Close date passed, reads
    the Deals' Expected close when the frame has it; rule 11, Reorder expected, comes from
    `reorder` (core/reorder.py: expected_orders) when given. With `lang`
    the reason text is added as column `reason`. `contact` (contacted(Interactions)) may be
    passed when the caller has it already.
    """
    inter = tables["Interactions"]
    active = clients[clients["status"] != "Lost"]
    contact = contacted(inter) if contact is None else contact
    latest, last = contact.latest, contact.latest["date"]
    answered = contact.answered              # cadence's base and what ends a reorder
    orders = tables["Orders"]
    parts = [
        due_complaint(tables["Complaints"], last, settings, cal),
        due_payment(orders, today, cal),
        due_delivery(orders, settings, cal),
        due_promise(latest, cal),
        *_thank_you(tables, today, cal, contact.heard),
        due_retry(latest, settings, cal),
        due_stale(tables["Deals"], last, settings, cal),
        due_cadence(active, inter, settings, cal, answered),
        due_renewal(tables["Contracts"], tables["Deals"], settings, cal, today),
        due_close_passed(tables["Deals"], today, cal),
        due_reorder(reorder, active, inter, cal, answered),
    ]
    out = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    out = out[out["client_id"].isin(active.index) & out["date"].notna()]
    out = _replace(out)
    if lang is not None:
        out = out.assign(reason=reasons(out, lang))
    return out.reset_index(drop=True)


def _thank_you(tables: dict[str, pd.DataFrame], today: dt.date, cal: Calendar,
               heard: pd.Series) -> list:
    """The thank-you candidates, when the tables it reads are given."""
    if not {"Attendance", "Events", "Contacts"} <= set(tables):
        return []
    return [due_thank_you(tables["Attendance"], tables["Events"], tables["Contacts"],
                          tables["Interactions"], today, cal, heard)]


def _replace(c: pd.DataFrame) -> pd.DataFrame:
    """Promise replaces Retry and Cadence; Retry replaces Cadence."""
    promised = set(c.loc[c["rule"] == PROMISE, "client_id"])
    retried = set(c.loc[c["rule"] == RETRY, "client_id"])
    drop = (c["rule"].isin((RETRY, CADENCE)) & c["client_id"].isin(promised)) | (
        (c["rule"] == CADENCE) & c["client_id"].isin(retried))
    return c[~drop]


def next_follow_up(cands: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Per client the earliest candidate; ties go to the rule earlier in RULE_ORDER.

    Returns a frame indexed by Client ID: date, rule, record, reason.
    """
    c = cands.assign(_row=pd.to_numeric(cands["row"], errors="coerce"),
                     _rank=cands["rule"].map(RULE_RANK))
    c = c.sort_values(["client_id", "date", "_rank", "_row"], kind="mergesort")
    win = c.drop_duplicates("client_id", keep="first").set_index("client_id")
    win["reason"] = reasons(win, lang) if len(win) else pd.Series(dtype=object)
    return win[["date", "rule", "record", "reason"]]


def reasons(c: pd.DataFrame, lang: str) -> list[str]:
    """Follow-up reason texts in the book's language."""
    tpl = REASONS.get(lang, REASONS["en"])
    out = []
    for rule, r, a, t, n in zip(c["rule"], c["record"], c["a"], c["t"], c["n"]):
        r, t, n = _given(r), _given(t), _given(n)     # a blank cell may arrive as NaN
        key = -rule if rule in (COMPLAINT, PROMISE, THANK_YOU) and not t else rule
        if rule == RENEWAL and t == EXPIRED:
            key = -RENEWAL
        if rule == PAYMENT and t:
            key = -PAYMENT        # a derived due: t is the invoice date, n the terms
        if rule in CHOICE_ARG_RULES:
            t = schema.show_choice(t, lang)
        r, a, t = r or "", _iso(a), t or ""
        if lang == "he":
            r, a, t = bidi.isolate(r), bidi.ltr(a), bidi.isolate(t)
        else:                 # a Hebrew next step or ID inside an English reason
            r, t = bidi.isolate_rtl(r), bidi.isolate_rtl(t)
        out.append(tpl[key].format(r=r, a=a, t=t, n=_num(n)))
    return out


def _given(v):
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def _iso(d) -> str:
    return d.isoformat()[:10] if hasattr(d, "isoformat") else ""


def _num(n) -> str:
    return "" if n is None else str(int(n))


def follow_up_status(dates: pd.Series, today: dt.date, window: int) -> pd.Series:
    """Overdue (before today), Today, This week (within `window` days), Later; blank stays None."""
    t = pd.Timestamp(today)
    d = pd.to_datetime(dates)
    out = np.select([d < t, d == t, d <= t + pd.Timedelta(days=int(window))],
                    ["Overdue", "Today", "This week"], "Later").astype(object)
    out[d.isna().to_numpy()] = None
    return pd.Series(out, index=dates.index, dtype=object)


# --- complaints ---------------------------------------------------------------------------
def complaint_sla(complaints: pd.DataFrame, settings: Settings, today: dt.date,
                  cal: Calendar) -> pd.DataFrame:
    """SLA due = Opened + SLA business days; status Met/Missed when Resolved, else Open/Overdue."""
    days = complaints["severity"].fillna(DEFAULT_SEVERITY).map(sla_days(settings)).fillna(0)
    due = pd.Series(pd.to_datetime(cal.add_many(_days(complaints["opened"]), days.to_numpy())),
                    index=complaints.index)
    resolved = complaints["status"] == "Resolved"
    done = complaints["resolved_on"]
    t = pd.Timestamp(today)
    status = np.select(
        [resolved & done.notna() & (done <= due), resolved & done.notna() & (done > due),
         ~resolved & (due < t), ~resolved & (due >= t)],
        ["Met", "Missed", "Overdue", "Open"], "").astype(object)
    status[(status == "") | due.isna().to_numpy()] = None
    return pd.DataFrame({"sla_due": due, "sla_status": status}, index=complaints.index)
