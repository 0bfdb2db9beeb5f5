"""Build the document templates: templates/contract.docx (English) and contract.he.docx (Hebrew,
RTL), quote.docx and quote.he.docx.

Run `python templates/build_templates.py` after changing the wording here; commit both .docx files.
Users may edit the .docx files in Word afterwards, so every Jinja tag sits in a run of its own
(Word keeps a run whole when text around it is edited). Fields the templates use are the keys of
`acctbook.documents.contract.contract_context` (see the docstring there).

Layout: title, contract number and date, parties, recitals, numbered clauses, an items table
whose rows repeat with `{%tr for item in items %}`, totals, term and renewal, general terms, the
referral clause last (inside `{%p if referral %}`, so leaving it out renumbers nothing), and a
signature block. Clause numbers are plain text: Word's list numbering puts the number on the wrong
side of right-to-left paragraphs in LibreOffice. The Hebrew document is right-to-left throughout:
w:bidi on paragraphs, w:rtl on runs, w:bidiVisual on tables, a bidi section.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
FONT = "Arial"          # has Hebrew glyphs on Windows/macOS; LibreOffice maps it to Liberation Sans
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
HEAD_FILL = "DCE3EC"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)   # zip entry times: rebuilding gives the same bytes

# --- the wording ------------------------------------------------------------------------
# A paragraph is a list of parts; a part is plain text, "{{ tag }}" (its own run) or
# ("text", "b") for bold. Each tuple below: (kind, parts). Kinds: title, subtitle, center,
# clause (numbered heading), body, note, if/endif (a {%p %} paragraph), items, signatures.
EN = {
    "title": "SUPPLY AGREEMENT",
    "meta": ["Contract No. ", "{{ contract.id }}", "   ·   Date: ", "{{ contract.date }}"],
    "supersedes": ["This contract supersedes contract ", "{{ supersedes.id }}",
                   "{{ supersedes.of }}", ", which no longer applies."],
    "intro": ["This Supply Agreement (the “Agreement”) is made on ", "{{ contract.date }}",
              " between:"],
    "supplier": [("{{ company.name }}", "b"), ", company number ", "{{ company.number }}"],
    "supplier_addr": ["Registered address: ", "{{ company.address }}"],
    "supplier_role": ["(the “Supplier”); and"],
    "client": [("{{ client.legal_name }}", "b"), ", company number ", "{{ client.number }}"],
    "client_addr": ["Address: ", "{{ client.address }}"],
    "client_role": ["(the “Client”)."],
    "contact": ["The Client’s contact person for this Agreement: ", "{{ contact.name }}",
                "{{ contact.details }}"],
    "recital": ["The Supplier supplies the products described below and the Client wishes to buy "
                "them on the terms of this Agreement. The parties therefore agree as follows:"],
    "clauses": [
        ("Subject", [
            ["The Supplier shall supply to the Client the products listed in the table below, "
             "under the deal “", "{{ deal.title }}", "” (reference ", "{{ deal.id }}", ")."],
        ]),
        ("ITEMS", None),
        ("Prices and discounts", [
            ["All prices are in ", "{{ deal.currency_name }}", " (", "{{ deal.currency }}",
             ") and exclude VAT (", "{{ totals.vat_note }}",
             "). Prices are fixed for the term of this Agreement."],
            "IF exchange.applies",
            ["List prices in ", "{{ exchange.from }}", " are converted at ", "{{ exchange.rate }}",
             " (rate as of ", "{{ exchange.as_of }}", ")."],
            "ENDIF",
            "IF discount.applied",
            ["As a key-account client, the Client receives a discount of ", "{{ discount.tier }}",
             " on every line that carries no discount of its own, as shown in the table."],
            "ENDIF",
        ]),
        ("Payment", [
            ["The Client shall pay each invoice within ", "{{ payment.days }}",
             " days of its date, by bank transfer to the account the Supplier names in the "
             "invoice. Amounts not paid when due bear interest at the statutory rate."],
        ]),
        ("Delivery", [
            ["The Supplier shall deliver the products to ", "{{ delivery.place }}",
             ". Risk in the products passes to the Client on delivery. The Client shall inspect "
             "the products on receipt and report any nonconformity in writing within 7 days."],
            "IF delivery.by",
            ["The first delivery is planned for ", "{{ delivery.by }}", "."],
            "ENDIF",
        ]),
        ("Term and renewal", [
            ["This Agreement runs from ", "{{ term.start }}", " to ", "{{ term.end }}",
             " inclusive. It renews automatically for successive one-year terms unless either "
             "party gives the other written notice of non-renewal at least ",
             "{{ term.notice_days }}", " days before the end of the current term."],
        ]),
        ("General", [
            ["This Agreement is the entire agreement between the parties on its subject. Any "
             "change must be made in writing and signed by both parties. This Agreement is "
             "governed by the laws of ", "{{ company.jurisdiction }}", "."],
        ]),
        ("REFERRAL", [
            ["The Client agrees to refer prospective customers to the Supplier. For each referred "
             "customer that enters into an agreement with the Supplier, the Client earns a bonus "
             "of ", "{{ referral_bonus }}", " of the value of that customer’s orders in its "
             "first year, credited against the Client’s next invoices."],
        ]),
    ],
    "referral_title": "Referrals",
    "items_head": ["#", "Item", "Quantity", "Unit price", "Discount", "Amount"],
    "subtotal": ["Subtotal (excl. VAT)"],
    "vat": ["VAT (", "{{ totals.vat_note }}", ")"],      # the rate, or why it is 0
    "total": ["Total"],
    "signed": ["Signed by the parties on the dates below:"],
    "sig_for": ["For the Supplier", "For the Client"],
    "sig_name": "Name: ",
    "sig_title": "Title: ",
    "sig_sign": "Signature: ______________________",
    "sig_date": "Date: ______________",
    "footer": ["{{ contract.id }}", "  ·  ", "{{ company.name }}", "  ·  page "],
    "core_title": "Supply agreement",
}

HE = {
    "title": "הסכם אספקה",
    "meta": ["חוזה מס' ", "{{ contract.id }}", "   ·   תאריך: ", "{{ contract.date }}"],
    "supersedes": ["חוזה זה מחליף את חוזה ", "{{ supersedes.id }}", "{{ supersedes.of }}",
                   ", שאינו חל עוד."],
    "intro": ["הסכם אספקה זה (להלן: \"ההסכם\") נערך ונחתם ביום ", "{{ contract.date }}",
              ", בין:"],
    "supplier": [("{{ company.name }}", "b"), ", ח.פ. ", "{{ company.number }}"],
    "supplier_addr": ["כתובת רשומה: ", "{{ company.address }}"],
    "supplier_role": ["(להלן: \"הספק\")  - מצד אחד -"],
    "client": [("{{ client.legal_name }}", "b"), ", ח.פ. ", "{{ client.number }}"],
    "client_addr": ["כתובת: ", "{{ client.address }}"],
    "client_role": ["(להלן: \"הלקוח\")  - מצד שני -"],
    "contact": ["איש הקשר מטעם הלקוח לעניין הסכם זה: ", "{{ contact.name }}",
                "{{ contact.details }}"],
    "recital": ["הואיל והספק עוסק באספקת המוצרים המפורטים להלן; והואיל והלקוח מעוניין לרכוש "
                "את המוצרים בתנאים המפורטים בהסכם זה; לפיכך הוסכם, הוצהר והותנה בין הצדדים "
                "כדלקמן:"],
    "clauses": [
        ("נושא ההסכם", [
            ["הספק יספק ללקוח את המוצרים המפורטים בטבלה שלהלן, במסגרת העסקה \"",
             "{{ deal.title }}", "\" (סימוכין ", "{{ deal.id }}", ")."],
        ]),
        ("ITEMS", None),
        ("מחירים והנחות", [
            ["המחירים נקובים ב", "{{ deal.currency_name }}", " (", "{{ deal.currency }}",
             ") ואינם כוללים מע״מ (", "{{ totals.vat_note }}",
             "). המחירים קבועים לכל תקופת ההסכם."],
            "IF exchange.applies",
            ["מחירי המחירון ב־", "{{ exchange.from }}", " הומרו לפי שער ", "{{ exchange.rate }}",
             " (השער נכון ליום ", "{{ exchange.as_of }}", ")."],
            "ENDIF",
            "IF discount.applied",
            ["כלקוח מפתח, הלקוח זכאי להנחה בשיעור ", "{{ discount.tier }}",
             " על כל שורה שאין לה הנחה משלה, כמפורט בטבלה."],
            "ENDIF",
        ]),
        ("תנאי תשלום", [
            ["הלקוח ישלם כל חשבונית בתוך ", "{{ payment.days }}",
             " ימים ממועד הוצאתה, בהעברה בנקאית לחשבון שיצוין בחשבונית. סכום שלא ישולם "
             "במועדו יישא ריבית פיגורים כדין."],
        ]),
        ("אספקה", [
            ["הספק יספק את המוצרים אל: ", "{{ delivery.place }}",
             ". הסיכון במוצרים יעבור ללקוח עם מסירתם. הלקוח יבדוק את המוצרים עם קבלתם "
             "ויודיע לספק בכתב על כל אי-התאמה בתוך 7 ימים."],
            "IF delivery.by",
            ["האספקה הראשונה מתוכננת ליום ", "{{ delivery.by }}", "."],
            "ENDIF",
        ]),
        ("תקופת ההסכם וחידושו", [
            ["ההסכם בתוקף מיום ", "{{ term.start }}", " ועד יום ", "{{ term.end }}",
             " (כולל). ההסכם יתחדש מאליו לתקופות נוספות בנות שנה כל אחת, אלא אם אחד הצדדים "
             "הודיע למשנהו בכתב על רצונו שלא לחדשו, לפחות ", "{{ term.notice_days }}",
             " ימים לפני תום התקופה השוטפת."],
        ]),
        ("כללי", [
            ["הסכם זה ממצה את ההסכמות בין הצדדים בעניינו. כל שינוי בהסכם ייעשה בכתב ובחתימת "
             "שני הצדדים. על הסכם זה יחולו דיני ", "{{ company.jurisdiction }}", "."],
        ]),
        ("REFERRAL", [
            ["הלקוח מסכים להפנות אל הספק לקוחות פוטנציאליים. בגין כל לקוח מופנה שיתקשר עם "
             "הספק בהסכם, יהיה הלקוח זכאי לבונוס בשיעור ", "{{ referral_bonus }}",
             " מערך הזמנותיו של הלקוח המופנה בשנה הראשונה להתקשרותו, שיינתן כזיכוי "
             "בחשבוניות הבאות של הלקוח."],
        ]),
    ],
    "referral_title": "הפניית לקוחות",
    "items_head": ["#", "פריט", "כמות", "מחיר ליחידה", "הנחה", "סכום"],
    "subtotal": ["סכום לפני מע״מ"],
    "vat": ["מע״מ (", "{{ totals.vat_note }}", ")"],
    "total": ["סה\"כ לתשלום"],
    "signed": ["ולראיה באו הצדדים על החתום:"],
    "sig_for": ["הספק", "הלקוח"],
    "sig_name": "שם: ",
    "sig_title": "תפקיד: ",
    "sig_sign": "חתימה: ______________________",
    "sig_date": "תאריך: ______________",
    "footer": ["{{ contract.id }}", "  ·  ", "{{ company.name }}", "  ·  עמוד "],
    "core_title": "הסכם אספקה",
}

# --- the quote (templates/quote.docx, quote.he.docx): acctbook.documents.quote ------------------
QUOTE_EN = {
    "title": "PRICE QUOTATION",
    "meta": ["Quote No. ", "{{ quote.id }}", "   ·   Date: ", "{{ quote.date }}",
             "   ·   Valid until: ", "{{ quote.valid_until }}"],
    "from": [("{{ company.name }}", "b")],
    "from_addr": ["{{ company.address }}"],
    "to_label": "To:",
    "to": [("{{ client.name }}", "b")],
    "to_addr": ["{{ client.address }}"],
    "attn": ["Attention: ", "{{ contact.name }}", "{{ contact.details }}"],
    "intro": ["Further to our conversations about “", "{{ deal.title }}", "” (reference ",
              "{{ deal.id }}", "), we are pleased to offer the following:"],
    "clauses": [
        ("Prices", [
            ["Prices are in ", "{{ deal.currency_name }}", " (", "{{ deal.currency }}",
             ") and exclude VAT (", "{{ totals.vat_note }}", ")."],
            "IF exchange.applies",
            ["List prices in ", "{{ exchange.from }}", " are converted at ", "{{ exchange.rate }}",
             " (rate as of ", "{{ exchange.as_of }}", ")."],
            "ENDIF",
            "IF discount.applied",
            ["As a key-account client you receive a discount of ", "{{ discount.tier }}",
             " on every line that carries no discount of its own, as shown in the table."],
            "ENDIF",
        ]),
        ("Payment", [["Payment within ", "{{ payment.days }}",
                      " days of the invoice date, by bank transfer."]]),
        ("Delivery", [
            ["Delivery to ", "{{ delivery.place }}", "."],
            "IF delivery.by",
            ["Planned delivery: ", "{{ delivery.by }}", "."],
            "ENDIF",
        ]),
        ("Validity", [["This quote is valid for ", "{{ quote.valid_days }}", " days, until ",
                       "{{ quote.valid_until }}", ". A contract follows your acceptance."]]),
    ],
    "items_head": EN["items_head"], "subtotal": EN["subtotal"], "vat": EN["vat"],
    "total": EN["total"],
    "closing": ["We look forward to working with you."],
    "sign": [("{{ company.manager }}", "b")],
    "sign_mail": ["{{ company.email }}", "  ", "{{ company.phone }}"],
    "footer": ["{{ quote.id }}", "  ·  ", "{{ company.name }}", "  ·  page "],
    "core_title": "Price quotation",
}

QUOTE_HE = {
    "title": "הצעת מחיר",
    "meta": ["הצעה מס' ", "{{ quote.id }}", "   ·   תאריך: ", "{{ quote.date }}",
             "   ·   בתוקף עד: ", "{{ quote.valid_until }}"],
    "from": [("{{ company.name }}", "b")],
    "from_addr": ["{{ company.address }}"],
    "to_label": "לכבוד:",
    "to": [("{{ client.name }}", "b")],
    "to_addr": ["{{ client.address }}"],
    "attn": ["לידי: ", "{{ contact.name }}", "{{ contact.details }}"],
    "intro": ["בהמשך לשיחותינו בנושא \"", "{{ deal.title }}", "\" (סימוכין ", "{{ deal.id }}",
              "), הננו מתכבדים להציע:"],
    "clauses": [
        ("מחירים", [
            ["המחירים נקובים ב", "{{ deal.currency_name }}", " (", "{{ deal.currency }}",
             ") ואינם כוללים מע״מ (", "{{ totals.vat_note }}", ")."],
            "IF exchange.applies",
            ["מחירי המחירון ב־", "{{ exchange.from }}", " הומרו לפי שער ", "{{ exchange.rate }}",
             " (השער נכון ליום ", "{{ exchange.as_of }}", ")."],
            "ENDIF",
            "IF discount.applied",
            ["כלקוח מפתח, הנכם זכאים להנחה בשיעור ", "{{ discount.tier }}",
             " על כל שורה שאין לה הנחה משלה, כמפורט בטבלה."],
            "ENDIF",
        ]),
        ("תנאי תשלום", [["תשלום בתוך ", "{{ payment.days }}",
                         " ימים ממועד החשבונית, בהעברה בנקאית."]]),
        ("אספקה", [
            ["אספקה אל: ", "{{ delivery.place }}", "."],
            "IF delivery.by",
            ["מועד אספקה מתוכנן: ", "{{ delivery.by }}", "."],
            "ENDIF",
        ]),
        ("תוקף ההצעה", [["הצעה זו בתוקף ", "{{ quote.valid_days }}", " ימים, עד ליום ",
                         "{{ quote.valid_until }}", ". עם אישורכם ייחתם הסכם."]]),
    ],
    "items_head": HE["items_head"], "subtotal": HE["subtotal"], "vat": HE["vat"],
    "total": HE["total"],
    "closing": ["נשמח לעמוד לשירותכם."],
    "sign": [("{{ company.manager }}", "b")],
    "sign_mail": ["{{ company.email }}", "  ", "{{ company.phone }}"],
    "footer": ["{{ quote.id }}", "  ·  ", "{{ company.name }}", "  ·  עמוד "],
    "core_title": "הצעת מחיר",
}


ITEM_FIELDS = ["{{ item.n }}", "{{ item.name }}", "{{ item.quantity }}", "{{ item.unit_price }}",
               "{{ item.discount }}", "{{ item.total }}"]
COL_WIDTHS = [Cm(0.9), Cm(5.0), Cm(2.2), Cm(2.9), Cm(2.6), Cm(3.0)]


class Builder:
    """Writes paragraphs and tables, left-to-right or right-to-left."""

    def __init__(self, rtl: bool):
        self.rtl = rtl
        self.doc = Document()
        self._setup()

    # --- document-wide setup ---------------------------------------------------------------
    def _setup(self) -> None:
        sec = self.doc.sections[0]
        sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)        # A4
        sec.left_margin = sec.right_margin = Cm(2.2)
        sec.top_margin, sec.bottom_margin = Cm(2.0), Cm(2.0)
        if self.rtl:
            _insert(sec._sectPr, OxmlElement("w:bidi"), SECT_ORDER)
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(10.5)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        _set(rpr, "w:szCs", val="21")
        _set(rpr, "w:lang", val="en-GB", bidi="he-IL")
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.15
        props = self.doc.core_properties
        props.author = "acctbook"
        props.title = (HE if self.rtl else EN)["core_title"]
        props.created = props.modified = dt.datetime(2026, 1, 1)
        props.last_modified_by = "acctbook"
        props.revision = 1

    # --- paragraphs ---------------------------------------------------------------------------
    def para(self, parts, *, style=None, align=None, size=None, bold=False, color=None,
             indent=None, space_after=None, container=None):
        c = container if container is not None else self.doc
        p = c.add_paragraph(style=style)
        if self.rtl:
            _bidi(p)
        if align is not None:
            p.alignment = align
        if indent is not None:
            p.paragraph_format.left_indent = indent   # the start side: right in a bidi paragraph
        if space_after is not None:
            p.paragraph_format.space_after = space_after
        for part in ([parts] if isinstance(parts, str) else parts):
            text, b = (part if isinstance(part, tuple) else (part, ""))
            self.run(p, text, bold=bold or b == "b", size=size, color=color)
        return p

    def run(self, p, text, *, bold=False, size=None, color=None):
        r = p.add_run(text)
        if bold:
            r.bold = True
            _set(r._r.get_or_add_rPr(), "w:bCs")
        if size:
            r.font.size = size
            _set(r._r.get_or_add_rPr(), "w:szCs", val=str(int(size.pt * 2)))
        if color is not None:
            r.font.color.rgb = color
        if self.rtl:
            _set(r._r.get_or_add_rPr(), "w:rtl")
        return r

    def tag(self, text, container=None):
        """A paragraph holding only a docxtpl {%p %} tag (docxtpl removes the paragraph)."""
        return self.para([text], container=container)

    # --- tables --------------------------------------------------------------------------------
    def table(self, rows, cols, style="Table Grid"):
        t = self.doc.add_table(rows=rows, cols=cols)
        if style:
            t.style = self.doc.styles[style]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        if self.rtl:
            _insert(t._tbl.tblPr, OxmlElement("w:bidiVisual"), TBL_ORDER)
        return t

    def cell(self, cell, parts, *, bold=False, fill=None, number=False):
        p = cell.paragraphs[0]
        if self.rtl:
            _bidi(p)
        elif number:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(1)
        for part in ([parts] if isinstance(parts, str) else parts):
            self.run(p, part, bold=bold)
        if fill:
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), fill)
            cell._tc.get_or_add_tcPr().append(shd)
        return p


def _set(parent, tag, **attrs):
    """Add (or reuse) child `tag` of an rPr/pPr with w:attrs, keeping the schema order loosely."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


