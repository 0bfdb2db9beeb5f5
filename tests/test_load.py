"""The loader: columns by header in any order and either language, every type failure collected."""

import datetime as dt

import pytest

from acctbook.book import schema
from acctbook.book.coerce import book_from_rows, load_book, rows_to_raw
from acctbook.book.model import NotAnAcctbook, RawTable


def raw_book(clients: RawTable) -> dict:
    raw = {t.name: rows_to_raw(t, []) for t in schema.DATA_TABLES}
    raw["Clients"] = clients
    return raw


def test_columns_found_by_header_in_any_order_and_case_with_extra_columns_ignored():
    raw = RawTable("Clients", "Clients", 3, 2,
                   ["My notes", "  STATUS ", "created", "Client id", "Name"],
                   [["call Tue", "Active", dt.datetime(2025, 1, 2), "C-1", "Acme"],
                    [None, None, None, None, None],          # blank rows are not records
                    ["x", "dormant", "2025-02-03", "C-2", "Beta"]])
    book = load_book(raw_book(raw))
    clients = book.tables["Clients"]
    f = clients.frame
    assert list(f.index) == [4, 6]                  # Excel rows under a header on row 3
    assert list(f["client_id"]) == ["C-1", "C-2"]
    assert list(f["status"]) == ["Active", "Dormant"]
    assert f["created"].iloc[0] == dt.datetime(2025, 1, 2)
    assert clients.cell("created", 6) == "D6"       # first column B, third header
    assert "My notes" not in f.columns
    warn = [p for p in book.problems if p.code == "date-as-text"]
    assert [(p.cell, p.severity) for p in warn] == [("D6", "warning")]


def test_hebrew_headers_and_values_are_recognised():
    he = schema.CLIENTS
    raw = RawTable("Clients", "לקוחות", 1, 1, [c.he for c in he.columns[:3]] + ["סטטוס", "נוצר"],
                   [["C-1", "אלקטרה", "אלקטרה בע\"מ", "פעיל", dt.date(2024, 5, 1)]])
    book = load_book(raw_book(raw))
    assert book.lang == "he"
    assert book.frame("Clients")["status"].tolist() == ["Active"]


def test_every_type_failure_is_collected_with_its_cell():
    book = book_from_rows({"Clients": [
        {"client_id": "C-1", "name": "A", "status": "Maybe", "created": "yesterday",
         "credit_limit": "lots", "payment_terms": 12.5, "key_account": "perhaps"}]})
    got = {(p.code, p.cell) for p in book.problems}
    col = {c.key: schema.CLIENTS.columns.index(c) + 1 for c in schema.CLIENTS.columns}
    from acctbook.book.model import col_letter
    want = {("choice", f"{col_letter(col['status'])}2"), ("type-date", f"{col_letter(col['created'])}2"),
            ("type-number", f"{col_letter(col['credit_limit'])}2"),
            ("type-integer", f"{col_letter(col['payment_terms'])}2"),
            ("yes-no", f"{col_letter(col['key_account'])}2")}
    assert want <= got


def test_digits_in_text_columns_keep_their_form():
    book = book_from_rows({"Clients": [{"client_id": 17.0, "name": "A", "status": "Active",
                                        "created": dt.date(2025, 1, 1), "phone": 35551234.0}]})
    f = book.frame("Clients")
    assert f["client_id"].tolist() == ["17"] and f["phone"].tolist() == ["35551234"]


def test_missing_required_column_and_missing_tables_are_clear_errors():
    raw = RawTable("Clients", "Clients", 1, 1, ["Client ID", "Name"], [])
    with pytest.raises(NotAnAcctbook, match="missing required columns Status, Created"):
        load_book(raw_book(raw))
    with pytest.raises(NotAnAcctbook, match="no acctbook tables"):
        load_book({})


def test_settings_blank_values_take_the_spec_defaults_and_overrides_apply():
    book = book_from_rows({}, settings={"country": "DE", "payment_terms": 45})
    s = book.settings
    assert s["payment_terms"] == 45 and s.country == "DE"
    assert s.work_week == "Mon-Fri" and s.vat_rate == 0
    assert s.cadence == {"A": 14, "B": 30, "C": 60, "Prospect": 7, "Dormant": 90}
    assert s.sla == {"High": 1, "Medium": 2, "Low": 5}
    assert s.tiers[1] == ("Gold", 250000.0, 7.0)
    assert book_from_rows({}).settings.work_week == "Sun-Thu"


def test_a_partial_settings_table_keeps_the_defaults_for_rows_left_out():
    book = book_from_rows({"StageProbability": [{"stage": "Proposal", "probability": 50}],
                           "SLA": [{"severity": "High", "business_days": 2}]})
    s = book.settings
    assert s.stage_probability["Proposal"] == 50 and s.stage_probability["Negotiation"] == 80
    assert s.sla == {"High": 2, "Medium": 2, "Low": 5}


