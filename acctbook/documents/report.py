"""The monthly report (SPEC section 6): figures, HTML, PDF and the `Report YYYY-MM` sheet.

`month_figures(book, "YYYY-MM")` is pure (no files, no clock): every figure is
computed here so tests check numbers, not rendering. Rendering takes a
MonthReport: `render_html` (Jinja2 sandbox, autoescape, inline SVG charts),
`write_report_files` (HTML, PDF through WeasyPrint or LibreOffice),
`report_sheet` (the sheet as plain data for the zip writer) and
`build_report_xlsx` (that sheet alone with native charts, through XlsxWriter).

As-of figures (follow-ups overdue, SLA, the top 10 and the previous ranking)
come from `core.compute` over the book as it stood at that day's end: rows
created, dated or opened later are left out, and deliveries, payments and
resolutions dated later are undone. Deal stages have no history, so the
pipeline uses each deal's present stage; a deal Won or Lost after the month end
was still open then, and counts on a line of its own (its stage then unknown,
weighted only by its own Probability).

`today` (when given) bounds the month: a month that has not started is refused;
the current month is reported to date, every figure as of today (nothing is late
before it is due), and its title says so.

A Won or Lost deal whose Stage since is blank counts in the month of its Created
date (as follow-ups take Created for a stale deal), and the report says which.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from acctbook.documents import pdf
from acctbook.core import ranking
from acctbook.book import schema
from acctbook.book.model import AcctbookError, Book, Refused, col_letter
from acctbook.core import compute as core
from acctbook.book.assets import templates_dir
from acctbook.documents.pdf import PdfUnavailable  # noqa: F401 - report.PdfUnavailable, as before

TOP_N = 10
CLOSED_LATER = "Closed later"    # the pipeline line of deals open at month end, closed since
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ReportError(AcctbookError):
    """A report request that cannot be served (bad month, no PDF converter, conversion failed)."""


# --- the figures -----------------------------------------------------------------------------
@dataclass
class StageLine:
    stage: str
    deals: int
    amount: float
    weighted: float


@dataclass
class EventLine:
    event_id: str | None
    name: str | None
    date: dt.date | None
    type: str | None
    clients: int          # distinct clients with an interaction naming this event


@dataclass
class TopAccount:
    rank: int
    client_id: str
    name: str | None
    cls: str | None
    tier: str | None
    revenue_12m: float
    prev_rank: int | None
    movement: str         # up, down, same, new
    delta: int            # places gained (negative: lost); 0 for same and new


@dataclass
class MonthReport:
    """Every figure of SPEC section 6 for one month. Rates are fractions (0.25 = 25 %)."""
    month: str
    start: dt.date
    end: dt.date
    lang: str
    currency: str
    company: str | None
    manager: str | None
    revenue: float
    revenue_prev: float
    revenue_prev_change: float | None       # None when the previous month had no revenue
    revenue_year_ago: float
    revenue_year_ago_change: float | None
    orders: int                             # distinct Order IDs
    order_lines: int
    new_clients: int
    new_by_referral: int
    deals_won: int
    won_amount: float
    deals_lost: int
    win_rate: float | None
    lost_by_competitor: list[tuple[str | None, int]]   # None: Lost to left blank
    pipeline: list[StageLine]               # open stages in pipeline order
    pipeline_weighted: float
    interactions: int
    by_channel: list[tuple[str, int]]
    followups_overdue: int
    complaints_opened: int
    complaints_resolved: int
    sla_met: int
    sla_met_rate: float | None
    deliveries_due: int
    deliveries_on_time: int
    on_time_rate: float | None
    events: list[EventLine]
    event_clients: int                      # distinct clients attending any of them
    top: list[TopAccount]
    revenue_series: list[tuple[str, float]] = field(default_factory=list)  # 12 x (YYYY-MM, sum)
    to_date: dt.date | None = None          # the current month: figures as of this day
    # Won/Lost deals with Stage since blank, in every report (a data gap the reader should
    # see): "D-0099 (2026-09)", the month they count in by Created; undated: Created blank too.
    closed_by_created: list[str] = field(default_factory=list)
    closed_undated: list[str] = field(default_factory=list)

    @property
    def until(self) -> dt.date:
        """The last day the figures cover: today in the current month, else the month end."""
        return self.to_date or self.end

    @property
    def prev_month(self) -> str:
        return _shift(self.month, -1)

    @property
    def year_ago_month(self) -> str:
        return _shift(self.month, -12)


def parse_month(month: str) -> tuple[dt.date, dt.date]:
    """'YYYY-MM' -> (first day, last day); ReportError otherwise."""
    m = _MONTH.match(str(month or "").strip())
    if not m or not 1 <= int(m[2]) <= 12 or not 1900 <= int(m[1]) <= 2199:   # load.DATE_MIN/MAX
        raise ReportError(f"month '{month}' is not YYYY-MM from 1900 to 2199 (e.g. 2026-05)")
    start = dt.date(int(m[1]), int(m[2]), 1)
    return start, _next_start(start) - dt.timedelta(days=1)


def refuse_unstarted(month: str, today: dt.date) -> None:
    """A month after today's has no figures yet: Refused (a future month's would be guesses)."""
    if parse_month(month)[0] > today:
        raise Refused(f"month {month.strip()} has not started yet (today is "
                      f"{today.isoformat()}); a report covers a past month, or the current "
                      "one to date")


def _next_start(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _shift(month: str, n: int) -> str:
    start, _ = parse_month(month)
    k = start.year * 12 + start.month - 1 + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def _in(s: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    return (s >= pd.Timestamp(start)) & (s <= pd.Timestamp(end))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _change(now: float, before: float) -> float | None:
    return (now - before) / before if before else None


def month_figures(book: Book, month: str, today: dt.date | None = None) -> MonthReport:
    """Every figure for `month`; `today` refuses a month not yet started and makes the
    current month's figures run to today (None: the month is taken as over)."""
    start, month_end = parse_month(month)
    month = f"{start.year:04d}-{start.month:02d}"          # "2026-10 " is 2026-10
    if today is not None:
        refuse_unstarted(month, today)
    to_date = today if today is not None and today < month_end else None
    end = to_date or month_end       # every figure below stops here
    orders = ranking.live_orders(book.frame("Orders"))
    s = book.settings
    rev = _revenue_by_month(orders[orders["order_date"] <= pd.Timestamp(end)])
    prev, year = _shift(month, -1), _shift(month, -12)
    deals = book.frame("Deals")
    won, lost = _closed_deals(deals, start, end)
    pipe = _pipeline(book, end)
    channels = _by_channel(book.frame("Interactions"), start, end)
    events, attending = _events(book, start, end)
    then, now = _as_of_results(book, end)
    c_open, c_res, c_met = _complaints(book.frame("Complaints"), now, start, end)
    d_due, d_ok = _deliveries(orders, start, end)
    new, by_ref = _new_clients(book.frame("Clients"), start, end)
    in_month = orders[_in(orders["order_date"], start, end)]
    no_since = deals[deals["stage"].isin(("Won", "Lost")) & deals["stage_since"].isna()]
    dated = no_since[no_since["created"].notna()]
    return MonthReport(
        month=month, start=start, end=month_end, lang=book.lang, to_date=to_date,
        closed_by_created=[f"{i} ({m})" for i, m in zip(_ids(dated),
                                                        dated["created"].dt.strftime("%Y-%m"))],
        closed_undated=_ids(no_since[no_since["created"].isna()]),
        currency=str(s["currency"] or "ILS"), company=s["company_name"], manager=s["manager_name"],
        revenue=rev.get(month, 0.0), revenue_prev=rev.get(prev, 0.0),
        revenue_prev_change=_change(rev.get(month, 0.0), rev.get(prev, 0.0)),
        revenue_year_ago=rev.get(year, 0.0),
        revenue_year_ago_change=_change(rev.get(month, 0.0), rev.get(year, 0.0)),
        orders=int(_order_ids(in_month).nunique()), order_lines=len(in_month),
        new_clients=new, new_by_referral=by_ref,
        deals_won=len(won), won_amount=round(float(won["amount"].fillna(0).sum()), 2),
        deals_lost=len(lost), win_rate=_rate(len(won), len(won) + len(lost)),
        lost_by_competitor=_lost_by_competitor(lost),
        pipeline=pipe, pipeline_weighted=round(sum(p.weighted for p in pipe), 2),
        interactions=sum(n for _, n in channels), by_channel=channels,
        followups_overdue=_overdue(then, now, end),
        complaints_opened=c_open, complaints_resolved=c_res, sla_met=c_met,
        sla_met_rate=_rate(c_met, c_res),
        deliveries_due=d_due, deliveries_on_time=d_ok, on_time_rate=_rate(d_ok, d_due),
        events=events, event_clients=attending,
        top=_top(now, _as_of_results(book, start - dt.timedelta(days=1))[1]),
        revenue_series=[(m, rev.get(m, 0.0)) for m in (_shift(month, k) for k in range(-11, 1))
                        if m >= "1900-01"],            # no months before Excel's first date
    )


