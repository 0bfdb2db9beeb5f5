"""One cell value typed for its column: a date, a number, a choice, yes/no; what is wrong
with it a problem (severity, code, message in the book's language). book/coerce.py calls it
once per distinct value of a column, row by row or column by column
(book/coerce_columnar.py). Pure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from acctbook.book import schema
from acctbook.book.coerce_column import EPOCH, NAT
from acctbook.book.i18n import tr, translator
from acctbook.book.model import ERROR, WARNING, ExcelError
from acctbook.book.parse import (DATE_MAX, DATE_MIN, as_text, closest_choice, is_blank,
                                 parse_date, parse_number)


def typed_value(spec, v, choices, month_first, lang):
    """convert(), a date as days since 1970 (NAT when blank)."""
    value, problem = convert(spec, v, choices, month_first, lang)
    if spec.type == schema.DATE:
        value = NAT if value is None else value.toordinal() - EPOCH
    return value, problem


def convert(spec: schema.Column, v: Any, choices: dict[str, str] | None,
             month_first: bool = False, lang: str = "en"):
    """(typed value, problem or None) for one distinct cell value; messages in `lang`."""
    t = spec.type
    if t == schema.DATE and v.__class__ is dt.date and DATE_MIN <= v <= DATE_MAX:
        return v, None                       # the usual date cell, quickly
    label, say = spec.label(lang), translator(lang)
    if v.__class__ is ExcelError:
        return excel_error(spec, v, lang)
    if is_blank(v):
        return (np.nan if t in (schema.NUMBER, schema.INTEGER, schema.PERCENT) else None), None
    if t in (schema.CHOICE, schema.YESNO):
        if isinstance(v, bool) and t == schema.YESNO:
            return v, None
        index = schema.YESNO_INDEX if t == schema.YESNO else choices
        hit = index.get(schema.fold(as_text(v)))
        if hit is None:
            return None, not_a_choice(spec, v, choices, lang)
        return (hit == schema.YES if t == schema.YESNO else hit), None
    if t == schema.DATE:
        d, how = parse_date(v, month_first)
        if how == "bad":
            return None, (ERROR, "type-date", say("{column}: '{value}' is not a date").format(
                column=label, value=as_text(v)))
        if not DATE_MIN <= d <= DATE_MAX:      # a typo (3026); pandas' dates also end in 2262
            return None, (ERROR, "date-range", say(
                "{column}: {date} is outside the years {first}–{last}").format(
                column=label, date=d.isoformat(), first=DATE_MIN.year, last=DATE_MAX.year))
        if how == "text":
            return d, (WARNING, "date-as-text", say(
                "{column}: date typed as text '{value}', read as {date}").format(
                column=label, value=v, date=d.isoformat()))
        return d, None
    n = parse_number(v)
    if n is None:
        return np.nan, (ERROR, "type-number", say("{column}: '{value}' is not a number").format(
            column=label, value=as_text(v)))
    if t == schema.INTEGER and not float(n).is_integer():
        return np.nan, (ERROR, "type-integer", say(
            "{column}: {value} is not a whole number").format(column=label, value=as_text(v)))
    if t == schema.PERCENT and 0 < n < 1:
        # Excel stores 60% as 0.6; acctbook's percents are 0-100, so say what was read
        return n, (WARNING, "percent-fraction", say(
            "{column}: {value} is read as {read} percent; for {meant}% type {meant}").format(
            column=label, value=as_text(v), read=f"{n:g}", meant=f"{n * 100:g}"))
    return n, None


def not_a_choice(spec: schema.Column, v: Any, choices: dict[str, str], lang: str):
    """The `choice` / `yes-no` problem: the list in the book's language, and the choice a
    near miss most likely meant ('פעילה' is not one of ליד, פעיל, …; did you mean פעיל?)."""
    say = translator(lang)
    yesno = spec.type == schema.YESNO
    index = schema.choice_index((schema.YES, schema.NO)) if yesno else choices
    shown = ", ".join(schema.show_choice(c, lang) for c in dict.fromkeys(index.values()))
    text = say("{column}: '{value}' is not one of {choices}").format(
        column=spec.label(lang), value=as_text(v), choices=shown)
    near = closest_choice(v, index, lang)
    if near:
        text += say("; did you mean {choice}?").format(choice=near)
    code = "yes-no" if yesno else "choice"
    return ERROR, code, text


def excel_error(spec: schema.Column, v: ExcelError, lang: str = "en"):
    """(blank, problem) for a cell showing an Excel error: reported, then read as blank."""
    blank = np.nan if spec.type in (schema.NUMBER, schema.INTEGER, schema.PERCENT) else None
    return blank, (ERROR, "excel-error", tr(
        lang, "{column}: the cell shows the Excel error {error}").format(
        column=spec.label(lang), error=v))
