"""A workbook's table read back with python-calamine (never acctbook's reader), as a user's
other program would see it: rows keyed by schema key, choice values in English, blanks None,
direction marks stripped; and the planted books a feature's tests refresh to read back."""

from __future__ import annotations

import datetime as dt
import shutil

from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import bidi, schema
from acctbook.create.workbook import create_workbook


def table(path, spec: schema.Table) -> list[dict]:
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(spec.name)
    keys = [schema.header_index(spec)[schema.fold(h)] for h in t.columns]
    choices = {c.key: schema.choice_index(c.choices) for c in spec.columns if c.choices}
    out = []
    for values in t.to_python():
        row = {k: (None if v == "" else bidi.plain(v)) for k, v in zip(keys, values)}
        for k, index in choices.items():
            if isinstance(row.get(k), str):
                row[k] = index.get(schema.fold(row[k]), row[k])
        out.append(row)
    return out


def day(v):
    """A date cell as a date (calamine gives a datetime), a blank as None."""
    return v.date() if isinstance(v, dt.datetime) else v or None


def refreshed_books(folder, planted, today: dt.date, refresh=None):
    """The book `planted()` gives ((data, settings)), made in English and in Hebrew with the
    Lite code and refreshed on `today` (by `refresh(path, lang)` when given, else the api):
    ({lang: path, "fresh.<lang>": the copy before the refresh}, {lang: what refresh gave})."""
    out, results = {}, {}
    for lang in ("en", "he"):
        data, settings = planted()
        fresh = create_workbook(folder / f"fresh.{lang}.xlsx", lang, data, settings, lite=True)
        path = folder / f"book.{lang}.xlsx"
        shutil.copy(fresh, path)
        results[lang] = (refresh or (lambda p, _lang: api.refresh(p, today)))(path, lang)
        out[lang], out[f"fresh.{lang}"] = path, fresh
    return out, results