def _revenue_by_month(orders: pd.DataFrame) -> dict[str, float]:
    o = orders[orders["order_date"].notna()]
    sums = o["amount"].fillna(0).groupby(o["order_date"].dt.strftime("%Y-%m")).sum()
    return {k: round(float(v), 2) for k, v in sums.items()}


def _order_ids(orders: pd.DataFrame) -> pd.Series:
    # An order is an Order ID (one row per line); a line without an ID counts alone.
    return orders["order_id"].where(orders["order_id"].notna(), "row " + orders.index.astype(str))


def _new_clients(clients: pd.DataFrame, start, end) -> tuple[int, int]:
    c = clients[_in(clients["created"], start, end) & clients["client_id"].notna()]
    c = c.drop_duplicates("client_id")
    return len(c), int((c["source"] == "Referral").sum())


def _ids(deals: pd.DataFrame) -> list[str]:
    """Deal IDs in sheet order (a row without one by its row number)."""
    return [str(x) if x else f"row {r}" for r, x in zip(deals.index, deals["deal_id"])]


def _closed_on(deals: pd.DataFrame) -> pd.Series:
    """When a deal was Won or Lost: its Stage since, or when blank its Created (the date
    follow-ups take for a stale deal); neither given: never (NaT)."""
    return deals["stage_since"].fillna(deals["created"])


