"""Delivery notes: `acctbook delivery-note BOOK ORDER_ID` (docs/rules.md, "Delivery notes
and invoices").

A document kind of acctbook.documents.engine, keyed by Order ID (acctbook.documents.orders:
the order's lines that are not Cancelled): per line what was ordered, what is delivered
and what is still to deliver, and where to. Numbered DN-YYYY-NNNN (unique in the Orders
`Delivery note` column); registered by writing that number into `Delivery note` on each
of the order's lines. Prices are not printed, so a line without one is no obstacle.

Template fields (templates/build_order_templates.py writes delivery_note.docx and
delivery_note.he.docx): orders.py's, and delivery_note.id, .date
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import tr
from acctbook.book.model import Book
from acctbook.documents import engine, orders
from acctbook.documents.engine import DocumentKind, Register
from acctbook.documents.paper import DocContext

TEMPLATES = templates_dir()
TEMPLATE_FILES = {"en": "delivery_note.docx", "he": "delivery_note.he.docx"}


def delivery_note_context(book: Book, order_id: str, today: dt.date, number: str
                          ) -> DocContext:
    """Every field the delivery note templates use, for the client's language. Pure."""
    ctx, fmt = orders.order_context(book, order_id, today, DELIVERY_NOTE, "delivery_note")
    ctx.missing.pop("items", None)          # no prices on a delivery note
    ctx["delivery_note"] = {"id": number, "date": fmt.date(today)}
    ctx.values.update(date=today)
    return ctx


def register(ctx: DocContext, file: str) -> Register:
    number = ctx["delivery_note"]["id"]
    rows = ctx.values["rows"]
    return Register(updates={"Orders": {r: {"delivery_note": number} for r in rows}},
                    details=orders.registered(ctx, "delivery_note"))


def refusal(lang: str, order: str, status: str) -> str | None:
    if status == "Cancelled":
        return tr(lang, "order {order} is {status}: no delivery note").format(
            order=order, status=schema.show_choice(status, lang))
    return None


def template_path(lang: str, folder=None) -> Path:
    return engine.template_path(DELIVERY_NOTE, lang, folder or TEMPLATES)


DELIVERY_NOTE = DocumentKind(
    name="delivery-note", prefix="DN", templates=TEMPLATE_FILES, table="Orders",
    numbers=lambda book: orders.used_numbers(book, "delivery_note"),
    context=lambda book, order_id, today, number, tier=None: delivery_note_context(
        book, order_id, today, number),
    register=register, refusal=refusal,
    cannot=lambda lang: tr(lang, "cannot make the delivery note for order {order}: {problems}"),
    template=template_path)
