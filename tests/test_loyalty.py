"""Loyalty and referral bonuses (docs/rules.md, section 20): a planted book refreshed, its
Loyalty sheet read back with python-calamine and openpyxl and checked against sums this test
works out from the book's own sheets (Clients, Orders, Bonus payments, Settings as read
back); the Refresh button through xlwings' remote engine; a book without the sheet, and one
made before issue 20, upgraded; the monthly report's Bonuses due; the contract's referral
clause naming Settings Referral bonus %.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmllib
import re
import shutil
from pathlib import Path

import docx as python_docx
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import xlwings_remote as xr
from readback import day, refreshed_books, table
from acctbook import api, excel
from acctbook.book import schema
from acctbook.book.model import AcctbookError
from acctbook.create.workbook import create_workbook
from bookfiles import valid_data
from test_upgrade import _parts, _rezip, strip_sheets

TODAY = dt.date(2026, 6, 15)
D = dt.date
REFERRAL_PCT = 7
COMPANY = {"company_name": "Northwind Supply Ltd", "company_number": "515555555",
           "company_address": "1 Harbour Road, Haifa", "manager_name": "Ron Cohen",
           "manager_email": "ron@northwind.example"}
NUMBERS = ("paid_revenue", "bonus_pct", "loyalty_bonus", "referred", "referral_revenue",
           "referral_bonus", "earned", "paid_out", "balance_due")


def planted() -> tuple[dict, dict]:
    """Tiers by Revenue 12m (C-02 Platinum, C-01 Gold, C-03, C-08 and C-09 Silver, the
    others Standard), Settings Loyalty giving Gold 2.5% (the other tiers keep their
    defaults) and Referral bonus % 7. Lines paid this year, unpaid, paid last year (one
    ordered last year and paid this year), Cancelled with a Paid on; C-05, referred by C-01,
    ordered first on 2025-03-01: lines of its first year paid last year and this year (the
    last on 2026-02-28), one on 2026-03-01 after it; C-06, referred by C-04 (Standard), paid
    this year; bonus payments this year and last, one for a client with no bonus (C-07) and
    one for an unknown client (the `ref` error, left out)."""
    names = {"C-01": "Alpha Labs", "C-02": "Beta Pharma", "C-03": "Gamma Foods",
             "C-04": "Delta Stores", "C-05": "Epsilon Chem", "C-06": "Zeta Tools",
             "C-07": "Eta Clinic", "C-08": "Theta Optics", "C-09": "Iota Plastics"}
    referred = {"C-05": "C-01", "C-06": "C-04"}
    clients = [{"client_id": i, "name": n, "status": "Active", "created": D(2023, 1, 5),
                "source": "Referral" if i in referred else "Website",
                "referred_by": referred.get(i)} for i, n in names.items()]
    o = [("O-201", "C-02", D(2026, 1, 20), 1_100_000, "Delivered", D(2026, 3, 1)),
         ("O-202", "C-02", D(2025, 11, 10), 40_000, "Delivered", D(2025, 12, 20)),
         ("O-203", "C-02", D(2026, 5, 1), 30_000, "Delivered", None),
         ("O-101", "C-01", D(2025, 12, 1), 200_000, "Delivered", D(2026, 1, 10)),
         ("O-102", "C-01", D(2026, 4, 1), 100_000, "Delivered", D(2026, 5, 1)),
         ("O-103", "C-01", D(2026, 5, 20), 20_000, "Cancelled", D(2026, 6, 1)),
         ("O-105", "C-01", D(2026, 6, 1), 5_000, "Delivered", None),
         ("O-501", "C-05", D(2025, 3, 1), 10_000, "Delivered", D(2025, 4, 1)),
         ("O-502", "C-05", D(2026, 1, 15), 8_000, "Delivered", D(2026, 2, 1)),
         ("O-503", "C-05", D(2026, 2, 28), 4_000, "Delivered", D(2026, 3, 15)),
         ("O-504", "C-05", D(2026, 3, 1), 6_000, "Delivered", D(2026, 4, 1)),
         ("O-505", "C-05", D(2026, 2, 10), 3_000, "Cancelled", D(2026, 2, 20)),
         ("O-601", "C-06", D(2026, 2, 10), 2_500, "Delivered", D(2026, 3, 10)),
         ("O-801", "C-08", D(2026, 2, 1), 55_000, "Delivered", D(2026, 3, 1)),
         ("O-901", "C-09", D(2026, 2, 1), 52_000, "Delivered", D(2026, 5, 15))]
    orders = [{"order_id": i, "client_id": c, "order_date": d, "amount": a, "status": st,
               "paid_on": paid} for i, c, d, a, st, paid in o]
    # priced by quantity: 123 × 488.81 = 60,123.63, paid this year
    orders.append({"order_id": "O-301", "client_id": "C-03", "order_date": D(2026, 2, 1),
                   "quantity": 123, "unit_price": 488.81, "status": "Delivered",
                   "paid_on": D(2026, 2, 20)})
    p = [("C-01", D(2026, 2, 1), 1_000, "Bonus Q4"), ("C-01", D(2025, 1, 15), 900, "2024"),
         ("C-02", D(2026, 4, 1), 10_000, None), ("C-07", D(2026, 2, 1), 100, "Advance"),
         ("C-99", D(2026, 3, 1), 500, "Unknown")]
    payments = [{"client_id": c, "date": d, "amount": a, "note": n} for c, d, a, n in p]
    data = {"Clients": clients, "Orders": orders, "BonusPayments": payments,
            "Loyalty": [{"tier": "Gold", "bonus": 2.5}]}
    return data, {"referral_bonus": REFERRAL_PCT}


# What the test's own arithmetic gives for TODAY (and the report's 2026-05-31), by hand:
# C-02 1,100,000 × 3% = 33,000, paid 10,000; C-01 300,000 × 2.5% = 7,500 plus 7% of C-05's
# 8,000 + 4,000 = 840, paid 1,000; C-03 1% of 60,123.63 = 601.24; C-08 550; C-09 520; C-04
# 7% of 2,500 = 175; C-07 paid 100 with nothing earned.
BY_HAND = {"C-02": 23_000.0, "C-01": 7_340.0, "C-03": 601.24, "C-08": 550.0, "C-09": 520.0,
           "C-04": 175.0, "C-07": -100.0}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The planted book in English and in Hebrew, refreshed on TODAY (a fresh copy kept)."""
    out, results = refreshed_books(tmp_path_factory.mktemp("loyalty"), planted, TODAY)
    for lang, result in results.items():
        assert [(p.code, p.sheet) for p in result.errors] == [
            ("ref", schema.BONUS_PAYMENTS.sheet(lang))]           # the payment for C-99
    return out