# Word rejects children out of schema order (ECMA-376 sequences, abridged to what we add).
TBL_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
             "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
             "tblLayout", "tblCellMar", "tblLook"]
SECT_ORDER = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
              "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
              "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
              "printerSettings"]


def _insert(parent, el, order: list[str]) -> None:
    """Insert `el` into `parent` before the first child that must follow it."""
    rank = order.index(el.tag.split("}")[1])
    for child in parent:
        name = child.tag.split("}")[1] if isinstance(child.tag, str) else ""
        if name in order and order.index(name) > rank:
            child.addprevious(el)
            return
    parent.append(el)


def _bidi(p) -> None:
    ppr = p._p.get_or_add_pPr()
    if ppr.find(qn("w:bidi")) is None:
        # w:bidi sits early in pPr (after pStyle/keepNext...); Word and LibreOffice accept it here.
        el = OxmlElement("w:bidi")
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(el)
        else:
            ppr.insert(0, el)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert(table._tbl.tblPr, borders, TBL_ORDER)


def _page_field(b: Builder, p) -> None:
    run = b.run(p, "")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), " PAGE ")
    run._r.addprevious(fld)
    fld.append(run._r)
    run._r.append(_text("1"))


def _text(s):
    t = OxmlElement("w:t")
    t.text = s
    return t


