"""The client brief in words (core/brief.py builds it): its labels in the brief's language,
and the brief flattened into one table, Section | Item | Detail | Amount | Date, which the
Brief sheet shows. Column names come from the schema, choices are shown in the language."""

from __future__ import annotations

from acctbook.book import schema
from acctbook.book.i18n import tr, translator, trn
from acctbook.core import ranking

SWOT = ("strengths", "weaknesses", "opportunities", "threats")     # Competitors' columns


def words(lang: str) -> dict[str, str]:
    """The brief's own words in `lang` (column names come from the schema)."""
    say = translator(lang)
    return {
        "title": say("Client brief"), "as_of": say("as of {date}"),
        "glance": say("At a glance"), "trend": say("Revenue by month"),
        "contacts": say("Contacts"), "touches": say("Last touches"),
        "touches_of": say("the last {shown} of {total}"), "open": say("Everything open"),
        "deals": say("Open deals"), "orders": say("Undelivered orders"),
        "invoices": say("Unpaid invoices"), "complaints": say("Open complaints"),
        "contracts": say("Contracts"), "competitors": say("Competitors in play"),
        "offers": say("What to offer"), "none": say("none"),
        "none_in": say("None: {sections}"), "more": say("and {n} more"),
        "client": say("Client"),
        "rank_of": say("{rank} of {n}"), "points": say("Points"),
        "birthday_on": say("birthday {date}"), "late": say("late"),
        "not_due": say("not yet due"), "renewal": say("Renewal date"),
        "notice": say("notice {n} days"), "ends": say("ends {date}"),
        "lost_to": say("lost to them: {deals}"), "in_segment": say("active in {segment}"),
        "cross-sell": say("cross-sell"), "new": say("new product"),
        "next_step": say("next step: {step}"), "due_from": say("counted from invoice {date}"),
    }


def overdue_words(lang: str, days: int) -> str:
    """`12 days overdue`, or `not yet due` for an invoice due today or later."""
    if days <= 0:
        return tr(lang, "not yet due")
    return trn(lang, "{n} day overdue", "{n} days overdue", days).format(n=days)


def lines_words(lang: str, n: int) -> str:
    return trn(lang, "{n} line", "{n} lines", n).format(n=n)


def label(table: schema.Table, key: str, lang: str) -> str:
    return table.column(key).label(lang)


def component_label(key: str, lang: str) -> str:
    """A score component's name (Revenue, Growth, ...) in `lang`."""
    name = next(n for n, k in ranking.COMPONENT_KEYS.items() if k == key)
    return schema.COMPONENT_HE.get(name, name) if lang == "he" else name


def _join(*parts) -> str:
    """The parts that are there (not None, False or ""), joined by " · "."""
    return " · ".join(str(p) for p in parts if p is not None and p is not False and p != "")


def _num_text(v: float | None, decimals: int = 1) -> str:
    return "" if v is None else f"{v:,.{decimals}f}"


