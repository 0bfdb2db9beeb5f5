"""Contract versions (docs/rules.md, "Contract versions"): a deal's second `contract` is
refused, `--new-version` makes the next version, says in the document which one it
supersedes, marks the earlier row Superseded and lists what changed. Planted books
(tests/bookfiles.py), the CLI or the api run, the .docx read back with python-docx and the
workbook with python-calamine; expected amounts are the test's own sums."""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import cli, excel, jobs
from acctbook.book import schema
from acctbook.documents import versions
from acctbook.documents.docx import ContractError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_contract as T                  # noqa: E402 - its planted books and helpers
import test_excel as X                     # noqa: E402 - the remote engine helpers
import test_quote as Q                     # noqa: E402 - its docx reader

TODAY = T.TODAY
CENT = Decimal("0.01")


def money(v) -> str:
    return f"₪{Decimal(str(v)).quantize(CENT, ROUND_HALF_UP):,.2f}"


def run(path, out, *extra) -> int:
    return cli.main(["contract", str(path), "D-001", "--out", str(out), "--today",
                     TODAY.isoformat(), *extra])


def contracts(path, lang="en") -> dict[str, dict]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        schema.CONTRACTS.sheet(lang)).to_python()
    head = rows[0]
    return {r[0]: dict(zip(head, r)) for r in rows[1:] if r[0]}


