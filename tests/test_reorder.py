"""Reorder expected, its follow-up rule (11, last in the rule order), the "ordering stopped"
risk reason and Forecast 12m (docs/rules.md, sections 3, 6 and 19): histories planted in new
workbooks (English and Hebrew), `acctbook refresh` (the CLI), the sheets read back with
python-calamine; the Refresh button through xlwings' remote engine against the same cells.

The calendar is Israel's (Country IL, the default: Sun–Thu, public holidays). Today is Sun
2026-10-11. A client ordering every 30 days whose last order was on Wed 2026-08-12 (60 days
ago) was expected to order on Fri 2026-09-11; Fri and Sat are off and Sun 09-13 is Rosh
Hashanah, so its follow-up falls on Mon 2026-09-14 (a Mon–Fri calendar would give Fri 09-11,
one without the holiday Sun 09-13).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

import xlwings_remote as xr
from readback import refreshed_books, table
from acctbook import cli, excel
from acctbook.book import bidi, schema
from acctbook.book.sheets import TODAY as TODAY_SHEET

D = dt.date
TODAY = D(2026, 10, 11)                  # a Sunday
EXPECTED = D(2026, 9, 11)                # Fri: C-01's last order 08-12 + 30 days
FOLLOW_UP = D(2026, 9, 14)               # Mon: Fri, Sat off, Sun 09-13 Rosh Hashanah
DAMPING = 0.25                           # docs/rules.md, section 19
REASON = {"en": "Reorder expected since 2026-09-11 (orders every 30 days)",
          "he": "הזמנה חוזרת צפויה מאז 2026-09-11 (הזמנה כל 30 ימים)"}
RISK = {"en": "Ordering stopped: an order was expected by 2026-09-11",
        "he": "ההזמנות נפסקו: הזמנה הייתה צפויה עד 2026-09-11"}
RECENT = D(2026, 10, 5)                  # everyone's last call: cadence lands after 10-11
# ... but C-01's and C-04's: on 09-20, before their stop showed (09-11 + 16 days = 09-27), so
# it does not end the reorder follow-up; C-12 stopped too and was called on 10-05: ended.
CALLED = {"C-01": D(2026, 9, 20), "C-04": D(2026, 9, 20)}


def monthly(first: dt.date, last: dt.date, amount) -> list[tuple[dt.date, float]]:
    """An order on `first`'s day of every month from `first` to `last`; `amount` a number or
    a function of the date."""
    out, y, m = [], first.year, first.month
    while D(y, m, first.day) <= last:
        day = D(y, m, first.day)
        out.append((day, float(amount(day) if callable(amount) else amount)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def every_30(last: dt.date, n: int = 3, amount: float = 10_000.0) -> list:
    return [(last - dt.timedelta(days=30 * i), amount) for i in range(n)]


YEAR_AGO = TODAY - dt.timedelta(days=365)
# Client ID -> (status, [(order date, amount)], [cancelled order dates])
HISTORY = {
    "C-01": ("Active", every_30(D(2026, 8, 12)), []),                  # stopped: 60 days ago
    "C-02": ("Active", every_30(D(2026, 9, 1)), []),                   # 40 days ago: passed by 10
    "C-03": ("Active", [(D(2026, 9, 1), 500.0), (D(2026, 9, 1), 700.0),
                        (D(2026, 8, 1), 900.0)], []),                   # 2 order dates only
    "C-04": ("Active", every_30(D(2026, 8, 12)), [D(2026, 9, 21)]),    # a Cancelled one after
    "C-05": ("Active", every_30(D(2026, 8, 12), n=2), [D(2026, 9, 11)]),   # 2 live + Cancelled
    "C-06": ("Lost", every_30(D(2026, 8, 12)), []),                    # Lost: no follow-up, 0
    "C-07": ("Active", monthly(D(2024, 9, 15), D(2026, 9, 15), 5_000), []),          # steady
    "C-08": ("Active", monthly(D(2024, 9, 20), D(2026, 9, 20),
                               lambda d: 2_000 if d <= YEAR_AGO else 4_000), []),   # growing
    "C-09": ("Active", [(D(2026, 7, 21), 3_000.0), (D(2026, 8, 20), 3_000.0),
                        (D(2026, 9, 20), 3_000.0)], []),          # new; gaps 30, 31 days
    "C-10": ("Active", monthly(D(2024, 9, 25), D(2026, 9, 25),
                               lambda d: 5_000 if d <= YEAR_AGO else 1_000), []),   # falling
    "C-11": ("Active", [(D(2026, 9, 1), 2_000.0)], []),      # an unpaid invoice due 10-05
    "C-12": ("Active", every_30(D(2026, 8, 12)), []),        # stopped, answered on 10-05
    "C-13": ("Dormant", every_30(D(2026, 8, 12)), []),       # stopped, Dormant: its cadence
}
UNPAID = {"C-11": D(2026, 10, 5)}        # Mon: Payment's follow-up Tue 10-06, Overdue


def planted() -> dict[str, list[dict]]:
    clients, orders, calls, n = [], [], [], 0
    for cid, (status, live, cancelled) in HISTORY.items():
        clients.append({"client_id": cid, "name": f"Client {cid}", "status": status,
                        "created": D(2024, 1, 5)})
        calls.append({"date": CALLED.get(cid, RECENT), "client_id": cid, "channel": "Phone",
                      "outcome": "Reached", "subject": "Catch-up"})
        for day, amount, state in [(d, a, None) for d, a in live] + [
                (d, 4_000.0, "Cancelled") for d in cancelled]:
            n += 1
            orders.append({"order_id": f"SO-{n:04d}", "client_id": cid, "order_date": day,
                           "amount": amount, "status": state, "invoice_due": UNPAID.get(cid)})
    return {"Clients": clients, "Orders": orders, "Interactions": calls}


def forecast(cid: str) -> float:
    """This test's own Forecast 12m (docs/rules.md, section 19): level = the last 365 days'
    revenue / 12, slope = DAMPING × (that − the 365 days before) / 144, month k (1..12) =
    max(0, level + slope × (k + 5.5)), summed; Lost 0."""
    status, live, _ = HISTORY[cid]
    if status == "Lost":
        return 0.0
    last = sum(a for d, a in live if TODAY - dt.timedelta(days=365) < d <= TODAY)
    prior = sum(a for d, a in live if TODAY - dt.timedelta(days=730) < d <= YEAR_AGO)
    level, slope = last / 12, DAMPING * (last - prior) / 144
    return sum(max(0.0, level + slope * (k + 5.5)) for k in range(1, 13))


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The planted book in English and in Hebrew, refreshed by the CLI (fresh copies kept)."""
    out, codes = refreshed_books(
        tmp_path_factory.mktemp("reorder"), lambda: (planted(), None), TODAY,
        lambda path, _lang: cli.main(["refresh", str(path), "--today", TODAY.isoformat()]))
    assert codes == {"en": 0, "he": 0}
    return out




