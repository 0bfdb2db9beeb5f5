"""The demo book: deterministic, valid by SPEC section 2, and showing every rule.

The follow-up and risk helpers below re-implement SPEC sections 3 and 5 in the
plainest way (day-by-day business-day stepping, no numpy) so they check the demo
independently of the demo's own calendar code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import holidays
import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from acctbook.book import schema
from acctbook.create.demo import DEMO_SCENARIOS, DEMO_SEED, demo_data
from acctbook.book.identity import il_number_ok

TODAY = dt.date(2026, 3, 10)                 # a Tuesday
# A Saturday in Pesach week and the day after Rosh Hashanah: holidays and a weekend
# around `today` must not move any scenario out of first place.
OTHER_DAYS = (dt.date(2026, 4, 4), dt.date(2025, 9, 25))
SLA_DAYS = dict(schema.DEFAULT_SLA)
CADENCE_DAYS = dict(schema.DEFAULT_CADENCE)
RULES = ("Complaint", "Payment", "Delivery", "Promise", "Retry", "Stale deal", "Cadence",
         "Renewal")


@pytest.fixture(scope="module")
def demo():
    return demo_data(TODAY)


@pytest.fixture(scope="module")
def rows(demo):
    return demo[0]


# --- a plain re-implementation of SPEC sections 3 and 5 ------------------------------------
class Calendar:
    def __init__(self, rows, today):
        public = holidays.country_holidays("IL", years=range(today.year - 3, today.year + 3))
        self.off = set(public) | {h["date"] for h in rows.get("Holidays", [])}

    def is_bd(self, d):
        return d.weekday() not in (4, 5) and d not in self.off   # Sun-Thu

    def forward(self, d):
        while not self.is_bd(d):
            d += dt.timedelta(days=1)
        return d

    def back(self, d):
        while not self.is_bd(d):
            d -= dt.timedelta(days=1)
        return d

    def add(self, d, n):
        step = 1 if n >= 0 else -1
        d = self.back(d) if n >= 0 else self.forward(d)
        for _ in range(abs(n)):
            d += dt.timedelta(days=step)
            while not self.is_bd(d):
                d += dt.timedelta(days=step)
        return d


def amount(o):
    if o["amount"] is not None:
        return o["amount"]
    return o["quantity"] * o["unit_price"] * (1 - (o["discount"] or 0) / 100)


def revenues(rows, today):
    """Client ID -> (revenue 12m, prior 12m)."""
    out = defaultdict(lambda: [0.0, 0.0])
    for o in rows["Orders"]:
        if o["status"] == "Cancelled":
            continue
        age = (today - o["order_date"]).days
        if 0 <= age < 365:
            out[o["client_id"]][0] += amount(o)
        elif 365 <= age < 730:
            out[o["client_id"]][1] += amount(o)
    return out


def classes(rows, today):
    rev = revenues(rows, today)
    ranked = sorted(((r[0], cid) for cid, r in rev.items() if r[0] > 0),
                    key=lambda x: (-x[0], x[1]))
    total = sum(r for r, _ in ranked)
    out, before = {}, 0.0
    for r, cid in ranked:
        share = before / total
        out[cid] = "A" if share < 0.80 else "B" if share < 0.95 else "C"
        before += r
    for c in rows["Clients"]:
        if c["key_account"]:
            out[c["client_id"]] = "A"
    return out


def candidates(rows, today, cid, cal=None, klass=None):
    """Every (date, rule number, rule name) candidate of SPEC section 3 for one client."""
    cal = cal or Calendar(rows, today)
    klass = klass if klass is not None else classes(rows, today)
    client = next(c for c in rows["Clients"] if c["client_id"] == cid)
    if client["status"] == "Lost":
        return []
    log = sorted((i for i in rows["Interactions"] if i["client_id"] == cid),
                 key=lambda i: i["date"])   # stable: ties keep row order
    latest = log[-1] if log else None
    out = []
    for k in rows["Complaints"]:
        if k["client_id"] == cid and k["status"] != "Resolved":
            later = max([k["opened"]] + [i["date"] for i in log if i["date"] >= k["opened"]])
            out.append((cal.add(later, SLA_DAYS[k["severity"]]), 1))
    for o in rows["Orders"]:
        if o["client_id"] != cid or o["status"] == "Cancelled":
            continue
        if o["invoice_due"] and o["invoice_due"] < today and not o["paid_on"]:
            out.append((cal.add(o["invoice_due"], 1), 2))
        if o["status"] in ("Open", "Partly delivered") and o["due_date"]:
            out.append((cal.add(o["due_date"], -2), 3))
    if latest and latest["next_step_date"]:
        out.append((cal.forward(latest["next_step_date"]), 4))
    elif latest and latest["outcome"] == "No answer":
        out.append((cal.add(latest["date"], 1), 5))
    else:
        reached = [i["date"] for i in log if i["outcome"] != "No answer"]
        last = reached[-1] if reached else client["created"]
        status = client["status"]
        days = CADENCE_DAYS[status if status in ("Prospect", "Dormant") else klass.get(cid, "C")]
        out.append((cal.forward(last + dt.timedelta(days=days)), 7))
    for d in rows["Deals"]:
        if d["client_id"] == cid and d["stage"] in ("Proposal", "Negotiation"):
            dates = [x for x in (d["stage_since"], latest and latest["date"]) if x]
            out.append((cal.add(max(dates), 3), 6))
    for k in rows["Contracts"]:
        if k["client_id"] == cid and k["status"] == "Signed" and k["end"]:
            notice = k["renewal_notice"] if k["renewal_notice"] is not None else 60
            out.append((cal.back(k["end"] - dt.timedelta(days=notice)), 8))
    return sorted(out)


def risk(rows, today, cid):
    """The risk conditions of SPEC section 5 that hold for one client."""
    client = next(c for c in rows["Clients"] if c["client_id"] == cid)
    unpaid = [o for o in rows["Orders"] if o["client_id"] == cid and o["status"] != "Cancelled"
              and o["invoice_due"] and not o["paid_on"]]
    reasons = set()
    if any((today - o["invoice_due"]).days > 30 for o in unpaid):
        reasons.add("High: invoice over 30 days overdue")
    limit = client["credit_limit"]
    if limit is not None and sum(amount(o) for o in unpaid) > limit:
        reasons.add("High: unpaid over credit limit")
    if any(o["invoice_due"] < today for o in unpaid):
        reasons.add("Medium: overdue invoice")
    if sum(k["client_id"] == cid and k["status"] != "Resolved" for k in rows["Complaints"]) >= 2:
        reasons.add("Medium: two open complaints")
    now, prior = revenues(rows, today)[cid]
    if now < 0.5 * prior:
        reasons.add("Medium: revenue drop")
    return reasons


def by_key(rows, table):
    key = schema.TABLES[table].key
    return {r[key]: r for r in rows[table]}


# --- determinism and size -------------------------------------------------------------------
def test_same_date_and_seed_give_the_same_book_and_another_seed_another(demo):
    assert demo_data(TODAY, DEMO_SEED) == demo
    other, _ = demo_data(TODAY, DEMO_SEED + 1)
    assert other["Orders"] != demo[0]["Orders"]
    assert other["Interactions"] != demo[0]["Interactions"]


def test_counts_are_those_of_one_managers_book(rows):
    clients = rows["Clients"]
    assert 55 <= len(clients) <= 65
    israeli = [c for c in clients if (c["country"] or "IL") == "IL"]
    assert 35 <= len(israeli) <= 45 and len(clients) - len(israeli) >= 15
    assert {c["country"] for c in clients} >= {"US", "DE", "GB", "FR", "NL", "CY"}
    hebrew = [c for c in clients if any("\u0590" <= ch <= "\u05ff" for ch in c["name"])]
    assert 15 <= len(hebrew) < len(israeli)        # Hebrew and English names among Israelis
    assert sum(c["language"] == "he" for c in israeli) > len(israeli) / 2
    assert all(c["language"] == "en" for c in clients if c not in israeli)
    per_client = Counter(p["client_id"] for p in rows["Contacts"])
    assert set(per_client) == {c["client_id"] for c in clients}
    assert set(per_client.values()) <= {1, 2, 3}
    assert 15 <= len(rows["Products"]) <= 20
    assert len(rows["Competitors"]) >= 5
    assert 6 <= len(rows["Events"]) <= 8
    assert len(rows["Interactions"]) >= 600 and len(rows["Orders"]) >= 400
    assert len(rows["Deals"]) >= 40 and len(rows["Complaints"]) >= 10
    assert 2 <= sum(bool(c["key_account"]) for c in clients) <= 3
    first = min(i["date"] for i in rows["Interactions"])
    assert (TODAY - first).days >= 700                      # two years of history
    assert (TODAY - min(o["order_date"] for o in rows["Orders"])).days >= 700


def test_settings_overrides_use_setting_keys(demo):
    settings = demo[1]
    assert set(settings) <= set(schema.SETTING_BY_KEY)
    assert settings["country"] == "IL" and settings["currency"] == "ILS"
    assert settings["manager_name"] and "@" in settings["manager_email"]
    assert il_number_ok(settings["company_number"])
    segments = [s.strip() for s in settings["segments"].split(",")]
    assert {c["segment"] for c in demo[0]["Clients"]} <= set(segments)


# --- SPEC section 2: every column's type, choices, required, unique, references ----------------
def test_every_value_has_its_columns_type_and_choice(rows):
    for name, table_rows in rows.items():
        table = schema.TABLES[name]
        keys = [c.key for c in table.columns if not c.computed]
        for r in table_rows:
            assert list(r) == keys, name
            for col in table.columns:
                if col.computed:
                    continue
                v = r[col.key]
                if v is None:
                    assert not col.required, (name, col.key, r)
                    continue
                if col.type == schema.DATE:
                    assert type(v) is dt.date, (name, col.key, v)
                elif col.type in (schema.NUMBER, schema.INTEGER, schema.PERCENT):
                    assert isinstance(v, (int, float)) and not isinstance(v, bool)
                    assert col.min is None or v >= col.min, (name, col.key, v)
                    assert not col.min_exclusive or v > col.min
                    assert col.max is None or v <= col.max
                elif col.type == schema.YESNO:
                    assert isinstance(v, bool)
                else:
                    assert isinstance(v, str) and v.strip() == v and v, (name, col.key, v)
                    assert not v.startswith(("=", "@", "-")), v   # never looks like a formula
                if col.choices:
                    assert v in col.choices, (name, col.key, v)
                if col.not_future:
                    assert v <= TODAY, (name, col.key, v)
        for col in table.columns:
            if col.unique:
                values = [r[col.key] for r in table_rows]
                assert len(values) == len(set(values)), (name, col.key)


def test_references_resolve(rows):
    keys = {name: set(by_key(rows, name)) for name in rows if schema.TABLES[name].key}
    for name, table_rows in rows.items():
        for col in schema.TABLES[name].columns:
            if col.type == schema.REF:
                for r in table_rows:
                    assert r[col.key] is None or r[col.key] in keys[col.ref], (name, col.key, r)


def test_every_choice_shows_up(rows):
    def seen(table, key):
        return {r[key] for r in rows[table]}
    assert seen("Interactions", "channel") == set(schema.CHANNELS)
    assert seen("Interactions", "outcome") == set(schema.OUTCOMES)
    assert seen("Interactions", "direction") == set(schema.DIRECTIONS)
    assert seen("Deals", "stage") == set(schema.STAGES)
    assert seen("Orders", "status") == set(schema.ORDER_STATUS)
    assert seen("Contracts", "status") == set(schema.CONTRACT_STATUS)
    assert seen("Complaints", "severity") == set(schema.SEVERITIES)
    assert seen("Complaints", "status") == set(schema.CASE_STATUS)
    assert seen("Complaints", "category") == set(schema.CATEGORIES)
    assert seen("Clients", "status") == set(schema.CLIENT_STATUS)
    assert seen("Clients", "source") == set(schema.SOURCES)
    assert seen("Events", "type") == set(schema.EVENT_TYPES)
    assert seen("Contacts", "preferred_channel") <= set(schema.CONTACT_CHANNELS)
    assert len(seen("Contacts", "preferred_channel")) >= 4
    assert Counter(c["status"] for c in rows["Clients"]).most_common(1)[0][0] == "Active"


def test_cross_field_rules_of_section_2(rows):
    clients = by_key(rows, "Clients")
    for c in rows["Clients"]:
        if c["source"] == "Referral":
            assert c["referred_by"] in clients and c["referred_by"] != c["client_id"]
        else:
            assert c["referred_by"] is None
    contacts = by_key(rows, "Contacts")
    for i in rows["Interactions"]:
        if i["contact_id"]:
            assert contacts[i["contact_id"]]["client_id"] == i["client_id"]
        if i["next_step_date"]:
            assert i["next_step_date"] >= i["date"]
        assert (i["channel"] == "Event") == (i["event_id"] is not None)
    primaries = Counter(p["client_id"] for p in rows["Contacts"] if p["primary"])
    assert max(primaries.values()) == 1
    assert len(primaries) >= 0.8 * len(clients)
    for d in rows["Deals"]:
        assert (d["stage"] == "Lost") == bool(d["lost_reason"])
        assert d["lost_to"] is None or d["stage"] == "Lost"
        assert d["created"] <= d["stage_since"] <= TODAY
    for k in rows["Complaints"]:
        assert (k["status"] == "Resolved") == (k["resolved_on"] is not None)
        assert k["resolved_on"] is None or k["opened"] <= k["resolved_on"] <= TODAY
    for k in rows["Contracts"]:
        if k["start"] and k["end"]:
            assert k["end"] > k["start"]
        if k["status"] in ("Signed", "Expired"):
            assert k["signed_on"] and k["signed_on"] <= TODAY
        if k["status"] == "Expired":
            assert k["end"] < TODAY
        if k["status"] == "Signed":
            assert k["end"] > TODAY
    assert all(re.fullmatch(r"CTR-\d{4}-\d{4}(-v\d+)?", k["contract_id"])   # -v2: a new version
               for k in rows["Contracts"])


def test_orders_are_consistent_lines(rows):
    for o in rows["Orders"]:
        expected = round(o["quantity"] * o["unit_price"] * (1 - (o["discount"] or 0) / 100), 2)
        assert o["amount"] is None or abs(o["amount"] - expected) <= 0.01
        assert o["due_date"] >= o["order_date"] and o["order_date"] <= TODAY
        qty, done = o["quantity"], o["delivered_qty"]
        assert done is None or 0 <= done <= qty
        if o["status"] == "Delivered":
            assert done == qty and o["order_date"] <= o["delivered_on"] <= TODAY
        if o["status"] == "Partly delivered":
            assert 0 < done < qty and o["delivered_on"] <= TODAY
        if o["status"] in ("Open", "Cancelled"):
            assert done is None and o["invoice_due"] is None and o["paid_on"] is None
        if o["invoice_due"]:
            assert o["paid_on"] is None or o["order_date"] <= o["paid_on"] <= TODAY
    assert any(o["amount"] is None for o in rows["Orders"])          # blank = computed
    late = [o for o in rows["Orders"] if o["delivered_on"] and o["delivered_on"] > o["due_date"]]
    assert late                                                       # some deliveries late
    # Invoice due is the order date plus the client's payment terms.
    terms = {c["client_id"]: c["payment_terms"] or 30 for c in rows["Clients"]}
    assert all(o["invoice_due"] == o["order_date"] + dt.timedelta(days=terms[o["client_id"]])
               for o in rows["Orders"] if o["invoice_due"])


def test_deal_items_and_products(rows):
    with_items = {i["deal_id"] for i in rows["DealItems"]}
    assert len(with_items) >= 0.7 * len(rows["Deals"])
    for p in rows["Products"]:
        assert p["launched"] <= TODAY and p["list_price"] > 0
    assert any(not p["active"] for p in rows["Products"])
    for c in rows["Competitors"]:
        assert all(c[k] for k in ("strengths", "weaknesses", "opportunities", "threats"))
    assert any(d["lost_to"] for d in rows["Deals"])
    events = rows["Events"]
    assert sum(e["date"] > TODAY for e in events) == 1


def test_phones_emails_and_company_numbers_are_valid(rows):
    clients = by_key(rows, "Clients")
    people = [(c["phone"], c["email"], c["country"] or "IL") for c in rows["Clients"]]
    people += [(p["phone"], p["email"], clients[p["client_id"]]["country"] or "IL")
               for p in rows["Contacts"]]
    for phone, email, country in people:
        number = phonenumbers.parse(phone, country)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == country, phone
        assert phone.startswith("0") if country == "IL" else phone.startswith("+"), phone
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as e:      # pragma: no cover - the assertion names the address
            pytest.fail(f"{email}: {e}")
    for c in rows["Clients"]:
        if (c["country"] or "IL") == "IL":
            assert il_number_ok(c["company_number"]), c["company_number"]
    assert len({c["company_number"] for c in rows["Clients"] if c["company_number"]}) >= 50


def test_revenue_gives_a_realistic_abc(rows):
    rev = revenues(rows, TODAY)
    totals = sorted((r[0] for r in rev.values() if r[0] > 0), reverse=True)
    share_top5 = sum(totals[:5]) / sum(totals)
    assert 0.35 <= share_top5 <= 0.75
    klass = classes(rows, TODAY)
    counts = Counter(klass.values())
    assert counts["A"] < counts["B"] + counts["C"] and counts["C"] >= 5
    idle = {c["client_id"] for c in rows["Clients"] if c["status"] in ("Prospect", "Dormant")}
    assert not any(rev[cid][0] for cid in idle if cid in rev)  # no orders this year


# --- the scenarios: every rule and every risk condition is on show ----------------------------
@pytest.mark.parametrize("rule", RULES)
def test_each_follow_up_rule_is_some_clients_earliest_and_due(rows, rule):
    cid = DEMO_SCENARIOS[rule]
    client = by_key(rows, "Clients")[cid]
    assert client["status"] != "Lost"
    first = candidates(rows, TODAY, cid)[0]
    assert RULES[first[1] - 1] == rule, candidates(rows, TODAY, cid)
    assert first[0] <= TODAY                       # so it is in the call queue


def test_the_queue_shows_every_reason_on_other_days():
    for today in OTHER_DAYS:
        rows, _ = demo_data(today)
        cal, klass = Calendar(rows, today), classes(rows, today)
        shown = set()
        for cid in (c["client_id"] for c in rows["Clients"]):
            cands = candidates(rows, today, cid, cal, klass)
            if cands and cands[0][0] <= today:
                shown.add(RULES[cands[0][1] - 1])
        for rule in RULES:
            first = candidates(rows, today, DEMO_SCENARIOS[rule], cal, klass)[0]
            assert RULES[first[1] - 1] == rule and first[0] <= today, (today, rule, first)
        assert shown == set(RULES), today


@pytest.mark.parametrize("condition", [
    "High: invoice over 30 days overdue", "High: unpaid over credit limit",
    "Medium: overdue invoice", "Medium: two open complaints", "Medium: revenue drop"])
def test_each_risk_condition_holds_for_its_client_alone(rows, condition):
    cid = DEMO_SCENARIOS[condition]
    expected = {condition}
    if condition == "High: invoice over 30 days overdue":
        expected.add("Medium: overdue invoice")      # such an invoice is overdue, too
    assert risk(rows, TODAY, cid) == expected


def test_most_clients_are_low_risk(rows):
    active = [c["client_id"] for c in rows["Clients"] if c["status"] == "Active"]
    risky = [cid for cid in active if risk(rows, TODAY, cid)]
    assert len(risky) <= len(active) / 3, risky


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 11, 27)])
def test_the_demo_month_report_has_something_in_every_section(today):
    """The demo's last full month: deals won and lost (to named competitors), complaints
    opened and resolved, and deliveries mostly on time, as a real month has."""
    from acctbook.excel import last_full_month
    from acctbook.book.coerce import book_from_rows
    from acctbook.documents.figures import month_figures
    data, settings = demo_data(today)
    f = month_figures(book_from_rows(data, settings), last_full_month(today), today)
    assert f.deals_won >= 2 and f.deals_lost >= 2 and 0 < f.win_rate < 1
    assert any(name for name, n in f.lost_by_competitor)
    assert f.complaints_opened >= 1 and f.complaints_resolved >= 1
    assert f.deliveries_due >= 10 and f.on_time_rate >= 0.7
