"""Contracts (SPEC section 6): the text of generated documents, read back with zipfile + lxml.

Books come from row dicts (book_from_rows) for the context and rendering tests, and from real
workbooks written with openpyxl (tests/bookfiles.py) for make_contract. Expected amounts are
computed by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx as python_docx
from openpyxl.utils import get_column_letter
import pytest
from lxml import etree

from acctbook import jobs
from acctbook.book import schema
from acctbook.book.model import AcctbookError
from acctbook.documents import contract as C
from acctbook.documents import docx as D
from acctbook.documents import pdf as pdf_runner
from acctbook.documents.docx import ContractError
from acctbook.documents.pdf import PdfUnavailable
from acctbook.book.coerce import book_from_rows
from bookfiles import history_parts, valid_data, write_book

TODAY = dt.date(2026, 6, 1)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RLM, NBSP = "\u200f", "\xa0"
COMPANY = {"company_name": "Northwind Supply Ltd", "company_number": "515555555",
           "company_address": "1 Harbour Road, Haifa", "manager_name": "Ron Cohen",
           "manager_email": "ron@northwind.example"}
TAG = re.compile(r"\{\{ [a-z_.]+ \}\}|\{%(p|tr) [^{}%]+ %\}")   # one whole Jinja tag
INJECTIONS = ("{{ 7*7 }}", "{% for x in ().__class__.__mro__ %}x{% endfor %}")


# --- helpers -------------------------------------------------------------------------------
def data(**client) -> dict:
    """valid_data() with a second, tier-discounted item, an address and `client` changes."""
    d = valid_data()
    d["Clients"][0].update({"address": "5 Rothschild Blvd", "city": "Tel Aviv", **client})
    d["Products"].append({"sku": "G-2", "name": "Gadget", "list_price": 80, "unit": "pcs"})
    # W-1: 100 × 120 with its own 0% -> 12,000.00; G-2: 3 × 80 (list price) less the
    # tier's 7% -> 223.20. Subtotal 12,223.20; VAT 18% 2,200.18 (2,200.176); total 14,423.38.
    d["DealItems"].append({"deal_id": "D-001", "sku": "G-2", "quantity": 3})
    return d


def book(d=None, settings=None, lang="en"):
    return book_from_rows(d or data(), {**COMPANY, **(settings or {})}, lang)


def render(tmp_path, bk, deal="D-001", tier=7.0, referral=None, name="out.docx"):
    ctx = C.contract_context(bk, deal, TODAY, "CTR-2026-0002", tier, referral)
    template = C.template_path(ctx.lang)
    C.check_fields(template, ctx)
    return D.render_contract(template, ctx, tmp_path / name), ctx


def xml_root(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))   # raises on broken XML


def seen(text: str) -> str:
    """Text as a reader sees it: without the invisible direction marks (LRM)."""
    return text.replace("\u200e", "")


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text in document order (tables included), tabs as \\t."""
    out = []
    for p in xml_root(path).iter(f"{W}p"):
        text = "".join(n.text or "" if n.tag == f"{W}t" else "\t"
                       for n in p.iter(f"{W}t", f"{W}tab"))
        out.append(seen(text))
    return out


def table_rows(path: Path, index=0) -> list[list[str]]:
    tbl = list(xml_root(path).iter(f"{W}tbl"))[index]
    return [[seen("".join(t.text or "" for t in tc.iter(f"{W}t"))) for tc in tr.iter(f"{W}tc")]
            for tr in tbl.iter(f"{W}tr")]


def all_text(path: Path) -> str:
    return "\n".join(paragraphs(path))


def real_book(tmp_path, d=None, settings=None, lang="en", name="book.xlsx") -> Path:
    d = d or data()
    values = {**COMPANY, **(settings or {})}
    for row in d["Settings"]:
        key = next(s.key for s in C.schema.SETTING_ROWS if s.en == row["setting"])
        if key in values:
            row["value"] = values[key]
    folder = tmp_path / "books"
    folder.mkdir(exist_ok=True)
    return write_book(folder / name, d, lang=lang)


@pytest.fixture
def rows_added(monkeypatch):
    """Record the Contracts rows make_contract would add (the workbook writer is the lead's)."""
    added = []
    monkeypatch.setattr(jobs, "add_contract_row",
                        lambda book_file, row: added.append((Path(book_file.path), row)))
    return added


# --- contract numbers -----------------------------------------------------------------------
def test_contract_ids_count_within_the_year():
    assert C.next_contract_id([], TODAY) == "CTR-2026-0001"
    assert C.next_contract_id([None, float("nan"), "CTR-2025-0042"], TODAY) == "CTR-2026-0001"
    ids = ["CTR-2026-0001", " ctr-2026-0007 ", "CTR-2026-0003", "CTR-2027-0099", "X-1"]
    assert C.next_contract_id(ids, TODAY) == "CTR-2026-0008"
    assert C.next_contract_id(["CTR-2026-9999"], TODAY) == "CTR-2026-10000"


