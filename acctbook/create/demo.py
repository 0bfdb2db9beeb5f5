"""Demo data for `acctbook new --demo`: one Israeli account manager's book.

The same `today` and seed always give the same rows: randomness comes from
random.Random(seed) only, and every date is an offset from `today`, never the
clock. Most clients get two years of plausible, randomly drawn history
(demo_history.py); a few *scenario* clients (DEMO_SCENARIOS, demo_scenarios.py) are
built by hand so that, as of `today`, every follow-up rule (docs/rules.md, "Follow-up
candidates") is some client's earliest candidate and every risk condition ("Risk")
holds for some client. Last come the marketing (DemoCampaigns, demo_scenarios.py): consent,
event attendance and one campaign of each type, two sent and two planned; and two clients
won lately by referral with the Bonus payments (DemoBonuses, demo_bonuses.py), so the Loyalty
sheet shows every column. The names, places and products come from demo_catalogue.json.

The book is made in English or Hebrew (`lang`): the same draws, other words. A Hebrew book is
Hebrew wherever an Israeli manager's would be (segments, products, Israeli clients, their
people, cities and addresses, her own notes); clients abroad keep their own names, places
and language.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re

import phonenumbers

from acctbook.book import schema
from acctbook.book.identity import il_number_complete
from acctbook.core.workdays import Calendar, public_holidays
from acctbook.create.demo_history import (
    CATALOGUE, CITIES, CLIENTS, COMPETITORS, EN_FIRST, EN_LAST, EVENTS, HE_FIRST, HE_LAST,
    PRODUCTS, ROLES, SCENARIO_NAMES, SCENARIO_SIZE, SEGMENT_CATEGORIES, SIZES, STREETS, Client,
    DemoHistory, line_amount, table_row)
from acctbook.create.demo_bonuses import DemoBonuses
from acctbook.create.demo_scenarios import DemoCampaigns, DemoScenarios

DEMO_SEED = 7

Rows = dict[str, list[dict]]

SEGMENTS = tuple(en for en, _ in CATALOGUE["segments"])
SEGMENT_HE = dict(CATALOGUE["segments"])
COMPANY = CATALOGUE["company"]                # setting -> [English, Hebrew]
MANAGER_EMAIL = "noa.levi@galil-labsupply.co.il"

# Which client plays which scenario: rule or risk condition -> Client ID.
DEMO_SCENARIOS: dict[str, str] = {name: f"C-{i:03d}" for i, c in enumerate(CLIENTS, 1)
                                  for name in SCENARIO_NAMES.get(c[0], ())}

_NOTES = {"exhibition": ("Met at an exhibition", "הכרנו בתערוכה"),   # Clients Notes
          "website": ("Asked for a quote on the website", "ביקשו הצעת מחיר דרך האתר"),
          "lost": ("Moved to a competitor", "עברו למתחרה")}
_PH200_RETIRED_DAYS = 430   # the old pH meter stopped selling when PH-300 came out
_FOREIGN_NUMBER = {   # their own registry formats; acctbook only checks Israeli numbers
    "DE": lambda r: f"HRB {r.randint(10000, 99999)}",
    "GB": lambda r: f"{r.randint(1000000, 9999999):08d}",
    "NL": lambda r: f"{r.randint(10000000, 99999999)}",
    "CY": lambda r: f"HE {r.randint(100000, 499999)}",
    "FR": lambda r: f"RCS {r.randint(300, 999)} {r.randint(100, 999)} {r.randint(100, 999)}",
}


def demo_calendar(today: dt.date, days_off: list[dt.date]) -> Calendar:
    """Business days (docs/rules.md, "The calendar"): Sun-Thu, Israel's public holidays
    from four years before `today` to two after, and the company's own days off."""
    years = range(today.year - 4, today.year + 3)
    return Calendar("Sun-Thu", public_holidays("IL", years) + list(days_off))


