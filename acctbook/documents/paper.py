"""The fields every deal document shares (docs/rules.md, "Documents"): the company, the
client, its contact, the deal's lines with their discounts, the totals with the right VAT
and currency, payment and delivery terms; each amount, date and percentage formatted for
the document's language (babel). Pure: the book in, template fields out. The errors the
check finds in the cells a document reads are collected (`input_errors`), never raised.

Fields (templates/build_templates.py writes the templates that use them):
  company.name, .number, .address, .phone, .email, .manager, .jurisdiction
  client.id, .name, .legal_name, .number, .address, .country
  contact.name, .role, .email, .phone, .details
  deal.id, .title, .currency, .currency_name
  exchange.applies (list prices converted), .from (the book's currency), .rate
    ("1 EUR = 3.9500 ILS"), .as_of (the rate's date)
  items: [{n, sku, name, unit, quantity, unit_price, discount, total}]
  totals.subtotal, .vat_rate, .vat, .total, .vat_reason ("" or why the rate is 0),
    .vat_note (the VAT line's brackets: rate or reason)     discount.tier, .applied
  payment.days    delivery.place, .by
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr, translator
from acctbook.book.model import ERROR, Book, col_letter
from acctbook.book.rules import check_book
from acctbook.documents.docx import bidi_safe, clean

CENT = Decimal("0.01")
# Goods and services sold to a client abroad are zero-rated (Israel VAT Law §30): the
# document says why its VAT is 0 (docs/rules.md, "VAT in documents").
EXPORT_REASON = {"en": "zero-rated: export", "he": "מע״מ בשיעור אפס: יצוא"}


class DocContext(dict):
    """The template fields, plus what a context function learnt on the way (not template data).

    missing: field ("client.legal_name", "items") -> the message naming it in the book's terms.
    errors: the check's ERROR problems in the cells the document is made from, as
      `Sheet!D5: message` lines (a document is never made from a value the book rejects).
    values: the raw numbers and dates behind the formatted text (for the Contracts row).
    """

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.missing: dict[str, str] = {}
        self.errors: list[str] = []
        self.values: dict[str, Any] = {}
        self.lang = "en"
        self.says = "en"      # the book's language: what acctbook says about the document
        self.kind = None      # the engine.DocumentKind it is for



# --- formatting ----------------------------------------------------------------------------
def locale_for(lang: str, number_format: str | None = None) -> str:
    """Babel locale of a document's amounts, dates and percents: Settings `Number format`
    when it names a locale (Settings.number_format), else the document's language alone,
    never the client's country (an English contract for a client in France prints
    ₪21,000.00, not 21 000,00 ₪): he -> he_IL (21,000.00 ₪), en -> en_IL (₪21,000.00,
    1 June 2026)."""
    return number_format or ("he_IL" if lang == "he" else "en_IL")


def blank(row: pd.Series, key: str) -> bool:
    v = row.get(key)                  # a book made before the column existed has none
    return v is None or bool(pd.isna(v))


def vat_for(client: pd.Series, settings) -> tuple[float, str]:
    """(VAT rate %, reason key) for a document to `client`: the client's own `VAT rate`
    when set; else 0 with reason "export" when the client's Country is set and is not the
    company's (Settings `Country`); else Settings `VAT rate`. Reason "" = none."""
    if not blank(client, "vat_rate"):
        return float(client["vat_rate"]), ""
    country = clean(client.get("country")).upper()
    if country and country != settings.country:
        return 0.0, "export"
    return settings.vat_rate, ""


class Fmt:
    """Amounts and percentages for one locale (Settings Number format) and currency; dates
    and names (of the currency, of countries) in the document's language, `words` (default:
    the same locale)."""

    def __init__(self, locale: str, currency: str, words: str | None = None):
        self.locale, self.currency, self.words = locale, currency, words or locale

    def money(self, v: Decimal) -> str:
        from babel.numbers import format_currency
        return format_currency(v, self.currency, locale=self.locale)

    def date(self, d: dt.date) -> str:
        from babel.dates import format_date
        # a date is words ("1 June 2026"): the document's language, whatever the number format
        return format_date(d, format="long", locale=self.words)

    def pct(self, v: float | Decimal) -> str:
        from babel.numbers import format_percent
        return format_percent(Decimal(str(v)) / 100, format="#,##0.##%", locale=self.locale)

    def qty(self, v: float) -> str:
        from babel.numbers import format_decimal
        return format_decimal(Decimal(str(v)), format="#,##0.###", locale=self.locale)

    def rate(self, v: float) -> str:
        from babel.numbers import format_decimal
        # four decimals at least, more for a small rate (1 JPY = 0.0246 ILS, 1 IDR = 0.00022)
        return format_decimal(Decimal(str(v)), format="#,##0.0000####", locale=self.locale)

    def currency_name(self) -> str:
        from babel.numbers import get_currency_name
        return get_currency_name(self.currency, locale=self.words)

    def country(self, code: str | None) -> str:
        from babel import Locale
        return Locale.parse(self.words).territories.get((code or "").upper(), code or "")


