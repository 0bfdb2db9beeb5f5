"""The demo's scenario clients (see demo.py): each one's own records make one follow-up
rule its earliest candidate (docs/rules.md, "Follow-up candidates") or make one risk
condition hold (docs/rules.md, "Risk") as of `today`. `Demo.build()` calls
`scenario_<role>` for every client whose role is a key of the catalogue's scenario_size.
And the demo's marketing (`DemoCampaigns`): consent, attendance and campaigns.
"""

from __future__ import annotations

import datetime as dt

from acctbook.book import schema
from acctbook.create.demo_history import (
    CATALOGUE, CITIES, LOST_REASONS, Client, line_amount, table_row)

SEGMENT_HE = dict(CATALOGUE["segments"])


class DemoScenarios:
    """Scenario builders of `Demo` (demo.py); they use its helpers and DemoHistory's
    `order`, `log`, `deal`, `lost_deal`, `complaint`, `contract` and `competitor`."""

    def recent_order(self, c: Client, days_ago: int, value: float, **kw) -> str:
        when = self.cal.roll_back(self.ago(days_ago))
        return self.order(c, when, self.lines(c, when, value), **kw)

    def scenario_complaint(self, c):
        """Rule 1: a High complaint three business days old, technician visit promised later."""
        self.recent_order(c, 24, 40_000, status="Delivered",
                          due=self.ago(12), delivered=self.cal.roll_back(self.ago(10)), paid=None)
        self.log(c, self.cal.roll_back(self.ago(18)), "Reached", channel="Meeting", next_date=None)
        self.complaint(c, self.bd(-3), "Quality", "High", "In progress",
                       next_step=("Technician visit", "ביקור טכנאי"),
                       next_date=self.cal.roll_forward(self.ago(-6)))

    def scenario_payment(self, c):
        """Rule 2 and risk Medium: one invoice 12 days overdue, the rest in order."""
        self.order(c, self.ago(c.terms + 12), self.lines(c, self.ago(c.terms + 12), 9_800),
                   status="Delivered", due=self.ago(c.terms + 5),
                   delivered=self.ago(c.terms + 6), paid=None)
        self.log(c, self.bd(-4), "Info sent", channel="Email",
                 subject=("Invoice copy sent on request", "נשלח העתק חשבונית"), next_date=None)

    def scenario_high_overdue(self, c):
        """Rule 2 and risk High: an invoice 45 days overdue; a transfer promised for later."""
        self.order(c, self.ago(c.terms + 45), self.lines(c, self.ago(c.terms + 45), 23_000),
                   status="Delivered", due=self.ago(c.terms + 35),
                   delivered=self.ago(c.terms + 36), paid=None)
        self.log(c, self.bd(-5), "Reached", channel="Phone",
                 subject=("Overdue invoice: transfer promised", "חשבונית באיחור: הובטחה העברה"),
                 next_step=("Check the payment arrived", "לבדוק שהתשלום הגיע"),
                 next_date=self.cal.roll_forward(self.ago(-4)))

    def scenario_delivery(self, c):
        """Rule 3: a fume hood due tomorrow and not yet shipped."""
        when = self.cal.roll_back(self.ago(16))
        self.order(c, when, [("LAB-FH-150", 1.0, 68000.0, 3.0), ("SAF-GOG-10", 5.0, 240.0, 3.0)],
                   status="Open", due=self.t + dt.timedelta(days=1), paid=None)
        self.log(c, when, "Order", channel="Email", next_date=None)
        # Gloves: half shipped, the rest due in three days (also a Delivery candidate, later).
        self.order(c, self.cal.roll_back(self.ago(9)), [("CON-GLV-100", 200.0, 38.0, 3.0)],
                   status="Partly delivered", due=self.t + dt.timedelta(days=3),
                   delivered=self.cal.roll_back(self.ago(5)), paid=None)
        self.log(c, self.bd(-4), "Reached", channel="Phone",
                 subject=("Installation site ready", "אתר ההתקנה מוכן"),
                 next_step=("Confirm the delivery slot", "לתאם מועד אספקה"),
                 next_date=self.cal.roll_forward(self.t + dt.timedelta(days=1)))

    def scenario_promise(self, c):
        """Rule 4: promised to call back yesterday with the budget answer."""
        self.log(c, self.bd(-6), "Reached", channel="Phone",
                 subject=("Quote for lab refrigerators", "הצעה למקררי מעבדה"),
                 next_step=("Call back on budget approval", "לחזור לגבי אישור תקציב"),
                 next_date=self.bd(-1))
        self.deal(c, "Needs analysis", self.bd(-10), self.bd(-6))

    def scenario_retry(self, c):
        """Rule 5: the last call went unanswered two business days ago."""
        self.log(c, self.bd(-12), "Reached", channel="Email", next_date=None)
        self.log(c, self.bd(-2), "No answer", channel="Phone", direction="Out",
                 subject=("Call about the reorder: no answer", "שיחה על הזמנה חוזרת: אין מענה"),
                 next_date=None)

    def scenario_stale(self, c):
        """Rule 6: a proposal sent nine business days ago, no word since."""
        since = self.bd(-9)
        self.deal(c, "Qualified", self.bd(-40), self.bd(-30))
        did, _ = self.deal(c, "Proposal", self.bd(-30), since, value=95_000)
        self.log(c, since, "Proposal sent", channel="Email",
                 subject=(f"Proposal {did}: lab instruments", f"הצעה {did}: ציוד מעבדה"),
                 next_date=None)

    def scenario_cadence(self, c):
        """Rule 7: a key account (class A, 14 days) last met three weeks ago."""
        self.recent_order(c, 25, 150_000, status="Delivered", due=self.ago(18),
                          delivered=self.cal.roll_back(self.ago(15)), paid=None)
        self.log(c, self.cal.roll_back(self.ago(21)), "Reached", channel="Meeting",
                 subject=("Quarterly business review", "סקירה רבעונית"), next_date=None)
        self.deal(c, "Needs analysis", self.ago(40), self.ago(21))

    def scenario_renewal(self, c):
        """Rule 8: the signed framework ends in 40 days (60 days' notice)."""
        end = self.ago(-40)
        start = end - dt.timedelta(days=730) + dt.timedelta(days=1)
        self.contract(c, "Signed", start, end,
                      signed_on=self.cal.roll_back(start - dt.timedelta(days=10)))
        self.recent_order(c, 30, 60_000, status="Delivered", due=self.ago(20),
                          delivered=self.cal.roll_back(self.ago(19)), paid="auto")
        self.log(c, self.bd(-3), "Reached", channel="Phone", next_date=None)

    def scenario_high_credit(self, c):
        """Risk High: two recent deliveries not yet due but over the credit limit."""
        for days, value in ((20, 52_000), (12, 49_500)):
            when = self.cal.roll_back(self.ago(days))
            self.order(c, when, self.lines(c, when, value), status="Delivered",
                       due=when + dt.timedelta(days=5), delivered=when + dt.timedelta(days=5),
                       paid=None)
        self.log(c, self.bd(-4), "Order", channel="Fax", next_date=None)

    def scenario_two_complaints(self, c):
        """Risk Medium: two complaints open at once."""
        self.complaint(c, self.bd(-9), "Delivery", "Medium", "Open", channel="Email")
        self.complaint(c, self.bd(-4), "Billing", "Low", "In progress", channel="Phone")
        self.log(c, self.bd(-2), "Info sent", channel="Email",
                 subject=("Credit note draft sent", "נשלחה טיוטת זיכוי"), next_date=None)

    def scenario_drop(self, c):
        """Risk Medium: orders fell far below last year's; a competitor won a tender."""
        self.lost_deal(c, self.ago(150))
        self.out["Deals"][-1].update(lost_reason=LOST_REASONS[0][self.hebrew],    # Price
                                     lost_to=self.competitor("Merkaz HaTziyud"))
        self.log(c, self.bd(-7), "Reached", channel="Meeting",
                 subject=("Why orders dropped", "למה ירדו ההזמנות"),
                 next_step=("Send a competitive offer", "לשלוח הצעה תחרותית"),
                 next_date=self.cal.roll_forward(self.ago(-5)))


