"""Deals in another currency and the Settings Number format (docs/rules.md, sections 9, 10).

A deal in EUR in a shekel book counts in the pipeline at the Settings ExchangeRates rate, and
its contract converts the shekel list prices at that rate and names it; a deal in a currency
with no rate is an error on its Currency cell, skipped by refresh, and refused a contract.
Settings `Number format` (a locale) decides how documents write amounts. Books are written
with acctbook.create (`acctbook new`'s writer), the commands run through the api and the CLI,
and the files are read back with python-calamine and python-docx. Expected figures are the
tests' own sums.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx as python_docx
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli
from acctbook.book.model import number_locale
from acctbook.create.workbook import create_workbook
from bookfiles import valid_data, write_book

TODAY = dt.date(2026, 6, 1)
RATE, AS_OF = 3.95, dt.date(2026, 5, 28)          # 1 EUR = 3.95 ILS
CENT = Decimal("0.01")
LRM, RLM, NBSP, NNBSP = "\u200e", "\u200f", "\xa0", "\u202f"
COMPANY = {"company_name": "Northwind Supply Ltd", "company_number": "515555555",
           "manager_name": "Ron Cohen", "manager_email": "ron@northwind.example"}
EUR_LINE = "List prices in ILS are converted at 1 EUR = 3.9500 ILS (rate as of 28 May 2026)."


# --- the planted book ---------------------------------------------------------------------
def planted(rates=True, usd=False, client=None) -> dict:
    """valid_data() (D-001: ILS 12,000 at 60%) plus a EUR deal with items, a deal in the
    book's currency left blank, a lower-case "eur" deal; with `usd`, a USD deal (no rate)."""
    d = valid_data()
    d.pop("Settings")                           # settings go to create_workbook's settings=
    d["Clients"][0].update(client or {})
    d["Products"].append({"sku": "M-9", "name": "Machine", "list_price": 21000, "unit": "pcs"})
    d["Deals"] += [
        {"deal_id": "D-002", "client_id": "C-001", "title": "Machines for Lyon",
         "stage": "Negotiation", "amount": 10000, "currency": "EUR", "probability": 50,
         "created": dt.date(2026, 4, 1)},
        {"deal_id": "D-003", "client_id": "C-002", "title": "Starter kit", "stage": "Lead",
         "amount": 5000, "created": dt.date(2026, 4, 1)},       # blank: Lead's 10%
        {"deal_id": "D-004", "client_id": "C-002", "title": "Spares", "stage": "Proposal",
         "amount": 2000, "currency": "eur", "created": dt.date(2026, 4, 1)},   # Proposal's 60%
    ]
    if usd:
        d["Deals"].append({"deal_id": "D-005", "client_id": "C-001", "title": "Dollar deal",
                           "stage": "Qualified", "amount": 1000, "currency": "USD",
                           "probability": 20, "created": dt.date(2026, 4, 1)})
    d["DealItems"] += [
        {"deal_id": "D-002", "sku": "M-9", "quantity": 1},                     # list price
        {"deal_id": "D-002", "sku": "W-1", "quantity": 2, "unit_price": 50},   # typed, in EUR
    ]
    d["ExchangeRates"] = [{"currency": "EUR", "rate": RATE, "as_of": AS_OF}] if rates else []
    return d


def make(tmp_path: Path, data: dict, settings=None, name="book.xlsx") -> Path:
    folder = tmp_path / "books"
    folder.mkdir(exist_ok=True)
    return create_workbook(folder / name, "en", data, {**COMPANY, **(settings or {})})


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def home_value(path: Path, label: str):
    return next(row[1] for row in sheet(path, "Home") if row and row[0] == label)


def by_key(rows: list[list], header: str, key_header: str) -> dict:
    head = rows[0]
    k, v = head.index(key_header), head.index(header)
    return {r[k]: r[v] for r in rows[1:] if r[k]}


def docx_text(path: Path) -> str:
    d = python_docx.Document(str(path))
    lines = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            cells = [c.text for c in row.cells]          # a merged cell comes once per column
            lines.append(" | ".join(c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]))
    return "\n".join(lines).replace(LRM, "").replace(RLM, "").replace(NBSP, " ")


def money(v: Decimal) -> Decimal:
    return v.quantize(CENT, ROUND_HALF_UP)


# Weighted, in shekels: D-001 12,000 × 60%; D-002 10,000 EUR × 3.95 × 50%; D-003 5,000 × 10%;
# D-004 2,000 EUR × 3.95 × 60%.
D1, D2, D3, D4 = 12000 * 0.60, 10000 * RATE * 0.50, 5000 * 0.10, 2000 * RATE * 0.60
PIPELINE = D1 + D2 + D3 + D4                       # 7,200 + 19,750 + 500 + 4,740 = 32,190


