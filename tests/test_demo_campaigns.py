"""The demo shows campaigns at work: one campaign of each type (two sent, two planned),
Marketing consent in its three states, an event with its Attendance and a coming one with
invitations, the sent campaigns' messages only to consenting primary contacts, replies and a
deal after them, and an attended client not yet thanked. Books made with `acctbook new
--demo` (English and Hebrew), read back with python-calamine."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import schema
from acctbook.create.demo import Demo, demo_data

TODAY = dt.date(2026, 3, 10)                 # a Tuesday
FROM_HE = {he: en for en, he in schema.CHOICE_HE.items()}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    return {lang: api.new(folder / f"demo.{lang}.xlsx", lang=lang, demo=True, today=TODAY)
            for lang in ("en", "he")}


def records(path, table: str, lang: str) -> list[dict]:
    """A table's rows as {column key: value}, choices in English, blanks None."""
    t = schema.TABLES[table]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(t.sheet(lang)).to_python()
    keys = {c.label(lang): c.key for c in t.columns}
    header = [keys[h] for h in rows[0]]
    out = []
    for r in rows[1:]:
        if r[0] == "":
            continue
        row = {k: (None if v == "" else FROM_HE.get(v, v) if lang == "he" else v)
               for k, v in zip(header, r)}
        out.append(row)
    return out


def tables(path, lang: str, *names: str) -> list[list[dict]]:
    return [records(path, name, lang) for name in names]


def day(v) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


@pytest.mark.parametrize("lang", ["en", "he"])
def test_one_campaign_of_each_type_two_sent_two_planned(books, lang):
    campaigns, products, events, log = tables(books[lang], lang, "Campaigns", "Products",
                                              "Events", "Interactions")
    assert sorted(c["type"] for c in campaigns) == sorted(schema.CAMPAIGN_TYPES)
    assert sorted(c["channel"] for c in campaigns) == ["Email", "Email", "Email", "Mail"]
    by_type = {c["type"]: c for c in campaigns}
    launched = {p["sku"]: day(p["launched"]) for p in products}
    new = by_type["New product"]
    assert 0 <= (day(new["planned_on"]) - launched[new["sku"]]).days <= 90
    assert (TODAY - launched[new["sku"]]).days <= 90          # launched in the last 90 days
    assert by_type["Promotion"]["sku"] in launched
    event = next(e for e in events if e["event_id"] == by_type["Event invitation"]["event_id"])
    assert day(event["date"]) > TODAY                          # it invites to what is coming
    sent = {i["campaign_id"] for i in log if i["campaign_id"]}
    planned = {c["campaign_id"] for c in campaigns if day(c["planned_on"]) >= TODAY}
    assert len(sent) == 2 and len(planned) == 2 and not sent & planned
    assert all(c["name"] and c["subject"] for c in campaigns)
    # Audiences: filters used, some blank; Hebrew words in a Hebrew book.
    assert any(c["segments"] for c in campaigns) and any(not c["segments"] for c in campaigns)
    assert any(c["regions"] for c in campaigns) and any(c["classes"] for c in campaigns)
    assert any(c["statuses"] for c in campaigns) and any(c["language"] for c in campaigns)
    segments = {s for c in records(books[lang], "Clients", lang) for s in [c["segment"]]}
    for c in campaigns:
        assert set(filter(None, (c["segments"] or "").split(", "))) <= segments
    if lang == "he":
        assert all(c["statuses"] in (None, "פעיל, ליד") for c in campaigns)
        assert {c["regions"] for c in campaigns} <= {None, "מרכז, צפון, ירושלים, דרום, שרון"}


@pytest.mark.parametrize("lang", ["en", "he"])
def test_consent_is_yes_no_or_blank_and_yes_has_a_past_date(books, lang):
    contacts = records(books[lang], "Contacts", lang)
    consent = [c["marketing_consent"] for c in contacts]
    assert set(consent) == {"Yes", "No", None}
    assert consent.count("Yes") > len(consent) / 2                 # most said Yes
    for c in contacts:
        if c["marketing_consent"] == "Yes":
            assert day(c["consent_date"]) <= TODAY
        if c["marketing_consent"] is None:
            assert c["consent_date"] is None


@pytest.mark.parametrize("lang", ["en", "he"])
def test_sent_messages_go_only_to_consenting_primary_contacts(books, lang):
    campaigns, contacts, log, clients = tables(books[lang], lang, "Campaigns", "Contacts",
                                               "Interactions", "Clients")
    people = {p["contact_id"]: p for p in contacts}
    primary = {p["client_id"]: p["contact_id"] for p in contacts if p["primary"] == "Yes"}
    status = {c["client_id"]: c["status"] for c in clients}
    by_id = {c["campaign_id"]: c for c in campaigns}
    messages = [i for i in log if i["campaign_id"]]
    assert len(messages) >= 20
    for i in messages:
        c = by_id[i["campaign_id"]]
        assert (i["channel"], i["direction"], i["outcome"]) == (c["channel"], "Out", "Info sent")
        assert day(i["date"]) == day(c["planned_on"]) < TODAY
        assert i["contact_id"] == primary[i["client_id"]]
        person = people[i["contact_id"]]
        assert person["marketing_consent"] == "Yes"
        assert day(person["consent_date"]) <= day(i["date"])
        assert status[i["client_id"]] != "Lost"
    pairs = [(i["campaign_id"], i["contact_id"]) for i in messages]
    assert len(pairs) == len(set(pairs))                            # never twice
    assert {i["channel"] for i in messages} == {"Email", "Mail"}