def dec(v: Any) -> Decimal:
    return Decimal(str(float(v)))



# --- where a field lives in the book (for error messages) -------------------------------
def cell_where(book: Book, table: str, key: str, row: int) -> str:
    """`Sheet!D5 Header`, the sheet and header as the book has them (its language)."""
    t = book.tables[table]
    ref, label = t.cell(key, row), t.header(key, book.lang)
    return f"{t.sheet}!{ref} {label}" if ref else tr(
        book.lang, "{sheet}: no {column} column, so {column}").format(sheet=t.sheet, column=label)


def setting_where(book: Book, key: str) -> str:
    label = schema.SETTING_BY_KEY[key].label(book.lang)
    t = book.tables["Settings"]
    index = schema.setting_index()
    for row, name in zip(t.frame.index, t.frame["setting"]):
        if name and index.get(schema.fold(name)) == key:
            ref = t.cell("value", row)
            return f"{t.sheet}!{ref} {label}" if ref else f"{t.sheet} {label}"
    return f"{t.sheet} {label}"


def find_rows(frame: pd.DataFrame, key: str, value: str) -> list[int]:
    """Rows whose `key` is `value`. In a table's own key column (a deal typed `d-0110` for
    D-0110) the exact spelling first, else ignoring case and spaces (book/ids.py);
    reference columns already hold their key's spelling, so they match exactly."""
    col = frame[key]
    rows = [r for r, v in zip(frame.index, col) if v is not None and str(v).strip() == value]
    own = any(t.key == key and {c.key for c in t.columns} <= set(frame.columns)
              for t in schema.DATA_TABLES)
    if rows or not own or not value:
        return rows
    want = schema.fold(value)
    return [r for r, v in zip(frame.index, col) if v is not None and schema.fold(str(v)) == want]



def payment_and_delivery(ctx: DocContext, s, client: pd.Series, deal: pd.Series,
                          today: dt.date, fmt: Fmt) -> int:
    """ctx["payment"] and ctx["delivery"]; returns the payment days (the client's, else the
    Settings')."""
    days = client["payment_terms"]
    days = int(days) if not pd.isna(days) else int(s["payment_terms"] or 0)
    ctx["payment"] = {"days": str(days)}
    place = ctx["client"]["address"] or (
        "מחצרי הלקוח" if ctx.lang == "he" else "the Client's premises")
    close = deal["expected_close"]
    ctx["delivery"] = {"place": place,
                       "by": fmt.date(close.date()) if not pd.isna(close) and close.date() > today
                       else ""}
    return days


def exchange_fields(book: Book, currency: str, listed: bool, fmt: Fmt) -> tuple[dict, list[int]]:
    """ctx["exchange"]: the rate list prices were converted at, when the deal is in another
    currency than the book's and a line took its product's list price; and the
    ExchangeRates rows of that currency (an error there refuses the document)."""
    s = book.settings
    home, rate = s.currency, s.rate(currency)
    f = book.frame("ExchangeRates")
    rows = [r for r, v in zip(f.index, f["currency"]) if v and v.strip().upper() == currency]
    if currency == home or rate is None:
        return {"applies": False, "from": home, "rate": "", "as_of": ""}, rows
    as_of = s.rates[currency][1]
    return {"applies": listed, "from": home, "rate": f"1 {currency} = {fmt.rate(rate)} {home}",
            "as_of": fmt.date(as_of) if as_of else ""}, rows if listed else []



def company_fields(book: Book, fmt: Fmt, missing: dict) -> dict:
    s = book.settings
    out = {"name": clean(s["company_name"]) or None, "number": clean(s["company_number"]) or None,
           "address": clean(s["company_address"]), "phone": clean(s["company_phone"]),
           "email": clean(s["manager_email"]), "manager": clean(s["manager_name"]),
           "jurisdiction": fmt.country(s.country)}
    for field, key in (("name", "company_name"), ("number", "company_number")):
        if out[field] is None:
            missing[f"company.{field}"] = tr(book.lang, "{cell} is empty").format(
                cell=setting_where(book, key))
    return out