# --- the pipeline is in the book's currency -----------------------------------------------------
def test_homes_pipeline_in_shekels_equals_our_own_sum(tmp_path):
    path = make(tmp_path, planted())
    assert [p.line() for p in api.check(path, TODAY).problems if p.severity == "error"] == []
    api.refresh(path, TODAY)
    assert home_value(path, "Weighted pipeline") == pytest.approx(PIPELINE) == 32190
    weighted = by_key(sheet(path, "Deals"), "Weighted amount", "Deal ID")
    assert weighted == pytest.approx({"D-001": D1, "D-002": D2, "D-003": D3, "D-004": D4})
    pipeline = by_key(sheet(path, "Rankings"), "Pipeline (weighted)", "Client ID")
    assert pipeline == pytest.approx({"C-001": D1 + D2, "C-002": D3 + D4})


def test_a_deal_in_a_currency_without_a_rate_is_an_error_and_refresh_skips_it(tmp_path):
    path = make(tmp_path, planted(usd=True))
    errors = [p for p in api.check(path, TODAY).problems if p.severity == "error"]
    assert [(p.code, p.sheet, p.cell, p.value) for p in errors] == [
        ("no-exchange-rate", "Deals", "F6", "USD")]
    assert "add a row for USD to the ExchangeRates table on Settings" in errors[0].message
    assert "units of ILS for one USD" in errors[0].message
    api.refresh(path, TODAY)
    assert home_value(path, "Weighted pipeline") == pytest.approx(PIPELINE)   # D-005 out
    assert home_value(path, "Errors in the book") == 1
    weighted = by_key(sheet(path, "Deals"), "Weighted amount", "Deal ID")
    assert weighted["D-005"] in ("", None)                     # not computed, not written
    assert by_key(sheet(path, "Rankings"), "Pipeline (weighted)", "Client ID")["C-001"] == \
        pytest.approx(D1 + D2)


def test_a_book_made_before_exchange_rates_reads_as_having_none(tmp_path):
    """No ExchangeRates table at all (an older book, written with openpyxl here): shekel
    deals are as before; a EUR deal is the same error, pointing at the Settings sheet."""
    d = valid_data()
    old = write_book(tmp_path / "old.xlsx", d, leave_out=("ExchangeRates",))
    assert [p.line() for p in api.check(old, TODAY).problems if p.severity == "error"] == []
    api.refresh(old, TODAY)
    assert by_key(sheet(old, "Deals"), "Weighted amount", "Deal ID") == pytest.approx({"D-001": D1})
    d["Deals"][0]["currency"] = "EUR"
    eur = write_book(tmp_path / "eur.xlsx", d, leave_out=("ExchangeRates",))
    errors = [p for p in api.check(eur, TODAY).problems if p.severity == "error"]
    assert [(p.code, p.cell) for p in errors] == [("no-exchange-rate", "F2")]
    assert "ExchangeRates table on Settings" in errors[0].message


# --- contracts convert list prices at the rate -------------------------------------------------
def test_the_eur_contract_converts_list_prices_and_names_the_rate(tmp_path):
    path = make(tmp_path, planted())
    r = api.contract(path, "D-002", out=tmp_path / "out", today=TODAY)
    text = docx_text(r.docx)
    machine = money(Decimal(21000) / Decimal(str(RATE)))          # 5,316.455… -> 5,316.46
    assert machine == Decimal("5316.46")
    subtotal = machine + 2 * 50                                  # W-1: its own 50 EUR each
    vat = money(subtotal * 18 / 100)
    assert "All prices are in Euro (EUR)" in text
    assert EUR_LINE in text
    assert f"1 | Machine | 1 | €{machine:,.2f} | — | €{machine:,.2f}" in text
    assert "2 | Widget | 2 | €50.00 | — | €100.00" in text
    assert f"Subtotal (excl. VAT) | €{subtotal:,.2f}" in text
    assert f"Total | €{subtotal + vat:,.2f}" in text
    assert "21,000" not in text and "21 000" not in text           # never relabelled
    contracts = sheet(path, "Contracts")
    assert contracts[-1][:3] == [r.contract_id, "C-001", "D-002"]


def test_the_hebrew_contract_names_the_rate_in_hebrew(tmp_path):
    path = make(tmp_path, planted(client={"language": "he"}))
    r = api.contract(path, "D-002", out=tmp_path / "out", today=TODAY)
    text = docx_text(r.docx)
    assert "מחירי המחירון ב־ILS הומרו לפי שער 1 EUR = 3.9500 ILS (השער נכון ליום 28 במאי " \
           "2026)." in text
    assert "5,316.46 €" in text