# --- the sections of the contract -----------------------------------------------------------
def build(words: dict, rtl: bool) -> Document:
    b = Builder(rtl)
    b.para([words["title"]], style=None, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(18), bold=True,
           color=ACCENT, space_after=Pt(2))
    b.para(words["meta"], align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(10), color=ACCENT,
           space_after=Pt(14))
    b.tag("{%p if supersedes.id %}")          # a new version (acctbook contract --new-version)
    b.para(words["supersedes"], align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_after=Pt(10))
    b.tag("{%p endif %}")
    b.para(words["intro"])
    parties(b, words)
    b.para(words["recital"], space_after=Pt(6))
    number = 0
    for title, body in words["clauses"]:
        if title == "ITEMS":
            items_table(b, words)
            continue
        referral = title == "REFERRAL"
        if referral:
            b.tag("{%p if referral %}")
            title = words["referral_title"]
        number += 1
        heading = b.para([f"{number}.", "\t", title], bold=True, color=ACCENT,
                         space_after=Pt(3))
        heading.paragraph_format.space_before = Pt(10)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.tab_stops.add_tab_stop(Cm(0.63))
        for parts in body:
            if parts == "ENDIF":
                b.tag("{%p endif %}")
            elif isinstance(parts, str) and parts.startswith("IF "):
                b.tag("{%p if " + parts[3:] + " %}")
            else:
                b.para(parts, indent=Cm(0.63))
        if referral:
            b.tag("{%p endif %}")
    signatures(b, words)
    footer(b, words)
    return b.doc


