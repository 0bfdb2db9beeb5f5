"""One tier computation: the contract's tier discount is the Tier refresh writes on Clients.

Refresh skips an order row with an error in a column the core reads (here an unreadable
Paid on); the contract must skip it too, or its discount comes from another tier.
Books are written with openpyxl (tests/bookfiles.py); the contract's .docx is read back
with zipfile + lxml, the Clients sheet with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from lxml import etree
from openpyxl import load_workbook

from acctbook import api, jobs
from acctbook.book import schema
from acctbook.book.coerce import book_from_rows
from acctbook.book.rules import check_book
from acctbook.core import plan
from acctbook.core.compute import compute
from acctbook.documents import contract as C
from bookfiles import valid_data, write_book

TODAY = dt.date(2026, 6, 1)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
COMPANY = {"company_name": "Northwind Supply Ltd", "company_number": "515555555",
           "company_address": "1 Harbour Road, Haifa", "manager_name": "Ron Cohen",
           "manager_email": "ron@northwind.example"}


def data() -> dict:
    """C-001 has 300,000 of valid orders in 12 months (Gold, 7%) and an 800,000 order whose
    Paid on is unreadable text: counted, the client would be Platinum (1,100,000; 10%)."""
    d = valid_data()
    d["Clients"][0].update({"address": "5 Rothschild Blvd", "city": "Tel Aviv"})
    d["Products"].append({"sku": "G-2", "name": "Gadget", "list_price": 80, "unit": "pcs"})
    d["DealItems"].append({"deal_id": "D-001", "sku": "G-2", "quantity": 3})  # takes the tier
    d["Orders"][0].update(quantity=3000, unit_price=100, discount=0, amount=300000)
    d["Orders"].append({**d["Orders"][0], "order_id": "O-002", "quantity": 8000,
                        "amount": 800000, "paid_on": "paid"})
    return d


def real_book(tmp_path: Path, d: dict, lang: str = "en") -> Path:
    for row in d["Settings"]:
        key = next(s.key for s in schema.SETTING_ROWS if s.en == row["setting"])
        if key in COMPANY:
            row["value"] = COMPANY[key]
    folder = tmp_path / "books"
    folder.mkdir(exist_ok=True)
    return write_book(folder / "book.xlsx", d, lang=lang)


def clients_tier(path: Path, client_id: str) -> str | None:
    ws = load_workbook(path)[schema.CLIENTS.sheet("en")]
    header = [c.value for c in ws[1]]
    id_col, tier_col = header.index("Client ID"), header.index("Tier")
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[id_col] == client_id:
            return row[tier_col]
    raise AssertionError(f"{client_id} not on Clients")


def tier_discount(settings_tiers, tier: str) -> float:
    return next(d for name, _, d in settings_tiers if name == tier)


def item_rows(docx: Path) -> list[list[str]]:
    with zipfile.ZipFile(docx) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    tbl = next(root.iter(f"{W}tbl"))
    return [["".join(t.text or "" for t in tc.iter(f"{W}t")).replace("\u200e", "")
             for tc in tr.iter(f"{W}tc")] for tr in tbl.iter(f"{W}tr")]


def test_the_planted_order_is_skipped_and_would_change_the_tier():
    bk = book_from_rows(data(), COMPANY, "en")
    problems = check_book(bk, TODAY)
    assert plan.skipped_rows(bk, problems).get("Orders") == {3}     # O-002's Excel row
    assert compute(bk, TODAY).clients.at[2, "tier"] == "Platinum"
    assert plan.refresh_results(bk, problems, TODAY).clients.at[2, "tier"] == "Gold"
    assert C.client_tier_discount(bk, "C-001", TODAY) == 7
    assert C.client_tier_discount(bk, "C-001", TODAY, problems) == 7


def test_contract_discount_is_the_tier_refresh_wrote(tmp_path):
    path = real_book(tmp_path, data())
    api.refresh(path, today=TODAY)
    tier = clients_tier(path, "C-001")
    assert tier == "Gold"                    # the 800,000 order was skipped
    bk = jobs.open_book(path).read_book()
    expected = tier_discount(bk.settings.tiers, tier)
    assert expected == 7
    r = jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out")
    gadget = next(row for row in item_rows(r.docx) if "Gadget" in row)
    assert gadget[4] == f"{expected:g}%"     # the tier's discount on the item that takes it
    assert gadget[-1] == "₪223.20"           # 3 × 80 less 7%


def test_a_skipped_client_has_no_tier_and_no_discount():
    d = data()
    d["Orders"][1]["paid_on"] = None          # every order readable: Platinum ...
    d["Clients"][0]["created"] = "long ago"   # ... but the client row itself is skipped
    bk = book_from_rows(d, COMPANY, "en")
    problems = check_book(bk, TODAY)
    assert 2 in plan.skipped_rows(bk, problems).get("Clients", set())
    assert C.client_tier_discount(bk, "C-001", TODAY) == 0.0