def test_the_sent_campaigns_drew_replies_and_a_deal_within_30_days():
    rows, _ = demo_data(TODAY)
    deals_by = {}
    for d in rows["Deals"]:
        deals_by.setdefault(d["client_id"], []).append(d["created"])
    for campaign in (c for c in rows["Campaigns"] if c["planned_on"] < TODAY):
        sent = campaign["planned_on"]
        to = {i["client_id"] for i in rows["Interactions"]
              if i["campaign_id"] == campaign["campaign_id"]}
        replies = [i for i in rows["Interactions"] if i["client_id"] in to
                   and i["direction"] == "In" and 0 < (i["date"] - sent).days <= 30]
        assert replies, campaign["campaign_id"]
        if campaign["type"] == "New product":
            assert any(0 <= (d - sent).days <= 30 for cid in to for d in deals_by.get(cid, ()))
            assert any(i["sku"] == campaign["sku"] for i in rows["DealItems"])


def test_refresh_counts_recipients_responses_and_deals(books, tmp_path):
    book = tmp_path / "demo.xlsx"
    shutil.copyfile(books["en"], book)
    api.refresh(book, TODAY)
    campaigns = records(book, "Campaigns", "en")
    sent = [c for c in campaigns if c["sent_on"]]
    assert len(sent) == 2
    assert all(c["recipients"] > 0 and c["responses"] > 0 for c in sent)
    assert any(c["deals"] > 0 for c in sent)
    assert all(not c["recipients"] for c in campaigns if not c["sent_on"])


@pytest.mark.parametrize("lang", ["en", "he"])
def test_an_event_with_attendance_and_a_coming_one_with_invitations(books, lang):
    events, attendance, contacts = tables(books[lang], lang, "Events", "Attendance",
                                          "Contacts")
    when = {e["event_id"]: day(e["date"]) for e in events}
    owner = {p["contact_id"]: p["client_id"] for p in contacts}
    for a in attendance:
        assert owner[a["contact_id"]] == a["client_id"]
        assert a["invited_on"] is None or day(a["invited_on"]) <= min(TODAY, when[a["event_id"]])
    past = [a for a in attendance if when[a["event_id"]] <= TODAY]
    coming = [a for a in attendance if when[a["event_id"]] > TODAY]
    assert len({a["event_id"] for a in past}) == 1 and len(past) >= 8
    assert {a["rsvp"] for a in past} == {"Yes", "No", "Maybe", None}
    assert {a["attended"] for a in past} == {"Yes", "No"}
    assert coming and all(a["invited_on"] and a["attended"] is None for a in coming)
    # Everyone invited had said Yes to marketing by then.
    people = {p["contact_id"]: p for p in contacts}
    for a in attendance:
        if a["invited_on"]:
            p = people[a["contact_id"]]
            assert p["marketing_consent"] == "Yes"
            assert day(p["consent_date"]) <= day(a["invited_on"])


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 4, 4), dt.date(2025, 9, 25),
                                   dt.date(2026, 11, 27)])
def test_one_guest_of_the_last_event_is_not_yet_thanked(today):
    demo = Demo(today, 7)
    rows, _ = demo.build()
    event = max((e for e in rows["Events"] if e["date"] <= today), key=lambda e: e["date"])
    came = {a["client_id"] for a in rows["Attendance"]
            if a["event_id"] == event["event_id"] and a["attended"]}
    heard = {i["client_id"] for i in rows["Interactions"] if i["date"] > event["date"]
             and i["outcome"] != "No answer" and not i["campaign_id"]}
    assert len(came - heard) == 1 and demo.unthanked in came - heard
    assert demo.cal.add(event["date"], 2) <= today                 # the call is due


def test_the_thank_you_call_is_on_today_in_the_demo(books, tmp_path):
    book = tmp_path / "demo.he.xlsx"
    shutil.copyfile(books["he"], book)
    api.refresh(book, TODAY)
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(
        schema.generated_sheet("Today", "he")).to_python()
    attendance = records(book, "Attendance", "he")
    events = {e["event_id"]: day(e["date"]) for e in records(book, "Events", "he")}
    past = next(e for e, d in events.items() if d <= TODAY and any(
        a["event_id"] == e for a in attendance))
    reasons = {r[1]: r[6] for r in rows[1:] if r[1]}
    thanked = [cid for cid, reason in reasons.items() if past in str(reason)]
    assert len(thanked) == 1
    assert any(a["client_id"] == thanked[0] and a["attended"] == "Yes" for a in attendance)
