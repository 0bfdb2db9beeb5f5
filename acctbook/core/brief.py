"""The client on one page, as values (docs/rules.md, "The client brief"): the client at a
glance, its contacts, the last ten touches, everything open, the competitors in play and what
to offer.

`build_brief(book, results, client_id, today)` is pure: `results` is what refresh computes
(core/plan.py refresh_results), so class, tier, rank and its points, risk and its reasons and
Revenue 12m are exactly the ones refresh writes. Values stay plain: dates as datetime.date,
amounts as floats, choice values canonical English (the page and the sheet rows show them in
the brief's language, the JSON keeps them). `brief_rows` flattens a Brief into one table (the
Brief sheet), `as_json` into plain data with stable English keys.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from acctbook.book import bidi, schema
from acctbook.book.i18n import tr
from acctbook.book.model import Book, Refused
from acctbook.core import crosssell, followups, ranking, risk
from acctbook.core.brief_table import SWOT, brief_rows  # noqa: F401 - core.brief.brief_rows
from acctbook.core.calendar_items import next_birthday
from acctbook.core.workdays import Calendar, years_around

TOUCHES = 10             # the last touches shown, newest first
BIRTHDAY_DAYS = 30       # a birthday this many days ahead (or fewer) is flagged
TREND_MONTHS = 12        # the revenue trend: this month (to date) and the 11 before
CLOSED_CONTRACTS = ("Cancelled", "Superseded", "Expired")   # not shown: no longer in force


class UnknownClient(Refused):
    """No Clients row has that Client ID: a refused request (exit 1), as an unknown deal is
    for a contract. The caller's argument, not the book's data, so it is raised."""


# --- the brief as values ----------------------------------------------------------------------
@dataclass(frozen=True)
class Glance:
    client_id: str
    name: str | None
    segment: str | None
    region: str | None
    city: str | None
    owner: str | None
    phone: str | None
    email: str | None
    status: str | None            # canonical English, as every choice here
    cls: str | None               # Class (A/B/C); "class" in the JSON
    tier: str | None
    rank: int | None
    ranked: int                   # clients on Rankings: "rank 3 of 57"
    score: float | None
    points: dict[str, float | None]     # Rankings' pts_*: revenue, growth, frequency, ...
    risk: str | None
    risk_reasons: tuple[str, ...]
    revenue_12m: float | None
    revenue_prior: float | None
    next_follow_up: dt.date | None
    follow_up_reason: str | None
    last_contact: dt.date | None
    excludes: str | None          # rows left out of the figures (Clients' Excludes)
    trend: tuple[tuple[str, float], ...]    # (YYYY-MM, revenue), oldest first


@dataclass(frozen=True)
class Contact:
    contact_id: str | None
    name: str | None
    role: str | None
    email: str | None
    phone: str | None
    channel: str | None
    primary: bool
    birthday: dt.date | None
    birthday_soon: dt.date | None     # the next birthday, when within BIRTHDAY_DAYS


@dataclass(frozen=True)
class Touch:
    date: dt.date
    channel: str | None
    direction: str | None
    contact: str | None
    subject: str | None
    outcome: str | None
    next_step: str | None
    next_step_date: dt.date | None


@dataclass(frozen=True)
class OpenDeal:
    deal_id: str | None
    title: str | None
    stage: str | None
    amount: float | None          # in the deal's currency
    currency: str
    probability: float | None     # the deal's, else its stage's (Settings)
    weighted: float | None        # in the book's currency: Deals' Weighted amount
    expected_close: dt.date | None


@dataclass(frozen=True)
class OpenOrder:
    order_id: str | None
    order_date: dt.date | None
    due_date: dt.date | None
    status: str | None
    amount: float
    lines: int
    late: bool                    # Due date before today


@dataclass(frozen=True)
class Invoice:
    order_id: str | None
    invoice_due: dt.date
    amount: float
    days_overdue: int             # ≤ 0: not yet due
    derived_from: dt.date | None  # a blank Invoice due: the invoice date it was counted from


@dataclass(frozen=True)
class Complaint:
    case_id: str | None
    opened: dt.date | None
    severity: str | None
    category: str | None
    description: str | None
    status: str | None
    sla_due: dt.date | None
    sla_status: str | None


@dataclass(frozen=True)
class Contract:
    contract_id: str | None
    deal_id: str | None
    status: str | None
    start: dt.date | None
    end: dt.date | None
    value: float | None
    notice_days: int | None
    renewal_date: dt.date | None  # End − Renewal notice, rolled back (docs/rules.md, rule 8)
    expired: bool                 # Signed and its End has passed (Contracts' State)


@dataclass(frozen=True)
class Competitor:
    name: str
    lost_deals: tuple[str, ...]   # the client's deals lost to it
    in_segment: bool              # its Segments include the client's segment
    strengths: str | None
    weaknesses: str | None
    opportunities: str | None
    threats: str | None
    price_level: str | None


@dataclass(frozen=True)
class Brief:
    lang: str
    today: dt.date
    currency: str                 # the book's (Settings Currency)
    number_format: str | None     # Settings Number format (a locale), or None
    client: Glance
    contacts: tuple[Contact, ...]
    touches: tuple[Touch, ...]
    touches_total: int
    deals: tuple[OpenDeal, ...]
    orders: tuple[OpenOrder, ...]
    invoices: tuple[Invoice, ...]
    complaints: tuple[Complaint, ...]
    contracts: tuple[Contract, ...]
    competitors: tuple[Competitor, ...]
    offers: tuple[Any, ...]       # crosssell.Offer


# --- plain values ---------------------------------------------------------------------------
def _given(v: Any) -> Any:
    """A cell's value, or None when blank (None, NaN, NaT, spaces)."""
    if isinstance(v, str):
        return v.strip() or None
    if v is None:
        return None
    try:
        return None if pd.isna(v) else v
    except (TypeError, ValueError):
        return v


