"""Who a campaign goes to (docs/campaigns.md): the Campaigns row's filters over the clients,
each matching client's primary contact (every contact with `all_contacts`), and who is left
out and why. Pure: `today` comes in, nothing is read or written.

A client is in the audience when every filled filter matches: Segments, Regions (its own
cells), Classes and Tiers (the class and tier refresh computes: plan.refresh_results, so
exactly refresh's), Statuses (blank = Active) and Language (the client's Language, else the
book's; blank or any = all). Lists are comma-separated and matched as headers are
(schema.fold), choice values in either language (`זהב` is Gold). A client left out by
Segments, Regions, Classes, Tiers or a status other than Lost is simply not in it; a Lost
client and a client of another language are listed as skipped, as is every contact that may
not get the message:

    already-sent  an Interactions row of this campaign for that contact (or for the client,
                  with no contact): running a campaign again never sends twice
    no-consent    Marketing consent is not Yes: every campaign type is advertising (Israel's
                  Communications Law §30A, the GDPR)
    no-email      Channel Email and no e-mail address; bad-email: one the check rejects
    no-address    Channel Mail and no address on the client
    no-contact    a client without any contact
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr, translator
from acctbook.book.identity import email_error
from acctbook.book.model import ERROR, Book, Problem, Refused
from acctbook.book.rules import check_book
from acctbook.core.plan import refresh_results

SKIP_CODES = ("client-lost", "language", "no-contact", "already-sent", "no-consent",
              "no-email", "bad-email", "no-address")
INVITATION = "Event invitation"
# The message's prefix where the campaign's Subject does not start with it already
# (docs/campaigns.md, "The law"): Israel's Communications Law §30A asks for the word פרסומת
# at the start of an advertising subject; an English message says Advertisement.
AD_PREFIX = {"he": "פרסומת", "en": "Advertisement"}


class UnknownCampaign(Refused):
    """No Campaigns row has that Campaign ID: a refused request (exit 1)."""


class CampaignRefused(Refused):
    """The Campaigns row cannot be run as it stands (its errors, an Event invitation without
    its event): a refused request (exit 1), nothing sent or written."""


@dataclass(frozen=True)
class Campaign:
    """A Campaigns row, as the campaign command reads it."""
    row: int
    campaign_id: str
    name: str
    type: str
    channel: str
    sku: str | None
    event_id: str | None
    subject: str | None
    template: str | None
    sent_on: dt.date | None
    filters: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"campaign_id": self.campaign_id, "name": self.name, "type": self.type,
                "channel": self.channel, "sku": self.sku, "event_id": self.event_id}


@dataclass(frozen=True)
class Recipient:
    contact_id: str
    name: str
    client_id: str
    client_name: str
    email: str | None
    lang: str                   # the message's language: the client's, else the book's
    client_row: int
    contact_row: int

    def as_json(self) -> dict:
        return {"contact_id": self.contact_id, "name": self.name, "client_id": self.client_id,
                "client_name": self.client_name, "email": self.email, "language": self.lang}


@dataclass(frozen=True)
class Skip:
    client_id: str
    client_name: str
    contact_id: str | None
    name: str | None
    code: str                   # one of SKIP_CODES, stable
    reason: str                 # the book's language

    def as_json(self) -> dict:
        return {"client_id": self.client_id, "client_name": self.client_name,
                "contact_id": self.contact_id, "name": self.name, "code": self.code,
                "reason": self.reason}


@dataclass
class Audience:
    campaign: Campaign
    lang: str                   # the book's language
    recipients: list[Recipient]
    skipped: list[Skip]
    problems: list[Problem]     # the check's, as refresh sees them
    results: Any                # plan.refresh_results: class and tier of every client


# --- the campaign -----------------------------------------------------------------------------
def text(v: Any) -> str:
    """A cell as trimmed text: '' for a blank."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return ""
    return str(v).strip()


def campaign_row(book: Book, campaign_id: str) -> int:
    """The Excel row of the campaign (its ID typed in any case); UnknownCampaign else."""
    t = book.tables["Campaigns"]
    want = schema.fold(text(campaign_id))
    for row, v in zip(t.frame.index, t.frame["campaign_id"]):
        if want and schema.fold(text(v)) == want:
            return row
    raise UnknownCampaign(tr(book.lang, "campaign {campaign} is not in {sheet} (no row with "
                                        "that {column})").format(
        campaign=text(campaign_id) or tr(book.lang, "(blank)"), sheet=t.sheet,
        column=t.header("campaign_id", book.lang)))


