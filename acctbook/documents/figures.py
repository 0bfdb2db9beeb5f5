"""The monthly report's figures: `month_figures(book, "YYYY-MM")` and the book "as of" a day.

`month_figures` is pure (no files, no clock): every figure is computed here so tests
check numbers, not rendering. Rendering takes the MonthReport it returns: the HTML and
PDF in acctbook.documents.report_html, the `Report YYYY-MM` sheet in
acctbook.documents.report_sheet.

As-of figures (follow-ups overdue, SLA, the top 10 and the previous ranking, the
segments and regions, the bonuses due) come from `core.compute` over the book as it stood at that day's end: rows
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

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import said, tr
from acctbook.book.model import AcctbookError, Book, Refused
from acctbook.core import campaign_results as results_of
from acctbook.core import compute as core
from acctbook.core import forecast, ranking

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
class CampaignLine:
    """A campaign sent in or before the period, its results as of the period's last day
    (core/campaign_results.py). rate: responses ÷ the clients reached (None: none)."""
    campaign_id: str
    name: str | None
    type: str | None
    sent_on: dt.date
    recipients: int
    responses: int
    deals: int
    rate: float | None


@dataclass
class EventResultLine:
    """An event of the period or the 3 months before: its Attendance rows and the deals its
    attending clients created within 90 days after it (to the period's last day)."""
    event_id: str | None
    name: str | None
    date: dt.date
    invited: int
    accepted: int
    attended: int
    deals: int


EVENT_MONTHS_BEFORE = 3        # the event results cover the period and these months before


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
class SegmentLine:
    """A row of the Segments (or Regions) table as of the period's last day (core/segments.py;
    docs/rules.md, "Segments and regions"). Rates are fractions; None: blank."""
    name: str | None              # None: the clients with the Segment (Region) blank
    clients: int
    key_accounts: int
    revenue_12m: float
    growth: float | None
    share: float | None
    weighted_pipeline: float
    won_12m: int
    lost_12m: int
    win_rate: float | None
    open_complaints: int
    revenue_prior: float = 0.0


def segment_total(lines: list[SegmentLine]) -> SegmentLine:
    """The lines added up (name None): sums, the share of the whole, the win rate of all
    the deals won and lost, growth against all the prior revenue (None when there was none)."""
    def add(key):
        return sum(getattr(x, key) for x in lines)
    revenue, prior, won, lost = (add("revenue_12m"), add("revenue_prior"), add("won_12m"),
                                 add("lost_12m"))
    return SegmentLine(None, add("clients"), add("key_accounts"), round(revenue, 2),
                       revenue / prior - 1 if prior > 0 else None, 1.0 if revenue else None,
                       round(add("weighted_pipeline"), 2), won, lost,
                       won / (won + lost) if won + lost else None, add("open_complaints"),
                       round(prior, 2))


def segment_lines(frame: pd.DataFrame) -> list[SegmentLine]:
    """core.compute's Segments or Regions frame as lines, in its order."""
    first = frame.columns[0] if len(frame.columns) else None
    return [SegmentLine(None if r["blank"] else r[first], *(r[k] for k in (
        "clients", "key_accounts", "revenue_12m", "growth", "share", "weighted_pipeline",
        "won_12m", "lost_12m", "win_rate", "open_complaints", "revenue_prior")))
        for _, r in frame.iterrows()]


@dataclass
class BonusLine:
    """A client's loyalty and referral bonuses as the Loyalty sheet has them on the period's
    last day (core/loyalty.py; docs/rules.md, section 20): earned and paid out in that day's
    year, and the balance due."""
    client_id: str
    name: str | None
    earned: float
    paid_out: float
    balance_due: float


def bonus_lines(loyalty: pd.DataFrame) -> list[BonusLine]:
    """core.compute's Loyalty rows with a balance due, in the sheet's order (highest first)."""
    return [BonusLine(r["client_id"], r["name"], r["earned"], r["paid_out"], r["balance_due"])
            for _, r in loyalty.iterrows() if (r["balance_due"] or 0) > 0]


@dataclass
class MonthReport:
    """Every figure of the monthly report for one month. Rates are fractions (0.25 = 25 %)."""
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
    # Deals whose Currency has no exchange rate (check: no-exchange-rate), left out of the
    # won and pipeline amounts, which are in the book's currency.
    no_exchange_rate: list[str] = field(default_factory=list)
    number_format: str | None = None        # Settings Number format (a locale), or None
    # Segments and regions as of the last day covered (`until`): the Segments sheet's rows
    segments: list[SegmentLine] = field(default_factory=list)
    regions: list[SegmentLine] = field(default_factory=list)
    # Campaigns sent up to the last day covered, latest first; events of the period and the
    # EVENT_MONTHS_BEFORE months before, by date (docs/rules.md, section 16)
    campaigns: list[CampaignLine] = field(default_factory=list)
    event_results: list[EventResultLine] = field(default_factory=list)
    # Targets and the forecast of the month and of its quarter, as of the last day covered
    # (core/forecast.py; docs/rules.md, section 17)
    targets: list[forecast.PeriodFigures] = field(default_factory=list)
    # Bonuses due as of the last day covered: the Loyalty sheet's clients with a balance due
    bonuses: list[BonusLine] = field(default_factory=list)

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
        raise said(ReportError, tr("en", "month '{month}' is not YYYY-MM from 1900 to 2199 "
                                          "(e.g. 2026-05)"), month=month)
    start = dt.date(int(m[1]), int(m[2]), 1)
    return start, _next_start(start) - dt.timedelta(days=1)


def refuse_unstarted(month: str, today: dt.date) -> None:
    """A month after today's has no figures yet: Refused (a future month's would be guesses)."""
    if parse_month(month)[0] > today:
        raise said(Refused, tr("en", "month {month} has not started yet (today is {today}); a "
                                      "report covers a past month, or the current one to date"),
                    month=month.strip(), today=today.isoformat())


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
    counted = pd.concat([won, *_open_then(deals, end)])
    no_rate = counted[counted["amount"].notna() & ranking.book_amounts(counted, s).isna()]
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
        no_exchange_rate=_ids(no_rate), number_format=s.number_format,
        currency=str(s["currency"] or "ILS"), company=s["company_name"], manager=s["manager_name"],
        revenue=rev.get(month, 0.0), revenue_prev=rev.get(prev, 0.0),
        revenue_prev_change=_change(rev.get(month, 0.0), rev.get(prev, 0.0)),
        revenue_year_ago=rev.get(year, 0.0),
        revenue_year_ago_change=_change(rev.get(month, 0.0), rev.get(year, 0.0)),
        orders=int(_order_ids(in_month).nunique()), order_lines=len(in_month),
        new_clients=new, new_by_referral=by_ref,
        deals_won=len(won),
        won_amount=round(float(ranking.book_amounts(won, s).fillna(0).sum()), 2),
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
        segments=segment_lines(now.segments), regions=segment_lines(now.regions),
        campaigns=_campaigns(then),
        event_results=_event_results(then, _shift(month, -EVENT_MONTHS_BEFORE), end),
        targets=forecast.month_and_quarter(book, start, end),
        bonuses=bonus_lines(now.loyalty),
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


def _open_then(deals: pd.DataFrame, end: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(deals open at month end by their present stage, Created on or before it or blank;
    the deals Won or Lost after it, open then)."""
    exists = deals["created"].isna() | (deals["created"] <= pd.Timestamp(end))
    return (deals[exists & deals["stage"].isin(schema.OPEN_STAGES)],
            deals[exists & deals["stage"].isin(("Won", "Lost"))
                  & (_closed_on(deals) > pd.Timestamp(end))])


def _pipeline(book: Book, end: dt.date) -> list[StageLine]:
    """Deals open at month end, by stage; then, when any, the deals Won or Lost after it:
    open then, their stage then unknown, so weighted only by their own Probability.
    Amounts are in the book's currency (docs/rules.md, section 10)."""
    d, later = _open_then(book.frame("Deals"), end)
    amount = ranking.book_amounts(d, book.settings).fillna(0)
    w = ranking.weighted_amounts(d, book.settings).fillna(0)
    out = []
    for st in schema.OPEN_STAGES:
        m = d["stage"] == st
        out.append(StageLine(st, int(m.sum()), round(float(amount[m].sum()), 2),
                             round(float(w[m].sum()), 2)))
    if len(later):
        amount = ranking.book_amounts(later, book.settings)
        own = (amount * later["probability"] / 100).fillna(0)
        out.append(StageLine(CLOSED_LATER, len(later), round(float(amount.fillna(0).sum()), 2),
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


def _campaigns(book_then: Book) -> list[CampaignLine]:
    """The campaigns with a message by the day `book_then` stands at, latest Sent on first."""
    c = book_then.frame("Campaigns")
    r = results_of.campaign_results(c, book_then.frame("Interactions"), book_then.frame("Deals"),
                                    book_then.frame("Contacts"))
    r = r[r["sent_on"].notna()].sort_values("sent_on", ascending=False, kind="stable")
    return [CampaignLine(c.at[i, "campaign_id"], c.at[i, "name"], c.at[i, "type"],
                         x["sent_on"].date(), int(x["recipients"]), int(x["responses"]),
                         int(x["deals"]), _rate(int(x["responses"]), int(x["clients"])))
            for i, x in r.iterrows()]


def _event_results(book_then: Book, first_month: str, end) -> list[EventResultLine]:
    """Events dated from the first day of `first_month` to `end`, by date."""
    ev = book_then.frame("Events")
    ev = ev[_in(ev["date"], parse_month(first_month)[0], end)].sort_values("date", kind="stable")
    r = results_of.event_results(ev, book_then.frame("Attendance"), book_then.frame("Deals"),
                                 book_then.frame("Contacts"))
    return [EventResultLine(e["event_id"], e["name"], e["date"].date(), *(
        int(r.at[i, k]) for k in results_of.EVENT_COLUMNS)) for i, e in ev.iterrows()]


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



def last_full_month(today: dt.date) -> str:
    """The month before `today`'s: what `acctbook report` and the button report by default."""
    first = today.replace(day=1)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"