def _day(v: Any) -> dt.date | None:
    v = _given(v)
    if isinstance(v, dt.datetime):          # pd.Timestamp too
        return v.date()
    return v if isinstance(v, dt.date) else None


def _num(v: Any) -> float | None:
    v = _given(v)
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def _int(v: Any) -> int | None:
    n = _num(v)
    return None if n is None else int(n)


def _text(v: Any) -> str | None:
    v = _given(v)
    return None if v is None else str(v)


# --- the client --------------------------------------------------------------------------------
def client_row(book: Book, client_id: str, lang: str | None = None) -> int:
    """The Excel row of the client (the first row with that Client ID, as refresh counts it;
    typed in another case or with spaces, it still matches). UnknownClient when none has it."""
    clients = book.frame("Clients")
    want = str(client_id or "").strip()
    rows = [r for r, v in zip(clients.index, clients["client_id"])
            if isinstance(v, str) and v.strip() == want]
    if not rows and want:
        folded = schema.fold(want)
        rows = [r for r, v in zip(clients.index, clients["client_id"])
                if isinstance(v, str) and schema.fold(v) == folded]
    if rows:
        return rows[0]
    lang, t = lang or book.lang, book.tables["Clients"]
    raise UnknownClient(tr(lang, "client {client} is not in {sheet} (no row with that "
                                 "{column})").format(
        client=want or tr(lang, "(blank)"), sheet=t.sheet, column=t.header("client_id", lang)))


def build_brief(book: Book, results, client_id: str, today: dt.date,
                lang: str | None = None) -> Brief:
    """Everything a manager wants on one page before meeting `client_id` (see the module)."""
    lang = lang if lang in schema.LANGS else book.lang
    row = client_row(book, client_id, lang)
    cid = book.frame("Clients").at[row, "client_id"].strip()
    touches = _touches(book, cid)
    return Brief(
        lang=lang, today=today, currency=book.settings.currency,
        number_format=book.settings.number_format,
        client=_glance(book, results, row, cid, today),
        contacts=_contacts(book, cid, today), touches=tuple(touches[:TOUCHES]),
        touches_total=len(touches), deals=_deals(book, results, cid),
        orders=_orders(book, cid, today), invoices=_invoices(book, cid, today),
        complaints=_complaints(book, results, cid), contracts=_contracts(book, cid, today),
        competitors=_competitors(book, row, cid),
        offers=tuple(crosssell.offers(book, cid, today, lang)))