# --- the book as read back ------------------------------------------------------------------




def _one_year_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:                      # 29 February: 28 February a year on
        return D(day.year + 1, 2, 28)


def expected(path, lang: str, today: dt.date) -> list[dict]:
    """The Loyalty rows, summed by this test from the book's sheets: tiers from Clients,
    percents from Settings (Loyalty over its defaults, Referral bonus %), money from Orders
    and Bonus payments."""
    clients: dict[str, dict] = {}
    for c in table(path, schema.CLIENTS):
        clients.setdefault(c["client_id"], c)
    pct = dict(schema.DEFAULT_LOYALTY)
    seen = set()
    for r in table(path, schema.LOYALTY):
        if r["tier"] not in seen:
            seen.add(r["tier"])
            pct[r["tier"]] = r["bonus"]
    setting = schema.SETTING_BY_KEY["referral_bonus"]
    referral = next(r["value"] for r in table(path, schema.SETTINGS)
                    if r["setting"] == setting.label(lang))
    referral = setting.default if referral is None else referral     # blank: the default
    start = D(today.year, 1, 1)
    live = [o for o in table(path, schema.ORDERS) if o["status"] != "Cancelled"]
    for o in live:
        o["amount"] = o["amount"] if o["amount"] is not None else \
            o["quantity"] * o["unit_price"] * (1 - (o["discount"] or 0) / 100)
        o["paid"] = start <= (day(o["paid_on"]) or D(1900, 1, 1)) <= today
    first: dict[str, dt.date] = {}
    for o in live:
        first[o["client_id"]] = min(first.get(o["client_id"], day(o["order_date"])),
                                    day(o["order_date"]))
    referrer = {cid: c["referred_by"] for cid, c in clients.items()
                if c["referred_by"] in clients and c["referred_by"] != cid}
    paid, ref_paid = {}, {}
    for o in live:
        if not o["paid"]:
            continue
        cid = o["client_id"]
        paid[cid] = paid.get(cid, 0) + o["amount"]
        if cid in referrer and first[cid] <= day(o["order_date"]) < _one_year_on(first[cid]):
            ref_paid[referrer[cid]] = ref_paid.get(referrer[cid], 0) + o["amount"]
    out_ = {}
    for p in table(path, schema.BONUS_PAYMENTS):
        if p["client_id"] in clients and start <= day(p["date"]) <= today:
            out_[p["client_id"]] = out_.get(p["client_id"], 0) + p["amount"]
    rows = []
    for cid, c in clients.items():
        rate = pct.get(c["tier"], 0)
        loyalty = round(paid.get(cid, 0) * rate / 100, 2)
        bonus = round(ref_paid.get(cid, 0) * referral / 100, 2)
        earned, paid_out = round(loyalty + bonus, 2), round(out_.get(cid, 0), 2)
        if earned > 0 or paid_out > 0:
            rows.append({"client_id": cid, "name": c["name"], "tier": c["tier"],
                         "paid_revenue": round(paid.get(cid, 0), 2), "bonus_pct": rate / 100,
                         "loyalty_bonus": loyalty,
                         "referred": sum(r == cid for r in referrer.values()),
                         "referral_revenue": round(ref_paid.get(cid, 0), 2),
                         "referral_bonus": bonus, "earned": earned, "paid_out": paid_out,
                         "balance_due": round(earned - paid_out, 2)})
    return sorted(rows, key=lambda r: (-r["balance_due"], r["client_id"]))