def _closed_deals(deals: pd.DataFrame, start, end) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Won and Lost deals closed in the month (Stage since, else Created)."""
    d = deals[_in(_closed_on(deals), start, end)]
    return d[d["stage"] == "Won"], d[d["stage"] == "Lost"]


def _lost_by_competitor(lost: pd.DataFrame) -> list[tuple[str | None, int]]:
    counts: dict[str | None, int] = {}
    for c in lost["lost_to"]:
        counts[c] = counts.get(c, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))


def _pipeline(book: Book, end: dt.date) -> list[StageLine]:
    """Deals open at month end (Created on or before it, or blank), by stage; then, when
    any, the deals Won or Lost after it: open then, their stage then unknown, so weighted
    only by their own Probability."""
    deals = book.frame("Deals")
    exists = deals["created"].isna() | (deals["created"] <= pd.Timestamp(end))
    d = deals[exists & deals["stage"].isin(schema.OPEN_STAGES)]
    w = ranking.weighted_amounts(d, book.settings).fillna(0)
    out = []
    for st in schema.OPEN_STAGES:
        m = d["stage"] == st
        out.append(StageLine(st, int(m.sum()), round(float(d.loc[m, "amount"].fillna(0).sum()), 2),
                             round(float(w[m].sum()), 2)))
    later = deals[exists & deals["stage"].isin(("Won", "Lost"))
                  & (_closed_on(deals) > pd.Timestamp(end))]
    if len(later):
        own = (later["amount"] * later["probability"] / 100).fillna(0)
        out.append(StageLine(CLOSED_LATER, len(later),
                             round(float(later["amount"].fillna(0).sum()), 2),
                             round(float(own.sum()), 2)))
    return out


def _by_channel(inter: pd.DataFrame, start, end) -> list[tuple[str, int]]:
    """Interactions in the month per channel: every schema channel (zeros too), then others."""
    ch = inter.loc[_in(inter["date"], start, end), "channel"].dropna()
    counts = ch.value_counts()
    known = [(c, int(counts.get(c, 0))) for c in schema.CHANNELS]
    extra = sorted((str(c), int(n)) for c, n in counts.items() if c not in schema.CHANNELS)
    return known + extra


def _events(book: Book, start, end) -> tuple[list[EventLine], int]:
    ev = book.frame("Events")
    ev = ev[_in(ev["date"], start, end)].sort_values("date", kind="stable")
    inter = book.frame("Interactions")
    inter = inter[inter["client_id"].notna() & inter["event_id"].notna()]
    lines, everyone = [], set()
    for _, e in ev.iterrows():
        who = set(inter.loc[inter["event_id"] == e["event_id"], "client_id"]) if e["event_id"] else set()
        everyone |= who
        lines.append(EventLine(e["event_id"], e["name"], e["date"].date(), e["type"], len(who)))
    return lines, len(everyone)


def _deliveries(orders: pd.DataFrame, start, end) -> tuple[int, int]:
    """Order lines (not Cancelled) due in the month; on time = the whole line delivered
    (Status Delivered, and Delivered qty, when given, not short of Quantity) by the Due date.
    A Partly delivered line is not on time, whatever its Delivered on."""
    o = orders[_in(orders["due_date"], start, end)]
    whole = (o["status"] == "Delivered") & ~(o["delivered_qty"] < o["quantity"])
    ok = whole & o["delivered_on"].notna() & (o["delivered_on"] <= o["due_date"])
    return len(o), int(ok.sum())


# --- figures that need the core as of a day ----------------------------------------------------
def as_of(book: Book, day: dt.date) -> Book:
    """The book as it stood at the end of `day`: later rows left out, later events undone."""
    t = pd.Timestamp(day)

    def upto(f, col):
        return f[f[col].isna() | (f[col] <= t)]

    f = {n: book.frame(n) for n in book.tables}
    orders = upto(f["Orders"], "order_date").copy()
    late = orders["delivered_on"] > t
    orders.loc[late & (orders["status"] != "Cancelled"), "status"] = "Open"
    orders.loc[late, ["delivered_on", "delivered_qty"]] = [pd.NaT, float("nan")]
    orders.loc[orders["paid_on"] > t, "paid_on"] = pd.NaT
    cases = upto(f["Complaints"], "opened").copy()
    later = cases["resolved_on"] > t
    cases.loc[later, "status"] = "In progress"
    cases.loc[later, "resolved_on"] = pd.NaT
    new = {
        "Clients": upto(f["Clients"], "created"),
        "Interactions": f["Interactions"][f["Interactions"]["date"] <= t],
        "Orders": orders,
        "Deals": upto(f["Deals"], "created"),
        "Complaints": cases,
    }
    tables = dict(book.tables)
    for name, frame in new.items():
        tables[name] = dataclasses.replace(book.tables[name], frame=frame)
    return dataclasses.replace(book, tables=tables, problems=[])


def _as_of_results(book: Book, day: dt.date):
    """(the book as of `day`, core.compute over it)."""
    then = as_of(book, day)
    return then, core.compute(then, day)


def _overdue(book_then: Book, results, end: dt.date) -> int:
    """Distinct clients whose Next follow-up (as of month end) lies before month end."""
    due = results.clients["next_follow_up"].map(lambda d: d is not None and d < end)
    ids = book_then.frame("Clients")["client_id"].reindex(results.clients.index)
    return int(ids[due.astype(bool) & ids.notna()].nunique())


def _complaints(cases: pd.DataFrame, results, start, end) -> tuple[int, int, int]:
    """Opened in the month; resolved in the month; of those, SLA met (core's sla_status)."""
    opened = int(_in(cases["opened"], start, end).sum())
    done = cases[(cases["status"] == "Resolved") & _in(cases["resolved_on"], start, end)]
    status = results.complaints["sla_status"].reindex(done.index)
    return opened, len(done), int((status == "Met").sum())


def _top(now, before) -> list[TopAccount]:
    prev = dict(zip(before.rankings["client_id"], before.rankings["rank"]))
    out = []
    for _, r in now.rankings[now.rankings["rank"] <= TOP_N].sort_values("rank").iterrows():
        p = prev.get(r["client_id"])
        delta = 0 if p is None else int(p) - int(r["rank"])
        move = "new" if p is None else "up" if delta > 0 else "down" if delta < 0 else "same"
        out.append(TopAccount(int(r["rank"]), r["client_id"], r["name"], r["class"], r["tier"],
                              float(r["revenue_12m"] or 0.0), None if p is None else int(p),
                              move, delta))
    return out


# --- words and number formats ----------------------------------------------------------------
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Monthly report", "sheet": "Report", "period": "Period",
        "company": "Company", "manager": "Account manager",
        "figure": "Figure", "value": "Value", "key_figures": "Key figures",
        "sec_revenue": "Revenue", "sec_sales": "Orders and clients", "sec_deals": "Deals",
        "sec_pipeline": "Weighted pipeline at month end", "sec_activity": "Activity",
        "sec_service": "Complaints and deliveries", "sec_events": "Events",
        "sec_top": "Top 10 key accounts",
        "revenue": "Revenue in the month", "revenue_prev": "Previous month",
        "revenue_prev_change": "Change vs previous month", "revenue_year_ago": "Same month last year",
        "revenue_year_ago_change": "Change vs same month last year",
        "orders": "Orders", "order_lines": "Order lines", "new_clients": "New clients",
        "new_by_referral": "of them by referral", "deals_won": "Deals won",
        "won_amount": "Won amount", "deals_lost": "Deals lost", "win_rate": "Win rate",
        "lost_by_competitor": "Lost deals by competitor", "competitor": "Competitor",
        "no_competitor": "(not given)", "deals": "Deals",
        "pipeline_weighted": "Weighted pipeline", "stage": "Stage", "amount": "Amount",
        "weighted": "Weighted", "interactions": "Interactions", "channel": "Channel",
        "count": "Count", "followups_overdue": "Follow-ups overdue at month end",
        "complaints_opened": "Complaints opened", "complaints_resolved": "Complaints resolved",
        "sla_met_rate": "SLA met", "deliveries_due": "Deliveries due",
        "deliveries_on_time": "Delivered on time", "on_time_rate": "On time",
        "events_held": "Events held", "event_clients": "Clients attending",
        "event": "Event", "date": "Date", "type": "Type", "clients": "Clients",
        "month": "Month", "rank": "Rank", "client": "Client", "class": "Class", "tier": "Tier",
        "revenue_12m": "Revenue 12m", "prev_rank": "Previous rank", "movement": "Movement",
        "new": "new", "none": "none",
        "chart_revenue": "Revenue, last 12 months", "chart_channels": "Interactions by channel",
        "chart_pipeline": "Weighted pipeline by stage",
        "to_date": "to date", "closed_later": "Closed since (stage then unknown)",
        "sec_pipeline_to_date": "Weighted pipeline today",
        "followups_overdue_to_date": "Follow-ups overdue today",
        "closed_by_created": "Won or Lost deals with Stage since blank, counted in the "
                             "month they were created: {ids}",
        "closed_undated": "Won or Lost deals with neither Stage since nor Created, counted "
                          "in no month: {ids}",
        "more": "and {n} more",
    },
    "he": {
        "title": "דוח חודשי", "sheet": "דוח", "period": "תקופה",
        "company": "חברה", "manager": "מנהל/ת לקוח",
        "figure": "נתון", "value": "ערך", "key_figures": "נתונים עיקריים",
        "sec_revenue": "הכנסות", "sec_sales": "הזמנות ולקוחות", "sec_deals": "עסקאות",
        "sec_pipeline": "צנרת משוקללת בסוף החודש", "sec_activity": "פעילות",
        "sec_service": "תלונות ואספקות", "sec_events": "אירועים",
        "sec_top": "10 הלקוחות המובילים",
        "revenue": "הכנסות בחודש", "revenue_prev": "חודש קודם",
        "revenue_prev_change": "שינוי מול החודש הקודם", "revenue_year_ago": "אותו חודש אשתקד",
        "revenue_year_ago_change": "שינוי מול אותו חודש אשתקד",
        "orders": "הזמנות", "order_lines": "שורות הזמנה", "new_clients": "לקוחות חדשים",
        "new_by_referral": "מהם בהפניה", "deals_won": "עסקאות שנסגרו בהצלחה",
        "won_amount": "סכום שנסגר", "deals_lost": "עסקאות שאבדו", "win_rate": "שיעור הצלחה",
        "lost_by_competitor": "עסקאות שאבדו לפי מתחרה", "competitor": "מתחרה",
        "no_competitor": "(לא צוין)", "deals": "עסקאות",
        "pipeline_weighted": "צנרת משוקללת", "stage": "שלב", "amount": "סכום",
        "weighted": "משוקלל", "interactions": "אינטראקציות", "channel": "ערוץ",
        "count": "מספר", "followups_overdue": "מעקבים באיחור בסוף החודש",
        "complaints_opened": "תלונות שנפתחו", "complaints_resolved": "תלונות שנפתרו",
        "sla_met_rate": "עמידה ב-SLA", "deliveries_due": "אספקות במועד החודש",
        "deliveries_on_time": "סופקו בזמן", "on_time_rate": "בזמן",
        "events_held": "אירועים שהתקיימו", "event_clients": "לקוחות שהשתתפו",
        "event": "אירוע", "date": "תאריך", "type": "סוג", "clients": "לקוחות",
        "month": "חודש", "rank": "דירוג", "client": "לקוח", "class": "סיווג", "tier": "דרגה",
        "revenue_12m": "הכנסות 12 חודשים", "prev_rank": "דירוג קודם", "movement": "תנועה",
        "new": "חדש", "none": "אין",
        "chart_revenue": "הכנסות, 12 החודשים האחרונים", "chart_channels": "אינטראקציות לפי ערוץ",
        "chart_pipeline": "צנרת משוקללת לפי שלב",
        "to_date": "עד כה", "closed_later": "נסגרו מאז (השלב אז לא ידוע)",
        "sec_pipeline_to_date": "צנרת משוקללת היום",
        "followups_overdue_to_date": "מעקבים באיחור היום",
        "closed_by_created": "נסגרו בהצלחה או אבדו בלי תאריך שלב, נספרו בחודש תאריך היצירה: {ids}",
        "closed_undated": "נסגרו בהצלחה או אבדו בלי תאריך שלב ובלי תאריך יצירה, לא נספרו: {ids}",
        "more": "ועוד {n}",
    },
}