def set_item(path, sku: str, **values) -> None:
    """The user changes a deal item in Excel (openpyxl plays the user: a test's book)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.DEAL_ITEMS.sheet("en")]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[head.index("SKU")].value == sku:
            for label, v in values.items():
                row[head.index(label)].value = v
    wb.save(path)


def test_a_second_contract_is_refused_naming_the_first_and_nothing_is_written(tmp_path, capsys):
    path, out = T.real_book(tmp_path), tmp_path / "out"
    assert run(path, out) == 0
    capsys.readouterr()
    before, files = path.read_bytes(), sorted(out.iterdir())
    assert run(path, out) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert ("deal D-001 already has contract CTR-2026-0002 (Draft, Contracts!A3); make a new "
            "version with --new-version") in err[0]
    assert path.read_bytes() == before and sorted(out.iterdir()) == files


def test_new_version_lists_the_changes_and_supersedes_the_first(tmp_path, capsys):
    path, out = T.real_book(tmp_path), tmp_path / "out"
    assert run(path, out) == 0
    # the book's own tier: none (no revenue). W-1 100 × 120; G-2 3 × 80 (list price); VAT 18%
    total1 = Decimal(100 * 120 + 3 * 80) * Decimal("1.18")
    set_item(path, "W-1", Quantity=120, **{"Unit price": 110})
    total2 = Decimal(120 * 110 + 3 * 80) * Decimal("1.18")
    capsys.readouterr()
    assert run(path, out, "--new-version") == 0
    said = capsys.readouterr().out
    assert "contract CTR-2026-0002-v2:" in said
    assert "CTR-2026-0002 in Contracts: Status Superseded; what changed:" in said
    assert "W-1: quantity 100 → 120" in said
    assert "W-1: unit price ₪120.00 → ₪110.00" in said
    assert f"total {money(total1)} → {money(total2)}" in said
    assert "G-2" not in said                          # unchanged lines are not listed
    rows = contracts(path)
    assert rows["CTR-2026-0002"]["Status"] == "Superseded"
    assert rows["CTR-2026-0002-v2"]["Status"] == "Draft"
    assert rows["CTR-2026-0002-v2"]["Value"] == 120 * 110 + 3 * 80
    assert rows["CTR-2026-0001"]["Status"] == "Signed"          # another deal's: untouched
    doc = next(out.glob("CTR-2026-0002-v2 *.docx"))
    assert ("This contract supersedes contract CTR-2026-0002 of 1 June 2026, which no longer "
            "applies.") in Q.text(doc)
    assert "supersedes" not in Q.text(next(out.glob("CTR-2026-0002 *.docx")))
    hist = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("History").to_python()
    assert hist[-1][1] == "contract" and "CTR-2026-0002-v2 supersedes CTR-2026-0002" in hist[-1][-1]


def test_a_third_version_follows_the_second(tmp_path):
    path, out = T.real_book(tmp_path), tmp_path / "out"
    jobs.contract(path, "D-001", TODAY, out_dir=out)
    set_item(path, "G-2", Discount=10)
    v2 = jobs.contract(path, "D-001", TODAY, out_dir=out, new_version=True)
    assert v2.contract_id == "CTR-2026-0002-v2" and v2.supersedes == "CTR-2026-0002"
    assert "G-2: discount 0% → 10%" in v2.changes, v2.changes
    v3 = jobs.contract(path, "D-001", TODAY, out_dir=out, new_version=True)
    assert v3.contract_id == "CTR-2026-0002-v3" and v3.supersedes == "CTR-2026-0002-v2"
    assert v3.changes == ["no change in items, prices or terms"]
    rows = contracts(path)
    assert [rows[c]["Status"] for c in ("CTR-2026-0002", "CTR-2026-0002-v2",
                                        "CTR-2026-0002-v3")] == ["Superseded", "Superseded",
                                                                 "Draft"]
    # the deal's contract is now the third version: a plain `contract` names it
    with pytest.raises(ContractError, match="already has contract CTR-2026-0002-v3"):
        jobs.contract(path, "D-001", TODAY, out_dir=out)


def test_items_added_removed_and_terms_are_listed():
    bk = T.book()
    before = {"currency": "ILS", "items": [{"sku": "W-1", "name": "Widget", "qty": 100,
                                            "price": 120, "discount": 0},
                                           {"sku": "OLD", "name": "Old", "qty": 1,
                                            "price": 5, "discount": 0}],
              "subtotal": 12005, "vat_rate": 17, "total": 14045.85, "payment_days": 30}
    after = {"currency": "ILS", "items": [{"sku": "W-1", "name": "Widget", "qty": 100,
                                           "price": 120, "discount": 0},
                                          {"sku": "G-2", "name": "Gadget", "qty": 3,
                                           "price": 80, "discount": 0}],
             "subtotal": 12240, "vat_rate": 18, "total": 14443.2, "payment_days": 45}
    lines = versions.changes(bk.lang, before, after, None, "CTR-2026-0001")
    assert "G-2 added: 3 × ₪80.00" in lines and "OLD removed" in lines
    assert "VAT 17% → 18%" in lines and "payment terms 30 → 45 days" in lines
    assert "value before VAT ₪12,005.00 → ₪12,240.00" in lines


def test_an_older_contract_without_a_snapshot_compares_its_value(tmp_path):
    d = T.data()
    d["Contracts"][0]["deal_id"] = "D-001"           # Signed, made before acctbook kept items
    path = T.real_book(tmp_path, d)
    r = jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out", new_version=True)
    assert r.contract_id == "CTR-2026-0001-v2"
    assert ("the items of CTR-2026-0001 are unknown (made before acctbook kept them); compare "
            "the documents") in r.changes
    assert f"value before VAT ₪100,000.00 → {money(100 * 120 + 3 * 80)}" in r.changes
    assert contracts(path)["CTR-2026-0001"]["Status"] == "Superseded"
    # its Start (1 January 2026) is the date the new document gives it
    assert "supersedes contract CTR-2026-0001 of 1 January 2026" in Q.text(r.docx)


def test_a_cancelled_contract_does_not_count_and_new_version_needs_a_contract(tmp_path, capsys):
    d = T.data()
    d["Contracts"][0].update(deal_id="D-001", status="Cancelled")
    path, out = T.real_book(tmp_path, d), tmp_path / "out"
    before = path.read_bytes()
    assert run(path, out, "--new-version") == 1
    assert ("deal D-001 has no contract in Contracts to make a new version of; run contract "
            "without --new-version") in capsys.readouterr().err
    assert path.read_bytes() == before
    assert run(path, out) == 0
    rows = contracts(path)
    assert rows["CTR-2026-0002"]["Status"] == "Draft"
    assert rows["CTR-2026-0001"]["Status"] == "Cancelled"


def test_a_hebrew_book_refuses_and_supersedes_in_hebrew(tmp_path):
    path, out = T.real_book(tmp_path, T.data(language="he"), lang="he"), tmp_path / "out"
    jobs.contract(path, "D-001", TODAY, out_dir=out)
    with pytest.raises(ContractError) as e:
        jobs.contract(path, "D-001", TODAY, out_dir=out)
    said = str(e.value)
    assert "לעסקה D-001 כבר יש חוזה CTR-2026-0002" in said
    assert f"{schema.show_choice('Draft', 'he')}, {schema.CONTRACTS.sheet('he')}!A3" in said
    assert "Draft" not in said and "Contracts" not in said
    r = jobs.contract(path, "D-001", TODAY, out_dir=out, new_version=True)
    assert r.changes == ["אין שינוי בפריטים, במחירים או בתנאים"]
    words = Q.text(r.docx).replace(T.RLM, "")
    assert "חוזה זה מחליף את חוזה CTR-2026-0002 מיום 1 ביוני 2026, שאינו חל עוד." in words
    assert contracts(path, "he")["CTR-2026-0002"][schema.CONTRACTS.column("status").he] == "הוחלף"


# --- the Contract button through xlwings' remote engine ------------------------------------------
@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")      # tests only


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_contract_button_alerts_the_refusal_for_a_deal_with_a_contract(tmp_path, lang):
    from acctbook.create.demo import demo_data
    from acctbook.create.workbook import create_workbook
    data, settings = demo_data(X.TODAY)
    book = create_workbook(tmp_path / f"demo.{lang}.xlsx", lang, data, settings, lite=True)
    bk = jobs.load(book)
    deal = next(d for d in X._deals(book, lang) if d["stage"] in ("Proposal", "Negotiation")
                and versions.deal_contract(bk, d["id"]) is not None)
    row = versions.deal_contract(bk, deal["id"])
    cid = bk.frame("Contracts").at[row, "contract_id"]
    path = X._with_deal_cell(book, tmp_path, deal["label"])
    out = tmp_path / "out"
    out.mkdir()
    result, actions = X._press_home(excel.contract, path, lang, out_dir=out)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert result is None and len(alerts) == 1 and list(out.iterdir()) == []
    assert deal["id"] in alerts[0] and cid in alerts[0] and "--new-version" in alerts[0]
    assert schema.show_choice("Cancelled", lang) in alerts[0]
    assert [a["func"] for a in actions] == ["alert"]              # nothing written
