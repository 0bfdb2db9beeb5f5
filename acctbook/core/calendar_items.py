"""The calendar's items: each client's next follow-up, contract renewals, complaint SLA due
dates, events and the client contacts' birthdays, as all-day items with stable UIDs, in the
book's language (docs/calendar.md). Pure: the dates are refresh's own (`plan.refresh_results`
and `compute.follow_up_candidates` over the same rows), `today` is passed in; the file is
written by acctbook.documents.ical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from acctbook.book import bidi, schema
from acctbook.book.i18n import tr, trn
from acctbook.book.model import Book, Problem
from acctbook.core import followups
from acctbook.core.compute import follow_up_candidates
from acctbook.core.plan import without_error_rows

FOLLOW_UP, RENEWAL, COMPLAINT, EVENT, BIRTHDAY = KINDS = (
    "follow-up", "renewal", "complaint", "event", "birthday")
# The UID's first word per kind: `followup-C-0001@clients.acctbook` (docs/calendar.md).
UID_WORDS = {FOLLOW_UP: "followup", RENEWAL: "contract", COMPLAINT: "complaint",
             EVENT: "event", BIRTHDAY: "birthday"}
DEFAULT_DAYS = 90          # the window: today .. today + 90 days
MORE_CLIENTS = 8           # clients an event's description names; the rest are counted
SEP = " · "


def category(kind: str, lang: str) -> str:
    """The kind as the calendar's category, in `lang`."""
    words = {FOLLOW_UP: tr(lang, "Follow-up"), RENEWAL: tr(lang, "Contract renewal"),
             COMPLAINT: tr(lang, "Complaint SLA"), EVENT: tr(lang, "Event"),
             BIRTHDAY: tr(lang, "Birthday")}
    return words[kind]


@dataclass(frozen=True)
class CalendarItem:
    """One all-day item: on `date`, due on `due` (before `date`: overdue, shown today)."""
    kind: str
    record: str                 # the book's own ID it stands for (Client, Contract, …)
    uid: str
    date: dt.date
    due: dt.date
    title: str
    description: str
    category: str
    location: str | None = None

    @property
    def overdue(self) -> bool:
        return self.due < self.date


@dataclass(frozen=True)
class CalendarPlan:
    """What the .ics holds: its name and the items in the window, by date."""
    name: str
    description: str
    lang: str
    today: dt.date
    days: int
    items: tuple[CalendarItem, ...] = field(default_factory=tuple)

    @property
    def last_day(self) -> dt.date:
        return self.today + dt.timedelta(days=self.days)

    def count(self, kind: str) -> int:
        return sum(1 for i in self.items if i.kind == kind)


# --- UIDs -----------------------------------------------------------------------------------
def book_slug(file_name: str) -> str:
    """The workbook's file name without its extension as a UID's domain part: lower-case
    ASCII letters, digits and hyphens (`Key accounts 2026.xlsx` -> `key-accounts-2026`); a
    name with other letters (Hebrew) also gets 8 hex digits of its SHA-1, so two such names
    never meet; `book` when nothing is left."""
    stem = book_stem(file_name)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if re.search(r"[^\x00-\x7f]", stem):
        digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return slug or "book"


def book_stem(file_name: str) -> str:
    """`C:\\books\\clients.xlsx` -> `clients`: the file name without folder and extension."""
    stem = re.split(r"[\\/]", str(file_name or ""))[-1].strip()
    return re.sub(r"\.(xlsx|xlsm)$", "", stem, flags=re.I)


def uid(kind: str, record: str, slug: str) -> str:
    """`followup-C-0001@clients.acctbook`: the kind, the book's ID (each character outside
    letters, digits, `.`, `_` and `-` written as `~XX` of its UTF-8 bytes) and the book."""
    safe = "".join(ch if re.fullmatch(r"[A-Za-z0-9._-]", ch) else
                   "".join(f"~{b:02X}" for b in ch.encode("utf-8")) for ch in record)
    return f"{UID_WORDS[kind]}-{safe}@{slug}.acctbook"