# --- English golden text ----------------------------------------------------------------------
def test_english_contract_text(tmp_path):
    out, ctx = render(tmp_path, book())
    text = paragraphs(out)
    for line in [
        "SUPPLY AGREEMENT",
        "Contract No. CTR-2026-0002   ·   Date: 1 June 2026",
        "This Supply Agreement (the “Agreement”) is made on 1 June 2026 between:",
        "Northwind Supply Ltd, company number 515555555",
        "Registered address: 1 Harbour Road, Haifa",
        "Acme Ltd, company number 512345679",
        "Address: 5 Rothschild Blvd, Tel Aviv",
        "The Client’s contact person for this Agreement: Dana Levi (Buyer, dana@acme.co.il, "
        "054-4123456)",
        "1.\tSubject",
        "The Supplier shall supply to the Client the products listed in the table below, under "
        "the deal “Widgets 2026” (reference D-001).",
        "All prices are in Israeli New Shekel (ILS) and exclude VAT (18%). Prices are fixed for "
        "the term of this Agreement.",
        "As a key-account client, the Client receives a discount of 7% on every line that "
        "carries no discount of its own, as shown in the table.",
        "The Client shall pay each invoice within 30 days of its date, by bank transfer to the "
        "account the Supplier names in the invoice. Amounts not paid when due bear interest at "
        "the statutory rate.",
        "The Supplier shall deliver the products to 5 Rothschild Blvd, Tel Aviv. Risk in the "
        "products passes to the Client on delivery. The Client shall inspect the products on "
        "receipt and report any nonconformity in writing within 7 days.",
        "The first delivery is planned for 1 July 2026.",
        "5.\tTerm and renewal",
        "This Agreement runs from 1 June 2026 to 31 May 2027 inclusive. It renews automatically "
        "for successive one-year terms unless either party gives the other written notice of "
        "non-renewal at least 60 days before the end of the current term.",
        "governed by the laws of Israel.",
        "7.\tReferrals",
        "The Client agrees to refer prospective customers to the Supplier. For each referred "
        "customer that enters into an agreement with the Supplier, the Client earns a bonus of "
        "5% of the value of that customer’s orders in its first year, credited against the "
        "Client’s next invoices.",
        "Name: Ron Cohen", "Name: Dana Levi", "Title: Buyer",
    ]:
        assert any(line in p for p in text), line
    assert table_rows(out) == [
        ["#", "Item", "Quantity", "Unit price", "Discount", "Amount"],
        ["1", "Widget", "100", "₪120.00", "—", "₪12,000.00"],
        ["2", "Gadget", "3", "₪80.00", "7%", "₪223.20"],
        ["Subtotal (excl. VAT)", "₪12,223.20"],
        ["VAT (18%)", "₪2,200.18"],
        ["Total", "₪14,423.38"],
    ]
    assert not any("{{" in p or "{%" in p for p in text)       # every tag was rendered
    assert ctx.values["subtotal"] == 12223.20 and ctx.values["total"] == 14423.38
    with zipfile.ZipFile(out) as z:
        footer = "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)
    assert "CTR-2026-0002" in footer and "{{" not in footer


def test_referral_clause_can_be_left_out(tmp_path):
    out, _ = render(tmp_path, book(settings={"referral_clause_default": "No"}))
    text = all_text(out)
    assert "Referrals" not in text and "refer prospective" not in text
    assert "6.\tGeneral" in text and "7." not in text
    out, _ = render(tmp_path, book(settings={"referral_clause_default": "No"}), referral=True,
                    name="with.docx")
    assert "7.\tReferrals" in all_text(out)


def test_a_deal_without_items_is_one_line_for_its_amount_with_the_tier_discount(tmp_path):
    d = data()
    d["DealItems"] = []
    d["Deals"][0]["currency"] = "USD"
    # A deal in another currency needs its rate (docs/rules.md, section 10); its own Amount
    # is in USD already, so nothing is converted and no rate line is printed.
    d["ExchangeRates"] = [{"currency": "USD", "rate": 3.6, "as_of": dt.date(2026, 5, 29)}]
    out, ctx = render(tmp_path, book(d, {"vat_rate": 17}), tier=10)
    # 12,000 less 10% = 10,800.00; VAT 17% = 1,836.00; total 12,636.00
    assert table_rows(out)[1:] == [
        ["1", "Widgets 2026", "1", "US$12,000.00", "10%", "US$10,800.00"],
        ["Subtotal (excl. VAT)", "US$10,800.00"],
        ["VAT (17%)", "US$1,836.00"],
        ["Total", "US$12,636.00"],
    ]
    assert "All prices are in US Dollar (USD)" in all_text(out)
    assert "converted" not in all_text(out)
    assert ctx.values["discount"] == 10.0 and ctx.values["subtotal"] == 10800.0