def letter_head(b: Builder, w: dict, last: str) -> None:
    """A letter's head, shared by the quote and the order documents: title, number line,
    from (and its company number, when the words have one), to, attention, then w[last]."""
    b.doc.core_properties.title = w["core_title"]
    b.para([w["title"]], align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(18), bold=True,
           color=ACCENT, space_after=Pt(2))
    b.para(w["meta"], align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(10), color=ACCENT,
           space_after=Pt(14))
    b.para(w["from"], space_after=Pt(0))
    for key, test in (("from_addr", "company.address"), ("from_number", None)):
        if key in w:
            if test:
                b.tag("{%p if " + test + " %}")
            b.para(w[key], space_after=Pt(0))
            if test:
                b.tag("{%p endif %}")
    b.para([w["to_label"]], space_after=Pt(0)).paragraph_format.space_before = Pt(10)
    b.para(w["to"], space_after=Pt(0))
    b.tag("{%p if client.address %}")
    b.para(w["to_addr"], space_after=Pt(0))
    b.tag("{%p endif %}")
    b.tag("{%p if contact.name %}")
    b.para(w["attn"])
    b.tag("{%p endif %}")
    b.para(w[last], space_after=Pt(8)).paragraph_format.space_before = Pt(10)


def build_quote(words: dict, rtl: bool) -> Document:
    """The quote: title and number, from and to, the items with totals, numbered terms
    (prices, payment, delivery, validity), the account manager's name."""
    b = Builder(rtl)
    letter_head(b, words, "intro")
    items_table(b, words)
    for number, (title, body) in enumerate(words["clauses"], 1):
        heading = b.para([f"{number}.", "\t", title], bold=True, color=ACCENT,
                         space_after=Pt(3))
        heading.paragraph_format.space_before = Pt(8)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.tab_stops.add_tab_stop(Cm(0.63))
        for parts in body:
            if parts == "ENDIF":
                b.tag("{%p endif %}")
            elif isinstance(parts, str) and parts.startswith("IF "):
                b.tag("{%p if " + parts[3:] + " %}")
            else:
                b.para(parts, indent=Cm(0.63))
    b.para(words["closing"]).paragraph_format.space_before = Pt(14)
    b.tag("{%p if company.manager %}")
    b.para(words["sign"], space_after=Pt(0))
    b.tag("{%p endif %}")
    b.para(words["sign_mail"])
    footer(b, words)
    return b.doc


