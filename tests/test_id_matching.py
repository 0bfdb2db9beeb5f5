"""IDs match ignoring case and surrounding spaces (docs/problems.md, Notes: References).

Books written with openpyxl (bookfiles), run through acctbook (check, refresh, contract),
read back with python-calamine and python-docx.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import docx as python_docx
import python_calamine as pc

from acctbook import api, cli, jobs
from acctbook.book import schema
from bookfiles import TODAY, valid_data, write_book

D = dt.date
COMPANY = {"company_name": "Northwind Supply Ltd", "company_number": "515555555",
           "company_address": "1 Harbour Road, Haifa", "manager_name": "Ron Cohen",
           "manager_email": "ron@northwind.example"}


# --- helpers -------------------------------------------------------------------------------
def book_file(tmp_path: Path, d: dict, name: str = "book.xlsx") -> Path:
    """`d` written with openpyxl, Settings carrying a company (contracts need one)."""
    for row in d["Settings"]:
        key = next(s.key for s in schema.SETTING_ROWS if s.en == row["setting"])
        row["value"] = COMPANY.get(key, row["value"])
    folder = tmp_path / "books"
    folder.mkdir(exist_ok=True)
    return write_book(folder / name, d)


def sheet(path: Path, name: str) -> list[dict]:
    """A sheet's rows as {header: value}, read by python-calamine, with their Excel row."""
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return [{"row": i, **dict(zip(rows[0], r))} for i, r in enumerate(rows[1:], start=2)]


def last_contacts(path: Path) -> dict[str, object]:
    return {r["Client ID"]: r["Last contact"] for r in sheet(path, "Clients")}


def interaction(client_id, when, contact_id=None) -> dict:
    return {"date": when, "client_id": client_id, "contact_id": contact_id,
            "channel": "Phone", "direction": "Out", "subject": "Call", "outcome": "Reached"}


def client(client_id: str, name: str) -> dict:
    return {"client_id": client_id, "name": name, "status": "Active", "source": "Website",
            "created": D(2025, 1, 1)}


def problems(path: Path) -> list[tuple[str, str, str]]:
    return [(p.code, p.sheet, p.cell) for p in api.check(path, TODAY).problems]


# --- references match ignoring case and spaces ---------------------------------------------
def test_an_interaction_typed_in_lower_case_is_its_clients_last_contact(tmp_path):
    d = valid_data()
    d["Interactions"].append(interaction("c-001 ", D(2026, 5, 28), "p-001"))
    path = book_file(tmp_path, d)
    assert problems(path) == []                   # no `ref`, no `contact-client` error
    api.refresh(path, TODAY)
    assert last_contacts(path)["C-001"] == D(2026, 5, 28)
    typed = [r for r in sheet(path, "Interactions") if r["row"] == 3][0]
    assert (typed["Client ID"], typed["Contact ID"]) == ("c-001 ", "p-001")   # kept as typed
    assert [r["Code"] for r in sheet(path, "Problems")] == []


def test_every_kind_of_reference_matches_ignoring_case(tmp_path):
    d = valid_data()
    d["Clients"][1]["referred_by"] = "c-001"
    d["Contacts"][0]["client_id"] = " c-001"
    d["Interactions"][0].update(client_id="c-001", contact_id="p-001", event_id="e-001")
    d["Deals"][0].update(client_id="c-001", lost_to="INITECH")
    d["DealItems"][0].update(deal_id="d-001", sku="w-1")
    d["Orders"][0].update(client_id="c-001", deal_id="d-001", contract_id="ctr-2026-0001",
                          sku="w-1")
    d["Contracts"][0].update(client_id="c-001", deal_id="d-001")
    d["Complaints"][0]["client_id"] = "c-001"
    path = book_file(tmp_path, d)
    assert problems(path) == []
    api.refresh(path, TODAY)
    acme = [r for r in sheet(path, "Clients") if r["Client ID"] == "C-001"][0]
    assert acme["Revenue 12m"] == 900 and acme["Last contact"] == D(2026, 5, 20)


def test_a_client_typed_as_itself_in_other_case_is_still_a_self_referral(tmp_path):
    d = valid_data()
    d["Clients"][1]["referred_by"] = "c-002"
    assert ("self-referral", "Clients", "L3") in problems(book_file(tmp_path, d))


def test_an_unknown_reference_is_still_the_ref_error(tmp_path):
    d = valid_data()
    d["Interactions"][0]["client_id"] = "c-0001"
    assert ("ref", "Interactions", "B2") in problems(book_file(tmp_path, d))


