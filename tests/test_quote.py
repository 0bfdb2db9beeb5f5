"""`acctbook quote` and the Quote button (docs/rules.md, "Quotes"): planted books written with
openpyxl (tests/bookfiles.py), the command run, the .docx read back with python-docx and
the workbook with python-calamine. Expected amounts are the test's own sums."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx as python_docx
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli, excel
from acctbook.book import schema
from acctbook.documents import engine
from acctbook.documents import quote as Q
from acctbook.documents.docx import ContractError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_contract as T                  # noqa: E402 - its planted books and helpers
import test_excel as X                     # noqa: E402 - the remote engine helpers

TODAY = T.TODAY
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CENT = Decimal("0.01")


def money(v) -> Decimal:
    return Decimal(str(v)).quantize(CENT, ROUND_HALF_UP)


def text(path: Path) -> str:
    doc = python_docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return T.seen("\n".join([p.text for p in doc.paragraphs] + cells))


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def planted(tmp_path, stage="Qualified", lang="en", **client) -> Path:
    d = T.data(**client)
    d["Deals"][0]["stage"] = stage
    return T.real_book(tmp_path, d, lang=lang)


def test_numbers_are_unique_in_the_book_across_subjects_and_last_quote():
    assert engine.next_number([], "QUO", TODAY) == "QUO-2026-0001"
    used = ["Quote QUO-2026-0004, deal D-1: x", "QUO-2026-0002", "QUO-2025-0099", None,
            "CTR-2026-0042", "see quo-2026-0007 again"]
    assert engine.next_number(used, "QUO", TODAY) == "QUO-2026-0008"


def test_quote_totals_tier_discount_interaction_last_quote_and_stage(tmp_path):
    path = planted(tmp_path)
    r = jobs_quote(path, tmp_path, tier=7.0)
    # W-1: 100 × 120 with its own 0%; G-2: 3 × 80 less the tier's 7% (no own discount)
    w1, g2 = money(100 * 120), money(Decimal(3 * 80) * Decimal("0.93"))
    subtotal = w1 + g2
    vat = money(subtotal * Decimal("0.18"))
    body = text(r.docx)
    for amount in (w1, g2, subtotal, vat, subtotal + vat):
        assert f"₪{amount:,.2f}" in body, amount
    assert "discount of 7%" in body and "QUO-2026-0001" in body
    assert "Valid until: 1 July 2026" in body           # Settings default, 30 days
    deals = sheet(path, "Deals")
    head, row = deals[0], deals[1]
    assert row[head.index("Last quote")] == "QUO-2026-0001"
    assert row[head.index("Stage")] == "Proposal"
    inter = sheet(path, "Interactions")
    h, new = inter[0], inter[-1]
    assert len(inter) == 3
    assert new[h.index("Date")] == TODAY and new[h.index("Client ID")] == "C-001"
    assert (new[h.index("Channel")], new[h.index("Direction")], new[h.index("Outcome")]) == (
        "Email", "Out", "Proposal sent")
    assert "QUO-2026-0001" in new[h.index("Subject")] and "D-001" in new[h.index("Subject")]
    hist = sheet(path, "History")
    assert hist[-1][1] == "quote" and "QUO-2026-0001" in hist[-1][-1]
    # the next quote of the same book is the next number, and the stage stays Proposal
    again = jobs_quote(path, tmp_path, tier=7.0)
    assert again.quote_id == "QUO-2026-0002" and again.stage is None


def jobs_quote(path, tmp_path, tier=None, **kw):
    from acctbook import jobs
    return jobs.quote(path, "D-001", TODAY, out_dir=tmp_path / "out", tier_discount=tier, **kw)


def test_a_client_abroad_pays_no_vat_and_a_eur_deal_is_converted(tmp_path):
    d = T.data(country="FR")
    d["Deals"][0].update(stage="Lead", currency="EUR")
    d["ExchangeRates"] = [{"currency": "EUR", "rate": 4, "as_of": dt.datetime(2026, 5, 31)}]
    path = T.real_book(tmp_path, d)
    r = jobs_quote(path, tmp_path, tier=0)
    # W-1: its own unit price 120 (already EUR); G-2: list price 80 ILS / 4 = 20 EUR
    subtotal = money(100 * 120 + 3 * 20)
    body = text(r.docx)
    assert f"€{subtotal:,.2f}" in body and "€20.00" in body and "€60.00" in body
    assert "zero-rated: export" in body and "€0.00" in body
    assert "1 EUR = 4.0000 ILS" in body
    assert r.stage == "Proposal"


def test_a_deal_at_negotiation_keeps_its_stage(tmp_path):
    path = planted(tmp_path, stage="Negotiation")
    r = jobs_quote(path, tmp_path, tier=0)
    assert r.stage is None
    deals = sheet(path, "Deals")
    assert deals[1][deals[0].index("Stage")] == "Negotiation"
    assert deals[1][deals[0].index("Last quote")] == r.quote_id


@pytest.mark.parametrize("stage", ["Lost", "Won"])
def test_a_closed_deal_is_refused_and_nothing_is_written(tmp_path, capsys, stage):
    path = planted(tmp_path, stage=stage)
    before = path.read_bytes()
    code = cli.main(["quote", str(path), "D-001", "--out", str(tmp_path / "out"),
                     "--today", TODAY.isoformat()])
    assert code == 1
    assert f"deal D-001 is {stage}: no quote" in capsys.readouterr().err
    assert path.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_closed_deal_is_refused_in_the_books_language(tmp_path):
    path = planted(tmp_path, stage="Lost", lang="he")
    with pytest.raises(ContractError) as e:
        jobs_quote(path, tmp_path)
    assert "D-001" in str(e.value) and schema.show_choice("Lost", "he") in str(e.value)
    assert "Lost" not in str(e.value)


def test_valid_days_from_the_command_line(tmp_path, capsys):
    path = planted(tmp_path)
    code = cli.main(["quote", str(path), "D-001", "--valid-days", "14", "--out",
                     str(tmp_path / "out"), "--today", TODAY.isoformat()])
    assert code == 0
    out = capsys.readouterr().out
    assert "QUO-2026-0001" in out and "2026-06-15" in out
    doc = next((tmp_path / "out").glob("QUO-2026-0001*.docx"))
    assert "Valid until: 15 June 2026" in text(doc) and "valid for 14 days" in text(doc)


def test_the_hebrew_quote_is_right_to_left_with_whole_amounts(tmp_path):
    path = planted(tmp_path, language="he")
    r = jobs_quote(path, tmp_path, tier=0)
    doc = python_docx.Document(str(r.docx))
    body = [p for p in doc.paragraphs if p.text.strip()]
    assert body and all(p._p.pPr is not None and p._p.pPr.find(f"{W}bidi") is not None
                        for p in body)
    words = text(r.docx).replace(T.RLM, "")
    assert "הצעת מחיר" in words and "בתוקף עד: 1 ביולי 2026" in words
    # whole amounts: the figure and its sign held together by a no-break space
    total = money(Decimal(12240) * Decimal("1.18"))
    assert f"{total:,.2f}{T.NBSP}₪" in words.split("\n"), words


def test_every_template_uses_only_fields_its_context_gives(tmp_path):
    """Both kinds, both languages: a field a template needs that the context lacks fails."""
    from acctbook.documents import contract as C
    bk = T.book()
    for kind, ctx in ((C.CONTRACT, C.contract_context(bk, "D-001", TODAY, "CTR-2026-0001", 7)),
                      (Q.QUOTE, Q.quote_context(bk, "D-001", TODAY, "QUO-2026-0001", 7))):
        for lang in ("en", "he"):
            assert engine.missing_fields(kind.template(lang, None), ctx) == []


# --- the Quote button through xlwings' remote engine ----------------------------------------------
@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")      # tests only


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory):
    from acctbook.create.demo import demo_data
    from acctbook.create.workbook import create_workbook
    folder = tmp_path_factory.mktemp("quote")
    data, settings = demo_data(X.TODAY)
    return {lang: create_workbook(folder / f"demo.{lang}.xlsx", lang, data, settings, lite=True)
            for lang in ("en", "he")}


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_quote_button_on_home(demo_books, tmp_path, lang):
    deal = X._open_deal(demo_books[lang], lang)
    path = X._with_deal_cell(demo_books[lang], tmp_path, deal["label"])
    out = tmp_path / "out"
    out.mkdir()
    result, actions = X._press_home(excel.quote, path, lang, out_dir=out)
    assert result is not None and result.is_file(), actions
    assert result.name.startswith("QUO-2026-") and list(out.iterdir()) == [result]
    wb = openpyxl.load_workbook(path)
    played = X.xr.apply(wb, actions)
    assert played["unknown"] == [] and len(played["alerts"]) == 1
    assert deal["id"] in played["alerts"][0]
    deals = wb[schema.DEALS.sheet(lang)]
    head = [c.value for c in deals[1]]
    row = [c.value for c in deals[deal["row"]]]
    assert row[head.index(schema.DEALS.column("last_quote").label(lang))] == result.stem[:13]
    _ref, inter = X._table(wb, "Interactions")
    assert result.stem[:13] in inter[-1][5]
    assert inter[-1][6] == schema.show_choice("Proposal sent", lang)