def read_campaign(book: Book, campaign_id: str, problems: list[Problem]) -> Campaign:
    """The Campaigns row, refused while it has errors (their cells named) or is an Event
    invitation without an Event ID."""
    row = campaign_row(book, campaign_id)
    t = book.tables["Campaigns"]
    c = t.frame.loc[row]
    errors = [p for p in problems if p.severity == ERROR and p.sheet == t.sheet and p.row == row]
    cid = text(c["campaign_id"])
    if errors:
        raise CampaignRefused(tr(book.lang, "campaign {campaign} cannot run: {problems}").format(
            campaign=cid, problems="; ".join(p.line("", book.lang) for p in errors)))
    if c["type"] == INVITATION and not text(c["event_id"]):
        raise CampaignRefused(tr(book.lang, "campaign {campaign} is an {type}: fill its {column} "
                                            "({cell})").format(
            campaign=cid, type=schema.show_choice(INVITATION, book.lang),
            column=t.header("event_id", book.lang), cell=f"{t.sheet}!{t.cell('event_id', row)}"))
    sent = c["sent_on"]
    return Campaign(row, cid, text(c["name"]), c["type"], c["channel"] or "Email",
                    text(c["sku"]) or None, text(c["event_id"]) or None,
                    text(c["subject"]) or None, text(c["template"]) or None,
                    None if pd.isna(sent) else sent.date(),
                    {k: c[k] for k in ("segments", "classes", "tiers", "statuses", "regions",
                                       "language")})


def wanted(value: Any, choices: tuple[str, ...] = ()) -> set[str] | None:
    """A filter cell as the folded values it names (None: blank, all match); a choice in
    either language becomes its English value."""
    index = schema.choice_index(choices) if choices else {}
    parts = [p.strip() for p in re.split(r"[,;،\n]", text(value)) if p.strip()]
    return {schema.fold(index.get(schema.fold(p), p)) for p in parts} or None


def _matches(want: set[str] | None, value: Any) -> bool:
    return want is None or schema.fold(text(value)) in want


def client_lang(book: Book, language: Any) -> str:
    lang = text(language) or text(book.settings["language"]) or book.lang
    return lang if lang in schema.LANGS else book.lang


# --- the audience ----------------------------------------------------------------------------
def audience(book: Book, campaign_id: str, today: dt.date, all_contacts: bool = False,
             problems: list[Problem] | None = None) -> Audience:
    """The campaign's recipients and skipped contacts (see the module), in the Clients
    sheet's order, each client's primary contact first."""
    problems = check_book(book, today) if problems is None else problems
    campaign = read_campaign(book, campaign_id, problems)
    results = refresh_results(book, problems, today)
    out = Audience(campaign, book.lang, [], [], problems, results)
    f = campaign.filters
    want = {"segment": wanted(f["segments"]), "region": wanted(f["regions"]),
            "class": wanted(f["classes"], schema.CLASSES),
            "tier": wanted(f["tiers"], schema.TIER_NAMES)}
    statuses = wanted(f["statuses"], schema.CLIENT_STATUS) or {schema.fold("Active")}
    language = f["language"] if f["language"] in schema.LANGS else None
    logged = _logged(book, campaign.campaign_id)
    clients = book.frame("Clients")
    for row in clients.index:
        c = clients.loc[row]
        if not text(c["client_id"]):
            continue
        computed = results.clients.loc[row] if row in results.clients.index else {}
        values = {"segment": c["segment"], "region": c["region"],
                  "class": computed.get("class"), "tier": computed.get("tier")}
        if not all(_matches(want[k], values[k]) for k in want):
            continue
        _client(book, campaign, row, c, statuses, language, logged, all_contacts, out)
    return out


