"""Contracts from Word templates (README, "The commands"): `acctbook contract BOOK DEAL_ID`.

A document kind of acctbook.documents.engine: the shared deal fields (paper.py) plus the
contract's own, numbered CTR-YYYY-NNNN, registered as a Draft row in Contracts.
`contract_context` turns a deal into the fields a template uses, every amount, date and
percentage already formatted for the document's language (babel), and collects the check's
errors in the cells it read (a legal document is never made from a value the book rejects).
`check_fields` names those cells and every missing field the chosen template needs.
acctbook.documents.docx renders the template (sandboxed, autoescaping Jinja2: cell values
are data, never template code); `jobs.contract` orchestrates, writing nothing unless
everything succeeded.

Template fields (templates/build_templates.py writes the two templates that use them):
  the shared ones (acctbook.documents.paper: company, client, contact, deal, exchange,
  items, totals, discount, payment, delivery), and
  contract.id, .date, .template     referral (bool), referral_bonus
  supersedes.id, .of                the contract a new version replaces ("" for a first
                                    contract), " of 1 June 2026" (its Start) or ""
  term.start, .end, .notice_days    signatures.supplier_name, .supplier_title,
                                                 .client_name, .client_title
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Iterable

from acctbook.book import schema
from acctbook.book.assets import templates_dir
from acctbook.book.i18n import said, tr
from acctbook.book.model import Book
from acctbook.documents import engine, versions
from acctbook.documents.docx import ContractError
from acctbook.documents.engine import (DocumentKind, Register, client_tier_discount,  # noqa: F401
                                       missing_fields, safe_file_name)
from acctbook.documents.paper import (DOCUMENT_READS, DocContext, Fmt, find_rows,  # noqa: F401
                                      input_errors, locale_for, vat_for)

TEMPLATES = templates_dir()
TEMPLATE_FILES = {"en": "contract.docx", "he": "contract.he.docx"}
# The referral bonus the clause promises, a share of the first-year value of the orders of
# each client the customer refers, is Settings `Referral bonus %` (default 5), the percentage
# the Loyalty sheet credits (docs/rules.md, section 20); the templates show it through
# {{ referral_bonus }}.
OF_DATE = {"en": " of {date}", "he": " מיום {date}"}    # after the superseded contract's id
BLANK_LINE = "______________________"
ContractContext = DocContext
CONTRACT_READS = DOCUMENT_READS


# --- contract numbers --------------------------------------------------------------------
def next_contract_id(existing_ids: Iterable[Any], today: dt.date) -> str:
    """`CTR-YYYY-NNNN`: one more than the highest number used in today's year, from 0001."""
    return engine.next_number(existing_ids, "CTR", today)


def year_end(start: dt.date) -> dt.date:
    """The last day of a one-year term starting on `start` (29 Feb starts end on 27/28 Feb)."""
    try:
        nxt = start.replace(year=start.year + 1)
    except ValueError:        # 29 February: the anniversary is 1 March
        nxt = dt.date(start.year + 1, 3, 1)
    return nxt - dt.timedelta(days=1)


# --- the context ---------------------------------------------------------------------------
def contract_context(book: Book, deal_id: str, today: dt.date, contract_id: str,
                     tier_discount: float | None, referral: bool | None = None,
                     new_version: bool = False, button: bool = False) -> DocContext:
    """Every field the templates use, formatted for the client's language. Pure.

    tier_discount: the client's tier discount % (applies to lines without their own discount).
    referral: include the referral clause; None = Settings `Referral clause default`.
    new_version: supersede the deal's contract (acctbook.documents.versions); without it a
    deal that has one is refused (button: the refusal says how from the workbook).
    Fields the book lacks are None in the context and listed in `.missing`.
    """
    s = book.settings
    use_referral = bool(s["referral_clause_default"]) if referral is None else bool(referral)
    ctx, fmt = engine.deal_context(
        book, deal_id, today, CONTRACT, tier_discount,
        ["renewal_notice"] + (["referral_clause_default"] if referral is None else [])
        + (["referral_bonus"] if use_referral else []))
    earlier = versions.earlier_contract(book, ctx["deal"]["id"], new_version, button)
    if earlier is not None:
        contract_id = versions.next_version(book, earlier.id)
    ctx["supersedes"] = {"id": earlier.id if earlier else "", "of": OF_DATE[ctx.lang].format(
        date=fmt.date(earlier.start)) if earlier and earlier.start else ""}
    ctx["contract"] = {"id": contract_id, "date": fmt.date(today),
                       "template": TEMPLATE_FILES[ctx.lang]}
    ctx["referral"] = use_referral
    ctx["referral_bonus"] = fmt.pct(s["referral_bonus"])      # Settings Referral bonus %
    end = year_end(today)
    notice = int(s["renewal_notice"] or 0)
    ctx["term"] = {"start": fmt.date(today), "end": fmt.date(end), "notice_days": str(notice)}
    ctx["signatures"] = _signatures(ctx["company"], ctx["contact"], ctx.lang)
    ctx.values.update(start=today, end=end, referral=use_referral, renewal_notice=notice,
                      earlier=earlier)
    if earlier is not None:
        ctx.values["changes"] = versions.changes(
            book.lang, earlier.snapshot, json.loads(versions.snapshot(ctx.values)),
            s.number_format, earlier.id)
    return ctx