def test_a_complaint_opened_in_the_future_is_a_warning_not_an_error():
    from acctbook.book.rules import check_book
    book = book_from_rows({
        "Clients": [{"client_id": "C-1", "name": "A", "status": "Active",
                     "created": dt.date(2025, 1, 1)}],
        "Complaints": [{"case_id": "K-1", "client_id": "C-1", "opened": dt.date(2026, 7, 1)}]})
    found = [p for p in check_book(book, dt.date(2026, 6, 1)) if p.sheet == "Complaints"]
    assert [(p.severity, p.code) for p in found] == [("warning", "future-warning")]


def test_a_percent_typed_with_a_percent_sign_is_flagged():
    book = book_from_rows({"Deals": [{"deal_id": "D-1", "client_id": "C-1", "title": "T",
                                      "stage": "Proposal", "probability": 0.6}]})
    warn = [p for p in book.problems if p.code == "percent-fraction"]
    assert len(warn) == 1 and warn[0].severity == "warning" and "type 60" in warn[0].message
    assert book.frame("Deals")["probability"].tolist() == [0.6]      # read as typed


@pytest.mark.parametrize("country, want", [("IL", dt.date(2026, 4, 3)), ("US", dt.date(2026, 3, 4))])
def test_local_text_dates_follow_the_country(country, want):
    book = book_from_rows({"Clients": [{"client_id": "C-1", "name": "A", "status": "Active",
                                        "created": "03/04/2026"}]}, settings={"country": country})
    assert book.frame("Clients")["created"].iloc[0].date() == want


@pytest.mark.parametrize("text, want", [
    ("1234.5", 1234.5), ("1,234", 1234.0), ("1,234.56", 1234.56), ("-1,234,567.5", -1234567.5),
    (" 18% ", 18.0), ("₪ 900", 900.0), ("$1,000", 1000.0), ("1e3", 1000.0),
    ("1,5", None), ("1.234,56", None), ("12,34", None), ("1,2345", None), (",123", None),
    ("nan", None), ("NaN", None), ("inf", None), ("-Infinity", None), ("1_000", None),
    ("", None), ("lots", None)])
def test_numbers_typed_as_text(text, want):
    from acctbook.book.coerce import parse_number
    assert parse_number(text) == want


def test_numbers_typed_as_text_that_are_not_numbers_are_type_errors():
    book = book_from_rows({"Clients": [
        {"client_id": f"C-{i}", "name": "A", "status": "Active", "created": dt.date(2025, 1, 1),
         "credit_limit": v} for i, v in enumerate(["1,5", "1.234,56", "inf", "nan", "1,234.56"])]})
    assert [(p.code, p.row) for p in book.problems] == [("type-number", r) for r in (2, 3, 4, 5)]
    assert book.frame("Clients")["credit_limit"].iloc[4] == 1234.56


RLM, LRM = "\u200f", "\u200e"


def test_invisible_direction_marks_and_gershayim_do_not_break_matching():
    assert schema.fold(f"{RLM}סטטוס{LRM}") == schema.fold("סטטוס")
    assert schema.fold("\ufeff\u202bStatus\u202c\u2067") == "status"
    assert schema.fold("מק״ט") == schema.fold('מק"ט') and schema.fold("צ׳אט") == schema.fold("צ'אט")
    # a Hebrew book: headers pasted with marks, מק״ט typed with gershayim, choices too
    raw = {t.name: rows_to_raw(t, [], "he") for t in schema.DATA_TABLES}
    raw["Clients"] = RawTable("Clients", "לקוחות", 1, 1,
                              [f"{RLM}מזהה לקוח", "שם", f"סטטוס{RLM}", "נוצר"],
                              [["C-1", "אלקטרה", f"{RLM}פעיל", dt.date(2024, 5, 1)]])
    raw["Products"] = RawTable("Products", "מוצרים", 1, 1, ["מק״ט", "שם"], [["W-1", "ווידג׳ט"]])
    raw["Contacts"] = RawTable("Contacts", "אנשי קשר", 1, 1,
                               ["מזהה איש קשר", "מזהה לקוח", "שם", "ערוץ מועדף"],
                               [["P-1", "C-1", "דנה", "דוא״ל"]])
    raw["Settings"] = RawTable("Settings", "הגדרות", 1, 1, ["הגדרה", "ערך"],
                               [[f"{RLM}תנאי תשלום", 45], ["שיעור מע״מ", 17]])
    book = load_book(raw)
    assert book.problems == []
    assert book.frame("Clients")["status"].tolist() == ["Active"]
    assert book.frame("Products")["sku"].tolist() == ["W-1"]
    assert book.frame("Contacts")["preferred_channel"].tolist() == ["Email"]
    assert book.settings["payment_terms"] == 45 and book.settings.vat_rate == 17
