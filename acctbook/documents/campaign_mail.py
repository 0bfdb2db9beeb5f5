"""A campaign's message for one recipient (docs/campaigns.md): its template found, its fields
(the contact, the client, the product with the client's tier discount, the event, the
sender, the opt-out line), rendered as HTML in the environment the report and the brief
render in (brief_html.environment: sandboxed, autoescaped, strict), right to left in Hebrew,
with a plain-text alternative derived from it. A client name is data, never template code:
`{{ 7*7 }}` and `<script>` in a cell print as typed.

A template named in the campaign's Template column is looked up in Settings Templates folder
first, then in acctbook's templates; for a Hebrew recipient `NAME.he.html.j2` before
`NAME.html.j2`. Blank: `campaign_<type>.html.j2` (`.he.html.j2` in Hebrew). A field the
template uses that acctbook does not provide stops the campaign with its name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import tr
from acctbook.book.model import Book, Refused
from acctbook.core.campaigns import Audience, Campaign, Recipient, subject_line, text
from acctbook.documents.brief_html import environment
from acctbook.documents.docx import clean
from acctbook.documents.paper import Fmt, find_rows, locale_for
from acctbook.documents.report_html import Formats


class CampaignTemplateError(Refused):
    """The campaign's template is missing, broken, unsafe, or uses a field acctbook does not
    provide: nothing is sent or written (exit 1)."""


@dataclass(frozen=True)
class Sender:
    """Who the messages come from (Settings, the SMTP From address) and where opt-outs go."""
    address: str                # the From address
    unsubscribe: str            # Settings Unsubscribe address, else the From address
    company: str
    manager: str
    phone: str
    company_address: str


@dataclass(frozen=True)
class Rendered:
    """One recipient's message, ready to write or send."""
    recipient: Recipient
    subject: str
    html: str
    text: str
    opt_out: str
    paragraphs: tuple[str, ...]      # the message's body as a letter's paragraphs
    fields: dict


TYPE_FILES = {"Promotion": "promotion", "New product": "new_product",
              "Event invitation": "event_invitation", "Newsletter": "newsletter"}


# --- fields: the template's variables ----------------------------------------------------------
class Fields(dict):
    """A template variable's fields; knows its own name, so a missing field is named whole
    (`product.colour`)."""

    def __init__(self, name: str, values: dict):
        super().__init__(values)
        self.acctbook_field = name


def _strict_undefined():
    from jinja2 import StrictUndefined

    class Missing(StrictUndefined):
        """StrictUndefined whose error is the field's name as a template writes it."""
        __slots__ = ()

        @property
        def _undefined_message(self) -> str:
            owner = getattr(self._undefined_obj, "acctbook_field", None)
            name = self._undefined_name
            return "{{ " + (f"{owner}.{name}" if owner else str(name)) + " }}"
    return Missing


def opt_out_line(lang: str, address: str) -> str:
    """How to stop receiving the campaign's messages, in the message's language."""
    return tr(lang, "To stop receiving these messages, reply with the word “unsubscribe” or "
                    "write to {address}.").format(address=address)


def unsubscribe_mailto(address: str) -> str:
    return f"mailto:{address}?subject=unsubscribe"


def tier_discount(book: Book, tier: Any) -> float:
    """The discount % of a tier (Settings Tiers), as documents.engine.client_tier_discount."""
    return next((d for name, _, d in book.settings.tiers if name == tier), 0.0)