class DemoCampaigns:
    """The demo's marketing (docs/campaigns.md), drawn after everything else so the rest of
    the demo stays as it was: Marketing consent on the contacts (Yes with its date, No, or
    blank = never asked), the events' Attendance, and one campaign of each type. Two were
    sent (a newsletter by e-mail, the new label printer by letter) to the consenting primary
    contacts of their audience, and drew replies and a deal; two are planned, for
    `acctbook campaign` to send. Scenario clients get only mail older than their own story
    and no invitations, so their follow-up rule stays their earliest."""

    def make_marketing(self):
        self.people = {p["contact_id"]: p for p in self.out["Contacts"]}
        self.unthanked: str | None = None
        self.make_consent()
        past = [e for e in self.out["Events"] if e["date"] <= self.t]
        upcoming = next(e for e in self.out["Events"] if e["date"] > self.t)
        self.coming_invitations(upcoming)
        self.recent_attendance(max(past, key=lambda e: e["date"]))
        self.make_campaigns(upcoming)

    # -- consent --
    def make_consent(self):
        for p in self.out["Contacts"]:
            r = self.rng.random()
            if r < 0.7:
                self.consent(p, self.client(p["client_id"]).created, self.ago(15))
            elif r < 0.82:
                p["marketing_consent"] = False
                if r < 0.76:        # the day they said so
                    created = self.client(p["client_id"]).created
                    p["consent_date"] = self.day_between(max(created, self.ago(900)),
                                                         self.ago(30))
            # else blank: never asked, so no advertising

    def consent(self, p: dict, after: dt.date, before: dt.date):
        """Contact row `p` said Yes on a business day in [after, before] (the last four
        years at most)."""
        p["marketing_consent"] = True
        p["consent_date"] = min(before, self.day_between(max(after, self.ago(1460)), before))

    def consented(self, p: dict | None, day: dt.date) -> bool:
        return bool(p and p["marketing_consent"] and p["consent_date"] <= day)

    def primary(self, c: Client) -> dict | None:
        return next((self.people[pid] for pid in c.contacts if self.people[pid]["primary"]),
                    None)

    def guest(self, c: Client, day: dt.date, first: str | None = None) -> dict | None:
        """The contact of `c` an invitation on `day` went to: `first`, the primary or another
        one who said Yes by then; else one never asked, who said Yes when registering. None
        when every one of them said No."""
        order = [first] if first else []
        order += [p["contact_id"] for p in (self.primary(c),) if p] + c.contacts
        people = [self.people[pid] for pid in order]
        yes = next((p for p in people if self.consented(p, day)), None)
        if yes:
            return yes
        asked = next((p for p in people if p["marketing_consent"] is None), None)
        if asked:
            self.consent(asked, c.created, day - dt.timedelta(days=1))
        return asked

    # -- events --
    def attend(self, ev: dict, p: dict, invited, rsvp, attended):
        self.out["Attendance"].append(table_row(
            "Attendance", event_id=ev["event_id"], contact_id=p["contact_id"],
            client_id=p["client_id"], invited_on=invited, rsvp=rsvp, attended=attended))

    def coming_invitations(self, ev: dict):
        """The personal invitations to the coming exhibition (DemoHistory.invite): some
        have answered."""
        for n, (c, row) in enumerate(self.invited):
            p = self.guest(c, row["date"], row["contact_id"])
            if p is None:
                continue
            row["contact_id"] = p["contact_id"]
            self.attend(ev, p, row["date"], ("Yes", None, "Maybe", "Yes", None)[n % 5], None)

    def recent_attendance(self, ev: dict):
        """The last event: invited two and a half weeks before, who answered and who came
        (the guests met there, DemoHistory.make_event_attendance). Each guest was called the
        next business day to say thank you, but one not yet: that call is due (docs/rules.md,
        rule 9, Thank-you)."""
        day, invited = ev["date"], self.cal.sub(ev["date"], 12)
        met = [i for i in self.out["Interactions"] if i["event_id"] == ev["event_id"]]
        for i in met:
            c = self.client(i["client_id"])
            p = self.guest(c, invited, i["contact_id"])
            if p is None:
                continue
            self.attend(ev, p, invited, "Yes", True)
            self.thank(c, p, ev)
        came = {i["client_id"] for i in met}
        for c in self.quiet_clients(day, came):
            p = self.guest(c, invited)
            if p:
                self.attend(ev, p, invited, "Yes", True)
                came.add(c.cid)
                self.unthanked = c.cid     # kept so: no reply nor deal from it later
                break
        others = [c for c in self.clients if c.role in ("key", "big", "mid", "small", "prospect")
                  and c.cid not in came and c.created <= invited
                  and any(self.consented(self.people[pid], invited) for pid in c.contacts)]
        for n, c in enumerate(self.rng.sample(others, min(8, len(others)))):
            rsvp = ("No", "Maybe", None, "Yes", "No", None, "Maybe", None)[n]
            self.attend(ev, self.guest(c, invited), invited, rsvp, False)

    def thank(self, c: Client, p: dict, ev: dict):
        day = self.cal.add(ev["date"], 1)
        later = self.cal.add(ev["date"], 2)
        if day > self.t or any(i["client_id"] == c.cid and ev["date"] < i["date"] <= later
                               and i["outcome"] != "No answer" and not i["campaign_id"]
                               for i in self.out["Interactions"]):
            return
        words = CATALOGUE["event_thanks"]
        self.out["Interactions"].append(table_row(
            "Interactions", date=day, client_id=c.cid, contact_id=p["contact_id"],
            channel="Phone", direction="Out",
            subject=words[self.noted(c)].format(event=ev["name"]), outcome="Reached"))

    def quiet_clients(self, day: dt.date, taken: set[str]) -> list[Client]:
        """The active clients not heard from since before `day`, best first: nothing due
        before the thank-you call (docs/rules.md, "Follow-up candidates": no open case,
        overdue invoice, proposal or unanswered call, no delivery, promise nor visit due
        sooner), so that the call is its first follow-up; then the one heard from most
        recently."""
        thanks = self.cal.add(day, 2)
        log: dict[str, list[dict]] = {}
        for i in self.out["Interactions"]:
            log.setdefault(i["client_id"], []).append(i)
        busy = {k["client_id"] for k in self.out["Complaints"] if k["status"] != "Resolved"}
        busy |= {d["client_id"] for d in self.out["Deals"]
                 if d["stage"] in ("Proposal", "Negotiation")}
        for o in self.out["Orders"]:
            if o["status"] == "Cancelled":
                continue
            if (o["invoice_due"] and o["invoice_due"] < self.t and not o["paid_on"]) or \
                    (o["status"] in ("Open", "Partly delivered")
                     and self.cal.sub(o["due_date"], 2) <= thanks):
                busy.add(o["client_id"])
        ranked = []
        for c in self.clients:
            rows = sorted(log.get(c.cid, []), key=lambda i: i["date"])
            if c.role not in ("key", "big", "mid", "small") or c.cid in taken \
                    or not rows or rows[-1]["date"] >= day:
                continue
            last = rows[-1]
            free = not (c.cid in busy or last["outcome"] == "No answer"
                        or (last["next_step_date"] or thanks) < thanks
                        or last["date"] + dt.timedelta(days=14) <= thanks)
            ranked.append(((free, last["date"], c.cid), c))
        return [c for _, c in sorted(ranked, key=lambda x: x[0], reverse=True)]

    # -- campaigns --
    def make_campaigns(self, upcoming: dict):
        words = CATALOGUE["campaigns"]
        launched = next(p["launched"] for p in self.out["Products"]
                        if p["sku"] == words["New product"]["sku"])
        plan = (("Newsletter", self.cal.roll_forward(self.ago(100)), True),
                ("New product", self.cal.add(launched, 6), True),
                ("Event invitation", self.cal.roll_forward(self.t), False),
                ("Promotion", self.bd(5), False))
        for n, (kind, day, sent) in enumerate(plan, 1):
            w = words[kind]
            fill = {"quarter": (day.month - 1) // 3 + 1, "year": day.year,
                    "event": upcoming["name"]}
            row = table_row(
                "Campaigns", campaign_id=f"CMP-{n:02d}", name=w["name"][self.hebrew].format(
                    **fill), type=kind, sku=w.get("sku"),
                event_id=upcoming["event_id"] if kind == "Event invitation" else None,
                channel=w["channel"], classes=w.get("classes"), language=w.get("language"),
                subject=w["subject"][self.hebrew].format(**fill), planned_on=day,
                **self.audience_words(w))
            self.out["Campaigns"].append(row)
            if sent:
                self.send(row, w, day)

    def audience_words(self, w: dict) -> dict[str, str | None]:
        """Segments, Statuses and Regions as the manager types them in her book's language."""
        lang = "he" if self.hebrew else "en"
        segments = [SEGMENT_HE[s] if self.hebrew else s for s in w.get("segments", ())]
        statuses = [schema.show_choice(s, lang) for s in w.get("statuses", ())]
        regions = list(dict.fromkeys(v[5] if self.hebrew else v[1] for v in CITIES.values()
                                     if v[0] == "IL")) if w.get("regions") == "IL" else []
        return {k: ", ".join(v) or None for k, v in (("segments", segments),
                                                      ("statuses", statuses),
                                                      ("regions", regions))}

    def audience(self, w: dict, day: dt.date) -> list[Client]:
        """The clients a campaign of words `w` reached on `day` (blank filters match all;
        Statuses blank = Active)."""
        statuses = w.get("statuses", ("Active",))
        return [c for c in self.clients if c.created <= day and c.row["status"] in statuses
                and c.segment in w.get("segments", (c.segment,))
                and (w.get("regions") != "IL" or c.country == "IL")]

    def send(self, campaign: dict, w: dict, day: dt.date):
        """One message per consenting primary contact, logged as acctbook campaign logs it
        (an e-mail's subject marked as advertising, a letter's as it is: docs/campaigns.md);
        then the replies and the deal it drew within 30 days."""
        sent, subject = [], campaign["subject"]
        if campaign["channel"] == "Email":
            subject = f"{CATALOGUE['advertisement'][self.hebrew]}: {subject}"
        for c in self.audience(w, day):
            p = self.primary(c)
            if not self.consented(p, day):
                continue
            sent.append(c)
            self.out["Interactions"].append(table_row(
                "Interactions", date=day, client_id=c.cid, contact_id=p["contact_id"],
                channel=campaign["channel"], direction="Out", subject=subject,
                outcome="Info sent", campaign_id=campaign["campaign_id"]))
        fans = [c for c in sent if c.role in ("key", "big", "mid", "small")
                and c.cid != self.unthanked]
        fans = self.rng.sample(fans, min(len(fans), len(w["replies"]) + ("deal" in w)))
        if "deal" in w and fans:       # the deal first: a few letters may bring only that
            self.campaign_deal(fans.pop(0), campaign["sku"], w["deal"], day)
        for c, text in zip(fans, w["replies"]):
            self.out["Interactions"].append(table_row(
                "Interactions", date=self.day_between(day + dt.timedelta(days=2),
                                                      min(self.t, day + dt.timedelta(days=25))),
                client_id=c.cid, contact_id=self.primary(c)["contact_id"],
                channel=self.rng.choice(("Phone", "Email")), direction="In",
                subject=text[self.noted(c)], outcome="Reached"))

    def campaign_deal(self, c: Client, sku: str, title, day: dt.date):
        """A deal for `sku` opened within 30 days of the mailing, won, and ordered."""
        price = next(p["list_price"] for p in self.out["Products"] if p["sku"] == sku)
        created = self.day_between(day + dt.timedelta(days=7), day + dt.timedelta(days=18))
        won = self.day_between(created + dt.timedelta(days=5), created + dt.timedelta(days=15))
        lines = [(sku, float(self.rng.randint(2, 4)), price,
                  {"key": 10.0, "big": 7.0, "mid": 3.0}.get(c.size))]
        self.deal_no += 1
        did = f"D-{self.deal_no:04d}"
        self.out["Deals"].append(table_row(
            "Deals", deal_id=did, client_id=c.cid, title=f"{title[self.spoken(c)]} {won.year}",
            stage="Won", amount=sum(line_amount(q, p, d) for _, q, p, d in lines),
            created=created, stage_since=won, expected_close=won))
        self.out["DealItems"] += [table_row("DealItems", deal_id=did, sku=s, quantity=q,
                                            unit_price=p, discount=d) for s, q, p, d in lines]
        when = self.cal.roll_forward(won + dt.timedelta(days=self.rng.randint(2, 5)))
        if when <= self.t:
            self.order(c, when, lines, deal_id=did)