# --- the plan -------------------------------------------------------------------------------
def calendar_plan(book: Book, problems: list[Problem], results, today: dt.date,
                  days: int = DEFAULT_DAYS, book_name: str = "") -> CalendarPlan:
    """The items from today to today + `days` (docs/calendar.md). `results`: refresh's
    (plan.refresh_results(book, problems, today)), so every date is the one refresh writes;
    rows refresh skips for their errors are skipped here too."""
    lang = book.lang
    clean = without_error_rows(book, problems)
    facts = _Facts.of(clean, results, lang)
    slug = book_slug(book_name or book.path or "")
    made = [*_follow_ups(facts, today, slug),
            *_renewals(facts, today, slug),
            *_complaints(facts, results, today, slug),
            *_events(facts, slug),
            *_birthdays(facts, today, slug)]
    last = today + dt.timedelta(days=max(int(days), 0))
    seen: set[str] = set()
    items = []
    for item in sorted(made, key=lambda i: (i.date, KINDS.index(i.kind), i.record)):
        if today <= item.date <= last and item.uid not in seen:     # a repeated ID: its first
            seen.add(item.uid)
            items.append(item)
    stem = book_stem(book_name or book.path or "") or "acctbook"
    about = tr(lang, "Follow-ups, contract renewals, complaint SLAs, events and birthdays "
                     "from {book}, as of {day}").format(book=stem, day=today.isoformat())
    return CalendarPlan(f"{stem} — acctbook", about, lang, today, max(int(days), 0),
                        tuple(items))


@dataclass
class _Facts:
    """What the items are made of, looked up once: the rows refresh computes."""
    book: Book
    lang: str
    clients: pd.DataFrame            # the first Clients row of each Client ID, by ID
    contacts: pd.DataFrame           # each client's contact (Primary, else its first), by ID
    computed: pd.DataFrame           # refresh's computed Clients columns, by Client ID
    open_deals: pd.Series
    open_complaints: pd.Series

    @classmethod
    def of(cls, book: Book, results, lang: str) -> "_Facts":
        clients = book.frame("Clients")
        firsts = clients[clients["client_id"].notna()].drop_duplicates("client_id")
        computed = results.clients.reindex(firsts.index)
        computed.index = firsts["client_id"].to_numpy()
        deals = book.frame("Deals")
        complaints = book.frame("Complaints")
        return cls(book, lang, firsts.set_index("client_id"), client_contacts(book), computed,
                   deals[deals["stage"].isin(schema.OPEN_STAGES)].groupby("client_id").size(),
                   complaints[complaints["status"] != "Resolved"].groupby("client_id").size())

    def say(self, value: Any) -> str:
        """A value inside a line of the book's language: blank for none; in Hebrew a value
        without Hebrew letters that would not read as typed is held left to right."""
        text = _text(value)
        return bidi.rtl_cell(text) if self.lang == "he" and text else text

    def label(self, table: schema.Table, key: str) -> str:
        return table.column(key).label(self.lang)

    def client_name(self, client_id: Any) -> str:
        cid = _text(client_id)
        if cid in self.clients.index:
            return _text(self.clients.at[cid, "name"]) or cid
        return cid

    def contact_lines(self, client_id: Any) -> list[str]:
        """`Phone: …` (the client's), `Contact: name (role), phone, e-mail`."""
        cid, lines = _text(client_id), []
        if cid in self.clients.index and _text(self.clients.at[cid, "phone"]):
            lines.append(f"{self.label(schema.CLIENTS, 'phone')}: "
                         f"{self.say(self.clients.at[cid, 'phone'])}")
        if cid in self.contacts.index:
            c = self.contacts.loc[cid]
            who = _text(c["name"]) + (f" ({_text(c['role'])})" if _text(c["role"]) else "")
            parts = [who] + [self.say(c[k]) for k in ("phone", "email") if _text(c[k])]
            lines.append(tr(self.lang, "Contact: {contact}").format(contact=", ".join(parts)))
        return lines


def client_contacts(book: Book) -> pd.DataFrame:
    """Per Client ID its contact: the Primary one, else its first Contacts row (as the call
    queue's Contact, docs/rules.md section 4)."""
    c = book.frame("Contacts")
    c = c[c["client_id"].notna()].assign(
        _p=lambda x: (x["primary"] != True).astype(int), _r=lambda x: x.index)  # noqa: E712
    c = c.sort_values(["client_id", "_p", "_r"], kind="mergesort").drop_duplicates("client_id")
    return c.set_index("client_id")


