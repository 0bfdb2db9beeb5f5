"""The demo's loyalty and referral bonuses (docs/rules.md, section 20), so its Loyalty sheet
shows every column: two clients won lately by referral, whose first year's orders are being
paid (one of them paid this year whatever day `today` is), and the Bonus payments of this
year and the last. Drawn after the marketing, the last of the draws, so the rest of the demo
stays as it was.
"""

from __future__ import annotations

import datetime as dt
import math

from acctbook.book import schema
from acctbook.create.demo_history import SIZES, Client, line_amount, table_row

# Clients won by referral, as the catalogue's (demo_catalogue.json "clients") rows: role,
# name, legal name, city, domain, segment, language, and Hebrew names for an English name;
# then who referred them (the first client of that role) and how many days ago they came.
REFERRED = (
    (("mid", "מכון מעיין לבדיקות מים", "מכון מעיין לבדיקות מים בע\"מ", "Rosh HaAyin",
      "maayan-water.co.il", "Laboratories", "he"), "key", 230),
    (("small", "Negev Bioplastics", "Negev Bioplastics Ltd", "Beersheba",
      "negev-bioplastics.co.il", "Manufacturing", "en", "נגב ביופלסטיק",
      "נגב ביופלסטיק בע\"מ"), "big", 150),
)
REFERRAL_PCT = schema.SETTING_BY_KEY["referral_bonus"].default    # the demo keeps it
WORDS = {   # [English, Hebrew]
    "referred": ("Referred by {name}", "הגיעו בהמלצת {name}"),
    "referral": ("Referral bonus: {name}", "בונוס הפניה: {name}"),
    "loyalty": ("Loyalty bonus {year}", "בונוס נאמנות {year}"),
    "advance": ("Advance on this year's loyalty bonus", "מקדמה על בונוס הנאמנות השנתי"),
}


class DemoBonuses:
    """Mixed into `Demo` (demo.py), which supplies `t`, `rng`, `cal`, `out`, `clients`,
    `hebrew`, `ago`, `make_client`, `make_contacts`, `lines`, `order`,
    `orders_between` and `interactions_between`."""

    def make_bonuses(self):
        won = [self.referred_client(i, *spec) for i, spec in
               enumerate(REFERRED, len(self.clients) + 1)]
        first_key = next(c for c in self.clients if c.role == "key")
        last_year = self.cal.roll_forward(dt.date(self.t.year - 1, 1, 20))
        self.bonus_payment(first_key, last_year, 12_000.0,
                           self.word("loyalty").format(year=self.t.year - 2))
        self.loyalty_advance(first_key)
        for referrer, client, line in won:
            # the referrer is paid its bonus on that order the day it was paid, rounded down
            amount = math.floor(sum(line_amount(o["quantity"], o["unit_price"], o["discount"])
                                    for o in line) * REFERRAL_PCT / 100 / 10) * 10
            if amount > 0:
                self.bonus_payment(referrer, line[0]["paid_on"], float(amount),
                                   self.word("referral").format(name=client.row["name"]))

    def loyalty_advance(self, c: Client):
        """An advance on `c`'s loyalty bonus in the last full month (the demo's report
        month), so the report shows a payment: 1% (no tier earns less but Standard; a key
        client is never Standard) of its lines paid from 1 January of that month's year to
        that day, in hundreds."""
        month = self.t.replace(day=1) - dt.timedelta(days=1)
        day = self.cal.roll_forward(month.replace(day=10))
        paid = sum(o["amount"] if o["amount"] is not None else
                   line_amount(o["quantity"], o["unit_price"], o["discount"])
                   for o in self.out["Orders"] if o["client_id"] == c.cid
                   and o["status"] != "Cancelled" and o["paid_on"]
                   and dt.date(day.year, 1, 1) <= o["paid_on"] <= day)
        amount = math.floor(paid / 100 / 100) * 100
        if amount > 0 and day <= self.t:
            self.bonus_payment(c, day, float(amount), self.word("advance"))

    def word(self, key: str) -> str:
        return WORDS[key][self.hebrew]

    def referred_client(self, i: int, spec: tuple, referrer_role: str, days: int):
        """Client `i` of `spec`, referred by the first client of `referrer_role`, created
        `days` ago, with contacts, orders and calls since; returns (referrer, the client,
        the lines of its order paid this year)."""
        self.make_client(i, *spec)
        c: Client = self.clients[-1]
        referrer = next(r for r in self.clients if r.role == referrer_role)
        c.created = self.ago(days)
        c.row.update(created=c.created, source="Referral", referred_by=referrer.cid,
                     notes=self.word("referred").format(name=referrer.row["name"]))
        self.make_contacts(c)
        low, high, per_year = SIZES[c.size]
        annual = (low + high) / 2
        self.orders_between(c, c.created + dt.timedelta(days=7), self.t, annual, per_year)
        self.interactions_between(c, c.created, self.t)
        return referrer, c, self.paid_this_year(c, annual / per_year)

    def paid_this_year(self, c: Client, value: float) -> list[dict]:
        """An order delivered and invoiced a little before today, paid this year: on its
        Invoice due, or on 1 January (the first business day) when that was still last year,
        never after today."""
        when = self.cal.roll_back(self.ago(c.terms + 5))
        due = when + dt.timedelta(days=c.terms)
        paid = min(self.t, self.cal.roll_forward(max(due, dt.date(self.t.year, 1, 1))))
        before = len(self.out["Orders"])
        self.order(c, when, self.lines(c, when, value), status="Delivered", paid=paid)
        return self.out["Orders"][before:]

    def bonus_payment(self, c: Client, day: dt.date, amount: float, note: str):
        self.out["BonusPayments"].append(table_row(
            "BonusPayments", client_id=c.cid, date=day, amount=amount, note=note))
