"""The validation rules of targets and the forecast (docs/problems.md; docs/rules.md,
section 17): a Targets row's Period must be a month or a quarter, and an open deal whose
typed Expected close has passed is a warning (the follow-up rule Close date passed, in
core/followups.py, makes it a call).

Each rule takes (book, today) and yields Problems, as in acctbook.book.rules (which lists
them in RULES). Targets below 0 are the schema's `range` errors.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import translator
from acctbook.book.model import Book, Problem
from acctbook.book.periods import parse_period
from acctbook.book.rulekit import column_label, emit, show


def rule_target_period(book: Book, today: dt.date) -> list[Problem]:
    """A Targets row whose Period is neither a month YYYY-MM nor a quarter YYYY-Qn."""
    t = book.tables.get("Targets")
    if t is None or t.frame.empty:
        return []
    say, lang = translator(book.lang), book.lang
    period = t.frame["period"]
    bad = period.notna() & period.map(lambda v: parse_period(v) is None).astype(bool)
    return emit(book, t, bad, "target-period", "period",
                lambda r: say("{column} {value} is neither a month YYYY-MM nor a quarter "
                              "YYYY-Qn (e.g. 2026-05, 2026-Q2); its targets are not used").format(
                    column=column_label(t, "period", lang), value=show(r.period, lang)))


def close_date_passed(deals: pd.DataFrame, today: dt.date) -> pd.Series:
    """Open deals (an open Stage) whose typed Expected close is before today."""
    if "expected_close" not in deals:
        return pd.Series(False, index=deals.index)
    return deals["stage"].isin(schema.OPEN_STAGES) & (
        deals["expected_close"] < pd.Timestamp(today))


def rule_close_date_passed(book: Book, today: dt.date) -> list[Problem]:
    """An open deal past the Expected close the user typed: update the date or the Stage."""
    t = book.tables["Deals"]
    say, lang = translator(book.lang), book.lang
    if "expected_close" not in t.columns:
        return []
    return emit(book, t, close_date_passed(t.frame, today), "close-date-passed",
                "expected_close",
                lambda r: say("{column} {date} has passed and deal {deal} is still open "
                              "({stage}): update the date, or the {stage_column}").format(
                    column=column_label(t, "expected_close", lang),
                    date=show(r.expected_close, lang), deal=show(r.deal_id, lang),
                    stage=schema.show_choice(r.stage, lang),
                    stage_column=column_label(t, "stage", lang)))
