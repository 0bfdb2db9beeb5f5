"""Targets and the forecast (docs/rules.md, section 17) and the follow-up rule Close date
passed (section 3, rule 10): a planted book in each language, the monthly report run on it
(its Report sheet read back with python-calamine, its HTML as text), check and refresh
(Clients read back with python-calamine), and an older book upgraded.

Expected figures are this test's own sums over the planted rows: which rows count is
written next to each, worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import schema
from acctbook.create.workbook import create_workbook
from acctbook.documents.report_html import LABELS, TARGET_ROWS

D = dt.date
TODAY = D(2026, 6, 15)             # a Monday; IL: Sun-Thu week
USD = 3.7
MARKS = re.compile(r"[\u200e\u200f\u2066-\u2069]")


def planted() -> dict[str, list[dict]]:
    """Clients created in and before Q2 2026 (a prospect and a lost one among them), orders
    in June (one Cancelled, one after today, one priced by quantity), April, May and March,
    open deals with a typed Expected close (one passed), with a blank one (by Stage since or
    only Created, one computed date long passed), one in USD, and Won and Lost deals."""
    clients = [("C-1", "Active", D(2024, 1, 10)), ("C-2", "Active", D(2026, 6, 3)),
               ("C-3", "Active", D(2026, 4, 20)), ("C-4", "Prospect", D(2026, 6, 5)),
               ("C-5", "Lost", D(2026, 5, 10)), ("C-6", "Dormant", D(2026, 5, 2))]
    orders = [("O-1", "C-1", D(2026, 6, 2), 10000, None), ("O-3", "C-1", D(2026, 6, 12), 7777,
                                                          "Cancelled"),
              ("O-4", "C-1", D(2026, 6, 20), 999, None), ("O-5", "C-3", D(2026, 4, 15), 20000,
                                                          None),
              ("O-6", "C-1", D(2026, 5, 20), 15000, None), ("O-7", "C-1", D(2026, 3, 31), 50000,
                                                            None)]
    deals = [  # id, client, stage, amount, currency, probability, expected, since, created
        ("D-1", "C-1", "Proposal", 100000, None, None, D(2026, 6, 25), D(2026, 6, 1),
         D(2026, 3, 1)),
        ("D-2", "C-1", "Negotiation", 40000, None, 50, None, D(2026, 6, 10), D(2026, 3, 1)),
        ("D-3", "C-2", "Qualified", 30000, None, None, None, None, D(2026, 5, 1)),
        ("D-4", "C-3", "Lead", 5000, "USD", None, D(2026, 6, 28), D(2026, 6, 1), D(2026, 6, 1)),
        ("D-5", "C-1", "Proposal", 80000, None, None, D(2026, 6, 1), D(2026, 5, 10),
         D(2026, 3, 1)),
        ("D-6", "C-3", "Lead", 10000, None, None, None, D(2026, 1, 10), D(2026, 1, 10)),
        ("D-7", "C-1", "Won", 25000, None, 70, None, D(2026, 6, 5), D(2026, 2, 1)),
        ("D-8", "C-1", "Lost", 5000, None, None, None, D(2026, 6, 7), D(2026, 2, 1)),
        ("D-9", "C-2", "Needs analysis", 12000, None, None, D(2026, 8, 10), D(2026, 6, 3),
         D(2026, 6, 3)),
    ]
    return {
        "Clients": [{"client_id": i, "name": f"Client {i}", "status": s, "created": c}
                    for i, s, c in clients],
        "Orders": [{"order_id": i, "client_id": c, "order_date": d, "amount": a, "status": s,
                    "paid_on": d} for i, c, d, a, s in orders]
        + [{"order_id": "O-2", "client_id": "C-2", "order_date": D(2026, 6, 10), "quantity": 3,
            "unit_price": 2000, "discount": 10, "paid_on": D(2026, 6, 10)}],      # 5,400
        "Deals": [{"deal_id": i, "client_id": c, "title": f"Deal {i}", "stage": st,
                   "amount": a, "currency": cur, "probability": p, "expected_close": e,
                   "stage_since": s, "created": cr,
                   "lost_reason": "Price" if st == "Lost" else None}
                  for i, c, st, a, cur, p, e, s, cr in deals],
        # recent calls: no client's cadence or stale deal comes before the close dates
        "Interactions": [{"date": D(2026, 6, 11), "client_id": c, "channel": "Phone",
                          "outcome": "Reached"} for c in ("C-1", "C-2", "C-3", "C-6")],
        "ExchangeRates": [{"currency": "USD", "rate": USD, "as_of": D(2026, 6, 1)}],
        "StageDays": [{"stage": "Negotiation", "typical_days": 25}],     # the rest: defaults
        "Targets": [{"period": "2026-04", "revenue_target": 40000},
                    {"period": "2026-05", "revenue_target": 40000},
                    {"period": "2026-06", "revenue_target": 50000, "new_clients_target": 2},
                    {"period": "2026-Q2", "new_clients_target": 3}],
    }


DATA = planted()
ROWS = {"Orders": {o["order_id"]: o for o in DATA["Orders"]},
        "Deals": {d["deal_id"]: d for d in DATA["Deals"]}}


def amount(order_id: str) -> float:
    o = ROWS["Orders"][order_id]
    if o.get("amount") is not None:
        return o["amount"]
    return o["quantity"] * o["unit_price"] * (1 - (o.get("discount") or 0) / 100)


def weighted(deal_id: str) -> float:
    """Amount × rate × Probability (blank: the stage's default) / 100."""
    d = ROWS["Deals"][deal_id]
    prob = d["probability"]
    if prob is None:
        prob = dict(schema.DEFAULT_STAGE_PROBABILITY)[d["stage"]]
    return d["amount"] * (USD if d["currency"] == "USD" else 1) * prob / 100


# Revenue to date (as of 06-15): O-1 and O-2 in June; O-3 is Cancelled, O-4 after today.
JUNE_REVENUE = amount("O-1") + amount("O-2")                              # 15,400
Q2_REVENUE = JUNE_REVENUE + amount("O-5") + amount("O-6")                 # + April, May
# The deals open today whose close date falls from tomorrow to the period's end:
# D-1 typed 06-25; D-3 Created 05-01 + Qualified 60 = 06-30; D-4 typed 06-28 (USD);
# D-5 typed 06-01, passed: tomorrow; D-6 Stage since 01-10 + Lead 90 = 04-10, passed:
# tomorrow. Not D-2 (06-10 + Negotiation 25 from StageDays = 07-05; the default 14 would
# give 06-24), D-9 (08-10), D-7 and D-8 (closed).
JUNE_PIPELINE = sum(weighted(d) for d in ("D-1", "D-3", "D-4", "D-5", "D-6"))   # 116,850
EXPECTED = {  # period -> (revenue target, revenue, pipeline, new clients target, new clients)
    # New clients: June C-2 (C-4 is a Prospect); Q2 also C-3 and the Dormant C-6 (C-5 Lost).
    # The Q2 revenue target is its months' (its own row gives only New clients).
    "2026-06": (50000, JUNE_REVENUE, JUNE_PIPELINE, 2, 1),
    "2026-Q2": (40000 + 40000 + 50000, Q2_REVENUE, JUNE_PIPELINE, 3, 3),
}


def test_the_test_sums_are_the_hand_worked_ones():
    assert (JUNE_REVENUE, Q2_REVENUE) == (15400, 50400)
    assert JUNE_PIPELINE == pytest.approx(60000 + 6000 + 1850 + 48000 + 1000)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forecast")
    return {lang: create_workbook(folder / f"book.{lang}.xlsx", lang, data=planted(),
                                  settings={"country": "IL", "company_name": "Forecast Ltd"})
            for lang in ("en", "he")}


def _sheet_block(path, sheet: str, title: str) -> tuple[list, dict[str, list]]:
    """A titled block of the Report sheet, read back with python-calamine: its header row
    and its rows by label (blank cells None)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    at = next(i for i, r in enumerate(rows) if r and r[0] == title)
    head = [v for v in rows[at + 1] if v != ""]
    out = {}
    for r in rows[at + 2:at + 2 + len(TARGET_ROWS)]:
        out[r[0]] = [None if v == "" else v for v in r[1:1 + len(head)]]
    return head, out


@pytest.mark.parametrize("lang", ["en", "he"])
def test_the_report_shows_attainment_and_forecast_as_the_rows_add_up(books, tmp_path, lang):
    path = tmp_path / f"r.{lang}.xlsx"
    path.write_bytes(books[lang].read_bytes())
    result = api.report(path, "2026-06", out=tmp_path, today=TODAY)
    L = LABELS[lang]
    head, rows = _sheet_block(path, result.sheet, L["sec_targets"])
    assert head == (["June 2026", "Q2 2026"] if lang == "en" else ["יוני 2026", "רבעון 2 2026"])
    for i, key in enumerate(("2026-06", "2026-Q2")):
        target, revenue, pipeline, new_target, new = EXPECTED[key]
        got = {label: rows[L[label]][i] for label, _, _ in TARGET_ROWS}
        assert got["revenue_target"] == target and got["new_clients_target"] == new_target
        assert got["revenue_to_date"] == pytest.approx(revenue, abs=0.005)
        assert got["pipeline_to_close"] == pytest.approx(pipeline, abs=0.005)
        assert got["forecast"] == pytest.approx(revenue + pipeline, abs=0.005)
        assert got["attainment"] == pytest.approx(revenue / target)
        assert got["forecast_vs_target"] == pytest.approx((revenue + pipeline) / target)
        assert got["new_clients_won"] == new
    # the HTML page: the section, its periods and the June forecast (₪132,250)
    text = MARKS.sub("", htmllib.unescape(re.sub(r"<[^>]+>", " ",
                                                 result.files["html"].read_text("utf-8"))))
    assert L["sec_targets"] in text and L["forecast_vs_target"] in text
    assert head[0] in text and head[1] in text
    assert f"{round(JUNE_REVENUE + JUNE_PIPELINE):,}" == "132,250" and "132,250" in text
    assert "264.5%" in text                                        # June forecast vs target


def test_a_past_month_is_over_and_its_quarter_still_forecasts(books, tmp_path):
    """May's report (as of 05-31): May's forecast is its revenue; Q2's pipeline is the deals
    open on 05-31 closing in June, D-7 (won 06-05, open then) by its own Probability."""
    path = tmp_path / "may.xlsx"
    path.write_bytes(books["en"].read_bytes())
    report = api.report(path, "2026-05", out=tmp_path, today=TODAY).report
    may, q2 = report.targets
    assert (may.period.key, q2.period.key) == ("2026-05", "2026-Q2")
    assert may.revenue == may.forecast == amount("O-6") and may.pipeline == 0
    assert may.attainment == pytest.approx(amount("O-6") / 40000)
    assert may.new_clients == 1                                    # C-6 (C-5 is Lost)
    # As of 05-31 every close date from 06-01 on counts: D-5 (06-01), D-6 (04-10, passed),
    # D-1 and D-3 as in June, and D-7 and D-8 closing on their Stage since (06-05, 06-07),
    # each by its own Probability (D-8's blank: 0); not D-4 nor D-9 (created in June), nor
    # D-2 (07-05).
    pipeline = sum(weighted(d) for d in ("D-1", "D-3", "D-5", "D-6")) + 25000 * 70 / 100
    assert q2.revenue == amount("O-5") + amount("O-6")
    assert q2.pipeline == pytest.approx(pipeline) and q2.deals == 6
    assert q2.new_clients == 2 and q2.new_clients_target == 3      # C-3, C-6 by 05-31


def _clients(path) -> dict[str, dict]:
    """Clients read back with python-calamine, by Client ID, values by English header."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name("Clients")
    keys = [schema.header_index(schema.CLIENTS)[schema.fold(h)] for h in t.columns]
    return {r[0]: dict(zip(keys, r)) for r in t.to_python()}


REASON = {"en": "Close date passed: D-5 expected 2026-06-01",
          "he": "מועד הסגירה עבר: עסקה D-5 הייתה צפויה להיסגר ב-2026-06-01"}


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_typed_close_date_passed_is_a_warning_and_a_follow_up(books, tmp_path, lang):
    path = tmp_path / f"f.{lang}.xlsx"
    path.write_bytes(books[lang].read_bytes())
    check = api.check(path, today=TODAY)
    passed = [p for p in check.problems if p.code == "close-date-passed"]
    # D-5 only (row 6 of Deals); D-6's computed date (04-10) passed too, but was not typed
    assert [(p.severity, p.cell, p.value) for p in passed] == [("warning", "H6", D(2026, 6, 1))]
    assert not check.errors
    api.refresh(path, TODAY)
    clients = _clients(path)
    c1 = clients["C-1"]
    # Expected close Mon 06-01 + 1 business day = Tue 06-02: before every other candidate
    assert c1["next_follow_up"] == D(2026, 6, 2)
    assert MARKS.sub("", c1["follow_up_reason"]) == REASON[lang]
    assert c1["follow_up_status"] == ("Overdue" if lang == "en" else "באיחור")
    # C-3 holds D-6 (computed close date passed) and D-4 (typed, still ahead): no such reason
    assert "D-" not in clients["C-3"]["follow_up_reason"]


def test_moving_the_close_date_on_clears_the_warning_and_the_follow_up(tmp_path):
    data = planted()
    next(d for d in data["Deals"] if d["deal_id"] == "D-5")["expected_close"] = D(2026, 6, 30)
    path = create_workbook(tmp_path / "moved.xlsx", "en", data=data)
    assert not [p for p in api.check(path, today=TODAY).problems if p.code == "close-date-passed"]
    api.refresh(path, TODAY)
    assert not _clients(path)["C-1"]["follow_up_reason"].startswith("Close date passed")


# --- an older book: acctbook upgrade adds both tables -----------------------------------------
def _strip_tables(parts: dict[str, bytes], names: tuple[str, ...]) -> None:
    """A Settings sheet without the tables `names` (part, relationship, tablePart, header
    cells): as a book made before they were added."""
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet name="Settings" sheetId="\d+"[^>]*r:id="(rId\d+)"', wb)[1]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    sheet = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels)[1]
    srels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
    for name in names:
        part = next(n for n, d in parts.items() if n.startswith("xl/tables/")
                    and f'name="{name}"'.encode() in d)
        first, last = re.search(rb'ref="([A-Z]+)1:([A-Z]+)\d+"', parts[part]).groups()
        del parts[part]
        tid = re.search(rb'Id="(rId\d+)"[^>]*Target="../tables/' + part.split("/")[-1].encode(),
                        parts[srels])[1]
        parts[srels] = re.sub(rb'<Relationship Id="' + tid + rb'"[^>]*/>', b"", parts[srels])
        xml = parts[sheet].replace(b'<tablePart r:id="' + tid + b'"/>', b"")
        xml = re.sub(rb'tableParts count="(\d+)"',
                     lambda m: b'tableParts count="%d"' % (int(m[1]) - 1), xml)
        a, b = (openpyxl.utils.column_index_from_string(x.decode()) for x in (first, last))
        for c in range(a, b + 1):
            col = openpyxl.utils.get_column_letter(c).encode()
            xml = re.sub(rb'<c r="' + col + rb'\d+"[^>]*?(/>|>.*?</c>)', b"", xml)
        parts[sheet] = xml
        parts["[Content_Types].xml"] = re.sub(
            rb'<Override PartName="/' + part.encode() + rb'"[^>]*/>', b"",
            parts["[Content_Types].xml"])


def test_upgrade_adds_stage_days_and_targets_to_an_older_book(tmp_path):
    made = api.new(tmp_path / "made.xlsx", today=TODAY)
    with zipfile.ZipFile(made) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    _strip_tables(parts, ("StageDays", "Targets"))
    old = tmp_path / "old.xlsx"
    with zipfile.ZipFile(old, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert not {"StageDays", "Targets"} & set(openpyxl.load_workbook(old)["Settings"].tables)
    dry = api.upgrade(old, dry_run=True)
    assert {"table StageDays added to sheet Settings",
            "table Targets added to sheet Settings"} <= set(dry.lines)
    r = api.upgrade(old, today=TODAY)
    assert r.written
    ws = openpyxl.load_workbook(old)["Settings"]                 # read only: never saved
    # last on the sheet, where a new book has them: ExchangeRates ends at Y
    # StageDays with a new book's five rows of defaults, Targets with one blank row
    assert ws.tables["StageDays"].ref == "AA1:AB6" and ws.tables["Targets"].ref == "AD1:AF2"
    wb = CalamineWorkbook.from_path(str(old), load_tables=True)
    assert wb.get_table_by_name("StageDays").columns == ["Stage", "Typical days"]
    assert wb.get_table_by_name("StageDays").to_python() == [
        [s, float(d)] for s, d in schema.DEFAULT_STAGE_DAYS]
    assert wb.get_table_by_name("Targets").columns == ["Period", "Revenue target",
                                                       "New clients target"]
    assert not api.check(old, today=TODAY).errors
    # Targets empty: the book reports with a forecast, no target
    report = api.report(old, "2026-06", out=tmp_path, today=TODAY).report
    assert [t.revenue_target for t in report.targets] == [None, None]


def test_periods_typed_otherwise_still_count_and_a_wrong_one_is_an_error(tmp_path):
    """`2026-6` and `2026 q2` are read as 2026-06 and 2026-Q2, and 1 June 2026 as a date (what
    Excel makes of 2026-06 typed into a General cell) as June; `June 2026` is the error
    target-period and its targets are not used."""
    data = planted()
    data["Targets"] = [{"period": D(2026, 6, 1), "revenue_target": 50000},
                       {"period": "2026 q2", "new_clients_target": 3},
                       {"period": "June 2026", "revenue_target": 1},
                       {"period": "2026-4", "revenue_target": 40000},
                       {"period": "2026-05", "revenue_target": 40000}]
    path = create_workbook(tmp_path / "typed.xlsx", "en", data=data)
    bad = [p for p in api.check(path, today=TODAY).problems if p.code == "target-period"]
    assert [(p.severity, p.cell, p.value) for p in bad] == [("error", "AD4", "June 2026")]
    june, q2 = api.report(path, "2026-06", out=tmp_path, today=TODAY).report.targets
    assert (june.revenue_target, q2.revenue_target, q2.new_clients_target) == (50000, 130000, 3)