def assert_rows(got: list[dict], want: list[dict]) -> None:
    assert [g["client_id"] for g in got] == [w["client_id"] for w in want]
    for g, w in zip(got, want):
        assert (g["name"], g["tier"]) == (w["name"], w["tier"]), w["client_id"]
        for k in NUMBERS:
            assert g[k] == pytest.approx(w[k], abs=1e-9), (w["client_id"], k)


# --- the Loyalty sheet ----------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_loyalty_sheet_equals_the_books_own_sums(books, lang):
    want = expected(books[lang], lang, TODAY)
    assert {w["client_id"]: w["balance_due"] for w in want} == BY_HAND    # the sums are right
    assert_rows(table(books[lang], schema.LOYALTY_BALANCES), want)
    c01 = next(w for w in want if w["client_id"] == "C-01")
    assert (c01["tier"], c01["bonus_pct"], c01["referred"], c01["referral_revenue"]) == \
        ("Gold", 0.025, 1, 12_000)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_sheet_is_in_the_books_language_and_links_each_client(books, lang):
    wb = openpyxl.load_workbook(books[lang])
    sheet = schema.generated_sheet("Loyalty", lang)
    assert sheet == {"en": "Loyalty", "he": "נאמנות"}[lang]
    names = wb.sheetnames
    assert names.index(sheet) == names.index(schema.generated_sheet("Segments", lang)) + 1
    assert names.index(schema.generated_sheet("Problems", lang)) == names.index(sheet) + 1
    ws = wb[sheet]
    assert ws.tables["LoyaltyBalances"].ref.startswith("A1:")
    assert [c.value for c in ws[1]] == [c.label(lang) for c in schema.LOYALTY_BALANCES.columns]
    assert bool(ws.sheet_view.rightToLeft) == (lang == "he")
    clients = wb[schema.CLIENTS.sheet(lang)]
    row_of = {clients.cell(r, 1).value: r for r in range(clients.max_row, 1, -1)}
    tiers = {c.value for c in ws["C"][1:]}
    assert tiers == {schema.show_choice(t, lang) for t in ("Platinum", "Gold", "Silver",
                                                           "Standard")}
    for r in range(2, ws.max_row + 1):
        cid = ws.cell(r, 1).value
        assert ws.cell(r, 1).hyperlink.location == f"'{clients.title}'!A{row_of[cid]}", cid
    assert ws.cell(2, 5).number_format == "0.0%"           # Bonus %: 0.03 shows 3.0%


def test_a_book_without_the_sheet_gets_it_back_after_segments(books, tmp_path):
    path = tmp_path / "old.xlsx"
    shutil.copy(books["fresh.en"], path)
    wb = openpyxl.load_workbook(path)
    del wb["Loyalty"]
    wb.save(path)                    # a test's own fixture: openpyxl may save it
    api.refresh(path, TODAY)
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[names.index("Segments"):names.index("Segments") + 3] == \
        ["Segments", "Loyalty", "Problems"]
    assert_rows(table(path, schema.LOYALTY_BALANCES), expected(path, "en", TODAY))


