"""Campaign and event results, the thank-you follow-up and the new checks (docs/rules.md,
sections 3 and 16; docs/problems.md), on planted books written with
`acctbook.create.workbook`, refreshed and reported through `acctbook.api`, read back with
python-calamine and lxml.

The expected figures are worked out here from the planted rows with plain Python (the
rule as docs/rules.md states it), not taken from acctbook's code; a few are also checked
by hand in the comments.

The calendar is Israel's (Country IL): Sun–Thu; November 2026 has no holidays.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import python_calamine as pc

from acctbook import api
from acctbook.book import bidi, schema
from acctbook.create.workbook import create_workbook

D = dt.date
TODAY = D(2026, 11, 20)          # a Friday
MONTH = "2026-11"
LANGS = ("en", "he")


# --- the planted book --------------------------------------------------------------------
def _client(cid, status="Active"):
    return {"client_id": cid, "name": f"Client {cid}", "status": status,
            "created": D(2025, 1, 5), "country": "IL"}


def _contact(pid, cid, primary=None):
    return {"contact_id": pid, "client_id": cid, "name": f"Person {pid}", "primary": primary,
            "marketing_consent": "Yes", "consent_date": D(2025, 6, 1),
            "email": f"{pid.lower()}@example.com"}


def _message(day, cid, pid, campaign):
    """What `acctbook campaign` logs: Email, Out, Info sent, the Campaign ID."""
    return {"date": day, "client_id": cid, "contact_id": pid, "channel": "Email",
            "direction": "Out", "outcome": "Info sent", "campaign_id": campaign}


def _touch(day, cid, direction="Out", outcome="Reached", channel="Phone", campaign=None):
    return {"date": day, "client_id": cid, "channel": channel, "direction": direction,
            "outcome": outcome, "campaign_id": campaign}


def planted() -> dict[str, list[dict]]:
    return {
        "Clients": [_client("C1"), _client("C2"), _client("C3"), _client("C4", "Prospect"),
                    _client("C5")],
        "Contacts": [_contact("P1", "C1", "Yes"), _contact("P1B", "C1"),
                     _contact("P2", "C2", "Yes"), _contact("P3", "C3", "Yes"),
                     _contact("P4", "C4", "Yes"), _contact("P5", "C5", "Yes")],
        "Products": [{"sku": "N-1", "name": "Nova", "list_price": 100}],
        "Events": [
            {"event_id": "E-01", "name": "Expo 2026", "type": "Exhibition",
             "date": D(2026, 11, 10)},
            {"event_id": "E-02", "name": "Launch day", "type": "Presentation",
             "date": D(2026, 9, 15)},
            {"event_id": "E-03", "name": "Winter fair", "type": "Fair", "date": D(2026, 12, 10)}],
        "Campaigns": [
            {"campaign_id": "K-1", "name": "Autumn promotion", "type": "Promotion",
             "channel": "Email"},
            {"campaign_id": "K-2", "name": "Nova launch", "type": "New product", "sku": "N-1",
             "channel": "Email"},
            {"campaign_id": "K-3", "name": "Expo invitation", "type": "Event invitation",
             "event_id": "E-01", "channel": "Email"},
            {"campaign_id": "K-4", "name": "Winter newsletter", "type": "Newsletter",
             "channel": "Email"},                                     # not sent yet
            {"campaign_id": "K-5", "name": "November news", "type": "Newsletter",
             "channel": "Email"}],
        "Interactions": [
            # K-1: Thu 10-01 to two contacts of C1, to C2 and C3; 10-05 to C5
            _message(D(2026, 10, 1), "C1", "P1", "K-1"),
            _message(D(2026, 10, 1), "C1", "P1B", "K-1"),
            _message(D(2026, 10, 1), "C2", "P2", "K-1"),
            _message(D(2026, 10, 1), "C3", "P3", "K-1"),
            _message(D(2026, 10, 5), "C5", "P5", "K-1"),
            _touch(D(2026, 10, 10), "C2", "In", channel="Email"),   # K-1: day 9, a response
            _touch(D(2026, 10, 1), "C3", "In"),                      # K-1: Sent on itself: not
            _touch(D(2026, 11, 1), "C5", "In"),                      # K-1: day 31: not
            _touch(D(2026, 10, 5), "C4", "In"),                      # C4 is not in K-1
            # K-2: 09-01 to C4 and C5
            _message(D(2026, 9, 1), "C4", "P4", "K-2"),
            _message(D(2026, 9, 1), "C5", "P5", "K-2"),
            _touch(D(2026, 9, 1), "C5", "In"),                       # K-2: Sent on itself: not
            # K-3: 11-01 to C1, C2, C3; C3's reply names the campaign (a reply, not a message)
            _message(D(2026, 11, 1), "C1", "P1", "K-3"),
            _message(D(2026, 11, 1), "C2", "P2", "K-3"),
            _message(D(2026, 11, 1), "C3", "P3", "K-3"),
            _touch(D(2026, 11, 3), "C2", "In", channel="Email"),
            _touch(D(2026, 11, 2), "C3", "In", channel="Email", campaign="K-3"),
            _touch(D(2026, 11, 12), "C5"),                           # C5 thanked after E-01
            # K-5 after Expo 2026: a campaign e-mail is no thank-you call
            _message(D(2026, 11, 16), "C1", "P1", "K-5"),
        ],
        "Deals": [
            {"deal_id": "D-1", "client_id": "C3", "title": "Promo order", "stage": "Lead",
             "created": D(2026, 10, 31)},                             # K-1 day 30; E-02 day 46
            {"deal_id": "D-2", "client_id": "C1", "title": "Later", "stage": "Lead",
             "created": D(2026, 11, 1)},                              # K-1 day 31; K-3 day 0
            {"deal_id": "D-3", "client_id": "C4", "title": "Nova", "stage": "Lead",
             "created": D(2026, 9, 15)},                              # K-2 day 14; E-02 day 0
        ],
        "Attendance": [
            {"event_id": "E-01", "contact_id": "P1", "client_id": "C1",
             "invited_on": D(2026, 11, 1), "rsvp": "Yes", "attended": "Yes"},
            {"event_id": "E-01", "contact_id": "P2", "client_id": "C2",
             "invited_on": D(2026, 11, 1), "rsvp": "Yes", "attended": "No"},
            {"event_id": "E-01", "contact_id": "P3", "invited_on": D(2026, 11, 1)},   # invited
            {"event_id": "E-01", "contact_id": "P5", "client_id": "C5", "rsvp": "Maybe",
             "attended": "Yes"},
            {"event_id": "E-02", "contact_id": "P3", "client_id": "C3", "rsvp": "Yes",
             "attended": "Yes"},
            {"event_id": "E-02", "contact_id": "P4", "rsvp": "Yes", "attended": "Yes"},
        ],
    }


# --- the rules as docs/rules.md states them, in plain Python --------------------------------
def _owner(data):
    return {p["contact_id"]: p["client_id"] for p in data["Contacts"]}


def expected_campaigns(data) -> dict[str, tuple]:
    """Campaign ID -> (Sent on, Recipients, Responses, Deals, audience clients); Nones when
    nothing was sent."""
    owner, out = _owner(data), {}
    inbound = [(i.get("client_id") or owner.get(i.get("contact_id")), i["date"])
               for i in data["Interactions"] if i.get("direction") == "In"]
    deals = [(d["client_id"], d["created"], d["deal_id"]) for d in data["Deals"]]
    for k in (c["campaign_id"] for c in data["Campaigns"]):
        sent = [i for i in data["Interactions"]
                if i.get("campaign_id") == k and i.get("direction") != "In"]
        if not sent:
            out[k] = (None, None, None, None, None)
            continue
        start = min(i["date"] for i in sent)
        end = start + dt.timedelta(days=30)
        audience = {i.get("client_id") or owner.get(i.get("contact_id")) for i in sent}
        reached = {("contact", i["contact_id"]) if i.get("contact_id")
                   else ("client", i["client_id"]) for i in sent}
        new = {d for c, day, d in deals if c in audience and start < day <= end}
        answered = {c for c, day in inbound if c in audience and start < day <= end}
        answered |= {c for c, day, _d in deals if c in audience and start < day <= end}
        out[k] = (start, len(reached), len(answered), len(new), len(audience))
    return out


def expected_events(data) -> dict[str, tuple[int, int, int, int]]:
    """Event ID -> (invited, accepted, attended, deals within 90 days of attending clients)."""
    owner, out = _owner(data), {}
    for e in data["Events"]:
        rows = [a for a in data["Attendance"] if a["event_id"] == e["event_id"]]
        came = {a.get("client_id") or owner.get(a["contact_id"]) for a in rows
                if a.get("attended") == "Yes"}
        end = e["date"] + dt.timedelta(days=90)
        deals = [d for d in data["Deals"] if d["client_id"] in came
                 and e["date"] < d["created"] <= end]
        out[e["event_id"]] = (len({a["contact_id"] for a in rows}),
                              len({a["contact_id"] for a in rows if a.get("rsvp") == "Yes"}),
                              len({a["contact_id"] for a in rows if a.get("attended") == "Yes"}),
                              len(deals))
    return out


def test_the_plain_rules_give_the_figures_worked_out_by_hand():
    got = expected_campaigns(planted())
    # K-1: 5 contacts; clients C1 C2 C3 C5; C2 wrote in on 10-10, C3 opened D-1 on 10-31.
    assert got["K-1"] == (D(2026, 10, 1), 5, 2, 1, 4)
    assert got["K-2"] == (D(2026, 9, 1), 2, 1, 1, 2)       # C4's D-3 on 09-15
    assert got["K-3"] == (D(2026, 11, 1), 3, 2, 0, 3)      # C2 and C3 wrote in
    assert got["K-4"] == (None,) * 5
    assert got["K-5"] == (D(2026, 11, 16), 1, 0, 0, 1)
    assert expected_events(planted()) == {"E-01": (4, 2, 2, 0), "E-02": (2, 2, 2, 1),
                                          "E-03": (0, 0, 0, 0)}


# --- refresh: the Campaigns sheet's computed cells -----------------------------------------
def _sheet(path: Path, name: str, lang: str) -> list[dict]:
    """A data sheet's rows as {column key: value}, headers matched in the book's language."""
    table = schema.TABLES[name]
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        table.sheet(lang)).to_python()
    keys = {c.label(lang): c.key for c in table.columns}
    return [{keys.get(h, h): v for h, v in zip(rows[0], r)} for r in rows[1:]]


def _book(tmp_path: Path, lang: str, data=None, name="book.xlsx") -> Path:
    path = create_workbook(tmp_path / f"{lang}-{name}", lang, data=data or planted())
    assert [p.line() for p in api.check(path, TODAY).problems] == []
    api.refresh(path, TODAY)
    return path


@pytest.fixture(scope="module", params=LANGS)
def refreshed(request, tmp_path_factory):
    return request.param, _book(tmp_path_factory.mktemp("refreshed"), request.param)


def test_refresh_writes_sent_on_recipients_responses_and_deals(refreshed):
    lang, path = refreshed
    want = expected_campaigns(planted())
    got = {r["campaign_id"]: r for r in _sheet(path, "Campaigns", lang)}
    assert set(got) == set(want)
    for k, (sent, recipients, responses, deals, _clients) in want.items():
        row = got[k]
        if sent is None:                       # nothing sent: all four blank
            assert [row[c] for c in ("sent_on", "recipients", "responses", "deals")] == [""] * 4
            continue
        assert row["sent_on"] == sent, k
        assert (row["recipients"], row["responses"], row["deals"]) == (
            recipients, responses, deals), k
    # the inputs are as typed: a Hebrew book shows the Type in Hebrew
    assert got["K-1"]["type"] == schema.show_choice("Promotion", lang)


# --- the thank-you follow-up ------------------------------------------------------------------
THANKS = {"en": "Thank-you call after Event E-01 (Expo 2026)",
          "he": "שיחת תודה אחרי אירוע E-01 (Expo 2026)"}


def _follow_ups(path: Path, lang: str) -> dict[str, tuple]:
    return {r["client_id"]: (r["next_follow_up"], bidi.plain(r["follow_up_reason"]))
            for r in _sheet(path, "Clients", lang)}


def test_an_attended_event_asks_for_a_thank_you_call_two_business_days_later(refreshed):
    lang, path = refreshed
    fu = _follow_ups(path, lang)
    # C1's contact attended Expo 2026 (Tue 11-10): + 2 business days = Thu 11-12. The K-5
    # e-mail on 11-16 is a campaign message, not the call.
    assert fu["C1"] == (D(2026, 11, 12), THANKS[lang])
    today = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        schema.TODAY.sheet(lang)).to_python()
    assert [bidi.plain(r[6]) for r in today[1:] if r[1] == "C1"] == [THANKS[lang]]
    # C2 said yes but did not come, C3 was only invited (its Launch day thank-you was done
    # by its reply on 11-02), C5 was called on 11-12: none of them has a thank-you, though
    # one on 11-12 would come before each one's Cadence date.
    for cid in ("C2", "C3", "C5"):
        date, reason = fu[cid]
        assert "E-0" not in reason and date > D(2026, 11, 12), (cid, fu[cid])


@pytest.mark.parametrize("lang", LANGS)
def test_the_thank_you_goes_once_the_client_was_called(tmp_path, lang):
    missed = planted()
    missed["Interactions"].append(_touch(D(2026, 11, 13), "C1", outcome="No answer"))
    # a call that was not answered is not the thank-you call: it stays, ahead of the retry
    assert _follow_ups(_book(tmp_path, lang, missed, "missed.xlsx"), lang)["C1"] == (
        D(2026, 11, 12), THANKS[lang])
    called = planted()
    called["Interactions"].append(_touch(D(2026, 11, 13), "C1"))
    date, reason = _follow_ups(_book(tmp_path, lang, called, "called.xlsx"), lang)["C1"]
    assert "E-01" not in reason and date > TODAY


# --- the monthly report ----------------------------------------------------------------------
def _table_rows(html: str, xpath: str) -> list[list[str]]:
    from lxml import html as lxml_html
    doc = lxml_html.fromstring(html)
    tables = doc.xpath(xpath)
    assert len(tables) == 1, xpath
    return [[bidi.plain(td.text_content()).strip() for td in tr.xpath("td")]
            for tr in tables[0].xpath(".//tbody/tr")]


def _number(text: str) -> str:
    return text.replace("\u200e", "").replace("\u200f", "")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = {}
    for lang in LANGS:
        folder = tmp_path_factory.mktemp(f"report-{lang}")
        path = create_workbook(folder / "book.xlsx", lang, data=planted())
        result = api.report(path, MONTH, out=folder, today=TODAY)
        out[lang] = (result.files["html"].read_text(encoding="utf-8"), path, result.sheet)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_lists_each_campaign_sent_by_then_with_its_results(reports, lang):
    html = reports[lang][0]
    rows = _table_rows(html, "//table[contains(@class, 'campaigns')]")
    want = expected_campaigns(planted())
    names = {c["campaign_id"]: c for c in planted()["Campaigns"]}
    sent = sorted((k for k, v in want.items() if v[0] is not None and v[0] <= TODAY),
                  key=lambda k: want[k][0], reverse=True)          # the latest first
    assert [r[0] for r in rows] == [names[k]["name"] for k in sent]
    for row, k in zip(rows, sent):
        _sent, recipients, responses, deals, clients = want[k]
        assert row[1] == schema.show_choice(names[k]["type"], lang)
        assert [_number(x) for x in row[3:6]] == [str(recipients), str(responses), str(deals)]
        assert _number(row[6]) == f"{100 * responses / clients:.1f}%"
    assert "Winter newsletter" not in html                         # never sent


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_shows_invitations_attendance_and_deals_of_recent_events(reports, lang):
    html, path, sheet = reports[lang]
    rows = _table_rows(html, "//table[contains(@class, 'small')]")
    want = expected_events(planted())
    # November and the three months before: Launch day (09-15), Expo 2026 (11-10), by date;
    # Winter fair (12-10) is after the month.
    assert [r[0] for r in rows] == ["Launch day", "Expo 2026"]
    for row, k in zip(rows, ("E-02", "E-01")):
        assert tuple(int(_number(x)) for x in row[2:6]) == want[k]
    # the Report sheet has the same tables
    cells = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    by_name = {r[0]: r for r in cells if r and r[0] in ("Launch day", "Autumn promotion")}
    assert [int(x) for x in by_name["Launch day"][2:6]] == list(want["E-02"])
    assert [int(x) for x in by_name["Autumn promotion"][3:6]] == list(
        expected_campaigns(planted())["K-1"][1:4])
    if lang == "he":
        assert '<html lang="he" dir="rtl">' in html
        assert "קמפיינים" in html and "הזמנות ותוצאות" in html and "מבצע" in html


# --- the checks ----------------------------------------------------------------------------------
def _bad(data):
    n_campaigns, n_contacts = len(data["Campaigns"]), len(data["Contacts"])
    n_attendance = len(data["Attendance"])
    data["Campaigns"] += [
        {"campaign_id": "K-6", "name": "No event", "type": "Event invitation", "channel": "Email"},
        {"campaign_id": "K-7", "name": "No SKU", "type": "New product", "channel": "Mail"}]
    data["Attendance"] += [
        {"event_id": "E-01", "contact_id": "P2", "client_id": "C3"},     # P2 is C2's
        {"event_id": "E-03", "contact_id": "P2", "attended": "Yes"}]     # E-03: 12-10
    data["Contacts"] += [
        {"contact_id": "P6", "client_id": "C5", "name": "No date", "marketing_consent": "Yes"},
        {"contact_id": "P7", "client_id": "C5", "name": "Date only",
         "consent_date": D(2026, 1, 1)},
        {"contact_id": "P8", "client_id": "C5", "name": "Refused", "marketing_consent": "No",
         "consent_date": D(2026, 1, 1)}]                                 # fine
    c, p, a = n_campaigns + 2, n_contacts + 2, n_attendance + 2          # first added rows
    return {("campaign-event", "Campaigns", f"E{c}"),
            ("campaign-sku", "Campaigns", f"D{c + 1}"),
            ("contact-client", "Attendance", f"B{a}"),
            ("attended-future", "Attendance", f"F{a + 1}"),
            ("consent-date", "Contacts", f"K{p}"), ("consent-date", "Contacts", f"J{p + 1}")}


@pytest.mark.parametrize("lang", LANGS)
def test_the_new_checks_fire_on_planted_bad_rows(tmp_path, lang):
    data = planted()
    want = _bad(data)
    path = create_workbook(tmp_path / "bad.xlsx", lang, data=data)
    problems = api.check(path, TODAY).problems
    sheets = {schema.TABLES[n].sheet(lang): n for n in ("Campaigns", "Attendance", "Contacts")}
    got = {(p.code, sheets.get(p.sheet, p.sheet), p.cell) for p in problems}
    assert got == want, [p.line() for p in problems]
    by_code = {p.code: p for p in problems}
    assert by_code["campaign-event"].severity == "error"
    assert by_code["contact-client"].severity == "error"
    assert {by_code[k].severity for k in ("campaign-sku", "attended-future", "consent-date")} == \
        {"warning"}
    if lang == "he":             # said in Hebrew, with the book's column names; codes English
        event = by_code["attended-future"]
        assert "הגיע" in event.message and "E-03" in event.message
        assert "is" not in event.message.split() and event.as_json()["code"] == "attended-future"
        assert "מוצר חדש" in by_code["campaign-sku"].message


def test_the_demo_book_passes_the_new_checks(tmp_path):
    path = api.new(tmp_path / "demo.xlsx", "en", demo=True, today=TODAY)
    new = {"campaign-event", "campaign-sku", "attended-future", "consent-date", "contact-client"}
    assert [p.line() for p in api.check(path, TODAY).problems if p.code in new] == []
