"""What every validation rule is built from: a mask of failing rows becomes Problems
(`emit`), values are shown short and quoted (`show`), and a check on one Settings row
(`settings_checks`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pandas as pd

from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.book.model import Book, LoadedTable, Problem, col_letter, quoted
from acctbook.book.problem_codes import CODES

def py_value(v: Any) -> Any:
    """A frame value as a plain Python value for Problem.value (None for blanks)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):      # numpy scalars
        return v.item()
    return v


def show(v: Any, lang: str = "en") -> str:
    """A value as a message quotes it: dates ISO, whole numbers without .0, text quoted
    (a long text cut); a blank cell says so in `lang`."""
    v = py_value(v)
    if v is None:
        return tr(lang, "blank")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    return quoted(str(v))           # a long text cut, with its length


def column_label(t: LoadedTable, key: str, lang: str = "en") -> str:
    """A column's name in a message: the schema's label in the book's language."""
    return t.spec.column(key).label(lang)


def shown_at(t: LoadedTable, keys: tuple[str, ...]) -> str:
    """The first of `keys` present in the file: where a problem is shown."""
    return next((k for k in keys if k in t.columns), keys[0])


def emit(book: Book, t: LoadedTable, mask: pd.Series, code: str, at: str | tuple[str, ...],
          message: Callable[[Any], str]) -> list[Problem]:
    """One Problem per True row of `mask`; `message(row)` reads the row's values as attributes."""
    severity = CODES[code][0]
    if not mask.any():
        return []
    key = shown_at(t, (at,) if isinstance(at, str) else at)
    header = t.header(key, book.lang)
    letter = col_letter(t.columns[key]) if key in t.columns else None
    failing = t.frame.loc[mask]
    out = []
    for row, values in zip(failing.index, failing.to_dict("records")):
        r = Row(values, Index=int(row))
        out.append(Problem(severity, code, t.sheet, int(row), header,
                           f"{letter}{int(row)}" if letter else None, py_value(r[key]), message(r)))
    return out


class Row(dict):
    """A failing row: column keys as attributes (`class` and `end` are fine too)."""
    __getattr__ = dict.__getitem__


def tables_of(book: Book) -> list[LoadedTable]:
    return [book.tables[s.name] for s in schema.ALL_TABLES if s.name in book.tables]


def input_columns(t: LoadedTable) -> list[schema.Column]:
    return [c for c in t.spec.columns if not c.computed]


def country_of_clients(book: Book) -> pd.Series:
    """Each client row's effective country (upper case; blank = Settings Country)."""
    c = book.frame("Clients")["country"]
    return c.fillna(book.settings.country).astype(object).map(lambda s: str(s).strip().upper())


def bad_values(s: pd.Series, is_bad: Callable[[str], bool]) -> pd.Series:
    """Mask of `s` whose value fails `is_bad`, testing each distinct value once."""
    values = s.dropna().unique()
    bad = [v for v in values if is_bad(v)]
    return s.isin(bad) if bad else pd.Series(False, index=s.index)


def settings_checks(book: Book, key: str, code: str, is_bad: Callable[[str], bool],
                     why: Callable[[str], str]) -> list[Problem]:
    """The same identity check on one row of the Settings table (its Value cell)."""
    t = book.tables.get("Settings")
    if t is None or t.frame.empty:
        return []
    index = schema.setting_index()
    keys = t.frame["setting"].map(lambda s: index.get(schema.fold(s)) if s else None)
    label = schema.SETTING_BY_KEY[key].label(book.lang)
    mask = pd.Series([k == key and v is not None and bool(is_bad(str(v)))
                      for k, v in zip(keys, t.frame["value"])], index=t.frame.index, dtype=bool)
    return emit(book, t, mask, code, "value",
                 lambda r: tr(book.lang, "Setting '{setting}': {value} {why}").format(
                     setting=label, value=show(r.value, book.lang), why=why(str(r.value))))