# The figure rows, in order, with how each value is shown (sheet and HTML alike).
FIGURES: tuple[tuple[str, str], ...] = (
    ("revenue", "money"), ("revenue_prev", "money"), ("revenue_prev_change", "change"),
    ("revenue_year_ago", "money"), ("revenue_year_ago_change", "change"),
    ("orders", "int"), ("order_lines", "int"), ("new_clients", "int"), ("new_by_referral", "int"),
    ("deals_won", "int"), ("won_amount", "money"), ("deals_lost", "int"), ("win_rate", "pct"),
    ("pipeline_weighted", "money"), ("interactions", "int"), ("followups_overdue", "int"),
    ("complaints_opened", "int"), ("complaints_resolved", "int"), ("sla_met_rate", "pct"),
    ("deliveries_due", "int"), ("deliveries_on_time", "int"), ("on_time_rate", "pct"),
    ("events_held", "int"), ("event_clients", "int"),
)


def _lang(lang: str | None) -> str:
    return lang if lang in LABELS else "en"


def labels(report: MonthReport, lang: str) -> dict[str, str]:
    """The words for this report: the current month's say "today" where others say
    "at month end"."""
    L = dict(LABELS[_lang(lang)])
    if report.to_date:
        for key in ("sec_pipeline", "followups_overdue"):
            L[key] = L[f"{key}_to_date"]
    return L