# --- each kind ------------------------------------------------------------------------------
def _follow_ups(f: _Facts, today: dt.date, slug: str) -> Iterable[CalendarItem]:
    """Each client's Next follow-up, as refresh computed it; an overdue one on today."""
    say, lang = f.say, f.lang
    for cid, row in f.computed.iterrows():
        due = _day(row.get("next_follow_up"))
        if due is None:
            continue
        name = f.client_name(cid)
        title = f"{name}: {bidi.plain(_text(row.get('follow_up_reason')))}"
        lines = [_due_line(due, today, lang)] + f.contact_lines(cid)
        summary = [f"{f.label(schema.CLIENTS, 'class')}: "
                   f"{schema.show_choice(_text(row.get('class')), lang) or '—'}",
                   f"{f.label(schema.CLIENTS, 'revenue_12m')}: "
                   f"{say(_money(row.get('revenue_12m'), f.book.settings.currency))}",
                   tr(lang, "open deals: {n}").format(n=int(f.open_deals.get(cid, 0))),
                   tr(lang, "open complaints: {n}").format(n=int(f.open_complaints.get(cid, 0)))]
        lines.append(SEP.join(summary))
        last = _day(row.get("last_contact"))
        lines.append(f"{f.label(schema.CLIENTS, 'last_contact')}: "
                     f"{last.isoformat() if last else '—'}")
        lines.append(f"{f.label(schema.CLIENTS, 'client_id')}: {say(cid)}")
        yield _item(FOLLOW_UP, cid, slug, due, today, title, lines, lang)


def _renewals(f: _Facts, today: dt.date, slug: str) -> Iterable[CalendarItem]:
    """Each Signed contract with an End, on its renewal date: End − Renewal notice days,
    rolled back to a business day (follow-up rule 8's own date); an expired one on today."""
    lang, contracts = f.lang, f.book.frame("Contracts")
    cands = follow_up_candidates(f.book, today)
    for c in cands[cands["rule"] == followups.RENEWAL].itertuples(index=False):
        due, end, cid = _day(c.date), _day(c.a), _text(c.client_id)
        record = _text(c.record)
        if due is None or end is None or not record:
            continue
        words = {"client": f.client_name(cid), "contract": record, "end": end.isoformat()}
        title = (tr(lang, "{client}: contract {contract} expired on {end}") if end < today
                 else tr(lang, "{client}: renewal of {contract}, ends {end}")).format(**words)
        row = contracts.loc[c.row]
        notice = _num(row["renewal_notice"])
        notice = int(notice) if notice is not None else int(f.book.settings["renewal_notice"] or 0)
        lines = [_due_line(due, today, lang),
                 f"{f.label(schema.CONTRACTS, 'end')}: {end.isoformat()}",
                 trn(lang, "Renewal notice: {n} day before the end",
                     "Renewal notice: {n} days before the end", notice).format(n=notice)]
        value = _num(row["value"])
        if value is not None:
            lines.append(f"{f.label(schema.CONTRACTS, 'value')}: "
                         f"{f.say(_money(value, f.book.settings.currency))}")
        if _text(row["deal_id"]):
            lines.append(f"{f.label(schema.CONTRACTS, 'deal_id')}: {f.say(row['deal_id'])}")
        yield _item(RENEWAL, record, slug, due, today, title, lines + f.contact_lines(cid), lang)


def _complaints(f: _Facts, results, today: dt.date, slug: str) -> Iterable[CalendarItem]:
    """Each complaint not Resolved, on its SLA due date (refresh's); an overdue one on today."""
    lang, table = f.lang, schema.COMPLAINTS
    frame = f.book.frame("Complaints")
    sla = results.complaints.reindex(frame.index)
    for row, c in frame.iterrows():
        due, record = _day(sla.at[row, "sla_due"]), _text(c["case_id"])
        if due is None or not record or c["status"] == "Resolved":
            continue
        severity = schema.show_choice(c["severity"] or followups.DEFAULT_SEVERITY, lang)
        title = tr(lang, "{client}: complaint {case} SLA ({severity})").format(
            client=f.client_name(c["client_id"]), case=record, severity=severity)
        lines = [_due_line(due, today, lang)]
        opened = _day(c["opened"])
        if opened:
            lines.append(f"{f.label(table, 'opened')}: {opened.isoformat()}")
        for key in ("category", "status"):
            if _text(c[key]):
                lines.append(f"{f.label(table, key)}: {schema.show_choice(c[key], lang)}")
        if _text(c["description"]):
            lines.append(f"{f.label(table, 'description')}: {_text(c['description'])}")
        yield _item(COMPLAINT, record, slug, due, today, title,
                    lines + f.contact_lines(c["client_id"]), lang)