def test_refresh_button_writes_the_same_sheet(books, monkeypatch):
    """xlwings' remote engine on the Hebrew book as made: the button's Loyalty table equals
    `acctbook refresh`'s, cell by cell, where it puts it."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")     # tests only
    fresh = books["fresh.he"]
    wb = xr.pressed(excel.refresh, fresh, TODAY)
    got, want = xr.table_values(wb, "LoyaltyBalances"), xr.table_values(openpyxl.load_workbook(books["he"]),
                                                       "LoyaltyBalances")
    assert got == want
    assert got[0] == "נאמנות" and len(got[2]) == len(BY_HAND) + 1


# --- the monthly report ---------------------------------------------------------------------
def _bonus_rows(html: str) -> list[list[str]]:
    """The report's Bonuses due table as text cells, bidi marks and no-break spaces out."""
    body = re.search(r'<table class="grid small bonuses".*?</table>', html, re.S)[0]
    rows = []
    for tr in re.findall(r"<tr.*?</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([re.sub(r"[\u200e\u200f\u2066-\u2069]", "", htmllib.unescape(
            re.sub(r"<[^>]+>", "", c))).replace("\xa0", " ").strip() for c in cells])
    return rows


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_monthly_report_lists_the_bonuses_due(books, tmp_path, lang):
    path = tmp_path / f"r.{lang}.xlsx"
    shutil.copy(books[lang], path)
    result = api.report(path, "2026-05", out=tmp_path, today=TODAY)
    month_end = D(2026, 5, 31)
    due = [w for w in expected(path, lang, month_end) if w["balance_due"] > 0]
    assert [(w["client_id"], w["balance_due"]) for w in due] == \
        [(k, v) for k, v in BY_HAND.items() if v > 0]     # nothing paid in June counts yet
    html = result.files["html"].read_text(encoding="utf-8")
    words = {"en": ("Bonuses due", "Client", "Other clients (3)", "Total"),
             "he": ("בונוסים לתשלום", "לקוח", "לקוחות נוספים (3)", "סה״כ")}[lang]
    assert f">{words[0]}</h2>" in html
    rows = _bonus_rows(html)
    assert rows[0] == [words[1]] + [schema.LOYALTY_BALANCES.column(k).label(lang)
                                    for k in ("earned", "paid_out", "balance_due")]
    shown, others, total = rows[1:4], rows[4], rows[5]      # the three highest, then the rest
    assert len(rows) == 6
    assert [r[0] for r in shown] == [w["name"] for w in due[:3]]
    for row, w in zip(shown, due):
        for cell, k in zip(row[1:], ("earned", "paid_out", "balance_due")):
            assert re.sub(r"[^\d,]", "", cell) == f"{round(w[k]):,}", (w["client_id"], k)
    assert others[0] == words[2] and re.sub(r"[^\d,]", "", others[3]) == "1,245"
    assert total[0] == words[3]
    assert re.sub(r"[^\d,]", "", total[3]) == f"{round(sum(w['balance_due'] for w in due)):,}"
    # the Report sheet the command added has the same lines, to the cent
    sheet = list(openpyxl.load_workbook(path, read_only=True)[result.sheet].iter_rows(
        values_only=True))
    at = next(i for i, r in enumerate(sheet) if r[0] == words[0])
    keys = ("earned", "paid_out", "balance_due")

    def added(lines):
        return tuple(round(sum(w[k] for w in lines), 2) for k in keys)
    assert [r[:4] for r in sheet[at + 1:at + 7]] == [(words[1], *(
        schema.LOYALTY_BALANCES.column(k).label(lang) for k in keys))] + [
        (w["name"], *(w[k] for k in keys)) for w in due[:3]] + [
        (words[2], *added(due[3:])), (words[3], *added(due))]


# --- the contract's referral clause -----------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_contracts_referral_clause_names_the_settings_percentage(tmp_path, lang):
    data = valid_data()
    del data["Settings"]                   # given as settings= below
    data["Clients"][0]["language"] = lang
    path = create_workbook(tmp_path / "book.xlsx", lang, data,
                           {**COMPANY, "referral_bonus": REFERRAL_PCT,
                            "referral_clause_default": "Yes"})
    result = api.contract(path, "D-001", out=tmp_path / "out", today=D(2026, 6, 1))
    text = [re.sub(r"[\u200e\u200f\u2066-\u2069]", "", p.text)
            for p in python_docx.Document(str(result.docx)).paragraphs]
    clause = {"en": "the Client earns a bonus of 7% of the value of that customer’s orders",
              "he": "יהיה הלקוח זכאי לבונוס בשיעור 7% מערך הזמנותיו של הלקוח המופנה"}[lang]
    assert any(clause in p for p in text)
    assert not any("5%" in p for p in text)


