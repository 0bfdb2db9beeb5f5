"""Build the order documents' templates: templates/delivery_note.docx and
delivery_note.he.docx, invoice.docx and invoice.he.docx (Hebrew right to left), with
build_templates.py's Builder, items table and footer (the same look as the quote).

Run `python templates/build_templates.py` (it calls `main` here) after changing the wording;
commit the .docx files. Fields: acctbook.documents.delivery_note and .invoice (docstrings).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_templates import (ACCENT, EN, HE, HEAD_FILL, HERE, Builder,  # noqa: E402
                             footer, items_table, letter_head, save_deterministic)

PARTIES_EN = {
    "from": [("{{ company.name }}", "b")],
    "from_addr": ["{{ company.address }}"],
    "to_label": "To:",
    "to": [("{{ client.name }}", "b")],
    "to_addr": ["{{ client.address }}"],
    "attn": ["Attention: ", "{{ contact.name }}", "{{ contact.details }}"],
}
PARTIES_HE = {**PARTIES_EN, "to_label": "לכבוד:",
              "attn": ["לידי: ", "{{ contact.name }}", "{{ contact.details }}"]}

DN_EN = {**PARTIES_EN,
         "title": "DELIVERY NOTE",
         "meta": ["Delivery note No. ", "{{ delivery_note.id }}", "   ·   Date: ",
                  "{{ delivery_note.date }}"],
         "order": ["Order ", "{{ order.id }}", " of ", "{{ order.date }}", "."],
         "place": ["Deliver to: ", "{{ delivery.place }}"],
         "head": ["#", "Item", "SKU", "Ordered", "Delivered", "Still to deliver"],
         "received": [("Received in good order", "b")],
         "sign": ["Name: ______________________   Signature: ______________________   "
                  "Date: ______________"],
         "footer": ["{{ delivery_note.id }}", "  ·  ", "{{ company.name }}", "  ·  page "],
         "core_title": "Delivery note"}
DN_HE = {**PARTIES_HE,
         "title": "תעודת משלוח",
         "meta": ["תעודת משלוח מס' ", "{{ delivery_note.id }}", "   ·   תאריך: ",
                  "{{ delivery_note.date }}"],
         "order": ["הזמנה ", "{{ order.id }}", " מיום ", "{{ order.date }}", "."],
         "place": ["יעד האספקה: ", "{{ delivery.place }}"],
         "head": ["#", "פריט", "מק\"ט", "הוזמן", "סופק", "נותר לאספקה"],
         "received": [("התקבל במצב תקין", "b")],
         "sign": ["שם: ______________________   חתימה: ______________________   "
                  "תאריך: ______________"],
         "footer": ["{{ delivery_note.id }}", "  ·  ", "{{ company.name }}", "  ·  עמוד "],
         "core_title": "תעודת משלוח"}

INV_EN = {**PARTIES_EN,
          "title": "PROFORMA INVOICE",
          "meta": ["Invoice No. ", "{{ invoice.id }}", "   ·   Date: ", "{{ invoice.date }}",
                   "   ·   Due: ", "{{ invoice.due }}"],
          "from_number": ["Company number ", "{{ company.number }}"],
          "order": ["For order ", "{{ order.id }}", " of ", "{{ order.date }}",
                    ". Amounts in ", "{{ order.currency_name }}", "."],
          "items_head": EN["items_head"], "subtotal": EN["subtotal"], "vat": EN["vat"],
          "total": EN["total"],
          "due": [("Payment due by ", "b"), ("{{ invoice.due }}", "b"),
                  "{{ invoice.terms }}", ", by bank transfer to:"],
          "bank": ["{{ bank.details }}"],
          "reference": ["Please quote ", "{{ invoice.id }}", " with your payment."],
          "note": ["This proforma invoice is not a tax invoice; the tax invoice follows "
                   "payment."],
          "footer": ["{{ invoice.id }}", "  ·  ", "{{ company.name }}", "  ·  page "],
          "core_title": "Proforma invoice"}
INV_HE = {**PARTIES_HE,
          "title": "חשבון עסקה (פרופורמה)",
          "meta": ["חשבון מס' ", "{{ invoice.id }}", "   ·   תאריך: ", "{{ invoice.date }}",
                   "   ·   לתשלום עד: ", "{{ invoice.due }}"],
          "from_number": ["ח\"פ ", "{{ company.number }}"],
          "order": ["עבור הזמנה ", "{{ order.id }}", " מיום ", "{{ order.date }}",
                    ". הסכומים ב", "{{ order.currency_name }}", "."],
          "items_head": HE["items_head"], "subtotal": HE["subtotal"], "vat": HE["vat"],
          "total": HE["total"],
          "due": [("לתשלום עד ", "b"), ("{{ invoice.due }}", "b"),
                  "{{ invoice.terms }}", ", בהעברה בנקאית לחשבון:"],
          "bank": ["{{ bank.details }}"],
          "reference": ["נא לציין את מספר החשבון ", "{{ invoice.id }}", " בעת התשלום."],
          "note": ["חשבון עסקה זה אינו חשבונית מס; חשבונית מס תופק עם התשלום."],
          "footer": ["{{ invoice.id }}", "  ·  ", "{{ company.name }}", "  ·  עמוד "],
          "core_title": "חשבון עסקה"}

DN_FIELDS = ["{{ item.n }}", "{{ item.name }}", "{{ item.sku }}", "{{ item.quantity }}",
             "{{ item.delivered }}", "{{ item.remaining }}"]
DN_WIDTHS = [Cm(0.9), Cm(4.3), Cm(2.8), Cm(2.1), Cm(2.6), Cm(3.4)]


def build_delivery_note(w: dict, rtl: bool):
    b = Builder(rtl)
    letter_head(b, w, "order")
    b.para(w["place"], space_after=Pt(8))
    t = b.table(4, 6)
    for i, (cell, text) in enumerate(zip(t.rows[0].cells, w["head"])):
        b.cell(cell, [text], bold=True, fill=HEAD_FILL, number=i >= 3)
    b.cell(t.rows[1].cells[0], ["{%tr for item in items %}"])
    for i, (cell, tag) in enumerate(zip(t.rows[2].cells, DN_FIELDS)):
        b.cell(cell, [tag], bold=i == 5, number=i >= 3)
    b.cell(t.rows[3].cells[0], ["{%tr endfor %}"])
    t.autofit = False
    for col, width in zip(t.columns, DN_WIDTHS):
        col.width = width
    for row in t.rows:
        for cell, width in zip(row.cells, DN_WIDTHS):
            cell.width = width
    b.para(w["received"], space_after=Pt(10)).paragraph_format.space_before = Pt(24)
    b.para(w["sign"])
    footer(b, w)
    return b.doc


def build_invoice(w: dict, rtl: bool):
    b = Builder(rtl)
    letter_head(b, w, "order")
    items_table(b, w)
    b.para(w["due"], space_after=Pt(2)).paragraph_format.space_before = Pt(8)
    b.para(w["bank"], indent=Cm(0.63), space_after=Pt(6))
    b.para(w["reference"])
    b.para(w["note"], size=Pt(9), color=ACCENT).paragraph_format.space_before = Pt(14)
    footer(b, w)
    return b.doc


def main(folder: Path = HERE) -> list[Path]:
    out = []
    for name, words, rtl, make in (("delivery_note.docx", DN_EN, False, build_delivery_note),
                                   ("delivery_note.he.docx", DN_HE, True, build_delivery_note),
                                   ("invoice.docx", INV_EN, False, build_invoice),
                                   ("invoice.he.docx", INV_HE, True, build_invoice)):
        path = folder / name
        save_deterministic(make(words, rtl), path)
        out.append(path)
    return out


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {p}")