def message_fields(book: Book, audience: Audience, r: Recipient, sender: Sender,
                   today: dt.date) -> dict[str, Any]:
    """Every variable a campaign template may use (docs/campaigns.md lists them)."""
    c, lang = audience.campaign, r.lang
    fmt = Fmt(locale_for(lang, book.settings.number_format), book.settings.currency,
              locale_for(lang))
    clients, contacts = book.frame("Clients"), book.frame("Contacts")
    k, g = contacts.loc[r.contact_row], clients.loc[r.client_row]
    computed = audience.results.clients
    tier = computed.at[r.client_row, "tier"] if r.client_row in computed.index else None
    klass = computed.at[r.client_row, "class"] if r.client_row in computed.index else None
    address = ", ".join(x for x in (clean(g["address"]), clean(g["city"])) if x)
    return {
        "lang": lang, "dir": "rtl" if lang == "he" else "ltr", "today": fmt.date(today),
        # an e-mail's subject says it is advertising; a printed letter's is the campaign's
        "subject": subject_line(c, lang) if c.channel != "Mail" else (c.subject or c.name),
        "campaign": Fields("campaign", {"id": c.campaign_id, "name": c.name,
                                        "type": schema.show_choice(c.type, lang)}),
        "contact": Fields("contact", {"id": r.contact_id, "name": r.name,
                                      "first_name": (r.name.split() or [""])[0],
                                      "role": clean(k["role"]), "email": r.email or ""}),
        "client": Fields("client", {"id": r.client_id, "name": r.client_name,
                                    "segment": clean(g["segment"]), "region": clean(g["region"]),
                                    "city": clean(g["city"]), "address": address,
                                    "class": clean(klass) if isinstance(klass, str) else "",
                                    "tier": schema.show_choice(tier, lang)
                                    if isinstance(tier, str) else ""}),
        "product": _product(book, c, fmt, tier_discount(book, tier), lang),
        "event": _event(book, c, fmt, lang),
        "sender": Fields("sender", {"company": sender.company, "manager": sender.manager,
                                    "email": sender.address, "phone": sender.phone,
                                    "address": sender.company_address}),
        "unsubscribe": Fields("unsubscribe", {"address": sender.unsubscribe,
                                              "mailto": unsubscribe_mailto(sender.unsubscribe)}),
        "opt_out": opt_out_line(lang, sender.unsubscribe),
    }


def _product(book: Book, c: Campaign, fmt: Fmt, discount: float, lang: str) -> Fields:
    """The campaign's product: blank fields when it names none."""
    out = {"sku": "", "name": "", "category": "", "unit": "", "list_price": "", "price": "",
           "discount": "", "has_discount": False}
    rows = find_rows(book.frame("Products"), "sku", c.sku) if c.sku else []
    if rows:
        p = book.frame("Products").loc[rows[0]]
        price = p["list_price"]
        listed = price is not None and price == price          # not NaN
        out.update(sku=clean(p["sku"]), name=clean(p["name"]), category=clean(p["category"]),
                   unit=clean(p["unit"]))
        if listed:
            full = Decimal(str(float(price)))
            net = (full * (Decimal(100) - Decimal(str(discount))) / 100).quantize(Decimal("0.01"))
            out.update(list_price=fmt.money(full), price=fmt.money(net),
                       discount=fmt.pct(discount) if discount else "",
                       has_discount=bool(discount))
    return Fields("product", out)


def _event(book: Book, c: Campaign, fmt: Fmt, lang: str) -> Fields:
    out = {"id": "", "name": "", "date": "", "location": "", "type": ""}
    rows = find_rows(book.frame("Events"), "event_id", c.event_id) if c.event_id else []
    if rows:
        e = book.frame("Events").loc[rows[0]]
        day = e["date"]
        out.update(id=clean(e["event_id"]), name=clean(e["name"]),
                   date="" if day != day or day is None else fmt.date(day.date()),
                   location=clean(e["location"]),
                   type=schema.show_choice(e["type"], lang) or "")
    return Fields("event", out)


# --- templates -----------------------------------------------------------------------------------
def template_names(campaign: Campaign, lang: str) -> list[str]:
    """The template files to try for a recipient, first found wins."""
    name = campaign.template or f"campaign_{TYPE_FILES.get(campaign.type, 'newsletter')}.html.j2"
    if lang != "he":
        return [name]
    stem, dot, rest = name.partition(".")
    return [f"{stem}.he.{rest}" if dot else f"{name}.he", name]


def make_environment(lang: str, currency: str, number_format: str | None, folder=None):
    """brief_html.environment (the report's sandbox, autoescape and filters), looking in
    `folder` (Settings Templates folder) before acctbook's templates, strict about fields."""
    from jinja2 import FileSystemLoader
    env = environment(lang, Formats(lang, currency, number_format), marks=False)
    places = [str(folder)] if folder else []
    env.loader = FileSystemLoader(places + [str(templates_dir())])      # first found wins
    env.undefined = _strict_undefined()
    return env


