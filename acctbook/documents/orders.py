"""The fields every order document shares (docs/rules.md, section 13):
the delivery note and the invoice are made for one Order ID, from all its Orders lines
that are not Cancelled. Pure: the book in, template fields out (paper.py's company,
client, contact and delivery fields, and the order's lines).

Fields, besides paper.py's company, client, contact, delivery, payment:
  order.id, .date, .currency, .currency_name (the book's: Orders are in Settings Currency)
  items: [{n, sku, name, unit, quantity, unit_price, discount, total,
           delivered, remaining, delivered_on}]
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.book.model import Book
from acctbook.documents import paper
from acctbook.documents.docx import ContractError, clean
from acctbook.documents.paper import DocContext, Fmt, find_rows, locale_for

SHARED_SETTINGS = ("company_name", "company_number", "company_address", "company_phone",
                   "manager_email", "manager_name", "country", "currency")


def order_rows(book: Book, order_id: str, kind) -> list[int]:
    """The Excel rows of the order's lines that are not Cancelled: ContractError for an
    unknown order, or one whose every line is Cancelled (kind.refusal says so)."""
    orders = book.frame("Orders")
    rows = find_rows(orders, "order_id", str(order_id).strip())
    if not rows:
        raise ContractError(tr(book.lang, "order {order} is not in {sheet} (no row with that "
                                          "{column})").format(
            order=order_id, sheet=book.tables["Orders"].sheet,
            column=schema.ORDERS.column("order_id").label(book.lang)))
    live = [r for r in rows if orders.at[r, "status"] != "Cancelled"]
    if not live:
        raise ContractError(kind.refusal(book.lang, str(order_id), "Cancelled"))
    return live


def needs_column(book: Book, key: str) -> None:
    """A book made before the column existed cannot register the number: refused."""
    t = book.tables["Orders"]
    if t.columns.get(key) is None:
        raise ContractError(tr(book.lang, "{sheet} has no {column} column to register the "
                                          "document in: run acctbook upgrade first").format(
            sheet=t.sheet, column=schema.ORDERS.column(key).label(book.lang)))


def registered(ctx: DocContext, key: str) -> list[str]:
    """History's line for an order document: which Orders column it filled, on which rows."""
    return [tr(ctx.says, "order {order}: {column} on rows {rows}").format(
        order=ctx.values["order_id"], rows=", ".join(map(str, ctx.values["rows"])),
        column=schema.ORDERS.column(key).label(ctx.says))]


def used_numbers(book: Book, key: str) -> Iterable:
    frame = book.frame("Orders")
    return list(frame[key]) if key in frame else []


def order_context(book: Book, order_id: str, today: dt.date, kind, number_key: str,
                  settings: Iterable[str] = ()) -> tuple[DocContext, Fmt]:
    """The shared fields of a document for the order, in its client's language, and the
    check's errors in the cells it is made from. `settings`: the kind's own Settings keys."""
    needs_column(book, number_key)
    rows = order_rows(book, order_id, kind)
    orders, s = book.frame("Orders"), book.settings
    client_id = clean(orders.at[rows[0], "client_id"])
    crows = find_rows(book.frame("Clients"), "client_id", client_id)
    if not crows:
        raise ContractError(tr(book.lang, "{cell} {client} of order {order} is not a client "
                                          "in {sheet}").format(
            cell=paper.cell_where(book, "Orders", "client_id", rows[0]),
            client=client_id or tr(book.lang, "(blank)"), order=order_id,
            sheet=book.tables["Clients"].sheet))
    client = book.frame("Clients").loc[crows[0]]
    lang = client["language"] or s["language"] or book.lang
    lang = lang if lang in schema.LANGS else "en"
    fmt = Fmt(locale_for(lang, s.number_format), s.currency, locale_for(lang))
    ctx = DocContext()
    ctx.lang, ctx.says, ctx.kind = lang, book.lang, kind
    ctx["company"] = paper.company_fields(book, fmt, ctx.missing)
    ctx["client"] = paper.client_fields(book, client, crows[0], fmt, ctx.missing)
    ctx["contact"], contact_rows = paper.contact_fields(book, client_id, lang)
    oid = clean(orders.at[rows[0], "order_id"])
    dates = orders.loc[rows, "order_date"].dropna()
    ctx["order"] = {"id": oid, "date": fmt.date(dates.min().date()) if len(dates) else "",
                    "currency": s.currency, "currency_name": fmt.currency_name()}
    dues = orders.loc[rows, "due_date"].dropna()
    days = paper.payment_and_delivery(
        ctx, s, client, pd.Series({"expected_close": dues.min() if len(dues) else pd.NaT}),
        today, fmt)
    lines, product_rows = order_lines(book, rows, fmt, ctx.missing)
    ctx["items"] = [ln["text"] for ln in lines]
    own_vat = not paper.blank(client, "vat_rate") or paper.vat_for(client, s)[1] == "export"
    used = list(SHARED_SETTINGS) + ([] if own_vat else ["vat_rate"]) + [
        k for k, blank in (("language", not client["language"]),
                           ("payment_terms", pd.isna(client["payment_terms"]))) if blank]
    ctx.errors = paper.input_errors(book, today, {
        "Orders": rows, "Clients": [crows[0]], "Products": product_rows,
        "Contacts": contact_rows}, used + list(settings))
    ctx.values.update(order_id=oid, rows=rows, client_id=client_id, client=client,
                      payment_terms=days, lines=lines, template=kind.templates[lang],
                      client_name=clean(client["name"]))
    return ctx, fmt


def order_lines(book: Book, rows: list[int], fmt: Fmt, missing: dict
                ) -> tuple[list[dict], list[int]]:
    """The order's lines, priced (paper.order_line) and with what is delivered and still to
    deliver: Quantity − Delivered qty, never below 0; a blank Delivered qty is 0, or the
    whole Quantity on a line whose Status is Delivered. Lines without an amount are named."""
    orders, products = book.frame("Orders"), book.frame("Products")
    lines, used, problems = [], [], []
    for n, r in enumerate(rows, 1):
        o = orders.loc[r]
        sku = clean(o["sku"])
        prow = find_rows(products, "sku", sku) if sku else []
        used += prow[:1]
        p = products.loc[prow[0]] if prow else None
        name = (clean(p["name"]) if p is not None else "") or sku
        if pd.isna(o["amount"]) and (pd.isna(o["quantity"]) or pd.isna(o["unit_price"])):
            problems.append(tr(book.lang, "{cell} is empty and so is {price}").format(
                cell=paper.cell_where(book, "Orders", "amount", r),
                price=paper.cell_where(book, "Orders", "unit_price", r)))
        line = paper.order_line(n, sku, name, clean(p["unit"]) if p is not None else "",
                                o["quantity"], o["unit_price"], o["discount"], o["amount"], fmt)
        qty = 0.0 if pd.isna(o["quantity"]) else float(o["quantity"])
        done = o["delivered_qty"]
        done = (qty if o["status"] == "Delivered" else 0.0) if pd.isna(done) else float(done)
        on = o["delivered_on"]
        line["text"].update(delivered=fmt.qty(done), remaining=fmt.qty(max(qty - done, 0.0)),
                            delivered_on="" if pd.isna(on) else fmt.date(on.date()))
        line["remaining"], line["row"] = max(qty - done, 0.0), r
        lines.append(line)
    if problems:
        missing["items"] = "; ".join(problems)
    return lines, sorted(set(used))
