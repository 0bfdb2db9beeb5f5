"""A source list's rows as acctbook rows (`acctbook import`): clients, their contacts, a
contact log's interactions, and the blank cells of clients the book already has. Pure:
the source comes in as a SourceTable, the book (when there is one) as a Book, and every
fault is a line naming the source row (`clients.csv:17: …`), in the book's language.

Values are typed as the loader would type them: dates from real cells, Excel serials and
text (ISO or d/m/yyyy; m/d/yyyy where the book's country writes so), numbers from text,
choices in either language (CRM words such as HubSpot's lifecycle stages too); what cannot
be typed lands as typed and is reported. Phones keep their digits, spacing normalised.
Client IDs are made when missing (C-0001 on, after the book's highest); a client already in
the book (same Client ID, company number or normalised name) is matched, not added.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from acctbook.book import schema
from acctbook.book.headers import CHANNEL_WORDS, CLIENTS, CONTACTS, LOG, STATUS_WORDS, Match
from acctbook.book.i18n import tr
from acctbook.book.identity import folded_name
from acctbook.book.model import Book
from acctbook.book.parse import as_text, is_blank, parse_date, parse_number

DEFAULT_STATUS = "Active"


@dataclass
class SourceTable:
    """A list read from a file: its header row and data rows as cell values, each data row
    with its row number in the source (1-based, as the user sees it)."""
    name: str
    sheet: str | None
    header_row: int
    headers: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]


@dataclass
class Landing:
    """What the sources give the book."""
    clients: list[dict] = field(default_factory=list)     # new clients (schema keys)
    extras: list[dict] = field(default_factory=list)      # their own columns, header -> value
    contacts: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    fills: list[tuple[str, int, str, Any]] = field(default_factory=list)  # (client, row, key, v)
    matched: list[tuple[str, int, str]] = field(default_factory=list)     # (source, row, id)
    # a matched client's own columns (header -> value), by Client ID: its first source row's
    matched_extras: dict[str, dict] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (source, row, says)


class Known:
    """The clients and contacts known so far (the book's, then each one imported): found by
    Client ID, company number or normalised name; the next free C- and P- numbers."""

    def __init__(self, book: Book | None):
        self.by_key: dict[str, str] = {}         # 'id:…', 'no:…', 'name:…' -> Client ID
        self.rows: dict[str, tuple[int, dict]] = {}   # the book's clients: Excel row, values
        self.contacts: dict[tuple[str, str], str] = {}  # (client, folded name) -> Contact ID
        self.with_contacts: set[str] = set()
        self.width, self.next_client, self.next_contact = 0, 1, 1   # width 0: C-0001 on
        if book is None:
            return
        clients = book.frame("Clients")
        for row, rec in zip(clients.index, clients.to_dict("records")):
            if rec.get("client_id"):
                self.add_client(rec["client_id"], rec.get("company_number"), rec.get("name"))
                self.rows[rec["client_id"]] = (int(row), rec)
        people = book.frame("Contacts")
        for cid, pid, name in zip(people["client_id"], people["contact_id"], people["name"]):
            if cid and name:
                self.contacts[(cid, folded_name(name))] = pid or ""
                self.with_contacts.add(cid)
            self.next_contact = max(self.next_contact, _number(pid, "P") + 1)

    def add_client(self, cid: str, number: Any, name: Any) -> None:
        for key in (f"id:{schema.fold(cid)}", _number_key(number), _name_key(name)):
            if key:
                self.by_key.setdefault(key, cid)
        n = _number(cid, "C")
        if n:
            self.next_client = max(self.next_client, n + 1)
            self.width = max(self.width, len(cid.split("-", 1)[1]))

    def find(self, cid: Any, number: Any, name: Any) -> str | None:
        for key in (f"id:{schema.fold(cid)}" if cid else None, _number_key(number),
                    _name_key(name)):
            if key and key in self.by_key:
                return self.by_key[key]
        return None

    def new_client_id(self) -> str:
        cid = f"C-{self.next_client:0{self.width or 4}d}"
        self.next_client += 1
        return cid

    def new_contact_id(self) -> str:
        pid = f"P-{self.next_contact:04d}"
        self.next_contact += 1
        return pid


def _number(text: Any, prefix: str) -> int:
    m = re.fullmatch(prefix + r"-(\d+)", str(text or "").strip(), re.I)
    return int(m[1]) if m else 0


def _blank(v: Any) -> bool:
    """Blank as the loader leaves it: None, NaN, NaT or empty text."""
    return is_blank(v) or v != v or type(v).__name__ == "NaTType"


def _number_key(number: Any) -> str | None:
    digits = re.sub(r"\D", "", as_text(number) or "")
    return f"no:{digits.lstrip('0')}" if len(digits) >= 5 else None


def _name_key(name: Any) -> str | None:
    text = as_text(name)
    return f"name:{folded_name(text)}" if text and folded_name(text) else None


# --- one value ---------------------------------------------------------------------------
def _serial_date(n: float) -> dt.date | None:
    if 61 <= n <= 2958465 and float(n).is_integer():
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(n))
    return None


def land_value(col: schema.Column, v: Any, month_first: bool, lang: str
               ) -> tuple[Any, str | None]:
    """(the value as it lands in the book, what is wrong with it or None)."""
    if is_blank(v):
        return None, None
    if col.type == schema.DATE:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            day = _serial_date(v)
        elif isinstance(v, str) and v.strip().isdigit():      # a serial exported as text
            day = _serial_date(float(v))
        else:
            day, how = parse_date(v, month_first)
            if day is None and isinstance(v, str):
                day = parse_date(v, not month_first)[0]
        if day is not None:
            return day, None
        return as_text(v), tr(lang, "{column}: '{value}' is not a date; it lands as typed")
    if col.type in (schema.NUMBER, schema.INTEGER, schema.PERCENT):
        n = parse_number(v)
        if n is not None:
            return (int(n) if col.type == schema.INTEGER and n.is_integer() else n), None
        return as_text(v), tr(lang, "{column}: '{value}' is not a number; it lands as typed")
    text = " ".join(as_text(v).split())
    if col.type == schema.YESNO:
        hit = schema.YESNO_INDEX.get(schema.fold(text))
        return (hit, None) if hit else (text, tr(lang, "{column}: '{value}' is not yes or "
                                                       "no; it lands as typed"))
    if col.type == schema.CHOICE and col.choices:
        words = {"status": STATUS_WORDS, "channel": CHANNEL_WORDS}.get(col.key, {})
        hit = schema.choice_index(col.choices).get(schema.fold(text)) or words.get(schema.fold(text))
        if hit:
            return hit, None
        return text, tr(lang, "{column}: '{value}' is not one of its choices; it lands as "
                               "typed: pick one in the book")
    if col.key == "company_number" and isinstance(v, (int, float)) and len(text) < 9:
        text = text.zfill(9)             # a number cell lost the leading zeros
    if col.key == "country":
        return country_code(text), None
    return text, None


def country_code(text: str) -> str:
    """'Israel', 'ישראל', 'il' -> 'IL' (babel's territory names); else the text as typed."""
    if len(text) == 2 and text.isalpha():
        return text.upper()
    from babel import Locale
    want = schema.fold(text)
    for loc in ("en", "he"):
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and schema.fold(name) == want:
                return code
    return {"usa": "US", "uk": "GB", "england": "GB", "ארה״ב": "US", 'ארה"ב': "US"}.get(
        want, text)


# --- the rows ----------------------------------------------------------------------------
def _spec(target: tuple[str, str]) -> schema.Column:
    table, key = target
    if table == LOG and key in ("client", "contact"):
        return schema.INTERACTIONS.column("client_id" if key == "client" else "contact_id")
    if table == CONTACTS and key in ("first_name", "last_name"):
        return schema.CONTACTS.column("name")
    return schema.TABLES[table].column(key)


def _typed(src: SourceTable, matches: list[Match], i: int, month_first: bool, lang: str,
           out: Landing) -> dict[tuple[str, str], Any]:
    """One source row's mapped values by target; each fault a line of out.problems."""
    row, got = src.rows[i], {}
    for m in matches:
        if m.target is None or m.index >= len(row):
            continue
        col = _spec(m.target)
        value, fault = land_value(col, row[m.index], month_first, lang)
        if fault:
            out.problems.append((src.name, src.row_numbers[i], fault.format(
                column=m.header, value=as_text(row[m.index]))))
        if value is not None:
            got[m.target] = value
    return got


def land_clients(src: SourceTable, matches: list[Match], known: Known, today: dt.date,
                 lang: str, month_first: bool, out: Landing) -> None:
    """A client list: new clients (and their own columns), matched clients' blank cells,
    a Contacts row per person named; duplicates within the source reported."""
    own = [m for m in matches if m.target is None and str(m.header).strip()]
    seen: dict[str, int] = {}
    for i, row in enumerate(src.rows):
        if all(is_blank(v) for v in row):
            continue
        where = (src.name, src.row_numbers[i])
        got = _typed(src, matches, i, month_first, lang, out)
        client = {k: v for (t, k), v in got.items() if t == CLIENTS}
        keys = [k for k in (_name_key(client.get("name")),
                            _number_key(client.get("company_number")),
                            client.get("client_id") and f"id:{schema.fold(client['client_id'])}")
                if k]
        twin = next((seen[k] for k in keys if k in seen), None)
        if twin is not None:
            out.problems.append((*where, tr(lang, "the same client as row {row} (both "
                                                  "imported; merge them in the book)")
                                 .format(row=twin)))
        for key in keys:
            seen.setdefault(key, src.row_numbers[i])
        cid = known.find(client.get("client_id"), client.get("company_number"),
                         client.get("name"))
        extras = {m.header: row[m.index] for m in own
                  if m.index < len(row) and not is_blank(row[m.index])}
        if cid is not None and cid in known.rows:
            _fill_blanks(known, cid, client, out)
            out.matched.append((src.name, src.row_numbers[i], cid))
            out.matched_extras.setdefault(cid, extras)
        else:
            cid = _new_client(client, known, today, where, lang, out)
            out.extras.append(extras)
        _contact(got, cid, known, out)


def _new_client(client: dict, known: Known, today: dt.date, where: tuple, lang: str,
                out: Landing) -> str:
    if not client.get("client_id"):
        client["client_id"] = known.new_client_id()
    client.setdefault("status", DEFAULT_STATUS)
    client.setdefault("created", today)
    if not client.get("name"):
        out.problems.append((*where, tr(lang, "no name: imported without one; type it in "
                                              "the book")))
    known.add_client(client["client_id"], client.get("company_number"), client.get("name"))
    out.clients.append(client)
    return client["client_id"]


def _fill_blanks(known: Known, cid: str, client: dict, out: Landing) -> None:
    row, rec = known.rows[cid]
    for key, value in client.items():
        if key != "client_id" and _blank(rec.get(key)):
            out.fills.append((cid, row, key, value))


def _contact(got: dict, cid: str, known: Known, out: Landing) -> None:
    person = {k: v for (t, k), v in got.items() if t == CONTACTS}
    name = person.pop("name", None) or " ".join(
        str(person[k]) for k in ("first_name", "last_name") if person.get(k))
    person.pop("first_name", None), person.pop("last_name", None)
    if not name or (cid, folded_name(name)) in known.contacts:
        return
    first = cid not in known.with_contacts
    known.with_contacts.add(cid)
    pid = known.new_contact_id()
    known.contacts[(cid, folded_name(name))] = pid
    out.contacts.append({"contact_id": pid, "client_id": cid, "name": name, **person,
                         **({"primary": schema.YES} if first else {})})


def land_log(src: SourceTable, matches: list[Match], known: Known, lang: str,
             month_first: bool, out: Landing) -> None:
    """A contact log: one Interactions row per source row whose client is known (in the
    book or imported now, by Client ID or name); the contact linked when known."""
    for i, row in enumerate(src.rows):
        if all(is_blank(v) for v in row):
            continue
        got = _typed(src, matches, i, month_first, lang, out)
        ref = got.pop((LOG, "client"), None)
        cid = known.find(ref, None, ref) if ref else None
        if cid is None:
            out.problems.append((src.name, src.row_numbers[i], tr(
                lang, "client '{client}' is not in the book nor in the list imported; "
                      "row left out").format(client=ref or "")))
            continue
        rec = {k: v for (t, k), v in got.items() if t == LOG and k != "contact"}
        person = got.get((LOG, "contact"))
        if person:
            pid = known.contacts.get((cid, folded_name(person)))
            if pid:
                rec["contact_id"] = pid
        out.interactions.append({"client_id": cid, **rec})
