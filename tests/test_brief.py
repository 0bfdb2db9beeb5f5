"""`acctbook brief`: one client on one page before a meeting, as HTML (and PDF) or JSON.

The books are planted with acctbook.create.workbook (English and Hebrew) with one of
everything for one client; the brief is run through the command line, its HTML read back as
text with lxml, its JSON parsed, and the refreshed book's figures read with python-calamine,
so the brief's class, rank and risk are checked against the cells refresh writes."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli
from acctbook.book import schema
from acctbook.core.brief import brief_rows
from acctbook.create.workbook import create_workbook
from acctbook.documents import pdf as pdf_runner

TODAY = dt.date(2026, 6, 15)          # a Monday; IL: Sun-Thu week
D = dt.date
CLIENT = "C-100"
NAME = "Target & Co <Ltd>"            # autoescaped, never markup


def _touches() -> list[dict]:
    """11 interactions a week apart: Touch 01 the newest, Touch 11 the oldest."""
    return [{"date": TODAY - dt.timedelta(days=7 * k), "client_id": CLIENT, "contact_id": "P-101",
             "channel": "Phone", "direction": "Out", "subject": f"Touch {k:02d}",
             "outcome": "Reached"} for k in range(1, 12)]


DATA = {
    "Clients": [
        {"client_id": CLIENT, "name": NAME, "segment": "Healthcare", "region": "North",
         "city": "Haifa", "owner": "Noa", "status": "Active", "created": D(2024, 1, 10),
         "phone": "04-8123456", "payment_terms": 30},
        {"client_id": "C-200", "name": "Peer One", "segment": "Healthcare", "status": "Active",
         "created": D(2024, 1, 10)},
        {"client_id": "C-300", "name": "Peer Two", "segment": "Healthcare", "status": "Active",
         "created": D(2024, 1, 10)},
    ],
    "Contacts": [      # the second contact is the Primary: it comes first
        {"contact_id": "P-102", "client_id": CLIENT, "name": "Eli Birthday", "role": "Buyer",
         "birthday": D(1990, 6, 25)},                    # in 10 days
        {"contact_id": "P-101", "client_id": CLIENT, "name": "Dana Primary", "role": "CFO",
         "phone": "054-4123456", "primary": "Yes", "birthday": D(1980, 1, 1)},
    ],
    "Interactions": _touches(),
    "Deals": [
        {"deal_id": "D-100", "client_id": CLIENT, "title": "Open deal title", "stage": "Proposal",
         "amount": 10000, "probability": 50, "expected_close": D(2026, 7, 30),
         "stage_since": D(2026, 6, 1), "created": D(2026, 5, 1)},
        {"deal_id": "D-101", "client_id": CLIENT, "title": "Lost deal title", "stage": "Lost",
         "amount": 5000, "lost_reason": "Price", "lost_to": "RivalCo",
         "stage_since": D(2026, 3, 1), "created": D(2026, 1, 1)},
    ],
    "Orders": [
        {"order_id": "SO-100", "client_id": CLIENT, "order_date": D(2026, 6, 1), "sku": "P-A",
         "quantity": 2, "unit_price": 100, "status": "Open", "due_date": D(2026, 6, 20)},
        {"order_id": "SO-101", "client_id": CLIENT, "order_date": D(2026, 3, 1), "sku": "P-A",
         "amount": 3000, "status": "Delivered", "delivered_on": D(2026, 3, 10),
         "invoice_date": D(2026, 3, 10), "invoice_due": D(2026, 4, 9)},      # 67 days overdue
        {"order_id": "SO-102", "client_id": CLIENT, "order_date": D(2026, 5, 5), "sku": "P-A",
         "amount": 1500, "status": "Delivered", "delivered_on": D(2026, 5, 6),
         "invoice_due": D(2026, 6, 5), "paid_on": D(2026, 6, 4)},
        {"order_id": "SO-103", "client_id": CLIENT, "order_date": D(2025, 12, 5), "sku": "P-A",
         "amount": 700, "status": "Delivered", "delivered_on": D(2025, 12, 6),
         "invoice_due": D(2026, 1, 5), "paid_on": D(2026, 1, 4)},
        {"order_id": "SO-104", "client_id": CLIENT, "order_date": D(2025, 5, 5), "sku": "P-A",
         "amount": 999, "status": "Delivered", "delivered_on": D(2025, 5, 6),
         "invoice_due": D(2025, 6, 5), "paid_on": D(2025, 6, 4)},            # before the trend
        *[{"order_id": f"SO-2{i}{k}", "client_id": peer, "order_date": D(2026, 4, 1 + k),
           "sku": sku, "amount": 500, "status": "Delivered", "delivered_on": D(2026, 4, 2 + k),
           "invoice_due": D(2026, 5, 2), "paid_on": D(2026, 5, 1)}
          for i, peer in enumerate(("C-200", "C-300")) for k, sku in enumerate(("P-A", "P-B"))],
    ],
    "Contracts": [
        # End − 30 days = Mon 2026-08-31, a business day
        {"contract_id": "CTR-2025-0100", "client_id": CLIENT, "status": "Signed",
         "start": D(2025, 9, 1), "end": D(2026, 9, 30), "renewal_notice": 30, "value": 20000,
         "signed_on": D(2025, 8, 25)},
        {"contract_id": "CTR-2024-0100", "client_id": CLIENT, "status": "Cancelled",
         "start": D(2024, 9, 1), "end": D(2025, 9, 30)},
    ],
    "Complaints": [
        {"case_id": "K-100", "client_id": CLIENT, "opened": D(2026, 6, 10), "severity": "High",
         "category": "Quality", "description": "Broken widget complaint", "status": "Open"},
        {"case_id": "K-101", "client_id": CLIENT, "opened": D(2026, 2, 10), "severity": "Low",
         "description": "Old resolved complaint", "status": "Resolved",
         "resolved_on": D(2026, 2, 11)},
    ],
    "Products": [
        {"sku": "P-A", "name": "Widget A", "list_price": 100, "active": "Yes",
         "launched": D(2024, 1, 1)},
        {"sku": "P-B", "name": "Widget B", "list_price": 250, "active": "Yes",
         "launched": D(2024, 1, 1)},
    ],
    "Competitors": [
        {"competitor": "RivalCo", "segments": "Laboratories", "strengths": "Rival strength line",
         "weaknesses": "Rival weakness line", "opportunities": "Rival opportunity line",
         "threats": "Rival threat line", "price_level": "Lower"},
        {"competitor": "SegCo", "segments": "Academia, healthcare",
         "strengths": "Seg strength line", "threats": "Seg threat line"},
        {"competitor": "OtherCo", "segments": "Academia", "strengths": "Other strength line"},
    ],
}
SETTINGS = {"segments": "Healthcare, Laboratories, Academia"}
# What a reader sees, per language: dates and amounts as the page writes them (babel).
SEEN = {
    "en": {"birthday": "birthday Jun 25, 2026", "overdue": "67 days overdue",
           "renewal": "Aug 31, 2026", "weighted": "₪5,000", "stage": "Proposal",
           "lost": "lost to them: D-101", "segment": "active in Healthcare",
           "unknown": "acctbook: client C-999 is not in Clients (no row with that Client ID)",
           "headers": ["Section", "Item", "Detail", "Amount", "Date"]},
    "he": {"birthday": "יום הולדת 25 ביוני 2026", "overdue": "באיחור של 67 ימים",
           "renewal": "31 באוג׳ 2026", "weighted": "5,000 ₪", "stage": schema.CHOICE_HE["Proposal"],
           "lost": "הפסדנו להם: D-101", "segment": "פעילים בפלח Healthcare",
           "unknown": "acctbook: הלקוח C-999 אינו בגיליון לקוחות (אין שורה עם מזהה לקוח כזה)",
           "headers": ["נושא", "פריט", "פרטים", "סכום", "תאריך"]},
}
_MARKS = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def plain(text: str) -> str:
    """Text as a reader sees it: no invisible direction marks, one space for any run."""
    return " ".join(_MARKS.sub("", text).replace("\xa0", " ").split())


@pytest.fixture(params=["en", "he"])
def planted(request, tmp_path):
    lang = request.param
    path = create_workbook(tmp_path / f"book.{lang}.xlsx", lang, data=copy.deepcopy(DATA),
                           settings=SETTINGS)
    return lang, path


def run_brief(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["brief", *map(str, argv), "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    return code, out.out, out.err


def html_text(path: Path) -> str:
    """The page's body as text (each cell's text on its own)."""
    body = lxml.html.fromstring(path.read_text(encoding="utf-8")).body
    return plain(" ".join(t for t in body.itertext()))


def table(path: Path, spec: schema.Table, lang: str) -> list[dict]:
    """A table of the book read with python-calamine, keyed by schema key."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(spec.name)
    keys = {c.label(lang): c.key for c in spec.columns}
    return [{keys.get(h, h): v for h, v in zip(t.columns, row)} for row in t.to_python()]


