"""`acctbook import`: the lists a manager already keeps, into a new or an existing book.

Each source is read by the file adapter (xlsx/source.py), its headers matched to acctbook's
columns (book/headers.py) and its rows typed (book/importrows.py). A new book is made whole
(acctbook.create, buttons and all) with the rows in it and the columns nobody could place
kept as the user's own columns of Clients (xlsx/widen.py); an existing book gets its new
rows appended and its matched clients' blank cells filled, in one patch (backup kept).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from acctbook.book import headers as hd
from acctbook.book import schema
from acctbook.book.adapter import row_by_header
from acctbook.book.history import Stamp, history_row
from acctbook.book.i18n import system_lang, tr, trn
from acctbook.book.importrows import Known, Landing, SourceTable, land_clients, land_log
from acctbook.book.model import AcctbookError, Book, Refused
from acctbook.book.parse import MONTH_FIRST, as_text
from acctbook.book.schema import fold
from acctbook.book.rules import check_book
from acctbook.core.plan import problems_sheet
from acctbook.create.workbook import create_workbook
from acctbook.xlsx.file import open_book
from acctbook.xlsx.patch import refuse_unless_writable
from acctbook.xlsx.read import read_book
from acctbook.xlsx.source import read_source
from acctbook.xlsx.widen import room_right, unique_headers, widen

PREVIEW_ROWS = 5


@dataclass
class SourceReport:
    """One source as understood: where its headers are, what it is, where each goes."""
    source: SourceTable
    kind: str                          # "clients" or "log"
    matches: list[hd.Match]


@dataclass
class ImportResult:
    book: str
    lang: str
    created: bool
    dry_run: bool
    sources: list[SourceReport]
    landing: Landing
    own_columns: list[str] = field(default_factory=list)     # kept as Clients columns
    not_imported: list[str] = field(default_factory=list)    # an existing book: no room
    backup: str | None = None
    errors: int = 0                    # the book's check after the import
    warnings: int = 0

    @property
    def exit_code(self) -> int:
        """0 imported; 1 imported, with the source's faults reported."""
        return 1 if self.landing.problems else 0


def parse_maps(maps: Sequence[str]) -> list[tuple[str, str]]:
    """--map 'Header=Column' pairs; a bad one is refused before anything is read."""
    out = []
    for m in maps:
        header, sep, column = m.partition("=")
        if not sep or not header.strip():
            raise AcctbookError(tr(system_lang(), "--map '{map}': write it as "
                                                  "\"Header=Column\"").format(map=m))
        out.append((header.strip(), column.strip()))
    return out


def _given(maps: list[tuple[str, str]], vocabulary) -> dict[str, Any]:
    """Folded header -> target in `vocabulary` (None: the user's own column, for '-')."""
    out = {}
    for header, column in maps:
        target = None if column in ("", "-") else hd.find_target(column, vocabulary)
        if column in ("", "-") or target is not None:
            out[hd.fold_header(header)] = target
    return out


def check_maps(maps: list[tuple[str, str]], lang: str) -> None:
    """Each --map column is one of acctbook's (a client list's or a contact log's)."""
    for header, column in maps:
        if column not in ("", "-") and not any(
                hd.find_target(column, v) for v in (hd.CLIENT_SYNONYMS, hd.LOG_SYNONYMS)):
            raise AcctbookError(tr(lang, "--map '{header}={column}': acctbook has no column "
                                         "'{column}'").format(header=header, column=column))


def _kind(src: SourceTable, maps) -> SourceReport:
    """A contact log when its headers say date, client and what happened (and name no
    client detail such as a city or phone); else a client list."""
    log = hd.match_headers(src.headers, hd.LOG_SYNONYMS, _given(maps, hd.LOG_SYNONYMS))
    clients = hd.match_headers(src.headers, hd.CLIENT_SYNONYMS,
                               _given(maps, hd.CLIENT_SYNONYMS))
    details = {m.target[1] for m in clients if m.target and m.target[0] == hd.CLIENTS}
    if hd.is_log(log) and not details & {"city", "phone", "address", "company_number", "email"}:
        return SourceReport(src, "log", log)
    return SourceReport(src, "clients", clients)


