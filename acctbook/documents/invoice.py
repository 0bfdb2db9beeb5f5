"""Proforma invoices: `acctbook invoice BOOK ORDER_ID` (docs/rules.md, "Delivery notes and
invoices").

A document kind of acctbook.documents.engine, keyed by Order ID (acctbook.documents.orders):
the order's lines with their discounts, VAT by the documents' rule (paper.vat_for: the
client's rate, zero-rated for a client abroad, else Settings), the total, the invoice date
(the order's Invoice date, else today) and the due date: the order's Invoice due, else the
invoice date + the client's Payment terms (else Settings'), the payment follow-up's own
computation (core/risk.py: with_terms, invoice_dues). The company's bank details come from
Settings `Bank details` (required). Numbered INV-YYYY-NNNN (unique in the Orders `Invoice
no.` column); registered on the order's lines: `Invoice no.`, and `Invoice date` and
`Invoice due` where blank. An order that already has an invoice number is refused.

Template fields (templates/build_order_templates.py writes invoice.docx and invoice.he.docx):
orders.py's, totals.* and discount (paper.py), invoice.id, .date, .due, .terms ("" or
" (45 days' terms)"), bank.details
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import tr
from acctbook.book.model import Book
from acctbook.core import risk
from acctbook.documents import engine, orders, paper
from acctbook.documents.docx import ContractError, clean
from acctbook.documents.engine import DocumentKind, Register
from acctbook.documents.paper import DocContext

TEMPLATES = templates_dir()
TEMPLATE_FILES = {"en": "invoice.docx", "he": "invoice.he.docx"}
# The due date's reason, when it is derived from the payment terms (a typed one has none).
TERMS = {"en": " ({days} days' terms)", "he": " (תנאי תשלום של {days} ימים)"}


def first(frame: pd.DataFrame, rows: list[int], key: str):
    """The first non-blank value of `key` on the order's lines, else None."""
    values = frame.loc[rows, key].dropna() if key in frame else []
    return values.iloc[0] if len(values) else None


def invoice_dates(book: Book, rows: list[int], client_id: str, today: dt.date
                  ) -> tuple[dt.date, dt.date | None]:
    """(invoice date, due date): the order's Invoice date, else today; its Invoice due, else
    the invoice date + the client's Payment terms (else Settings'), as risk.invoice_dues
    derives it for the payment follow-up. None: no terms anywhere."""
    f = book.frame("Orders")
    date = first(f, rows, "invoice_date")
    date = date.date() if date is not None else today
    one = pd.DataFrame({"client_id": [client_id], "invoice_date": [pd.Timestamp(date)],
                        "invoice_due": [first(f, rows, "invoice_due") or pd.NaT]})
    terms = risk.with_terms(one, book.frame("Clients"), book.settings["payment_terms"])
    due = risk.invoice_dues(terms)["due"].iloc[0]
    return date, None if pd.isna(due) else due.date()


def invoice_context(book: Book, order_id: str, today: dt.date, number: str) -> DocContext:
    """Every field the invoice templates use, for the client's language. Pure."""
    ctx, fmt = orders.order_context(book, order_id, today, INVOICE, "invoice_no",
                                    ["bank_details"])
    rows, f = ctx.values["rows"], book.frame("Orders")
    done = first(f, rows, "invoice_no")
    if done is not None:
        raise ContractError(tr(book.lang, "order {order} already has invoice {invoice} "
                                          "({cell})").format(
            order=ctx.values["order_id"], invoice=clean(done), cell=paper.cell_where(
                book, "Orders", "invoice_no", next(r for r in rows if not pd.isna(
                    f.at[r, "invoice_no"])))))
    client, lines = ctx.values["client"], ctx.values["lines"]
    vat_rate, reason = paper.vat_for(client, book.settings)
    paper.add_totals(ctx, lines, vat_rate, fmt,
                     paper.EXPORT_REASON[ctx.lang] if reason == "export" else "")
    gross = sum(ln["gross"] for ln in lines)
    ctx["discount"] = {"applied": any(ln["gross"] != ln["total"] for ln in lines) and gross > 0}
    date, due = invoice_dates(book, rows, ctx.values["client_id"], today)
    if due is None:
        ctx.missing["invoice.due"] = tr(book.lang, "{cell} is empty").format(
            cell=paper.setting_where(book, "payment_terms"))
    bank = ", ".join(x.strip() for x in str(book.settings.values.get("bank_details") or "")
                     .splitlines() if x.strip())
    if not bank:
        ctx.missing["bank.details"] = tr(book.lang, "{cell} is empty").format(
            cell=paper.setting_where(book, "bank_details"))
    ctx["bank"] = {"details": bank or None}
    typed = first(f, rows, "invoice_due") is not None
    ctx["invoice"] = {"id": number, "date": fmt.date(date),
                      "due": fmt.date(due) if due else None,
                      "terms": "" if typed or due is None else TERMS[ctx.lang].format(
                          days=(due - date).days)}
    ctx.values.update(date=date, due=due, blanks={
        r: [k for k in ("invoice_date", "invoice_due") if pd.isna(f.at[r, k])] for r in rows})
    return ctx


def register(ctx: DocContext, file: str) -> Register:
    """Invoice no. on each of the order's lines; Invoice date and Invoice due where blank."""
    v = ctx.values
    fill = {"invoice_date": v["date"], "invoice_due": v["due"]}
    cells = {r: {"invoice_no": ctx["invoice"]["id"], **{k: fill[k] for k in v["blanks"][r]}}
             for r in v["rows"]}
    return Register(updates={"Orders": cells}, details=orders.registered(ctx, "invoice_no"))


def refusal(lang: str, order: str, status: str) -> str | None:
    if status == "Cancelled":
        return tr(lang, "order {order} is {status}: no invoice").format(
            order=order, status=schema.show_choice(status, lang))
    return None


def template_path(lang: str, folder=None) -> Path:
    return engine.template_path(INVOICE, lang, folder or TEMPLATES)


INVOICE = DocumentKind(
    name="invoice", prefix="INV", templates=TEMPLATE_FILES, table="Orders",
    numbers=lambda book: orders.used_numbers(book, "invoice_no"),
    context=lambda book, order_id, today, number, tier=None: invoice_context(
        book, order_id, today, number),
    register=register, refusal=refusal,
    cannot=lambda lang: tr(lang, "cannot make the invoice for order {order}: {problems}"),
    template=template_path)
