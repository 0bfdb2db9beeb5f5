"""The team roll-up's figures (`acctbook team`, docs/team.md): one manager's book summed up
from its Book and refresh results (`summarise`), then every book combined (`combine`): the
Managers rows, the pipeline by stage and by expected close month, the clients two managers
both hold (Conflicts) and each manager's most overdue key accounts (TopOverdue).

Pure: no file, no clock (`today` comes in). A summary is plain values only (no pandas
object), so it crosses a process or a Dask worker as a small pickle. Money is added in
whole cents, as the Segments sheet adds it, so a total equals the sum of the cells the
books show. Rows with errors are left out as refresh leaves them out (core/plan.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.book.identity import folded_name
from acctbook.book.model import ERROR, Book, Problem
from acctbook.book.team_schema import TOP_N
from acctbook.book import periods
from acctbook.core import followups, forecast, ranking
from acctbook.core.plan import without_error_rows
from acctbook.core.workdays import Calendar, years_around

COUNTED = ("Active", "Prospect")      # the statuses Clients counts (as the Segments sheet)
NUMBER_MARKS = re.compile(r"[\s\-./]")  # ignored in a company number (book/rules_identity.py)


@dataclass(frozen=True)
class Line:
    """A pipeline line: a stage or an expected close month (None: blank), open deals."""
    key: str | None
    deals: int
    amount_cents: int
    weighted_cents: int


@dataclass(frozen=True)
class ClientRow:
    """One client of a book (its first Clients row with that ID), for Conflicts."""
    row: int
    client_id: str
    name: str | None
    company_number: str | None
    status: str | None
    cls: str | None
    revenue_12m: float | None
    last_contact: dt.date | None
    number_key: str | None             # the company number without spaces, dashes, dots
    name_key: str | None               # the name folded (book/identity.py fold_name)


@dataclass(frozen=True)
class OverdueRow:
    client_id: str
    name: str | None
    revenue_12m: float | None
    next_follow_up: dt.date | None
    days_overdue: int
    follow_up_reason: str | None
    contact: str | None
    phone: str | None


@dataclass(frozen=True)
class BookSummary:
    """What `acctbook team` keeps of one book: plain values. `error`: why it could not be
    read (then nothing else is set)."""
    path: str
    manager: str | None = None
    lang: str | None = None
    currency: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)    # Managers' keys -> value
    stages: tuple[Line, ...] = ()
    months: tuple[Line, ...] = ()
    clients: tuple[ClientRow, ...] = ()
    overdue: tuple[OverdueRow, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)     # what a team total adds up
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# --- one book -----------------------------------------------------------------------------
def _plain(v: Any) -> Any:
    """A cell value as a plain Python value: None for blank, int/float/str/date."""
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
        return None if isinstance(v, float) and np.isnan(v) else v
    return v


def _cents(values) -> int:
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").fillna(0.0)
    return int(np.round(v.to_numpy(dtype=float) * 100).sum())


def first_clients(kept: Book, results) -> pd.DataFrame:
    """Each Client ID's first Clients row (as core/compute.py takes it) with its computed
    class (`cls`), Revenue 12m and Last contact; indexed by Client ID, its Excel row in
    `row`."""
    c = kept.frame("Clients")
    c = c[c["client_id"].notna()]
    c = c.assign(row=c.index).drop_duplicates("client_id")
    done = results.clients.reindex(c.index)
    out = c[["row", "name", "company_number", "status", "created"]].assign(
        cls=done["class"], revenue_12m=done["revenue_12m"], last_contact=done["last_contact"])
    return out.set_index(c["client_id"].to_numpy())


def summarise(book: Book, problems: list[Problem], results, today: dt.date, path: str,
              last_refresh: dt.datetime | None) -> BookSummary:
    """One book's summary from its refresh results (core/plan.py refresh_results); the
    Managers row's figures in MANAGERS' keys (docs/team.md says how each is counted)."""
    kept = without_error_rows(book, problems)
    s = book.settings
    clients = first_clients(kept, results)
    counted = clients["status"].isin(COUNTED)
    revenue = _cents(clients["revenue_12m"])
    windows = ranking.revenue_windows(ranking.live_orders(kept.frame("Orders")), today)
    prior = _cents(windows["revenue_prior"].reindex(clients.index))
    deals = kept.frame("Deals")
    known = deals["client_id"].isin(clients.index)
    stages, months = pipeline_lines(deals[known & ranking.open_deals(deals)], results, s)
    won, lost = closed_this_month(deals[known], today)
    met, resolved = sla_counts(kept.frame("Complaints"), results, today)
    kpis = results.kpis
    month = forecast.period_figures(kept, periods.month_of(today), today)
    figures = {
        "clients": int(counted.sum()),
        "key_accounts": int((counted & (clients["cls"] == "A")).sum()),
        "revenue_12m": revenue / 100,
        "growth": revenue / prior - 1 if prior > 0 else None,
        "weighted_pipeline": sum(x.weighted_cents for x in stages) / 100,
        "won_month": won, "lost_month": lost,
        "win_rate": won / (won + lost) if won + lost else None,
        "overdue": int(kpis.get("calls_overdue", 0)),
        "due_today": int(kpis.get("calls_today", 0)),
        "a_past_cadence": past_cadence(kept, clients, today),
        "open_complaints": int(kpis.get("open_complaints", 0)),
        "sla_met": met / resolved if resolved else None,
        "errors": sum(p.severity == ERROR for p in problems),
        "last_refresh": last_refresh,
        "revenue_target": month.revenue_target, "attainment": _rate(month.attainment),
        "forecast": month.forecast,
        "currency": s.currency,
    }
    return BookSummary(
        path=path, manager=str(s["manager_name"] or "").strip() or None, lang=book.lang,
        currency=s.currency, figures=figures, stages=stages, months=months,
        clients=client_rows(clients), overdue=overdue_rows(results, clients),
        counts={"revenue_prior_cents": prior, "sla_met": met, "sla_resolved": resolved,
                "month_revenue_cents": round(month.revenue * 100)})


def pipeline_lines(open_deals: pd.DataFrame, results, settings) -> tuple[tuple[Line, ...],
                                                                          tuple[Line, ...]]:
    """(a line per open stage, in pipeline order; a line per Expected close month, the
    blank ones last): the deals, their Amount in the book's currency and their Weighted
    amount as the Deals sheet shows it, in cents."""
    amount = np.round(ranking.book_amounts(open_deals, settings).fillna(0.0) * 100)
    weighted = pd.to_numeric(results.deals["weighted_amount"].reindex(open_deals.index),
                             errors="coerce").fillna(0.0)
    f = pd.DataFrame({"stage": open_deals["stage"],
                      "month": open_deals["expected_close"].dt.strftime("%Y-%m"),
                      "amount": amount.astype(np.int64),
                      "weighted": np.round(weighted * 100).astype(np.int64)})

    def lines(by: str, keys) -> tuple[Line, ...]:
        out = []
        for key in keys:
            m = f[by].isna() if key is None else f[by] == key
            out.append(Line(key, int(m.sum()), int(f.loc[m, "amount"].sum()),
                            int(f.loc[m, "weighted"].sum())))
        return tuple(out)
    months = sorted(f["month"].dropna().unique().tolist())
    return (lines("stage", schema.OPEN_STAGES),
            lines("month", months + ([None] if f["month"].isna().any() else [])))


def closed_this_month(deals: pd.DataFrame, today: dt.date) -> tuple[int, int]:
    """Deals Won and Lost from the 1st of today's month to today, by Stage since (blank:
    Created), as the monthly report counts them."""
    when = deals["stage_since"].fillna(deals["created"])
    inside = (when >= pd.Timestamp(today.replace(day=1))) & (when <= pd.Timestamp(today))
    return (int((inside & (deals["stage"] == "Won")).sum()),
            int((inside & (deals["stage"] == "Lost")).sum()))


def sla_counts(complaints: pd.DataFrame, results, today: dt.date) -> tuple[int, int]:
    """(SLA Met, Met or Missed) of the complaints resolved in the 12 months to today."""
    t = pd.Timestamp(today)
    done = complaints["resolved_on"]
    recent = (done > t - pd.Timedelta(days=365)) & (done <= t)
    status = results.complaints["sla_status"].reindex(complaints.index)[recent]
    return int((status == "Met").sum()), int(status.isin(("Met", "Missed")).sum())


def past_cadence(kept: Book, clients: pd.DataFrame, today: dt.date) -> int:
    """Class A clients (not Lost) whose Cadence date (docs/rules.md, rule 7) is before
    today, whichever follow-up wins."""
    active = clients[(clients["status"] != "Lost") & (clients["cls"] == "A")]
    if active.empty:
        return 0
    inter = kept.frame("Interactions")
    seen = [x.min() for x in (active["created"], inter["date"]) if x.notna().any()]
    cal = Calendar.from_settings(kept.settings, years_around(today, seen))
    due = followups.due_cadence(active.rename(columns={"cls": "class"}), inter, kept.settings,
                                cal)
    return int(due.loc[due["date"] < pd.Timestamp(today), "client_id"].nunique())


def client_rows(clients: pd.DataFrame) -> tuple[ClientRow, ...]:
    out = []
    for cid, r in zip(clients.index, clients.itertuples(index=False)):
        number, name = _plain(r.company_number), _plain(r.name)
        key = NUMBER_MARKS.sub("", str(number)) if number else ""
        out.append(ClientRow(int(r.row), str(cid), name, number, _plain(r.status),
                             _plain(r.cls), _plain(r.revenue_12m),
                             _plain(r.last_contact), key or None,
                             (folded_name(str(name)) if name else "") or None))
    return tuple(out)


def overdue_rows(results, clients: pd.DataFrame) -> tuple[OverdueRow, ...]:
    """The book's TOP_N most overdue key accounts: Class A on the call queue, most days
    overdue first, then the higher Revenue 12m, then the Client ID."""
    q = results.queue
    q = q[(q["class"] == "A") & (pd.to_numeric(q["days_overdue"]) > 0)]
    revenue = pd.to_numeric(clients["revenue_12m"].reindex(q["client_id"].to_numpy()),
                            errors="coerce").fillna(0.0).to_numpy()
    q = q.assign(_rev=revenue).sort_values(["days_overdue", "_rev", "client_id"],
                                           ascending=[False, False, True], kind="stable")
    return tuple(OverdueRow(str(r.client_id), _plain(r.name), _plain(clients.at[r.client_id,
                                                                            "revenue_12m"]),
                            _plain(r.next_follow_up), int(r.days_overdue),
                            _plain(r.follow_up_reason), _plain(r.contact), _plain(r.phone))
                 for r in q.head(TOP_N).itertuples(index=False))


# --- every book ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Team:
    """The team workbook's content: each table's rows as dicts in its columns' keys
    (book/team_schema.py), values canonical (a stage in English; the writer shows it in
    the team book's language); `totals`: Managers' figures added up, one per currency."""
    today: dt.date
    managers: tuple[dict[str, Any], ...]
    by_stage: tuple[dict[str, Any], ...]
    by_month: tuple[dict[str, Any], ...]
    conflicts: tuple[dict[str, Any], ...]
    top_overdue: tuple[dict[str, Any], ...]
    unread: tuple[dict[str, Any], ...]
    currencies: tuple[str, ...]              # the books' currencies, in order of appearance
    totals: tuple[dict[str, Any], ...]

    @property
    def mixed_currencies(self) -> bool:
        return len(self.currencies) > 1


def currency_note(team: Team, lang: str) -> str | None:
    """What the team workbook and page say when the books are in more than one currency."""
    if not team.mixed_currencies:
        return None
    return tr(lang, "The books are in different currencies ({currencies}): each row's "
                    "amounts are in its book's Currency, and the pipeline sheets add them "
                    "up per currency, never across.").format(
        currencies=", ".join(team.currencies))


def file_name(path: str) -> str:
    return re.split(r"[\\/]", str(path).rstrip("\\/"))[-1]


def book_names(paths: list[str]) -> list[str]:
    """Each book's name as the team workbook shows it: its file name, or the path as given
    when two books share a file name."""
    names = [file_name(p) for p in paths]
    twice = {n.casefold() for n in names if sum(m.casefold() == n.casefold() for m in names) > 1}
    return [p if n.casefold() in twice else n for p, n in zip(paths, names)]


def _stem(name: str) -> str:
    base = file_name(name)
    return base.rsplit(".", 1)[0] if "." in base else base


def combine(summaries: list[BookSummary], today: dt.date) -> Team:
    """The team from every book's summary, in the order the books were given."""
    names = book_names([s.path for s in summaries])
    read = [(s, n, s.manager or _stem(n)) for s, n in zip(summaries, names) if s.ok]
    currencies = tuple(dict.fromkeys(s.currency for s, _, _ in read))
    return Team(
        today=today,
        managers=tuple({"manager": who, "book": n, **s.figures} for s, n, who in read),
        by_stage=pipeline(read, currencies, "stages", "stage"),
        by_month=pipeline(read, currencies, "months", "month"),
        conflicts=conflicts(read),
        top_overdue=tuple({"manager": who, "book": n, "position": i, **vars(o),
                           "currency": s.currency}
                          for s, n, who in read for i, o in enumerate(s.overdue, 1)),
        unread=tuple({"book": s.path, "why": s.error} for s in summaries if not s.ok),
        currencies=currencies,
        totals=tuple(total(read, c) for c in currencies))


def pipeline(read, currencies: tuple[str, ...], attr: str, key: str) -> tuple[dict, ...]:
    """The books' pipeline lines added up by stage (month), a block per currency."""
    out = []
    for cur in currencies:
        sums: dict[Any, list[int]] = {}
        for s, _n, _w in read:
            if s.currency != cur:
                continue
            for x in getattr(s, attr):
                acc = sums.setdefault(x.key, [0, 0, 0])
                acc[0] += x.deals
                acc[1] += x.amount_cents
                acc[2] += x.weighted_cents
        keys = list(schema.OPEN_STAGES) if attr == "stages" else \
            sorted(k for k in sums if k is not None) + ([None] if None in sums else [])
        for k in keys:
            deals, amount, weighted = sums.get(k, (0, 0, 0))
            out.append({key: k, "deals": deals, "amount": amount / 100,
                        "weighted": weighted / 100, "currency": cur})
    return tuple(out)


def total(read, currency: str) -> dict[str, Any]:
    """Managers' figures added up over the books in `currency`: counts and amounts summed,
    the rates over the sums (growth, win rate, SLA met)."""
    books = [s for s, _n, _w in read if s.currency == currency]

    def add(key):
        return sum(s.figures[key] for s in books)
    revenue = sum(round(s.figures["revenue_12m"] * 100) for s in books)
    prior = sum(s.counts["revenue_prior_cents"] for s in books)
    won, lost = add("won_month"), add("lost_month")
    met, resolved = (sum(s.counts[k] for s in books) for k in ("sla_met", "sla_resolved"))
    out = {k: add(k) for k in ("clients", "key_accounts", "overdue", "due_today",
                               "a_past_cadence", "open_complaints", "errors")}
    return {**out, "manager": None, "book": len(books), "revenue_12m": revenue / 100,
            "growth": revenue / prior - 1 if prior > 0 else None,
            "weighted_pipeline": sum(round(s.figures["weighted_pipeline"] * 100)
                                     for s in books) / 100,
            "won_month": won, "lost_month": lost,
            "win_rate": won / (won + lost) if won + lost else None,
            "sla_met": met / resolved if resolved else None,
            "last_refresh": max((s.figures["last_refresh"] for s in books
                                 if s.figures["last_refresh"] is not None), default=None),
            **_month_total(books), "currency": currency}


def _rate(x: float | None) -> float | None:
    """A rate to 6 decimals: the same number in the workbook (15 digits) and the JSON."""
    return None if x is None else round(x, 6)


def _month_total(books) -> dict[str, Any]:
    """This month's team target, attainment and forecast: targets summed over the books that
    set one; attainment over those books' revenue (a book without a target is left out)."""
    targeted = [s for s in books if s.figures["revenue_target"]]
    target = sum(round(s.figures["revenue_target"] * 100) for s in targeted)
    revenue = sum(s.counts["month_revenue_cents"] for s in targeted)
    return {"revenue_target": target / 100 if targeted else None,
            "attainment": _rate(revenue / target) if target > 0 else None,
            "forecast": sum(round(s.figures["forecast"] * 100) for s in books) / 100}


# --- the same client in two managers' books -----------------------------------------------
def _links(rows: list[tuple[int, ClientRow]]) -> list[tuple[int, int, str]]:
    """(row index, row index, how) for each pair of rows of different books that are one
    client: the same company number; or the same folded name where one of the two has no
    company number (two numbers that differ are two companies)."""
    out = []
    for attr, how in (("number_key", "company_number"), ("name_key", "name")):
        groups: dict[str, list[int]] = {}
        for i, (_b, c) in enumerate(rows):
            if getattr(c, attr):
                groups.setdefault(getattr(c, attr), []).append(i)
        for members in groups.values():
            if len({rows[i][0] for i in members}) < 2:
                continue
            for k, a in enumerate(members):
                for b in members[k + 1:]:
                    ca, cb = rows[a][1], rows[b][1]
                    if rows[a][0] == rows[b][0] or (how == "name" and ca.number_key
                                                    and cb.number_key):
                        continue
                    out.append((a, b, how))
    return out


def conflicts(read) -> tuple[dict[str, Any], ...]:
    """Every client found in two or more books: a row per book row, numbered by client
    (in the order of their first book and row), `matched_on` the ways the rows matched."""
    rows = [(b, c) for b, (s, _n, _w) in enumerate(read) for c in s.clients]
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    how: dict[int, set[str]] = {}
    links = _links(rows)
    for a, b, kind in links:
        parent[root(a)] = root(b)
    for a, _b, kind in links:
        how.setdefault(root(a), set()).add(kind)
    groups: dict[int, list[int]] = {}
    for i in sorted({i for a, b, _k in links for i in (a, b)}):
        groups.setdefault(root(i), []).append(i)
    ordered = sorted(groups.items(), key=lambda g: min((rows[i][0], rows[i][1].row)
                                                       for i in g[1]))
    out = []
    for number, (r, members) in enumerate(ordered, 1):
        matched = tuple(k for k in ("company_number", "name") if k in how[r])
        for i in sorted(members, key=lambda i: (rows[i][0], rows[i][1].row)):
            s, n, who = read[rows[i][0]]
            c = rows[i][1]
            out.append({"conflict": number, "matched_on": matched, "manager": who, "book": n,
                        "row": c.row, "client_id": c.client_id, "name": c.name,
                        "company_number": c.company_number, "status": c.status,
                        "class": c.cls, "revenue_12m": c.revenue_12m,
                        "last_contact": c.last_contact, "currency": s.currency})
    return tuple(out)
