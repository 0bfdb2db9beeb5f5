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
from acctbook.book.i18n import system_lang, tr, trn
from acctbook.book.importrows import Known, Landing, SourceTable, land_clients, land_log
from acctbook.book.model import AcctbookError, Book, Refused
from acctbook.book.parse import MONTH_FIRST, as_text
from acctbook.book.rules import check_book
from acctbook.create.workbook import create_workbook
from acctbook.xlsx.file import open_book
from acctbook.xlsx.patch import refuse_unless_writable
from acctbook.xlsx.read import read_book
from acctbook.xlsx.source import read_source
from acctbook.xlsx.widen import add_columns, unique_headers

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
    own_columns: list[str] = field(default_factory=list)     # kept in a new book's Clients
    not_imported: list[str] = field(default_factory=list)    # an existing book: left out
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
            dry_run: bool = False) -> ImportResult:
    """Import the lists in `sources` into the book `into` (made when missing)."""
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
    own = [m.header for r in reports if r.kind == "clients" for m in r.matches
           if m.target is None and m.header.strip()]
    if created:
        result.own_columns = unique_headers(dict.fromkeys(own),
                                            [c.label(lang) for c in schema.CLIENTS.columns])
    else:
        result.not_imported = list(dict.fromkeys(own))
    if dry_run:
        return result
    if created:
        _make_book(path, lang, out, dict(zip(dict.fromkeys(own), result.own_columns)))
    else:
        result.backup = _patch_book(wbf, book, out)
    problems = check_book(read_book(path), today)
    result.errors = sum(p.severity == "error" for p in problems)
    result.warnings = len(problems) - result.errors
    return result


def _make_book(path: Path, lang: str, out: Landing, own: dict[str, str]) -> None:
    """The new book, made beside its final name and moved there once whole."""
    segments = sorted({c["segment"] for c in out.clients if c.get("segment")})
    data = {"Clients": out.clients, "Contacts": out.contacts,
            "Interactions": out.interactions}
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=".~acctbook-import-", suffix=".xlsx", dir=folder)
    os.close(fd)
    try:
        create_workbook(tmp, lang=lang, data=data, lite=True,
                        settings={"segments": ", ".join(segments)} if segments else None)
        rows = [[extra.get(h) for h in own] for extra in out.extras]
        add_columns(tmp, "Clients", list(own.values()), rows)
        if path.exists():
            raise Refused(tr(lang, "{book}: already exists; acctbook new never replaces a "
                                   "workbook (choose another name)").format(book=path))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _patch_book(wbf, book: Book, out: Landing) -> str | None:
    """New rows appended, blank cells of matched clients filled: one patch, backup kept."""
    appends = {name: [row_by_header(book, name, r) for r in rows]
               for name, rows in (("Clients", out.clients), ("Contacts", out.contacts),
                                  ("Interactions", out.interactions)) if rows}
    t = book.tables["Clients"]
    busy = {(p.row, p.column) for p in book.problems if p.sheet == t.sheet}
    cells: dict[tuple[int, int], Any] = {}
    kept = []
    for cid, row, key, value in out.fills:
        col = t.columns.get(key)
        if col is None or (row, t.header(key, book.lang)) in busy:
            continue                    # no such column, or a cell that holds a bad value
        spec = schema.CLIENTS.column(key)
        if spec.type in (schema.CHOICE, schema.YESNO) and isinstance(value, str):
            value = schema.show_choice(value, book.lang)
        cells[(row, col)] = value
        kept.append((cid, row, key, value))
    out.fills = kept
    if not appends and not cells:
        return None
    res = wbf.patch({t.sheet: cells} if cells else None, appends=appends)
    return str(getattr(res, "backup", None) or "") or None


# --- what the command says ------------------------------------------------------------------
def _label(target, lang: str) -> str:
    return hd.target_label(target, lang)


def _how(m: hd.Match, lang: str) -> str:
    words = {"exact": tr(lang, "exact"), "close": tr(lang, "close match"),
             "given": "--map"}
    return f"{m.confidence}%, {words[m.how]}" if m.how in words else ""


def mapping_lines(r: SourceReport, lang: str, created: bool = True) -> list[str]:
    """The source's line, then each header and where it goes."""
    s = r.source
    what = (tr(lang, "{source}: a contact log, headers on row {row}") if r.kind == "log" else
            tr(lang, "{source}: a client list, headers on row {row}")).format(
        source=s.name + (f" [{s.sheet}]" if s.sheet else ""), row=s.header_row)
    out = [what]
    for m in r.matches:
        if not m.header.strip():
            continue
        how = _how(m, lang)
        label = (_label(m.target, lang) if m.target or created else
                 tr(lang, "(not imported: the book has no such column)"))
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
    out = [line for r in result.sources for line in mapping_lines(r, lang, result.created)]
    sheet = schema.CLIENTS.sheet(lang)
    if result.own_columns:
        out.append(tr(lang, "kept as your own columns of {sheet}: {columns}").format(
            sheet=sheet, columns=", ".join(result.own_columns)))
    if result.not_imported:
        out.append(tr(lang, "not imported (the book's {sheet} has no such columns; add them "
                            "to its table in Excel and import again): {columns}").format(
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
        out.append(f"{result.book}: {counts}; "
                   + tr(lang, "run: acctbook check {book}").format(book=result.book))
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
