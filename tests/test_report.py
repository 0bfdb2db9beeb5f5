"""The monthly report (SPEC section 6): figures by hand, HTML, the sheet with charts, PDF.

One small book for May 2026, every figure worked out by hand in the comments.
Israel, Sun-Thu work week; public holidays nearby: 2026-04-22 (Wed), 2026-05-22 (Fri).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from acctbook.documents import figures, report_html, report_sheet
from acctbook.documents import pdf as pdf_runner
from acctbook.book.coerce import book_from_rows
from acctbook.book.model import AcctbookError

D = dt.date
MONTH = "2026-05"
INJ_VARS = "{{ 7*7 }}"
INJ_LOOP = "{% for x in ().__class__.__mro__ %}x{% endfor %}"
AMP = "Tom & Jerry <Ltd>"
COMPANY = "Acme & <Sons>"
FORMULA = "=SUM(1,2)"


def _book(**extra):
    """The May 2026 book; `extra`: table name -> rows added to it (for one test only)."""
    clients = [
        # C1 and C2 exist before May; C3 and C4 are new in May (one by referral); C5 is Lost.
        {"client_id": "C1", "name": "Zeta Industries", "status": "Active", "source": "Website",
         "created": D(2024, 1, 10)},
        {"client_id": "C2", "name": INJ_VARS, "status": "Active", "source": "Partner",
         "created": D(2025, 2, 1)},
        {"client_id": "C3", "name": INJ_LOOP, "status": "Active", "source": "Referral",
         "referred_by": "C1", "created": D(2026, 5, 3)},
        {"client_id": "C4", "name": AMP, "status": "Prospect", "source": "Exhibition",
         "created": D(2026, 5, 20)},
        {"client_id": "C5", "name": "Gone Ltd", "status": "Lost", "source": "Referral",
         "referred_by": "C1", "created": D(2026, 4, 15)},
    ]
    orders = [
        # O1: two lines, the second without Amount: 10 × 50 × (1 − 10/100) = 450.
        {"order_id": "O1", "client_id": "C1", "order_date": D(2026, 5, 4), "amount": 1000,
         "due_date": D(2026, 5, 10), "delivered_on": D(2026, 5, 9), "status": "Delivered"},
        {"order_id": "O1", "client_id": "C1", "order_date": D(2026, 5, 4), "quantity": 10,
         "unit_price": 50, "discount": 10, "due_date": D(2026, 5, 20),
         "delivered_on": D(2026, 5, 22), "status": "Delivered"},
        {"order_id": "O2", "client_id": "C2", "order_date": D(2026, 5, 15), "amount": 2000,
         "due_date": D(2026, 5, 30), "status": "Open"},
        {"order_id": "O3", "client_id": "C1", "order_date": D(2026, 5, 20), "amount": 5000,
         "due_date": D(2026, 5, 25), "status": "Cancelled"},
        {"order_id": "O4", "client_id": "C2", "order_date": D(2026, 4, 10), "amount": 1500,
         "due_date": D(2026, 4, 20), "delivered_on": D(2026, 4, 19), "status": "Delivered"},
        {"order_id": "O5", "client_id": "C1", "order_date": D(2025, 5, 12), "amount": 800,
         "status": "Delivered"},
        {"order_id": "O6", "client_id": "C3", "order_date": D(2026, 5, 31), "amount": 300,
         "due_date": D(2026, 6, 5), "status": "Open"},
    ]
    deals = [
        # Won/Lost count by Stage since in May: won D1, D9, D12; lost D2, D3, D10, D11.
        {"deal_id": "D1", "client_id": "C1", "title": "t", "stage": "Won", "amount": 10000,
         "stage_since": D(2026, 5, 10)},
        {"deal_id": "D2", "client_id": "C2", "title": "t", "stage": "Lost", "amount": 5000,
         "stage_since": D(2026, 5, 12), "lost_reason": "Price", "lost_to": "Rival & Co"},
        {"deal_id": "D3", "client_id": "C1", "title": "t", "stage": "Lost", "amount": 100,
         "stage_since": D(2026, 5, 25), "lost_reason": "Price", "lost_to": FORMULA},
        {"deal_id": "D4", "client_id": "C3", "title": "t", "stage": "Lost", "amount": 100,
         "stage_since": D(2026, 4, 28), "lost_reason": "Price", "lost_to": "Rival & Co"},
        # Open: D5 Proposal 10000 × 60 (Settings, Probability blank) = 6000;
        # D6 Negotiation 20000 × 50 = 10000; D8 Qualified 4000 × 20 (blank) = 800, Created
        # blank counts; D7 is created after May and stays out of the May pipeline.
        {"deal_id": "D5", "client_id": "C2", "title": "t", "stage": "Proposal", "amount": 10000,
         "stage_since": D(2026, 3, 1), "created": D(2026, 3, 1)},
        {"deal_id": "D6", "client_id": "C4", "title": "t", "stage": "Negotiation",
         "amount": 20000, "probability": 50, "stage_since": D(2026, 5, 27),
         "created": D(2026, 5, 20)},
        {"deal_id": "D7", "client_id": "C1", "title": "t", "stage": "Lead", "amount": 5000,
         "created": D(2026, 6, 3)},
        {"deal_id": "D8", "client_id": "C3", "title": "t", "stage": "Qualified", "amount": 4000},
        {"deal_id": "D9", "client_id": "C2", "title": "t", "stage": "Won", "amount": 2500,
         "stage_since": D(2026, 5, 31)},
        {"deal_id": "D10", "client_id": "C4", "title": "t", "stage": "Lost", "amount": 100,
         "stage_since": D(2026, 5, 15), "lost_reason": "Price", "lost_to": "Rival & Co"},
        {"deal_id": "D11", "client_id": "C3", "title": "t", "stage": "Lost", "amount": 100,
         "stage_since": D(2026, 5, 20), "lost_reason": "Timing"},
        {"deal_id": "D12", "client_id": "C1", "title": "t", "stage": "Won", "amount": 500,
         "stage_since": D(2026, 5, 2)},
    ]
    interactions = [
        {"date": D(2026, 4, 20), "client_id": "C1", "channel": "Phone", "outcome": "Reached"},
        {"date": D(2026, 5, 5), "client_id": "C1", "channel": "Phone", "outcome": "Reached"},
        {"date": D(2026, 5, 6), "client_id": "C1", "channel": "Email", "outcome": "Info sent"},
        {"date": D(2026, 5, 12), "client_id": "C2", "channel": "Phone", "outcome": "Reached"},
        {"date": D(2026, 5, 18), "client_id": "C2", "channel": "Meeting", "event_id": "E1"},
        {"date": D(2026, 5, 18), "client_id": "C3", "channel": "Event", "event_id": "E1"},
        {"date": D(2026, 5, 25), "client_id": "C4", "channel": "Event", "event_id": "E2"},
        {"date": D(2026, 6, 2), "client_id": "C2", "channel": "Phone", "outcome": "Reached"},
    ]
    complaints = [
        # K1 Mon 05-04 High (1 bd): due Tue 05-05, resolved 05-05: Met.
        {"case_id": "K1", "client_id": "C1", "opened": D(2026, 5, 4), "severity": "High",
         "status": "Resolved", "resolved_on": D(2026, 5, 5)},
        # K2 Wed 05-06 Low (5 bd: 7, 10, 11, 12, 13): due 05-13, resolved 05-20: Missed.
        {"case_id": "K2", "client_id": "C2", "opened": D(2026, 5, 6), "severity": "Low",
         "status": "Resolved", "resolved_on": D(2026, 5, 20)},
        # K3 opened in April (Mon 04-27, Medium: due 04-29), resolved 05-03: Missed.
        {"case_id": "K3", "client_id": "C1", "opened": D(2026, 4, 27), "severity": "Medium",
         "status": "Resolved", "resolved_on": D(2026, 5, 3)},
        # K4 still open; K5 resolved only in June.
        {"case_id": "K4", "client_id": "C3", "opened": D(2026, 5, 27), "severity": "Low",
         "status": "Open"},
        {"case_id": "K5", "client_id": "C2", "opened": D(2026, 5, 10), "severity": "Medium",
         "status": "Resolved", "resolved_on": D(2026, 6, 2)},
        # K6 Mon 05-11 High, resolved the same day: Met.
        {"case_id": "K6", "client_id": "C1", "opened": D(2026, 5, 11), "severity": "High",
         "status": "Resolved", "resolved_on": D(2026, 5, 11)},
    ]
    events = [
        {"event_id": "E1", "name": "Spring Expo", "type": "Exhibition", "date": D(2026, 5, 18)},
        {"event_id": "E2", "name": "April Fair", "type": "Fair", "date": D(2026, 4, 20)},
        {"event_id": "E3", "name": "Webinar X", "type": "Webinar", "date": D(2026, 5, 28)},
    ]
    tiers = [{"tier": "Gold", "min_revenue_12m": 3000, "discount": 7},
             {"tier": "Silver", "min_revenue_12m": 1000, "discount": 3},
             {"tier": "Standard", "min_revenue_12m": 0, "discount": 0}]
    tables = {"Clients": clients, "Orders": orders, "Deals": deals, "Interactions": interactions,
              "Complaints": complaints, "Events": events, "Tiers": tiers}
    for name, rows in extra.items():
        tables[name] = tables[name] + rows
    return book_from_rows(
        tables,
        settings={"company_name": COMPANY, "manager_name": "Dana Levi", "currency": "ILS"})


@pytest.fixture(scope="module")
def report():
    return figures.month_figures(_book(), MONTH)


# --- the figures ---------------------------------------------------------------------------------
def test_revenue_against_previous_month_and_a_year_before(report):
    # May: O1 1000 + 450, O2 2000, O6 300 (O3 Cancelled) = 3750; April: O4 1500;
    # May 2025: O5 800. Changes: 3750/1500 − 1 = 1.5; 3750/800 − 1 = 3.6875.
    assert report.revenue == 3750
    assert report.revenue_prev == 1500 and report.revenue_prev_change == pytest.approx(1.5)
    assert report.revenue_year_ago == 800
    assert report.revenue_year_ago_change == pytest.approx(3.6875)
    # The chart series: the 12 months June 2025 .. May 2026; only April and May sold.
    months = [m for m, _ in report.revenue_series]
    assert months[0] == "2025-06" and months[-1] == "2026-05" and len(months) == 12
    assert dict(report.revenue_series) == {**{m: 0.0 for m in months}, "2026-04": 1500,
                                           "2026-05": 3750}


def test_orders_and_new_clients(report):
    # Orders O1, O2, O6 (O3 Cancelled) = 3 with 4 lines; new: C3 (Referral), C4.
    assert (report.orders, report.order_lines) == (3, 4)
    assert (report.new_clients, report.new_by_referral) == (2, 1)


def test_deals_won_lost_win_rate_and_competitors(report):
    # Won D1 10000 + D9 2500 + D12 500; lost D2, D3, D10, D11 (D4 in April): 3 / 7.
    assert (report.deals_won, report.won_amount, report.deals_lost) == (3, 13000, 4)
    assert report.win_rate == pytest.approx(3 / 7)
    assert report.lost_by_competitor == [("Rival & Co", 2), (FORMULA, 1), (None, 1)]


def test_weighted_pipeline_at_month_end_by_stage(report):
    got = {p.stage: (p.deals, p.amount, p.weighted) for p in report.pipeline}
    assert got == {"Lead": (0, 0, 0), "Qualified": (1, 4000, 800),
                   "Needs analysis": (0, 0, 0), "Proposal": (1, 10000, 6000),
                   "Negotiation": (1, 20000, 10000)}
    assert report.pipeline_weighted == 16800


def test_interactions_by_channel(report):
    # May: Phone 05-05, 05-12; Email 05-06; Meeting 05-18; Event 05-18, 05-25.
    assert dict(report.by_channel) == {"Phone": 2, "Email": 1, "Meeting": 1, "Chat": 0,
                                       "Fax": 0, "Mail": 0, "Event": 2}
    assert report.interactions == 6


def test_follow_ups_overdue_at_month_end(report):
    # As of 05-31: C1 Cadence A: last contact 05-06 + 14 = 05-20 (overdue).
    # C2: complaint K5 (open at month end): later of 05-10 and contact 05-18, + 2 bd = 05-20.
    # C3: K4 05-27 + 5 bd = 06-03; delivery O6 06-05 − 2 bd = 06-03; cadence B 06-17.
    # C4: stale D6 05-27 + 3 bd = 06-01; cadence Prospect 05-25 + 7 = 06-01. C5 Lost.
    assert report.followups_overdue == 2


def test_complaints_and_deliveries(report):
    # Opened in May: K1, K2, K4, K5, K6. Resolved in May: K1, K2, K3, K6; Met: K1, K6.
    assert (report.complaints_opened, report.complaints_resolved, report.sla_met) == (5, 4, 2)
    assert report.sla_met_rate == pytest.approx(0.5)
    # Due in May: O1 line 1 (on time), O1 line 2 (late), O2 (not delivered); O3 Cancelled.
    assert (report.deliveries_due, report.deliveries_on_time) == (3, 1)
    assert report.on_time_rate == pytest.approx(1 / 3)


def test_events_and_clients_attending(report):
    # E1 (05-18) and E3 (05-28) held in May; E1 brought C2 and C3; E2 was in April.
    assert [(e.event_id, e.clients) for e in report.events] == [("E1", 2), ("E3", 0)]
    assert report.event_clients == 2


def test_top_accounts_and_rank_movement(report):
    # As of 05-31 (window after 2025-05-31), non-Lost C1..C4, percentile ranks (avg ties):
    #   revenue 12m  C1 1450, C2 3500, C3 300, C4 0        -> .75 1 .5 .25    (× .50)
    #   growth       C1 1450/800−1 (the one real base), C2, C3, C4 new -> 1 .5 .5 .5 (× .15)
    #   orders       C1 1, C2 2 (O2, O4), C3 1, C4 0          -> .625 1 .625 .25 (× .15)
    #   recency      C1 27 d, C2 16 d, C3 0 d, C4 none        -> .5 .75 1 .25    (× .10)
    #   pipeline     C1 0 (D7 later), C2 6000, C3 800, C4 10000 -> .25 .75 .5 1 (× .10)
    # Score: C1 69.375, C2 87.5, C3 56.875, C4 36.25 -> C2, C1, C3, C4.
    # Class (A 80 %, B 95 %): C2 A (0), C1 A (3500/5250), C3 B (4950/5250).
    # As of 04-30 only C1 (800) and C2 (1500) ranked: C2 1, C1 2 (C3 and C4 not yet clients).
    got = [(a.rank, a.client_id, a.name, a.cls, a.tier, a.revenue_12m, a.prev_rank, a.movement,
            a.delta) for a in report.top]
    assert got == [
        (1, "C2", INJ_VARS, "A", "Gold", 3500, 1, "same", 0),
        (2, "C1", "Zeta Industries", "A", "Silver", 1450, 2, "same", 0),
        (3, "C3", INJ_LOOP, "B", "Standard", 300, None, "new", 0),
        (4, "C4", AMP, None, "Standard", 0, None, "new", 0),
    ]


def test_a_month_that_is_not_yyyy_mm_is_a_clear_error():
    for bad in ("2026-13", "May 2026", "2026-5", ""):
        with pytest.raises(AcctbookError, match="YYYY-MM"):
            figures.month_figures(_book(), bad)


# --- HTML ------------------------------------------------------------------------------------------
def _rows(html: str) -> dict[str, str]:
    """The page's label/value rows (a row heading and its number), read with lxml."""
    from lxml import html as lxml_html
    doc = lxml_html.fromstring(html)
    return {tr.xpath("string(th)").strip(): tr.xpath("string(td[@class='num'])").strip()
            for tr in doc.xpath("//table[@class='kv']//tr")}


