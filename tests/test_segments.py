"""The Segments sheet (docs/rules.md, section 14): a planted book refreshed, the sheet read
back with python-calamine and openpyxl, each figure checked against sums this test works
out from the book's own sheets (Clients, Orders, Deals, Complaints, Settings as read back);
the monthly report's segment section; the Refresh button through xlwings' remote engine.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries
from python_calamine import CalamineWorkbook

import xlwings_remote as xr
from acctbook import api, excel
from acctbook.book import schema
from acctbook.create.workbook import create_workbook
from readback import day, refreshed_books, table

TODAY = dt.date(2026, 6, 15)
D = dt.date
NONE = {"en": "(none)", "he": "(ללא)"}
FIGURES = ("clients", "key_accounts", "revenue_12m", "growth", "share", "weighted_pipeline",
           "won_12m", "lost_12m", "win_rate", "open_complaints")


def planted() -> tuple[dict, dict]:
    """Clients in Pharma (typed once as `pharma`), Retail, Food and none; regions with
    `North` and `north`; orders in and before the window, a Cancelled one, one priced by
    quantity; open deals (one in EUR), Won and Lost ones closed in and before the window
    (one dated only by Created); open and resolved complaints."""
    c = [("C-01", "Alpha Labs", "Pharma", "North", "Active", None),
         ("C-02", "Beta Pharma", "pharma", "South", "Active", None),
         ("C-03", "Gamma Retail", "Retail", "South", "Prospect", None),
         ("C-04", "Delta Stores", "Retail", "North", "Dormant", None),
         ("C-05", "Epsilon", None, None, "Active", None),
         ("C-06", "Zeta Chem", "Pharma", "South", "Lost", None),
         ("C-07", "Eta Foods", "Food", "north", "Active", "Yes"),
         ("C-08", "Theta Bakery", "Food", "Center", "Prospect", None)]
    clients = [{"client_id": i, "name": n, "segment": s, "region": r, "status": st,
                "key_account": k, "created": D(2024, 1, 5)} for i, n, s, r, st, k in c]
    o = [("SO-1", "C-01", D(2026, 1, 10), 50000, None), ("SO-2", "C-01", D(2025, 3, 1), 40000, None),
         ("SO-3", "C-02", D(2025, 12, 1), 30000, None), ("SO-4", "C-02", D(2024, 12, 1), 10000, None),
         ("SO-5", "C-02", D(2026, 2, 1), 20000, "Cancelled"),
         ("SO-6", "C-03", D(2026, 3, 1), 2000, None), ("SO-7", "C-04", D(2025, 9, 1), 15000, None),
         ("SO-8", "C-04", D(2024, 9, 1), 1000, None), ("SO-9", "C-05", D(2026, 4, 1), 7000, None),
         ("SO-10", "C-06", D(2025, 8, 1), 12000, None), ("SO-11", "C-06", D(2025, 1, 1), 25000, None),
         ("SO-12", "C-07", D(2026, 6, 1), 3000, None), ("SO-13", "C-07", D(2023, 1, 1), 99999, None)]
    orders = [{"order_id": i, "client_id": cl, "order_date": d, "amount": a, "status": st}
              for i, cl, d, a, st in o]
    orders.append({"order_id": "SO-14", "client_id": "C-01", "order_date": D(2026, 5, 1),
                   "quantity": 10, "unit_price": 1000, "discount": 10})      # 9,000
    d = [("D-01", "C-01", "Proposal", 10000, None, None, D(2026, 5, 1), None),
         ("D-02", "C-02", "Negotiation", 5000, "EUR", 50, D(2026, 5, 2), None),
         ("D-03", "C-07", "Lead", 2000, None, None, D(2026, 5, 3), None),
         ("D-04", "C-05", "Qualified", 1000, None, 25, D(2026, 4, 1), None),
         ("D-05", "C-01", "Won", 8000, None, None, D(2026, 2, 1), None),
         ("D-06", "C-02", "Lost", 4000, None, None, D(2025, 10, 1), "Price"),
         ("D-07", "C-03", "Won", 3000, None, None, None, None),     # closed: its Created
         ("D-08", "C-04", "Lost", 2500, None, None, D(2025, 3, 1), "Timing"),   # before
         ("D-09", "C-06", "Won", 6000, None, None, D(2025, 7, 1), None),
         ("D-10", "C-07", "Lost", 1500, None, None, D(2026, 6, 10), "Price")]
    deals = [{"deal_id": i, "client_id": cl, "title": f"Deal {i}", "stage": st, "amount": a,
              "currency": cur, "probability": p, "stage_since": since,
              "created": D(2026, 1, 15) if i == "D-07" else D(2025, 1, 2), "lost_reason": why}
             for i, cl, st, a, cur, p, since, why in d]
    k = [("K-1", "C-01", D(2026, 5, 1), "Open", None), ("K-2", "C-01", D(2026, 4, 1), "Resolved",
                                                       D(2026, 4, 3)),
         ("K-3", "C-05", D(2026, 6, 1), "In progress", None), ("K-4", "C-04", D(2026, 6, 10), "Open", None)]
    cases = [{"case_id": i, "client_id": cl, "opened": o_, "status": st, "severity": "Medium",
              "resolved_on": r} for i, cl, o_, st, r in k]
    data = {"Clients": clients, "Orders": orders, "Deals": deals, "Complaints": cases,
            "ExchangeRates": [{"currency": "EUR", "rate": 4.0, "as_of": D(2026, 5, 1)}]}
    return data, {"growth_minimum_base": 5000}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The planted book in English and in Hebrew, refreshed on TODAY (a pristine copy kept)."""
    out, results = refreshed_books(tmp_path_factory.mktemp("segments"), planted, TODAY)
    for result in results.values():
        assert result.errors == [], [p.message for p in result.errors]
    return out


