"""Contracts from Word templates (README, "The commands"): `acctbook contract BOOK DEAL_ID`.

`contract_context` turns a deal into the fields a template uses, every amount, date and
percentage already formatted for the document's language (babel), and collects the check's
errors in the cells it read (a legal document is never made from a value the book rejects).
`check_fields` names those cells and every missing field the chosen template needs.
acctbook.documents.docx renders the template (sandboxed, autoescaping Jinja2: cell values
are data, never template code); `jobs.contract` orchestrates, writing nothing unless
everything succeeded.

Template fields (templates/build_templates.py writes the two templates that use them):
  contract.id, .date, .template       company.name, .number, .address, .phone, .email,
  client.id, .name, .legal_name,        .manager, .jurisdiction
    .number, .address, .country       contact.name, .role, .email, .phone, .details
  deal.id, .title, .currency, .currency_name
  exchange.applies (list prices converted), .from (the book's currency), .rate
    ("1 EUR = 3.9500 ILS"), .as_of (the rate's date)
  items: [{n, sku, name, unit, quantity, unit_price, discount, total}]
  totals.subtotal, .vat_rate, .vat, .total,   discount.tier, .applied
    .vat_reason ("" or why the rate is 0), .vat_note (the VAT line's brackets: rate or reason)
  payment.days    delivery.place, .by    referral (bool), referral_bonus
  term.start, .end, .notice_days    signatures.supplier_name, .supplier_title,
                                                 .client_name, .client_title
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import said, tr, translator
from acctbook.book.model import ERROR, Book, col_letter
from acctbook.book.rules import check_book
from acctbook.core.plan import refresh_results
from acctbook.documents.docx import ContractError, bidi_safe, clean, template_fields

TEMPLATES = templates_dir()
TEMPLATE_FILES = {"en": "contract.docx", "he": "contract.he.docx"}
# The referral bonus the clause promises: a share of the first-year value of the orders of
# each client the customer refers. A constant on purpose (the Settings sheet has no row for
# it); the templates show it through {{ referral_bonus }}.
REFERRAL_BONUS_PCT = 5
ID_RE = re.compile(r"^\s*CTR-(\d{4})-(\d{4,})\s*$", re.IGNORECASE)
CENT = Decimal("0.01")
BLANK_LINE = "______________________"
NAME_BYTES = 200           # a file name's stem in UTF-8: well under the usual 255-byte limit
# Goods and services sold to a client abroad are zero-rated (Israel VAT Law §30): the
# contract says why its VAT is 0 (docs/rules.md, "VAT in documents").
EXPORT_REASON = {"en": "zero-rated: export", "he": "מע\"מ בשיעור אפס: יצוא"}


class ContractContext(dict):
    """The template fields, plus what contract_context learnt on the way (not template data).

    missing: field ("client.legal_name", "items") -> the message naming it in the book's terms.
    errors: the check's ERROR problems in the cells the contract is made from, as
      `Sheet!D5: message` lines (a contract is never made from a value the book rejects).
    values: the raw numbers and dates behind the formatted text (for the Contracts row).
    """

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.missing: dict[str, str] = {}
        self.errors: list[str] = []
        self.values: dict[str, Any] = {}
        self.lang = "en"
        self.says = "en"      # the book's language: what acctbook says about the contract


# --- contract numbers --------------------------------------------------------------------
def next_contract_id(existing_ids: Iterable[Any], today: dt.date) -> str:
    """`CTR-YYYY-NNNN`: one more than the highest number used in today's year, from 0001."""
    used = [int(m[2]) for v in existing_ids
            if isinstance(v, str) and (m := ID_RE.match(v)) and int(m[1]) == today.year]
    return f"CTR-{today.year}-{max(used, default=0) + 1:04d}"


