"""The Settings sheet's tables resolved into a `Settings` value: each Setting row typed
(a bad value is a `setting` Problem and keeps its default), and the Cadence,
StageProbability, SLA, Tiers, Weights, Holidays and ExchangeRates rows over their defaults
(docs/workbook.md, Settings). Pure; book/coerce.py calls `settings` while loading."""

from __future__ import annotations

from typing import Any

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import translator
from acctbook.book.model import ERROR, LoadedTable, Problem, Settings, exchange_rates
from acctbook.book.parse import closest_choice, parse_number


def settings(tables: dict[str, LoadedTable], problems: list[Problem],
             lang: str = "en") -> Settings:
    values: dict[str, Any] = {s.key: s.default for s in schema.SETTING_ROWS}
    st = tables["Settings"]
    idx = schema.setting_index()
    for row, name, value in zip(st.frame.index, st.frame["setting"], st.frame["value"]):
        key = idx.get(schema.fold(name)) if name else None
        if key is None:
            continue   # the user's own notes in the Settings table are theirs
        s = schema.SETTING_BY_KEY[key]
        parsed, ok = setting_value(s, value)
        if ok:
            values[key] = parsed
        else:
            problems.append(Problem(ERROR, "setting", st.sheet, row, st.header("value", lang),
                                    st.cell("value", row), value,
                                    setting_message(s, value, lang)))
    return Settings(
        values=values,
        cadence=_pairs(tables["Cadence"], "class", "days",
                       schema.choice_index(("A", "B", "C", "Prospect", "Dormant")),
                       schema.DEFAULT_CADENCE, int),
        stage_probability=_pairs(tables["StageProbability"], "stage", "probability", None,
                                 schema.DEFAULT_STAGE_PROBABILITY, float),
        sla=_pairs(tables["SLA"], "severity", "business_days", None, schema.DEFAULT_SLA, int),
        tiers=_tiers(tables["Tiers"]),
        weights=_pairs(tables["Weights"], "component", "weight", _component_index(),
                       schema.DEFAULT_WEIGHTS, float),
        holidays=[(d.date(), n or "") for d, n in zip(tables["Holidays"].frame["date"],
                                                      tables["Holidays"].frame["name"])
                  if not pd.isna(d)],
        rates=exchange_rates(tables["ExchangeRates"].frame),
    )


def setting_message(s: schema.Setting, value: Any, lang: str = "en") -> str:
    """Why a Setting row's value is not taken, in the book's language."""
    say = translator(lang)
    text = say("Setting '{setting}': '{value}' is not valid (expected {expected}); using "
               "the default").format(setting=s.label(lang), value=value,
                                     expected=setting_expected(s, lang))
    near = closest_choice(value, _index_of(s), lang) if s.type in (
        schema.CHOICE, schema.YESNO) else None
    return text + say("; did you mean {choice}?").format(choice=near) if near else text


def _index_of(s: schema.Setting) -> dict[str, str]:
    return schema.choice_index((schema.YES, schema.NO)) if s.type == schema.YESNO else \
        schema.choice_index(s.choices)


def _setting_bounds(s: schema.Setting) -> tuple[float, float | None]:
    if s.type == schema.PERCENT:
        return 0, 100
    return s.min, None


def setting_expected(s: schema.Setting, lang: str = "en") -> str:
    say = translator(lang)
    lo, hi = _setting_bounds(s)
    if s.type == schema.PERCENT:
        return say("a percent from {low} to {high}").format(low=lo, high=hi)
    if s.type == schema.INTEGER:
        return say("a whole number, {low} or more").format(low=lo)
    if s.type == schema.NUMBER:
        return say("a number, {low} or more").format(low=lo)
    if s.type == schema.YESNO:
        return say("{yes} or {no}").format(yes=schema.show_choice(schema.YES, lang),
                                           no=schema.show_choice(schema.NO, lang))
    if s.type == schema.CHOICE:
        return say("one of {choices}").format(
            choices=", ".join(schema.show_choice(c, lang) for c in s.choices))
    return s.type


def setting_value(s: schema.Setting, value: str | None) -> tuple[Any, bool]:
    if value is None or value == "":
        return s.default, True
    if s.type in (schema.INTEGER, schema.NUMBER, schema.PERCENT):
        n = parse_number(value)
        if n is None or (s.type == schema.INTEGER and not n.is_integer()):
            return None, False
        if s.type == schema.PERCENT and 0 < n <= 1 and not (isinstance(value, str)
                                                            and "%" in value):
            # "18%" typed in a percent cell arrives as 0.18, and "100%" as 1 (no VAT rate or
            # threshold is 1%); text "0.5%" is percent already. Rounded: 0.07 * 100 is 7.000…01.
            n = round(n * 100, 9)
        lo, hi = _setting_bounds(s)
        if n < lo or (hi is not None and n > hi):
            return None, False
        return (int(n) if s.type == schema.INTEGER else n), True
    if s.type == schema.YESNO:
        hit = schema.YESNO_INDEX.get(schema.fold(value))
        return (hit == schema.YES, True) if hit else (None, False)
    if s.type == schema.CHOICE:
        hit = schema.choice_index(s.choices).get(schema.fold(value))
        return (hit, True) if hit else (None, False)
    return value, True


def _component_index() -> dict[str, str]:
    out = {schema.fold(c): c for c in schema.COMPONENTS}
    out.update({schema.fold(h): c for c, h in schema.COMPONENT_HE.items()})
    return out


def over_defaults(frame: pd.DataFrame | None, key: str, value: str, defaults,
                  valid=lambda v: True, conv=float) -> dict:
    """A Settings table's rows over its defaults (StageDays, ProspectPoints, Loyalty; docs/
    rules.md): a row whose key has no default is passed over, as is one whose value is blank
    or not `valid` (the check reports it: the default stays); of two rows of one key the
    first counts, as with every unique key. `conv` makes the value to use."""
    out = {k: conv(v) for k, v in defaults}
    if frame is None or frame.empty:
        return out
    seen: set = set()
    for k, v in zip(frame[key], frame[value]):
        if k not in out or k in seen or v is None or pd.isna(v) or not valid(v):
            continue
        seen.add(k)
        out[k] = conv(v)
    return out


def _pairs(t: LoadedTable, kcol, vcol, index, defaults, conv) -> dict:
    """The table's rows over the defaults (docs/workbook.md, Settings): a row left out keeps its default."""
    out = {k: conv(v) for k, v in defaults}
    for k, v in zip(t.frame[kcol], t.frame[vcol]):
        if k is None or pd.isna(v):
            continue
        k = index.get(schema.fold(k), k) if index else k
        out[k] = conv(v)
    return out


def _tiers(t: LoadedTable) -> list[tuple[str, float, float]]:
    if t.frame.empty:
        rows = [(n, float(m), float(d)) for n, m, d in schema.DEFAULT_TIERS]
    else:
        names = schema.choice_index(schema.TIER_NAMES)
        rows = [(names.get(schema.fold(n), n), float(m), 0.0 if pd.isna(d) else float(d))
                for n, m, d in zip(t.frame["tier"], t.frame["min_revenue_12m"], t.frame["discount"])
                if n is not None and not pd.isna(m)]
    return sorted(rows, key=lambda r: -r[1])