# --- the page ---------------------------------------------------------------------------------
def test_the_page_lists_one_of_everything(planted, capsys, tmp_path):
    lang, book = planted
    seen = SEEN[lang]
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    code, out, err = run_brief(capsys, book, CLIENT)
    assert (code, err) == (0, "")
    page = book.parent / f"brief-{CLIENT}.html"                  # beside the book
    assert str(page) in out
    raw = page.read_text(encoding="utf-8")
    assert f'dir="{"rtl" if lang == "he" else "ltr"}"' in raw and "&lt;Ltd&gt;" in raw
    text = html_text(page)
    assert NAME in text
    # contacts: the Primary first, the birthday in 10 days flagged with its date
    assert text.index("Dana Primary") < text.index("Eli Birthday")
    assert seen["birthday"] in text
    # the last ten touches, newest first; the eleventh is left out
    positions = [text.index(f"Touch {k:02d}") for k in range(1, 11)]
    assert positions == sorted(positions) and "Touch 11" not in text
    # everything open
    for item in ("D-100", "Open deal title", seen["stage"], seen["weighted"], "SO-100",
                 "SO-101", seen["overdue"], "K-100", "Broken widget complaint",
                 "CTR-2025-0100", seen["renewal"]):
        assert item in text, item
    for gone in ("Lost deal title", "SO-102", "Old resolved complaint", "CTR-2024-0100"):
        assert gone not in text, gone
    # the competitors in play: lost to, and in the client's segment, with their SWOT lines
    for item in ("RivalCo", seen["lost"], "Rival strength line", "Rival weakness line",
                 "Rival opportunity line", "Rival threat line", "SegCo", seen["segment"],
                 "Seg strength line", "Seg threat line"):
        assert item in text, item
    assert "OtherCo" not in text
    # what to offer: what its peers in Healthcare buy and it does not
    assert "Widget B" in text and "P-B" in text
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before    # the book untouched


