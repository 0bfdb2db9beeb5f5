"""What a refresh writes, as values: the computed cells, Home's figures and the generated
sheets, as one RefreshPlan made by plan_refresh(). Pure: the file adapter (acctbook.xlsx,
through acctbook.jobs) and the xlwings adapter (acctbook.xlbook) both write exactly that
object, so a button and `acctbook refresh` give the same book.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from typing import Any

import pandas as pd

from acctbook.book import schema
from acctbook.book.model import (ERROR, Book, LoadedTable, Problem, SheetTable, col_letter,
                                 cut_text)
from acctbook.book.results import Changes
from acctbook.book.updates import ColumnCells
from acctbook.core import ranking
from acctbook.core.compute import READS, Results, compute
from acctbook.core.digests import Digests

# Tables whose computed columns refresh writes, and the Results attribute holding them.
COMPUTED = (("Clients", "clients"), ("Deals", "deals"), ("Complaints", "complaints"),
            ("Contracts", "contracts"), ("Campaigns", "campaigns"))


def computed_sheets(book: Book) -> list[str]:
    """The sheets whose tables have computed columns a refresh writes (COMPUTED)."""
    return [book.tables[name].sheet for name, _ in COMPUTED
            if name in book.tables and book.tables[name].sheet]


def refresh_results(book: Book, problems: list[Problem], today: dt.date,
                    digests: Digests | None = None):
    """core.compute over the rows that are not skipped; skipped clients blank and said so,
    and each client's Excludes naming its rows that were skipped. `digests`: compute's
    pieces already worked out while the book was read (core/early.py).

    Shared by the file path and the xlwings buttons, so both write the same values.
    """
    results = with_excludes(book, compute(without_error_rows(book, problems), today, digests),
                            problems)
    return with_skipped_clients(book, results, problems)


SKIPPED = {"en": "Not computed: fix this row's errors (see Problems)",
           "he": "לא חושב: יש לתקן את השגיאות בשורה (ראו בעיות)"}


def skipped_cells(book: Book, problems: list[Problem]) -> dict[str, dict[int, list[str]]]:
    """Table name -> {Excel row skipped: the cells of its errors}: the rows with an error in
    a column the core reads, and those errors' cells ("H12"), in the order Check found them."""
    by_sheet = {t.sheet: t for t in book.tables.values() if t.spec.name in READS}
    headers = {t.spec.name: schema.header_index(t.spec) for t in by_sheet.values()}
    out: dict[str, dict[int, list[str]]] = {}
    for p in problems:
        t = by_sheet.get(p.sheet)
        if p.severity != ERROR or p.row is None or t is None:
            continue
        key = headers[t.spec.name].get(schema.fold(p.column or ""))
        if key in READS[t.spec.name]:
            cells = out.setdefault(t.spec.name, {}).setdefault(p.row, [])
            if p.cell and p.cell not in cells:
                cells.append(p.cell)
    return out


def skipped_rows(book: Book, problems: list[Problem]) -> dict[str, set[int]]:
    """Table name -> Excel rows skipped: rows with an error in a column the core reads."""
    return {name: set(rows) for name, rows in skipped_cells(book, problems).items()}


def without_error_rows(book: Book, problems: list[Problem]) -> Book:
    """The book minus the skipped rows: a row with errors is skipped, not fatal."""
    skip = skipped_rows(book, problems)
    tables = {}
    for name, t in book.tables.items():
        if skip.get(name):
            t = dataclasses.replace(t, frame=t.frame[~t.frame.index.isin(list(skip[name]))])
        tables[name] = t
    return dataclasses.replace(book, tables=tables)


def with_skipped_clients(book: Book, results, problems: list[Problem]):
    """Skipped client rows get blank computed cells and say why, never stale values."""
    rows = sorted(skipped_rows(book, problems).get("Clients", ()))
    if not rows:
        return results
    blank = pd.DataFrame({c: [None] * len(rows) for c in results.clients.columns},
                         index=pd.Index(rows, name=results.clients.index.name), dtype=object)
    blank["follow_up_reason"] = SKIPPED.get(book.lang, SKIPPED["en"])
    clients = pd.concat([results.clients, blank]).reindex(book.frame("Clients").index)
    return dataclasses.replace(results, clients=clients)