def test_a_contract_in_the_books_currency_says_nothing_of_rates(tmp_path):
    path = make(tmp_path, planted())
    r = api.contract(path, "D-001", out=tmp_path / "out", today=TODAY)
    text = docx_text(r.docx)
    assert "converted" not in text and "₪12,000.00" in text


def test_the_contract_of_a_deal_without_a_rate_is_refused_in_one_line(tmp_path, capsys):
    path = make(tmp_path, planted(usd=True))
    before = sheet(path, "Contracts")
    out = tmp_path / "out"
    code = cli.main(["contract", str(path), "D-005", "--out", str(out), "--today",
                     TODAY.isoformat()])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err == ("acctbook: cannot make the contract for deal D-005: Deals!F6: Currency USD "
                   "has no exchange rate: add a row for USD to the ExchangeRates table on "
                   "Settings (Rate: units of ILS for one USD; As of: the rate's date)")
    assert not out.exists() or not any(out.iterdir())
    assert sheet(path, "Contracts") == before


def test_a_rate_without_its_date_refuses_the_contract(tmp_path, capsys):
    d = planted()
    d["ExchangeRates"][0]["as_of"] = None
    path = make(tmp_path, d)
    code = cli.main(["contract", str(path), "D-002", "--out", str(tmp_path / "out"),
                     "--today", TODAY.isoformat()])
    err = capsys.readouterr().err
    assert code == 1 and "As of is required" in err and "Settings!" in err


# --- Settings Number format -----------------------------------------------------------------------
def test_number_format_de_de_writes_german_amounts_in_the_contract(tmp_path):
    path = make(tmp_path, planted(), {"number_format": "de_DE"})
    assert [p.line() for p in api.check(path, TODAY).problems if p.severity == "error"] == []
    text = docx_text(api.contract(path, "D-002", out=tmp_path / "out", today=TODAY).docx)
    assert "Machine | 1 | 5.316,46 € | — | 5.316,46 €" in text
    assert "1 EUR = 3,9500 ILS (rate as of 28 May 2026)" in text       # dates stay words
    assert "All prices are in Euro (EUR)" in text           # the words stay English
    text = docx_text(api.contract(path, "D-001", out=tmp_path / "out2", today=TODAY).docx)
    assert "Subtotal (excl. VAT) | 12.000,00 ₪" in text and "₪12,000.00" not in text


def test_a_bad_number_format_is_reported_and_documents_follow_their_language(tmp_path):
    path = make(tmp_path, planted(), {"number_format": "xx_YY"})
    bad = [p for p in api.check(path, TODAY).problems if p.severity == "error"]
    assert [(p.code, p.sheet, p.value) for p in bad] == [("setting", "Settings", "xx_YY")]
    assert bad[0].message.startswith("Setting 'Number format': 'xx_YY' is not a locale")
    settings = sheet(path, "Settings")
    row, col = int(bad[0].cell[1:]) - 1, ord(bad[0].cell[0]) - 65
    assert settings[row][col] == "xx_YY" and settings[row][col - 1] == "Number format"
    text = docx_text(api.contract(path, "D-001", out=tmp_path / "out", today=TODAY).docx)
    assert "Subtotal (excl. VAT) | ₪12,000.00" in text


@pytest.mark.parametrize("typed,locale", [("de_DE", "de_DE"), ("de-de", "de_DE"),
                                          (" fr_FR ", "fr_FR"), ("he_IL", "he_IL"),
                                          ("xx_YY", None), ("en_ZZ", None), ("", None),
                                          (None, None), ("German", None)])
def test_number_format_is_a_locale_babel_knows(typed, locale):
    assert number_locale(typed) == locale


# --- the monthly report -------------------------------------------------------------------------
def test_the_report_counts_a_won_eur_deal_in_shekels_with_the_number_format(tmp_path):
    d = planted(usd=True)
    d["Deals"][1].update(stage="Won", stage_since=dt.date(2026, 5, 12), probability=100)
    path = make(tmp_path, d, {"number_format": "de_DE"})
    r = api.report(path, "2026-05", out=tmp_path / "rep", today=TODAY, sheet=False)
    assert r.report.won_amount == pytest.approx(10000 * RATE) == 39500
    # Open at the month end: D-001, D-003, D-004 (D-005 has no rate and is left out).
    assert r.report.pipeline_weighted == pytest.approx(D1 + D3 + D4)
    assert r.report.no_exchange_rate == ["D-005"]
    html = r.files["html"].read_text(encoding="utf-8").replace(NBSP, " ").replace(NNBSP, " ")
    assert "39.500 ₪" in html                                    # de_DE, whole shekels
    assert "left out of the amounts: D-005" in html