# --- the book as read back ------------------------------------------------------------------
def expected(path, lang: str, by: str, today: dt.date) -> list[dict]:
    """The Segments (by="segment") or Regions (by="region") rows, summed by this test from
    the book's sheets: revenue from Orders, deals from Deals (weighted with the book's own
    rates and stage probabilities), complaints from Complaints, class from Clients."""
    clients = {}
    for c in table(path, schema.CLIENTS):
        clients.setdefault(c["client_id"], c)
    start, prior_start = today - dt.timedelta(days=365), today - dt.timedelta(days=730)
    rev, prior = {}, {}
    for o in table(path, schema.ORDERS):
        if o["status"] == "Cancelled":
            continue
        amount = o["amount"] if o["amount"] is not None else \
            o["quantity"] * o["unit_price"] * (1 - (o["discount"] or 0) / 100)
        on = day(o["order_date"])
        if start < on <= today:
            rev[o["client_id"]] = rev.get(o["client_id"], 0) + amount
        elif prior_start < on <= start:
            prior[o["client_id"]] = prior.get(o["client_id"], 0) + amount
    if today == TODAY:      # the test's revenue is the Clients sheet's, to the cent
        for cid, c in clients.items():
            assert round(rev.get(cid, 0), 2) == pytest.approx(c["revenue_12m"] or 0), cid
    settings = {r["setting"]: r["value"] for r in table(path, schema.SETTINGS)}
    base = float(settings[schema.SETTING_BY_KEY["growth_minimum_base"].label(lang)])
    rates = {r["currency"]: r["rate"] for r in table(path, schema.EXCHANGE_RATES)}
    probability = {r["stage"]: r["probability"] for r in table(path, schema.STAGE_PROBABILITY)}
    probability = {**dict(schema.DEFAULT_STAGE_PROBABILITY), **probability}

    groups: dict = {}
    for cid, c in clients.items():
        text = (c[by] or "").strip()
        key = text.casefold() or None
        g = groups.setdefault(key, {"name": NONE[lang] if key is None else text, "none": key is None,
                                    **dict.fromkeys(FIGURES, 0), "prior": 0.0, "ids": set()})
        g["ids"].add(cid)
        if c["status"] in ("Active", "Prospect"):
            g["clients"] += 1
            g["key_accounts"] += c["class"] == "A"
        g["revenue_12m"] += round(rev.get(cid, 0), 2)
        g["prior"] += round(prior.get(cid, 0), 2)
    group_of = {cid: g for g in groups.values() for cid in g["ids"]}
    for d in table(path, schema.DEALS):
        g = group_of.get(d["client_id"])
        closed = day(d["stage_since"]) or day(d["created"])
        if g is None:
            continue
        if d["stage"] in ("Won", "Lost"):
            if closed and start < closed <= today:
                g["won_12m" if d["stage"] == "Won" else "lost_12m"] += 1
            continue
        rate = rates.get(d["currency"], 1.0) if d["currency"] not in (None, "ILS") else 1.0
        p = d["probability"] if d["probability"] is not None else probability[d["stage"]]
        weighted = round(d["amount"] * rate * p / 100, 2)
        if today == TODAY:
            assert d["weighted_amount"] == pytest.approx(weighted), d["deal_id"]
        g["weighted_pipeline"] += weighted
    for k in table(path, schema.COMPLAINTS):
        g = group_of.get(k["client_id"])
        resolved = k["status"] == "Resolved" and day(k["resolved_on"]) <= today
        if g is not None and day(k["opened"]) <= today and not resolved:
            g["open_complaints"] += 1
    total = sum(g["revenue_12m"] for g in groups.values())
    for g in groups.values():
        g["share"] = g["revenue_12m"] / total if total else None
        g["growth"] = g["revenue_12m"] / g["prior"] - 1 if g["prior"] >= base and g["prior"] > 0 \
            else None
        decided = g["won_12m"] + g["lost_12m"]
        g["win_rate"] = g["won_12m"] / decided if decided else None
    return sorted(groups.values(), key=lambda g: (g["none"], -g["revenue_12m"], g["name"].casefold()))