def _signatures(company: dict, contact: dict, lang: str) -> dict:
    """Who signs: the account manager for the supplier, the contact for the client (a blank
    line where the book has no name)."""
    return {
        "supplier_name": company["manager"] or BLANK_LINE,
        "supplier_title": ("מנהל/ת תיק לקוח" if lang == "he" else "Account manager")
        if company["manager"] else BLANK_LINE,
        "client_name": contact["name"] or BLANK_LINE,
        "client_title": contact["role"] or BLANK_LINE}


def check_fields(path: Path, ctx: DocContext) -> None:
    engine.check_fields(path, ctx)


def template_path(lang: str, templates_dir=None) -> Path:
    path = Path(templates_dir or TEMPLATES) / TEMPLATE_FILES.get(lang, TEMPLATE_FILES["en"])
    if not path.is_file():
        raise said(ContractError, tr("en", "contract template {path} is missing"), path=path)
    return path


# --- the register ------------------------------------------------------------------------------
def contract_row(ctx: DocContext, file: str) -> dict[str, Any]:
    """The new Contracts row, keyed by schema column keys (choices canonical English)."""
    v = ctx.values
    return {"contract_id": ctx["contract"]["id"], "client_id": v["client_id"],
            "deal_id": v["deal_id"], "template": v["template"], "status": "Draft",
            "start": v["start"], "end": v["end"], "value": v["subtotal"],
            "discount": v["discount"], "payment_terms": v["payment_terms"],
            "referral_clause": schema.YES if v["referral"] else schema.NO,
            "renewal_notice": v["renewal_notice"], "file": file,
            "snapshot": versions.snapshot(v) if "lines" in v else None}


def _register(ctx: DocContext, file: str) -> Register:
    """The new Contracts row; for a new version also the earlier row's Status set to
    Superseded (that one cell) and a History line saying so."""
    earlier = ctx.values.get("earlier")
    if earlier is None:
        return Register(appends={"Contracts": [contract_row(ctx, file)]})
    return Register(appends={"Contracts": [contract_row(ctx, file)]},
                    updates={"Contracts": {earlier.row: {"status": "Superseded"}}},
                    details=[tr(ctx.says, "{contract} supersedes {earlier}").format(
                        contract=ctx["contract"]["id"], earlier=earlier.id)])


def _refusal(lang: str, deal: str, stage: str) -> str | None:
    # a lost deal gets no contract, from any door
    return tr(lang, "deal {deal} is Lost: no contract").format(deal=deal) \
        if stage == "Lost" else None


CONTRACT = DocumentKind(
    name="contract", prefix="CTR", templates=TEMPLATE_FILES,
    numbers=lambda book: book.frame("Contracts")["contract_id"],
    context=lambda book, deal_id, today, number, tier, referral=None, new_version=False,
    button=False: contract_context(book, deal_id, today, number, tier, referral, new_version,
                                   button),
    register=_register, refusal=_refusal,
    cannot=lambda lang: tr(lang, "cannot make the contract for deal {deal}: {problems}"),
    template=lambda lang, folder=None: template_path(lang, folder))
