"""The pure core of refresh: follow-ups, ranking, risk, SLA, the call queue and the KPIs.

`compute(book, today)` never touches a file or the clock. Values come out as
Python values: dates as datetime.date, numbers rounded (score 1 decimal, money
2), None for absent; choice values stay canonical English (the writer shows them
in the book's language), reason texts are in the book's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from acctbook.core import campaign_results
from acctbook.core import crosssell
from acctbook.core import followups
from acctbook.core import loyalty
from acctbook.core import prospects
from acctbook.core import ranking
from acctbook.core import reorder
from acctbook.core import risk
from acctbook.core import segments
from acctbook.book.model import Book
from acctbook.core.digests import Digests
from acctbook.core.workdays import Calendar, years_around

CLASS_ORDER = {"A": 0, "B": 1, "C": 2}

# The columns compute() reads. A row whose errors lie only elsewhere (an e-mail, a
# segment, an event link) still takes part; a row with an error here is skipped.
READS: dict[str, frozenset[str]] = {
    # Key account and Credit limit are not here: a typo there reads as blank (the error
    # stays on Problems) instead of taking the client off the call queue.
    "Clients": frozenset({"client_id", "status", "created"}),
    "Contacts": frozenset({"client_id", "primary"}),
    "Interactions": frozenset({"date", "client_id", "outcome", "next_step_date"}),
    "Deals": frozenset({"deal_id", "client_id", "stage", "amount", "currency", "probability",
                        "stage_since", "created"}),
    "Orders": frozenset({"order_id", "client_id", "order_date", "quantity", "unit_price",
                         "discount", "amount", "due_date", "delivered_on", "status",
                         "invoice_date", "invoice_due", "paid_on"}),
    "Contracts": frozenset({"contract_id", "client_id", "deal_id", "status", "end",
                            "renewal_notice"}),
    "Complaints": frozenset({"case_id", "client_id", "opened", "severity", "status",
                             "resolved_on"}),
    # Campaign results and the thank-you rule (core/campaign_results.py, followups.py)
    "Campaigns": frozenset({"campaign_id"}),
    "Attendance": frozenset({"event_id", "contact_id", "attended"}),
    "Events": frozenset({"event_id", "date"}),
    # Bonuses paid (core/loyalty.py): a row with an error there is left out of Paid out.
    "BonusPayments": frozenset({"client_id", "date", "amount"}),
}


@dataclass
class Results:
    clients: pd.DataFrame      # indexed like Clients: its computed columns + rule
    deals: pd.DataFrame        # indexed like Deals: weighted_amount
    complaints: pd.DataFrame   # indexed like Complaints: sla_due, sla_status
    contracts: pd.DataFrame    # indexed like Contracts: state
    queue: pd.DataFrame        # schema.TODAY keys + client_row, rule; in call order
    rankings: pd.DataFrame     # schema.RANKINGS keys; non-Lost clients by rank
    kpis: dict = field(default_factory=dict)
    # schema.SEGMENTS and schema.REGIONS keys, a row per segment / region (core/segments.py)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    # indexed like Campaigns: sent_on, recipients, responses, deals (core/campaign_results.py)
    campaigns: pd.DataFrame = field(default_factory=pd.DataFrame)
    # schema.LOYALTY_BALANCES keys + client_row, a row per client with a bonus (core/loyalty.py)
    loyalty: pd.DataFrame = field(default_factory=pd.DataFrame)


def compute(book: Book, today: dt.date, digests: Digests | None = None) -> Results:
    """`digests`: pieces of whole tables already worked out (core/early.py), taken when they
    were made from these very frames."""
    s = book.settings
    digests = Digests() if digests is None else digests
    p = _prepare(book, today, digests)
    f, per, rank, cal, open_cases = p.frames, p.per_client, p.ranked, p.calendar, p.open_cases
    rsk = risk.assess(per, p.live_orders, open_cases, today, book.lang, stopped=p.reorder)
    cands = followups.candidates(per, p.rule_tables, s, today, cal, contact=p.contact,
                                 reorder=p.reorder)
    nxt = followups.next_follow_up(cands, book.lang).reindex(per.index)
    nxt["status"] = followups.follow_up_status(nxt["date"], today, int(s["upcoming_window"] or 0))
    last = p.contact.latest["date"].reindex(per.index)

    by_id = _frame({
        "last_contact": _dates(last),
        "next_follow_up": _dates(nxt["date"]),
        "follow_up_reason": _objs(nxt["reason"]),
        "follow_up_status": _objs(nxt["status"]),
        "revenue_12m": _nums(rank["revenue_12m"], 2),
        "class": _objs(rank["class"]),
        "rank": _ints(rank["rank"]),
        "score": _nums(rank["score"], ranking.SCORE_DECIMALS),
        "tier": _objs(rank["tier"]),
        "risk": _objs(rsk["risk"]),
        "risk_reasons": _objs(rsk["risk_reasons"]),
        **_cooperation(per, p, book, today),
        "excludes": [None] * len(per),     # core/plan.py names the rows refresh left out
        "rule": _ints(nxt["rule"]),
    }, index=per.index)
    clients = _spread(by_id, f["Clients"])
    pipeline = ranking.pipeline_by_client(f["Deals"], s)
    by_segment, by_region = segments.segment_tables(per, f["Clients"], f["Deals"], open_cases,
                                                    s, today, book.lang)
    return Results(
        clients=clients,
        deals=_frame({"weighted_amount": _nums(ranking.weighted_amounts(f["Deals"], s), 2)},
                     index=f["Deals"].index),
        complaints=_complaints(f["Complaints"], s, today, cal),
        contracts=_contracts(f["Contracts"], today),
        queue=_queue(per, by_id, rank, f["Contacts"], pipeline, open_cases, today),
        rankings=_rankings(per, rank, book.lang, crosssell.offer_next(book, today)),
        kpis=_kpis(per, by_id, rank, f["Deals"], s, open_cases, today),
        segments=by_segment, regions=by_region,
        campaigns=_campaigns(f, digests),
        loyalty=_loyalty(per, p, book, today),
    )


def follow_up_candidates(book: Book, today: dt.date) -> pd.DataFrame:
    """Every rule's candidate per client (replacements applied) with its reason text:
    what Next follow-up was chosen from."""
    p = _prepare(book, today, Digests())
    return followups.candidates(p.per_client, p.rule_tables, book.settings, today, p.calendar,
                                lang=book.lang, contact=p.contact, reorder=p.reorder)


@dataclass(frozen=True)
class Prepared:
    """What every part of compute() needs, worked out once."""
    frames: dict[str, pd.DataFrame]   # table name -> book.frame(name), as loaded
    per_client: pd.DataFrame          # one row per Client ID, with class and both revenues
    live_orders: pd.DataFrame         # ranking.live_orders: no Cancelled lines, effective amount
    ranked: pd.DataFrame              # ranking.rank_clients, indexed by Client ID
    calendar: Calendar                # business days for the years around today and the data
    open_cases: pd.Series             # complaints not Resolved, counted per Client ID
    contact: followups.Contacted      # the latest interactions per Client ID
    rule_tables: dict[str, pd.DataFrame]   # `frames` with Orders as live orders: the rules' input
    reorder: pd.DataFrame             # reorder.expected_orders, indexed by Client ID
    streaks: pd.DataFrame             # prospect_streaks: the prospects' unanswered runs


def _prepare(book: Book, today: dt.date, digests: Digests) -> Prepared:
    """What every part needs: frames, per-client facts with class, live orders, calendar."""
    s = book.settings
    f = {name: book.frame(name) for name in ("Clients", "Interactions", "Orders", "Deals",
                                             "Complaints", "Contracts", "Contacts",
                                             "Campaigns", "Attendance", "Events",
                                             "BonusPayments", "Loyalty", "ProspectPoints")}
    per = _per_client(f["Clients"])
    # Each line carries its client's Payment terms, for an Invoice due left blank.
    orders = risk.with_terms(ranking.live_orders(f["Orders"]), f["Clients"], s["payment_terms"])
    rank = ranking.rank_clients(per, orders, f["Deals"], s, today)
    per = per.join(rank[["class", "revenue_12m", "revenue_prior"]])
    return Prepared(
        frames=f, per_client=per, live_orders=orders, ranked=rank,
        calendar=Calendar.from_settings(s, years_around(today, date_bounds(f))),
        open_cases=_open_complaints(f["Complaints"]),
        contact=digests.get(followups.contacted, f["Interactions"]),
        rule_tables={**f, "Orders": orders},
        reorder=reorder.expected_orders(orders, per.index, today),
        streaks=digests.get(prospect_streaks, f["Interactions"], f["Clients"]),
    )


# --- per distinct client ------------------------------------------------------------------
def _per_client(clients: pd.DataFrame) -> pd.DataFrame:
    """One row per Client ID (its first row wins when IDs repeat), indexed by the ID."""
    c = clients[clients["client_id"].notna()]
    c = c.assign(client_row=c.index).drop_duplicates("client_id")
    return c.set_index("client_id")[["name", "status", "created", "key_account",
                                     "credit_limit", "phone", "client_row"]]


def prospect_streaks(interactions: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """prospects.unanswered_streaks of the clients whose (first) row says Prospect: from
    Interactions and Clients alone (core/early.py)."""
    per = _per_client(clients)
    return prospects.unanswered_streaks(interactions, per.index[per["status"] == "Prospect"])


def _spread(by_id: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """Per-ID results onto the Clients rows (rows without an ID get None everywhere)."""
    out = by_id.reindex(clients["client_id"].to_numpy())
    out.index = clients.index
    return _frame({k: _objs(out[k]) for k in out.columns}, index=clients.index)


def _open_complaints(complaints: pd.DataFrame) -> pd.Series:
    c = complaints[(complaints["status"] != "Resolved") & complaints["client_id"].notna()]
    return c.groupby("client_id").size()


# The tables the campaign results are worked out from, in campaign_results' order.
CAMPAIGN_TABLES = ("Campaigns", "Interactions", "Deals", "Contacts")


def date_bounds(f) -> list:
    """Earliest and latest date in the columns the rules use, for the holiday years."""
    cols = [("Interactions", "date"), ("Interactions", "next_step_date"),
            ("Orders", "invoice_due"), ("Orders", "due_date"), ("Deals", "stage_since"),
            ("Complaints", "opened"), ("Contracts", "end"), ("Clients", "created"),
            ("Events", "date")]
    out = []
    for t, c in cols:
        if t not in f:            # core/early.py: a table still to come
            continue
        s = f[t][c]
        if s.notna().any():
            out += [s.min(), s.max()]
    return out


# --- the generated tables ---------------------------------------------------------------
def _complaints(complaints, settings, today, cal) -> pd.DataFrame:
    sla = followups.complaint_sla(complaints, settings, today, cal)
    return _frame({"sla_due": _dates(sla["sla_due"]), "sla_status": _objs(sla["sla_status"])},
                  index=complaints.index)


def _cooperation(per, p: Prepared, book: Book, today: dt.date) -> dict[str, list]:
    """Clients' Prospect score and reasons, Expected order and Forecast 12m (docs/rules.md,
    sections 18 and 19)."""
    scores = prospects.prospect_scores(
        per, p.frames, p.live_orders, book.settings, today, book.lang,
        streaks=p.streaks).reindex(per.index)
    return {
        "prospect_score": _ints(scores["prospect_score"]),
        "prospect_reasons": _objs(scores["prospect_reasons"]),
        "expected_order": _dates(p.reorder["expected_order"].reindex(per.index)),
        "forecast_12m": _nums(reorder.forecast_12m(p.live_orders, per, today)
                              .reindex(per.index), 2),
    }


def _loyalty(per, p: Prepared, book: Book, today: dt.date) -> pd.DataFrame:
    """The Loyalty sheet's rows, each with its client's row for the link (section 20)."""
    f = p.frames
    out = loyalty.balances(per, f["Clients"], p.live_orders, f["BonusPayments"], f["Loyalty"],
                           book.settings["referral_bonus"], today, tiers=p.ranked["tier"])
    cells = {k: _objs(out[k]) for k in loyalty.COLUMNS}       # Python values, as the writers take
    cells["client_row"] = _objs(per["client_row"].reindex(out["client_id"]))
    return _frame(cells)


def _campaigns(f: dict[str, pd.DataFrame], digests: Digests) -> pd.DataFrame:
    """The Campaigns sheet's computed columns (docs/rules.md, section 16)."""
    r = digests.get(campaign_results.campaign_results, *(f[n] for n in CAMPAIGN_TABLES))
    return _frame({"sent_on": _dates(r["sent_on"]), **{k: _objs(r[k]) for k in (
        "recipients", "responses", "deals")}}, index=r.index)