# --- formatting ----------------------------------------------------------------------------
def locale_for(lang: str, number_format: str | None = None) -> str:
    """Babel locale of a document's amounts, dates and percents: Settings `Number format`
    when it names a locale (Settings.number_format), else the document's language alone,
    never the client's country (an English contract for a client in France prints
    ₪21,000.00, not 21 000,00 ₪): he -> he_IL (21,000.00 ₪), en -> en_IL (₪21,000.00,
    1 June 2026)."""
    return number_format or ("he_IL" if lang == "he" else "en_IL")


def _blank(row: pd.Series, key: str) -> bool:
    v = row.get(key)                  # a book made before the column existed has none
    return v is None or bool(pd.isna(v))


def vat_for(client: pd.Series, settings) -> tuple[float, str]:
    """(VAT rate %, reason key) for a contract with `client`: the client's own `VAT rate`
    when set; else 0 with reason "export" when the client's Country is set and is not the
    company's (Settings `Country`); else Settings `VAT rate`. Reason "" = none."""
    if not _blank(client, "vat_rate"):
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


def _dec(v: Any) -> Decimal:
    return Decimal(str(float(v)))


def year_end(start: dt.date) -> dt.date:
    """The last day of a one-year term starting on `start` (29 Feb starts end on 27/28 Feb)."""
    try:
        nxt = start.replace(year=start.year + 1)
    except ValueError:        # 29 February: the anniversary is 1 March
        nxt = dt.date(start.year + 1, 3, 1)
    return nxt - dt.timedelta(days=1)


# --- where a field lives in the book (for error messages) -------------------------------
def _cell(book: Book, table: str, key: str, row: int) -> str:
    """`Sheet!D5 Header`, the sheet and header as the book has them (its language)."""
    t = book.tables[table]
    ref, label = t.cell(key, row), t.header(key, book.lang)
    return f"{t.sheet}!{ref} {label}" if ref else tr(
        book.lang, "{sheet}: no {column} column, so {column}").format(sheet=t.sheet, column=label)


def _setting_where(book: Book, key: str) -> str:
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


# --- the context ---------------------------------------------------------------------------
def contract_context(book: Book, deal_id: str, today: dt.date, contract_id: str,
                     tier_discount: float | None, referral: bool | None = None) -> ContractContext:
    """Every field the templates use, formatted for the client's language. Pure.

    tier_discount: the client's tier discount % (applies to lines without their own discount).
    referral: include the referral clause; None = Settings `Referral clause default`.
    Fields the book lacks are None in the context and listed in `.missing`.
    """
    drow, deal, crow, client = _deal_and_client(book, deal_id)
    s = book.settings
    ctx = ContractContext()
    client_id = clean(deal["client_id"])
    lang = client["language"] or s["language"] or book.lang
    lang = lang if lang in schema.LANGS else "en"
    currency = (clean(deal["currency"]) or s.currency).upper()
    fmt = Fmt(locale_for(lang, s.number_format), currency, locale_for(lang))
    ctx.lang, ctx.says = lang, book.lang
    rate = s.rate(currency)        # None: no exchange rate, an error the check reports

    ctx["contract"] = {"id": contract_id, "date": fmt.date(today),
                       "template": TEMPLATE_FILES[lang]}
    ctx["company"] = _company(book, fmt, ctx.missing)
    ctx["client"] = _client(book, client, crow, fmt, ctx.missing)
    ctx["contact"], contact_rows = _contact(book, client_id, lang)
    ctx["deal"] = {"id": clean(deal["deal_id"]), "title": clean(deal["title"]),
                   "currency": currency, "currency_name": fmt.currency_name()}
    tier = float(tier_discount or 0)
    lines = _lines(book, drow, deal, tier, fmt, ctx.missing, rate)
    ctx["items"] = [ln["text"] for ln in lines]
    ctx["exchange"], rate_rows = _exchange(book, currency, any(ln["listed"] for ln in lines), fmt)
    vat_rate, reason = vat_for(client, s)
    _totals(ctx, lines, vat_rate, fmt, EXPORT_REASON[lang] if reason == "export" else "")
    ctx["discount"] = {"tier": fmt.pct(tier),
                       "applied": tier > 0 and any(ln["tier"] for ln in lines)}
    days = _payment_and_delivery(ctx, s, client, deal, today, fmt)
    use_referral = bool(s["referral_clause_default"]) if referral is None else bool(referral)
    ctx.errors = input_errors(book, today, {
        "Deals": [drow], "Clients": [crow],
        "DealItems": find_rows(book.frame("DealItems"), "deal_id", ctx["deal"]["id"]),
        "Products": sorted({r for ln in lines for r in ln["product_rows"]}),
        "Contacts": contact_rows, "ExchangeRates": rate_rows,
        "Tiers": list(book.frame("Tiers").index) if ctx["discount"]["applied"] else []},
        _settings_used(client, deal, referral,
                       own_vat=bool(reason) or not _blank(client, "vat_rate"),
                       foreign=currency != s.currency))
    if rate is None and not ctx.errors:     # the check says so; never print unconverted prices
        ctx.errors.append(tr(book.lang, "{cell} {currency}: no exchange rate in the "
                                        "ExchangeRates table").format(
            cell=_cell(book, "Deals", "currency", drow), currency=currency))
    ctx["referral"] = use_referral
    ctx["referral_bonus"] = fmt.pct(REFERRAL_BONUS_PCT)
    end = year_end(today)
    notice = int(s["renewal_notice"] or 0)
    ctx["term"] = {"start": fmt.date(today), "end": fmt.date(end), "notice_days": str(notice)}
    ctx["signatures"] = _signatures(ctx["company"], ctx["contact"], lang)
    ctx.values.update(client_id=client_id, deal_id=ctx["deal"]["id"], start=today, end=end,
                      payment_terms=days, referral=use_referral, renewal_notice=notice,
                      template=TEMPLATE_FILES[lang], client_name=clean(client["name"]))
    return ctx


