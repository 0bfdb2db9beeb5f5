"""The demo's history (see demo.py): orders, interactions, deals, complaints, events and
contracts, drawn at random for every client; and the catalogue they are drawn from.

The catalogue (products, competitors, events, places, clients, people and the wording of
interactions) is data, in demo_catalogue.json beside this file; `load_catalogue()` reads
it once, with every JSON list as a tuple, as the values were when they were Python literals
(the code compares some of them with tuples).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from importlib import resources

from acctbook.book import schema

CATALOGUE_FILE = "demo_catalogue.json"


def _tuples(value):
    """JSON lists -> tuples, all the way down."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def load_catalogue() -> dict[str, object]:
    """demo_catalogue.json (its "about" key says what each record holds)."""
    text = resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("about", None)
    return _tuples(data)


CATALOGUE = load_catalogue()
PRODUCTS = CATALOGUE["products"]
SEGMENT_CATEGORIES = CATALOGUE["segment_categories"]
COMPETITORS = CATALOGUE["competitors"]
LOST_REASONS = CATALOGUE["lost_reasons"]
EVENTS = CATALOGUE["events"]
CITIES = CATALOGUE["cities"]
STREETS = CATALOGUE["streets"]
CLIENTS = CATALOGUE["clients"]
SCENARIO_NAMES = CATALOGUE["scenario_names"]
SIZES = CATALOGUE["sizes"]                    # annual revenue (ILS) and orders a year by size
SCENARIO_SIZE = CATALOGUE["scenario_size"]
HE_FIRST = CATALOGUE["he_first"]
HE_LAST = CATALOGUE["he_last"]
EN_FIRST = CATALOGUE["en_first"]
EN_LAST = CATALOGUE["en_last"]
ROLES = CATALOGUE["roles"]
SUBJECTS = CATALOGUE["subjects"]
OUTCOME_CHANNELS = CATALOGUE["outcome_channels"]
OUTCOME_WEIGHTS = CATALOGUE["outcome_weights"]
NEXT_STEPS = CATALOGUE["next_steps"]
COMPLAINT_TEXT = CATALOGUE["complaint_text"]
DEAL_TITLES = CATALOGUE["deal_titles"]
COMPETITORS_HE = dict(zip((c[0] for c in COMPETITORS), (c[0] for c in CATALOGUE["competitors_he"])))


@dataclass
class Client:
    cid: str
    role: str
    size: str
    row: dict
    lang: str
    country: str
    domain: str
    segment: str
    terms: int
    created: dt.date
    contacts: list[str] = field(default_factory=list)
    city: str = ""     # the catalogue's key, whatever name the row shows


def table_row(table: str, **values) -> dict:
    """A row with every non-computed column of `table`; blanks are None."""
    keys = [c.key for c in schema.TABLES[table].columns if not c.computed]
    unknown = set(values) - set(keys)
    if unknown:
        raise KeyError(f"{table}: {sorted(unknown)}")
    return {k: values.get(k) for k in keys}


def line_amount(qty: float, price: float, discount: float | None) -> float:
    return round(qty * price * (1 - (discount or 0) / 100), 2)