def _contracts(contracts, today) -> pd.DataFrame:
    """State: Expired for a Signed contract whose End has passed, else blank."""
    expired = followups.contract_expired(contracts, today).to_numpy(bool)
    return _frame({"state": [followups.EXPIRED if e else None for e in expired]},
                  index=contracts.index)


def _primary_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per client its Primary contact, else its first contact row."""
    c = contacts[contacts["client_id"].notna()].assign(
        _p=lambda x: (x["primary"] != True).astype(int), _r=lambda x: x.index)  # noqa: E712
    c = c.sort_values(["client_id", "_p", "_r"]).drop_duplicates("client_id")
    return c.set_index("client_id")[["name", "phone", "preferred_channel"]]


def _queue(per, by_id, rank, contacts, pipeline, open_cases, today) -> pd.DataFrame:
    """Follow-ups due today or earlier; Overdue first, then rule, class, score, ID
    (docs/rules.md, "The call queue")."""
    due = by_id[by_id["follow_up_status"].isin(("Overdue", "Today"))]
    q = pd.DataFrame({
        "_late": (due["follow_up_status"] == "Today").astype(int),
        "_rule": due["rule"].astype(int).map(followups.RULE_RANK),
        "_cls": due["class"].map(CLASS_ORDER).fillna(3),
        "_score": -rank["score"].reindex(due.index).fillna(-np.inf),
        "_id": due.index,
    }, index=due.index).sort_values(["_late", "_rule", "_cls", "_score", "_id"])
    ids = q.index
    sel = by_id.reindex(ids)
    who = _primary_contacts(contacts).reindex(ids)
    phone = who["phone"].where(who["phone"].notna(), per["phone"].reindex(ids))
    t = today
    return _frame({
        "position": list(range(1, len(ids) + 1)),
        "client_id": list(ids),
        "name": _objs(per["name"].reindex(ids)),
        "contact": _objs(who["name"]),
        "phone": _objs(phone),
        "channel": _objs(who["preferred_channel"]),
        "follow_up_reason": list(sel["follow_up_reason"]),
        "next_follow_up": list(sel["next_follow_up"]),
        "days_overdue": [(t - d).days for d in sel["next_follow_up"]],
        "last_contact": list(sel["last_contact"]),
        "class": list(sel["class"]),
        "open_pipeline": _nums(pipeline.reindex(ids).fillna(0.0), 2),
        "open_complaints": [int(n) for n in open_cases.reindex(ids).fillna(0)],
        "client_row": [int(r) for r in per.loc[ids, "client_row"]],
        "rule": list(sel["rule"]),
    })


def _rankings(per, rank, lang, offer_next: dict[str, str]) -> pd.DataFrame:
    r = rank[rank["rank"].notna()].sort_values("rank")
    g = r["growth"].where(np.isfinite(r["growth"]))    # new revenue: growth has no number
    notes = ranking.GROWTH_NOTES.get(lang, ranking.GROWTH_NOTES["en"])
    return _frame({
        "rank": _ints(r["rank"]),
        "client_id": list(r.index),
        "name": _objs(per["name"].reindex(r.index)),
        "class": _objs(r["class"]),
        "tier": _objs(r["tier"]),
        "score": _nums(r["score"], ranking.SCORE_DECIMALS),
        "revenue_12m": _nums(r["revenue_12m"], 2),
        "revenue_prior": _nums(r["revenue_prior"], 2),
        "growth": _nums(g, 4),
        "growth_note": [notes.get(n) if isinstance(n, str) else None for n in r["growth_note"]],
        "frequency": _ints(r["frequency"]),
        "recency_days": _ints(r["recency_days"]),
        "pipeline": _nums(r["pipeline"], 2),
        **{f"pts_{k}": _nums(r[f"pts_{k}"], ranking.SCORE_DECIMALS) for k in ranking.COMPONENT_KEYS.values()},
        "offer_next": [offer_next.get(cid) for cid in r.index],     # core/crosssell.py
        "excludes": [None] * len(r),       # core/plan.py names the rows refresh left out
    })


def _kpis(per, by_id, rank, deals, settings, open_cases, today) -> dict:
    known = deals["client_id"].isin(per.index) & ranking.open_deals(deals)
    weighted = ranking.weighted_amounts(deals, settings)[known].fillna(0).sum()
    return {
        "refreshed": today,
        "active_clients": int((per["status"] == "Active").sum()),
        "calls_overdue": int((by_id["follow_up_status"] == "Overdue").sum()),
        "calls_today": int((by_id["follow_up_status"] == "Today").sum()),
        "revenue_12m": round(float(rank["revenue_12m"].sum()), 2),
        "weighted_pipeline": round(float(weighted), 2),
        "open_complaints": int(open_cases.reindex(per.index).fillna(0).sum()),
        "high_risk": int((by_id["risk"] == "High").sum()),
    }


# --- value conversion ------------------------------------------------------------------------
def _frame(columns: dict[str, list], index=None) -> pd.DataFrame:
    """Object columns that keep None, ints and dates as they are (no NaN, no float ranks)."""
    n = len(next(iter(columns.values()))) if columns else 0
    index = pd.RangeIndex(n) if index is None else index
    return pd.DataFrame({k: pd.Series(v, index=index, dtype=object) for k, v in columns.items()},
                        index=index)


def _dates(s: pd.Series) -> list:
    days = pd.to_datetime(pd.Series(s)).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return list(days.astype(object))          # NaT becomes None


def _nums(s: pd.Series, nd: int) -> list:
    v = pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(dtype=float)
    out = np.round(v, nd).astype(object)
    out[np.isnan(v)] = None
    return list(out)


def _ints(s: pd.Series) -> list:
    v = pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(dtype=float)
    out = np.empty(len(v), dtype=object)
    ok = ~np.isnan(v)
    out[ok] = v[ok].astype(np.int64).astype(object)
    return list(out)


def _objs(s: pd.Series) -> list:
    out = pd.Series(s).to_numpy(dtype=object).copy()
    out[pd.isna(out)] = None
    return list(out)
