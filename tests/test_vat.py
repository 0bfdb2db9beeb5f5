"""VAT and number formats in contracts (docs/rules.md, "VAT in documents").

A client abroad is zero-rated (Israel VAT Law §30) unless its own `VAT rate` says otherwise;
amounts and dates follow the document's language, never the client's country. Documents are
read back with python-docx. Expected amounts are the tests' own sums.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import docx as python_docx
import pytest

from acctbook import jobs
from acctbook.documents import contract as C
from test_contract import TODAY, book, data, real_book, render

RLM, LRM, NBSP, NNBSP = "\u200f", "\u200e", "\xa0", "\u202f"
CENT = Decimal("0.01")
# data(): W-1 100 × 120 (own 0%) + G-2 3 × 80 less the 7% tier discount.
SUBTOTAL = (Decimal(100) * 120 + Decimal(3) * 80 * Decimal("0.93")).quantize(CENT)


def docx_text(path) -> str:
    """Every paragraph and table cell of the document, as python-docx reads it."""
    d = python_docx.Document(str(path))
    lines = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            lines.append(" | ".join(dict.fromkeys(c.text for c in row.cells)))
    return "\n".join(lines).replace(LRM, "")


def en_money(v: Decimal) -> str:
    return f"₪{v:,.2f}"


def vat_of(rate: int) -> Decimal:
    return (SUBTOTAL * rate / 100).quantize(CENT, ROUND_HALF_UP)


# --- the rate ------------------------------------------------------------------------------
def test_a_client_abroad_is_zero_rated_with_the_reason_in_the_document(tmp_path):
    out, ctx = render(tmp_path, book(data(country="FR")))
    assert ctx["totals"]["vat_reason"] == "zero-rated: export"
    assert ctx.values["vat"] == 0 and ctx.values["total"] == ctx.values["subtotal"]
    assert ctx.values["subtotal"] == float(SUBTOTAL)
    text = docx_text(out)
    assert f"VAT (zero-rated: export) | {en_money(Decimal(0))}" in text
    assert f"Total | {en_money(SUBTOTAL)}" in text
    assert "18%" not in text


def test_the_hebrew_contract_gives_the_reason_in_hebrew(tmp_path):
    out, ctx = render(tmp_path, book(data(country="FR", language="he")))
    assert ctx.lang == "he" and ctx.values["vat"] == 0
    assert 'מע״מ (מע״מ בשיעור אפס: יצוא)' in docx_text(out)


@pytest.mark.parametrize("country", ["IL", "il", None, ""])
def test_a_client_at_home_or_without_a_country_pays_the_settings_rate(tmp_path, country):
    out, ctx = render(tmp_path, book(data(country=country)))
    vat = vat_of(18)                                   # 12,223.20 × 18% = 2,200.176
    assert vat == Decimal("2200.18")
    assert ctx.values["vat"] == float(vat) and ctx.values["total"] == float(SUBTOTAL + vat)
    assert ctx["totals"]["vat_reason"] == ""
    text = docx_text(out)
    assert f"VAT (18%) | {en_money(vat)}" in text and "export" not in text


def test_the_clients_own_rate_wins_over_the_export_rule(tmp_path):
    out, ctx = render(tmp_path, book(data(country="FR", vat_rate=17)))
    vat = vat_of(17)                                   # 12,223.20 × 17% = 2,077.944
    assert ctx.values["vat"] == float(vat) == 2077.94
    assert ctx["totals"]["vat_reason"] == ""
    text = docx_text(out)
    assert f"VAT (17%) | {en_money(vat)}" in text and "export" not in text


def test_the_clients_own_rate_of_zero_at_home_gives_no_export_reason(tmp_path):
    _, ctx = render(tmp_path, book(data(country="IL", vat_rate=0)))
    assert ctx.values["vat"] == 0 and ctx["totals"]["vat_note"] == "0%"


def test_a_company_abroad_charges_its_rate_to_clients_in_its_own_country(tmp_path):
    settings = {"country": "FR", "vat_rate": 20}
    _, home = render(tmp_path, book(data(country="FR"), settings), name="fr.docx")
    _, away = render(tmp_path, book(data(country="IL"), settings), name="il.docx")
    assert home.values["vat"] == float(vat_of(20))
    assert away.values["vat"] == 0 and away["totals"]["vat_reason"] == "zero-rated: export"


def test_a_bad_client_vat_rate_refuses_the_contract(tmp_path):
    bk = book(data(country="FR", vat_rate=150))
    ctx = C.contract_context(bk, "D-001", TODAY, "CTR-2026-0002", 7.0)
    assert any("VAT rate" in e and "150" in e for e in ctx.errors), ctx.errors


def test_the_rate_is_read_from_a_real_workbook(tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "add_contract_row", lambda book_file, row: None)
    path = real_book(tmp_path, data(country="FR", vat_rate=17))
    r = jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out")
    # The book's own tier: none (no revenue), so 100 × 120 + 3 × 80 = 12,240.00; 17% = 2,080.80
    subtotal = Decimal(100 * 120 + 3 * 80)
    vat = (subtotal * 17 / 100).quantize(CENT, ROUND_HALF_UP)
    assert f"VAT (17%) | {en_money(vat)}" in docx_text(r.docx) and vat == Decimal("2080.80")
    path = real_book(tmp_path, data(country="FR"), name="export.xlsx")
    r = jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out2")
    assert "VAT (zero-rated: export)" in docx_text(r.docx)


# --- the number format follows the document's language ------------------------------------
def _round_deal(**client) -> dict:
    d = data(**client)
    d["DealItems"] = [{"deal_id": "D-001", "sku": "W-1", "quantity": 175, "unit_price": 120,
                       "discount": 0}]                  # 175 × 120 = 21,000.00
    return d


@pytest.mark.parametrize("country", ["FR", "DE", "US", "IL"])
def test_an_english_contract_prints_english_amounts_whatever_the_clients_country(
        tmp_path, country):
    out, ctx = render(tmp_path, book(_round_deal(country=country)))
    assert ctx["totals"]["subtotal"] == "₪21,000.00"
    assert ctx["contract"]["date"] == "1 June 2026"
    text = docx_text(out)
    assert "Subtotal (excl. VAT) | ₪21,000.00" in text
    assert NNBSP not in text and "21 000" not in text and "21.000,00" not in text


def test_a_hebrew_contract_prints_hebrew_amounts_for_a_client_abroad(tmp_path):
    out, ctx = render(tmp_path, book(_round_deal(country="FR", language="he")))
    money = ctx["totals"]["subtotal"]
    assert money.replace(RLM, "").replace(NBSP, " ") == "21,000.00 ₪"
    text = docx_text(out).replace(RLM, "").replace(NBSP, " ")
    assert "21,000.00 ₪" in text and NNBSP not in text and "21 000" not in text


def test_locale_depends_on_the_language_alone():
    assert C.locale_for("en") == "en_IL" and C.locale_for("he") == "he_IL"