def _of(frame: pd.DataFrame, cid: str) -> pd.DataFrame:
    return frame[frame["client_id"] == cid]


def _glance(book: Book, results, row: int, cid: str, today: dt.date) -> Glance:
    c = book.frame("Clients").loc[row]
    r = results.clients.loc[row] if row in results.clients.index else pd.Series(dtype=object)
    rk = results.rankings[results.rankings["client_id"] == cid]
    rk = rk.iloc[0] if len(rk) else pd.Series(dtype=object)
    reasons = _text(r.get("risk_reasons"))
    return Glance(
        client_id=cid, name=_text(c["name"]), segment=_text(c["segment"]),
        region=_text(c["region"]), city=_text(c["city"]), owner=_text(c["owner"]),
        phone=_text(c["phone"]), email=_text(c["email"]), status=_text(c["status"]),
        cls=_text(r.get("class")), tier=_text(r.get("tier")), rank=_int(r.get("rank")),
        ranked=len(results.rankings), score=_num(r.get("score")),
        points={k: _num(rk.get(f"pts_{k}")) for k in ranking.COMPONENT_KEYS.values()},
        risk=_text(r.get("risk")),
        risk_reasons=tuple(reasons.split("; ")) if reasons else (),
        revenue_12m=_num(r.get("revenue_12m")), revenue_prior=_num(rk.get("revenue_prior")),
        next_follow_up=_day(r.get("next_follow_up")),
        follow_up_reason=_text(r.get("follow_up_reason")),
        last_contact=_day(r.get("last_contact")), excludes=_text(r.get("excludes")),
        trend=monthly_revenue(_of(ranking.live_orders(book.frame("Orders")), cid), today))


def trend_months(today: dt.date, n: int = TREND_MONTHS) -> list[str]:
    """`YYYY-MM` of the n months ending with today's, oldest first."""
    k = today.year * 12 + today.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(k - n + 1, k + 1)]


def monthly_revenue(orders: pd.DataFrame, today: dt.date) -> tuple[tuple[str, float], ...]:
    """Revenue per month of `orders` (live order lines: ranking.live_orders, the amounts
    Revenue 12m adds up, in the book's currency), for the months of trend_months; the current
    month up to today."""
    months = trend_months(today)
    d = orders["order_date"]
    inside = d.notna() & (d >= pd.Timestamp(f"{months[0]}-01")) & (d <= pd.Timestamp(today))
    sums = orders.loc[inside, "amount"].fillna(0).groupby(
        d[inside].dt.strftime("%Y-%m")).sum()
    return tuple((m, round(float(sums.get(m, 0.0)), 2)) for m in months)


# --- contacts and touches --------------------------------------------------------------------
def _contacts(book: Book, cid: str, today: dt.date) -> tuple[Contact, ...]:
    """The client's contacts, its Primary first, then in the sheet's order."""
    f = _of(book.frame("Contacts"), cid)
    out = []
    for row in sorted(f.index, key=lambda r: (f.at[r, "primary"] is not True, r)):
        c = f.loc[row]
        born = _day(c["birthday"])
        soon = next_birthday(born, today) if born else None
        out.append(Contact(
            contact_id=_text(c["contact_id"]), name=_text(c["name"]), role=_text(c["role"]),
            email=_text(c["email"]), phone=_text(c["phone"]),
            channel=_text(c["preferred_channel"]), primary=c["primary"] is True, birthday=born,
            birthday_soon=soon if soon and (soon - today).days <= BIRTHDAY_DAYS else None))
    return tuple(out)