def _source_lang(sources: list[SourceTable]) -> str:
    """A new book's language when --lang is not given: Hebrew for Hebrew headers."""
    text = "".join(h for s in sources for h in s.headers)
    hebrew = sum("\u0590" <= ch <= "\u05ff" for ch in text)
    return "he" if hebrew * 2 > sum(ch.isalpha() for ch in text) else system_lang()


def import_(sources: Sequence, into, today: dt.date, lang: str | None = None,
            maps: Sequence[str] = (), sheet: str | None = None,
            dry_run: bool = False, stamp: Stamp | None = None) -> ImportResult:
    """Import the lists in `sources` into the book `into` (made when missing). The History
    row (`stamp`: when, where from, who; default `today`) goes into the same write."""
    pairs = parse_maps(maps)
    path = Path(into)
    created = not path.exists()
    if created and path.suffix.lower() != ".xlsx":
        raise AcctbookError(tr(lang or system_lang(), "{book}: the new book must be an .xlsx "
                                                      "file").format(book=into))
    tables = [read_source(s, sheet) for s in sources]
    wbf = book = None
    if not created:
        if not dry_run:
            refuse_unless_writable(path)
        wbf = open_book(path)
        book = wbf.read_book()
    lang = book.lang if book is not None else (lang or _source_lang(tables))
    check_maps(pairs, lang)
    reports = sorted((_kind(t, pairs) for t in tables), key=lambda r: r.kind == "log")
    known = Known(book)
    country = str(book.settings.country or "IL") if book is not None else "IL"
    month_first = country.upper() in MONTH_FIRST
    out = Landing()
    for r in reports:
        if r.kind == "log":
            land_log(r.source, r.matches, known, lang, month_first, out)
        else:
            land_clients(r.source, r.matches, known, today, lang, month_first, out)
    result = ImportResult(str(into), lang, created, dry_run, reports, out)
    own = list(dict.fromkeys(m.header for r in reports if r.kind == "clients"
                             for m in r.matches if m.target is None and m.header.strip()))
    if created:
        placed = dict(zip(own, unique_headers(own, [c.label(lang) for c in
                                                    schema.CLIENTS.columns])))
    else:
        placed = _own_in_book(wbf, book, own, len(out.clients))
        result.not_imported = [h for h in own if h not in placed]
    result.own_columns = list(placed.values())
    if dry_run:
        return result
    stamp = stamp or Stamp(today)
    if created:
        problems = _make_book(path, lang, out, placed, stamp, today)
    else:
        result.backup = _patch_book(wbf, book, out, placed, stamp)
        problems = (list_problems(path, today) if result.backup
                    else check_book(read_book(path), today))
    result.errors = sum(p.severity == "error" for p in problems)
    result.warnings = len(problems) - result.errors
    return result


def _own_in_book(wbf, book: Book, own: list[str], new_rows: int) -> dict[str, str]:
    """Source header -> the existing book's Clients header that keeps it: a user's own
    column of the same name, else a new column at the table's right, when the cells there
    are free down to the rows about to be appended (else the header is left out)."""
    t = book.tables["Clients"]
    labels = {fold(c.en) for c in schema.CLIENTS.columns} | {
        fold(c.he) for c in schema.CLIENTS.columns}
    theirs = {fold(h): h for h in t.headers if h and fold(h) not in labels}
    out = {h: theirs[fold(h)] for h in own if fold(h) in theirs}
    rest = [h for h in own if h not in out]
    if rest and room_right(wbf.parts, t.spec.name, len(rest), new_rows):
        out.update(zip(rest, unique_headers(rest, t.headers)))
    return {h: out[h] for h in own if h in out}


def list_problems(path, today: dt.date) -> list:
    """The book as imported, checked; its Problems sheet (a generated sheet) rewritten to list
    what needs a look, as refresh would, in a write of its own without a second backup (left
    alone when there is nothing to list and it lists nothing)."""
    wbf = open_book(path)
    book = wbf.read_book()
    problems = check_book(book, today)
    raw = wbf.read_tables(["Problems"]).get("Problems")
    listed = raw is not None and any(v not in (None, "") for r in raw.rows for v in r)
    if (problems or listed) and schema.generated_sheet("Problems", book.lang) in wbf.sheet_names():
        wbf.patch(sheets=[problems_sheet(book, problems)], backup=False)
    return problems


