"""The team dashboard (`acctbook team --html`, docs/team.md): one HTML page beside the team
workbook, in English or Hebrew (right to left), rendered from a core.team.Team in a
sandboxed, autoescaping Jinja2 environment as the monthly report is (documents/report_html.py:
its number formats, `amount` and `isolate` helpers). Every table comes from
book/team_schema.py, so the page shows the workbook's tables with the same headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from acctbook.book import schema
from acctbook.book.columns import CHOICE, DATE, INTEGER, NUMBER, Table
from acctbook.book.i18n import tr, translator, trn
from acctbook.book.team_schema import (CONFLICTS, MANAGERS, PIPELINE_BY_MONTH,
                                       PIPELINE_BY_STAGE, TOP_OVERDUE, UNREAD, WHEN)
from acctbook.core.team import Team, currency_note
from acctbook.documents.report_html import Formats, amount, isolate, lang_of, template_dir

TEMPLATE = "team.html.j2"


class Cells:
    """Team values as HTML cells in one language: money in its row's currency."""

    def __init__(self, lang: str):
        self.lang, self._formats = lang, {}

    def fmt(self, currency: str | None) -> Formats:
        cur = currency or "ILS"
        if cur not in self._formats:         # babel shows a code it does not know as is
            self._formats[cur] = Formats(self.lang, cur)
        return self._formats[cur]

    def cell(self, column, value: Any, row: dict[str, Any]):
        """(the value as HTML, whether it is a figure: right-aligned)."""
        f = self.fmt(row.get("currency"))
        if column.type == NUMBER and column.fmt == "0.0%":
            return amount(f.pct(value), ltr=True), True
        if column.type == NUMBER:
            return amount(f.money(value)), True
        if column.type == INTEGER:
            return amount(f.int(value), ltr=True), True
        if column.type == DATE:
            text = f.date(value)
            if column.fmt == WHEN and value is not None:
                text += f" {value:%H:%M}"
            return amount(text), False
        if column.key == "month" and value is None:
            value = tr(self.lang, "(none)")
        elif column.key == "matched_on":
            value = ", ".join(schema.CLIENTS.column(k).label(self.lang) for k in value)
        elif column.type == CHOICE:
            value = schema.show_choice(value, self.lang)
        return isolate(f.DASH if value in (None, "") else value, marks=False), False

    def table(self, spec: Table, rows, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        cols = [c for c in spec.columns if c.key not in skip]
        return {"key": spec.name, "title": spec.sheet(self.lang),
                "head": [(c.label(self.lang), c.type in (NUMBER, INTEGER)) for c in cols],
                "rows": [[self.cell(c, r.get(c.key), r) for c in cols] for r in rows]}


def words(lang: str) -> dict[str, str]:
    say = translator(lang)
    return {"title": say("Team roll-up"), "as_of": say("as of {date}"),
            "total": say("Team"), "none": say("none"),
            "revenue": say("Revenue 12m"), "growth": say("growth {v}"),
            "pipeline": say("Weighted pipeline"),
            "win_rate": say("Win rate this month"), "won_lost": say("{won} won · {lost} lost"),
            "overdue": say("Follow-ups overdue"), "due_today": say("{v} due today"),
            "key_accounts": say("Key accounts"), "past": say("{v} past their cadence"),
            "complaints": say("Open complaints"), "sla": say("SLA met {v}"),
            "clients": say("Clients"), "currency": say("Currency: {currency}"),
            "shared": say("Clients in two managers' books"), "see": say("see {sheet}")}


def _said(text: str, **values):
    """A translated text with HTML figures put in: the text escaped, the figures kept."""
    from markupsafe import Markup, escape
    return Markup(escape(text)).format(**values)


def cards(team: Team, cells: Cells, w: dict[str, str]) -> list[dict[str, Any]]:
    """Two rows of figure cards per currency, from the team's totals."""
    lang, out = cells.lang, []
    for t in team.totals:
        f = cells.fmt(t["currency"])
        deals = sum(x["deals"] for x in team.by_stage if x["currency"] == t["currency"])

        def num(v):
            return amount(f.int(v), ltr=True)
        out.append({"currency": t["currency"], "cards": [
            (w["revenue"], amount(f.money(t["revenue_12m"])),
             _said(w["growth"], v=amount(f.change(t["growth"]), ltr=True))),
            (w["pipeline"], amount(f.money(t["weighted_pipeline"])),
             _said(trn(lang, "{v} open deal", "{v} open deals", deals), v=num(deals))),
            (w["win_rate"], amount(f.pct(t["win_rate"]), ltr=True),
             _said(w["won_lost"], won=num(t["won_month"]), lost=num(t["lost_month"]))),
            (w["overdue"], num(t["overdue"]), _said(w["due_today"], v=num(t["due_today"]))),
            (w["clients"], num(t["clients"]),
             _said(trn(lang, "{v} error in the books", "{v} errors in the books",
                       t["errors"]), v=num(t["errors"]))),
            (w["key_accounts"], num(t["key_accounts"]),
             _said(w["past"], v=num(t["a_past_cadence"]))),
            (w["complaints"], num(t["open_complaints"]),
             _said(w["sla"], v=amount(f.pct(t["sla_met"]), ltr=True))),
        ]})
    if out:                  # the clients two managers both hold: once, whatever the currency
        shared = len({c["conflict"] for c in team.conflicts})
        out[0]["cards"].append((w["shared"], amount(cells.fmt(None).int(shared), ltr=True),
                                w["see"].format(sheet=CONFLICTS.sheet(lang))))
    return out


def bars(team: Team) -> dict[int, float]:
    """PipelineByStage row -> its weighted amount's share of its currency's largest, in %."""
    top: dict[str, float] = {}
    for x in team.by_stage:
        top[x["currency"]] = max(top.get(x["currency"], 0.0), x["weighted"])
    return {i: round(100 * x["weighted"] / top[x["currency"]], 1) if top[x["currency"]] else 0
            for i, x in enumerate(team.by_stage)}


def meta_line(team: Team, w: dict[str, str], f: Formats, lang: str):
    """`as of 26 Nov 2026 · 3 books read · 1 book not read (see Not read)`."""
    from markupsafe import Markup
    n = len(team.managers)
    parts = [_said(w["as_of"], date=amount(f.date(team.today))),
             trn(lang, "{n} book read", "{n} books read", n).format(n=n)]
    if team.unread:
        k = len(team.unread)
        parts.append(trn(lang, "{n} book not read (see {sheet})",
                         "{n} books not read (see {sheet})", k).format(
            n=k, sheet=UNREAD.sheet(lang)))
    return Markup(" · ").join(parts)


def render_team_html(team: Team, lang: str) -> str:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    lang = lang_of(lang)
    env = SandboxedEnvironment(autoescape=True, loader=FileSystemLoader(str(template_dir())),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    cells, w = Cells(lang), words(lang)
    single = () if team.mixed_currencies else ("currency",)
    totals = [{**t, "manager": w["total"],
               "book": trn(lang, "{n} book", "{n} books", t["book"]).format(n=t["book"])}
              for t in team.totals]
    managers = cells.table(MANAGERS, team.managers, single)
    managers["total"] = cells.table(MANAGERS, totals, single)["rows"]
    first = cells.fmt(team.currencies[0] if team.currencies else None)
    return env.get_template(TEMPLATE).render(
        lang=lang, dir="rtl" if lang == "he" else "ltr", w=w,
        meta=meta_line(team, w, first, lang), cards=cards(team, cells, w), managers=managers,
        note=currency_note(team, lang),
        stages=cells.table(PIPELINE_BY_STAGE, team.by_stage, single), bars=bars(team),
        months=cells.table(PIPELINE_BY_MONTH, team.by_month, single),
        top=cells.table(TOP_OVERDUE, team.top_overdue),
        conflicts=cells.table(CONFLICTS, team.conflicts),
        not_read=cells.table(UNREAD, team.unread))


def write_team_html(team: Team, path, lang: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_team_html(team, lang), encoding="utf-8")
    return path