def test_items_with_their_own_discount_ignore_the_tier(tmp_path):
    d = data()
    d["DealItems"][1]["discount"] = 2.5         # 3 × 80 less 2.5% = 234.00
    out, _ = render(tmp_path, book(d), tier=7)
    assert table_rows(out)[2] == ["2", "Gadget", "3", "₪80.00", "2.5%", "₪234.00"]
    assert "receives a discount" not in all_text(out)    # no line takes the tier discount


# --- Hebrew -----------------------------------------------------------------------------------
def test_hebrew_contract_is_right_to_left_with_hebrew_formats(tmp_path):
    d = data(language="he", legal_name="אקמי תעשיות בע\"מ", address="רחוב הרצל 10",
             city="חיפה")
    out, ctx = render(tmp_path, book(d, {"company_name": "נורת'ווינד אספקה בע\"מ"}))
    assert ctx["contract"]["template"] == "contract.he.docx"
    text = paragraphs(out)
    for line in [
        "הסכם אספקה",
        "חוזה מס' CTR-2026-0002   ·   תאריך: 1 ביוני 2026",
        "הסכם אספקה זה (להלן: \"ההסכם\") נערך ונחתם ביום 1 ביוני 2026, בין:",
        "נורת'ווינד אספקה בע\"מ, ח.פ. 515555555",
        "אקמי תעשיות בע\"מ, ח.פ. 512345679",
        "כתובת: רחוב הרצל 10, חיפה",
        "1.\tנושא ההסכם",
        "המחירים נקובים בשקל חדש (ILS) ואינם כוללים מע״מ (18%).",
        "כלקוח מפתח, הלקוח זכאי להנחה בשיעור 7% על כל שורה שאין לה הנחה משלה",
        "הלקוח ישלם כל חשבונית בתוך 30 ימים ממועד הוצאתה",
        "ההסכם בתוקף מיום 1 ביוני 2026 ועד יום 31 במאי 2027 (כולל).",
        "לפחות 60 ימים לפני תום התקופה השוטפת.",
        "7.\tהפניית לקוחות",
        "יהיה הלקוח זכאי לבונוס בשיעור 5% מערך הזמנותיו של הלקוח המופנה",
        "ולראיה באו הצדדים על החתום:",
    ]:
        assert any(line in p for p in text), line
    money = lambda s: f"{RLM}{s}{NBSP}{RLM}₪"      # babel he_IL: RLM 1,234.50 NBSP RLM ₪
    assert table_rows(out) == [
        ["#", "פריט", "כמות", "מחיר ליחידה", "הנחה", "סכום"],
        ["1", "Widget", "100", money("120.00"), "—", money("12,000.00")],
        ["2", "Gadget", "3", money("80.00"), "7%", money("223.20")],
        ["סכום לפני מע״מ", money("12,223.20")],
        ["מע״מ (18%)", money("2,200.18")],
        ["סה\"כ לתשלום", money("14,423.38")],
    ]
    root = xml_root(out)
    body_paras = [p for p in root.iter(f"{W}p") if "".join(p.itertext()).strip()]
    assert all(p.find(f"{W}pPr/{W}bidi") is not None for p in body_paras)
    runs = [r for r in root.iter(f"{W}r") if r.find(f"{W}t") is not None]
    assert all(r.find(f"{W}rPr/{W}rtl") is not None for r in runs)
    assert all(t.find(f"{W}tblPr/{W}bidiVisual") is not None for t in root.iter(f"{W}tbl"))


def test_hebrew_book_names_missing_fields_by_its_sheets(tmp_path):
    d = data(language="he", legal_name=None)
    bk = book(d, {"company_name": None}, lang="he")
    ctx = C.contract_context(bk, "D-001", TODAY, "CTR-2026-0001", 0)
    with pytest.raises(ContractError) as e:
        C.check_fields(C.template_path(ctx.lang), ctx)
    assert str(e.value).startswith("אי אפשר להפיק את החוזה לעסקה D-001: ")
    assert "לקוחות!C2 שם משפטי ריק ללקוח C-001" in str(e.value)
    assert "הגדרות!B4 שם החברה ריק" in str(e.value)


