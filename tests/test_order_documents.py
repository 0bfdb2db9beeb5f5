"""`acctbook delivery-note` and `acctbook invoice` (docs/rules.md, "Delivery notes and
invoices"): planted books written with openpyxl (tests/bookfiles.py), the command run, the
.docx read back with python-docx and the workbook with python-calamine. Expected figures
are the test's own subtraction and sums."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx as python_docx
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli
from acctbook.book import schema
from acctbook.documents import delivery_note as DN
from acctbook.documents import engine
from acctbook.documents import invoice as INV
from acctbook.documents.docx import ContractError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_contract as T                  # noqa: E402 - its planted books and helpers

TODAY = T.TODAY                            # 2026-06-01
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CENT = Decimal("0.01")
BANK = "Bank Leumi, branch 800, account 12345678"
D = dt.datetime


def money(v) -> Decimal:
    return Decimal(str(v)).quantize(CENT, ROUND_HALF_UP)


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def table(path: Path) -> list[list[str]]:
    doc = python_docx.Document(str(path))
    return [[T.seen(c.text).replace(T.RLM, "") for c in row.cells] for row in doc.tables[0].rows]


def text(path: Path) -> str:
    doc = python_docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return T.seen("\n".join([p.text for p in doc.paragraphs] + cells)).replace(T.RLM, "")


# O-100: three lines, partly delivered; O-200: another order of the same client; a
# cancelled line of O-100 stays out of both documents.
LINES = [  # sku, quantity, unit price, discount, delivered qty, status
    ("W-1", 10, 100, 10, 4, "Partly delivered"),
    ("G-2", 5, 80, None, None, "Open"),
    ("W-1", 2, 100, None, 2, "Delivered"),
]


def planted(tmp_path, lang="en", bank=BANK, invoice_due=None, **client) -> Path:
    d = T.data(**client)
    d["Orders"] = [
        {"order_id": "O-100", "client_id": "C-001", "order_date": D(2026, 5, 20), "sku": sku,
         "quantity": q, "unit_price": p, "discount": disc, "delivered_qty": done,
         "status": status, "due_date": D(2026, 6, 20),
         "invoice_due": invoice_due if n == 0 else None}
        for n, (sku, q, p, disc, done, status) in enumerate(LINES)]
    d["Orders"].append({"order_id": "O-100", "client_id": "C-001", "order_date": D(2026, 5, 20),
                        "sku": "G-2", "quantity": 7, "unit_price": 80, "status": "Cancelled"})
    d["Orders"].append({"order_id": "O-200", "client_id": "C-001", "order_date": D(2026, 5, 2),
                        "sku": "W-1", "quantity": 1, "unit_price": 100, "status": "Open"})
    return T.real_book(tmp_path, d, settings={"bank_details": bank}, lang=lang)


def orders(path: Path) -> tuple[list, list[list]]:
    rows = sheet(path, "Orders" if "he" not in path.name else schema.ORDERS.sheet("he"))
    return rows[0], rows[1:]


def test_the_delivery_note_shows_what_is_left_to_deliver(tmp_path):
    path = planted(tmp_path)
    r = api.delivery_note(path, "O-100", out=tmp_path / "out", today=TODAY)
    assert r.number == "DN-2026-0001" and r.docx.name.startswith("DN-2026-0001 Acme")
    rows = table(r.docx)
    assert rows[0] == ["#", "Item", "SKU", "Ordered", "Delivered", "Still to deliver"]
    # a Delivered line with no Delivered qty counts as wholly delivered; blank = 0 else
    want = [(q, done if done is not None else (q if st == "Delivered" else 0))
            for _, q, _, _, done, st in LINES]
    assert [(int(x[3]), int(x[4]), int(x[5])) for x in rows[1:]] == [
        (q, done, q - done) for q, done in want]
    assert [x[1] for x in rows[1:]] == ["Widget", "Gadget", "Widget"]   # not the cancelled one
    body = text(r.docx)
    assert "DN-2026-0001" in body and "Order O-100 of 20 May 2026" in body
    assert "Deliver to: 5 Rothschild Blvd, Tel Aviv" in body
    head, lines = orders(path)
    notes = [(x[head.index("Order ID")], x[head.index("Status")], x[head.index("Delivery note")])
             for x in lines]
    assert notes == [("O-100", s, "DN-2026-0001") for *_, s in LINES] + [
        ("O-100", "Cancelled", ""), ("O-200", "Open", "")]
    hist = sheet(path, "History")
    assert hist[-1][1] == "delivery-note" and "DN-2026-0001" in hist[-1][-1]
    again = api.delivery_note(path, "O-100", out=tmp_path / "out", today=TODAY)
    assert again.number == "DN-2026-0002"


def invoice_sums(vat=Decimal("0.18")):
    totals = [money(Decimal(q * p) * (1 - Decimal(disc or 0) / 100))
              for _, q, p, disc, _, _ in LINES]
    subtotal = sum(totals)
    tax = money(subtotal * vat)
    return totals, subtotal, tax, subtotal + tax


def test_the_invoice_totals_and_its_due_date_from_the_clients_terms(tmp_path, capsys):
    path = planted(tmp_path, payment_terms=45)
    code = cli.main(["invoice", str(path), "O-100", "--out", str(tmp_path / "out"),
                     "--today", TODAY.isoformat()])
    assert code == 0
    out = capsys.readouterr().out
    assert "INV-2026-0001" in out and "2026-07-16" in out
    doc = next((tmp_path / "out").glob("INV-2026-0001*.docx"))
    totals, subtotal, tax, total = invoice_sums()
    rows = table(doc)
    assert [x[-1] for x in rows[1:4]] == [f"₪{t:,.2f}" for t in totals]
    assert rows[-3][-1] == f"₪{subtotal:,.2f}" and rows[-2][-1] == f"₪{tax:,.2f}"
    assert rows[-1][-1] == f"₪{total:,.2f}"
    body = text(doc)
    # due: today (no Invoice date on the order) + the client's 45 days
    assert "Due: 16 July 2026" in body and "(45 days' terms)" in body and BANK in body
    head, lines = orders(path)
    for x in lines[:3]:
        assert x[head.index("Invoice no.")] == "INV-2026-0001"
        assert x[head.index("Invoice date")] == TODAY
        assert x[head.index("Invoice due")] == dt.date(2026, 7, 16)
    assert [x[head.index("Invoice no.")] for x in lines[3:]] == ["", ""]
    assert sheet(path, "History")[-1][1] == "invoice"


def test_settings_terms_when_the_client_has_none_and_a_typed_due_is_kept(tmp_path):
    path = planted(tmp_path, payment_terms=None)       # Settings Payment terms: 30
    r = api.invoice(path, "O-100", out=tmp_path / "out", today=TODAY)
    assert (r.invoice_date, r.invoice_due) == (TODAY, TODAY + dt.timedelta(days=30))
    assert "Due: 1 July 2026" in text(r.docx)
    (tmp_path / "b").mkdir()
    kept = planted(tmp_path / "b", invoice_due=D(2026, 6, 10))
    r = api.invoice(kept, "O-100", out=tmp_path / "out2", today=TODAY)
    assert r.invoice_due == dt.date(2026, 6, 10)
    assert "Due: 10 June 2026" in text(r.docx) and "terms)" not in text(r.docx)
    head, lines = orders(kept)
    # the typed Invoice due stays; the blank ones get the order's due; every date was blank
    assert [x[head.index("Invoice due")] for x in lines[:3]] == [dt.date(2026, 6, 10)] * 3
    assert [x[head.index("Invoice date")] for x in lines[:3]] == [TODAY] * 3


def test_an_invoiced_order_is_refused_naming_its_invoice(tmp_path, capsys):
    path = planted(tmp_path)
    api.invoice(path, "O-100", out=tmp_path / "out", today=TODAY)
    before = path.read_bytes()
    code = cli.main(["invoice", str(path), "O-100", "--out", str(tmp_path / "out"),
                     "--today", TODAY.isoformat()])
    assert code == 1 and "already has invoice INV-2026-0001" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert api.invoice(path, "O-200", out=tmp_path / "out", today=TODAY).number == "INV-2026-0002"


def test_a_client_abroad_pays_no_vat_and_says_why(tmp_path):
    path = planted(tmp_path, country="FR")
    r = api.invoice(path, "O-100", out=tmp_path / "out", today=TODAY)
    _, subtotal, _, _ = invoice_sums()
    rows = table(r.docx)
    assert rows[-2][-1] == "₪0.00" and "zero-rated: export" in rows[-2][0]
    assert rows[-1][-1] == f"₪{subtotal:,.2f}"


def test_missing_bank_details_are_refused_naming_the_cell(tmp_path, capsys):
    path = planted(tmp_path, bank=None)
    before = path.read_bytes()
    code = cli.main(["invoice", str(path), "O-100", "--out", str(tmp_path / "out"),
                     "--today", TODAY.isoformat()])
    err = capsys.readouterr().err
    assert code == 1 and "cannot make the invoice for order O-100" in err
    assert "Settings!B" in err and "Bank details is empty" in err
    assert path.read_bytes() == before and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["delivery-note", "invoice"])
def test_unknown_and_cancelled_orders_are_refused(tmp_path, capsys, command):
    d = T.data()
    d["Orders"][0].update(order_id="O-9", status="Cancelled")
    path = T.real_book(tmp_path, d, settings={"bank_details": BANK})
    before = path.read_bytes()
    for order, said in (("O-404", "order O-404 is not in Orders"),
                        ("O-9", "order O-9 is Cancelled: no " + command.replace("-", " "))):
        assert cli.main([command, str(path), order, "--today", TODAY.isoformat()]) == 1
        assert said in capsys.readouterr().err
    assert path.read_bytes() == before


def test_hebrew_documents_are_right_to_left_with_whole_amounts(tmp_path):
    path = planted(tmp_path, lang="he", language="he")
    note = api.delivery_note(path, "O-100", out=tmp_path / "out", today=TODAY)
    inv = api.invoice(path, "O-100", out=tmp_path / "out", today=TODAY)
    for doc, title in ((note.docx, "תעודת משלוח"), (inv.docx, "חשבון עסקה")):
        paras = [p for p in python_docx.Document(str(doc)).paragraphs if p.text.strip()]
        assert paras and all(p._p.pPr is not None and p._p.pPr.find(f"{W}bidi") is not None
                             for p in paras)
        assert title in text(doc)
    _, _, _, total = invoice_sums()
    assert f"{total:,.2f}{T.NBSP}₪" in text(inv.docx).split("\n")
    assert "לתשלום עד: 1 ביולי 2026" in text(inv.docx)
    rows = sheet(path, schema.ORDERS.sheet("he"))
    head = rows[0]
    assert rows[1][head.index("תעודת משלוח")] == "DN-2026-0001"
    assert rows[1][head.index("מספר חשבונית")] == "INV-2026-0001"


def test_hebrew_book_refuses_in_hebrew(tmp_path):
    path = planted(tmp_path, lang="he", bank=None)
    with pytest.raises(ContractError) as e:
        api.invoice(path, "O-100", out=tmp_path / "out", today=TODAY)
    assert "פרטי בנק" in str(e.value) and "Bank details" not in str(e.value)


def test_every_order_template_uses_only_fields_its_context_gives():
    bk = T.book(planted_data(), settings={"bank_details": BANK})
    for kind, ctx in ((DN.DELIVERY_NOTE, DN.delivery_note_context(bk, "O-100", TODAY, "DN-1")),
                      (INV.INVOICE, INV.invoice_context(bk, "O-100", TODAY, "INV-1"))):
        for lang in ("en", "he"):
            assert engine.missing_fields(kind.template(lang, None), ctx) == []


def planted_data() -> dict:
    d = T.data()
    d["Orders"][0].update(order_id="O-100", status="Open", invoice_due=None)
    return d