def heading(report: MonthReport, lang: str) -> str:
    """`November 2026`, or for the current month `November 2026, to date (27 Nov 2026)`."""
    lang = _lang(lang)
    f = Formats(lang, report.currency)
    name = f.month(report.month)
    return f"{name}, {LABELS[lang]['to_date']} ({f.date(report.to_date)})" if report.to_date \
        else name


def notes(report: MonthReport, lang: str) -> list[str]:
    """What the reader should know about how a figure was counted (one line each)."""
    L = LABELS[_lang(lang)]

    def some(ids: list[str], n: int = 10) -> str:
        return ", ".join(ids[:n]) + (f" {L['more'].format(n=len(ids) - n)}" if len(ids) > n else "")
    return [L[key].format(ids=some(ids))
            for key, ids in (("closed_by_created", report.closed_by_created),
                             ("closed_undated", report.closed_undated)) if ids]


def stage_label(stage: str | None, lang: str) -> str | None:
    return LABELS[_lang(lang)]["closed_later"] if stage == CLOSED_LATER else choice(stage, lang)


def figure_value(report: MonthReport, key: str) -> Any:
    return len(report.events) if key == "events_held" else getattr(report, key)


class Formats:
    """Numbers, money, percents and dates the way `lang` writes them (babel)."""
    DASH = "—"

    def __init__(self, lang: str, currency: str):
        from babel import Locale
        self.lang, self.locale, self.currency = lang, Locale.parse(lang), currency
        # The locale's currency pattern without decimals: a report shows whole amounts.
        self._money = self.locale.currency_formats["standard"].pattern.replace(".00", "")

    def money(self, v) -> str:
        from babel.numbers import format_currency
        return self.DASH if v is None else format_currency(
            v, self.currency, format=self._money, locale=self.locale, currency_digits=False)

    def int(self, v) -> str:
        from babel.numbers import format_decimal
        return self.DASH if v is None else format_decimal(v, locale=self.locale)

    def pct(self, v) -> str:
        from babel.numbers import format_percent
        return self.DASH if v is None else format_percent(v, format="#,##0.#%", locale=self.locale)

    def change(self, v) -> str:
        return self.DASH if v is None else ("+" if v > 0 else "") + self.pct(v)

    def date(self, d) -> str:
        from babel.dates import format_date
        return self.DASH if d is None else format_date(d, "medium", locale=self.locale)

    def month(self, month: str, short: bool = False) -> str:
        from babel.dates import format_date
        return format_date(parse_month(month)[0], "MMM yy" if short else "LLLL y",
                           locale=self.locale)

    def value(self, v, kind: str) -> str:
        return getattr(self, kind)(v) if kind in ("money", "int", "pct", "change") else \
            (self.DASH if v is None else str(v))


