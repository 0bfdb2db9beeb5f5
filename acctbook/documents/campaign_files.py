"""A campaign's rendered messages as files (docs/campaigns.md): an e-mail (Python's `email`
package: multipart/alternative, plain text then HTML, UTF-8 headers for Hebrew names and
subjects, a List-Unsubscribe header, Message-ID and Date) written as `.eml` for any mail
program or handed to the SMTP adapter; and for Channel Mail one mail-merge letter `.docx`
per language with a page per recipient (templates/campaign_letter.docx, `.he.docx`;
built by templates/build_campaign_templates.py), through the one document engine
(documents/docx.py render_contract).
"""

from __future__ import annotations

import datetime as dt
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from acctbook.book.assets import templates_dir
from acctbook.documents.campaign_mail import Rendered, Sender, unsubscribe_mailto
from acctbook.documents.docx import render_contract
from acctbook.documents.engine import safe_file_name
from acctbook.documents.paper import DocContext, Fmt, locale_for

LETTER_TEMPLATES = {"en": "campaign_letter.docx", "he": "campaign_letter.he.docx"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _one_line(value: str) -> str:
    """A header value: never a line break (no header can be slipped in through a name)."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def message_date(when: dt.date | dt.datetime) -> str:
    """The Date header: the moment sent, or midnight of --today (the same bytes each run)."""
    if isinstance(when, dt.datetime):
        moment = when if when.tzinfo else when.astimezone()
    else:
        moment = dt.datetime.combine(when, dt.time(), tzinfo=dt.timezone.utc)
    return format_datetime(moment)


def message_id(campaign_id: str, contact_id: str, day: dt.date, address: str) -> str:
    """`<CAMPAIGN.CONTACT.YYYYMMDD@domain>`: one per recipient and day, the same each run."""
    domain = address.rpartition("@")[2] or "acctbook.invalid"
    local = ".".join(re.sub(r"[^A-Za-z0-9-]+", "-", x).strip("-") or "x"
                     for x in (campaign_id, contact_id, f"{day:%Y%m%d}"))
    return f"<{local}@{_one_line(domain)}>"


def _address(name: str, address: str) -> Address:
    user, _, domain = address.rpartition("@")
    return Address(display_name=_one_line(name), username=user, domain=domain)


def email_message(m: Rendered, sender: Sender, campaign_id: str, when) -> EmailMessage:
    """The message as RFC 5322 (policy SMTP: CRLF lines); plain text first, then HTML."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = _one_line(m.subject)
    msg["From"] = _address(sender.manager or sender.company, sender.address)
    msg["To"] = _address(m.recipient.name, m.recipient.email or "")
    msg["Date"] = message_date(when)
    day = when.date() if isinstance(when, dt.datetime) else when
    msg["Message-ID"] = message_id(campaign_id, m.recipient.contact_id, day, sender.address)
    msg["List-Unsubscribe"] = f"<{unsubscribe_mailto(sender.unsubscribe)}>"
    msg.set_content(m.text + "\n", charset="utf-8")
    msg.add_alternative(m.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = m.recipient.lang      # after: set_content clears Content-*
    return msg


def eml_name(m: Rendered) -> str:
    """`<contact id> <contact name>.eml`, made safe as every document's name."""
    return safe_file_name(m.recipient.contact_id, m.recipient.name, ".eml")


def write_eml(msg: EmailMessage, target: Path) -> Path:
    target.write_bytes(msg.as_bytes())
    return target


def folder_name(campaign_id: str, name: str) -> str:
    """The campaign's folder beside the workbook: `<campaign id> <name>`, made safe."""
    return safe_file_name(campaign_id, name, "")


# --- letters (Channel Mail) ------------------------------------------------------------------
def letter_name(campaign_id: str, name: str, lang: str) -> str:
    return safe_file_name(campaign_id, name, ".he.docx" if lang == "he" else ".docx")


def letter_context(messages: list[Rendered], sender: Sender, lang: str, today: dt.date,
                   number_format: str | None, currency: str) -> DocContext:
    """The letter template's fields: `company` and `letters`, one a recipient (its client,
    contact, address, subject, the message's paragraphs and the opt-out line)."""
    fmt = Fmt(locale_for(lang, number_format), currency, locale_for(lang))
    ctx = DocContext()
    ctx.lang = ctx.says = lang
    ctx["company"] = {"name": sender.company, "address": sender.company_address,
                      "phone": sender.phone, "email": sender.address}
    ctx["letters"] = [{
        "date": fmt.date(today), "client": m.recipient.client_name,
        "contact": m.recipient.name, "address": m.fields["client"]["address"],
        "subject": m.subject, "paragraphs": [p for p in m.paragraphs if p.strip()],
        "opt_out": m.opt_out} for m in messages]
    return ctx


def letter_template(lang: str) -> Path:
    return templates_dir() / LETTER_TEMPLATES["he" if lang == "he" else "en"]


def write_letter(messages: list[Rendered], sender: Sender, lang: str, today: dt.date,
                 target: Path, number_format: str | None = None,
                 currency: str = "ILS") -> Path:
    """One .docx, a page per recipient (a page break between letters)."""
    ctx = letter_context(messages, sender, lang, today, number_format, currency)
    return render_contract(letter_template(lang), ctx, target)