def _chart_texts(html: str) -> list[list[str]]:
    """Each inline chart's texts: matplotlib draws them as shapes and names each in a comment."""
    return [re.findall(r"<!-- (.*?) -->", svg, re.S) for svg in re.findall(r"<svg .*?</svg>", html, re.S)]


def test_html_in_english_shows_the_figures_formatted(report):
    html = report_html.render_html(report, "en")
    assert '<html lang="en" dir="ltr">' in html
    rows = _rows(html)
    for label, value in [("Revenue in the month", "₪3,750"), ("Previous month", "₪1,500"),
                         ("Change vs previous month", "+150.0%"),
                         ("Change vs same month last year", "+368.8%"),
                         ("Orders", "3"), ("New clients", "2"), ("of them by referral", "1"),
                         ("Won amount", "₪13,000"), ("Win rate", "42.9%"),
                         ("Follow-ups overdue at month end", "2"), ("SLA met", "50.0%"),
                         ("On time", "33.3%"), ("Events held", "2"), ("Clients attending", "2")]:
        assert rows[label] == value, (label, rows.get(label), value)
    assert re.search(r"<td>Proposal</td><td [^>]*>.*?>1</bdi></td><td [^>]*>.*?>₪10,000</bdi></td>"
                     r"<td [^>]*>.*?>₪6,000</bdi></td>", html)
    assert "May 2026" in html and "Spring Expo" in html
    assert "<script" not in html
    svgs = [etree.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, re.S)]
    assert [x.get("aria-label") for x in svgs] == [       # well-formed XML, in page order
        "Revenue, last 12 months", "Weighted pipeline by stage", "Interactions by channel",
        "Revenue 12m by segment"]                          # the segment section's, last
    months, stages, channels, _segments = _chart_texts(html)
    # Every category labelled: 12 months, 5 stages, 7 channels; values with separators.
    assert all(m in months for m in ("Jun 25", "Apr 26", "May 26")) and "4,000" in months
    assert all(s in stages for s in ("Lead", "Qualified", "Needs analysis", "Proposal",
                                     "Negotiation", "₪6,000", "₪10,000"))
    assert all(c in channels for c in ("Phone", "Email", "Meeting", "Chat", "Fax", "Mail", "Event"))