def assert_rows(got: list[list], want: list[dict]) -> None:
    assert [r[0] for r in got] == [g["name"] for g in want]
    for row, g in zip(got, want):
        for key, value in zip(FIGURES, row[1:]):
            value = None if value == "" else value
            if g[key] is None:
                assert value is None, (g["name"], key, value)
            elif key in ("growth", "share", "win_rate"):
                assert value == pytest.approx(g[key], rel=1e-9), (g["name"], key)
            else:
                assert value == pytest.approx(g[key], abs=0.005), (g["name"], key, value, g[key])


# --- the sheet ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_segments_and_regions_equal_the_sums_of_the_books_own_sheets(books, lang):
    path = books[lang]
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    sheet = schema.generated_sheet("Segments", lang)
    for spec, by in ((schema.SEGMENTS, "segment"), (schema.REGIONS, "region")):
        t = wb.get_table_by_name(spec.name)
        assert t.sheet == sheet
        assert t.columns == [c.label(lang) for c in spec.columns]
        assert_rows(t.to_python(), expected(path, lang, by, TODAY))
    # What the planted book makes of it, by hand: `pharma` is Pharma, `north` is North.
    segments = wb.get_table_by_name("Segments").to_python()
    assert [r[0] for r in segments] == ["Pharma", "Retail", "Food", NONE[lang]]
    pharma = segments[0]
    assert pharma[1:4] == [2, 2, 101000] and pharma[7:9] == [2, 1]      # C-06 Lost: not counted
    assert segments[1][4] == ""            # Retail's prior 1,000 is below the base of 5,000
    regions = wb.get_table_by_name("Regions").to_python()
    assert [r[0] for r in regions] == ["North", "South", "Center", NONE[lang]]


@pytest.mark.parametrize("lang", ["en", "he"])
def test_regions_stand_beside_segments_with_the_sheets_formats(books, lang):
    """openpyxl read-only: Segments from A1, one blank column, Regions; numbers formatted as
    on Rankings; the sheet right after Rankings, in the book's direction."""
    wb = openpyxl.load_workbook(books[lang], read_only=True)
    names = wb.sheetnames
    sheet = schema.generated_sheet("Segments", lang)
    assert names.index(sheet) == names.index(schema.generated_sheet("Rankings", lang)) + 1
    assert names.index(schema.generated_sheet("Loyalty", lang)) == names.index(sheet) + 1
    rows = list(wb[sheet].iter_rows(min_row=1, max_row=3))
    header = [c.value for c in rows[0]]
    n = len(schema.SEGMENTS.columns)
    assert header[:n] == [c.label(lang) for c in schema.SEGMENTS.columns]
    assert header[n] is None
    assert header[n + 1:n + 1 + n] == [c.label(lang) for c in schema.REGIONS.columns]
    first = rows[1]
    formats = {c.key: first[i].number_format for i, c in enumerate(schema.SEGMENTS.columns)}
    assert formats["revenue_12m"] == formats["weighted_pipeline"] == "#,##0.00"
    assert formats["growth"] == formats["share"] == formats["win_rate"] == "0.0%"
    assert first[n + 1 + 3].number_format == "#,##0.00"           # Regions' Revenue 12m
    full = openpyxl.load_workbook(books[lang])
    ws = full[sheet]
    assert ws.tables["Segments"].ref.startswith("A1:")
    c0, _r0, _c1, _r1 = range_boundaries(ws.tables["Regions"].ref)
    assert c0 == n + 2
    assert bool(ws.sheet_view.rightToLeft) == (lang == "he")