def _client(book: Book, campaign: Campaign, row: int, c: pd.Series, statuses: set[str],
            language: str | None, logged: set[tuple[str, str]], all_contacts: bool,
            out: Audience) -> None:
    say = translator(book.lang)
    cid, cname = text(c["client_id"]), text(c["name"])
    lang = client_lang(book, c["language"])
    if schema.fold(text(c["status"])) not in statuses:
        if c["status"] == "Lost":
            out.skipped.append(Skip(cid, cname, None, None, "client-lost", say(
                "the client is {status}").format(status=schema.show_choice("Lost", book.lang))))
        return
    if language is not None and lang != language:
        out.skipped.append(Skip(cid, cname, None, None, "language", say(
            "the client's language is {lang}, the campaign's {wanted}").format(
            lang=lang, wanted=language)))
        return
    rows = contact_rows(book, cid, all_contacts)
    if not rows:
        out.skipped.append(Skip(cid, cname, None, None, "no-contact", say(
            "the client has no contact in {sheet}").format(
            sheet=book.tables["Contacts"].sheet)))
        return
    for crow in rows:
        _contact(book, campaign, row, c, crow, lang, logged, out)


def _contact(book: Book, campaign: Campaign, row: int, c: pd.Series, crow: int, lang: str,
             logged: set[tuple[str, str]], out: Audience) -> None:
    contacts, t = book.frame("Contacts"), book.tables["Contacts"]
    k = contacts.loc[crow]
    cid, cname = text(c["client_id"]), text(c["name"])
    pid, pname, email = text(k["contact_id"]), text(k["name"]), text(k["email"])
    code = _skip_code(campaign, c, k, logged)
    if code is None:
        out.recipients.append(Recipient(pid, pname, cid, cname, email or None, lang, row, crow))
        return
    say = translator(book.lang)
    header = t.header
    reason = {
        "already-sent": say("already logged for campaign {campaign} in {sheet}").format(
            campaign=campaign.campaign_id, sheet=book.tables["Interactions"].sheet),
        "no-consent": say("{column} is not {yes}").format(
            column=header("marketing_consent", book.lang),
            yes=schema.show_choice(schema.YES, book.lang)),
        "no-email": say("no {column}").format(column=header("email", book.lang)),
        "bad-email": say("{column} '{value}' is not a valid address").format(
            column=header("email", book.lang), value=email),
        "no-address": say("no {column} on the client").format(
            column=book.tables["Clients"].header("address", book.lang)),
    }[code]
    out.skipped.append(Skip(cid, cname, pid or None, pname or None, code, reason))


def _skip_code(campaign: Campaign, c: pd.Series, k: pd.Series,
               logged: set[tuple[str, str]]) -> str | None:
    cid, pid = schema.fold(text(c["client_id"])), schema.fold(text(k["contact_id"]))
    if (cid, pid) in logged or (cid, "") in logged:
        return "already-sent"
    if k["marketing_consent"] is not True:
        return "no-consent"
    if campaign.channel == "Mail":
        return None if text(c["address"]) else "no-address"
    email = text(k["email"])
    if not email:
        return "no-email"
    return "bad-email" if email_error(email) is not None else None


def contact_rows(book: Book, client_id: str, all_contacts: bool) -> list[int]:
    """The client's contacts: its Primary one (else its first), or all of them, the Primary
    first."""
    f = book.frame("Contacts")
    want = schema.fold(client_id)
    rows = [r for r, v in zip(f.index, f["client_id"]) if schema.fold(text(v)) == want
            and text(f.at[r, "contact_id"])]
    primary = [r for r in rows if f.at[r, "primary"] is True]
    if not all_contacts:
        return (primary or rows)[:1]
    return primary[:1] + [r for r in rows if r not in primary[:1]]


def _logged(book: Book, campaign_id: str) -> set[tuple[str, str]]:
    """(client, contact) already logged for the campaign; contact '' for a client-level row."""
    f = book.frame("Interactions")
    want = schema.fold(campaign_id)
    return {(schema.fold(text(c)), schema.fold(text(p)))
            for c, p, k in zip(f["client_id"], f["contact_id"], f["campaign_id"])
            if schema.fold(text(k)) == want}


def subject_line(campaign: Campaign, lang: str) -> str:
    """The message's subject: the campaign's Subject (else its Name), starting with
    פרסומת in Hebrew, Advertisement in English, unless it does already."""
    subject = campaign.subject or campaign.name
    prefix = AD_PREFIX["he" if lang == "he" else "en"]
    if schema.fold(subject).startswith(schema.fold(prefix)) \
            or subject.startswith(AD_PREFIX["he"]):
        return subject
    return f"{prefix}: {subject}"