def _touches(book: Book, cid: str) -> list[Touch]:
    """Every dated interaction of the client, newest first; on one date the lower row on the
    sheet first (as Last contact takes it)."""
    f = _of(book.frame("Interactions"), cid)
    f = f[f["date"].notna()]
    people = book.frame("Contacts").dropna(subset=["contact_id"]).drop_duplicates("contact_id")
    names = dict(zip(people["contact_id"], people["name"]))
    out = []
    for row in sorted(f.index, key=lambda r: (f.at[r, "date"], r), reverse=True):
        i = f.loc[row]
        out.append(Touch(
            date=_day(i["date"]), channel=_text(i["channel"]), direction=_text(i["direction"]),
            contact=_text(names.get(i["contact_id"])), subject=_text(i["subject"]),
            outcome=_text(i["outcome"]), next_step=_text(i["next_step"]),
            next_step_date=_day(i["next_step_date"])))
    return out


# --- everything open ------------------------------------------------------------------------
def _deals(book: Book, results, cid: str) -> tuple[OpenDeal, ...]:
    """Open deals (every stage but Won and Lost), as the pipeline counts them."""
    deals = book.frame("Deals")
    d = deals[ranking.open_deals(deals) & (deals["client_id"] == cid)]
    s = book.settings
    weighted = results.deals.get("weighted_amount", pd.Series(dtype=object))
    out = []
    for row in d.index:
        x = d.loc[row]
        prob = _num(x["probability"])
        stage = _text(x["stage"])
        out.append(OpenDeal(
            deal_id=_text(x["deal_id"]), title=_text(x["title"]), stage=stage,
            amount=_num(x["amount"]), currency=(_text(x["currency"]) or s.currency).upper(),
            probability=prob if prob is not None else _num(s.stage_probability.get(stage)),
            weighted=_num(weighted.get(row)) if row in weighted.index else None,
            expected_close=_day(x["expected_close"])))
    return tuple(out)


def _orders(book: Book, cid: str, today: dt.date) -> tuple[OpenOrder, ...]:
    """Orders not fully delivered: live lines whose Status is Open or Partly delivered (the
    Delivery rule's), one entry per Order ID (a line without one alone)."""
    o = _of(ranking.live_orders(book.frame("Orders")), cid)
    o = o[o["status"].isin(followups.OPEN_ORDER)]
    key = o["order_id"].where(o["order_id"].notna(), "row " + o.index.astype(str))
    out = []
    for _, g in o.groupby(key.to_numpy(), sort=False):
        due = _day(g["due_date"].min())
        status = "Partly delivered" if (g["status"] == "Partly delivered").any() else "Open"
        out.append(OpenOrder(
            order_id=_text(g["order_id"].iloc[0]), order_date=_day(g["order_date"].min()),
            due_date=due, status=status, amount=round(float(g["amount"].fillna(0).sum()), 2),
            lines=len(g), late=due is not None and due < today))
    return tuple(sorted(out, key=lambda x: (x.due_date or dt.date.max, x.order_id or "")))


def _invoices(book: Book, cid: str, today: dt.date) -> tuple[Invoice, ...]:
    """Unpaid invoices as Risk counts them (core/risk.py unpaid_invoices: a blank Invoice due
    is the invoice date + the client's Payment terms), the most overdue first."""
    s = book.settings
    o = _of(ranking.live_orders(book.frame("Orders")), cid)
    inv = risk.unpaid_invoices(risk.with_terms(o, book.frame("Clients"), s["payment_terms"]),
                               today)
    out = [Invoice(order_id=_text(oid), invoice_due=_day(due), amount=round(float(amt), 2),
                   days_overdue=int(days), derived_from=_day(base))
           for oid, due, amt, days, base in zip(inv["order_id"], inv["invoice_due"],
                                                inv["amount"], inv["days"], inv["base"])]
    return tuple(sorted(out, key=lambda x: (-x.days_overdue, x.order_id or "")))


def _complaints(book: Book, results, cid: str) -> tuple[Complaint, ...]:
    """Complaints not Resolved, with refresh's SLA due and SLA status."""
    f = _of(book.frame("Complaints"), cid)
    f = f[f["status"] != "Resolved"]
    sla = results.complaints
    out = []
    for row in f.index:
        x = f.loc[row]
        got = sla.loc[row] if row in sla.index else {}
        out.append(Complaint(
            case_id=_text(x["case_id"]), opened=_day(x["opened"]), severity=_text(x["severity"]),
            category=_text(x["category"]), description=_text(x["description"]),
            status=_text(x["status"]), sla_due=_day(got.get("sla_due")),
            sla_status=_text(got.get("sla_status"))))
    return tuple(sorted(out, key=lambda x: (x.sla_due or dt.date.max, x.case_id or "")))