class Demo(DemoHistory, DemoScenarios, DemoCampaigns, DemoBonuses):
    """One demo book in the making: `build()` fills `out` table by table."""

    def __init__(self, today: dt.date, seed: int, lang: str = "en"):
        self.t = today
        self.hebrew = lang == "he"    # also the index of the book's word in [English, Hebrew]
        self.rng = random.Random(seed)
        self.days_off = [self._weekday_near(today - dt.timedelta(days=120)),
                         self._weekday_near(today - dt.timedelta(days=480))]
        self.cal = demo_calendar(today, self.days_off)
        self.out: Rows = {t.name: [] for t in schema.DATA_TABLES}
        self.out["Holidays"] = [table_row("Holidays", date=d, name=n[self.hebrew]) for d, n in
                                zip(self.days_off, CATALOGUE["days_off"])]
        self.clients: list[Client] = []
        self.deal_no = self.order_no = self.case_no = self.contact_no = self.prospects = 0
        self.contracts: list[tuple[dt.date, dict]] = []
        self.invited: list[tuple[Client, dict]] = []   # the coming event's invitations (log rows)

    # -- small helpers --
    def ago(self, days: int) -> dt.date:
        return self.t - dt.timedelta(days=days)

    def bd(self, n: int) -> dt.date:
        """n business days from today (n < 0: before)."""
        return self.cal.add(self.t, n) if n >= 0 else self.cal.sub(self.t, -n)

    def _weekday_near(self, day: dt.date) -> dt.date:
        while day.weekday() in (4, 5):     # Friday, Saturday
            day -= dt.timedelta(days=1)
        return day

    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        """A random business day in [a, b] (a itself when there is none)."""
        span = max(0, (b - a).days)
        day = self.cal.roll_back(a + dt.timedelta(days=self.rng.randint(0, span)))
        return day if day >= a else min(self.cal.roll_forward(a), b) if a <= b else a

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def phone(self, city: str, mobile: bool = False) -> str:
        country, _, _, prefix, length = CITIES[city][:5]
        if country == "IL" and mobile:
            prefix, length = self.rng.choice(("50", "52", "53", "54", "58")), 9
        code = phonenumbers.country_code_for_region(country)
        for _ in range(500):
            nsn = prefix + str(self.rng.randint(2, 9)) + self._digits(length - len(prefix) - 1)
            num = phonenumbers.parse(f"+{code}{nsn}")
            if phonenumbers.is_valid_number(num) and \
                    phonenumbers.region_code_for_number(num) == country:
                fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if country == "IL"
                       else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                return phonenumbers.format_number(num, fmt)
        raise RuntimeError(f"no valid phone number for {city}")   # metadata changed

    def products_for(self, segment: str, when: dt.date) -> list[tuple]:
        cats = SEGMENT_CATEGORIES[segment]
        return [p for p in PRODUCTS if p[2] in cats and self.sellable(p, when)]

    def sellable(self, p: tuple, when: dt.date) -> bool:
        if when < self.ago(p[5]):
            return False
        return p[6] or when < self.ago(_PH200_RETIRED_DAYS)

    def lines(self, c: Client, when: dt.date, value: float) -> list[tuple[str, float, float,
                                                                         float | None]]:
        """Order or quote lines worth about `value`: (SKU, quantity, unit price, discount)."""
        stock = self.products_for(c.segment, when)
        n = self.rng.choices((1, 2, 3), (50, 35, 15))[0]
        # Only what fits the budget: a small client does not buy a spectrophotometer.
        fits = [p for p in stock if p[3] <= value / n * 1.5] or [min(stock, key=lambda p: p[3])]
        picked = self.rng.sample(fits, min(n, len(fits)))
        share = value / len(picked)
        discount = {"key": 10.0, "big": 7.0, "mid": 3.0}.get(c.size)
        return [(p[0], float(max(1, min(600, round(share / p[3])))), p[3], discount)
                for p in picked]

    # -- the tables --
    def build(self) -> tuple[Rows, dict]:
        self.make_products()
        self.make_competitors()
        self.make_events()
        for i, spec in enumerate(CLIENTS, 1):
            self.make_client(i, *spec)
        self.set_referrals()
        for c in self.clients:
            self.make_contacts(c)
        for c in self.clients:
            self.make_history(c)
        self.make_event_attendance()
        for c in self.clients:
            if c.role in SCENARIO_SIZE:
                getattr(self, f"scenario_{c.role}")(c)
        self.make_last_month()
        self.keep_revenue_steady()
        self.make_bulk_contracts()
        self.make_marketing()          # last of the draws: the rest of the story stays as it was
        self.make_bonuses()            # after it, two clients won by referral (demo_bonuses.py)
        self.number_contracts()
        self.set_credit_limits()
        self.renumber()
        self.set_expected_closes()
        self.make_targets()
        return self.out, self.settings()

    def renumber(self):
        """Rows in date order and IDs counting up with the date, as a real book grows."""
        out = self.out
        for name, key in (("Interactions", "date"), ("Orders", "order_date"),
                          ("Complaints", "opened"), ("Deals", "created")):
            out[name].sort(key=lambda r: r[key])      # stable: same-day rows keep their order
        new: dict[str, str] = {}     # old ID -> new ID; the prefixes keep them apart
        for name, key, fmt in (("Orders", "order_id", "SO-{:05d}"),
                               ("Deals", "deal_id", "D-{:04d}"),
                               ("Complaints", "case_id", "K-{:04d}")):
            count = 0
            for r in out[name]:
                if r[key] not in new:
                    count += 1
                    new[r[key]] = fmt.format(count)
                r[key] = new[r[key]]
        for name in ("DealItems", "Orders", "Contracts"):
            for r in out[name]:
                r["deal_id"] = new.get(r["deal_id"], r["deal_id"])
        out["DealItems"].sort(key=lambda r: r["deal_id"])
        for r in out["Interactions"]:      # subjects that name a case or a deal
            if r["subject"]:
                r["subject"] = re.sub(r"\b[DK]-\d{4}\b", lambda m: new.get(m.group(), m.group()),
                                      r["subject"])

    def set_expected_closes(self):
        """No draws. Early deals (Lead, Qualified) have no Expected close yet: the forecast
        counts them from Stage since (docs/rules.md, section 17). A later open deal whose
        Expected close has passed was moved on by a month at a time, as a manager does when
        it slips, so the demo shows no close-date-passed warning."""
        for d in self.out["Deals"]:
            if d["stage"] in ("Lead", "Qualified"):
                d["expected_close"] = None
            elif d["stage"] in schema.OPEN_STAGES and d["expected_close"]:
                while d["expected_close"] < self.t:
                    d["expected_close"] += dt.timedelta(days=30)

    def make_targets(self):
        """No draws. Targets for the months from five before today's to two after, about 5%
        above the last 12 months' average revenue, and for their quarters one new client
        each (the quarters' revenue targets are their months' sum)."""
        revenue = sum(self.revenue(c.cid, 365, 0) for c in self.clients)
        monthly = float(round(revenue / 12 * 1.05, -4))
        k = self.t.year * 12 + self.t.month - 1
        months = [(m // 12, m % 12 + 1) for m in range(k - 5, k + 3)]
        quarters = sorted({(y, (m - 1) // 3 + 1) for y, m in months})
        self.out["Targets"] = [table_row("Targets", period=f"{y:04d}-{m:02d}",
                                         revenue_target=monthly) for y, m in months] + [
            table_row("Targets", period=f"{y:04d}-Q{q}", new_clients_target=1)
            for y, q in quarters]

    def settings(self) -> dict[str, object]:
        he = self.hebrew
        return {
            "manager_name": COMPANY["manager_name"][he], "manager_email": MANAGER_EMAIL,
            "company_name": COMPANY["company_name"][he],
            "company_number": il_number_complete("51543210"),
            "company_address": COMPANY["company_address"][he],
            "company_phone": "03-902-1234", "currency": "ILS", "country": "IL",
            "payment_terms": 30,
            "segments": ", ".join(SEGMENT_HE[s] if he else s for s in SEGMENTS),
            "bank_details": "בנק הפועלים (12), סניף 600, חשבון 123456" if he else
            "Bank Hapoalim (12), branch 600, account 123456, IBAN IL62 0126 0000 0000 0123 456",
        }

    def make_products(self):
        he, cat_he, unit_he = self.hebrew, CATALOGUE["category_he"], CATALOGUE["unit_he"]
        self.out["Products"] = [
            table_row("Products", sku=s, name=name_he if he else n,
                      category=cat_he[cat] if he else cat, list_price=price,
                      unit=unit_he[unit] if he else unit, active=active, launched=self.ago(days))
            for s, n, cat, price, unit, days, active, name_he in PRODUCTS]

    def make_competitors(self):
        keys = ("competitor", "segments", "strengths", "weaknesses", "opportunities",
                "threats", "price_level", "notes")
        self.out["Competitors"] = [
            table_row("Competitors", **dict(zip(keys, (v or None for v in c))))
            for c in (CATALOGUE["competitors_he"] if self.hebrew else COMPETITORS)]

    def make_events(self):
        for i, (name, kind, days, place, name_he, place_he) in enumerate(EVENTS, 1):
            day = self.cal.roll_forward(self.ago(days))
            if days > 0 and day > self.t:
                day = self.cal.roll_back(self.ago(days))
            if 0 < days < 7:   # the last event: its guests' thank-you calls are due by today
                day = min(day, self.cal.sub(self.cal.roll_back(self.t), 2))
            if self.hebrew:
                name, place = name_he, place_he
            label = f"{name} {day.year}" if kind == "Exhibition" else name
            self.out["Events"].append(table_row("Events", event_id=f"EV-{i:02d}", name=label,
                                           type=kind, date=day, location=place))

    def make_client(self, i, role, name, legal, city, domain, segment, lang, *names_he):
        rng = self.rng
        country = CITIES[city][0]
        size = SCENARIO_SIZE.get(role, role)
        if size not in SIZES:   # prospects, dormant and lost clients: what they were or might be
            size = rng.choice(("small", "small", "mid"))
        status = {"prospect": "Prospect", "dormant": "Dormant", "lost": "Lost"}.get(role, "Active")
        if status == "Prospect":
            created = self.ago(rng.randint(20, 200))
        elif role in ("small", "mid") and rng.random() < 0.25:
            created = self.ago(rng.randint(300, 640))    # won in the last two years
        else:
            created = self.ago(rng.randint(800, 3200))
        if country == "IL":
            first8 = ("50" if segment in ("Public sector", "Academia") else "51") + self._digits(6)
            number = il_number_complete(first8)
            terms = rng.choice((30, 30, 45, 60, 60, 90))
        else:
            number = _FOREIGN_NUMBER.get(country, lambda r: None)(rng)
            terms = rng.choice((30, 30, 60))
        region, shown_city, address = self.place(city, name)
        he = self.hebrew
        if he and names_he:
            name, legal = names_he
        cid = f"C-{i:03d}"
        row = table_row(
            "Clients", client_id=cid, name=name, legal_name=legal, company_number=number,
            segment=SEGMENT_HE[segment] if he else segment, region=region, city=shown_city,
            address=address,
            country=None if country == "IL" and i % 4 == 0 else country,   # blank = Settings
            status=status, owner=COMPANY["manager_name"][he],
            key_account=True if role in ("key", "cadence") else None,
            payment_terms=None if terms == 30 and i % 3 == 0 else terms,
            email=f"{rng.choice(('info', 'office', 'purchasing'))}@{domain}",
            phone=self.phone(city), language="he" if he and country == "IL" else lang,
            created=created)
        if status == "Prospect":
            row["notes"] = _NOTES["exhibition" if i % 2 else "website"][he]
        if status == "Lost":
            row["notes"] = _NOTES["lost"][he]
        self.clients.append(Client(cid, role, size, row, lang, country, domain, segment, terms,
                                    created, city=city))
        self.out["Clients"].append(row)

    def place(self, city: str, name: str) -> tuple[str, str, str]:
        """Region, city and a drawn street address for a client in `city` (a catalogue key):
        an Israeli one's in Hebrew when its name is Hebrew or the book is; abroad, in the
        country's own names in a Hebrew book."""
        country, region, city_he, _, _, region_book, city_book = CITIES[city]
        hebrew = country == "IL" and (self.hebrew or any("\u0590" <= ch <= "\u05ff"
                                                         for ch in name))
        street = self.rng.choice(STREETS["IL-he" if hebrew else country])
        num = self.rng.randint(2, 88)
        if self.hebrew:
            region, city = region_book, city_book
        if country == "IL":
            return (region, city_he, f"{street} {num}") if hebrew else \
                (region, city, f"{num} {street} St")
        number_first = ("US", "GB", "CY", "FR") if self.hebrew else ("US", "GB", "CY")
        return region, city, f"{num} {street}" if country in number_first else f"{street} {num}"

    def set_referrals(self):
        """Every source is used; referred clients name an older client who sent them."""
        kinds = ("Referral", "Exhibition", "Cold call", "Website", "Partner", "Other")
        pool = list(kinds) * 2 + self.rng.choices(kinds, (14, 26, 20, 26, 8, 6),
                                                   k=len(self.clients) - 12)
        self.rng.shuffle(pool)
        by_age = sorted(self.clients, key=lambda c: (c.created, c.cid))
        for c, source in zip(self.clients, pool):
            older = [o for o in by_age if o.created < c.created and o.role != "lost"]
            if source == "Referral" and not older:
                source = "Website"
            c.row["source"] = source
            if source == "Referral":
                c.row["referred_by"] = self.rng.choice(older).cid

    def make_contacts(self, c: Client):
        rng = self.rng
        n = {"key": 3, "big": 3, "mid": 2}.get(c.size, rng.choice((1, 1, 2)))
        has_primary = rng.random() < 0.93 or c.role in SCENARIO_SIZE
        for j in range(n):
            self.contact_no += 1
            pid = f"P-{self.contact_no:04d}"
            name, login, role = self.person(c)
            mobile = c.country == "IL" and rng.random() < 0.7
            channel = rng.choices(schema.CONTACT_CHANNELS, (40, 35, 10, 4, 2, 9))[0]
            birthday = (dt.date(rng.randint(1962, 1996), rng.randint(1, 12), rng.randint(1, 28))
                        if rng.random() < 0.5 else None)
            self.out["Contacts"].append(table_row(
                "Contacts", contact_id=pid, client_id=c.cid, name=name, role=role,
                email=f"{login}@{c.domain}", phone=self.phone(c.city, mobile),
                preferred_channel=channel, primary=True if j == 0 and has_primary else None,
                birthday=birthday))
            c.contacts.append(pid)

    def person(self, c: Client) -> tuple[str, str, str]:
        """One of `c`'s people, drawn: name, e-mail login and role. In a Hebrew book an
        Israeli is written in Hebrew letters, the role in his or her gender."""
        rng = self.rng
        roles = rng.choice(ROLES)
        if c.lang == "he":
            (first, login_first), (last, login_last) = rng.choice(HE_FIRST), rng.choice(HE_LAST)
            login, role = f"{login_first}.{login_last}", roles[1]
        else:
            first, last = rng.choice(EN_FIRST[c.country]), rng.choice(EN_LAST[c.country])
            login, role = f"{first}.{last.replace(' ', '')}".lower(), roles[0]
            if self.hebrew and c.country == "IL":
                first = CATALOGUE["il_first_he"][EN_FIRST["IL"].index(first)]
                last = CATALOGUE["il_last_he"][EN_LAST["IL"].index(last)]
        if self.hebrew and c.country == "IL":
            role = CATALOGUE["roles_he"][ROLES.index(roles)][first in CATALOGUE["he_female"]]
        return f"{first} {last}", login, role

    def client(self, cid: str) -> Client:
        return next(c for c in self.clients if c.cid == cid)

    # -- totals that must hold for the demo's story --
    def revenue(self, cid: str, lo: int, hi: int) -> float:
        """Order amounts with Order date in (today - lo, today - hi]."""
        return sum(o["amount"] if o["amount"] is not None else
                   line_amount(o["quantity"], o["unit_price"], o["discount"])
                   for o in self.out["Orders"] if o["client_id"] == cid
                   and o["status"] != "Cancelled"
                   and self.ago(lo) < o["order_date"] <= self.ago(hi))

    def keep_revenue_steady(self):
        """Scenario clients show only their own risk: no accidental revenue drop."""
        for c in self.clients:
            if c.role not in SCENARIO_SIZE:
                continue
            now, prior = self.revenue(c.cid, 365, 0), self.revenue(c.cid, 730, 365)
            if c.role == "drop" and now >= 0.4 * prior:   # the drop must be unmistakable
                when = self.day_between(self.ago(700), self.ago(400))
                self.order(c, when, self.lines(c, when, 3 * now - prior))
            elif c.role != "drop" and now < 0.7 * prior:
                when = self.day_between(self.ago(200), self.ago(90))
                self.order(c, when, self.lines(c, when, 0.75 * prior - now))

    def set_credit_limits(self):
        base = {"key": 600_000, "big": 300_000, "mid": 120_000, "small": 40_000}
        for c in self.clients:
            unpaid = sum(o["amount"] or line_amount(o["quantity"], o["unit_price"], o["discount"])
                         for o in self.out["Orders"] if o["client_id"] == c.cid
                         and o["status"] != "Cancelled" and o["invoice_due"] and not o["paid_on"])
            if c.role == "high_credit":
                limit = math.floor(unpaid * 0.75 / 5000) * 5000
            elif c.role in ("prospect", "lost"):
                limit = None
            else:
                limit = max(base[c.size], math.ceil(unpaid * 1.3 / 10_000) * 10_000)
            c.row["credit_limit"] = float(limit) if limit is not None else None


def demo_data(today: dt.date, seed: int = DEMO_SEED,
              lang: str = "en") -> tuple[Rows, dict[str, object]]:
    """Demo rows per table (schema keys, computed columns left out) and Settings values, in
    the words of a book in `lang` (en or he; the same draws, so the same story).

    Deterministic for a given `today` and seed; nothing dated after `today` except
    what docs/rules.md allows (an upcoming event, due dates, contract ends, next steps) and
    the planned campaigns' Planned on.
    """
    return Demo(today, seed, lang).build()