class DemoHistory:
    """The random history of `Demo` (demo.py), which supplies `t`, `rng`, `cal`, `out`,
    `clients`, `hebrew` (the book's language is Hebrew), the counters and the helpers `ago`,
    `day_between`, `lines` and `client`.

    Words come in [English, Hebrew] pairs, and the random draws never depend on which one is
    taken, so both languages' books have the same clients, amounts and dates."""

    def noted(self, c: Client) -> int:
        """Which word of a pair the manager writes about `c` (subjects, next steps, cases):
        her book's language, or Hebrew for a client who speaks it."""
        return 1 if self.hebrew or c.lang == "he" else 0

    def spoken(self, c: Client) -> int:
        """Which word of a pair `c` reads (deal titles, roles, its contract): Hebrew for a
        client who speaks it, and in a Hebrew book for every Israeli client."""
        return 1 if c.lang == "he" or (self.hebrew and c.country == "IL") else 0

    def competitor(self, name: str) -> str:
        """A competitor (its English name in the catalogue) as the book names it."""
        return COMPETITORS_HE[name] if self.hebrew else name

    def lost_to(self) -> str:
        """A competitor drawn at random, as the book names it."""
        return self.competitor(self.rng.choice(COMPETITORS)[0])

    def history_window(self, c: Client) -> tuple[dt.date, dt.date]:
        start = max(c.created + dt.timedelta(days=7), self.ago(730))
        if c.role == "prospect":
            return c.created, self.t
        if c.role == "dormant":
            return start, self.ago(self.rng.randint(400, 520))
        if c.role == "lost":
            return start, self.ago(self.rng.randint(250, 450))
        if c.role in SCENARIO_SIZE:
            return start, self.ago(60)   # a quiet, settled past; the scenario adds the rest
        return start, self.t

    def make_history(self, c: Client):
        start, end = self.history_window(c)
        settled = c.role != "prospect" and end < self.t
        if c.role == "prospect":
            self.prospect_history(c)
            return
        low, high, per_year = SIZES[c.size]
        annual = self.rng.uniform(low, high)
        if c.role == "drop":   # a steady client whose orders fell to a quarter this year
            self.orders_between(c, start, self.ago(366), annual * 1.3, per_year)
            self.orders_between(c, self.ago(364), end, annual * 0.3, per_year / 2)
        else:
            trend = self.rng.uniform(0.8, 1.25)
            mid = max(start, self.ago(365))
            self.orders_between(c, start, mid, annual / trend, per_year)
            self.orders_between(c, mid + dt.timedelta(days=1), end, annual, per_year)
        self.interactions_between(c, start, end)
        if not settled and self.rng.random() < 0.75:   # she is mostly on top of her accounts
            self.log(c, self.day_between(self.ago(7), self.t),
                     self.rng.choice(("Reached", "Reached", "Info sent", "Order", "Meeting set")))
        self.deals_for(c, start, end, open_deals=not settled)
        self.complaints_for(c, start, end, open_ok=not settled)
        if c.role == "lost":
            self.log(c, end, "Declined", channel="Meeting")
            self.lost_deal(c, end)
        if c.role == "dormant":   # one unanswered try after a long silence
            self.log(c, self.day_between(self.ago(200), self.ago(100)), "Info sent",
                     channel="Mail", subject=("Catalogue mailed", "נשלח קטלוג בדואר"),
                     next_date=None)

    def orders_between(self, c: Client, a: dt.date, b: dt.date, annual: float, per_year: float):
        if b <= a:
            return
        years = (b - a).days / 365
        n = max(1, round(per_year * years * self.rng.uniform(0.8, 1.2)))
        for _ in range(n):
            when = self.day_between(a, b)
            value = annual / per_year * self.rng.uniform(0.6, 1.4)
            self.order(c, when, self.lines(c, when, value))

    def order(self, c: Client, when: dt.date, lines, *, deal_id=None, status=None,
              due=None, delivered=None, paid="auto", contract_id=None) -> str:
        """One order, its lines' delivery and payment following their age unless given."""
        rng = self.rng
        self.order_no += 1
        oid = f"SO-{self.order_no:05d}"
        lead = rng.randint(3, 21) if c.country == "IL" else rng.randint(14, 35)
        due = due or when + dt.timedelta(days=lead)
        if status is None:
            status = self.order_status(when, due)
        if status == "Delivered" and delivered is None:
            # Most deliveries are on time, some a few days late.
            late = rng.randint(1, 7) if rng.random() < 0.2 else rng.randint(-4, 0)
            delivered = min(self.t, max(when, due + dt.timedelta(days=late)))
        if status == "Partly delivered" and delivered is None:
            delivered = self.day_between(when + dt.timedelta(days=1), self.t)
        invoice = (when + dt.timedelta(days=c.terms)
                   if status in ("Delivered", "Partly delivered") else None)
        if paid == "auto":
            paid = self.paid_on(when, invoice)
        for sku, qty, price, disc in lines:
            line_status, dqty, inv = status, None, invoice
            if status == "Delivered":
                dqty = qty
            elif status == "Partly delivered" and qty >= 2:
                dqty = float(math.floor(qty / 2))
            elif status == "Partly delivered":
                line_status, inv = "Open", None   # one unit cannot be half-shipped
            self.out["Orders"].append(table_row(
                "Orders", order_id=oid, client_id=c.cid, deal_id=deal_id,
                contract_id=contract_id, order_date=when, sku=sku, quantity=qty,
                unit_price=price, discount=disc,
                amount=None if self.order_no % 17 == 0 else line_amount(qty, price, disc),
                due_date=due, delivered_on=delivered if dqty else None, delivered_qty=dqty,
                status=line_status, invoice_due=inv, paid_on=paid if inv else None))
        return oid

    def order_status(self, when: dt.date, due: dt.date) -> str:
        if self.rng.random() < 0.03:
            return "Cancelled"
        if (self.t - when).days > 40 or (due < self.t and self.rng.random() < 0.85):
            return "Delivered"    # a few late ones stay open
        partly = 20 if (self.t - when).days >= 2 else 0   # a first shipment takes a day or two
        return self.rng.choices(("Open", "Partly delivered", "Delivered"), (45, partly, 35))[0]

    def paid_on(self, when: dt.date, invoice: dt.date | None) -> dt.date | None:
        """Invoices due before today are paid (only scenarios leave debts); later ones rarely."""
        if invoice is None:
            return None
        if invoice < self.t:
            day = invoice + dt.timedelta(days=self.rng.randint(-8, 20))
            return self.cal.roll_back(max(when + dt.timedelta(days=1), min(day, self.ago(1))))
        if self.rng.random() < 0.15 and when < self.t:
            return self.day_between(when + dt.timedelta(days=1), self.t)
        return None

    def interactions_between(self, c: Client, a: dt.date, b: dt.date):
        gap = {"key": 12, "big": 17, "mid": 26, "small": 42}[c.size]
        day = a + dt.timedelta(days=int(self.rng.expovariate(1 / gap)))
        while day <= b:
            outcome = self.rng.choices(*zip(*OUTCOME_WEIGHTS))[0]
            self.log(c, self.cal.roll_back(day) if self.cal.roll_back(day) >= a else day, outcome,
                     horizon=b)
            day += dt.timedelta(days=max(1, int(self.rng.expovariate(1 / gap))))

    def log(self, c: Client, day: dt.date, outcome: str, *, channel=None, direction=None,
            subject=None, next_step=None, next_date="auto", contact="auto", event_id=None,
            horizon=None):
        rng = self.rng
        channel = channel or rng.choice(OUTCOME_CHANNELS[outcome])
        if direction is None:
            direction = {"No answer": "Out", "Info sent": "Out", "Proposal sent": "Out",
                         "Order": "In", "Complaint": "In"}.get(outcome) or rng.choice(("In", "Out"))
        if subject is None:
            subject = rng.choice(SUBJECTS[outcome])
        if next_date == "auto":
            next_step, next_date = None, None
            plan = NEXT_STEPS.get(outcome)
            if plan and (outcome in ("Meeting set", "Proposal sent") or rng.random() < 0.3):
                text, lo, hi = plan
                next_step, next_date = text, self.cal.roll_forward(day + dt.timedelta(
                    days=rng.randint(lo, hi)))
                if horizon is not None and horizon < self.t and next_date > horizon:
                    next_step, next_date = None, None   # a settled past keeps no promise open
        if contact == "auto":
            contact = rng.choice(c.contacts) if c.contacts and rng.random() < 0.9 else None
        lang = self.noted(c)
        self.out["Interactions"].append(table_row(
            "Interactions", date=day, client_id=c.cid, contact_id=contact, channel=channel,
            direction=direction, subject=subject[lang] if isinstance(subject, tuple) else subject,
            outcome=outcome,
            next_step=next_step[lang] if isinstance(next_step, tuple) else next_step,
            next_step_date=next_date, event_id=event_id))

    def prospect_history(self, c: Client):
        rng = self.rng
        days = sorted(self.day_between(c.created, self.t) for _ in range(rng.randint(2, 5)))
        for day in days:
            self.log(c, day, rng.choice(("Reached", "Info sent", "Meeting set", "No answer")))
        self.prospects += 1   # prospects' deals take every open stage in turn
        stage = schema.OPEN_STAGES[(self.prospects - 1) % len(schema.OPEN_STAGES)]
        self.deal(c, stage, self.day_between(c.created, days[-1]), days[-1])

    # -- deals --
    def deal(self, c: Client, stage: str, created: dt.date, since: dt.date, *,
             value: float | None = None, items: bool = True, title=None) -> tuple[str, list]:
        rng = self.rng
        self.deal_no += 1
        did = f"D-{self.deal_no:04d}"
        low, high, per_year = SIZES[c.size]
        value = value or rng.uniform(low, high) / per_year * rng.uniform(1.0, 2.5)
        lines = self.lines(c, since, value)
        main = next(p for p in PRODUCTS if p[0] == lines[0][0])
        title = title or DEAL_TITLES[main[2]][self.spoken(c)]
        amount = round(sum(line_amount(q, p, d) for _, q, p, d in lines), 2)
        closed = stage in ("Won", "Lost")
        row = table_row("Deals", deal_id=did, client_id=c.cid, title=f"{title} {since.year}",
                   stage=stage, amount=amount, created=created, stage_since=since,
                   expected_close=since if closed else since + dt.timedelta(
                       days=rng.randint(20, 90)),
                   probability=rng.choice((None, None, None, 50.0, 70.0)) if not closed else None)
        if stage == "Lost":
            reason = rng.choice(LOST_REASONS)
            row["lost_reason"] = reason[self.hebrew]
            if reason[0] not in ("Budget cut", "Project cancelled"):
                row["lost_to"] = self.lost_to()
        self.out["Deals"].append(row)
        if items and rng.random() < 0.88:
            for sku, qty, price, disc in lines:
                self.out["DealItems"].append(table_row(
                    "DealItems", deal_id=did, sku=sku, quantity=qty,
                    unit_price=None if rng.random() < 0.3 else price, discount=disc))
        return did, lines

    def deals_for(self, c: Client, a: dt.date, b: dt.date, open_deals: bool):
        rng = self.rng
        if (b - a).days < 60:
            return
        for _ in range(rng.choice((1, 1, 1, 2))):
            close = self.day_between(a + dt.timedelta(days=30), b - dt.timedelta(days=15))
            created = self.day_between(max(c.created, close - dt.timedelta(days=90)), close)
            did, lines = self.deal(c, "Won", created, close)
            when = self.cal.roll_forward(close + dt.timedelta(days=rng.randint(2, 10)))
            if when < b:
                self.order(c, when, lines, deal_id=did)
        if rng.random() < 0.35:
            self.lost_deal(c, self.day_between(a + dt.timedelta(days=30), b))
        if open_deals and rng.random() < 0.5:
            stage = rng.choice(schema.OPEN_STAGES)
            created = self.day_between(self.ago(120), self.ago(10))
            self.deal(c, stage, created, self.day_between(created, self.t))

    def make_last_month(self):
        """Deals won and lost in the last full month, so the demo's monthly report has
        a win rate, lost deals by competitor and new orders to show."""
        end = self.t.replace(day=1) - dt.timedelta(days=1)
        start = end.replace(day=1)
        steady = [c for c in self.clients if c.role in ("small", "mid", "big")]
        picks = self.rng.sample(steady, min(6, len(steady)))
        for c in picks[:3]:
            close = self.day_between(start, end)
            did, lines = self.deal(c, "Won", self.day_between(close - dt.timedelta(days=60),
                                                              close), close)
            when = self.cal.roll_forward(close + dt.timedelta(days=self.rng.randint(1, 4)))
            if when <= self.t:
                self.order(c, when, lines, deal_id=did)
        for c in picks[3:]:
            close = self.day_between(start, end)
            self.deal(c, "Lost", self.day_between(close - dt.timedelta(days=60), close), close)
            row = self.out["Deals"][-1]
            row["lost_reason"] = self.rng.choice(LOST_REASONS[:3])[self.hebrew]   # to a competitor
            row["lost_to"] = self.lost_to()
        for c, (category, severity) in zip(picks, (("Delivery", "Medium"), ("Quality", "Low"))):
            opened = self.day_between(start, end - dt.timedelta(days=7))
            self.complaint(c, opened, category, severity, "Resolved",
                           resolved_on=self.cal.roll_forward(opened + dt.timedelta(days=1)))

    def lost_deal(self, c: Client, close: dt.date):
        created = self.day_between(max(c.created, close - dt.timedelta(days=80)), close)
        self.deal(c, "Lost", created, close)

    # -- complaints --
    def complaint(self, c: Client, opened: dt.date, category: str, severity: str, status: str,
                  resolved_on: dt.date | None = None, channel: str = "Phone",
                  next_step=None, next_date=None) -> str:
        self.case_no += 1
        case = f"K-{self.case_no:04d}"
        text = COMPLAINT_TEXT[category]
        lang = self.noted(c)
        self.out["Complaints"].append(table_row(
            "Complaints", case_id=case, client_id=c.cid, opened=opened, channel=channel,
            category=category, severity=severity, description=text[lang], status=status,
            resolved_on=resolved_on if status == "Resolved" else None,
            resolution=("Replaced / credited" if lang == 0 else "הוחלף / זוכה")
            if status == "Resolved" else None))
        self.log(c, opened, "Complaint", channel=channel, direction="In",
                 subject=f"{case}: {text[lang]}", next_step=next_step, next_date=next_date)
        return case

    def complaints_for(self, c: Client, a: dt.date, b: dt.date, open_ok: bool):
        rng = self.rng
        n = rng.choices((0, 1, 2), (55, 35, 10))[0]
        for _ in range(n):
            category = rng.choice(schema.CATEGORIES)
            severity = rng.choices(schema.SEVERITIES, (25, 45, 30))[0]
            if open_ok and rng.random() < 0.12:
                opened = self.day_between(self.ago(20), self.t)
                self.complaint(c, opened, category, severity, rng.choice(("Open", "In progress")))
                open_ok = False      # one open case at most: two open is the scenario's risk
                continue
            opened = self.day_between(a, b - dt.timedelta(days=5))
            resolved = min(self.t, max(opened, self.cal.add(opened, rng.choice((0, 1, 1, 2, 3,
                                                                             5, 8)))))
            self.complaint(c, opened, category, severity, "Resolved", resolved,
                           channel=rng.choice(("Phone", "Email", "Email", "Meeting", "Fax")))

    def make_event_attendance(self):
        rng = self.rng
        for ev in self.out["Events"]:
            if ev["date"] > self.t:
                self.invite(ev)
                continue
            pool = [c for c in self.clients if c.created <= ev["date"] and c.role not in
                    ("lost", "dormant") and not (c.role in SCENARIO_SIZE and
                                                 ev["date"] > self.ago(60))]
            for c in rng.sample(pool, min(len(pool), rng.randint(4, 9))):
                outcome = rng.choice(("Reached", "Meeting set", "Info sent"))
                self.log(c, ev["date"], outcome, channel="Event", direction="In",
                         subject=(f"Met at {ev['name']}", f"נפגשנו ב-{ev['name']}"),
                         event_id=ev["event_id"], next_date=None)

    def invite(self, ev: dict):
        """The upcoming event: invitations sent by e-mail in the last days."""
        pool = [c for c in self.clients if c.role in ("key", "big", "mid", "prospect")]
        for c in self.rng.sample(pool, 5):
            self.log(c, self.day_between(self.ago(10), self.t), "Info sent", channel="Email",
                     direction="Out", subject=(f"Invitation: {ev['name']}",
                                               f"הזמנה: {ev['name']}"), next_date=None)
            self.invited.append((c, self.out["Interactions"][-1]))

    # -- contracts --
    def contract(self, c: Client, status: str, start: dt.date | None, end: dt.date | None,
                 deal_id: str | None = None, signed_on: dt.date | None = None,
                 made: dt.date | None = None, value: float | None = None):
        rng = self.rng
        made = made or signed_on or start or self.t
        row = table_row("Contracts", client_id=c.cid, deal_id=deal_id,
                   template="contract.he.docx" if self.spoken(c) else "contract.docx",
                   status=status, start=start, end=end,
                   value=value or round(rng.uniform(*SIZES[c.size][:2]), -3),
                   discount={"key": 10.0, "big": 7.0}.get(c.size, 3.0),
                   payment_terms=c.terms, referral_clause=rng.random() < 0.7,
                   renewal_notice=90 if rng.random() < 0.2 and status != "Signed" else None,
                   signed_on=signed_on)
        self.contracts.append((made, row))
        return row

    def make_bulk_contracts(self):
        """Framework agreements: current ones signed, earlier ones expired, a few pending."""
        rng = self.rng
        soon = True   # the first big client's framework also ends inside the notice window
        for c in self.clients:
            if c.role not in ("key", "big", "cadence"):
                continue
            end = self.ago(-rng.randint(120, 500))
            if c.role == "big" and soon:
                end, soon = self.ago(-50), False
            start = end - dt.timedelta(days=729)
            signed_on = self.cal.roll_back(start - dt.timedelta(days=rng.randint(3, 20)))
            self.contract(c, "Signed", start, end, signed_on=signed_on)
            old_start = start - dt.timedelta(days=730)
            if old_start >= c.created:
                self.contract(c, "Expired", old_start, start - dt.timedelta(days=1),
                              signed_on=self.cal.roll_back(old_start - dt.timedelta(days=7)))
        bulk = [d for d in self.out["Deals"]
                if self.client(d["client_id"]).role not in SCENARIO_SIZE]
        late = [d for d in bulk if d["stage"] in ("Needs analysis", "Proposal", "Negotiation")]
        early = [d for d in bulk if d["stage"] in ("Lead", "Qualified")]
        pending = zip((late + early)[:4], ("Draft", "Sent", "Draft", "Sent"))
        for i, (d, status) in enumerate(pending):
            start = self.cal.roll_forward(self.ago(-rng.randint(20, 60)))
            row = self.contract(self.client(d["client_id"]), status, start,
                                start + dt.timedelta(days=364), deal_id=d["deal_id"],
                                made=self.day_between(d["stage_since"], self.t), value=d["amount"])
            if i == 1:          # renegotiated: its first version Superseded, this one its -v2
                self.first_version(row)
        lost = next(d for d in bulk if d["stage"] == "Lost")   # drafted, then the deal was lost
        made = self.day_between(lost["created"], lost["stage_since"])
        self.contract(self.client(lost["client_id"]), "Cancelled", made + dt.timedelta(days=30),
                      made + dt.timedelta(days=394), deal_id=lost["deal_id"], made=made,
                      value=lost["amount"])

    def first_version(self, row: dict) -> None:
        """The Superseded first version of contract `row` (5% dearer), numbered just before
        it: `row` becomes its -v2 (docs/rules.md, "Contract versions"). Draws nothing from
        the random generator, so the rest of the demo stays as it was."""
        made = self.contracts[-1][0]
        first = dict(row, status="Superseded", value=round(row["value"] * 1.05, -2)
                     if row["value"] else None)
        self.contracts.insert(len(self.contracts) - 1, (made, first))
        self.second_versions = {**getattr(self, "second_versions", {}), id(row): first}

    def number_contracts(self):
        """CTR-YYYY-NNNN in the order they were made, as acctbook would have numbered them."""
        per_year: dict[int, int] = {}
        versions = getattr(self, "second_versions", {})
        for made, row in sorted(self.contracts, key=lambda mr: (mr[0], mr[1]["client_id"])):
            if id(row) in versions:
                row["contract_id"] = versions[id(row)]["contract_id"] + "-v2"
            else:
                per_year[made.year] = per_year.get(made.year, 0) + 1
                row["contract_id"] = f"CTR-{made.year}-{per_year[made.year]:04d}"
            if row["status"] in ("Signed", "Expired", "Draft", "Sent", "Superseded"):
                row["file"] = f"contracts/{row['contract_id']}.docx"
            self.out["Contracts"].append(row)
        # Orders placed under a signed framework name it.
        signed = {r["client_id"]: r for _, r in self.contracts if r["status"] == "Signed"}
        for o in self.out["Orders"]:
            r = signed.get(o["client_id"])
            if r and o["deal_id"] is None and r["start"] <= o["order_date"] <= r["end"]:
                o["contract_id"] = r["contract_id"]
