"""Quotes (commercial proposals): `acctbook quote BOOK DEAL_ID` (docs/rules.md, "Quotes").

A document kind of acctbook.documents.engine: the shared deal fields (paper.py: lines,
tier discount, totals with the right VAT and currency, payment and delivery terms) plus a
validity date, numbered QUO-YYYY-NNNN (unique in the book: the numbers in Interactions
subjects and in Deals `Last quote`). Registered as an Interactions row (Email, Out,
`Proposal sent`, the number and the Deal ID in its Subject), the deal's `Last quote`, and its Stage moved
to Proposal from an earlier one. A Lost or Won deal gets no quote.

Template fields (templates/build_templates.py writes quote.docx and quote.he.docx): the
shared ones, and quote.id, .date, .valid_until, .valid_days, .template
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import tr
from acctbook.book.model import Book
from acctbook.documents import engine
from acctbook.documents.docx import ContractError
from acctbook.documents.engine import DocumentKind, Register
from acctbook.documents.paper import DocContext

TEMPLATES = templates_dir()
TEMPLATE_FILES = {"en": "quote.docx", "he": "quote.he.docx"}
DEFAULT_VALIDITY = 30          # days, when Settings has no `Quote validity days` row
EARLIER_STAGES = ("Lead", "Qualified", "Needs analysis")     # moved to Proposal
CLOSED_STAGES = ("Won", "Lost")                               # no quote


def used_numbers(book: Book) -> Iterable[Any]:
    """Every text that may hold a quote number: Interactions subjects, Deals Last quote."""
    subjects = list(book.frame("Interactions")["subject"])
    return subjects + list(book.frame("Deals")["last_quote"])


def next_quote_id(book: Book, today: dt.date) -> str:
    return engine.next_number(used_numbers(book), "QUO", today)


def validity_days(book: Book, valid_days: int | None = None) -> int:
    """--valid-days, else Settings `Quote validity days`, else 30."""
    if valid_days is not None:
        if int(valid_days) < 1:
            raise ContractError(tr(book.lang, "--valid-days must be 1 or more, not {value}")
                                .format(value=valid_days))
        return int(valid_days)
    value = book.settings.values.get("quote_validity_days")
    return int(value) if value else DEFAULT_VALIDITY


def quote_context(book: Book, deal_id: str, today: dt.date, quote_id: str,
                  tier_discount: float | None, valid_days: int | None = None) -> DocContext:
    """Every field the quote templates use, formatted for the client's language. Pure."""
    ctx, fmt = engine.deal_context(book, deal_id, today, QUOTE, tier_discount,
                                   [] if valid_days is not None else ["quote_validity_days"])
    days = validity_days(book, valid_days)
    until = today + dt.timedelta(days=days)
    ctx["quote"] = {"id": quote_id, "date": fmt.date(today), "valid_until": fmt.date(until),
                    "valid_days": str(days), "template": TEMPLATE_FILES[ctx.lang]}
    ctx.values.update(date=today, valid_until=until, valid_days=days)
    return ctx


def template_path(lang: str, templates_dir=None) -> Path:
    return engine.template_path(QUOTE, lang, templates_dir or TEMPLATES)


def quote_register(ctx: DocContext, file: str) -> Register:
    """The Interactions row, the deal's Last quote, and its Stage when earlier than
    Proposal (schema keys, choices canonical English)."""
    v, qid = ctx.values, ctx["quote"]["id"]
    subject = tr(ctx.says, "Quote {quote}, deal {deal}: {title}").format(
        quote=qid, deal=v["deal_id"], title=ctx["deal"]["title"])
    row = {"date": v["date"], "client_id": v["client_id"], "channel": "Email",
           "direction": "Out", "subject": subject, "outcome": "Proposal sent"}
    cells: dict[str, Any] = {"last_quote": qid}
    if v["stage"] in EARLIER_STAGES:
        cells["stage"] = "Proposal"
    return Register(appends={"Interactions": [row]}, updates={"Deals": {v["deal_row"]: cells}})


def _refusal(lang: str, deal: str, stage: str) -> str | None:
    if stage in CLOSED_STAGES:
        return tr(lang, "deal {deal} is {stage}: no quote").format(
            deal=deal, stage=schema.show_choice(stage, lang))
    return None


QUOTE = DocumentKind(
    name="quote", prefix="QUO", templates=TEMPLATE_FILES, numbers=used_numbers,
    context=lambda book, deal_id, today, number, tier, valid_days=None: quote_context(
        book, deal_id, today, number, tier, valid_days),
    register=quote_register, refusal=_refusal,
    cannot=lambda lang: tr(lang, "cannot make the quote for deal {deal}: {problems}"),
    template=lambda lang, folder=None: template_path(lang, folder))