# --- a book made before issue 20, upgraded ------------------------------------------------------
ISSUE_20_COLUMNS = ("prospect_score", "prospect_reasons", "expected_order", "forecast_12m")


def _made_before_issue_20(monkeypatch, path: Path) -> Path:
    """The planted book as an acctbook before issue 20 made it: Clients without the four
    forecasting columns, Settings without the Loyalty and ProspectPoints tables and the
    Referral bonus % row, no Bonus payments sheet and no Loyalty sheet."""
    data, _ = planted()
    data = {"Clients": data["Clients"], "Orders": data["Orders"]}
    with monkeypatch.context() as m:
        clients = dataclasses.replace(schema.CLIENTS, columns=tuple(
            c for c in schema.CLIENTS.columns if c.key not in ISSUE_20_COLUMNS))
        tables = tuple(clients if t is schema.CLIENTS else t for t in schema.DATA_TABLES
                       if t is not schema.BONUS_PAYMENTS)
        settings = tuple(t for t in schema.SETTINGS_TABLES
                         if t is not schema.LOYALTY and t is not schema.PROSPECT_POINTS)
        m.setattr(schema, "CLIENTS", clients)
        m.setattr(schema, "DATA_TABLES", tables)
        m.setattr(schema, "SETTINGS_TABLES", settings)
        m.setattr(schema, "ALL_TABLES", tables + settings)
        m.setattr(schema, "TABLES", {t.name: t for t in tables + settings})
        m.setattr(schema, "SETTING_ROWS", tuple(s for s in schema.SETTING_ROWS
                                                 if s.key != "referral_bonus"))
        create_workbook(path, "en", data)
    parts = _parts(path)
    strip_sheets(parts, ["Loyalty"])
    _rezip(path, parts)
    return path


def test_upgrade_adds_every_issue_20_part_and_refresh_then_works(monkeypatch, tmp_path):
    path = _made_before_issue_20(monkeypatch, tmp_path / "old.xlsx")
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert "Bonus payments" not in wb.sheet_names and "Loyalty" not in wb.sheet_names
    assert "Prospect score" not in wb.get_table_by_name("Clients").columns
    assert {"Loyalty", "ProspectPoints", "BonusPayments"}.isdisjoint(wb.table_names)
    settings = [r[0] for r in wb.get_table_by_name("Settings").to_python()]
    assert "Referral bonus %" not in settings
    with pytest.raises(AcctbookError, match="BonusPayments"):     # refresh needs the table
        api.refresh(path, TODAY)

    result = api.upgrade(path, today=TODAY)
    assert result.written
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert "Bonus payments" in wb.sheet_names
    assert wb.get_table_by_name("BonusPayments").columns == [
        c.en for c in schema.BONUS_PAYMENTS.columns]
    headers = wb.get_table_by_name("Clients").columns
    assert {schema.CLIENTS.column(k).en for k in ISSUE_20_COLUMNS} <= set(headers)
    for spec in (schema.LOYALTY, schema.PROSPECT_POINTS):
        assert wb.get_table_by_name(spec.name).columns == [c.en for c in spec.columns]
    # added with the rows a new book has, so the manager sees (and can change) the defaults
    assert wb.get_table_by_name("Loyalty").to_python() == [
        [t, float(b)] for t, b in schema.DEFAULT_LOYALTY]
    assert wb.get_table_by_name("ProspectPoints").to_python() == [
        [s, float(n)] for s, n in schema.DEFAULT_PROSPECT_POINTS]
    assert ["Referral bonus %", 5.0] in [r[:2] for r in
                                         wb.get_table_by_name("Settings").to_python()]

    refreshed = api.refresh(path, TODAY)
    assert refreshed.errors == []
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[names.index("Segments") + 1] == "Loyalty"
    # the defaults now: Gold 2% and Referral bonus % 5, no payments
    want = expected(path, "en", TODAY)
    assert {w["client_id"]: w["balance_due"] for w in want} == {
        "C-02": 33_000.0, "C-01": 6_000.0 + 600.0, "C-03": 601.24, "C-08": 550.0,
        "C-09": 520.0, "C-04": 125.0}
    assert_rows(table(path, schema.LOYALTY_BALANCES), want)
    clients = table(path, schema.CLIENTS)
    assert all(k in clients[0] for k in ISSUE_20_COLUMNS)
