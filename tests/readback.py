"""A workbook's table read back with python-calamine (never acctbook's reader), as a user's
other program would see it: rows keyed by schema key, choice values in English, blanks None,
direction marks stripped."""

from __future__ import annotations

from python_calamine import CalamineWorkbook

from acctbook.book import bidi, schema


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
