"""Validation (SPEC section 2): books written with openpyxl, read with acctbook (calamine)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from acctbook.book import identity, rules
from acctbook.book.identity import phone_surely_ok
from acctbook.book import schema
from acctbook.xlsx.read import read_book
from acctbook.book.model import BookUnreadable, NotAnAcctbook, Problem
from acctbook.book.rules import CODES, RULES, check_book, error_rows
from bookfiles import IL_NUMBERS, TODAY, valid_data, write_book
from test_adopt_rows import type_below

D = dt.date
ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpus/calamine")


def edited(*edits) -> dict:
    """valid_data() with edits (table, index, {key: value}); an index past the end
    appends a copy of the table's first row with the changes."""
    data = valid_data()
    for table, i, changes in edits:
        rows = data.setdefault(table, [])
        if i >= len(rows):
            rows.append({**(rows[0] if rows else {}), **changes})
        else:
            rows[i].update(changes)
    return data


def check(tmp_path, data=None, name="book.xlsx", **kw) -> list[Problem]:
    return check_book(read_book(write_book(tmp_path / name, data, **kw)), TODAY)


def one(problems, code, cell) -> Problem:
    hits = [p for p in problems if p.code == code and p.cell == cell]
    assert len(hits) == 1, [p.line() for p in problems]
    return hits[0]


DROP = "drop"          # (table, DROP, column key): write the table without that column
BELOW = "below"        # (table, BELOW, {header: value}): a row typed just below the table