def test_html_in_hebrew_is_right_to_left_with_hebrew_labels(report):
    html = report_html.render_html(report, "he")
    assert '<html lang="he" dir="rtl">' in html
    rows = _rows(html)
    assert rows["הכנסות בחודש"] == "\u200f3,750\xa0\u200f₪"   # babel's he: RLM, number, nbsp, RLM, ₪
    assert rows["שיעור הצלחה"] == "42.9%"
    assert "מאי 2026" in html
    assert "<td>הצעה</td>" in html          # the stage Proposal shown in Hebrew
    assert "פלטינום" not in html and "זהב" in html   # tier Gold in Hebrew


def test_figures_are_whole_and_signed_numbers_read_left_to_right(report):
    """Every figure is a <bdi> that does not wrap; percents and signed changes are
    left-to-right inside it, so a Hebrew page shows +150.0%, never 150.0%+."""
    from lxml import html as lxml_html
    for lang in ("en", "he"):
        doc = lxml_html.fromstring(report_html.render_html(report, lang))
        changes = [b for b in doc.xpath("//bdi") if b.text_content().startswith("+")]
        assert changes and all(b.get("dir") == "ltr" for b in changes)
        money = [b for b in doc.xpath("//bdi") if "₪" in b.text_content()]
        assert money and all(b.get("class").startswith("amt") for b in money)
        assert "bdi.amt { white-space: nowrap; }" in lxml_html.tostring(doc, encoding=str)


