"""Contract versions (docs/rules.md, section 12): one contract a deal; `--new-version`
makes CTR-…-v2, supersedes the earlier row and lists what changed since its Snapshot. Pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr, translator
from acctbook.book.model import Book
from acctbook.documents.docx import ContractError, clean
from acctbook.documents.paper import Fmt, dec, find_rows, locale_for

NOT_THE_DEALS = ("Cancelled", "Superseded")      # statuses that leave a deal without a contract
_VERSION = re.compile(r"^(.*?)-v(\d+)$", re.IGNORECASE)
_NUMBER = re.compile(r"(\d{4})-(\d{4,})")


@dataclass(frozen=True)
class Earlier:
    row: int
    id: str
    status: str | None
    start: Any                      # datetime.date or None
    snapshot: dict


def base_and_version(contract_id: str) -> tuple[str, int]:
    """("CTR-2026-0003", 2) for CTR-2026-0003-v2; the first version is 1."""
    m = _VERSION.match(contract_id.strip())
    return (m[1], int(m[2])) if m else (contract_id.strip(), 1)


def _order(contract_id: str, row: int) -> tuple:
    base, version = base_and_version(contract_id)
    m = _NUMBER.search(base)
    return (int(m[1]), int(m[2])) if m else (0, 0), version, row


def deal_contract(book: Book, deal_id: str) -> int | None:
    """The Excel row of the deal's contract, None when it has none."""
    f = book.frame("Contracts")
    rows = [r for r in find_rows(f, "deal_id", deal_id)
            if clean(f.at[r, "contract_id"]) and f.at[r, "status"] not in NOT_THE_DEALS]
    if not rows:
        return None
    return max(rows, key=lambda r: _order(clean(f.at[r, "contract_id"]), r))


def next_version(book: Book, contract_id: str) -> str:
    """One more than the highest version of the same base in Contracts, any status."""
    base, _ = base_and_version(contract_id)
    used = [base_and_version(clean(v)) for v in book.frame("Contracts")["contract_id"] if clean(v)]
    top = max((n for b, n in used if schema.fold(b) == schema.fold(base)), default=1)
    return f"{base}-v{top + 1}"


def earlier_contract(book: Book, deal_id: str, new_version: bool,
                     button: bool = False) -> Earlier | None:
    """The contract --new-version supersedes, None for a deal without one; ContractError
    for a deal with one (without --new-version) or without one (with it)."""
    row = deal_contract(book, deal_id)
    t = book.tables["Contracts"]
    if row is None:
        if new_version:
            raise ContractError(tr(book.lang, "deal {deal} has no contract in {sheet} to make a "
                                              "new version of; run contract without "
                                              "--new-version").format(deal=deal_id, sheet=t.sheet))
        return None
    f = t.frame
    cid, status = clean(f.at[row, "contract_id"]), f.at[row, "status"]
    if not new_version:
        where = ", ".join(x for x in (schema.show_choice(status, book.lang) if status else "",
                                      f"{t.sheet}!{t.cell('contract_id', row)}") if x)
        if button:
            text = tr(book.lang, "deal {deal} already has contract {contract} ({where}). For a "
                                 "new version run acctbook contract with --new-version, or set "
                                 "its {column} to {cancelled} and press Contract again")
        else:
            text = tr(book.lang, "deal {deal} already has contract {contract} ({where}); make a "
                                 "new version with --new-version")
        raise ContractError(text.format(
            deal=deal_id, contract=cid, where=where,
            column=t.header("status", book.lang),
            cancelled=schema.show_choice("Cancelled", book.lang)))
    start = f.at[row, "start"]
    return Earlier(row, cid, status, None if pd.isna(start) else start.date(),
                   read_snapshot(f.at[row, "snapshot"] if "snapshot" in f else None,
                                 f.at[row, "value"], f.at[row, "payment_terms"]))