def _make_book(path: Path, lang: str, out: Landing, own: dict[str, str], stamp: Stamp,
               today: dt.date) -> list:
    """The new book, made beside its final name and moved there once whole; its History
    row ("import": the rows added, a line per client) and its Problems sheet written into it
    before the move. Returns the problems."""
    segments = sorted({c["segment"] for c in out.clients if c.get("segment")})
    data = {"Clients": out.clients, "Contacts": out.contacts,
            "Interactions": out.interactions}
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=".~acctbook-import-", suffix=".xlsx", dir=folder)
    os.close(fd)
    try:
        create_workbook(tmp, lang=lang, data=data, lite=True,
                        settings={"segments": ", ".join(segments)} if segments else None)
        wbf = open_book(tmp)
        t = wbf.read_book().tables["Clients"]
        rows = [[extra.get(h) for h in own] for extra in out.extras]
        cells = widen(wbf.parts, "Clients", list(own.values()), rows)
        wbf.log(history_row("import", stamp, errors=len(out.problems),
                            rows_added=len(out.clients) + len(out.contacts)
                            + len(out.interactions), details=_new_lines(out, lang)))
        wbf.patch({t.sheet: cells} if cells else None, backup=False)
        problems = list_problems(tmp, today)
        if path.exists():
            raise Refused(tr(lang, "{book}: already exists; acctbook new never replaces a "
                                   "workbook (choose another name)").format(book=path))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return problems


def _patch_book(wbf, book: Book, out: Landing, own: dict[str, str],
                stamp: Stamp) -> str | None:
    """New rows appended, blank cells of matched clients filled, the user's own columns
    kept (the table widened for new ones), the History row logged: one patch, backup kept."""
    t = book.tables["Clients"]
    appends = {name: [row_by_header(book, name, r) for r in rows]
               for name, rows in (("Clients", out.clients), ("Contacts", out.contacts),
                                  ("Interactions", out.interactions)) if rows}
    fresh = [h for h in own.values() if h not in t.headers]
    cells = widen(wbf.parts, t.spec.name, fresh)
    at = {h: t.first_col + len(t.headers) + i for i, h in enumerate(fresh)}
    at.update({h: t.first_col + i for i, h in enumerate(t.headers) if h in own.values()})
    if own and out.clients:
        appends["Clients"] = [{**row, **{own[h]: v for h, v in extra.items() if h in own}}
                              for row, extra in zip(appends["Clients"], out.extras)]
    filled = _fill_cells(book, out, cells)
    filled += _own_fills(wbf, book, out, own, at, cells)
    if not appends and not filled:
        return None
    wbf.log(history_row("import", stamp, errors=len(out.problems),
                        rows_added=sum(len(rows) for rows in appends.values()),
                        cells_changed=len(filled),
                        details=_matched_lines(book, out, filled) + _new_lines(out, book.lang)))
    res = wbf.patch({t.sheet: cells} if cells else None, appends=appends)
    return str(getattr(res, "backup", None) or "") or None


def _fill_cells(book: Book, out: Landing, cells: dict) -> list[tuple[str, str]]:
    """The matched clients' blank cells (schema columns) into `cells`; (client, column
    label) of each one filled. A cell that holds a bad value is left alone."""
    t = book.tables["Clients"]
    busy = {(p.row, p.column) for p in book.problems if p.sheet == t.sheet}
    kept, filled = [], []
    for cid, row, key, value in out.fills:
        col = t.columns.get(key)
        if col is None or (row, t.header(key, book.lang)) in busy:
            continue                    # no such column, or a cell that holds a bad value
        spec = schema.CLIENTS.column(key)
        if spec.type in (schema.CHOICE, schema.YESNO) and isinstance(value, str):
            value = schema.show_choice(value, book.lang)
        cells[(row, col)] = value
        kept.append((cid, row, key, value))
        filled.append((cid, t.header(key, book.lang)))
    out.fills = kept
    return filled