def find_template(env, names: list[str], says: str, folder=None):
    from jinja2 import TemplateNotFound, TemplateSyntaxError
    for name in names:
        try:
            return env.get_template(name)
        except TemplateNotFound:
            continue
        except TemplateSyntaxError as e:
            raise CampaignTemplateError(tr(says, "template {template}: {error} (Jinja tag near "
                                                 "line {line})").format(
                template=name, error=e.message, line=e.lineno)) from e
    if folder:
        raise CampaignTemplateError(tr(says, "template {template} is in neither {folder} nor "
                                             "acctbook's templates").format(
            template=names[-1], folder=folder))
    raise CampaignTemplateError(tr(says, "template {template} is not in acctbook's templates "
                                         "({folder}); put it there or in a folder that "
                                         "{setting} names").format(
        template=names[-1], folder=templates_dir(),
        setting=schema.SETTING_BY_KEY["templates_folder"].label(says)))


def render(env, template, fields: dict, says: str) -> str:
    """The template filled; its failures as one line in the book's language `says`."""
    from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
    name = Path(template.filename or template.name or "").name
    try:
        return template.render(fields)
    except UndefinedError as e:
        raise CampaignTemplateError(tr(says, "template {template} uses {field}, which acctbook "
                                             "does not provide").format(
            template=name, field=e.message)) from e
    except SecurityError as e:
        raise CampaignTemplateError(tr(says, "template {template} tries something unsafe: "
                                             "{error}").format(template=name, error=e)) from e
    except TemplateError as e:
        raise CampaignTemplateError(tr(says, "template {template}: {error}").format(
            template=name, error=e)) from e


def render_all(book: Book, audience: Audience, sender: Sender, today: dt.date,
               folder=None) -> list[Rendered]:
    """Every recipient's message, all rendered before any is sent or written."""
    envs: dict[str, Any] = {}
    out = []
    for r in audience.recipients:
        if r.lang not in envs:
            env = make_environment(r.lang, book.settings.currency, book.settings.number_format,
                                   folder)
            envs[r.lang] = (env, find_template(env, template_names(audience.campaign, r.lang),
                                               book.lang, folder))
        env, template = envs[r.lang]
        fields = message_fields(book, audience, r, sender, today)
        html = render(env, template, fields, book.lang)
        out.append(Rendered(r, fields["subject"], html, plain_text(html), fields["opt_out"],
                            tuple(plain_text(html, main_only=True).split("\n\n")), fields))
    return out


# --- the plain-text alternative ------------------------------------------------------------------
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "tr", "li", "table", "main", "footer", "header",
           "section", "blockquote", "ul", "ol"}
_SKIP = {"head", "style", "script", "title"}
_LETTER_SKIP = {"h1"}            # a letter prints its subject apart


class _Text(HTMLParser):
    """The text of an HTML message: a blank line between blocks, a link's address after
    its words, a cell's words followed by a space."""

    def __init__(self, main_only: bool):
        super().__init__(convert_charrefs=True)
        self.main_only, self.depth_main, self.skip = main_only, 0, 0
        self.parts: list[str] = []
        self.href: list[str | None] = []

    def _on(self) -> bool:
        return not self.skip and (not self.main_only or self.depth_main > 0)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP or (self.main_only and tag in _LETTER_SKIP):
            self.skip += 1
        elif tag == "main":
            self.depth_main += 1
        if tag == "a":
            self.href.append(dict(attrs).get("href"))
        elif tag == "br" and self._on():
            self.parts.append("\n")
        elif tag in _BLOCKS and self._on():
            self.parts.append("\n\n")
        elif tag in ("td", "th") and self._on():
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and self._on() and not href.startswith("mailto:"):
                self.parts.append(f" <{href}>")
        if tag == "th" and self._on():
            self.parts.append(":")
        if tag in _BLOCKS and self._on():
            self.parts.append("\n\n")
        if tag in _SKIP or (self.main_only and tag in _LETTER_SKIP):
            self.skip = max(0, self.skip - 1)
        elif tag == "main":
            self.depth_main = max(0, self.depth_main - 1)

    def handle_data(self, data):
        if self._on():
            self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(html: str, main_only: bool = False) -> str:
    """The message as plain text (or only its `<main>`): paragraphs apart by a blank line."""
    p = _Text(main_only)
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    body = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", body).strip()


def sender_of(book: Book, address: str, unsubscribe: str | None) -> Sender:
    s = book.settings
    return Sender(address, text(unsubscribe) or address, clean(s["company_name"]),
                  clean(s["manager_name"]), clean(s["company_phone"]),
                  clean(s["company_address"]))