def _contracts(book: Book, cid: str, today: dt.date) -> tuple[Contract, ...]:
    """The client's contracts still in force or on their way (not Cancelled, Superseded or
    Expired); a contract without a Client ID is its deal's client's (as the Renewal rule
    takes it). Renewal date: End − Renewal notice (the contract's, else Settings), rolled
    back to a business day, as follow-up rule 8 counts it."""
    c = book.frame("Contracts")
    deals = book.frame("Deals").dropna(subset=["deal_id"]).drop_duplicates("deal_id")
    owner = c["client_id"].where(c["client_id"].notna(),
                                 c["deal_id"].map(dict(zip(deals["deal_id"], deals["client_id"]))))
    c = c[(owner == cid) & ~c["status"].isin(CLOSED_CONTRACTS)]
    cal = Calendar.from_settings(book.settings, years_around(today, [_day(e) for e in c["end"]]))
    default = _int(book.settings["renewal_notice"]) or 0
    out = []
    for row in c.index:
        x = c.loc[row]
        end, notice = _day(x["end"]), _int(x["renewal_notice"])
        notice = default if notice is None else notice
        out.append(Contract(
            contract_id=_text(x["contract_id"]), deal_id=_text(x["deal_id"]),
            status=_text(x["status"]), start=_day(x["start"]), end=end, value=_num(x["value"]),
            notice_days=notice,
            renewal_date=cal.roll_back(end - dt.timedelta(days=notice)) if end else None,
            expired=x["status"] == "Signed" and end is not None and end < today))
    return tuple(sorted(out, key=lambda x: (x.renewal_date or dt.date.max, x.contract_id or "")))


# --- competitors ------------------------------------------------------------------------------
def _competitors(book: Book, row: int, cid: str) -> tuple[Competitor, ...]:
    """The competitors the client's deals were lost to (Deals, Lost to), most deals first,
    then those whose Segments (comma-separated) name the client's segment; each with its
    SWOT lines from Competitors."""
    deals = _of(book.frame("Deals"), cid)
    lost = deals[(deals["stage"] == "Lost") & deals["lost_to"].notna()]
    lost_to: dict[str, list[str]] = {}
    for name, deal in zip(lost["lost_to"], lost["deal_id"]):
        if _text(name):
            lost_to.setdefault(name.strip(), []).append(_text(deal) or "")
    segment = _text(book.frame("Clients").at[row, "segment"])
    comp = book.frame("Competitors").dropna(subset=["competitor"])
    comp = comp.drop_duplicates("competitor").set_index("competitor", drop=False)
    in_segment = {name for name, segs in zip(comp["competitor"], comp["segments"])
                  if segment and schema.fold(segment) in
                  {schema.fold(s) for s in str(segs or "").split(",") if s.strip()}}
    names = sorted(lost_to, key=lambda n: (-len(lost_to[n]), schema.fold(n)))
    names += sorted(in_segment - set(names), key=schema.fold)
    out = []
    for name in names:
        x = comp.loc[name] if name in comp.index else pd.Series(dtype=object)
        out.append(Competitor(
            name=name, lost_deals=tuple(lost_to.get(name, ())), in_segment=name in in_segment,
            **{k: _text(x.get(k)) for k in SWOT}, price_level=_text(x.get("price_level"))))
    return tuple(out)


# --- the JSON ---------------------------------------------------------------------------------
def as_json(brief: Brief) -> dict:
    """The brief as plain data: stable English keys, dates ISO, numbers as numbers, choice
    values canonical English, texts without the invisible direction marks."""
    data = dataclasses.asdict(brief)
    data["client"] = {("class" if k == "cls" else k): v for k, v in data["client"].items()}
    data["client"]["trend"] = [{"month": m, "revenue": v} for m, v in brief.client.trend]
    return _plain(data)


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, str):
        return bidi.plain(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item") and not isinstance(v, (bytes, bool)):    # numpy scalars
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v