# --- figures built on partial data (docs/rules.md, "Figures built on partial data") -------
# The tables whose rows count in a client's figures, money first: the order rows are named in.
RELATED = ("Orders", "Deals", "Contracts", "Complaints", "Interactions", "Contacts")
NAMED_ROWS = 3           # rows an Excludes cell names; the rest are counted
NAMED_CELLS = 3          # error cells named for one row
EXCLUDES = {
    "en": {"lead": "excludes ", "row": "{sheet} row {row}", "error": "error on {cells}",
           "errors": "errors on {cells}", "more": "and {n} more rows (see {problems})",
           "more_one": "and 1 more row (see {problems})",
           "home": "⚠ excludes {n} rows with errors (see {problems})",
           "home_one": "⚠ excludes 1 row with errors (see {problems})"},
    "he": {"lead": "לא כולל ", "row": "{sheet} שורה {row}", "error": "שגיאה בתא {cells}",
           "errors": "שגיאות בתאים {cells}", "more": "ועוד {n} שורות (ראו {problems})",
           "more_one": "ועוד שורה אחת (ראו {problems})",
           "home": "⚠ לא כולל {n} שורות עם שגיאות (ראו {problems})",
           "home_one": "⚠ לא כולל שורה אחת עם שגיאות (ראו {problems})"},
}
# Home: beside Revenue 12m and Weighted pipeline (column C of their rows) refresh says how
# many rows with errors each leaves out, and blanks the cell when none (home_notes).
HOME_NOTE_COL = 3


def _words(lang: str) -> dict[str, str]:
    return EXCLUDES.get(lang, EXCLUDES["en"])


def _client_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _kept_clients(book: Book, skip) -> set[str]:
    """The Client IDs the core computed: those of the Clients rows not skipped."""
    clients = book.frame("Clients")
    kept = clients["client_id"][~clients.index.isin(list(skip.get("Clients", ())))]
    return {v for v in kept if _client_id(v)}


def _clients_of(book: Book, name: str, rows: list[int]) -> list[str | None]:
    """The Client ID each of `rows` of table `name` counts for; a contract without one
    counts for its deal's client, as the Renewal rule takes it."""
    frame = book.frame(name)
    ids = frame["client_id"].reindex(rows)
    if name == "Contracts":
        deals = book.frame("Deals").dropna(subset=["deal_id"]).drop_duplicates("deal_id")
        by_deal = deals.set_index("deal_id")["client_id"]
        ids = ids.where(ids.notna(), frame["deal_id"].reindex(rows).map(by_deal))
    return [_client_id(v) for v in ids]


def _id_key(spec: schema.Table) -> str | None:
    """The column that names a row of `spec`: its key, else its own ID (Orders' Order ID)."""
    return spec.key or next((c.key for c in spec.columns
                             if c.key.endswith("_id") and c.type != schema.REF), None)