def _events(f: _Facts, slug: str) -> Iterable[CalendarItem]:
    """Each event of the Events table on its date, with the clients met there."""
    if "Events" not in f.book:
        return
    lang, table = f.lang, schema.EVENTS
    inter = f.book.frame("Interactions")
    for _row, e in f.book.frame("Events").iterrows():
        day, record = _day(e["date"]), _text(e["event_id"])
        if day is None or not record:
            continue
        kind = schema.show_choice(e["type"], lang) if _text(e["type"]) else ""
        title = _text(e["name"]) or record
        title = f"{title} ({kind})" if kind else title
        lines = [f"{f.label(table, key)}: {value}" for key, value in
                 (("type", kind), ("location", _text(e["location"]))) if value]
        met = inter.loc[inter["event_id"] == e["event_id"], "client_id"].dropna()
        names = list(dict.fromkeys(f.client_name(c) for c in met))
        if names:
            shown = ", ".join(names[:MORE_CLIENTS])
            if len(names) > MORE_CLIENTS:
                shown += " " + tr(lang, "and {n} more").format(n=len(names) - MORE_CLIENTS)
            lines.append(tr(lang, "Clients: {names}").format(names=shown))
        yield CalendarItem(EVENT, record, uid(EVENT, record, slug), day, day, title,
                           "\n".join(lines), category(EVENT, lang),
                           _text(e["location"]) or None)


def _birthdays(f: _Facts, today: dt.date, slug: str) -> Iterable[CalendarItem]:
    """The birthday of each client's contact (Primary, else its first; Lost clients left
    out), on its next occurrence: 29 February on the 28th in a common year."""
    lang, table = f.lang, schema.CONTACTS
    for cid, c in f.contacts.iterrows():
        born, record = _day(c["birthday"]), _text(c["contact_id"])
        if born is None or not record or cid not in f.clients.index \
                or f.clients.at[cid, "status"] == "Lost":
            continue
        day = next_birthday(born, today)
        title = tr(lang, "Birthday: {contact} ({client})").format(
            contact=_text(c["name"]) or record, client=f.client_name(cid))
        lines = [f"{f.label(table, key)}: {f.say(c[key])}"
                 for key in ("role", "phone", "email") if _text(c[key])]
        lines.append(tr(lang, "Client: {client}").format(client=f.client_name(cid)))
        yield CalendarItem(BIRTHDAY, record, uid(BIRTHDAY, record, slug), day, day, title,
                           "\n".join(lines), category(BIRTHDAY, lang))


def next_birthday(born: dt.date, today: dt.date) -> dt.date:
    """The first birthday on or after today; 29 February falls on 28 February in a year
    that has none."""
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:
            day = dt.date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable: next year's birthday is after today")


# --- small parts ----------------------------------------------------------------------------
def _item(kind: str, record: str, slug: str, due: dt.date, today: dt.date, title: str,
          lines: list[str], lang: str) -> CalendarItem:
    """An item that may be overdue: on its due date, or on today (its title says since when)."""
    day = max(due, today)
    if due < today:
        title = tr(lang, "{title} (overdue since {date})").format(title=title,
                                                                  date=due.isoformat())
    return CalendarItem(kind, record, uid(kind, record, slug), day, due, title,
                        "\n".join(line for line in lines if line), category(kind, lang))


def _due_line(due: dt.date, today: dt.date, lang: str) -> str:
    late = (today - due).days
    if late <= 0:
        return tr(lang, "Due {date}").format(date=due.isoformat())
    return trn(lang, "Due {date}: {n} day overdue", "Due {date}: {n} days overdue",
               late).format(date=due.isoformat(), n=late)


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(v) else v


def _day(value: Any) -> dt.date | None:
    if value is None or value is pd.NaT or (not isinstance(value, (str, dt.date))
                                            and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def _money(value: Any, currency: str) -> str:
    v = _num(value)
    return "—" if v is None else f"{v:,.0f} {currency}"