# (edits, code, severity, sheet, Excel row, column header, cell, value)
BREAKS = [
    # the loader's type checks
    ([("Clients", 0, {"credit_limit": "lots"})], "type-number", "error", "Clients", 2,
     "Credit limit", "O2", "lots"),
    ([("Clients", 0, {"payment_terms": 30.5})], "type-integer", "error", "Clients", 2,
     "Payment terms", "P2", 30.5),
    ([("Clients", 0, {"created": "someday"})], "type-date", "error", "Clients", 2,
     "Created", "T2", "someday"),
    ([("Clients", 0, {"created": dt.date(3026, 1, 5)})], "date-range", "error", "Clients", 2,
     "Created", "T2", dt.date(3026, 1, 5)),
    ([("Deals", 0, {"probability": 0.6})], "percent-fraction", "warning", "Deals", 2,
     "Probability", "G2", 0.6),
    ([("Interactions", 0, {"date": "2026-05-20"})], "date-as-text", "warning", "Interactions", 2,
     "Date", "A2", "2026-05-20"),
    ([("Clients", 1, {"status": "Gone"})], "choice", "error", "Clients", 3, "Status", "J3",
     "Gone"),
    ([("Contacts", 0, {"primary": "maybe"})], "yes-no", "error", "Contacts", 2, "Primary", "H2",
     "maybe"),
    ([("Settings", 11, {"value": "thirty"})], "setting", "error", "Settings", 13, "Value", "B13",
     "thirty"),
    # openpyxl writes "#DIV/0!" as an error cell (t="e"), as Excel saves a failing formula
    ([("Clients", 0, {"credit_limit": "#DIV/0!"})], "excel-error", "error", "Clients", 2,
     "Credit limit", "O2", "#DIV/0!"),
    # generic rules from the schema
    ([("Clients", 1, {"name": None})], "required", "error", "Clients", 3, "Name", "B3", None),
    ([("Clients", 1, {"status": None})], "required", "error", "Clients", 3, "Status", "J3", None),
    ([("Interactions", 0, {"date": None})], "required", "error", "Interactions", 2, "Date", "A2",
     None),
    ([("Contacts", 0, {"client_id": None})], "required", "error", "Contacts", 2, "Client ID",
     "B2", None),
    ([("Cadence", 1, {"days": None})], "required", "error", "Settings", 3, "Days", "E3", None),
    ([("Clients", 2, {"client_id": "C-001", "name": "Other Co", "company_number": None})],
     "unique", "error", "Clients", 4, "Client ID", "A4", "C-001"),
    ([("Products", 1, {"name": "Widget 2"})], "unique", "error", "Products", 3, "SKU", "A3",
     "W-1"),
    ([("Clients", 0, {"credit_limit": -5})], "range", "error", "Clients", 2, "Credit limit", "O2",
     -5.0),
    ([("DealItems", 0, {"quantity": 0})], "range", "error", "Deal items", 2, "Quantity", "C2",
     0.0),
    ([("Deals", 0, {"probability": 150})], "range", "error", "Deals", 2, "Probability", "G2",
     150.0),
    ([("Clients", 1, {"created": D(2026, 6, 2)})], "future-date", "error", "Clients", 3,
     "Created", "T3", D(2026, 6, 2)),
    ([("Interactions", 0, {"date": D(2026, 6, 2), "next_step_date": None})],
     "future-date", "error", "Interactions", 2, "Date", "A2", D(2026, 6, 2)),
    ([("Complaints", 0, {"opened": D(2026, 6, 20), "resolved_on": None, "status": "Open"})],
     "future-warning", "warning", "Complaints", 2, "Opened", "C2", D(2026, 6, 20)),
    ([("Orders", 0, {"sku": "X-9"})], "ref", "error", "Orders", 2, "SKU", "F2", "X-9"),
    ([("Deals", 0, {"lost_to": "Nobody"})], "ref", "error", "Deals", 2, "Lost to", "K2", "Nobody"),
    ([("Interactions", 0, {"event_id": "E-404"})], "ref", "error", "Interactions", 2, "Event ID",
     "J2", "E-404"),
    ([("Clients", 2, {"client_id": "c-001", "name": "Other Co", "company_number": None})],
     "near-duplicate-id", "warning", "Clients", 4, "Client ID", "A4", "c-001"),
    # cross-field rules
    ([("Deals", 0, {"stage": "Lost"})], "lost-reason", "error", "Deals", 2, "Lost reason", "J2",
     None),
    ([("Clients", 1, {"referred_by": None})], "referral-source", "error", "Clients", 3,
     "Referred by", "L3", None),
    ([("Clients", 1, {"referred_by": "C-002"})], "self-referral", "error", "Clients", 3,
     "Referred by", "L3", "C-002"),
    ([("Complaints", 0, {"resolved_on": None})], "resolved-on", "error", "Complaints", 2,
     "Resolved on", "I2", None),
    ([("Complaints", 0, {"resolved_on": D(2026, 5, 1)})], "resolved-before-opened", "error",
     "Complaints", 2, "Resolved on", "I2", D(2026, 5, 1)),
    ([("Contracts", 0, {"end": D(2026, 1, 1)})], "end-before-start", "error", "Contracts", 2,
     "End", "G2", D(2026, 1, 1)),
    ([("Contracts", 0, {"signed_on": None})], "signed-on", "error", "Contracts", 2, "Signed on",
     "M2", None),
    ([("Interactions", 0, {"next_step_date": D(2026, 5, 19)})], "next-step-before-date", "error",
     "Interactions", 2, "Next step date", "I2", D(2026, 5, 19)),
    ([("Interactions", 0, {"client_id": "C-002"})], "contact-client", "error", "Interactions", 2,
     "Contact ID", "C2", "P-001"),
    ([("Contacts", 1, {"contact_id": "P-002", "name": "Avi Cohen"})], "primary-contacts",
     "error", "Contacts", 3, "Primary", "H3", True),
    ([("Orders", 0, {"delivered_qty": 11})], "delivered-qty", "error", "Orders", 2,
     "Delivered qty", "M2", 11.0),
    ([("Orders", 0, {"amount": 950})], "amount-mismatch", "warning", "Orders", 2, "Amount", "J2",
     950.0),
    ([("Orders", 0, {"due_date": D(2026, 4, 30)})], "due-before-order", "error", "Orders", 2,
     "Due date", "K2", D(2026, 4, 30)),
    ([("Orders", 0, {"status": "Open"})], "order-status", "warning", "Orders", 2,
     "Status", "N2", "Open"),
    ([("Orders", 0, {"invoice_date": D(2026, 6, 20)})], "invoice-after-due", "warning",
     "Orders", 2, "Invoice date", "O2", D(2026, 6, 20)),
    # campaigns, attendance, consent (rules_campaigns.py)
    ([("Campaigns", 0, {"campaign_id": "K-1", "name": "Expo", "type": "Event invitation",
                        "channel": "Email"})],
     "campaign-event", "error", "Campaigns", 2, "Event ID", "E2", None),
    ([("Campaigns", 0, {"campaign_id": "K-1", "name": "Nova", "type": "New product",
                        "channel": "Email"})],
     "campaign-sku", "warning", "Campaigns", 2, "SKU", "D2", None),
    ([("Attendance", 0, {"event_id": "E-001", "contact_id": "P-001", "client_id": "C-002"})],
     "contact-client", "error", "Attendance", 2, "Contact ID", "B2", "P-001"),
    ([("Events", 1, {"event_id": "E-002", "date": D(2026, 7, 1)}),
      ("Attendance", 0, {"event_id": "E-002", "contact_id": "P-001", "attended": "Yes"})],
     "attended-future", "warning", "Attendance", 2, "Attended", "F2", True),
    ([("Contacts", 0, {"marketing_consent": "Yes"})], "consent-date", "warning", "Contacts", 2,
     "Consent date", "K2", None),
    ([("Contacts", 0, {"consent_date": D(2026, 1, 1)})], "consent-date", "warning", "Contacts",
     2, "Marketing consent", "J2", None),
    # identity checks
    ([("Clients", 0, {"email": "buyer@acme"})], "email", "error", "Clients", 2, "Email", "Q2",
     "buyer@acme"),
    ([("Contacts", 0, {"email": "dana at acme.co.il"})], "email", "error", "Contacts", 2, "Email",
     "E2", "dana at acme.co.il"),
    ([("Settings", 1, {"value": "boss@"})], "email", "error", "Settings", 3, "Value", "B3",
     "boss@"),
    ([("Clients", 1, {"phone": "050-123"})], "phone", "error", "Clients", 3, "Phone", "R3",
     "050-123"),
    ([("Contacts", 0, {"phone": "12"})], "phone", "error", "Contacts", 2, "Phone", "F2", "12"),
    ([("Contacts", 0, {"phone": "054-1234567"})], "phone-unassigned", "warning", "Contacts", 2,
     "Phone", "F2", "054-1234567"),
    # a number fine in Israel is wrong for a US client, and for its contact
    ([("Clients", 0, {"country": "US"})], "phone-unassigned", "warning", "Contacts", 2,
     "Phone", "F2", "054-4123456"),         # ten digits: a US length, not a US number
    ([("Clients", 0, {"company_number": "512345678"})], "company-number", "error", "Clients", 2,
     "Company number", "D2", "512345678"),
    # blank Country = Settings Country (IL)
    ([("Clients", 1, {"company_number": "12345"})], "company-number", "error", "Clients", 3,
     "Company number", "D3", "12345"),
    ([("Clients", 0, {"country": "Israel"})], "country", "error", "Clients", 2, "Country", "I2",
     "Israel"),
    ([("Settings", 7, {"value": "XX"})], "country", "error", "Settings", 9, "Value", "B9", "XX"),
    ([("Deals", 0, {"currency": "SHEKEL"})], "currency", "error", "Deals", 2, "Currency", "F2",
     "SHEKEL"),
    ([("Deals", 0, {"currency": "USD"})], "no-exchange-rate", "error", "Deals", 2, "Currency",
     "F2", "USD"),
    ([("Weights", 0, {"weight": 50})], "weights", "warning", "Settings", 2, "Weight", "R2", 50.0),
    ([("Weights", i, {"weight": 0}) for i in range(5)], "weights-zero", "error", "Settings", 2,
     "Weight", "R2", 0.0),
    ([("Clients", 2, {"client_id": "C-003", "name": "ACME, Inc.", "company_number": None})],
     "duplicate-client", "warning", "Clients", 4, "Name", "B4", "ACME, Inc."),
    ([("Clients", 2, {"client_id": "C-003", "name": "Globex Trading",
                      "company_number": IL_NUMBERS[1]})],
     "duplicate-client", "warning", "Clients", 4, "Company number", "D4", IL_NUMBERS[1]),
    ([("Clients", 2, {"client_id": "C-003", "name": 'גלובקס בע"מ', "company_number": None}),
      ("Clients", 1, {"name": "גלובקס"})],
     "duplicate-client", "warning", "Clients", 4, "Name", "B4", 'גלובקס בע"מ'),
    # a column left out of its table (DROP): the rule reading it would go quiet
    ([("Orders", DROP, "paid_on")], "missing-column-rule", "warning", "Orders", 1,
     "Paid on", None, None),
    ([("Clients", BELOW, {"Client ID": "C-003"})], "row-below-table", "warning", "Clients", 4, "Client ID", "A4", "C-003"),
    # targets and the forecast (docs/rules.md, section 17): Targets sits last on Settings
    ([("Targets", 0, {"period": "May 2026", "revenue_target": 1000})], "target-period",
     "error", "Settings", 2, "Period", "AD2", "May 2026"),
    ([("Deals", 0, {"expected_close": D(2026, 5, 20)})], "close-date-passed", "warning",
     "Deals", 2, "Expected close", "H2", D(2026, 5, 20)),
]