def parties(b: Builder, w: dict) -> None:
    ind = Cm(0.8)
    b.para(w["supplier"], indent=ind, space_after=Pt(0))
    b.tag("{%p if company.address %}")
    b.para(w["supplier_addr"], indent=ind, space_after=Pt(0))
    b.tag("{%p endif %}")
    b.para(w["supplier_role"], indent=ind, space_after=Pt(8))
    b.para(w["client"], indent=ind, space_after=Pt(0))
    b.tag("{%p if client.address %}")
    b.para(w["client_addr"], indent=ind, space_after=Pt(0))
    b.tag("{%p endif %}")
    b.para(w["client_role"], indent=ind, space_after=Pt(8))
    b.tag("{%p if contact.name %}")
    b.para(w["contact"], indent=ind)
    b.tag("{%p endif %}")


def items_table(b: Builder, w: dict) -> None:
    # header, {%tr for %}, the item row, {%tr endfor %}, then subtotal / VAT / total
    t = b.table(7, 6)
    head = t.rows[0]
    _repeat_header(head)
    for i, (cell, text) in enumerate(zip(head.cells, w["items_head"])):
        b.cell(cell, [text], bold=True, fill=HEAD_FILL, number=i >= 2)
    b.cell(t.rows[1].cells[0], ["{%tr for item in items %}"])
    for i, (cell, tag) in enumerate(zip(t.rows[2].cells, ITEM_FIELDS)):
        b.cell(cell, [tag], number=i >= 2)
    b.cell(t.rows[3].cells[0], ["{%tr endfor %}"])
    for row, label, value, bold in ((t.rows[4], w["subtotal"], "{{ totals.subtotal }}", False),
                                    (t.rows[5], w["vat"], "{{ totals.vat }}", False),
                                    (t.rows[6], w["total"], "{{ totals.total }}", True)):
        merged = row.cells[0].merge(row.cells[4])
        b.cell(merged, label, bold=bold, number=True, fill=HEAD_FILL if bold else None)
        b.cell(row.cells[5], [value], bold=bold, number=True, fill=HEAD_FILL if bold else None)
    t.autofit = False
    for col, width in zip(t.columns, COL_WIDTHS):
        col.width = width             # the grid: what LibreOffice lays out by
    for row in t.rows:
        for cell, width in zip(row.cells, COL_WIDTHS):
            cell.width = width        # the cells: what Word lays out by
    b.para([""], space_after=Pt(2))