def test_the_json_is_the_same_content_and_refreshs_figures(planted, capsys, tmp_path):
    lang, book = planted
    code, out, err = run_brief(capsys, book, CLIENT, "--json", "--out", tmp_path / "nothing")
    assert (code, err) == (0, "")
    assert not (tmp_path / "nothing").exists() and not list(book.parent.glob("brief-*"))
    b = json.loads(out)
    g = b["client"]
    assert (b["lang"], b["today"], b["currency"], g["client_id"], g["name"]) == \
        (lang, TODAY.isoformat(), "ILS", CLIENT, NAME)
    assert [c["name"] for c in b["contacts"]] == ["Dana Primary", "Eli Birthday"]
    assert [c["birthday_soon"] for c in b["contacts"]] == [None, "2026-06-25"]
    assert b["touches_total"] == 11
    assert [t["subject"] for t in b["touches"]] == [f"Touch {k:02d}" for k in range(1, 11)]
    assert [t["date"] for t in b["touches"]][:2] == ["2026-06-08", "2026-06-01"]
    assert [(d["deal_id"], d["stage"], d["amount"], d["probability"], d["weighted"])
            for d in b["deals"]] == [("D-100", "Proposal", 10000, 50, 5000)]
    assert [(o["order_id"], o["amount"], o["due_date"]) for o in b["orders"]] == \
        [("SO-100", 200, "2026-06-20")]
    assert [(i["order_id"], i["amount"], i["days_overdue"]) for i in b["invoices"]] == \
        [("SO-101", 3000, 67)]
    assert [(c["case_id"], c["severity"], c["status"]) for c in b["complaints"]] == \
        [("K-100", "High", "Open")]
    assert b["complaints"][0]["sla_due"] == "2026-06-11"          # + 1 business day
    assert [(k["contract_id"], k["end"], k["renewal_date"]) for k in b["contracts"]] == \
        [("CTR-2025-0100", "2026-09-30", "2026-08-31")]
    rivals = {c["name"]: c for c in b["competitors"]}
    assert list(rivals) == ["RivalCo", "SegCo"]
    assert rivals["RivalCo"]["lost_deals"] == ["D-101"] and not rivals["RivalCo"]["in_segment"]
    assert rivals["RivalCo"]["strengths"] == "Rival strength line"
    assert rivals["SegCo"]["in_segment"] and rivals["SegCo"]["threats"] == "Seg threat line"
    assert [o["sku"] for o in b["offers"]][:1] == ["P-B"]
    assert all(o["sku"] != "P-A" for o in b["offers"])             # it buys P-A already
    trend = {t["month"]: t["revenue"] for t in g["trend"]}
    assert list(trend)[0] == "2025-07" and list(trend)[-1] == "2026-06"
    assert {m: v for m, v in trend.items() if v} == \
        {"2025-12": 700, "2026-03": 3000, "2026-05": 1500, "2026-06": 200}
    # class, rank, tier, risk and Revenue 12m: what refresh writes into Clients
    api.refresh(book, today=TODAY)
    row = next(r for r in table(book, schema.CLIENTS, lang) if r["client_id"] == CLIENT)
    shown = {v: k for k, v in schema.CHOICE_HE.items()} if lang == "he" else {}
    assert (g["class"], g["rank"], g["tier"], g["risk"], g["revenue_12m"]) == \
        (row["class"], row["rank"], shown.get(row["tier"], row["tier"]),
         shown.get(row["risk"], row["risk"]), row["revenue_12m"])
    assert g["risk"] == "High" and g["risk_reasons"]                 # 67 days overdue
    points = next(r for r in table(book, schema.RANKINGS, lang) if r["client_id"] == CLIENT)
    assert g["points"] == {k: points[f"pts_{k}"] for k in g["points"]}


