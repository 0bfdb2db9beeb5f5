"""Every validation rule, as a list of small pure functions.

Each rule takes (book, today) and yields Problems; `check_book` runs them all
after the loader's own type problems. Rules work on whole columns (pandas
masks, isin, duplicated, map) and build a Problem only for a failing row, so a
book of 200,000 interactions checks in well under a second. Values checked one
by one (email, phone, names) are checked in acctbook.book.identity, cached by value.

Every code a problem can carry is in CODES (problem_codes.py) with its severity; docs/problems.md
lists exactly these (a test keeps them in step).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Iterable

import pandas as pd

from acctbook.book import ids, schema
from acctbook.book.coerce import missing_rule_columns, rows_below_table
from acctbook.book.model import ERROR, Book, LoadedTable, NotLoaded, Problem, col_number
from acctbook.book.problem_codes import CODES, CONTACT_DETAIL_CODES  # noqa: F401 (rules.X)
from acctbook.book.i18n import tr, translator
from acctbook.book.rulekit import column_label, emit, input_columns, show, tables_of
from acctbook.book.rules_forecast import rule_close_date_passed, rule_target_period
from acctbook.book.rules_campaigns import (rule_attended_future, rule_campaign_event,
                                           rule_campaign_sku, rule_consent_date)
from acctbook.book.rules_identity import (rule_company_number, rule_country, rule_currency,
                                          rule_duplicate_clients, rule_email,
                                          rule_exchange_rate, rule_number_format, rule_phone)

Rule = Callable[[Book, dt.date], Iterable[Problem]]
_LETTERS = re.compile(r"[A-Z]*")       # a cell reference's column letters, for sorting

# --- generic rules, driven by the schema ------------------------------------------------
# Messages are in the book's language (book.lang): column names from the schema, choice
# values as the book shows them (schema.show_choice), values quoted by show().
def rule_required(book: Book, today: dt.date) -> list[Problem]:
    out, say = [], translator(book.lang)
    for t in tables_of(book):
        for c in input_columns(t):
            if c.required:
                out += emit(book, t, t.frame[c.key].isna(), "required", c.key,
                             lambda r, c=c, t=t: say("{column} is required{expected}").format(
                                 column=c.label(book.lang), expected=_expected(book, t, c)))
    return out


def _expected(book: Book, t: LoadedTable, c: schema.Column) -> str:
    lang, say = book.lang, translator(book.lang)
    if c.type == schema.CHOICE and c.choices:
        return say(" (one of {choices})").format(
            choices=", ".join(schema.show_choice(v, lang) for v in c.choices))
    if c.type == schema.REF:
        target = schema.TABLES[c.ref]
        return say(" (a {column} from {sheet})").format(
            column=target.column(target.key).label(lang), sheet=book.tables[c.ref].sheet)
    if c.type == schema.DATE:
        return say(" (a date)")
    return ""


def rule_unique(book: Book, today: dt.date) -> list[Problem]:
    out, lang = [], book.lang
    for t in tables_of(book):
        for c in input_columns(t):
            if not c.unique:
                continue
            s = t.frame[c.key]
            given = s.notna()
            later = given & s.duplicated(keep="first")
            if not later.any():
                continue
            first = {v: row for row, v in s[given & ~s.duplicated(keep="first")].items()}
            out += emit(book, t, later, "unique", c.key,
                         lambda r, c=c, first=first: tr(
                             lang, "{column} {value} is already used in row {row}; each "
                                   "{column} must be unique").format(
                             column=c.label(lang), value=show(r[c.key], lang),
                             row=first[r[c.key]]))
    return out


def rule_range(book: Book, today: dt.date) -> list[Problem]:
    out, lang = [], book.lang
    for t in tables_of(book):
        for c in input_columns(t):
            if c.min is None and c.max is None:
                continue
            s = t.frame[c.key]
            bad = pd.Series(False, index=s.index)
            if c.min is not None:
                bad |= (s <= c.min) if c.min_exclusive else (s < c.min)
            if c.max is not None:
                bad |= s > c.max
            out += emit(book, t, bad, "range", c.key,
                         lambda r, c=c: tr(lang, "{column} must be {allowed}, not {value}").format(
                             column=c.label(lang), allowed=_range_text(c, lang),
                             value=show(r[c.key], lang)))
    return out


def _range_text(c: schema.Column, lang: str) -> str:
    say = translator(lang)
    lo, hi = (f"{x:g}" if x is not None else None for x in (c.min, c.max))
    if lo is not None and hi is not None:
        return say("between {low} and {high}").format(low=lo, high=hi)
    if lo is not None:
        return (say("greater than {low}") if c.min_exclusive else
                say("{low} or more")).format(low=lo)
    return say("{high} or less").format(high=hi)


def rule_not_future(book: Book, today: dt.date) -> list[Problem]:
    out, now, lang = [], pd.Timestamp(today), book.lang
    for t in tables_of(book):
        for c in input_columns(t):
            if c.not_future or c.future_warns:
                code = "future-date" if c.not_future else "future-warning"
                out += emit(book, t, t.frame[c.key] > now, code, c.key,
                             lambda r, c=c: tr(lang, "{column} {value} is in the future; "
                                                     "expected today ({today}) or earlier").format(
                                 column=c.label(lang), value=show(r[c.key], lang),
                                 today=today.isoformat()))
    return out


def rule_refs(book: Book, today: dt.date) -> list[Problem]:
    out, lang = [], book.lang
    for t in tables_of(book):
        for c in input_columns(t):
            if c.type != schema.REF or c.ref not in book.tables or c.ref in book.unread:
                continue
            target = book.tables[c.ref]
            s = t.frame[c.key]
            known = t.unmatched.get(c.key)
            if known is not None and known[:2] == (len(t.frame), len(target.frame)):
                if not known[2]:
                    continue                  # every value is a key (as read: the usual case)
                bad = s.isin(list(known[2]))
            else:
                keys = target.frame[target.spec.key].dropna().unique()
                bad = s.notna() & ~s.isin(keys)
            what = target.spec.column(target.spec.key).label(lang)
            out += emit(book, t, bad, "ref", c.key,
                         lambda r, c=c, what=what, sheet=target.sheet: tr(
                             lang, "{column} {value} is not a {key} in {sheet}").format(
                             column=c.label(lang), value=show(r[c.key], lang), key=what,
                             sheet=sheet))
    return out


# tables whose key a reference column names (Clients, Contacts, Deals, Products, ...)
_REFERRED = {c.ref for t in schema.ALL_TABLES for c in t.columns if c.type == schema.REF}


def rule_near_duplicate_ids(book: Book, today: dt.date) -> list[Problem]:
    """Two keys of one table that differ only in case (or inner spaces): `C-1` then `c-1`.
    A reference matches the exact spelling first, else the first row (book/ids.py)."""
    out, lang, say = [], book.lang, translator(book.lang)
    for t in tables_of(book):
        if t.spec.key is None or t.spec not in schema.DATA_TABLES:
            continue
        keys = t.frame[t.spec.key]
        earlier = ids.near_duplicates(keys)
        c = t.spec.column(t.spec.key)
        referred = t.spec.name in _REFERRED

        def message(r, c=c, keys=keys, earlier=earlier, referred=referred):
            row = earlier[r.Index]
            first, this = keys[row], r[c.key]
            how = say("case") if first.casefold() == this.casefold() else \
                say("case, spaces or quote marks")
            also = say("; a reference typed exactly {value} attaches to this row, any other "
                       "spelling to row {row}").format(value=show(this, lang), row=row) \
                if referred else ""
            return say("{column} {value} differs from {first} (row {row}) only in "
                       "{how}{also}: rename one").format(
                column=c.label(lang), value=show(this, lang), first=show(first, lang),
                row=row, how=how, also=also)
        out += emit(book, t, earlier.notna(), "near-duplicate-id", c.key, message)
    return out


# --- cross-field rules ------------------------------------------------------------------
def _names(book: Book, t: LoadedTable, *keys: str) -> dict[str, str]:
    """The columns `keys` named in the book's language, for a message's placeholders."""
    return {k: column_label(t, k, book.lang) for k in keys}


def _required_when(book: Book, t: LoadedTable, mask: pd.Series, code: str, need: str,
                   when: str, value: str) -> list[Problem]:
    """`need` is required when `when` is `value` (a choice, shown as the book shows it)."""
    text = tr(book.lang, "{column} is required when {other} is {value}").format(
        column=column_label(t, need, book.lang), other=column_label(t, when, book.lang),
        value=schema.show_choice(value, book.lang))
    return emit(book, t, mask, code, (need, when), lambda r: text)


def _dates_out_of_order(book: Book, t: LoadedTable, mask: pd.Series, code: str, at: str,
                        other: str, before: bool) -> list[Problem]:
    """`at` is before (or after) `other` though it should not be."""
    lang, n = book.lang, _names(book, t, at, other)
    text = (tr(lang, "{column} {value} is before {other} {other_value}; expected on or after "
                     "it") if before else
            tr(lang, "{column} {value} is after {other} {other_value}; expected on or before "
                     "it"))
    return emit(book, t, mask, code, at, lambda r: text.format(
        column=n[at], value=show(r[at], lang), other=n[other],
        other_value=show(r[other], lang)))


def rule_lost_reason(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Deals"]
    f = t.frame
    return _required_when(book, t, f["stage"].eq("Lost") & f["lost_reason"].isna(),
                          "lost-reason", "lost_reason", "stage", "Lost")


def rule_referral(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    f, lang = t.frame, book.lang
    n = _names(book, t, "referred_by", "source", "client_id")
    text = tr(lang, "{column} is required when {other} is {value} (the {id} of the client who "
                    "referred this one)").format(
        column=n["referred_by"], other=n["source"], value=schema.show_choice("Referral", lang),
        id=n["client_id"])
    out = emit(book, t, f["source"].eq("Referral") & f["referred_by"].isna(), "referral-source",
                ("referred_by", "source"), lambda r: text)
    out += emit(book, t, f["referred_by"].notna() & f["referred_by"].eq(f["client_id"]),
                 "self-referral", "referred_by",
                 lambda r: tr(lang, "{column} {value} is this client itself; expected another "
                                    "client's {id}").format(
                     column=n["referred_by"], value=show(r.referred_by, lang),
                     id=n["client_id"]))
    return out


def rule_complaint_dates(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Complaints"]
    f = t.frame
    out = _required_when(book, t, f["status"].eq("Resolved") & f["resolved_on"].isna(),
                         "resolved-on", "resolved_on", "status", "Resolved")
    out += _dates_out_of_order(book, t, f["resolved_on"] < f["opened"],
                               "resolved-before-opened", "resolved_on", "opened", True)
    return out


def rule_contract_dates(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Contracts"]
    f, lang = t.frame, book.lang
    n = _names(book, t, "end", "start")
    out = emit(book, t, f["end"] <= f["start"], "end-before-start", "end",
                lambda r: tr(lang, "{column} {value} is not after {other} {other_value}; "
                                   "expected a later date").format(
                    column=n["end"], value=show(r.end, lang), other=n["start"],
                    other_value=show(r.start, lang)))
    out += _required_when(book, t, f["status"].eq("Signed") & f["signed_on"].isna(),
                          "signed-on", "signed_on", "status", "Signed")
    return out


def rule_next_step_date(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Interactions"]
    f = t.frame
    return _dates_out_of_order(book, t, f["next_step_date"] < f["date"],
                               "next-step-before-date", "next_step_date", "date", True)


def rule_contact_client(book: Book, today: dt.date) -> list[Problem]:
    """An interaction's or an attendance row's contact belongs to another client."""
    out, lang = [], book.lang
    contacts = book.frame("Contacts")
    owner = contacts.drop_duplicates("contact_id").set_index("contact_id")["client_id"]
    owner = owner[owner.index.notna()]
    for t in (book.tables[name] for name in ("Interactions", "Attendance") if name in book):
        f = t.frame
        theirs = f["contact_id"].map(owner)
        bad = theirs.notna() & f["client_id"].notna() & theirs.ne(f["client_id"])
        column = column_label(t, "contact_id", lang)
        out += emit(book, t, bad, "contact-client", "contact_id",
                    lambda r, column=column: tr(lang, "{column} {value} belongs to client "
                                                      "{owner}, not to this row's client "
                                                      "{client}").format(
                        column=column, value=show(r.contact_id, lang),
                        owner=show(owner[r.contact_id], lang), client=show(r.client_id, lang)))
    return out


def rule_primary_contacts(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Contacts"]
    f, lang = t.frame, book.lang
    primary = f["primary"].eq(True) & f["client_id"].notna()
    later = primary & f["client_id"].where(primary).duplicated(keep="first")
    if not later.any():
        return []
    first = {c: row for row, c in f.loc[primary & ~later, "client_id"].items()}
    column = column_label(t, "primary", lang)
    return emit(book, t, later, "primary-contacts", "primary",
                 lambda r: tr(lang, "{column}: client {client} already has a primary contact "
                                    "(row {row}); at most one per client").format(
                     column=column, client=show(r.client_id, lang), row=first[r.client_id]))


def rule_orders(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Orders"]
    f, lang = t.frame, book.lang
    n = _names(book, t, "delivered_qty", "quantity", "amount", "unit_price", "discount")
    out = emit(book, t, f["delivered_qty"] > f["quantity"], "delivered-qty", "delivered_qty",
                lambda r: tr(lang, "{column} {value} is more than {other} {other_value}").format(
                    column=n["delivered_qty"], value=show(r.delivered_qty, lang),
                    other=n["quantity"], other_value=show(r.quantity, lang)))
    expected = f["quantity"] * f["unit_price"] * (1 - f["discount"].fillna(0) / 100)
    off = (f["amount"] - expected).abs() > 0.01 + 1e-9   # float noise at exactly 0.01
    out += emit(book, t, off, "amount-mismatch", "amount",
                 lambda r: tr(lang, "{column} {value} differs from {quantity} × {price} × "
                                    "(1 − {discount}/100) = {expected}").format(
                     column=n["amount"], value=show(r.amount, lang), quantity=n["quantity"],
                     price=n["unit_price"], discount=n["discount"],
                     expected=f"{expected[r.Index]:.2f}"))
    out += _dates_out_of_order(book, t, f["due_date"] < f["order_date"], "due-before-order",
                               "due_date", "order_date", True)
    out += _dates_out_of_order(book, t, f["invoice_date"] > f["invoice_due"],
                               "invoice-after-due", "invoice_date", "invoice_due", False)
    return out


def rule_order_status(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Orders"]
    f, lang = t.frame, book.lang
    full = f["status"].eq("Open") & f["quantity"].notna() & f["delivered_qty"].eq(f["quantity"])
    n = _names(book, t, "status", "delivered_qty", "quantity")
    return emit(book, t, full, "order-status", "status",
                 lambda r: tr(lang, "{status} is still {open} but the line is delivered in full "
                                    "({delivered} {value} of {quantity} {quantity_value}); "
                                    "expected {done}").format(
                     status=n["status"], open=schema.show_choice("Open", lang),
                     delivered=n["delivered_qty"], value=show(r.delivered_qty, lang),
                     quantity=n["quantity"], quantity_value=show(r.quantity, lang),
                     done=schema.show_choice("Delivered", lang)))


def rule_weights(book: Book, today: dt.date) -> list[Problem]:
    """The score components' weights (the table's rows over the defaults) should add up to 1.

    The score divides by their sum, so another sum only warns; a sum of 0 leaves
    nothing to divide by. A negative weight is already a `range` error."""
    t = book.tables.get("Weights")
    if t is None or t.frame.empty:
        return []          # no rows: the defaults (docs/rules.md, section 1), adding up to 1
    weights = [float(book.settings.weights.get(c, 0.0)) for c in schema.COMPONENTS]
    if any(w < 0 for w in weights):
        return []
    total = sum(weights)
    first = pd.Series(t.frame.index == t.frame.index[0], index=t.frame.index)   # shown there
    if total == 0:
        return emit(book, t, first, "weights-zero", "weight",
                     lambda r: tr(book.lang, "Weights add up to 0, so every score would be "
                                             "0; give at least one component a weight"))
    if abs(total - 1) > 0.001:
        return emit(book, t, first, "weights", "weight",
                     lambda r: tr(book.lang, "Weights add up to {total}; scores are scaled so "
                                             "they add up to 1").format(total=f"{total:g}"))
    return []


def rule_rows_below(book: Book, today: dt.date) -> list[Problem]:
    """Rows typed just below a table, outside it: coerce.rows_below_table."""
    return rows_below_table(book.tables, "row-below-table", book.lang)


def rule_missing_columns(book: Book, today: dt.date) -> list[Problem]:
    """An optional column that a follow-up, ranking or risk rule reads, absent from its
    table: a warning naming the rule it turns off (RULE_COLUMNS in coerce)."""
    return missing_rule_columns(book.tables, book.lang)


RULES: list[Rule] = [
    rule_required, rule_unique, rule_range, rule_not_future, rule_refs,
    rule_near_duplicate_ids,
    rule_lost_reason, rule_referral, rule_complaint_dates, rule_contract_dates,
    rule_next_step_date, rule_contact_client, rule_primary_contacts, rule_orders,
    rule_order_status, rule_campaign_event, rule_campaign_sku, rule_attended_future,
    rule_consent_date, rule_target_period, rule_close_date_passed,
    rule_email, rule_phone, rule_company_number, rule_country, rule_currency,
    rule_exchange_rate, rule_number_format,
    rule_duplicate_clients, rule_weights, rule_missing_columns, rule_rows_below,
]


# --- running them -------------------------------------------------------------------------
def check_book(book: Book, today: dt.date, early: EarlyRules | None = None) -> list[Problem]:
    """The load problems plus every rule's, in sheet, row, column order. `early`: the rules
    already run while the book was read, whose problems are taken as they are.

    A cell the loader already rejected (its value became blank) is not reported
    again by a rule, e.g. an unreadable required date is one problem, not two.
    """
    rejected = {(p.sheet, p.cell) for p in book.problems if p.severity == ERROR and p.cell}
    found = list(book.problems)
    done = early.done if early is not None else {}
    for rule in RULES:
        got = done[rule] if rule in done else rule(book, today)
        found += [p for p in got if (p.sheet, p.cell) not in rejected]
    order: dict[str, int] = {}
    for i, spec in enumerate(schema.ALL_TABLES):
        sheet = book.tables[spec.name].sheet if spec.name in book.tables else spec.sheet(book.lang)
        order.setdefault(sheet, i)
    return sorted(found, key=lambda p: (order.get(p.sheet, len(order)), p.row or 0,
                                        col_number(_LETTERS.match(p.cell or "")[0])))


class EarlyRules:
    """The rules run while the reader still parses a big book's last sheets (check and
    refresh: jobs.py), in the time the main thread would wait for them: the reader calls
    `work` while it waits, the loader `offer`s the book as loaded so far (coerce.load_stream).
    A rule runs once every table it reads is in: those are whole and final, and asking for
    one still to come raises NotLoaded (model.TablesSoFar), so the rule is tried again once
    that one is in. What a rule found then is what it finds on the whole book."""

    def __init__(self, today: dt.date):
        self.today, self.loading = today, None
        self.done: dict[Rule, list[Problem]] = {}
        self.waiting: dict[Rule, str | None] = dict.fromkeys(RULES)   # the table each waits for

    def offer(self, loading) -> None:
        """`loading.book()`: the book as loaded so far (coerce.load_stream)."""
        self.loading = loading

    def book_so_far(self) -> Book | None:
        """The book as loaded so far; None when none is offered, or the loader cannot offer
        it (it then stops being asked)."""
        try:
            return self.loading.book() if self.loading is not None else None
        except Exception:       # noqa: BLE001 - the loader matches the rest, and says so
            self.loading = None
            return None

    def work(self) -> bool:
        """Run the first rule that may run now; False when none can."""
        book = self.book_so_far()
        if book is None:
            return False
        ready = next((rule for rule, table in self.waiting.items()
                      if table is None or table in book.tables.loaded), None)
        if ready is None:
            return False
        try:
            self.done[ready] = ready(book, self.today)
        except NotLoaded as e:
            self.waiting[ready] = e.name
            return True
        except Exception:       # noqa: BLE001 - check_book runs it again, and says so
            pass
        del self.waiting[ready]
        return True


def error_rows(problems: Iterable[Problem], ignore: Iterable[str] = ()) -> dict[str, set[int]]:
    """Sheet name -> Excel rows with at least one error (codes in `ignore` aside)."""
    skip = set(ignore)
    out: dict[str, set[int]] = {}
    for p in problems:
        if p.severity == ERROR and p.row is not None and p.code not in skip:
            out.setdefault(p.sheet, set()).add(p.row)
    return out
