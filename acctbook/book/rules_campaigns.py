"""The validation rules of campaigns, event attendance and marketing consent
(docs/problems.md; docs/workbook.md says what the columns are for).

Each rule takes (book, today) and yields Problems, as in acctbook.book.rules (which lists
them in RULES, after the other rules that tie columns together). The schema's own rules
(required, unique, references, choices) cover these tables already; these are the ones a
manager needs on top: an invitation without its event, a product campaign without its
product, attendance that cannot have happened yet, consent without its date.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.book.model import Book, Problem
from acctbook.book.rulekit import column_label, emit, show


def rule_campaign_event(book: Book, today: dt.date) -> list[Problem]:
    """An Event invitation names the event it invites to (the command adds Attendance rows
    for it)."""
    t = book.tables["Campaigns"]
    f, lang = t.frame, book.lang
    text = tr(lang, "{column} is required when {other} is {value}").format(
        column=column_label(t, "event_id", lang), other=column_label(t, "type", lang),
        value=schema.show_choice("Event invitation", lang))
    return emit(book, t, f["type"].eq("Event invitation") & f["event_id"].isna(),
                "campaign-event", ("event_id", "type"), lambda r: text)


def rule_campaign_sku(book: Book, today: dt.date) -> list[Problem]:
    """A New product campaign without its SKU: the messages cannot show the product."""
    t = book.tables["Campaigns"]
    f, lang = t.frame, book.lang
    text = tr(lang, "{column} is blank though {other} is {value}: the messages cannot show "
                    "the product's name and price").format(
        column=column_label(t, "sku", lang), other=column_label(t, "type", lang),
        value=schema.show_choice("New product", lang))
    return emit(book, t, f["type"].eq("New product") & f["sku"].isna(), "campaign-sku",
                ("sku", "type"), lambda r: text)


def event_dates(book: Book) -> pd.Series:
    """Event ID -> its Date (the first Events row with that ID)."""
    ev = book.frame("Events").dropna(subset=["event_id"]).drop_duplicates("event_id")
    return ev.set_index("event_id")["date"]


def rule_attended_future(book: Book, today: dt.date) -> list[Problem]:
    """Attended Yes for an event whose date is after today: likely the wrong row or event."""
    t = book.tables["Attendance"]
    f, lang = t.frame, book.lang
    dates = event_dates(book)
    when = pd.Series(dates.reindex(f["event_id"].to_numpy()).to_numpy(), index=f.index)
    bad = f["attended"].eq(True) & (pd.to_datetime(when) > pd.Timestamp(today))
    column = column_label(t, "attended", lang)
    return emit(book, t, bad, "attended-future", "attended",
                lambda r: tr(lang, "{column} is {value} but event {event} is on {date}, after "
                                   "today ({today})").format(
                    column=column, value=schema.show_choice(schema.YES, lang),
                    event=show(r.event_id, lang), date=show(when[r.Index], lang),
                    today=today.isoformat()))


def rule_consent_date(book: Book, today: dt.date) -> list[Problem]:
    """Marketing consent and its date go together: a date with the answer blank, or Yes
    without the date the contact agreed on (a No may carry the date they refused)."""
    t = book.tables["Contacts"]
    f, lang = t.frame, book.lang
    consent, date = column_label(t, "marketing_consent", lang), column_label(t, "consent_date",
                                                                              lang)
    yes, no = schema.show_choice(schema.YES, lang), schema.show_choice(schema.NO, lang)
    undecided = f["consent_date"].notna() & f["marketing_consent"].isna()
    out = emit(book, t, undecided, "consent-date", ("marketing_consent", "consent_date"),
               lambda r: tr(lang, "{column} {value} is given but {other} is blank: set "
                                  "{other} to {yes} or {no}").format(
                   column=date, value=show(r.consent_date, lang), other=consent, yes=yes,
                   no=no))
    undated = f["marketing_consent"].eq(True) & f["consent_date"].isna()
    text = tr(lang, "{column} is {value} without a {other}: record when the contact agreed, "
                    "so the consent can be shown").format(column=consent, value=yes,
                                                          other=date)
    return out + emit(book, t, undated, "consent-date", ("consent_date", "marketing_consent"),
                      lambda r: text)