def _own_fills(wbf, book: Book, out: Landing, own: dict[str, str], at: dict[str, int],
               cells: dict) -> list[tuple[str, str]]:
    """The matched clients' own-column values, where the book's cell is blank (a new column
    is blank throughout), into `cells`; (client, header) of each one filled."""
    if not own or not out.matched_extras:
        return []
    t = book.tables["Clients"]
    raw = wbf.read_tables([t.spec.name]).get(t.spec.name)
    rows = {rec.get("client_id"): int(r) for r, rec in
            zip(t.frame.index, t.frame[["client_id"]].to_dict("records"))}
    filled = []
    for cid, extra in out.matched_extras.items():
        row = rows.get(cid)
        for h, v in extra.items():
            if row is None or h not in own:
                continue
            col = at[own[h]]
            i, j = row - raw.header_row - 1, col - raw.first_col
            old = raw.rows[i][j] if 0 <= i < len(raw.rows) and j < len(raw.rows[i]) else None
            if old in (None, ""):
                cells[(row, col)] = v
                filled.append((cid, own[h]))
    return filled


def _client_name(book: Book | None, cid: str) -> str:
    if book is None:
        return ""
    frame = book.frame("Clients")
    hit = frame[frame["client_id"] == cid]
    return str(hit["name"].iloc[0] or "") if len(hit) and hit["name"].iloc[0] else ""


def _matched_lines(book: Book, out: Landing, filled: list[tuple[str, str]]) -> list[str]:
    """A History detail line per matched client: what was filled, or that nothing was."""
    lines = []
    for cid in dict.fromkeys(c for _, _, c in out.matched):
        cols = list(dict.fromkeys(h for c, h in filled if c == cid))
        who = f"{cid} {_client_name(book, cid)}".strip()
        lines.append((tr(book.lang, "{client}: {columns} filled").format(
            client=who, columns=", ".join(cols)) if cols else
            tr(book.lang, "{client}: already in the book, no blank cell to fill").format(
                client=who)))
    return lines


def _new_lines(out: Landing, lang: str) -> list[str]:
    """A History detail line per client the import added."""
    return [tr(lang, "{client}: added").format(
        client=f"{c['client_id']} {c.get('name') or ''}".strip()) for c in out.clients]


# --- what the command says ------------------------------------------------------------------
def _label(target, lang: str) -> str:
    return hd.target_label(target, lang)


def _how(m: hd.Match, lang: str) -> str:
    words = {"exact": tr(lang, "exact"), "close": tr(lang, "close match"),
             "given": "--map"}
    return f"{m.confidence}%, {words[m.how]}" if m.how in words else ""


def mapping_lines(r: SourceReport, lang: str, left_out: Sequence[str] = ()) -> list[str]:
    """The source's line, then each header and where it goes (`left_out`: headers an
    existing book has no room for)."""
    s = r.source
    what = (tr(lang, "{source}: a contact log, headers on row {row}") if r.kind == "log" else
            tr(lang, "{source}: a client list, headers on row {row}")).format(
        source=s.name + (f" [{s.sheet}]" if s.sheet else ""), row=s.header_row)
    out = [what]
    for m in r.matches:
        if not m.header.strip():
            continue
        how = _how(m, lang)
        label = (tr(lang, "(not imported: no free column beside the table)")
                 if m.target is None and m.header in left_out else _label(m.target, lang))
        out.append(f"  {m.header} -> {label}" + (f"  ({how})" if how else ""))
    return out


def preview_lines(result: ImportResult) -> list[str]:
    """The first rows as they would land, by the book's column names."""
    lang = result.lang
    out = []
    for name, rows in (("Clients", result.landing.clients), ("Contacts", result.landing.contacts),
                       ("Interactions", result.landing.interactions)):
        spec = schema.TABLES[name]
        for row in rows[:PREVIEW_ROWS]:
            shown = ", ".join(f"{c.label(lang)}={_shown(row[c.key], lang)}"
                              for c in spec.columns if row.get(c.key) is not None)
            out.append(f"  {spec.sheet(lang)}: {shown}")
    return out


def _shown(v: Any, lang: str) -> str:
    if isinstance(v, str):
        return schema.show_choice(v, lang) or ""
    return as_text(v) or ""