def _deal_and_client(book: Book, deal_id: str) -> tuple[int, pd.Series, int, pd.Series]:
    """(deal row, deal, client row, client): ContractError for an unknown or Lost deal, or
    a deal whose Client ID is not a client."""
    deals = book.frame("Deals")
    rows = find_rows(deals, "deal_id", str(deal_id).strip())
    if not rows:
        raise ContractError(tr(book.lang, "deal {deal} is not in {sheet} (no row with that "
                                          "{column})").format(
            deal=deal_id, sheet=book.tables["Deals"].sheet,
            column=schema.DEALS.column("deal_id").label(book.lang)))
    drow = rows[0]
    deal = deals.loc[drow]
    if deal["stage"] == "Lost":             # a lost deal gets no contract, from any door
        raise ContractError(tr(book.lang, "deal {deal} is Lost: no contract").format(
            deal=deal_id))
    client_id = clean(deal["client_id"])
    crows = find_rows(book.frame("Clients"), "client_id", client_id)
    if not crows:
        raise ContractError(tr(book.lang, "{cell} {client} of deal {deal} is not a client in "
                                          "{sheet}").format(
            cell=_cell(book, "Deals", "client_id", drow),
            client=client_id or tr(book.lang, "(blank)"), deal=deal_id,
            sheet=book.tables["Clients"].sheet))
    return drow, deal, crows[0], book.frame("Clients").loc[crows[0]]