def test_the_key_figures_come_first_as_cards(report):
    from lxml import html as lxml_html
    for lang, want in (("en", ["Revenue this month", "Change vs previous month", "Orders",
                               "New clients", "Win rate", "Weighted pipeline at month end",
                               "SLA met", "Delivered on time"]),
                       ("he", ["הכנסות החודש", "שינוי מול החודש הקודם", "הזמנות", "לקוחות חדשים",
                               "שיעור הצלחה", "צנרת משוקללת בסוף החודש", "עמידה ב־SLA",
                               "סופקו בזמן"])):
        doc = lxml_html.fromstring(report_html.render_html(report, lang))
        body = doc.xpath("//body")[0]
        first = body.xpath("./section")[0]          # before every chart and table
        assert first.xpath("string(.//table/@class)") == "kpis"
        labels = [d.text_content() for d in first.xpath(".//div[@class='kpi-label']")]
        assert labels == want
    doc = lxml_html.fromstring(report_html.render_html(report, "en"))
    values = [d.text_content() for d in doc.xpath("//div[@class='kpi-value']")]
    assert values == ["₪3,750", "+150.0%", "3", "2", "42.9%", "₪16,800", "50.0%", "33.3%"]
    subs = [d.text_content() for d in doc.xpath("//div[@class='kpi-sub']")]
    assert subs[0] == "12 months: ₪" + f"{sum(v for _, v in report.revenue_series):,.0f}"
    assert subs[4] == "3 won · 4 lost"