# --- data never becomes markup or code --------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_names_with_xml_characters_survive(tmp_path, lang):
    name = "Smith & Sons <Holdings> \"Q\" 'R' > Ltd"
    d = data(language=lang, legal_name=name, name=name)
    d["Deals"][0]["title"] = "R&D <phase 2>"
    d["Contacts"][0]["name"] = "Tom & Jerry <CEO>"
    out, _ = render(tmp_path, book(d, {"company_name": "A&B <Supply>"}))
    text = all_text(out)                       # xml_root parsed: the XML is valid
    for s in (name, "R&D <phase 2>", "Tom & Jerry <CEO>", "A&B <Supply>"):
        assert s in text
    assert "&amp;" not in text and "&lt;" not in text     # escaped once, not twice
    assert any(name in p.text for p in python_docx.Document(str(out)).paragraphs)


def test_control_characters_in_cells_do_not_break_the_document(tmp_path):
    d = data(legal_name="Acme\x0b Ltd\x07", address="Line 1\nLine 2")
    out, _ = render(tmp_path, book(d))
    text = all_text(out)
    assert "Acme Ltd, company number" in text
    with zipfile.ZipFile(out) as z:
        assert b"Line 1</w:t><w:br/>" in z.read("word/document.xml")   # a line break


@pytest.mark.parametrize("lang", ["en", "he"])
def test_template_injection_is_shown_as_text(tmp_path, lang):
    d = data(language=lang, legal_name=INJECTIONS[0], name=INJECTIONS[1],
             address=INJECTIONS[1])
    d["Deals"][0]["title"] = INJECTIONS[0]
    d["Contacts"][0]["name"] = INJECTIONS[1]
    d["Products"][0]["name"] = INJECTIONS[1]
    out, _ = render(tmp_path, book(d, {"company_name": INJECTIONS[0]}))
    text = all_text(out)
    assert text.count(INJECTIONS[0]) >= 4 and text.count(INJECTIONS[1]) >= 3
    assert "49" not in text and "<class" not in text and "xx" not in text
    assert [r[1] for r in table_rows(out)[1:3]] == [INJECTIONS[1], "Gadget"]