@pytest.fixture(scope="module")
def valid_problems(tmp_path_factory):
    return check(tmp_path_factory.mktemp("valid"))


def test_valid_book_has_no_problems(valid_problems):
    assert [p.line() for p in valid_problems] == []


@pytest.mark.parametrize("edits,code,severity,sheet,row,column,cell,value", BREAKS,
                         ids=[f"{b[1]}-{b[3]}!{b[6]}" for b in BREAKS])
def test_each_rule_reports_the_broken_cell(tmp_path, edits, code, severity, sheet, row, column,
                                          cell, value):
    drops = {(t, k) for t, i, k in edits if i == DROP}
    columns = {t.name: [c.key for c in t.columns if (t.name, c.key) not in drops]
               for t in schema.ALL_TABLES if any(d[0] == t.name for d in drops)}
    data = edited(*[e for e in edits if e[1] not in (DROP, BELOW)])
    path = write_book(tmp_path / "book.xlsx", data, columns=columns or None)
    for t, _, cells in (e for e in edits if e[1] == BELOW):
        type_below(path, t, cells)
    p = one(check_book(read_book(path), TODAY), code, cell)
    assert (p.severity, p.sheet, p.row, p.column, p.value) == (severity, sheet, row, column, value)
    assert CODES[code][0] == severity
    named = "Setting '" if sheet == "Settings" and column == "Value" else column
    assert named in p.message                                # names the column (or setting)
    if isinstance(value, str):
        assert value in p.message                            # and the offending value
    json.dumps(p.as_json())                                  # --json can print it