def by_client(path) -> dict[str, dict]:
    return {r["client_id"]: r for r in table(path, schema.CLIENTS)}


def _day(v):
    return v.date() if isinstance(v, dt.datetime) else v


# --- Expected order ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_expected_order_is_the_last_order_plus_the_median_gap(books, lang):
    c = by_client(books[lang])
    assert _day(c["C-01"]["expected_order"]) == EXPECTED
    assert _day(c["C-02"]["expected_order"]) == D(2026, 10, 1)
    assert c["C-03"]["expected_order"] is None          # two order dates (three lines)
    assert _day(c["C-04"]["expected_order"]) == EXPECTED   # the Cancelled order is not its last
    assert c["C-05"]["expected_order"] is None          # a Cancelled order is not a third date
    assert _day(c["C-06"]["expected_order"]) == EXPECTED   # Lost: the date, and nothing else
    assert _day(c["C-09"]["expected_order"]) == D(2026, 10, 21)   # median 30.5: 31 (half up)
    assert isinstance(c["C-01"]["expected_order"], (dt.date, dt.datetime))   # a date cell


# --- the follow-up rule and the call queue ---------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_client_that_stopped_ordering_gets_the_reorder_follow_up(books, lang):
    c = by_client(books[lang])
    for cid in ("C-01", "C-04"):
        assert _day(c[cid]["next_follow_up"]) == FOLLOW_UP, cid
        assert c[cid]["follow_up_reason"] == REASON[lang], cid
        assert c[cid]["follow_up_status"] == "Overdue"
    queue = table(books[lang], TODAY_SHEET)
    today = {r["client_id"]: r for r in queue}
    assert today["C-01"]["follow_up_reason"] == REASON[lang]
    assert _day(today["C-01"]["next_follow_up"]) == FOLLOW_UP
    assert today["C-01"]["days_overdue"] == (TODAY - FOLLOW_UP).days
    # Rule 11 is last in the rule order: the Payment call (10-06) comes before the reorder
    # calls that are older (09-14).
    assert [r["client_id"] for r in queue] == ["C-11", "C-01", "C-04"]
    assert _day(today["C-11"]["next_follow_up"]) == D(2026, 10, 6)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_no_reorder_follow_up_before_half_the_gap_passed_nor_for_a_lost_client(books, lang):
    c = by_client(books[lang])
    reorder_words = REASON[lang].split(" 2026")[0]
    for cid in ("C-02", "C-03", "C-05", "C-07", "C-08", "C-09", "C-10", "C-12", "C-13"):
        assert not (c[cid]["follow_up_reason"] or "").startswith(reorder_words), cid
        assert _day(c[cid]["next_follow_up"]) > TODAY, cid     # cadence after 10-05's call
    assert c["C-06"]["next_follow_up"] is None and c["C-06"]["follow_up_reason"] is None
    assert "C-06" not in {r["client_id"] for r in table(books[lang], TODAY_SHEET)}