def client_fields(book: Book, c: pd.Series, row: int, fmt: Fmt, missing: dict) -> dict:
    s = book.settings
    country = clean(c["country"]).upper()
    parts = [clean(c["address"]), clean(c["city"])]
    if country and country != s.country:
        parts.append(fmt.country(country))
    out = {"id": clean(c["client_id"]), "name": clean(c["name"]),
           "legal_name": clean(c["legal_name"]) or None,
           "number": clean(c["company_number"]) or None,
           "address": ", ".join(p for p in parts if p), "country": fmt.country(country or s.country)}
    for field, key in (("legal_name", "legal_name"), ("number", "company_number")):
        if out[field] is None:
            missing[f"client.{field}"] = tr(book.lang, "{cell} is empty for client "
                                                       "{client}").format(
                cell=cell_where(book, "Clients", key, row), client=out["id"])
    return out


def contact_fields(book: Book, client_id: str, lang: str) -> tuple[dict, list[int]]:
    """The client's Primary contact, else its first contact, blanks when it has none; and
    the row it came from."""
    f = book.frame("Contacts")
    rows = find_rows(f, "client_id", client_id)
    primary = [r for r in rows if f.at[r, "primary"] is True]
    if not (primary or rows):
        return {"name": "", "role": "", "email": "", "phone": "", "details": ""}, []
    row = (primary or rows)[0]
    c = f.loc[row]
    out = {k: clean(c[k]) for k in ("name", "role", "email", "phone")}
    rtl = lang == "he"
    extra = [bidi_safe(x, rtl) for x in (out["role"], out["email"], out["phone"]) if x]
    out["details"] = f" ({', '.join(extra)})" if extra else ""
    return out, [row]


# The columns a document prints or computes with, per table (Tiers: all of them). An


DOCUMENT_READS: dict[str, frozenset[str] | None] = {
    "Deals": frozenset({"deal_id", "client_id", "title", "amount", "currency",
                        "expected_close"}),
    "Clients": frozenset({"client_id", "name", "legal_name", "company_number", "address",
                          "city", "country", "language", "payment_terms", "vat_rate"}),
    "DealItems": frozenset({"deal_id", "sku", "quantity", "unit_price", "discount"}),
    "Products": frozenset({"sku", "name", "unit", "list_price"}),
    "Contacts": frozenset({"client_id", "name", "role", "email", "phone", "primary"}),
    "Settings": frozenset({"setting", "value"}),
    "Orders": frozenset({"order_id", "client_id", "order_date", "sku", "quantity", "unit_price",
                         "discount", "amount", "due_date", "delivered_on", "delivered_qty",
                         "status", "invoice_date", "invoice_due"}),
    "Tiers": None,
    "ExchangeRates": None,
}


def input_errors(book: Book, today: dt.date, rows: dict[str, list[int]],
                 settings: Iterable[str]) -> list[str]:
    """The check's ERROR problems (the loader's too) in the cells the document reads: the
    DOCUMENT_READS columns of the given rows, and the Settings rows for the `settings`
    keys (not the other tables that share the Settings sheet): `Sheet!D5: message` each."""
    st = book.tables["Settings"]
    index, keys = schema.setting_index(), set(settings)
    rows = {**rows, "Settings": [r for r, name in zip(st.frame.index, st.frame["setting"])
                                 if name and index.get(schema.fold(name)) in keys]}
    wanted = set()
    for name, rs in rows.items():
        t = book.tables[name]
        reads = DOCUMENT_READS.get(name)
        cols = [col for key, col in t.columns.items() if reads is None or key in reads]
        wanted |= {(t.sheet, f"{col_letter(col)}{r}") for r in rs for col in cols}
    return [p.line() for p in check_book(book, today)
            if p.severity == ERROR and (p.sheet, p.cell) in wanted]