def test_every_code_is_exercised_by_a_test():
    # old-book comes from the file's document properties, not the rules: test_upgrade.py
    assert {b[1] for b in BREAKS} | {"old-book"} == set(CODES)


def test_messages_say_what_is_expected(tmp_path):
    problems = check(tmp_path, edited(("Deals", 0, {"stage": "Lost"}),
                                      ("Clients", 0, {"credit_limit": -5}),
                                      ("Interactions", 0, {"client_id": "C-999"})))
    text = {p.code: p.message for p in problems}
    assert text["lost-reason"] == "Lost reason is required when Stage is Lost"
    assert text["range"] == "Credit limit must be 0 or more, not -5"
    assert text["ref"] == "Client ID 'C-999' is not a Client ID in Clients"


def test_an_unreadable_cell_is_reported_once(tmp_path):
    problems = check(tmp_path, edited(("Clients", 0, {"created": "someday"})))
    assert [(p.code, p.cell) for p in problems] == [("type-date", "T2")]


def test_all_problems_are_collected_in_sheet_row_column_order(tmp_path):
    data = edited(("Orders", 0, {"amount": 950, "due_date": D(2026, 4, 30)}),
                  ("Clients", 1, {"status": "Gone", "email": "x@y"}),
                  ("Clients", 0, {"phone": "12"}),
                  ("Deals", 0, {"stage": "Lost"}),
                  ("Settings", 7, {"value": "XX"}))
    got = [(p.sheet, p.cell, p.code) for p in check(tmp_path, data)]
    assert got == [("Clients", "R2", "phone"), ("Clients", "J3", "choice"),
                   ("Clients", "Q3", "email"), ("Deals", "J2", "lost-reason"),
                   ("Orders", "J2", "amount-mismatch"), ("Orders", "K2", "due-before-order"),
                   ("Settings", "B9", "country")]


def test_many_rows_broken_in_one_column_are_all_reported(tmp_path):
    data = valid_data()
    data["Interactions"] = [dict(data["Interactions"][0], channel="Pigeon") for _ in range(5)]
    problems = check(tmp_path, data)
    assert [p.cell for p in problems if p.code == "choice"] == [f"D{r}" for r in range(2, 7)]


def test_reordered_columns_and_a_users_own_column(tmp_path):
    data = edited(("Clients", 1, {"status": "Gone"}))
    for i, row in enumerate(data["Clients"]):
        row["My notes"] = f"note {i}"
    keys = [c.key for c in schema.CLIENTS.columns][::-1]
    keys.insert(5, "My notes")
    path = write_book(tmp_path / "b.xlsx", data, columns={"Clients": keys})
    problems = check_book(read_book(path), TODAY)
    assert [(p.code, p.column) for p in problems] == [("choice", "Status")]
    ws = openpyxl.load_workbook(path)["Clients"]
    cell = ws[problems[0].cell]
    assert (cell.value, ws.cell(1, cell.column).value, cell.row) == ("Gone", "Status", 3)


def test_optional_columns_may_be_left_out(tmp_path):
    keep = {"deal_id", "client_id", "title", "stage"}
    data = edited(("Deals", 0, {"stage": "Lost"}))
    problems = check(tmp_path, data,
                     columns={"Deals": [c.key for c in schema.DEALS.columns if c.key in keep]})
    # no Lost reason column: the problem points at the Stage cell; the columns a rule
    # reads (Amount: the pipeline; Stage since: stale deals) are warned about
    assert [(p.code, p.column, p.cell) for p in problems] == [
        ("missing-column-rule", "Amount", None), ("missing-column-rule", "Stage since", None),
        ("lost-reason", "Stage", "D2")]


def test_headers_match_case_insensitively_after_trimming(tmp_path):
    problems = check(tmp_path, edited(("Clients", 0, {"email": "nope"})),
                     headers={"Clients": {"email": "  EMAIL ", "status": "status"}})
    assert [(p.code, p.column, p.cell) for p in problems] == [("email", "  EMAIL ", "Q2")]


def test_hebrew_book(tmp_path):
    assert check(tmp_path, lang="he", name="ok.xlsx") == []
    problems = check(tmp_path, edited(("Clients", 1, {"status": "Gone"}),
                                      ("Deals", 0, {"stage": "Lost"})), lang="he")
    got = [(p.code, p.sheet, p.column, p.cell) for p in problems]
    assert got == [("choice", "לקוחות", "סטטוס", "J3"),
                   ("lost-reason", "עסקאות", "סיבת הפסד", "J2")]