# --- the snapshot -------------------------------------------------------------------------
def snapshot(values: dict[str, Any]) -> str:
    items = [{"sku": ln["sku"], "name": ln["name"], "qty": ln["qty"],
              "price": round(ln["price"], 2), "discount": ln["discount"]}
             for ln in values["lines"]]
    return json.dumps({"currency": values["currency"], "items": items,
                       "subtotal": values["subtotal"], "vat_rate": values["vat_rate"],
                       "total": values["total"], "payment_days": values["payment_terms"]},
                      ensure_ascii=False, separators=(",", ":"))


def read_snapshot(text: Any, value: Any = None, payment_terms: Any = None) -> dict:
    """The Snapshot, else (none, or unreadable) the row's Value and Payment terms."""
    try:
        snap = json.loads(text) if isinstance(text, str) and text.strip() else None
    except ValueError:
        snap = None
    if isinstance(snap, dict) and isinstance(snap.get("items"), list):
        return snap
    number = (lambda v: None if v is None or pd.isna(v) else float(v))
    return {"items": None, "subtotal": number(value), "payment_days": number(payment_terms)}


# --- what changed -----------------------------------------------------------------------------
def _keyed(items: list[dict]) -> dict[tuple[str, int], dict]:
    out: dict[tuple[str, int], dict] = {}
    for it in items:
        name = str(it.get("sku") or it.get("name") or "")
        n = sum(1 for k in out if k[0] == name)
        out[(name, n)] = it
    return out


def _num(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def changes(lang: str, before: dict, after: dict, number_format: str | None,
            earlier: str) -> list[str]:
    """What changed from `before` (read_snapshot) to `after` (snapshot), a line each."""
    say = translator(lang)
    cur_a = after["currency"]
    cur_b = before.get("currency") or cur_a
    locale = locale_for(lang, number_format)
    old, new = Fmt(locale, cur_b), Fmt(locale, cur_a)
    out: list[str] = []
    if cur_b != cur_a:
        out.append(say("currency {old} → {new}").format(old=cur_b, new=cur_a))
    if before.get("items") is None:
        out.append(say("the items of {contract} are unknown (made before acctbook kept them); "
                       "compare the documents").format(contract=earlier))
    else:
        out += _item_changes(say, _keyed(before["items"]), _keyed(after["items"]), old, new)
    for key, label, show in (
            ("subtotal", say("value before VAT {old} → {new}"), lambda f, v: f.money(dec(v))),
            ("vat_rate", say("VAT {old} → {new}"), lambda f, v: f.pct(v)),
            ("total", say("total {old} → {new}"), lambda f, v: f.money(dec(v)))):
        b, a = _num(before.get(key)), _num(after.get(key))
        if b is not None and a is not None and round(b, 2) != round(a, 2):
            out.append(label.format(old=show(old, b), new=show(new, a)))
    b, a = _num(before.get("payment_days")), _num(after.get("payment_days"))
    if b is not None and a is not None and int(b) != int(a):
        out.append(say("payment terms {old} → {new} days").format(old=int(b), new=int(a)))
    return out or [say("no change in items, prices or terms")]


def _item_changes(say, before: dict, after: dict, old: Fmt, new: Fmt) -> list[str]:
    out = []
    for key, a in after.items():
        b, item = before.get(key), key[0]
        if b is None:
            out.append(say("{item} added: {quantity} × {price}").format(
                item=item, quantity=new.qty(a["qty"]), price=new.money(dec(a["price"]))))
            continue
        for field, text, show, places in (
                ("qty", say("{item}: quantity {old} → {new}"), "qty", 3),
                ("price", say("{item}: unit price {old} → {new}"), "money", 2),
                ("discount", say("{item}: discount {old} → {new}"), "pct", 2)):
            vb, va = _num(b.get(field)), _num(a.get(field))
            if vb is None or va is None or round(vb, places) == round(va, places):
                continue
            fmt = (lambda f, v: f.money(dec(v))) if show == "money" else (
                lambda f, v: getattr(f, show)(v))
            out.append(text.format(item=item, old=fmt(old, vb), new=fmt(new, va)))
    out += [say("{item} removed").format(item=key[0]) for key in before if key not in after]
    return out