def signatures(b: Builder, w: dict) -> None:
    signed = b.para(w["signed"], space_after=Pt(10))
    signed.paragraph_format.space_before = Pt(14)
    signed.paragraph_format.keep_with_next = True
    t = b.table(6, 2, style=None)
    _no_borders(t)
    cols = [
        [(w["sig_for"][0], True), ("{{ company.name }}", True),
         (w["sig_name"], "{{ signatures.supplier_name }}"),
         (w["sig_title"], "{{ signatures.supplier_title }}"), (w["sig_sign"], None),
         (w["sig_date"], None)],
        [(w["sig_for"][1], True), ("{{ client.legal_name }}", True),
         (w["sig_name"], "{{ signatures.client_name }}"),
         (w["sig_title"], "{{ signatures.client_title }}"), (w["sig_sign"], None),
         (w["sig_date"], None)],
    ]
    for j, col in enumerate(cols):
        for i, (text, extra) in enumerate(col):
            cell = t.rows[i].cells[j]
            if extra is True:
                b.cell(cell, [text], bold=True)
            elif extra:
                b.cell(cell, [text, extra])
            else:
                p = b.cell(cell, [text])
                p.paragraph_format.space_before = Pt(10)
    for row in t.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def footer(b: Builder, w: dict) -> None:
    f = b.doc.sections[0].footer
    p = f.paragraphs[0]
    if b.rtl:
        _bidi(p)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in w["footer"]:
        b.run(p, part, size=Pt(8), color=RGBColor(0x6B, 0x6B, 0x6B))
    _page_field(b, p)