def test_the_sheet_rows_carry_the_same_items(planted):
    lang, book = planted
    made = api.brief(book, CLIENT, today=TODAY, write=False)
    headers, rows = brief_rows(made.brief)
    assert headers == SEEN[lang]["headers"]
    assert all(len(r) == 5 for r in rows)
    text = plain(" ".join(str(c) for r in rows for c in r if c is not None))
    for item in ("Dana Primary", "Eli Birthday", "Touch 10", "D-100", "SO-100", "SO-101",
                 SEEN[lang]["overdue"], "K-100", "CTR-2025-0100", "RivalCo", "Rival threat line",
                 "SegCo", "Widget B"):
        assert item in text, item
    assert "Touch 11" not in text
    invoice = next(r for r in rows if r[1] == "SO-101")
    assert (invoice[3], invoice[4]) == (3000, D(2026, 4, 9))       # numbers and dates


# --- refused, and the PDF ------------------------------------------------------------------------
def test_an_unknown_client_is_one_line_and_exit_1(planted, capsys):
    lang, book = planted
    before = book.read_bytes()
    code, out, err = run_brief(capsys, book, "C-999")
    assert (code, out, err) == (1, "", SEEN[lang]["unknown"] + "\n")
    assert not list(book.parent.glob("brief-*")) and book.read_bytes() == before


def test_a_client_id_typed_in_another_case_is_that_client(planted, capsys):
    _lang, book = planted
    code, out, _err = run_brief(capsys, book, "c-100 ", "--json")
    assert code == 0 and json.loads(out)["client"]["client_id"] == CLIENT


@pytest.mark.skipif(not (pdf_runner.find_browser() and shutil.which("pdfinfo")),
                    reason="needs Chromium/Chrome/Edge and pdfinfo")
def test_the_pdf_is_one_page_and_the_book_is_not_written(planted, capsys, tmp_path):
    lang, book = planted
    before = book.read_bytes()
    code, out, err = run_brief(capsys, book, CLIENT, "--pdf", "--out", tmp_path / "briefs")
    assert (code, err) == (0, "")
    pdf = tmp_path / "briefs" / f"brief-{CLIENT}.pdf"
    assert pdf.is_file() and (tmp_path / "briefs" / f"brief-{CLIENT}.html").is_file()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert book.read_bytes() == before