def test_the_reference_check_from_the_read_equals_the_whole_look(tmp_path):
    """rule_refs takes the values ids.match_refs found to be no key while reading (issue 21:
    it need not look at every row again); the problems are those of looking at every row,
    and a book whose rows were filtered afterwards is looked at row by row."""
    from acctbook.book.rules import rule_refs
    d = valid_data()
    d["Interactions"][0]["client_id"] = "c-0001"          # no client: the ref error
    d["Interactions"].append(interaction("c-001", D(2026, 5, 28), "P-404"))   # case: a match
    d["Orders"][0]["sku"] = "W-404"
    book = api.load(book_file(tmp_path, d))
    known = {name: dict(t.unmatched) for name, t in book.tables.items()}
    assert known["Interactions"]["client_id"][2] == {"c-0001"}
    assert known["Interactions"]["contact_id"][2] == {"P-404"}
    assert known["Clients"]["referred_by"][2] == frozenset()
    found = [(p.sheet, p.cell) for p in rule_refs(book, TODAY)]
    assert {("Interactions", "B2"), ("Orders", _cell(book, "Orders", "sku", 2))} <= set(found)
    for t in book.tables.values():
        t.unmatched.clear()                                  # the whole look
    assert [(p.sheet, p.cell) for p in rule_refs(book, TODAY)] == found
    for name, t in book.tables.items():
        t.unmatched.update(known[name])
    clients = book.tables["Clients"]                          # a client taken out after
    book.tables["Clients"] = dataclasses.replace(clients, frame=clients.frame.iloc[1:])
    gone = clients.frame["client_id"].iloc[0]
    rows = book.frame("Interactions").index[book.frame("Interactions")["client_id"] == gone]
    assert {("Interactions", f"B{r}") for r in rows} <= {(p.sheet, p.cell)
                                                          for p in rule_refs(book, TODAY)}


def _cell(book, table: str, key: str, row: int) -> str:
    return book.tables[table].cell(key, row)


# --- keys that differ only in case -----------------------------------------------------------
def test_keys_differing_only_in_case_warn_on_the_later_row(tmp_path):
    d = valid_data()
    d["Clients"] += [client("c-001", "Other Co"), client("Cx-9", "Third"),
                     client("cX-9", "Fourth")]
    d["Interactions"] += [interaction("c-001", D(2026, 5, 28)),    # exactly row 4's spelling
                          interaction("C-001", D(2026, 5, 22)),    # exactly row 2's
                          interaction("cx-9", D(2026, 5, 27))]     # neither: the first row's
    path = book_file(tmp_path, d)
    found = api.check(path, TODAY).problems
    assert [(p.code, p.severity, p.cell) for p in found] == [
        ("near-duplicate-id", "warning", "A4"), ("near-duplicate-id", "warning", "A6")]
    assert "Client ID 'c-001' differs from 'C-001' (row 2) only in case" in found[0].message
    assert "rename one" in found[0].message and "'cX-9'" in found[1].message
    api.refresh(path, TODAY)
    assert last_contacts(path) == {"C-001": D(2026, 5, 22), "C-002": "", "c-001": D(2026, 5, 28),
                                   "Cx-9": D(2026, 5, 27), "cX-9": ""}
    shown = [(r["Severity"], r["Code"], r["Sheet"], r["Cell"]) for r in sheet(path, "Problems")]
    assert shown == [("warning", "near-duplicate-id", "Clients", "A4"),
                     ("warning", "near-duplicate-id", "Clients", "A6")]


def test_ids_equal_after_trimming_are_the_unique_error(tmp_path):
    d = valid_data()
    d["Clients"].append(client("C-001 ", "Other Co"))
    d["Products"].append({"sku": " W-1", "name": "Widget again", "list_price": 1})
    assert problems(book_file(tmp_path, d)) == [("unique", "Clients", "A4"),
                                                ("unique", "Products", "A3")]


# --- documents ------------------------------------------------------------------------------
def test_a_contract_for_a_deal_typed_in_lower_case_is_made_for_that_deal(tmp_path, capsys):
    path = book_file(tmp_path, valid_data())
    assert cli.main(["contract", str(path), "d-001", "--today", TODAY.isoformat()]) == 0
    made = [p for p in path.parent.iterdir() if p.suffix == ".docx"]
    assert len(made) == 1
    text = "\n".join(p.text for p in python_docx.Document(str(made[0])).paragraphs)
    assert "(reference D-001)" in text
    added = [r for r in sheet(path, "Contracts") if r["row"] == 3][0]
    assert (added["Deal ID"], added["Client ID"]) == ("D-001", "C-001")


def test_a_contract_for_one_of_two_near_duplicate_deals_takes_only_its_own_items(tmp_path):
    """D-001 has 100 widgets at 120; d-001 has no items, so it is one line for its Amount."""
    d = valid_data()
    d["Deals"].append({**d["Deals"][0], "deal_id": "d-001", "title": "Small", "amount": 5000})
    path = book_file(tmp_path, d)
    out = tmp_path / "out"
    small = jobs.contract(path, "d-001", TODAY, out_dir=out, tier_discount=0)
    assert (small.row["deal_id"], small.row["value"]) == ("d-001", 5000)
    big = jobs.contract(path, "D-001", TODAY, out_dir=out, tier_discount=0)
    assert (big.row["deal_id"], big.row["value"]) == ("D-001", 12000)