def _payment_and_delivery(ctx: ContractContext, s, client: pd.Series, deal: pd.Series,
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


def _exchange(book: Book, currency: str, listed: bool, fmt: Fmt) -> tuple[dict, list[int]]:
    """ctx["exchange"]: the rate list prices were converted at, when the deal is in another
    currency than the book's and a line took its product's list price; and the
    ExchangeRates rows of that currency (an error there refuses the contract)."""
    s = book.settings
    home, rate = s.currency, s.rate(currency)
    f = book.frame("ExchangeRates")
    rows = [r for r, v in zip(f.index, f["currency"]) if v and v.strip().upper() == currency]
    if currency == home or rate is None:
        return {"applies": False, "from": home, "rate": "", "as_of": ""}, rows
    as_of = s.rates[currency][1]
    return {"applies": listed, "from": home, "rate": f"1 {currency} = {fmt.rate(rate)} {home}",
            "as_of": fmt.date(as_of) if as_of else ""}, rows if listed else []


def _settings_used(client: pd.Series, deal: pd.Series, referral: bool | None,
                   own_vat: bool = False, foreign: bool = False) -> list[str]:
    """The Settings keys this contract is made from. A Settings value counts only where it
    is used (the Settings currency when the deal has none, and so on); every Tiers row
    decides the client's tier, so all of them count once a tier discount is applied (the
    caller passes those rows). Settings `VAT rate` counts unless the client's own rate or
    the export rule decides the VAT (own_vat)."""
    used = ["company_name", "company_number", "company_address", "company_phone",
            "manager_email", "manager_name", "country", "renewal_notice"]
    used += [] if own_vat else ["vat_rate"]
    used += [k for k, blank in (("language", not client["language"]),
                                ("currency", foreign or not clean(deal["currency"])),
                                ("payment_terms", pd.isna(client["payment_terms"])),
                                ("referral_clause_default", referral is None)) if blank]
    return used


def _signatures(company: dict, contact: dict, lang: str) -> dict:
    """Who signs: the account manager for the supplier, the contact for the client (a blank
    line where the book has no name)."""
    return {
        "supplier_name": company["manager"] or BLANK_LINE,
        "supplier_title": ("מנהל/ת תיק לקוח" if lang == "he" else "Account manager")
        if company["manager"] else BLANK_LINE,
        "client_name": contact["name"] or BLANK_LINE,
        "client_title": contact["role"] or BLANK_LINE}


def _company(book: Book, fmt: Fmt, missing: dict) -> dict:
    s = book.settings
    out = {"name": clean(s["company_name"]) or None, "number": clean(s["company_number"]) or None,
           "address": clean(s["company_address"]), "phone": clean(s["company_phone"]),
           "email": clean(s["manager_email"]), "manager": clean(s["manager_name"]),
           "jurisdiction": fmt.country(s.country)}
    for field, key in (("name", "company_name"), ("number", "company_number")):
        if out[field] is None:
            missing[f"company.{field}"] = tr(book.lang, "{cell} is empty").format(
                cell=_setting_where(book, key))
    return out


def _client(book: Book, c: pd.Series, row: int, fmt: Fmt, missing: dict) -> dict:
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
                cell=_cell(book, "Clients", key, row), client=out["id"])
    return out


def _contact(book: Book, client_id: str, lang: str) -> tuple[dict, list[int]]:
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


# The columns a contract prints or computes with, per table (Tiers: all of them). An
# error elsewhere in the same row (a bad Segment or Credit limit) does not stop it.
CONTRACT_READS: dict[str, frozenset[str] | None] = {
    "Deals": frozenset({"deal_id", "client_id", "title", "amount", "currency",
                        "expected_close"}),
    "Clients": frozenset({"client_id", "name", "legal_name", "company_number", "address",
                          "city", "country", "language", "payment_terms", "vat_rate"}),
    "DealItems": frozenset({"deal_id", "sku", "quantity", "unit_price", "discount"}),
    "Products": frozenset({"sku", "name", "unit", "list_price"}),
    "Contacts": frozenset({"client_id", "name", "role", "email", "phone", "primary"}),
    "Settings": frozenset({"setting", "value"}),
    "Tiers": None,
    "ExchangeRates": None,
}