def _sheet_ref(sheet: str, cell: str) -> str:
    """`Orders!H12`, `'Deal items'!A3`: a cell as Excel writes it in a formula."""
    name = sheet if re.fullmatch(r"\w+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{cell}"


def _row_named(t: LoadedTable, row: int, cells: list[str], lang: str) -> str:
    """`SO-00558 (error on Orders!H12)`, or by its row: `Interactions row 14 (error on A14)`."""
    words = _words(lang)
    key = _id_key(t.spec)
    value = t.frame.at[row, key] if key else None
    shown = "" if value is None or not isinstance(value, str) and pd.isna(value) \
        else str(value).strip()
    if shown:
        label, refs = cut_text(shown, 40), [_sheet_ref(t.sheet, c) for c in cells[:1]]
        refs += cells[1:NAMED_CELLS]
    else:
        label, refs = words["row"].format(sheet=t.sheet, row=row), cells[:NAMED_CELLS]
    if not refs:
        return label
    listed = ", ".join(refs) + (", …" if len(cells) > NAMED_CELLS else "")
    return f"{label} ({words['error' if len(cells) == 1 else 'errors'].format(cells=listed)})"


def excludes_by_client(book: Book, problems: list[Problem]) -> dict[str, str]:
    """Client ID -> its Excludes text: the skipped rows of the other tables that count for
    it, the first NAMED_ROWS named, the rest counted. A row whose client is unknown, blank
    or itself skipped marks nothing (that client has no figures to mark)."""
    skip = skipped_cells(book, problems)
    kept = _kept_clients(book, skip)
    rows_of: dict[str, list[tuple[str, int]]] = {}
    for name in RELATED:
        rows = sorted(skip.get(name, {}))
        for row, client in zip(rows, _clients_of(book, name, rows)):
            if client in kept:
                rows_of.setdefault(client, []).append((name, row))
    words, problems_sheet = _words(book.lang), schema.generated_sheet("Problems", book.lang)
    out = {}
    for client, rows in rows_of.items():
        named = [_row_named(book.tables[n], r, skip[n][r], book.lang) for n, r in rows[:NAMED_ROWS]]
        text = words["lead"] + "; ".join(named)
        rest = len(rows) - NAMED_ROWS
        if rest > 0:
            text += "; " + words["more_one" if rest == 1 else "more"].format(
                n=f"{rest:,}", problems=problems_sheet)
        out[client] = text
    return out


def with_excludes(book: Book, results, problems: list[Problem]):
    """Clients' and Rankings' Excludes: always set (None where nothing was left out), so a
    mark goes away with the error behind it."""
    texts = excludes_by_client(book, problems)
    ids = book.frame("Clients")["client_id"].reindex(results.clients.index)
    clients = results.clients.assign(excludes=pd.Series(
        [texts.get(_client_id(v)) for v in ids], index=results.clients.index, dtype=object))
    rankings = results.rankings.assign(excludes=pd.Series(
        [texts.get(_client_id(v)) for v in results.rankings["client_id"]],
        index=results.rankings.index, dtype=object))
    return dataclasses.replace(results, clients=clients, rankings=rankings)


def _left_out(frame: pd.DataFrame, counts: pd.Series, skipped: set[int], kept: set[str],
              dropped: set[str]) -> int:
    """Rows with errors a total over `frame` leaves out: its skipped rows that would count
    (`counts`) for a computed client, and each skipped client with a row here that would."""
    ids, n = frame["client_id"], 0
    if skipped:                       # usually none: no row to look at
        own = frame.index.isin(list(skipped)) & counts.to_numpy(dtype=bool) & ids.isin(list(kept))
        n = int(own.sum())
    if dropped:
        n += len(dropped & {v for v in pd.unique(ids[counts].dropna()) if _client_id(v)})
    return n


def home_notes(book: Book, problems: list[Problem]) -> dict[tuple[int, int], Any]:
    """Home's cells beside Revenue 12m and Weighted pipeline: how many rows with errors each
    figure leaves out (skipped Orders or Deals rows of a computed client, and skipped
    clients with such rows), or blank."""
    skip = skipped_rows(book, problems)
    kept = _kept_clients(book, skip)
    clients = book.frame("Clients")["client_id"]
    dropped = {v for v in clients.reindex(sorted(skip.get("Clients", ()))) if _client_id(v)} - kept
    orders, deals = book.frame("Orders"), book.frame("Deals")
    left_out = {
        "revenue_12m": _left_out(orders, orders["status"] != "Cancelled",
                                 skip.get("Orders", set()), kept, dropped),
        "weighted_pipeline": _left_out(deals, ranking.open_deals(deals),
                                       skip.get("Deals", set()), kept, dropped)}
    words, problems_sheet = _words(book.lang), schema.generated_sheet("Problems", book.lang)
    keys = [k for k, _en, _he in schema.HOME_KPIS]
    return {(schema.HOME_FIRST_ROW + keys.index(k), HOME_NOTE_COL):
            words["home_one" if n == 1 else "home"].format(n=f"{n:,}", problems=problems_sheet)
            if n else None for k, n in left_out.items()}


# --- values as cells ---------------------------------------------------------------
def cell_value(value: Any, column: schema.Column | None, lang: str) -> Any:
    """A computed value as it goes into a cell: dates as dates, choices in the book's language."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):   # numpy scalars
        value = value.item()
    if column is not None and column.type == schema.CHOICE and isinstance(value, str):
        return schema.show_choice(value, lang)
    return value


_PLAIN = frozenset((str, int, float, dt.date, type(None)))
_TIMES = frozenset((pd.Timestamp, type(pd.NaT), type(None)))


def column_cells(values: list, column: schema.Column | None, lang: str) -> list:
    """cell_value of each value in a column's list: a column of plain values (text, numbers,
    dates, blanks) or of timestamps in one comprehension, any other value by cell_value."""
    choice = column is not None and column.type == schema.CHOICE and lang == "he"
    kinds = set(map(type, values))
    if kinds <= _PLAIN:                   # v != v: NaN only (None != None is False)
        if choice:
            he = schema.CHOICE_HE
            return [he.get(v, v) if type(v) is str else None if v != v else v for v in values]
        return [None if v != v else v for v in values]
    if kinds <= _TIMES:
        return [None if v is None or v is pd.NaT else v.date() for v in values]
    out = []
    add = out.append
    for v in values:
        kind = type(v)
        if kind is str:
            add(schema.CHOICE_HE.get(v, v) if choice else v)
        elif kind is int or v is None:
            add(v)
        elif kind is float:
            add(None if v != v else v)
        else:
            add(cell_value(v, column, lang))
    return out


def _frame_cells(frame: pd.DataFrame, key: str, column: schema.Column | None, lang: str) -> list:
    """The cells of one column of `frame` (all blank when the frame lacks it)."""
    if key not in frame:
        return [None] * len(frame)
    return column_cells(frame[key].tolist(), column, lang)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, pd.Timestamp):
        old = None if pd.isna(old) else old.date()
    if isinstance(old, float) and math.isnan(old):
        old = None
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return abs(float(old) - float(new)) < 1e-9
    return old == new


def computed_cells(book: Book, results) -> tuple[dict, Changes]:
    """Cell updates for the computed columns (a sheet's held as columns: ColumnCells), and
    the list of cells whose value changes."""
    cells: dict[str, ColumnCells] = {}
    changes = Changes()
    for name, attr in COMPUTED:
        t: LoadedTable = book.tables[name]
        frame = getattr(results, attr)
        sheet_cells = cells.setdefault(t.sheet, ColumnCells())
        # Table rows that are no longer records (their inputs were cleared) lose their
        # computed values too, so no stale Rank or follow-up stays behind.
        gone = list(t.stale_rows)
        rows = frame.index.tolist()
        spots = gone + rows               # one list for every column: rows_at_once
        for c in t.spec.computed:
            col = t.columns.get(c.key)
            if col is None or c.key not in frame:
                continue      # the user removed that column: nothing to write there
            new = column_cells(frame[c.key].tolist(), c, book.lang)
            sheet_cells.add_column(col, spots, [None] * len(gone) + new)
            was = t.frame[c.key].reindex(frame.index)
            if was.isna().all():        # filled for the first time: each value is a change
                old = [None] * len(new)
                changed = [i for i, after in enumerate(new) if after is not None]
            else:
                old = column_cells(was.tolist(), c, book.lang)
                changed = [i for i, (before, after) in enumerate(zip(old, new))
                           if not (before is None and after is None      # the common unchanged
                                   or type(before) is str and before == after  # cases, at once
                                   or _same(before, after))]
            changes.add(t.sheet, col_letter(col), [rows[i] for i in changed],
                        [old[i] for i in changed], [new[i] for i in changed])
    return cells, changes


def home_cells(results, problems: list[Problem]) -> dict[tuple[int, int], Any]:
    kpis = dict(results.kpis)
    kpis["errors"] = sum(p.severity == ERROR for p in problems)
    kpis["warnings"] = len(problems) - kpis["errors"]
    return {(schema.HOME_FIRST_ROW + i, 2): cell_value(kpis.get(key), None, "en")
            for i, (key, _en, _he) in enumerate(schema.HOME_KPIS)}


def _sheet_table(spec: schema.Table, frame: pd.DataFrame, lang: str, link_col=None, link=None,
                 link_from=None) -> SheetTable:
    """A generated sheet's table from `frame`; `link(value of column link_from)` gives the
    hyperlink target of column link_col."""
    keys = [c.key for c in spec.columns]
    rows = [list(r) for r in zip(*[_frame_cells(frame, c.key, c, lang) for c in spec.columns])]
    links = {}
    if link_col is not None:
        j = keys.index(link_col)
        sources = frame[link_from].tolist() if link_from in frame else [None] * len(frame)
        for i, value in enumerate(sources):
            target = link(value)
            if target:
                links[(i, j)] = target
    header = [c.label(lang) for c in spec.columns]
    return SheetTable(sheet=spec.sheet(lang), table=spec.name, header=header, rows=rows,
                      # wide enough for the header and its filter button
                      widths=[max(c.width, len(h) + 3) for c, h in zip(spec.columns, header)],
                      links=links, rtl=lang == "he",
                      formats=[c.number_format for c in spec.columns], follow_table=True)


def problems_sheet(book: Book, problems: list[Problem]) -> SheetTable:
    """The Problems sheet: a row per problem, its cell a link to the cell it is about."""
    lang = book.lang
    frame = pd.DataFrame([{
        "severity": p.severity_label(lang),
        "code": p.code, "sheet": p.sheet, "cell": p.cell, "column": p.column,
        "value": None if p.value is None else str(p.as_json()["value"]),
        "message": p.message, "_target": f"'{p.sheet}'!{p.cell}" if p.cell else None}
        for p in problems], columns=[c.key for c in schema.PROBLEMS.columns] + ["_target"])
    return _sheet_table(schema.PROBLEMS, frame, lang, "cell", lambda target: target, "_target")


def generated_sheets(book: Book, results, problems: list[Problem]) -> list[SheetTable]:
    """The Today, Rankings, Segments, Loyalty and Problems sheets (Problems last), for the zip
    writer and xlwings alike."""
    lang = book.lang
    clients = book.tables["Clients"]
    id_col = col_letter(clients.columns["client_id"])

    where = f"'{clients.sheet}'!{id_col}"

    def client_link(row):
        if type(row) is int:          # the usual row number, without pd.isna's checks
            return f"{where}{row}"
        return f"{where}{int(row)}" if row is not None and not pd.isna(row) else None

    today = _sheet_table(schema.TODAY, results.queue, lang, "client_id", client_link, "client_row")
    rank_frame = results.rankings.copy()
    if "client_row" not in rank_frame:
        rows_by_id = dict(zip(clients.frame["client_id"], clients.frame.index))
        rank_frame["client_row"] = rank_frame["client_id"].map(rows_by_id)
    rankings = _sheet_table(schema.RANKINGS, rank_frame, lang, "client_id", client_link,
                            "client_row")
    loyalty = _sheet_table(schema.LOYALTY_BALANCES, results.loyalty, lang, "client_id",
                           client_link, "client_row")
    return [today, rankings, segments_sheet(results, lang), loyalty,
            problems_sheet(book, problems)]


def segments_sheet(results, lang: str) -> SheetTable:
    """The Segments sheet: the Segments table, and the Regions table beside it."""
    segments = _sheet_table(schema.SEGMENTS, results.segments, lang)
    return dataclasses.replace(segments, beside=_sheet_table(schema.REGIONS, results.regions,
                                                             lang))


# --- the whole plan -------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class RefreshPlan:
    """Everything a refresh writes, for the file writer and the xlwings writer alike.

    `cells`: sheet name -> {(Excel row, column number): value}, the computed columns and
    Home's figures with their notes (column C, home_notes); `sheets`: the generated Today,
    Rankings, Segments (with Regions beside), Loyalty and Problems tables;
    `changes`: the computed cells whose value differs from the book's (Home not included).
    """
    cells: dict[str, dict[tuple[int, int], Any]]
    sheets: list[SheetTable]
    changes: Changes          # a Sequence of Change


def plan_refresh(book: Book, problems: list[Problem], results: Results,
                 with_home: bool) -> RefreshPlan:
    """What a refresh writes, from `results` (refresh_results). `with_home`: the book has its
    Home sheet (under the book's language's name), so Home's figures (and the notes beside
    the ones built on partial data) are written too."""
    cells, changes = computed_cells(book, results)
    if with_home:
        home = schema.generated_sheet("Home", book.lang)
        cells.setdefault(home, {}).update(home_cells(results, problems))
        cells[home].update(home_notes(book, problems))
    return RefreshPlan(cells, generated_sheets(book, results, problems), changes)