def test_the_meta_line_has_a_space_on_both_sides_of_each_dot(report):
    from lxml import html as lxml_html
    doc = lxml_html.fromstring(report_html.render_html(report, "en"))
    meta = " ".join(doc.xpath("string(//p[@class='meta'])").split())
    assert meta == "Period: May 1, 2026 – May 31, 2026 · Company: Acme & <Sons> · " \
                   "Account manager: Dana Levi"


def test_percents_have_one_decimal_everywhere(report):
    f = report_html.Formats("en", "ILS")
    assert [f.pct(0.04), f.change(0.04), f.change(0.728), f.change(-0.04), f.pct(1)] == \
        ["4.0%", "+4.0%", "+72.8%", "-4.0%", "100.0%"]


def test_names_are_data_in_html_never_code(report):
    for lang in ("en", "he"):
        html = report_html.render_html(report, lang)
        assert INJ_VARS in html and INJ_LOOP in html       # shown as typed, not evaluated
        assert "Tom &amp; Jerry &lt;Ltd&gt;" in html and AMP not in html
        assert "Acme &amp; &lt;Sons&gt;" in html and COMPANY not in html
        assert "Rival &amp; Co" in html


def test_html_and_pdf_files_are_written(report, tmp_path):
    paths = report_html.write_report_files(report, tmp_path, "en")
    assert paths == {"html": tmp_path / "report-2026-05.html"}
    assert "Zeta Industries" in paths["html"].read_text(encoding="utf-8")


@pytest.mark.parametrize("book", ["north.xlsx", "north", "north.xlsm", r"C:\Books\north.xlsx",
                                  "/books/north.xlsx"])