def test_boundaries_are_allowed(tmp_path):
    data = edited(("Interactions", 0, {"date": TODAY, "next_step_date": TODAY}),
                  ("Orders", 0, {"amount": 900.01, "due_date": D(2026, 5, 1), "delivered_qty": 10}),
                  ("Complaints", 0, {"resolved_on": D(2026, 5, 2)}),
                  ("Deals", 0, {"probability": 100, "amount": 0}),
                  ("Orders", 1, {"order_id": "O-002", "amount": None, "discount": None}))
    assert [p.line() for p in check(tmp_path, data)] == []


def test_identity_checks_follow_the_clients_country(tmp_path):
    data = edited(("Clients", 0, {"country": "us", "phone": "+1 212 555 0123",
                                  "company_number": "12-3456789"}),
                  ("Contacts", 0, {"phone": "(212) 555-0199"}))
    assert check(tmp_path, data) == []


def test_settings_country_decides_for_blank_countries(tmp_path):
    data = edited(("Settings", 7, {"value": "GB"}), ("Settings", 6, {"value": "GBP"}))
    data["ExchangeRates"] = [{"currency": "ILS", "rate": 0.21, "as_of": D(2026, 5, 29)}]
    data["Clients"][1].update(phone="020 7946 0958", company_number="01234567")
    data["Clients"][0]["phone"] = "+972 3-612-3456"    # an IL client may call from abroad
    assert [(p.code, p.cell) for p in check(tmp_path, data)] == []


def test_missing_required_column_is_not_an_acctbook(tmp_path):
    keys = [c.key for c in schema.CLIENTS.columns if c.key != "status"]
    path = write_book(tmp_path / "b.xlsx", columns={"Clients": keys})
    with pytest.raises(NotAnAcctbook, match="Status"):
        read_book(path)


def test_missing_table_is_not_an_acctbook(tmp_path):
    path = write_book(tmp_path / "b.xlsx", leave_out=("Orders",))
    with pytest.raises(NotAnAcctbook, match="Orders"):
        read_book(path)