def brief_rows(brief, lang: str | None = None) -> tuple[list[str], list[list]]:
    """The brief as one table, Section | Item | Detail | Amount | Date (headers and texts in
    `lang`, choices shown in it; amounts in the book's currency as numbers, dates as dates):
    what the Brief sheet shows."""
    lang = lang or brief.lang
    w = words(lang)
    show = lambda v: schema.show_choice(v, lang)      # noqa: E731
    rows: list[list] = []

    def add(section: str, item, detail="", amount=None, date=None) -> None:
        rows.append([w[section], item or "", detail or "", amount, date])
    _glance_rows(brief, lang, w, add)
    for month, value in brief.client.trend:
        add("trend", month, "", value)
    for c in brief.contacts:
        add("contacts", c.name, _join(label(schema.CONTACTS, "primary", lang) if c.primary
                                      else None, c.role, c.phone, c.email, show(c.channel),
                                      c.birthday_soon and w["birthday_on"].format(
                                          date=c.birthday_soon.isoformat())),
            None, c.birthday_soon)
    for t in brief.touches:
        step = t.next_step or (t.next_step_date and label(schema.INTERACTIONS, "next_step", lang))
        add("touches", t.subject, _join(", ".join(x for x in (show(t.channel), show(t.direction))
                                                  if x), t.contact, show(t.outcome),
                                        step and w["next_step"].format(step=_join(
                                            step, t.next_step_date and
                                            t.next_step_date.isoformat()))), None, t.date)
    for d in brief.deals:
        add("deals", _join(d.deal_id, d.title), _join(
            show(d.stage), d.amount is not None and f"{_num_text(d.amount, 2)} {d.currency}",
            d.probability is not None and f"{d.probability:g}%"), d.weighted, d.expected_close)
    for o in brief.orders:
        add("orders", o.order_id, _join(show(o.status), lines_words(lang, o.lines),
                                        w["late"] if o.late else None), o.amount, o.due_date)
    for i in brief.invoices:
        add("invoices", i.order_id, _join(overdue_words(lang, i.days_overdue), i.derived_from
                                          and w["due_from"].format(date=i.derived_from)),
            i.amount, i.invoice_due)
    for c in brief.complaints:
        add("complaints", c.case_id, _join(show(c.severity), show(c.category), show(c.status),
                                           show(c.sla_status), c.description), None, c.sla_due)
    for k in brief.contracts:
        add("contracts", k.contract_id, _join(
            show(k.status), k.end and w["ends"].format(date=k.end.isoformat()),
            k.notice_days is not None and w["notice"].format(n=k.notice_days),
            k.expired and show("Expired")), None, k.renewal_date)
    _competitor_rows(brief, lang, w, add)
    for o in brief.offers:
        add("offers", _join(o.sku, o.name), _join(w.get(o.kind, o.kind), o.reason))
    return [c.label(lang) for c in schema.BRIEF.columns], rows        # the Brief sheet's table


def _glance_rows(brief, lang: str, w: dict[str, str], add) -> None:
    g, show = brief.client, (lambda v: schema.show_choice(v, lang))
    C = schema.CLIENTS
    add("glance", w["client"], _join(g.name, g.client_id))
    for key, value in (("status", show(g.status)), ("segment", g.segment),
                       ("owner", g.owner), ("class", g.cls), ("tier", show(g.tier))):
        if value:
            add("glance", label(C, key, lang), value)
    if g.rank is not None:
        add("glance", label(C, "rank", lang), w["rank_of"].format(rank=g.rank, n=g.ranked))
    if g.score is not None:
        add("glance", label(C, "score", lang), _num_text(g.score) + " = " + " + ".join(
            f"{component_label(k, lang)} {_num_text(v)}" for k, v in g.points.items()
            if v is not None))
    add("glance", label(C, "risk", lang), _join(show(g.risk), "; ".join(g.risk_reasons)))
    add("glance", label(C, "revenue_12m", lang), "", g.revenue_12m)
    add("glance", label(C, "next_follow_up", lang), g.follow_up_reason, None, g.next_follow_up)
    add("glance", label(C, "last_contact", lang), "", None, g.last_contact)
    if g.excludes:
        add("glance", label(C, "excludes", lang), g.excludes)


def _competitor_rows(brief, lang: str, w: dict[str, str], add) -> None:
    for c in brief.competitors:
        add("competitors", c.name, _join(
            c.lost_deals and w["lost_to"].format(deals=", ".join(c.lost_deals)),
            c.in_segment and w["in_segment"].format(segment=brief.client.segment),
            c.price_level and f"{label(schema.COMPETITORS, 'price_level', lang)}: "
                              f"{schema.show_choice(c.price_level, lang)}"))
        for key in SWOT:
            if getattr(c, key):
                add("competitors", c.name,
                    f"{label(schema.COMPETITORS, key, lang)}: {getattr(c, key)}")