def test_a_new_book_has_both_tables_empty_and_refresh_fills_them(tmp_path):
    path = create_workbook(tmp_path / "new.xlsx", "he")
    ws = openpyxl.load_workbook(path)["פלחים"]
    assert sorted(ws.tables) == ["Regions", "Segments"]
    api.refresh(path, TODAY)
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert wb.get_table_by_name("Segments").to_python() in ([], [[""] * 11])
    assert wb.get_table_by_name("Regions").columns[0] == "אזור"


def test_an_older_book_gets_the_sheet_after_rankings(books, tmp_path):
    """A book made before Segments (the sheet deleted here): refresh adds it, both tables,
    between Rankings and Loyalty."""
    path = tmp_path / "old.xlsx"
    shutil.copy(books["fresh.en"], path)
    wb = openpyxl.load_workbook(path)
    del wb["Segments"]
    wb.save(path)
    api.refresh(path, TODAY)
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[names.index("Rankings"):names.index("Rankings") + 4] == \
        ["Rankings", "Segments", "Loyalty", "Problems"]
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert_rows(wb.get_table_by_name("Segments").to_python(),
                expected(path, "en", "segment", TODAY))
    assert_rows(wb.get_table_by_name("Regions").to_python(), expected(path, "en", "region", TODAY))


# --- the monthly report ---------------------------------------------------------------------
def _seg_tables(html: str) -> list[list[list[str]]]:
    """The report's segment tables as text cells, bidi marks and no-break spaces out."""
    out = []
    for body in re.findall(r'<table class="grid seg".*?</table>', html, re.S):
        rows = []
        for tr in re.findall(r"<tr.*?</tr>", body, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
            rows.append([re.sub(r"[\u200e\u200f\u2066-\u2069]", "", htmllib.unescape(
                re.sub(r"<[^>]+>", "", c))).replace("\xa0", " ").strip() for c in cells])
        out.append(rows)
    return out


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_monthly_report_has_the_segment_section(books, tmp_path, lang):
    path = tmp_path / f"r.{lang}.xlsx"
    shutil.copy(books[lang], path)
    result = api.report(path, "2026-05", out=tmp_path, today=TODAY)
    html = result.files["html"].read_text(encoding="utf-8")
    words = {"en": ("Market segments", "By region", "Revenue 12m by segment", "Total"),
             "he": ("פלחי שוק", "לפי אזור", "הכנסות 12 חודשים לפי פלח", "סה״כ")}[lang]
    for w in words[:2]:
        assert f">{w}</h" in html
    assert f'aria-label="{words[2]}"' in html          # the chart, drawn inline
    assert f'dir="{"rtl" if lang == "he" else "ltr"}"' in html
    month_end = D(2026, 5, 31)
    for rows, by, spec in zip(_seg_tables(html), ("segment", "region"),
                              (schema.SEGMENTS, schema.REGIONS)):
        want = expected(path, lang, by, month_end)     # as of the month's last day
        assert rows[0] == [c.label(lang) for c in spec.columns]
        assert [r[0] for r in rows[1:-1]] == [g["name"] for g in want]
        for row, g in zip(rows[1:-1], want):
            assert row[1] == str(g["clients"]) and row[8] == str(g["lost_12m"])
            assert f"{round(g['revenue_12m']):,}" in row[3]
            assert f"{round(g['weighted_pipeline']):,}" in row[6]
        assert rows[-1][0] == words[3]
        assert f"{round(sum(g['revenue_12m'] for g in want)):,}" in rows[-1][3]
        assert rows[-1][5] == "100.0%"
    # the report sheet the command added shows the segments too
    sheet = openpyxl.load_workbook(path, read_only=True)[result.sheet]
    texts = {c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert {words[0], NONE[lang], "Pharma"} <= texts


# --- the Refresh button ---------------------------------------------------------------------
def test_refresh_button_writes_the_same_two_tables(books, tmp_path, monkeypatch):
    """xlwings' remote engine on the Hebrew book as made: the button's Segments and Regions
    equal `acctbook refresh`'s, cell by cell, where it puts them."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")     # tests only
    fresh = books["fresh.he"]
    wb = xr.pressed(excel.refresh, fresh, TODAY)
    headless = openpyxl.load_workbook(books["he"])
    for name in ("Segments", "Regions"):
        got, want = xr.table_values(wb, name), xr.table_values(headless, name)
        assert got == want, name
        assert len(got[2]) > 3
    assert xr.table_values(wb, "Segments")[2][-1][0] == NONE["he"]