def movement_text(a: TopAccount, lang: str) -> str:
    if a.movement == "new":
        return LABELS[_lang(lang)]["new"]
    return {"up": f"▲ {a.delta}", "down": f"▼ {-a.delta}"}.get(a.movement, "=")


def choice(v, lang) -> str | None:
    return schema.show_choice(v, lang)


# --- charts as SVG (no script, no external asset) ------------------------------------------
def _esc(text) -> str:
    from markupsafe import escape
    return str(escape(text))


def bar_chart_svg(items: list[tuple[str, float]], fmt: Callable[[float], str], title: str,
                  rtl: bool = False, columns: bool = False, bars_only: bool = False) -> str:
    """A bar chart (horizontal bars, or columns for a time series) as SVG text, all escaped.

    bars_only: no text inside the picture (LibreOffice draws SVG text without bidi).
    """
    peak = max([v for _, v in items if v] + [0]) or 1.0
    if columns:
        return _columns_svg(items, fmt, title, peak, rtl, bars_only)
    w, label_w, value_w, bar_h, gap, top = 560, 150, 110, 18, 6, 30
    h = top + len(items) * (bar_h + gap) + 6
    span = w - label_w - value_w - 10
    d = ' direction="rtl"' if rtl else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{_esc(title)}">']
    if not bars_only:
        out.append(f'<text x="{w - 4 if rtl else 4}" y="18" font-size="14" font-weight="bold"'
                   f'{d} text-anchor="{"end" if rtl else "start"}">{_esc(title)}</text>')
    for i, (label, v) in enumerate(items):
        y = top + i * (bar_h + gap)
        bw = max(0.0, (v or 0) / peak * span)
        x = w - label_w - bw if rtl else label_w
        out.append(f'<rect x="{x:.1f}" y="{y}" width="{bw:.1f}" height="{bar_h}" fill="#2f6db5"/>')
        if bars_only:
            continue
        lx, vx = (w - label_w + 6, w - label_w - bw - 6) if rtl else (label_w - 6, label_w + bw + 6)
        out.append(f'<text x="{lx:.1f}" y="{y + 13}" font-size="12"{d} '
                   f'text-anchor="{"start" if rtl else "end"}">{_esc(label)}</text>')
        out.append(f'<text x="{vx:.1f}" y="{y + 13}" font-size="12" '
                   f'text-anchor="{"end" if rtl else "start"}">{_esc(fmt(v))}</text>')
    return "".join(out) + "</svg>"


def _columns_svg(items, fmt, title, peak, rtl, bars_only) -> str:
    n = max(len(items), 1)
    w, h, top, bottom, left = 640, 250, 30, 40, 10
    slot = (w - 2 * left) / n
    span = h - top - bottom
    d = ' direction="rtl"' if rtl else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="{_esc(title)}">']
    if not bars_only:
        out.append(f'<text x="{w - 4 if rtl else 4}" y="18" font-size="14" font-weight="bold"'
                   f'{d} text-anchor="{"end" if rtl else "start"}">{_esc(title)}</text>')
    out.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - left}" y2="{h - bottom}" '
               f'stroke="#888"/>')
    for i, (label, v) in enumerate(items):
        bh = max(0.0, (v or 0) / peak * span)
        x = left + i * slot + slot * 0.15
        out.append(f'<rect x="{x:.1f}" y="{h - bottom - bh:.1f}" width="{slot * 0.7:.1f}" '
                   f'height="{bh:.1f}" fill="#2f6db5"/>')
        if bars_only:
            continue
        cx = x + slot * 0.35
        out.append(f'<text x="{cx:.1f}" y="{h - bottom + 14}" font-size="10" '
                   f'text-anchor="middle">{_esc(label)}</text>')
        if v:
            out.append(f'<text x="{cx:.1f}" y="{h - bottom - bh - 4:.1f}" font-size="9" '
                       f'text-anchor="middle">{_esc(fmt(v))}</text>')
    return "".join(out) + "</svg>"


def chart_series(report: MonthReport, lang: str) -> dict[str, list[tuple[str, float]]]:
    """The three charts' data with display labels: revenue by month, channels, stages."""
    lang = _lang(lang)
    f = Formats(lang, report.currency)
    return {
        "revenue": [(f.month(m, short=True), v) for m, v in report.revenue_series],
        "channels": [(choice(c, lang), float(n)) for c, n in report.by_channel],
        "pipeline": [(stage_label(p.stage, lang), p.weighted) for p in report.pipeline],
    }


def _charts(report: MonthReport, lang: str, bars_only: bool) -> dict[str, dict]:
    from markupsafe import Markup
    f, L, rtl = Formats(lang, report.currency), LABELS[lang], lang == "he"
    series = chart_series(report, lang)
    spec = {"revenue": ("chart_revenue", f.money, True), "channels": ("chart_channels", f.int, False),
            "pipeline": ("chart_pipeline", f.money, False)}
    out = {}
    for key, (title, fmt, cols) in spec.items():
        items = series[key]
        svg = bar_chart_svg(items, fmt, L[title], rtl, cols)
        rows = []
        if bars_only:   # LibreOffice: one text-free bar picture per row of an HTML table
            peak = max([v for _, v in items if v] + [0]) or 1.0
            rows = [(label, fmt(v), _bar_data_uri(v / peak if v else 0.0)) for label, v in items]
        out[key] = {"title": L[title], "svg": Markup(svg), "rows": rows}
    return out