def input_errors(book: Book, today: dt.date, rows: dict[str, list[int]],
                 settings: Iterable[str]) -> list[str]:
    """The check's ERROR problems (the loader's too) in the cells the contract reads: the
    CONTRACT_READS columns of the given rows, and the Settings rows for the `settings`
    keys (not the other tables that share the Settings sheet): `Sheet!D5: message` each."""
    st = book.tables["Settings"]
    index, keys = schema.setting_index(), set(settings)
    rows = {**rows, "Settings": [r for r, name in zip(st.frame.index, st.frame["setting"])
                                 if name and index.get(schema.fold(name)) in keys]}
    wanted = set()
    for name, rs in rows.items():
        t = book.tables[name]
        reads = CONTRACT_READS.get(name)
        cols = [col for key, col in t.columns.items() if reads is None or key in reads]
        wanted |= {(t.sheet, f"{col_letter(col)}{r}") for r in rs for col in cols}
    return [p.line() for p in check_book(book, today)
            if p.severity == ERROR and (p.sheet, p.cell) in wanted]


def _lines(book: Book, drow: int, deal: pd.Series, tier: float, fmt: Fmt,
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
                cell=_cell(book, "DealItems", "sku", r), sku=sku or say("(blank)"),
                sheet=book.tables["Products"].sheet))
        price = it["unit_price"]
        listed = pd.isna(price) and product is not None
        if listed:
            price = product["list_price"]
            if not pd.isna(price) and rate not in (None, 1.0):
                price = float((_dec(price) / _dec(rate)).quantize(CENT, ROUND_HALF_UP))
            if pd.isna(price) and empty("Products", "list_price", prow[0]):
                problems.append(say("{cell} is empty and {price} is empty for SKU {sku}").format(
                    cell=_cell(book, "DealItems", "unit_price", r), sku=sku,
                    price=_cell(book, "Products", "list_price", prow[0])))
        if pd.isna(it["quantity"]) and empty("DealItems", "quantity", r):
            problems.append(say("{cell} is empty for SKU {sku}").format(
                cell=_cell(book, "DealItems", "quantity", r), sku=sku))
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
                cell=_cell(book, "Deals", "amount", drow), deal=clean(deal["deal_id"]),
                sheet=book.tables["DealItems"].sheet))
        elif not pd.isna(deal["amount"]):
            lines.append(_line(1, "", clean(deal["title"]), "", 1, deal["amount"], tier, True, fmt))
    if problems:
        missing["items"] = "; ".join(problems)
    return lines


def _line(n, sku, name, unit, qty, price, discount, tier, fmt: Fmt, product_rows=(),
          listed=False) -> dict:
    gross = (_dec(qty) * _dec(price)).quantize(CENT, ROUND_HALF_UP)
    total = (_dec(qty) * _dec(price) * (1 - _dec(discount) / 100)).quantize(CENT, ROUND_HALF_UP)
    text = {"n": str(n), "sku": sku, "name": name, "unit": unit, "quantity": fmt.qty(qty),
            "unit_price": fmt.money(_dec(price)),
            "discount": fmt.pct(discount) if discount else "—", "total": fmt.money(total)}
    return {"text": text, "gross": gross, "total": total, "tier": tier,
            "product_rows": list(product_rows), "listed": listed}


def _totals(ctx: ContractContext, lines: list[dict], vat_rate: float, fmt: Fmt,
            reason: str = "") -> None:
    subtotal = sum((ln["total"] for ln in lines), Decimal(0))
    gross = sum((ln["gross"] for ln in lines), Decimal(0))
    vat = (subtotal * _dec(vat_rate) / 100).quantize(CENT, ROUND_HALF_UP)
    total = subtotal + vat
    ctx["totals"] = {"subtotal": fmt.money(subtotal), "vat_rate": fmt.pct(vat_rate),
                     "vat": fmt.money(vat), "total": fmt.money(total), "vat_reason": reason,
                     "vat_note": reason or fmt.pct(vat_rate)}
    discount = ((gross - subtotal) / gross * 100).quantize(CENT, ROUND_HALF_UP) if gross else Decimal(0)
    ctx.values.update(subtotal=float(subtotal), vat=float(vat), total=float(total),
                      discount=float(discount))


