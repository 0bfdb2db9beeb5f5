"""One document engine for a deal's paperwork (docs/rules.md, "Documents").

A document type is a `DocumentKind`: a template pair (en/he), a small context function
over the shared deal fields (`deal_context`, from acctbook.documents.paper), a numbering
prefix (`next_number`: PREFIX-YYYY-NNNN) and a register step (`Register`: the rows it
appends and the user cells it sets, as data). `jobs.document` (the file) and
`excel.document` (the open workbook) write a Register the same way for every kind;
acctbook.documents.docx renders, acctbook.documents.pdf converts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import said, tr
from acctbook.book.model import Book
from acctbook.book.rules import check_book
from acctbook.core.plan import refresh_results
from acctbook.documents import paper
from acctbook.documents.docx import ContractError, clean, template_fields
from acctbook.documents.paper import DocContext, Fmt, find_rows, locale_for

NAME_BYTES = 200           # a file name's stem in UTF-8: well under the usual 255-byte limit


@dataclass
class Register:
    """What making a document records in the book: rows appended (table -> rows, schema
    keys, choices canonical English) and user cells set (table -> Excel row -> {key:
    value})."""
    appends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)     # more lines for History's Details


@dataclass(frozen=True)
class DocumentKind:
    """A document type. name: the command (and History's Command); prefix: its numbers;
    templates: language -> file name; numbers(book): the numbers already used;
    context(book, deal_id, today, number, tier, **options) -> DocContext;
    register(ctx, file text) -> Register; template(lang, folder or None) -> its path;
    refusal(lang, deal, stage) -> why a deal at that
    stage gets no document, or None; cannot(lang) -> "cannot make the X for deal {deal}:
    {problems}" in the book's language."""
    name: str
    prefix: str
    templates: dict[str, str]
    numbers: Callable[[Book], Iterable[Any]]
    context: Callable[..., DocContext]
    register: Callable[[DocContext, str], Register]
    refusal: Callable[[str, str, str], str | None]
    cannot: Callable[[str], str]
    template: Callable[[str, Any], Path]
    table: str = "Deals"        # what it documents: a deal, or an order (Orders, by Order ID)


# --- numbers ------------------------------------------------------------------------------
def next_number(existing: Iterable[Any], prefix: str, today: dt.date) -> str:
    """`PREFIX-YYYY-NNNN`: one more than the highest number of today's year found in
    `existing` (ids, or any text holding one: an Interactions subject), from 0001."""
    found = re.compile(rf"(?<![\w-]){re.escape(prefix)}-(\d{{4}})-(\d{{4,}})(?!\d)",
                       re.IGNORECASE)
    used = [int(m[2]) for v in existing if isinstance(v, str)
            for m in found.finditer(v) if int(m[1]) == today.year]
    return f"{prefix}-{today.year}-{max(used, default=0) + 1:04d}"


# --- the deal ----------------------------------------------------------------------------------
def deal_and_client(book: Book, deal_id: str, kind: DocumentKind
                    ) -> tuple[int, pd.Series, int, pd.Series]:
    """(deal row, deal, client row, client): ContractError for an unknown deal, a deal whose
    stage gets no such document (kind.refusal), or a deal whose Client ID is not a client."""
    deals = book.frame("Deals")
    rows = find_rows(deals, "deal_id", str(deal_id).strip())
    if not rows:
        raise ContractError(tr(book.lang, "deal {deal} is not in {sheet} (no row with that "
                                          "{column})").format(
            deal=deal_id, sheet=book.tables["Deals"].sheet,
            column=schema.DEALS.column("deal_id").label(book.lang)))
    drow = rows[0]
    deal = deals.loc[drow]
    why = kind.refusal(book.lang, str(deal_id), deal["stage"])
    if why:                                 # from any door: the CLI and the buttons
        raise ContractError(why)
    client_id = clean(deal["client_id"])
    crows = find_rows(book.frame("Clients"), "client_id", client_id)
    if not crows:
        raise ContractError(tr(book.lang, "{cell} {client} of deal {deal} is not a client in "
                                          "{sheet}").format(
            cell=paper.cell_where(book, "Deals", "client_id", drow),
            client=client_id or tr(book.lang, "(blank)"), deal=deal_id,
            sheet=book.tables["Clients"].sheet))
    return drow, deal, crows[0], book.frame("Clients").loc[crows[0]]


def deal_context(book: Book, deal_id: str, today: dt.date, kind: DocumentKind,
                 tier_discount: float | None, settings: Iterable[str] = ()
                 ) -> tuple[DocContext, Fmt]:
    """The fields every deal document shares (paper.py's docstring lists them), for the
    client's language, and the check's errors in the cells they come from. `settings`:
    the kind's own Settings keys, besides the shared ones. Pure."""
    drow, deal, crow, client = deal_and_client(book, deal_id, kind)
    s = book.settings
    ctx = DocContext()
    client_id = clean(deal["client_id"])
    lang = client["language"] or s["language"] or book.lang
    lang = lang if lang in schema.LANGS else "en"
    currency = (clean(deal["currency"]) or s.currency).upper()
    fmt = Fmt(locale_for(lang, s.number_format), currency, locale_for(lang))
    ctx.lang, ctx.says, ctx.kind = lang, book.lang, kind
    rate = s.rate(currency)        # None: no exchange rate, an error the check reports
    ctx["company"] = paper.company_fields(book, fmt, ctx.missing)
    ctx["client"] = paper.client_fields(book, client, crow, fmt, ctx.missing)
    ctx["contact"], contact_rows = paper.contact_fields(book, client_id, lang)
    ctx["deal"] = {"id": clean(deal["deal_id"]), "title": clean(deal["title"]),
                   "currency": currency, "currency_name": fmt.currency_name()}
    tier = float(tier_discount or 0)
    lines = paper.deal_lines(book, drow, deal, tier, fmt, ctx.missing, rate)
    ctx["items"] = [ln["text"] for ln in lines]
    ctx["exchange"], rate_rows = paper.exchange_fields(
        book, currency, any(ln["listed"] for ln in lines), fmt)
    vat_rate, reason = paper.vat_for(client, s)
    paper.add_totals(ctx, lines, vat_rate, fmt,
                     paper.EXPORT_REASON[lang] if reason == "export" else "")
    ctx["discount"] = {"tier": fmt.pct(tier),
                       "applied": tier > 0 and any(ln["tier"] for ln in lines)}
    days = paper.payment_and_delivery(ctx, s, client, deal, today, fmt)
    ctx.errors = paper.input_errors(book, today, {
        "Deals": [drow], "Clients": [crow],
        "DealItems": find_rows(book.frame("DealItems"), "deal_id", ctx["deal"]["id"]),
        "Products": sorted({r for ln in lines for r in ln["product_rows"]}),
        "Contacts": contact_rows, "ExchangeRates": rate_rows,
        "Tiers": list(book.frame("Tiers").index) if ctx["discount"]["applied"] else []},
        settings_used(client, deal, own_vat=bool(reason) or not paper.blank(client, "vat_rate"),
                      foreign=currency != s.currency) + list(settings))
    if rate is None and not ctx.errors:     # the check says so; never print unconverted prices
        ctx.errors.append(tr(book.lang, "{cell} {currency}: no exchange rate in the "
                                        "ExchangeRates table").format(
            cell=paper.cell_where(book, "Deals", "currency", drow), currency=currency))
    ctx.values.update(client_id=client_id, deal_id=ctx["deal"]["id"], deal_row=drow,
                      stage=deal["stage"], payment_terms=days, currency=currency,
                      vat_rate=vat_rate, lines=[ln["raw"] for ln in lines],
                      template=kind.templates[lang], client_name=clean(client["name"]))
    return ctx, fmt


def settings_used(client: pd.Series, deal: pd.Series, own_vat: bool = False,
                  foreign: bool = False) -> list[str]:
    """The Settings keys every deal document is made from. A Settings value counts only
    where it is used (the Settings currency when the deal has none, and so on). Settings
    `VAT rate` counts unless the client's own rate or the export rule decides the VAT."""
    used = ["company_name", "company_number", "company_address", "company_phone",
            "manager_email", "manager_name", "country"]
    used += [] if own_vat else ["vat_rate"]
    used += [k for k, blank in (("language", not client["language"]),
                                ("currency", foreign or not clean(deal["currency"])),
                                ("payment_terms", pd.isna(client["payment_terms"]))) if blank]
    return used


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


# --- what the template needs ------------------------------------------------------------------
def missing_fields(path: Path, ctx: DocContext) -> list[str]:
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
    if "items" in ctx.missing:           # prices are the document: always required
        out.append(ctx.missing["items"])
    return out


def check_fields(path: Path, ctx: DocContext) -> None:
    """ContractError naming every missing field and every cell with an error, in the
    book's language (the kind says what cannot be made)."""
    missing = missing_fields(path, ctx)
    if missing:
        key = ctx.values.get("order_id") or ctx["deal"]["id"]
        raise ContractError(ctx.kind.cannot(ctx.says).format(
            deal=key, order=key, problems="; ".join(missing)))


def template_path(kind: DocumentKind, lang: str, folder) -> Path:
    path = Path(folder) / kind.templates.get(lang, kind.templates["en"])
    if not path.is_file():
        raise said(ContractError, tr("en", "template {path} is missing"), path=path)
    return path


# --- the file ---------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_file_name(number: str, client_name: str, ext: str = ".docx") -> str:
    """`<number> <client name>.docx`, with nothing that could leave the folder or upset a
    file system: no separators, control characters, reserved characters or leading dots."""
    name = _UNSAFE.sub("_", f"{number} {client_name}".strip())
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)[:120]
    # File systems count bytes (255 at most): a CJK or emoji name is 3-4 bytes a character.
    # Cut in UTF-8 and drop a character the cut split in two.
    name = name.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
    return (name or number) + ext