# --- writing --------------------------------------------------------------------------------
# Parts of python-docx's default document that a contract does not need: its stock thumbnail
# (a picture of an empty page) and Word 2010's duplicate of styles.xml, which Word rebuilds.
# Without them a template is half the size, which matters inside an xlwings Lite workbook.
DROPPED = {"docProps/thumbnail.jpeg": "thumbnail.jpeg",
           "word/stylesWithEffects.xml": "stylesWithEffects.xml"}


def _without_dropped(name: str, data: bytes) -> bytes:
    """The relationship and content-type entries of the dropped parts, taken out."""
    if name in ("_rels/.rels", "word/_rels/document.xml.rels"):
        for target in DROPPED.values():
            data = re.sub(rb'<Relationship [^>]*Target="[^"]*' + re.escape(target.encode())
                          + rb'"[^>]*/>', b"", data)
    elif name == "[Content_Types].xml":
        data = re.sub(rb'<Override PartName="/word/stylesWithEffects.xml"[^>]*/>', b"", data)
    return data


def _used_styles_only(src: zipfile.ZipFile) -> bytes:
    """styles.xml with only the styles the document uses (and their defaults and bases),
    without the latent-style list: python-docx's default carries 164 styles, 11 KB
    compressed in each template, which xlwings Lite's bundle carries four times."""
    from lxml import etree
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    used = set()
    for n in src.namelist():
        if n.startswith("word/") and n.endswith(".xml") and n != "word/styles.xml":
            used |= set(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"',
                                   src.read(n).decode("utf-8")))
    root = etree.fromstring(src.read("word/styles.xml"))
    ids = {s.get(w + "styleId"): s for s in root.findall(w + "style")}
    keep: set[str] = set()

    def add(i):
        if i in ids and i not in keep:
            keep.add(i)
            based = ids[i].find(w + "basedOn")
            if based is not None:
                add(based.get(w + "val"))
    for i in [i for i, s in ids.items() if s.get(w + "default") == "1"] + sorted(used):
        add(i)
    for i, s in ids.items():
        if i not in keep:
            root.remove(s)
    latent = root.find(w + "latentStyles")
    if latent is not None:
        root.remove(latent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def save_deterministic(doc: Document, path: Path) -> None:
    """python-docx stamps zip entries with the current time; rewrite them with a fixed one."""
    buf = io.BytesIO()
    doc.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename in DROPPED:
                continue
            data = (_used_styles_only(src) if info.filename == "word/styles.xml"
                    else _without_dropped(info.filename, src.read(info)))
            z.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data,
                       compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    path.write_bytes(out.getvalue())


def main(folder: Path = HERE) -> list[Path]:
    out = []
    for name, words, rtl, make in (("contract.docx", EN, False, build),
                                   ("contract.he.docx", HE, True, build),
                                   ("quote.docx", QUOTE_EN, False, build_quote),
                                   ("quote.he.docx", QUOTE_HE, True, build_quote)):
        path = folder / name
        save_deterministic(make(words, rtl), path)
        out.append(path)
    from build_order_templates import main as order_templates   # delivery note, invoice
    from build_campaign_templates import main as campaign_templates   # campaign letters
    return out + order_templates(folder) + campaign_templates(folder)


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {p}")