# --- what the template needs ------------------------------------------------------------------
def missing_fields(path: Path, ctx: ContractContext) -> list[str]:
    """Every field the template needs that the book (or acctbook) does not provide."""
    top, leaves = template_fields(path)
    out = list(ctx.errors)

    def unknown(field: str) -> str:
        return tr(ctx.says, "template {template} uses {field}, which acctbook does not "
                            "provide").format(template=path.name, field=field)
    for name in sorted(top - set(ctx)):
        out.append(unknown(f"{{{{ {name} }}}}"))
    for leaf in sorted(leaves):
        name, attr = leaf.split(".", 1)
        if name.endswith("[]"):
            rows = ctx.get(name[:-2]) or []
            if rows and isinstance(rows[0], dict) and attr not in rows[0]:
                out.append(unknown(leaf))
            continue
        value = ctx.get(name)
        if isinstance(value, dict) and attr not in value:
            out.append(unknown(f"{{{{ {leaf} }}}}"))
        elif leaf in ctx.missing:
            out.append(ctx.missing[leaf])
    if "items" in ctx.missing:           # prices are the contract: always required
        out.append(ctx.missing["items"])
    return out


def check_fields(path: Path, ctx: ContractContext) -> None:
    missing = missing_fields(path, ctx)
    if missing:
        raise ContractError(tr(ctx.says, "cannot make the contract for deal {deal}: "
                                         "{problems}").format(deal=ctx["deal"]["id"],
                                                              problems="; ".join(missing)))


# --- the file ---------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_file_name(contract_id: str, client_name: str, ext: str = ".docx") -> str:
    """`<Contract ID> <client name>.docx`, with nothing that could leave the folder or upset a
    file system: no separators, control characters, reserved characters or leading dots."""
    name = _UNSAFE.sub("_", f"{contract_id} {client_name}".strip())
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)[:120]
    # File systems count bytes (255 at most): a CJK or emoji name is 3-4 bytes a character.
    # Cut in UTF-8 and drop a character the cut split in two.
    name = name.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
    return (name or contract_id) + ext


# --- the whole job ----------------------------------------------------------------------------
def template_path(lang: str, templates_dir=None) -> Path:
    path = Path(templates_dir or TEMPLATES) / TEMPLATE_FILES.get(lang, TEMPLATE_FILES["en"])
    if not path.is_file():
        raise said(ContractError, tr("en", "contract template {path} is missing"), path=path)
    return path


def client_tier_discount(book: Book, client_id: str, today: dt.date,
                         problems: list | None = None) -> float:
    """The client's tier discount %, from its Revenue 12m as of today (docs/rules.md, section 5).

    The tier is the one refresh writes on Clients: the same computation (plan.refresh_results
    over the book's check problems), so the rows refresh skips are skipped here too; a
    skipped client has no tier, hence no discount. `problems`: check_book's, when known.
    """
    rows = find_rows(book.frame("Clients"), "client_id", client_id)
    if not rows:
        return 0.0
    if problems is None:
        problems = check_book(book, today)
    tier = refresh_results(book, problems, today).clients.at[rows[0], "tier"]
    return next((d for name, _, d in book.settings.tiers if name == tier), 0.0)


def contract_row(ctx: ContractContext, file: str) -> dict[str, Any]:
    """The new Contracts row, keyed by schema column keys (choices canonical English)."""
    v = ctx.values
    return {"contract_id": ctx["contract"]["id"], "client_id": v["client_id"],
            "deal_id": v["deal_id"], "template": v["template"], "status": "Draft",
            "start": v["start"], "end": v["end"], "value": v["subtotal"],
            "discount": v["discount"], "payment_terms": v["payment_terms"],
            "referral_clause": schema.YES if v["referral"] else schema.NO,
            "renewal_notice": v["renewal_notice"], "file": file}
