"""IDs match ignoring case and surrounding spaces (docs/problems.md, Notes: References).

A reference typed `c-1` for the client `C-1` is that client: right after loading,
`match_refs` rewrites every reference column of the frames to the spelling of the key
it matches, so every rule and the whole core see one ID. Only the frames change: no
cell of the user's book is ever rewritten.

A reference matches the key spelled exactly as typed (the loader has already trimmed
it); else the key equal to it after folding case and invisible direction marks
(`schema.fold`), the first such row when two keys fold alike (`near_duplicates`
finds those, for the `near-duplicate-id` warning). A reference matching no key keeps
its text, for the `ref` error.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from acctbook.book import schema
from acctbook.book.model import LoadedTable


def fold(value: str) -> str:
    """An ID as compared: case-folded, blind to direction marks and runs of spaces."""
    return schema.fold(value)


def key_index(keys: Iterable) -> dict[str, str]:
    """Folded key -> the key it means: the first row's spelling when several fold alike."""
    out: dict[str, str] = {}
    for k in keys:
        if isinstance(k, str) and k:
            out.setdefault(fold(k), k)
    return out


def resolve(value: str, keys: set[str], index: dict[str, str]) -> str:
    """The key a typed ID means: the exact spelling first, else the folded one; else itself."""
    if value in keys:
        return value
    return index.get(fold(value), value)


def match_refs(tables: dict[str, LoadedTable], names=None) -> dict[str, LoadedTable]:
    """Every reference column's values as the spelling of the key they match (in place);
    `names`: only those tables' (each table's own matching reads only the tables it
    refers to, so the loader may match one as soon as they are all in: ref_targets).

    Each distinct value is resolved once, so a 200,000-row table costs a dict lookup
    per row. Returns `tables`, so the loader can pass it straight on."""
    targets: dict[str, tuple[set[str], dict[str, str]]] = {}
    for t in (tables.values() if names is None else (tables[n] for n in names)):
        for c in t.spec.columns:
            if c.type != schema.REF or c.computed or c.ref not in tables:
                continue
            s = t.frame[c.key]
            if c.ref not in targets:
                target = tables[c.ref]
                keys = target.frame[target.spec.key].dropna()
                targets[c.ref] = (set(keys), key_index(keys))
            keys, index = targets[c.ref]
            odd = [v for v in s.dropna().unique() if v not in keys]
            change = {v: k for v in odd if (k := resolve(v, keys, index)) != v}
            if change:
                mapped = s.map(change)
                t.frame[c.key] = mapped.where(mapped.notna(), s).astype(object)
            t.unmatched[c.key] = (len(t.frame), len(tables[c.ref].frame),
                                  frozenset(change.get(v, v) for v in odd) - keys)
    return tables


def ref_targets(spec: schema.Table) -> set[str]:
    """The tables whose keys a table's reference columns name (match_refs reads them)."""
    return {c.ref for c in spec.columns if c.type == schema.REF and not c.computed}


def near_duplicates(keys: pd.Series) -> pd.Series:
    """For each key that folds like an earlier row's different spelling: that earlier row
    (Excel row, the series' index); NA elsewhere. `C-1` then `c-1`: c-1's row -> C-1's row.

    A key spelled exactly like an earlier one is the `unique` error, not this."""
    first: dict[str, tuple[str, int]] = {}
    spelled: set[str] = set()
    out = pd.Series(pd.NA, index=keys.index, dtype=object)
    for row, k in keys.items():
        if not isinstance(k, str) or not k or k in spelled:
            continue
        spelled.add(k)
        seen = first.setdefault(fold(k), (k, row))
        if seen[0] != k:
            out[row] = seen[1]
    return out


def clients_named(clients: pd.DataFrame, text: str) -> list[str]:
    """The Client IDs a typed client means (Home's Client cell): its Client ID (as refs
    match: exact, then folded), else the clients whose Name folds like it, else the ID
    before " · " of a drop-down label. Several: a name two clients share."""
    text = (text or "").strip().lstrip("'").strip()
    if not text:
        return []
    ids = [k for k in clients["client_id"].tolist() if isinstance(k, str) and k]
    if text in ids:
        return [text]
    index = key_index(ids)
    if fold(text) in index:
        return [index[fold(text)]]
    names = clients["name"].map(lambda v: fold(v) if isinstance(v, str) else "")
    hits = clients.loc[names == fold(text), "client_id"].tolist()
    hits = [k for k in hits if isinstance(k, str) and k]
    if hits:
        return list(dict.fromkeys(hits))
    head = text.split("\u00b7")[0].strip()
    return [index[fold(head)]] if head != text and fold(head) in index else []