def test_a_template_may_not_reach_python_internals(tmp_path):
    doc = python_docx.Document()
    doc.add_paragraph("{{ client.legal_name.__class__.__mro__ }}")
    bad = tmp_path / "bad.docx"
    doc.save(bad)
    ctx = C.contract_context(book(), "D-001", TODAY, "CTR-2026-0001", 0)
    with pytest.raises(ContractError, match="unsafe"):
        D.render_contract(bad, ctx, tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


# --- fields a template needs --------------------------------------------------------------------
def test_fields_are_required_only_when_the_template_uses_them(tmp_path):
    bk = book(data(company_number=None), {"company_number": None})
    ctx = C.contract_context(bk, "D-001", TODAY, "CTR-2026-0001", 0)
    full = C.missing_fields(C.template_path("en"), ctx)
    assert full == ["Clients!D2 Company number is empty for client C-001",
                    "Settings!B5 Company number is empty"]
    doc = python_docx.Document()
    doc.add_paragraph("{{ client.legal_name }} {{ contract.id }}")
    doc.add_paragraph("{{ client.vat_id }} {{ shoe_size }}")
    small = tmp_path / "small.docx"
    doc.save(small)
    assert C.missing_fields(small, ctx) == [
        "template small.docx uses {{ shoe_size }}, which acctbook does not provide",
        "template small.docx uses {{ client.vat_id }}, which acctbook does not provide"]


def test_unpriced_items_are_named(tmp_path):
    d = data()
    d["DealItems"].append({"deal_id": "D-001", "sku": "NOPE", "quantity": 1})
    d["Products"][1]["list_price"] = None
    ctx = C.contract_context(book(d), "D-001", TODAY, "CTR-2026-0001", 0)
    msg = " ".join(C.missing_fields(C.template_path("en"), ctx))
    assert "Deal items!D3 Unit price is empty and Products!D3 List price is empty for SKU G-2" in msg
    assert "Deal items!B4 SKU NOPE is not a product in Products" in msg


def test_unknown_deal_is_a_contract_error():
    with pytest.raises(ContractError, match="deal D-404 is not in Deals") as e:
        C.contract_context(book(), "D-404", TODAY, "CTR-2026-0001", 0)
    assert e.value.exit_code == 1


def test_a_lost_deal_gets_no_contract(tmp_path, capsys):
    """`acctbook contract` on a Lost deal: refused (exit 1), nothing written."""
    from acctbook import cli
    d = data()
    d["Deals"][0]["stage"] = "Lost"
    path = real_book(tmp_path, d)
    before = path.read_bytes()
    assert cli.main(["contract", str(path), "D-001", "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deal D-001 is Lost" in err[0]
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == ["book.xlsx"]


# --- make_contract: files and the register row ----------------------------------------------------
def test_make_contract_writes_the_docx_and_returns_the_row(tmp_path, rows_added):
    d = data()
    d["Contracts"].append({**d["Contracts"][0], "contract_id": "CTR-2026-0004"})
    path = real_book(tmp_path, d)
    r = jobs.contract(path, "D-001", TODAY, tier_discount=7)
    snapshot = json.loads(r.row.pop("snapshot"))       # its items and terms, for a new version
    assert snapshot["total"] == 14423.38 and len(snapshot["items"]) == 2
    assert r.contract_id == "CTR-2026-0005"
    assert r.docx == path.parent / "CTR-2026-0005 Acme Ltd.docx" and r.docx.is_file()
    assert r.pdf is None
    assert "Acme Ltd, company number 512345679" in all_text(r.docx)
    assert r.row == {"contract_id": "CTR-2026-0005", "client_id": "C-001", "deal_id": "D-001",
                     "template": "contract.docx", "status": "Draft", "start": TODAY,
                     "end": dt.date(2027, 5, 31), "value": 12223.2, "discount": 0.14,
                     "payment_terms": 30, "referral_clause": "Yes", "renewal_notice": 60,
                     "file": "CTR-2026-0005 Acme Ltd.docx"}
    # value: the subtotal before VAT; discount: the whole contract's, 16.80 off a gross
    # 12,240.00 (12,000 + 3 × 80) = 0.137% -> 0.14
    assert rows_added == [(path, r.row)]
    assert sorted(p.name for p in path.parent.iterdir()) == ["CTR-2026-0005 Acme Ltd.docx",
                                                              "book.xlsx"]


def test_missing_fields_write_nothing(tmp_path, rows_added):
    path = real_book(tmp_path, data(legal_name=None), {"company_name": None})
    before = path.read_bytes()
    out = tmp_path / "out"
    with pytest.raises(ContractError) as e:
        jobs.contract(path, "D-001", TODAY, out_dir=out, tier_discount=0)
    msg = str(e.value)
    assert "Clients!C2 Legal name is empty for client C-001" in msg
    assert "Settings!B4 Company name is empty" in msg
    assert not out.exists() and rows_added == [] and path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["book.xlsx"]


def test_a_failed_register_write_leaves_no_document(tmp_path, monkeypatch):
    path = real_book(tmp_path)
    out = tmp_path / "out"

    def refuse(path, row):
        raise AcctbookError("the workbook is open in Excel")
    monkeypatch.setattr(jobs, "add_contract_row", refuse)
    with pytest.raises(AcctbookError, match="open in Excel"):
        jobs.contract(path, "D-001", TODAY, out_dir=out, tier_discount=0)
    assert not out.exists()                    # nor the folder made for the document


def test_pdf_without_libreoffice_is_a_clear_error_before_anything_is_written(tmp_path, monkeypatch,
                                                                               rows_added):
    path = real_book(tmp_path)
    from acctbook.documents import pdf
    monkeypatch.setattr(pdf, "find_soffice", lambda *a, **k: None)
    monkeypatch.setattr(pdf, "word_converter", lambda *a, **k: None)
    with pytest.raises(PdfUnavailable, match="LibreOffice .*Microsoft Word|Microsoft Word .*LibreOffice"):
        jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out", pdf=True, tier_discount=0)
    assert not (tmp_path / "out").exists() and rows_added == []


def test_client_names_cannot_escape_the_output_folder(tmp_path, rows_added):
    assert C.safe_file_name("CTR-2026-0001", "../../etc/passwd") == "CTR-2026-0001 ._._etc_passwd.docx"
    assert C.safe_file_name("CTR-2026-0001", "A\\B:C*?\"<>|\x00\x1f") == "CTR-2026-0001 A_B_C_______.docx"
    assert C.safe_file_name("CTR-2026-0001", "...") == "CTR-2026-0001.docx"
    path = real_book(tmp_path, data(name="../../evil/..\\name"))
    out = tmp_path / "deep" / "out"
    r = jobs.contract(path, "D-001", TODAY, out_dir=out, tier_discount=0)
    assert r.docx.parent == out and r.docx.name.startswith("CTR-2026-0002 ")
    assert "/" not in r.docx.name and "\\" not in r.docx.name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books", "deep"]


def test_tier_discount_comes_from_the_clients_revenue(tmp_path, rows_added):
    d = data()
    d["Orders"][0].update(quantity=3000, unit_price=100, discount=0, amount=300000)
    path = real_book(tmp_path, d)               # 300,000 in 12 months: Gold, 7%
    r = jobs.contract(path, "D-001", TODAY)
    assert table_rows(r.docx)[2] == ["2", "Gadget", "3", "₪80.00", "7%", "₪223.20"]


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="needs LibreOffice (soffice) and pdftotext")
def test_pdf_holds_the_clients_name(tmp_path, rows_added):
    path = real_book(tmp_path, data(legal_name="Blue & Sons <Trading> Ltd", language="he"))
    r = jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out", pdf=True, tier_discount=0)
    assert r.pdf == tmp_path / "out" / "CTR-2026-0002 Acme Ltd.pdf" and r.pdf.is_file()
    text = subprocess.run(["pdftotext", str(r.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Blue & Sons <Trading> Ltd" in text and "CTR-2026-0002" in text
    assert sorted(p.name for p in r.pdf.parent.iterdir()) == [
        "CTR-2026-0002 Acme Ltd.docx", "CTR-2026-0002 Acme Ltd.pdf"]


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="needs LibreOffice (soffice) and pdftotext")
@pytest.mark.parametrize("language", ["he", "en"])
def test_a_phone_reads_in_order_in_either_direction(tmp_path, rows_added, language):
    """A phone in a Hebrew contract, and a Hebrew job title beside it in an English one,
    keep their order on the page (read from the PDF LibreOffice makes)."""
    d = data(language=language)
    d["Contacts"][0].update(phone="050 765 4321", role="מנהל רכש")
    path = real_book(tmp_path, d)
    r = jobs.contract(path, "D-001", TODAY, out_dir=tmp_path / "out", pdf=True, tier_discount=0)
    text = subprocess.run(["pdftotext", str(r.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\xa0", " ")
    assert "050 765 4321" in text and "4321 765 050" not in text


@pytest.mark.parametrize("name", ["contract.docx", "contract.he.docx"])
def test_templates_keep_each_tag_whole_in_one_run(name):
    """Users edit the templates in Word: a tag split over runs is fragile, two in a run too."""
    root = xml_root(C.TEMPLATES / name)
    tagged = [t.text for t in root.iter(f"{W}t") if t.text and ("{" in t.text or "}" in t.text)]
    assert len(tagged) > 40
    for text in tagged:
        assert TAG.fullmatch(text), text


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="needs LibreOffice (soffice) and pdftotext")
def test_parallel_conversions_each_get_their_pdf(tmp_path):
    """Two LibreOffice runs sharing a profile silently lose output; each call has its own."""
    from concurrent.futures import ThreadPoolExecutor
    docs = []
    for name in ("Alpha Works Ltd", "Beta Trading Ltd"):
        folder = tmp_path / name.split()[0]
        folder.mkdir()
        docs.append(render(folder, book(data(legal_name=name)), name=f"{name}.docx")[0])
    with ThreadPoolExecutor(2) as pool:
        pdfs = list(pool.map(lambda d: pdf_runner.docx_to_pdf(d, d.parent), docs))
    for pdf, name in zip(pdfs, ("Alpha Works Ltd", "Beta Trading Ltd")):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert name in text


# --- the Contracts row in a real workbook (through the zip writer) ---------------------------------
DEMO_TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    from acctbook import api
    folder = tmp_path_factory.mktemp("demo")
    return api.new(folder / "demo.xlsx", demo=True, today=DEMO_TODAY)


def _zip_parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _contracts(path):
    import openpyxl
    ws = openpyxl.load_workbook(path)["Contracts"]
    return ws, ws.tables["Contracts"]


def _open_deal(path, lang):
    from acctbook import api
    return api.demo_deal(api.load(path), lang)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_make_contract_appends_one_row_to_the_contracts_table(demo_book, tmp_path, lang):
    path = tmp_path / "book.xlsx"
    shutil.copy(demo_book, path)
    ws, table = _contracts(path)
    last = int(table.ref.split(":")[1][1:])
    before = _zip_parts(path)
    deal = _open_deal(path, lang)
    r = jobs.contract(path, deal, DEMO_TODAY, out_dir=tmp_path / "out")
    after = _zip_parts(path)
    changed = {n for n in before if before[n] != after.get(n)} - history_parts(path)
    assert set(after) == set(before) and len(changed) == 2     # and the History row
    assert {n.split("/")[1] for n in changed} == {"worksheets", "tables"}
    ws, table = _contracts(path)
    width = len(schema.CONTRACTS.columns)                 # the register's columns, State included
    assert table.ref == f"A1:{get_column_letter(width)}{last + 1}"
    row = {ws.cell(1, c).value: ws.cell(last + 1, c).value for c in range(1, width + 1)}
    assert re.fullmatch(r"CTR-2026-\d{4}", row["Contract ID"]) and row["Contract ID"] == r.contract_id
    assert row["Status"] == "Draft" and row["Deal ID"] == deal
    assert row["File"] == f"out/{r.docx.name}"                   # relative to the book's folder
    assert row["Start"] == dt.datetime(2026, 11, 26) and row["End"] == dt.datetime(2027, 11, 25)
    assert ws.cell(last + 1, 6).is_date and row["Referral clause"] in ("Yes", "No")
    with pytest.raises(ContractError, match=f"already has contract {r.contract_id}"):
        jobs.contract(path, deal, DEMO_TODAY, out_dir=tmp_path / "out")   # one a deal
    r2 = jobs.contract(path, _open_deal(path, lang), DEMO_TODAY, out_dir=tmp_path / "out")
    n1, n2 = (int(x.rsplit("-", 1)[1]) for x in (r.contract_id, r2.contract_id))
    assert n2 == n1 + 1
    ws, table = _contracts(path)
    assert table.ref == f"A1:{get_column_letter(width)}{last + 2}"
    assert ws.cell(last + 2, 1).value == r2.contract_id


def test_hebrew_book_shows_choices_in_hebrew(tmp_path):
    from acctbook import api
    path = api.new(tmp_path / "he.xlsx", lang="he", demo=True, today=DEMO_TODAY)
    r = jobs.contract(path, _open_deal(path, "he"), DEMO_TODAY, out_dir=tmp_path)
    import openpyxl
    ws = openpyxl.load_workbook(path)["חוזים"]
    table = ws.tables["Contracts"]
    last = int(table.ref.split(":")[1][1:])
    row = {ws.cell(1, c).value: ws.cell(last, c).value for c in range(1, 15)}
    assert row["מזהה חוזה"] == r.contract_id and row["סטטוס"] == "טיוטה"
    assert row["סעיף הפניות"] in ("כן", "לא")


def test_a_refused_append_leaves_no_document_and_the_book_unchanged(demo_book, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(demo_book, path)
    before = path.read_bytes()
    (tmp_path / "~$book.xlsx").write_text("excel")               # Excel has it open
    out = tmp_path / "out"
    with pytest.raises(AcctbookError, match="open in Excel"):
        jobs.contract(path, _open_deal(path, "en"), DEMO_TODAY, out_dir=out / "deeper")
    assert not out.exists() and path.read_bytes() == before     # no empty folder left behind


# --- cells the book itself marks as errors (docs6 finding 1) ------------------------------
def test_cells_with_errors_refuse_the_contract_and_name_each_cell(tmp_path, capsys):
    from acctbook import cli
    d = data()
    d["DealItems"][1].update(quantity=-5, discount=150)     # would be a line of +362.50
    d["Clients"][0]["payment_terms"] = -5
    d["Deals"][0]["currency"] = "US$"
    d["Clients"][1]["phone"] = "12"                          # another client's row: no matter
    path = real_book(tmp_path, d, {"vat_rate": "lots"})
    before = path.read_bytes()
    out = tmp_path / "out"
    rc = cli.main(["contract", str(path), "D-001", "--out", str(out), "--today", "2026-06-01"])
    err = capsys.readouterr().err
    assert rc == 1 and err.count("\n") == 1                  # one line, exit 1 (refused)
    for cell in ("Clients!P2: Payment terms must be 0 or more, not -5",
                 "Deals!F2: Currency 'US$' is not an ISO 4217 currency code",
                 "Deal items!C3: Quantity must be greater than 0, not -5",
                 "Deal items!E3: Discount must be between 0 and 100, not 150",
                 "Settings!B10: Setting 'VAT rate': 'lots' is not valid"):
        assert cell in err
    assert err.count("Clients!") == 1 and "C-002" not in err
    assert not out.exists() and path.read_bytes() == before  # no document, no Contracts row


def test_errors_in_cells_the_contract_never_reads_do_not_stop_it(tmp_path, rows_added):
    """A bad Segment or Credit limit on the deal's client, or a Cadence error on the row of
    a Settings value it uses (another table on the Settings sheet): the contract is made."""
    d = data()
    d["Clients"][0].update(segment="Nowhere", credit_limit="50k")
    d["Cadence"] = [dict(r) for r in d.get("Cadence") or []] or [
        {"class": "A", "days": "soon"}]
    d["Cadence"][0]["days"] = "soon"
    path = real_book(tmp_path, d)
    from acctbook.xlsx.read import read_book
    from acctbook.book.rules import check_book
    errors = [p for p in check_book(read_book(path), TODAY) if p.severity == "error"]
    assert {p.sheet for p in errors} >= {"Clients", "Settings"}
    assert any(p.sheet == "Settings" and p.row == 2 for p in errors)   # beside Company name
    result = jobs.contract(path, "D-001", TODAY, tier_discount=0)
    assert result.docx.is_file() and len(rows_added) == 1


def test_a_negative_deal_amount_refuses_a_contract_without_items(tmp_path, rows_added):
    d = data()
    d["DealItems"] = []
    d["Deals"][0]["amount"] = -30000
    path = real_book(tmp_path, d)
    with pytest.raises(ContractError, match=r"Deals!E2: Amount must be 0 or more, not -30000"):
        jobs.contract(path, "D-001", TODAY, tier_discount=0)
    assert rows_added == [] and [p.name for p in path.parent.iterdir()] == ["book.xlsx"]


def test_a_quantity_that_is_not_a_number_is_not_called_empty(tmp_path, rows_added):
    d = data()
    d["DealItems"][1]["quantity"] = "ten"
    path = real_book(tmp_path, d)
    with pytest.raises(ContractError) as e:
        jobs.contract(path, "D-001", TODAY, tier_discount=0)
    assert "Deal items!C3: Quantity: 'ten' is not a number" in str(e.value)
    assert "empty" not in str(e.value) and rows_added == []


def test_the_excel_contract_button_refuses_cells_with_errors(tmp_path, monkeypatch):
    from acctbook import excel
    from acctbook.xlbook import book as xb
    from acctbook.xlsx.read import read_book
    d = data()
    d["DealItems"][1]["discount"] = 150
    path = real_book(tmp_path, d)
    bk = read_book(path)
    monkeypatch.setattr(xb, "load", lambda book: bk)
    monkeypatch.setattr(xb, "selected_row", lambda book: ("Deals", 2))
    appended = []
    monkeypatch.setattr(xb, "append_row", lambda *a: appended.append(a))
    with pytest.raises(ContractError, match=r"Deal items!E3: Discount must be between 0 and 100"):
        excel._contract(object(), TODAY, tmp_path / "out")
    assert appended == [] and not (tmp_path / "out").exists()


# --- file names in bytes (finding 3) ------------------------------------------------------------
@pytest.mark.parametrize("name", ["深圳市华强北电子科技有限公司" * 8, "😀" * 90, "א" * 200 + "ב"],
                         ids=["cjk", "emoji", "hebrew"])
def test_long_names_in_wide_scripts_are_cut_by_bytes_never_mid_character(tmp_path, rows_added,
                                                                           name):
    file = C.safe_file_name("CTR-2026-0001", name)
    assert len(file.encode("utf-8")) <= 210 and file.endswith(".docx")
    assert file.startswith("CTR-2026-0001 " + name[:3]) and "\ufffd" not in file
    path = real_book(tmp_path, data(name=name))
    r = jobs.contract(path, "D-001", TODAY, tier_discount=0)
    assert r.docx.is_file() and r.docx.name == C.safe_file_name("CTR-2026-0002", name)


# --- the same inputs give the same bytes (finding 4) ---------------------------------------
def test_the_docx_is_byte_identical_for_the_same_inputs(tmp_path, rows_added):
    import time
    docs = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        path = real_book(tmp_path / str(i))
        docs.append(jobs.contract(path, "D-001", TODAY, tier_discount=0).docx.read_bytes())
        time.sleep(2.1 * (i == 0))                   # zip times have a 2-second resolution
    assert docs[0] == docs[1]
    with zipfile.ZipFile(tmp_path / "0" / "books" / "CTR-2026-0002 Acme Ltd.docx") as z:
        assert {i.date_time for i in z.infolist()} == {D.FIXED_TIME}


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")),
                    reason="needs LibreOffice (soffice) and pdfinfo")
def test_the_pdf_carries_no_clock_and_stays_valid(tmp_path, rows_added):
    """LibreOffice's time stamp and random /ID are pinned (to the contract date and a hash of
    the .docx), in place, so the file stays valid. Byte identity is not promised: under load
    LibreOffice now and then writes embedded fonts in another object order."""
    import time
    pdfs = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        path = real_book(tmp_path / str(i))
        pdfs.append(jobs.contract(path, "D-001", TODAY, pdf=True, tier_discount=0).pdf)
        time.sleep(1.1)                                       # a different CreationDate second
    a, b = (p.read_bytes() for p in pdfs)
    ids = [re.search(rb"/ID\s*\[[^]]*\]", x)[0] for x in (a, b)]
    assert ids[0] == ids[1] and b"/CreationDate(D:20260601000000" in a
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert re.search(r"CreationDate:\s+Mon Jun +1 00:00:00 2026", info.stdout), info.stdout
        assert "Pages:" in info.stdout and not info.stderr      # xref offsets still valid
    texts = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True,
                            check=True).stdout for p in pdfs]
    assert texts[0] == texts[1] and "CTR-2026-0002" in texts[0]


# --- a corrupt template (finding 7) ------------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"not a zip at all"])
def test_a_corrupt_template_is_a_clear_error_naming_it(tmp_path, rows_added, capsys, monkeypatch,
                                                       content):
    from acctbook import cli
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "contract.docx").write_bytes(content)
    monkeypatch.setattr(C, "TEMPLATES", tmp_path / "tpl")
    path = real_book(tmp_path)
    rc = cli.main(["contract", str(path), "D-001", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1 and "contract.docx: not a readable .docx" in err and "internal" not in err
    assert not (tmp_path / "out").exists() and rows_added == []