def test_workbook_without_acctbook_tables(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Name", "Phone"])
    wb.active.append(["Acme", "03-6123456"])
    wb.save(tmp_path / "plain.xlsx")
    with pytest.raises(NotAnAcctbook, match="no acctbook tables"):
        read_book(tmp_path / "plain.xlsx")


@pytest.mark.parametrize("kind", ["corrupt-zip", "text", "missing", "encrypted", "zip-not-xlsx"])
def test_unreadable_files(tmp_path, kind):
    path = tmp_path / "book.xlsx"
    if kind == "corrupt-zip":
        good = write_book(tmp_path / "good.xlsx").read_bytes()
        path.write_bytes(good[: len(good) // 2])
    elif kind == "text":
        path.write_text("Client ID,Name\nC-001,Acme\n")
    elif kind == "encrypted":
        path = CORPUS / "pass_protected.xlsx"
    elif kind == "zip-not-xlsx":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    with pytest.raises(BookUnreadable) as e:
        read_book(path)
    assert str(path.name) in str(e.value) and "\n" not in str(e.value)


def test_error_rows(tmp_path):
    problems = check(tmp_path, edited(("Clients", 1, {"status": "Gone"}),
                                      ("Clients", 0, {"phone": "12"}),
                                      ("Orders", 0, {"amount": 950})))
    assert error_rows(problems) == {"Clients": {2, 3}}        # warnings do not count
    assert error_rows(problems, ignore=rules.CONTACT_DETAIL_CODES) == {"Clients": {3}}


def test_each_rule_alone_is_silent_on_a_valid_book(tmp_path):
    book = read_book(write_book(tmp_path / "b.xlsx"))
    for rule in RULES:
        assert list(rule(book, TODAY)) == [], rule.__name__


def test_docs_list_exactly_the_codes():
    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([a-z-]+)`\s*\|\s*(error|warning)\s*\|", text, re.M)
    assert dict(rows) == {code: sev for code, (sev, _) in CODES.items()}
    assert len(rows) == len(CODES)                            # none listed twice


def test_loader_emits_only_listed_codes():
    """rules.py cannot emit an unlisted code (emit looks its severity up in CODES);
    the loader's codes are typed into coerce.py, convert.py and settings_load.py, so read
    them there."""
    src = "".join((ROOT / "acctbook" / "book" / f).read_text(encoding="utf-8")
                  for f in ("coerce.py", "convert.py", "settings_load.py"))
    used = set(re.findall(r'(?:ERROR|WARNING),\s*"([a-z-]+)"', src))
    used |= set(re.findall(r'code = "([a-z-]+)" if .* else "([a-z-]+)"', src)[0])
    assert used == {c for c in CODES if c in used} and len(used) == 11, used - set(CODES)


# --- the fast paths for email and phone agree with the libraries they shortcut -------
EMAILS = ["buyer@acme.co.il", "A.B+tag@Example.COM", "a_b%c@mail-1.example.org", "a..b@x.com",
          ".a@x.com", "a.@x.com", "a@x-.com", "a@-x.com", "a@x..com", "a@ab--cd.com",
          "a@xn--80ak6aa92e.com", "a@x.local", "a@localhost", "a@mail.test", "a@x.c0m",
          "a@123.45", "x" * 65 + "@x.com", "דנה@x.co.il", "a@x.co.il ", "a@x.i", "a b@x.com",
          "a@x_y.com", "a@" + "x" * 64 + ".com", "a@b", "@x.com", "a@", "a@@x.com",
          "o'brien@x.ie", "a@[1.2.3.4]", "a@x.arpa", "a@sub.onion"]


@pytest.mark.parametrize("value", EMAILS)
def test_email_check_agrees_with_email_validator(value):
    from email_validator import EmailNotValidError, validate_email
    try:
        validate_email(value, check_deliverability=False)
        valid = True
    except EmailNotValidError:
        valid = False
    assert (identity.email_error(value) is None) == valid


def _phone_cases():
    import random
    rnd = random.Random(7)
    cases = [("03-6123456", "IL"), ("052-5381234", "IL"), ("+972 50-712-3456", "IL"),
             ("+972-050-7123456", "IL"), ("00972 3 612 3456", "IL"), ("972501234567", "IL"),
             ("1-800-123-456", "IL"), ("050-1234567", "IL"), ("(212) 555-0123", "US"),
             ("1 212 555 0123", "US"), ("011 44 20 7946 0958", "US"), ("416 555 0123", "CA"),
             ("+1 416 555 0123", "US"), ("020 7946 0958", "GB"), ("07700 900123", "GB"),
             ("01534 123456", "JE"), ("07797 123456", "GB"), ("030 1234567", "DE"),
             ("01 23 45 67 89", "FR"), ("06 12 34 56 78", "IT"), ("011 4123-4567", "AR"),
             ("+44 20 7946 0958", "IL"), ("+1 (212) 555-0123", "IL")]
    for region, lead in (("IL", "0"), ("US", ""), ("GB", "0"), ("DE", "0"), ("IN", "0")):
        for _ in range(300):
            n = lead + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(7, 11)))
            cases.append((n[:3] + "-" + n[3:], region))
    return cases


def test_phone_check_agrees_with_phonenumbers():
    import phonenumbers
    wrong = []
    for value, region in _phone_cases():
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(value, region))
        except phonenumbers.NumberParseException:
            valid = False
        if identity.phone_ok(value, region) != valid:
            wrong.append((value, region, valid))
    assert wrong == []
    # the shortcut must actually be taken for the common plain numbers
    assert phone_surely_ok("052-5381234", "IL") and phone_surely_ok(
        "(212) 555-0123", "US")


# --- reading: Excel error values, blank rows, settings, several broken tables ----------------
def test_excel_error_values_are_reported_in_every_input_column_and_read_as_blank(tmp_path):
    data = edited(("Clients", 0, {"name": "#N/A", "key_account": "#N/A", "email": "#NAME?",
                                  "payment_terms": "#REF!", "created": "#VALUE!",
                                  "risk": "#N/A", "My formula": "#DIV/0!"}),
                  ("Orders", 0, {"amount": "#VALUE!", "status": "#NUM!"}),
                  ("Settings", 8, {"value": "#NULL!"}))
    keys = [c.key for c in schema.CLIENTS.columns] + ["My formula"]
    path = write_book(tmp_path / "b.xlsx", data, columns={"Clients": keys})
    with zipfile.ZipFile(path) as z:                 # the file really holds error cells
        assert z.read("xl/worksheets/sheet1.xml").count(b't="e"') == 7
    book = read_book(path)
    problems = check_book(book, TODAY)
    got = [(p.sheet, p.cell, p.code, p.value, p.message) for p in problems]
    assert got == [
        ("Clients", "B2", "excel-error", "#N/A", "Name: the cell shows the Excel error #N/A"),
        ("Clients", "N2", "excel-error", "#N/A", "Key account: the cell shows the Excel error #N/A"),
        ("Clients", "P2", "excel-error", "#REF!",
         "Payment terms: the cell shows the Excel error #REF!"),
        ("Clients", "Q2", "excel-error", "#NAME?", "Email: the cell shows the Excel error #NAME?"),
        ("Clients", "T2", "excel-error", "#VALUE!",
         "Created: the cell shows the Excel error #VALUE!"),
        ("Orders", "J2", "excel-error", "#VALUE!", "Amount: the cell shows the Excel error #VALUE!"),
        ("Orders", "N2", "excel-error", "#NUM!", "Status: the cell shows the Excel error #NUM!"),
        ("Settings", "B10", "excel-error", "#NULL!",
         "Value: the cell shows the Excel error #NULL!"),
    ]                    # not "Name is required"; nothing for Risk (computed) or My formula
    c = book.frame("Clients").loc[2]
    assert c["name"] is None and c["key_account"] is None and c["email"] is None
    assert pd.isna(c["payment_terms"]) and pd.isna(c["created"])
    assert pd.isna(book.frame("Orders").loc[2, "amount"])
    assert book.settings.vat_rate == 18                # the VAT rate's default (Country IL)


def test_error_cells_are_found_as_calamine_leaves_them_out():
    """calamine reads an error cell as "", like an empty one; the sheet XML says t="e"."""
    import python_calamine
    from acctbook.xlsx.read import _error_cells
    path = CORPUS / "errors.xlsx"
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Feuil1")
    assert sheet.to_python()[:7] == [[""]] * 7
    with zipfile.ZipFile(path) as z:
        cells = _error_cells(z.read("xl/worksheets/sheet1.xml"))
    assert cells == {(1, 1): "#DIV/0!", (2, 1): "#NAME?", (3, 1): "#VALUE!", (4, 1): "#NULL!",
                     (5, 1): "#REF!", (6, 1): "#NUM!", (7, 1): "#N/A"}
    xml = (b'<x:sheetData><x:row r="3"><x:c t=\'e\' s="1" r="$AB$3"><x:f>1/0</x:f>'
           b'<x:v>#DIV/0!</x:v></x:c><x:c r="AC3" t="e"/><x:c r="AD3" t="s"><x:v>4</x:v></x:c>'
           b'</x:row></x:sheetData>')
    assert _error_cells(xml) == {(3, 28): "#DIV/0!"}


def test_rows_with_only_user_columns_or_old_computed_values_are_not_records(tmp_path):
    data = valid_data()
    # A user's own column stretched below the orders, as prepared input space ...
    data["Orders"][0]["Gross"] = 1062
    data["Orders"] += [{"Gross": 0}, {"Gross": 1180.0}, {"Gross": "=J4*1.18"}]
    # ... and a client whose input cells were cleared after a refresh filled the computed ones,
    # then a real client below it.
    data["Clients"].append({"last_contact": D(2026, 5, 1), "risk": "Low", "rank": 3,
                            "class": "A"})
    data["Clients"].append(dict(data["Clients"][0], client_id="C-004", name="Initrode",
                                company_number=None, created=D(2025, 1, 1), key_account=None))
    keys = [c.key for c in schema.ORDERS.columns] + ["Gross"]
    path = write_book(tmp_path / "b.xlsx", data, columns={"Orders": keys})
    assert openpyxl.load_workbook(path)["Orders"].tables["Orders"].ref.endswith("5")
    book = read_book(path)
    assert [p.line() for p in check_book(book, TODAY)] == []
    assert list(book.frame("Orders").index) == [2]
    assert list(book.frame("Clients").index) == [2, 3, 5]     # Excel rows kept
    assert book.frame("Clients").loc[5, "client_id"] == "C-004"
    # Refresh blanks the cleared row's old computed values (read back with openpyxl).
    from acctbook import api
    api.refresh(path, TODAY)
    ws = openpyxl.load_workbook(path)["Clients"]
    header = [c.value for c in ws[1]]
    computed = [header.index(c.en) + 1 for c in schema.CLIENTS.computed]
    assert [ws.cell(4, c).value for c in computed] == [None] * len(computed)
    assert ws.cell(5, header.index("Rank") + 1).value is not None


def test_a_row_with_only_a_zero_in_an_input_column_is_a_record(tmp_path):
    data = valid_data()
    data["Orders"].append({"quantity": 0, "Gross": "x"})
    keys = [c.key for c in schema.ORDERS.columns] + ["Gross"]
    problems = check_book(read_book(write_book(tmp_path / "b.xlsx", data,
                                               columns={"Orders": keys})), TODAY)
    assert {(p.code, p.cell) for p in problems} >= {("required", "A3"), ("required", "B3")}


def test_percent_settings_typed_with_a_percent_sign_and_settings_out_of_range(tmp_path):
    setting = {s.key: i for i, s in enumerate(schema.SETTING_ROWS)}
    data = edited(("Settings", setting["vat_rate"], {"value": 0.18}),      # 18% in Excel
                  ("Settings", setting["a_threshold"], {"value": 0.7}),
                  ("Settings", setting["b_threshold"], {"value": 0.07}))
    book = read_book(write_book(tmp_path / "pct.xlsx", data))
    assert book.problems == []
    s = book.settings
    assert (s.vat_rate, s["a_threshold"], s["b_threshold"]) == (18, 70, 7)
    data = edited(("Settings", setting["b_threshold"], {"value": 1.0}),     # 100% in Excel
                  ("Settings", setting["vat_rate"], {"value": "0.5%"}))     # percent as text
    s = read_book(write_book(tmp_path / "pct2.xlsx", data)).settings
    assert (s["b_threshold"], s.vat_rate) == (100, 0.5)

    data = edited(("Settings", setting["vat_rate"], {"value": 150}),
                  ("Settings", setting["upcoming_window"], {"value": -5}),
                  ("Settings", setting["stale_deal_days"], {"value": 0}),
                  ("Settings", setting["renewal_notice"], {"value": 0}),
                  ("Settings", setting["b_threshold"], {"value": -0.5}))
    book = read_book(write_book(tmp_path / "range.xlsx", data))
    got = {p.cell: (p.code, p.message) for p in check_book(book, TODAY)}
    assert got == {
        "B10": ("setting", "Setting 'VAT rate': '150' is not valid (expected a percent from 0 "
                           "to 100); using the default"),
        "B15": ("setting", "Setting 'B threshold': '-0.5' is not valid (expected a percent "
                           "from 0 to 100); using the default"),
        "B17": ("setting", "Setting 'Stale deal days': '0' is not valid (expected a whole "
                           "number, 1 or more); using the default"),
        "B20": ("setting", "Setting 'Upcoming window': '-5' is not valid (expected a whole "
                           "number, 0 or more); using the default"),
    }
    s = book.settings
    assert (s.vat_rate, s["upcoming_window"], s["stale_deal_days"], s["renewal_notice"],
            s["b_threshold"]) == (18, 7, 3, 0, 95)


def test_weights_that_do_not_add_up_to_one(tmp_path):
    data = valid_data()
    for row, w in zip(data["Weights"], (50, 15, 15, 10, 10)):
        row["weight"] = w
    problems = check(tmp_path, data)
    assert [(p.severity, p.code, p.cell, p.message) for p in problems] == [
        ("warning", "weights", "R2", "Weights add up to 100; scores are scaled so they add up "
                                     "to 1")]
    # a row left out keeps its default weight: 0.5 + 0.15 + 0.15 + 0.1 + 0.1001 is close enough
    data = valid_data()
    data["Weights"] = [{"component": "Pipeline", "weight": 0.1001}]
    assert check(tmp_path, data, name="close.xlsx") == []
    # a negative weight is a range error; its sum is not looked at
    data = edited(("Weights", 0, {"weight": -0.5}))
    assert [(p.code, p.cell) for p in check(tmp_path, data, name="neg.xlsx")] == [("range", "R2")]


def test_missing_required_columns_in_several_tables_are_reported_together(tmp_path):
    drop = {"Clients": {"status"}, "Deals": {"client_id", "title", "stage"}}
    path = write_book(tmp_path / "b.xlsx", columns={
        name: [c.key for c in schema.TABLES[name].columns if c.key not in keys]
        for name, keys in drop.items()})
    with pytest.raises(NotAnAcctbook) as e:
        read_book(path)
    assert str(e.value) == (f"{path}: sheet 'Clients', table Clients: missing required column "
                            f"Status; sheet 'Deals', table Deals: missing required columns "
                            f"Client ID, Title, Stage")


def test_a_calamine_panic_is_unreadable_but_an_interrupt_is_not(tmp_path, monkeypatch):
    from acctbook.xlsx import read

    class PanicException(BaseException):       # what pyo3 raises for a Rust panic
        pass

    path = write_book(tmp_path / "b.xlsx")
    for raised, expected in ((PanicException("invalid range bounds"), BookUnreadable),
                             (KeyboardInterrupt(), KeyboardInterrupt)):
        def boom(wb, name, raised=raised):
            raise raised
        monkeypatch.setattr(read, "_read_one", boom)
        with pytest.raises(expected) as e:
            read_book(path)
        if expected is BookUnreadable:
            assert str(e.value) == (f"{path}: cannot read workbook (PanicException: invalid "
                                    f"range bounds)")


def test_israeli_star_numbers_are_phone_numbers():
    assert identity.phone_ok("*6424", "IL") is True and identity.phone_ok("*64", "IL") is False


def test_blank_table_rows_get_no_writes(tmp_path):
    """Empty rows at the end of a table (room to type) are left alone by refresh."""
    from acctbook.core.plan import computed_cells, refresh_results
    data = valid_data()
    data["Clients"] += [{}] * 50
    path = write_book(tmp_path / "b.xlsx", data)
    ref = openpyxl.load_workbook(path)["Clients"].tables["Clients"].ref
    book = read_book(path)
    t = book.tables["Clients"]
    assert int(ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) >= 52   # blanks kept
    assert t.stale_rows == ()
    cells, _ = computed_cells(book, refresh_results(book, check_book(book, TODAY), TODAY))
    rows = {r for r, _c in cells[t.sheet]}
    assert rows == set(t.frame.index)