def _bar_data_uri(frac: float, width: int = 220, height: int = 12) -> str:
    bw = max(1.0, frac * width) if frac > 0 else 0.0
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}"><rect x="0" y="0" width="{bw:.1f}" height="{height}" '
           f'fill="#2f6db5"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def isolate(text):
    """Escaped text between FSI and PDI: a name keeps its own direction inside any page
    (a Latin name ending in '>' stays whole in Hebrew; LibreOffice honours these too)."""
    from markupsafe import Markup
    return Markup("\u2068{}\u2069").format("" if text is None else text)


# --- HTML -----------------------------------------------------------------------------------------
def template_dir() -> Path:
    return templates_dir()


def render_html(report: MonthReport, lang: str | None = None, for_pdf: bool = False) -> str:
    """The report as one HTML page (sandboxed, autoescaped Jinja2; client names are data).

    for_pdf: the variant for LibreOffice, whose HTML import ignores inline SVG and
    draws SVG text without bidi: charts become tables of text-free bar pictures.
    """
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    lang = _lang(lang or report.lang)
    f = Formats(lang, report.currency)
    env = SandboxedEnvironment(autoescape=True, loader=FileSystemLoader(str(template_dir())),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=f.money, int=f.int, pct=f.pct, change=f.change, date=f.date,
                       choice=lambda v: choice(v, lang) or f.DASH, iso=isolate,
                       stage=lambda v: stage_label(v, lang) or f.DASH)
    L = labels(report, lang)
    figures = [(L[k], f.value(figure_value(report, k), kind)) for k, kind in FIGURES]
    return env.get_template("report.html.j2").render(
        r=report, L=L, lang=lang, dir="rtl" if lang == "he" else "ltr",
        start="right" if lang == "he" else "left", notes=notes(report, lang),
        month_name=heading(report, lang), figures=figures, for_pdf=for_pdf,
        charts=_charts(report, lang, bars_only=for_pdf),
        moves=[movement_text(a, lang) for a in report.top])


def write_report_files(report: MonthReport, out_dir, lang: str | None = None,
                       pdf: bool = False) -> dict[str, Path]:
    """report-YYYY-MM.html (and .pdf when asked) in out_dir; returns {"html": p, "pdf": p}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"html": out / f"report-{report.month}.html"}
    paths["html"].write_text(render_html(report, lang), encoding="utf-8")
    if pdf:
        paths["pdf"] = out / f"report-{report.month}.pdf"
        html_to_pdf(report, lang, paths["pdf"])
    return paths


def html_to_pdf(report: MonthReport, lang: str | None, target: Path) -> Path:
    """The report as PDF through acctbook.documents.pdf (Chromium/Chrome/Edge, WeasyPrint, LibreOffice),
    its clock and identifiers pinned: the same inputs give the same bytes (SPEC section 8)."""
    lang = _lang(lang or report.lang)
    try:
        used = pdf.html_to_pdf(render_html(report, lang), target, rtl=lang == "he",
                               plain_html=lambda: render_html(report, lang, for_pdf=True))
    except pdf.PdfUnavailable as e:
        e.exit_code = ReportError.exit_code     # the report's exit code for it, as before (2)
        raise
    except pdf.PdfFailed as e:
        raise ReportError(f"cannot write the report PDF: {e}") from e
    return pdf.pin_pdf(target, report.until, used.encode("utf-8"))


def _soffice_pdf(html: str, target: Path, timeout: int = 120) -> Path:
    """LibreOffice's HTML import alone (tests compare it; html_to_pdf tries it last)."""
    try:
        return pdf.soffice_html_pdf(html, target, timeout)
    except pdf.PdfFailed as e:
        raise ReportError(f"cannot write the report PDF: {e}") from e