def test_report_files_carry_the_books_name(report, tmp_path, book):
    paths = report_html.write_report_files(report, tmp_path, "en", book=book)
    assert paths == {"html": tmp_path / "north report-2026-05.html"}
    assert "Zeta Industries" in paths["html"].read_text(encoding="utf-8")


def test_two_books_in_one_folder_keep_their_own_reports(tmp_path):
    from acctbook import api
    day = dt.date(2026, 11, 26)
    north, south = (api.new(tmp_path / f"{n}.xlsx", demo=True, today=day)
                    for n in ("north", "south"))
    r1 = api.report(north, "2026-10", today=day)
    r2 = api.report(south, "2026-10", today=day)
    assert r1.files == {"html": tmp_path / "north report-2026-10.html"}
    assert r2.files == {"html": tmp_path / "south report-2026-10.html"}
    assert r1.files["html"].is_file() and r2.files["html"].is_file()
    assert not list(tmp_path.glob("report-*"))


def test_pdf_without_a_converter_is_a_clear_error(report, tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_weasyprint(name, *a, **k):
        if name == "weasyprint":
            raise ImportError(name)
        return real_import(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    monkeypatch.setattr(pdf_runner, "find_browser", lambda *a, **k: None)
    monkeypatch.setattr(pdf_runner, "find_soffice", lambda *a, **k: None)
    with pytest.raises(pdf_runner.PdfUnavailable, match="Chrome, Microsoft Edge or Chromium") as e:
        report_html.write_report_files(report, tmp_path, "en", pdf=True)
    assert e.value.exit_code == 2                          # the report's code, as before
    assert (tmp_path / "report-2026-05.html").is_file()   # the HTML is still there


def _squash(s: str) -> str:
    """Without whitespace and the invisible bidi controls pdftotext puts around RTL runs."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", s)


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) and pdftotext are needed for the PDF test")
@pytest.mark.parametrize("lang", ["en", "he"])
def test_pdf_through_libreoffice_holds_the_names_as_text(report, tmp_path, lang, monkeypatch):
    monkeypatch.setattr(report_html, "html_to_pdf", lambda r, lg, t: pdf_runner.soffice_html_pdf(
        report_html.render_html(r, lg, for_pdf=True), t))  # LibreOffice even if WeasyPrint is there
    pdf = report_html.write_report_files(report, tmp_path, lang, pdf=True)["pdf"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info
    # -raw: text in the order it was drawn, so a name wrapped inside a table cell stays in
    # one piece (the layout modes interleave wrapped lines of neighbouring cells).
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = _squash(text)
    for name in ("Zeta Industries", INJ_VARS, INJ_LOOP, AMP, "Spring Expo"):
        assert _squash(name) in flat, name
    # Raw order keeps Hebrew words whole but lists them visually (right to left): by word.
    title = "Monthly report" if lang == "en" else "דוח חודשי"
    assert all(word in flat for word in title.split())


# --- the Report YYYY-MM sheet --------------------------------------------------------------------
def test_report_sheet_description_is_plain_data(report):
    desc = report_sheet.report_sheet(report, "en")
    assert desc["name"] == "Report 2026-05" and desc["rtl"] is False
    assert [c["key"] for c in desc["charts"]] == ["revenue", "channels", "pipeline"]
    assert report_sheet.report_sheet(report, "he")["name"] == "דוח 2026-05"
    assert report_sheet.report_sheet(report, "he")["rtl"] is True


@pytest.fixture(scope="module")
def xlsx(report, tmp_path_factory):
    return report_sheet.build_report_xlsx(report, "en", tmp_path_factory.mktemp("x") / "report.xlsx")


def _ref_cells(ws, ref: str) -> list:
    rng = ref.split("!")[1].replace("$", "")
    return [row[0].value for row in ws[rng]]


def test_xlsx_holds_the_figures_in_cells(xlsx):
    ws = load_workbook(xlsx)["Report 2026-05"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    assert rows["Revenue in the month"] == 3750
    assert rows["Change vs previous month"] == pytest.approx(1.5)
    assert rows["Win rate"] == pytest.approx(3 / 7)
    assert rows["Weighted pipeline"] == 16800
    assert rows["Follow-ups overdue at month end"] == 2
    assert rows["SLA met"] == pytest.approx(0.5)
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "Win rate")
    assert ws.cell(cell.row, 2).number_format == "0.0%"
    # Names and a competitor that looks like a formula are plain text cells.
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for name in (INJ_VARS, INJ_LOOP, AMP, "Zeta Industries", FORMULA):
        assert name in texts
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_has_three_native_charts_over_the_sheet_cells(xlsx, report):
    with zipfile.ZipFile(xlsx) as z:
        parts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n))
        assert len(parts) == 3
        charts = [etree.fromstring(z.read(p)) for p in parts]
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    kinds = [ch.xpath("local-name(//c:plotArea/*[contains(local-name(), 'Chart')])",
                      namespaces=ns) for ch in charts]
    assert kinds == ["barChart"] * 3
    dirs = [ch.xpath("string(//c:barDir/@val)", namespaces=ns) for ch in charts]
    assert dirs == ["col", "bar", "bar"]
    ws = load_workbook(xlsx)["Report 2026-05"]
    got = []
    for ch in charts:
        cat = ch.xpath("string(//c:cat//c:f)", namespaces=ns)
        val = ch.xpath("string(//c:val//c:f)", namespaces=ns)
        got.append(dict(zip(_ref_cells(ws, cat), _ref_cells(ws, val))))
    assert got[0]["Apr 26"] == 1500 and got[0]["May 26"] == 3750 and len(got[0]) == 12
    assert got[1] == {"Phone": 2, "Email": 1, "Meeting": 1, "Chat": 0, "Fax": 0, "Mail": 0,
                      "Event": 2}
    assert got[2] == {"Lead": 0, "Qualified": 800, "Needs analysis": 0, "Proposal": 6000,
                      "Negotiation": 10000}


def test_hebrew_xlsx_is_right_to_left(report, tmp_path):
    path = report_sheet.build_report_xlsx(report, "he", tmp_path / "he.xlsx")
    ws = load_workbook(path)["דוח 2026-05"]
    assert ws.sheet_view.rightToLeft
    labels = [r[0] for r in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    assert "הכנסות בחודש" in labels


# --- the month and today (docs6 findings 2, 5, 6, 8) ---------------------------------------------
def test_a_month_that_has_not_started_is_refused():
    from acctbook.book.model import Refused
    with pytest.raises(Refused, match="2026-06 has not started yet") as e:
        figures.month_figures(_book(), MONTH.replace("05", "06"), today=D(2026, 5, 31))
    assert e.value.exit_code == 1


def test_a_past_month_does_not_depend_on_the_day_it_is_reported(report):
    for today in (D(2026, 5, 31), D(2026, 6, 1), D(2027, 3, 9)):
        assert figures.month_figures(_book(), MONTH, today=today) == report
    assert report.to_date is None and report.until == D(2026, 5, 31)


def test_the_current_month_is_reported_to_date():
    r = figures.month_figures(_book(), MONTH, today=D(2026, 5, 20))
    assert r.to_date == D(2026, 5, 20) and r.end == D(2026, 5, 31)
    # Revenue to 05-20: O1 1000 + 450, O2 2000 (O6 is dated 05-31) = 3450.
    assert r.revenue == 3450
    # Won D1 (05-10), D12 (05-02); lost D2 (05-12), D10 (05-15), D11 (05-20).
    assert (r.deals_won, r.deals_lost) == (2, 3)
    # Due by 05-20: O1 line 1 (on time) and line 2 (due 05-20, late); O2 is due 05-30 and
    # is not late before then.
    assert (r.deliveries_due, r.deliveries_on_time) == (2, 1)
    # As of 05-20: C1's delivery check for O1 line 2 (due 05-20, 2 business days before:
    # 05-18) is overdue; C2's complaint K5 (contact 05-18 + 2 business days) is due today,
    # not overdue yet (at month end: 2).
    assert r.followups_overdue == 1
    html = report_html.render_html(r, "en")
    assert "<title>Monthly report — May 2026, to date (May 20, 2026)</title>" in html
    assert "<h1>Monthly report — May 2026, to date (May 20, 2026)</h1>" in html
    assert "Follow-ups overdue today" in html and "at month end" not in html
    a1 = report_sheet.report_sheet(r, "en")["cells"][0]
    assert a1["value"] == "Monthly report — May 2026, to date (May 20, 2026)"
    assert "עד כה" in report_sheet.report_sheet(r, "he")["cells"][0]["value"]


def test_month_is_trimmed():
    assert figures.month_figures(_book(), " 2026-05 ").month == MONTH


def test_a_partly_delivered_line_is_not_delivered_on_time(report):
    partial = {"order_id": "O7", "client_id": "C2", "order_date": D(2026, 5, 2), "quantity": 7,
               "unit_price": 10, "amount": 70, "due_date": D(2026, 5, 12),
               "delivered_on": D(2026, 5, 11), "delivered_qty": 1,
               "status": "Partly delivered"}
    short = {**partial, "order_id": "O8", "status": "Delivered"}     # says Delivered, 1 of 7
    whole = {**partial, "order_id": "O9", "delivered_qty": 7, "status": "Delivered"}
    r = figures.month_figures(_book(Orders=[partial, short, whole]), MONTH)
    assert (r.deliveries_due, r.deliveries_on_time) == (report.deliveries_due + 3,
                                                        report.deliveries_on_time + 1)


def test_a_closed_deal_without_stage_since_counts_by_created_and_says_so(report):
    won = {"deal_id": "D13", "client_id": "C1", "title": "t", "stage": "Won", "amount": 700,
           "created": D(2026, 5, 5)}
    undated = {"deal_id": "D14", "client_id": "C1", "title": "t", "stage": "Lost",
               "amount": 50, "lost_reason": "Price"}
    r = figures.month_figures(_book(Deals=[won, undated]), MONTH)
    assert (r.deals_won, r.won_amount) == (report.deals_won + 1, report.won_amount + 700)
    assert r.deals_lost == report.deals_lost
    assert (r.closed_by_created, r.closed_undated) == (["D13 (2026-05)"], ["D14"])
    april = figures.month_figures(_book(Deals=[won, undated]), "2026-04")  # said in every report
    for rep in (r, april):
        html = report_html.render_html(rep, "en")
        assert ("Won or Lost deals with Stage since blank, counted in the month they were "
                "created: D13 (2026-05)") in html
        assert "deals with neither Stage since nor Created, counted in no month: D14" in html
        third = [c for c in report_sheet.report_sheet(rep, "en")["cells"] if c["row"] == 2]
        assert "D13 (2026-05)" in third[0]["value"] and "D14" in third[0]["value"]
    assert april.deals_won == 0
    assert report.closed_by_created == [] and 'class="note"' not in report_html.render_html(report, "en")


def test_pipeline_at_a_past_month_end_counts_deals_closed_since():
    late = {"deal_id": "D15", "client_id": "C1", "title": "t", "stage": "Won", "amount": 1000,
            "probability": 80, "created": D(2026, 4, 1), "stage_since": D(2026, 5, 3)}
    r = figures.month_figures(_book(Deals=[late]), "2026-04")
    # Open on 04-30: D5 Proposal (created 03-01), D8 Qualified (Created blank). Closed since,
    # Created blank or by 04-30: D1 10000, D2 5000, D3 100, D9 2500, D10 100, D11 100,
    # D12 500 and D15 1000 (D4 was Lost on 04-28; D6 and D7 came later); weighted only by
    # their own Probability: D15 1000 × 80 % = 800.
    got = {p.stage: (p.deals, p.amount, p.weighted) for p in r.pipeline}
    assert got["Proposal"] == (1, 10000, 6000) and got["Qualified"] == (1, 4000, 800)
    assert got[figures.CLOSED_LATER] == (8, 19300, 800)
    assert r.pipeline_weighted == 6000 + 800 + 800
    # Named plainly, and a note under the table says what it is and how it is weighted.
    for lang, label, note in (("en", "Open then, won or lost since", "weighted by its own"),
                              ("he", "פתוחות אז, נסגרו מאז", "לפי ההסתברות שלה")):
        html = report_html.render_html(r, lang)
        assert f"<td>{label}</td>" in html and note in html
    assert "Open then, won or lost since" in [
        c["value"] for c in report_sheet.report_sheet(r, "en")["cells"]]


def _pdf_id(data: bytes) -> bytes:
    m = re.search(rb"/ID\s*\[[^]]*\]", data)       # LibreOffice writes one, Chromium none
    return m[0] if m else b""


@pytest.mark.skipif(not ((shutil.which("soffice") or pdf_runner.find_browser()) and shutil.which("pdfinfo")),
                    reason="a PDF engine and pdfinfo are needed for the PDF test")
def test_the_report_pdf_carries_no_clock_and_stays_valid(report, tmp_path):
    """The converter's time stamp and random /ID are pinned (to the month's last day and a
    hash of the HTML). The bytes are usually identical; not always with LibreOffice: under
    load it now and then writes the embedded fonts in another object order."""
    import time
    pdfs = []
    for i in range(2):
        pdfs.append(report_html.write_report_files(report, tmp_path / str(i), "en", pdf=True)["pdf"])
        time.sleep(1.1)
    a, b = (p.read_bytes() for p in pdfs)
    assert _pdf_id(a) == _pdf_id(b) and re.search(rb"/CreationDate\s*\(D:20260531000000", a)
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert re.search(r"CreationDate:\s+Sun May 31 00:00:00 2026", info.stdout), info.stdout
        assert not info.stderr                                # xref offsets still valid
    texts = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True,
                            check=True).stdout for p in pdfs]
    assert texts[0] == texts[1] and "Zeta Industries" in texts[0]
