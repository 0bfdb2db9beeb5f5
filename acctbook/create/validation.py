"""Excel's data validation in a new workbook: a drop-down or bounds per input column, and
per row of the Settings table, wherever Excel can check what acctbook checks
(docs/workbook.md lists the columns and their types)."""

from __future__ import annotations

from typing import Any, Iterable

from acctbook.book import schema
from acctbook.book.coerce import DATE_MAX, DATE_MIN   # the dates acctbook reads
from acctbook.book.schema import CHOICE, DATE, INTEGER, NUMBER, PERCENT, YESNO, Column
from acctbook.create.style import TEXT

NUMBER_LIMIT = 1e15                     # "any number" validation bounds
LIST_LIMIT = 255                        # Excel's limit on a literal drop-down list


def column_validation(col: Column, lang: str, values: dict) -> dict | None:
    """The Excel data-validation rule for a column, or None where Excel cannot check it."""
    if col.computed:
        return None
    text = TEXT[lang]
    if col.type == YESNO:
        return list_rule(col.label(lang), (schema.YES, schema.NO), lang)
    if col.type == CHOICE:
        choices = col.choices
        if col.choices_setting:
            raw = values.get(col.choices_setting) or ""
            choices = tuple(s.strip() for s in str(raw).split(",") if s.strip())
        return list_rule(col.label(lang), choices, lang) if choices else None
    if col.type == DATE:
        rule = {"validate": "date", "criteria": "between",
                "minimum": DATE_MIN, "maximum": DATE_MAX}
        if col.not_future:
            rule["maximum"] = "=TODAY()"
        message = text["date_past" if col.not_future else "date"]
        return _messages(rule, col.label(lang), message, lang)
    if col.type in (NUMBER, PERCENT, INTEGER):
        return number_rule(col.label(lang), col.type, col.min, col.max, col.min_exclusive,
                            lang)
    return None


def list_rule(title: str, choices: Iterable[str], lang: str) -> dict | None:
    shown = [schema.show_choice(c, lang) for c in choices]
    # A literal list is one Excel string: a quote inside is doubled ("דוא""ל").
    source = [s.replace('"', '""') for s in shown]
    if not source or len(",".join(source)) + 2 > LIST_LIMIT:
        return None
    return _messages({"validate": "list", "source": source}, title, TEXT[lang]["pick"], lang)


def number_rule(title: str, kind: str, lo, hi, lo_exclusive: bool, lang: str) -> dict:
    text = TEXT[lang]
    whole = kind == INTEGER
    rule: dict[str, Any] = {"validate": "integer" if whole else "decimal"}
    if lo is not None and hi is not None:
        rule.update(criteria="between", minimum=lo, maximum=hi)
        message = text["int_between" if whole else "between"].format(min=lo, max=hi)
    elif lo is not None:
        rule.update(criteria=">" if lo_exclusive else ">=", value=lo)
        key = "gt" if lo_exclusive else ("int_ge" if whole else "ge")
        message = text[key].format(min=lo)
    elif hi is not None:
        rule.update(criteria="<=", value=hi)
        message = text["le"].format(max=hi)
    else:
        rule.update(criteria="between", minimum=-NUMBER_LIMIT, maximum=NUMBER_LIMIT)
        message = text["integer" if whole else "number"]
    return _messages(rule, title, message, lang)


def _messages(rule: dict, title: str, message: str, lang: str) -> dict:
    title = title[:32]                 # Excel's limit on a validation title
    rule.update(input_title=title, input_message=message,
                error_title=TEXT[lang]["bad"], error_message=message)
    return rule


def setting_value_rules(ws, c: int, lang: str) -> None:
    """Per-row validation of the Settings Value column, where Excel can check it."""
    for r, s in enumerate(schema.SETTING_ROWS, start=1):
        title = s.label(lang)
        if s.type == schema.CHOICE:
            rule = list_rule(title, s.choices, lang)
        elif s.type == schema.YESNO:
            rule = list_rule(title, (schema.YES, schema.NO), lang)
        elif s.type == PERCENT:
            rule = number_rule(title, PERCENT, 0, 100, False, lang)
        elif s.type == INTEGER:
            rule = number_rule(title, INTEGER, s.min, None, False, lang)
        else:
            continue
        ws.data_validation(r, c, r, c, rule)
