"""The demo's scenario clients (see demo.py): each one's own records make one follow-up
rule its earliest candidate (docs/rules.md, "Follow-up candidates") or make one risk
condition hold (docs/rules.md, "Risk") as of `today`. `Demo.build()` calls
`scenario_<role>` for every client whose role is a key of the catalogue's scenario_size.
"""

from __future__ import annotations

import datetime as dt

from acctbook.create.demo_history import LOST_REASONS, Client


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