def deal_lines(book: Book, drow: int, deal: pd.Series, tier: float, fmt: Fmt,
           missing: dict, rate: float | None = 1.0) -> list[dict]:
    """The deal's items (or one line for its Amount) with prices, discounts and line totals.
    A list price (in the book's currency) is converted into the deal's at 1/rate, to the
    cent; a Unit price typed on the item and the deal's Amount are in the deal's currency."""
    items = book.frame("DealItems")
    rows = find_rows(items, "deal_id", clean(deal["deal_id"]))
    products = book.frame("Products")
    problems: list[str] = []
    lines, say = [], translator(book.lang)
    # A cell the loader could not read is blank in the frame: the check's own message
    # ("is not a number") names it, so it is not called empty here as well.
    rejected = {(p.sheet, p.cell) for p in book.problems if p.severity == ERROR and p.cell}

    def empty(table: str, key: str, row: int) -> bool:
        t = book.tables[table]
        return (t.sheet, t.cell(key, row)) not in rejected
    for n, r in enumerate(rows, 1):
        it = items.loc[r]
        sku = clean(it["sku"])
        prow = find_rows(products, "sku", sku)
        product = products.loc[prow[0]] if prow else None
        if product is None:
            problems.append(say("{cell} {sku} is not a product in {sheet}").format(
                cell=cell_where(book, "DealItems", "sku", r), sku=sku or say("(blank)"),
                sheet=book.tables["Products"].sheet))
        price = it["unit_price"]
        listed = pd.isna(price) and product is not None
        if listed:
            price = product["list_price"]
            if not pd.isna(price) and rate not in (None, 1.0):
                price = float((dec(price) / dec(rate)).quantize(CENT, ROUND_HALF_UP))
            if pd.isna(price) and empty("Products", "list_price", prow[0]):
                problems.append(say("{cell} is empty and {price} is empty for SKU {sku}").format(
                    cell=cell_where(book, "DealItems", "unit_price", r), sku=sku,
                    price=cell_where(book, "Products", "list_price", prow[0])))
        if pd.isna(it["quantity"]) and empty("DealItems", "quantity", r):
            problems.append(say("{cell} is empty for SKU {sku}").format(
                cell=cell_where(book, "DealItems", "quantity", r), sku=sku))
        if product is None or pd.isna(price) or pd.isna(it["quantity"]):
            continue
        own = not pd.isna(it["discount"])
        name = clean(product["name"]) or sku
        lines.append(_line(n, sku, name, clean(product["unit"]), it["quantity"], price,
                           float(it["discount"]) if own else tier, not own, fmt, prow[:1],
                           listed))
    if not rows:
        if pd.isna(deal["amount"]) and empty("Deals", "amount", drow):
            problems.append(say("{cell} is empty for deal {deal}, which has no items in "
                                "{sheet}").format(
                cell=cell_where(book, "Deals", "amount", drow), deal=clean(deal["deal_id"]),
                sheet=book.tables["DealItems"].sheet))
        elif not pd.isna(deal["amount"]):
            lines.append(_line(1, "", clean(deal["title"]), "", 1, deal["amount"], tier, True, fmt))
    if problems:
        missing["items"] = "; ".join(problems)
    return lines


def _line(n, sku, name, unit, qty, price, discount, tier, fmt: Fmt, product_rows=(),
          listed=False) -> dict:
    gross = (dec(qty) * dec(price)).quantize(CENT, ROUND_HALF_UP)
    total = (dec(qty) * dec(price) * (1 - dec(discount) / 100)).quantize(CENT, ROUND_HALF_UP)
    text = {"n": str(n), "sku": sku, "name": name, "unit": unit, "quantity": fmt.qty(qty),
            "unit_price": fmt.money(dec(price)),
            "discount": fmt.pct(discount) if discount else "—", "total": fmt.money(total)}
    return {"text": text, "gross": gross, "total": total, "tier": tier,
            "product_rows": list(product_rows), "listed": listed,
            "raw": {"sku": sku, "name": name, "qty": float(qty), "price": float(price),
                    "discount": float(discount or 0)}}


def add_totals(ctx: DocContext, lines: list[dict], vat_rate: float, fmt: Fmt,
            reason: str = "") -> None:
    subtotal = sum((ln["total"] for ln in lines), Decimal(0))
    gross = sum((ln["gross"] for ln in lines), Decimal(0))
    vat = (subtotal * dec(vat_rate) / 100).quantize(CENT, ROUND_HALF_UP)
    total = subtotal + vat
    ctx["totals"] = {"subtotal": fmt.money(subtotal), "vat_rate": fmt.pct(vat_rate),
                     "vat": fmt.money(vat), "total": fmt.money(total), "vat_reason": reason,
                     "vat_note": reason or fmt.pct(vat_rate)}
    discount = ((gross - subtotal) / gross * 100).quantize(CENT, ROUND_HALF_UP) if gross else Decimal(0)
    ctx.values.update(subtotal=float(subtotal), vat=float(vat), total=float(total),
                      discount=float(discount))


def order_line(n: int, sku: str, name: str, unit: str, qty, price, discount, amount,
               fmt: Fmt) -> dict:
    """An Orders line as a document line: its Amount when typed (the book's own figure),
    else Quantity × Unit price less its Discount; blank quantity or price print blank."""
    priced = not (pd.isna(qty) or pd.isna(price))
    disc = 0.0 if pd.isna(discount) else float(discount)
    line = _line(n, sku, name, unit, qty if priced else 1, price if priced else 0, disc, False,
                 fmt)
    if not pd.isna(amount):
        line["total"] = dec(amount).quantize(CENT, ROUND_HALF_UP)
        line["text"]["total"] = fmt.money(line["total"])
    if not priced:
        line["gross"] = line["total"]
        line["text"].update(quantity="" if pd.isna(qty) else fmt.qty(qty),
                            unit_price="" if pd.isna(price) else fmt.money(dec(price)))
    return line