# --- risk -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_ordering_stopped_is_a_medium_risk_with_its_reason(books, lang):
    c = by_client(books[lang])
    for cid in ("C-01", "C-04"):
        assert (c[cid]["risk"], c[cid]["risk_reasons"]) == ("Medium", RISK[lang]), cid
    for cid in ("C-02", "C-03", "C-05", "C-06", "C-07"):
        assert (c[cid]["risk"], c[cid]["risk_reasons"]) == ("Low", None), cid


# --- Forecast 12m -----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_forecast_12m_equals_this_tests_own_computation(books, lang):
    c = by_client(books[lang])
    for cid in HISTORY:
        assert c[cid]["forecast_12m"] == pytest.approx(forecast(cid), abs=0.01), cid
    assert c["C-06"]["forecast_12m"] == 0                              # Lost
    assert c["C-07"]["forecast_12m"] == pytest.approx(60_000, abs=0.01)   # steady: no trend
    assert c["C-08"]["forecast_12m"] > c["C-08"]["revenue_12m"] > 0      # growing
    assert 0 < c["C-10"]["forecast_12m"] < c["C-10"]["revenue_12m"]      # falling, floored
    assert c["C-09"]["forecast_12m"] == pytest.approx(9_000 * (1 + DAMPING), abs=0.01)   # new


def test_the_new_columns_have_grey_computed_headers(books):
    wb = openpyxl.load_workbook(books["he"])
    ws = wb[_sheet_of(wb, "Clients")]
    c0, r0, c1, _ = range_boundaries(ws.tables["Clients"].ref)
    headers = {ws.cell(r0, c).value: ws.cell(r0, c) for c in range(c0, c1 + 1)}
    for key in ("expected_order", "forecast_12m"):
        cell = headers[schema.CLIENTS.column(key).label("he")]
        assert cell.fill.fgColor.rgb.endswith("D9D9D9"), key


def _sheet_of(wb, table_name: str) -> str:
    return next(ws.title for ws in wb.worksheets if table_name in ws.tables)


# --- the Refresh button -----------------------------------------------------------------------
COLUMNS = ("expected_order", "forecast_12m", "next_follow_up", "follow_up_reason", "risk",
           "risk_reasons")


@pytest.mark.parametrize("lang", ["en", "he"])
def test_refresh_button_writes_the_same_cells(books, lang, monkeypatch):
    """xlwings' remote engine on the book as made: the button's Expected order, Forecast 12m,
    follow-up and risk cells equal those `acctbook refresh` wrote, client by client."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")     # tests only
    fresh = books[f"fresh.{lang}"]
    wb = xr.pressed(excel.refresh, fresh, TODAY)
    got = _clients(wb, lang)
    want = _clients(openpyxl.load_workbook(books[lang]), lang)
    assert got == want
    assert _day(got["C-01"]["expected_order"]) == EXPECTED
    assert bidi.plain(got["C-01"]["follow_up_reason"]) == REASON[lang]
    assert got["C-07"]["forecast_12m"] == pytest.approx(60_000)


def _clients(wb, lang: str) -> dict[str, dict]:
    ws = wb[_sheet_of(wb, "Clients")]
    c0, r0, c1, r1 = range_boundaries(ws.tables["Clients"].ref)
    col = {ws.cell(r0, c).value: c for c in range(c0, c1 + 1)}
    key_col = col[schema.CLIENTS.column("client_id").label(lang)]
    out = {}
    for r in range(r0 + 1, r1 + 1):
        out[ws.cell(r, key_col).value] = {
            k: ws.cell(r, col[schema.CLIENTS.column(k).label(lang)]).value for k in COLUMNS}
    return out