def summary_line(result: ImportResult) -> str:
    lang, land = result.lang, result.landing
    counts = dict(book=result.book, clients=len(land.clients), matched=len(land.matched),
                  cells=len(land.fills), contacts=len(land.contacts),
                  interactions=len(land.interactions))
    if result.dry_run:
        return tr(lang, "dry run: {clients} new client(s), {matched} matched, {cells} blank "
                        "cell(s) to fill, {contacts} contact(s), {interactions} "
                        "interaction(s) would go into {book}; nothing written").format(**counts)
    said = (tr(lang, "made {book}: {clients} client(s), {contacts} contact(s), "
                     "{interactions} interaction(s)") if result.created else
            tr(lang, "imported into {book}: {clients} new client(s), {matched} matched, "
                     "{cells} blank cell(s) filled, {contacts} contact(s), {interactions} "
                     "interaction(s)")).format(**counts)
    if result.backup:
        said += tr(lang, "; previous version kept as {backup}").format(backup=result.backup)
    return said


def result_lines(result: ImportResult) -> list[str]:
    """Everything the command prints on stdout, in the book's language."""
    lang = result.lang
    out = [line for r in result.sources for line in mapping_lines(r, lang, result.not_imported)]
    sheet = schema.CLIENTS.sheet(lang)
    if result.own_columns:
        out.append(tr(lang, "kept as your own columns of {sheet}: {columns}").format(
            sheet=sheet, columns=", ".join(result.own_columns)))
    if result.not_imported:
        out.append(tr(lang, "not imported (the cells right of the {sheet} table are not "
                            "free; make room there and import again): {columns}").format(
            sheet=sheet, columns=", ".join(result.not_imported)))
    for source, row, cid in result.landing.matched:
        out.append(f"{source}:{row}: " + tr(lang, "already in the book as {client}; only "
                                                  "its blank cells are filled").format(client=cid))
    if result.dry_run:
        out.append(tr(lang, "first rows as they would land:"))
        out += preview_lines(result)
    out += problem_lines(result)
    out.append(summary_line(result))
    if not result.dry_run and (result.errors or result.warnings):
        counts = (trn(lang, "{n} error", "{n} errors", result.errors).format(n=result.errors)
                  + ", " + trn(lang, "{n} warning", "{n} warnings", result.warnings).format(
                      n=result.warnings))
        out.append(f"{result.book}: {counts}; " + tr(
            lang, "listed on its {sheet} sheet (acctbook check {book} prints them)").format(
            sheet=schema.generated_sheet("Problems", lang), book=result.book))
    return out


def problem_lines(result: ImportResult) -> list[str]:
    return [f"{source}:{row}: {says}" for source, row, says in result.landing.problems]


def as_json_data(result: ImportResult) -> dict:
    land = result.landing
    return {
        "book": result.book, "created": result.created, "dry_run": result.dry_run,
        "sources": [{"file": r.source.name, "sheet": r.source.sheet, "kind": r.kind,
                     "header_row": r.source.header_row,
                     "mapping": [{"header": m.header,
                                  "column": ".".join(m.target) if m.target else None,
                                  "label": _label(m.target, result.lang) if m.target else None,
                                  "confidence": m.confidence, "how": m.how}
                                 for m in r.matches if m.header.strip()]}
                    for r in result.sources],
        "counts": {"clients": len(land.clients), "matched": len(land.matched),
                   "cells_filled": len(land.fills), "contacts": len(land.contacts),
                   "interactions": len(land.interactions)},
        "matched": [{"source": s, "row": row, "client_id": c} for s, row, c in land.matched],
        "own_columns": result.own_columns, "not_imported": result.not_imported,
        "problems": [{"source": s, "row": row, "message": m} for s, row, m in land.problems],
        "book_errors": result.errors, "book_warnings": result.warnings,
    }


def text(result: ImportResult, as_json: bool = False) -> str:
    """The command's output: JSON (`as_json`) or its lines."""
    if as_json:
        return json.dumps(as_json_data(result), ensure_ascii=False, indent=1, default=_jsonable)
    return "\n".join(result_lines(result))


def _jsonable(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else str(v)