# --- the Report YYYY-MM sheet as data --------------------------------------------------------
def report_sheet_name(month: str, lang: str) -> str:
    return f"{LABELS[_lang(lang)]['sheet']} {month}"


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _ref(sheet: str, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{_quote_sheet(sheet)}!${col_letter(c0 + 1)}${r0 + 1}:${col_letter(c1 + 1)}${r1 + 1}"


def report_sheet(report: MonthReport, lang: str | None = None) -> dict:
    """The `Report YYYY-MM` sheet as plain data, for any writer.

    Returns {"name", "rtl", "cells": [{"row", "col", "value", "kind"}], "charts": [...],
    "widths": {col: chars}}; rows and columns are 0-based. kind is one of title,
    subtitle, header, text, int, money, pct, change, date (values stay raw numbers,
    dates and texts: a writer formats them; texts are never formulas). Each chart:
    {"key", "type" ("column"|"bar"), "title", "series_name", "categories", "values"
    (A1 references with the sheet name), "cat_range"/"val_range" (r0, c0, r1, c1), "anchor"}.
    """
    lang = _lang(lang or report.lang)
    L, f = labels(report, lang), Formats(lang, report.currency)
    name = report_sheet_name(report.month, lang)
    cells: list[dict] = []

    def put(r, c, v, kind="text"):
        cells.append({"row": r, "col": c, "value": v, "kind": kind})

    def block(r, title, header, rows, kinds) -> tuple[int, int]:
        """A titled table at row r; returns (first data row, row after the block).

        kinds: one kind per column, or a callable row index -> that list."""
        put(r, 0, title, "subtitle")
        for c, h in enumerate(header):
            put(r + 1, c, h, "header")
        for i, row in enumerate(rows):
            for c, (v, k) in enumerate(zip(row, kinds(i) if callable(kinds) else kinds)):
                put(r + 2 + i, c, v, k)
        return r + 2, r + 2 + len(rows) + 1

    put(0, 0, f"{L['title']} — {heading(report, lang)}", "title")
    who = " · ".join(x for x in (report.company, report.manager) if x)
    put(1, 0, f"{L['period']}: {report.start.isoformat()} – {report.until.isoformat()}"
        + (f" · {who}" if who else ""), "subtitle")
    if notes(report, lang):          # the row left blank above the figures
        put(2, 0, " ".join(notes(report, lang)), "text")
    _, r = block(3, L["key_figures"], [L["figure"], L["value"]],
                 [(L[k], figure_value(report, k)) for k, _ in FIGURES],
                 lambda i: ["text", FIGURES[i][1]])
    series = chart_series(report, lang)
    charts = []

    rev0, r = block(r, L["chart_revenue"], [L["month"], L["revenue"]],
                    [(lbl, v) for lbl, v in series["revenue"]], ["text", "money"])
    charts.append(_chart("revenue", "column", L["chart_revenue"], L["revenue"], name,
                         rev0, len(series["revenue"]), 1, "E4"))
    ch0, r = block(r, L["chart_channels"], [L["channel"], L["interactions"]],
                   [(lbl, int(v)) for lbl, v in series["channels"]], ["text", "int"])
    charts.append(_chart("channels", "bar", L["chart_channels"], L["interactions"], name,
                         ch0, len(series["channels"]), 1, "E22"))
    st0, r = block(r, L["sec_pipeline"], [L["stage"], L["weighted"], L["deals"], L["amount"]],
                   [(stage_label(p.stage, lang), p.weighted, p.deals, p.amount)
                    for p in report.pipeline],
                   ["text", "money", "int", "money"])
    charts.append(_chart("pipeline", "bar", L["chart_pipeline"], L["weighted"], name,
                         st0, len(report.pipeline), 1, "E40"))
    _, r = block(r, L["lost_by_competitor"], [L["competitor"], L["deals"]],
                 [(c or L["no_competitor"], n) for c, n in report.lost_by_competitor],
                 ["text", "int"])
    _, r = block(r, L["sec_events"], [L["event"], L["date"], L["type"], L["clients"]],
                 [(e.name or e.event_id, e.date, choice(e.type, lang), e.clients)
                  for e in report.events], ["text", "date", "text", "int"])
    _, r = block(r, L["sec_top"], [L["rank"], L["client"], L["class"], L["tier"],
                                    L["revenue_12m"], L["prev_rank"], L["movement"]],
                 [(a.rank, a.name or a.client_id, a.cls, choice(a.tier, lang), a.revenue_12m,
                   a.prev_rank, movement_text(a, lang)) for a in report.top],
                 ["int", "text", "text", "text", "money", "int", "text"])
    return {"name": name, "rtl": lang == "he", "cells": cells, "charts": charts,
            "widths": {0: 34, 1: 16, 2: 10, 3: 12, 4: 14, 5: 13, 6: 10}}


def _chart(key, kind, title, series_name, sheet, first, n, val_col, anchor) -> dict:
    cat = (first, 0, first + n - 1, 0)
    val = (first, val_col, first + n - 1, val_col)
    return {"key": key, "type": kind, "title": title, "series_name": series_name,
            "categories": "=" + _ref(sheet, *cat), "values": "=" + _ref(sheet, *val),
            "cat_range": cat, "val_range": val, "anchor": anchor}


# --- the sheet alone, with native charts (XlsxWriter) -----------------------------------------
NUMBER_FORMATS = {"money": "#,##0", "int": "0", "pct": "0.0%", "change": "+0.0%;-0.0%;0.0%",
                  "date": "yyyy-mm-dd"}


def build_report_xlsx(report: MonthReport, lang: str | None, path) -> Path:
    """Write the `Report YYYY-MM` sheet with its three native charts to a new .xlsx at path."""
    import xlsxwriter
    desc = report_sheet(report, lang)
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    try:
        ws = wb.add_worksheet(desc["name"])
        if desc["rtl"]:
            ws.right_to_left()
        fmts = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}
        fmts.update(title=wb.add_format({"bold": True, "font_size": 16}),
                    subtitle=wb.add_format({"bold": True}),
                    header=wb.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1}))
        for c, width in desc["widths"].items():
            ws.set_column(c, c, width)
        for cell in desc["cells"]:
            _write_cell(ws, cell, fmts.get(cell["kind"]))
        for ch in desc["charts"]:
            chart = wb.add_chart({"type": ch["type"]})
            chart.add_series({"name": ch["series_name"], "categories": ch["categories"],
                              "values": ch["values"], "fill": {"color": "#2F6DB5"}})
            chart.set_title({"name": ch["title"]})
            chart.set_legend({"none": True})
            if ch["type"] == "bar":
                chart.set_y_axis({"reverse": True})   # categories top to bottom in table order
            ws.insert_chart(ch["anchor"], chart, {"x_scale": 1.3, "y_scale": 1.1})
    finally:
        wb.close()
    return path


def _write_cell(ws, cell: dict, fmt) -> None:
    r, c, v = cell["row"], cell["col"], cell["value"]
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, str):
        ws.write_string(r, c, v, fmt)     # never a formula, whatever the text starts with
    elif isinstance(v, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), fmt)
    else:
        ws.write_number(r, c, float(v), fmt)


def last_full_month(today: dt.date) -> str:
    """The month before `today`'s: what `acctbook report` and the button report by default."""
    first = today.replace(day=1)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"
