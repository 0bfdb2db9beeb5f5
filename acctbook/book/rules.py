"""Every validation rule, as a list of small pure functions.

Each rule takes (book, today) and yields Problems; `check_book` runs them all
after the loader's own type problems. Rules work on whole columns (pandas
masks, isin, duplicated, map) and build a Problem only for a failing row, so a
book of 200,000 interactions checks in well under a second. Values checked one
by one (email, phone, names) are checked in acctbook.book.identity, cached by value.

Every code a problem can carry is in CODES with its severity; docs/problems.md
lists exactly these (a test keeps them in step).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Iterable

import pandas as pd

from acctbook.book import schema
from acctbook.book.coerce import missing_rule_columns, rows_below_table
from acctbook.book.identity import (COUNTRIES, currencies, email_error, folded_name, il_number_ok,
                                    phone_ok, phone_possible)
from acctbook.book.model import (ERROR, WARNING, Book, LoadedTable, Problem, col_letter, col_number,
                                 quoted)

Rule = Callable[[Book, dt.date], Iterable[Problem]]
_LETTERS = re.compile(r"[A-Z]*")       # a cell reference's column letters, for sorting

# code -> (severity, what it means). The loader's codes come first.
CODES: dict[str, tuple[str, str]] = {
    "type-number": (ERROR, "A number, integer or percent column holds text that is not a number."),
    "type-integer": (ERROR, "An integer column holds a number with a fraction."),
    "type-date": (ERROR, "A date column holds something that is neither a date nor a date "
                         "typed as text."),
    "date-range": (ERROR, "A date lies outside the years 1900–2199, most likely a typo "
                          "(3026 for 2026); it is read as blank."),
    "date-as-text": (WARNING, "A date was typed as text (ISO yyyy-mm-dd or d/m/yyyy); it is "
                              "read as that date, but Excel cannot sort or filter it as one."),
    "choice": (ERROR, "A choice column holds a value that is not one of its list (either "
                      "language, any case)."),
    "yes-no": (ERROR, "A yes/no column holds something other than Yes or No."),
    "percent-fraction": (WARNING, "A percent column (0–100) holds a value between 0 and 1, as "
                                  "Excel stores 60% typed with a percent sign; it is read as "
                                  "that many percent."),
    "excel-error": (ERROR, "An input cell shows an Excel error value (#N/A, #DIV/0!, #REF!, "
                           "#VALUE!, #NAME?, #NUM!, #NULL!), usually from a formula; it is "
                           "read as blank."),
    "setting": (ERROR, "A value in the Settings table has the wrong type or is out of range "
                       "(percents 0–100, day counts 0 or more, Stale deal days 1 or more); the "
                       "default is used."),
    "missing-column-rule": (WARNING, "A table has no column that a follow-up, ranking or risk "
                                     "rule reads (e.g. Orders without Invoice due), so that "
                                     "rule is off or works without it; the message names it."),
    "required": (ERROR, "A required cell is blank."),
    "unique": (ERROR, "An ID that must be unique appears again in a later row."),
    "range": (ERROR, "A number is outside its allowed range (e.g. negative, or a percent "
                     "over 100)."),
    "future-date": (ERROR, "A date that cannot lie in the future is after today."),
    "future-warning": (WARNING, "A date that is rarely in the future (a complaint's Opened) "
                                "is after today: likely a typo. It is used as typed."),
    "ref": (ERROR, "A reference does not match any key of the table it refers to."),
    "lost-reason": (ERROR, "A deal in stage Lost has no Lost reason."),
    "referral-source": (ERROR, "A client whose Source is Referral has no Referred by."),
    "self-referral": (ERROR, "A client is recorded as referred by itself."),
    "resolved-on": (ERROR, "A Resolved complaint has no Resolved on date."),
    "resolved-before-opened": (ERROR, "A complaint's Resolved on is before its Opened date."),
    "end-before-start": (ERROR, "A contract's End is not after its Start."),
    "signed-on": (ERROR, "A Signed contract has no Signed on date."),
    "next-step-before-date": (ERROR, "An interaction's Next step date is before its Date."),
    "contact-client": (ERROR, "An interaction's contact belongs to a different client."),
    "primary-contacts": (ERROR, "A client has more than one primary contact."),
    "delivered-qty": (ERROR, "An order line's Delivered qty is more than its Quantity."),
    "amount-mismatch": (WARNING, "An order line's Amount differs by more than 0.01 from "
                                 "Quantity × Unit price × (1 − Discount/100)."),
    "order-status": (WARNING, "An order line is delivered in full (Delivered qty equals "
                              "Quantity) but its Status is still Open."),
    "due-before-order": (ERROR, "An order line's Due date is before its Order date."),
    "invoice-after-due": (WARNING, "An order line's Invoice date is after its Invoice due."),
    "email": (ERROR, "An email address is not valid."),
    "phone": (ERROR, "A phone number is not valid for the client's country (Country, or "
                     "Settings Country when blank; contacts use their client's)."),
    "phone-unassigned": (WARNING, "A phone number has the right length for its country but "
                                  "is not in a range in use there (054-1234567): check it."),
    "company-number": (ERROR, "An Israeli company number (Country IL) is not 9 digits with a "
                              "valid check digit."),
    "country": (ERROR, "A Country is not an ISO 3166 alpha-2 code."),
    "currency": (ERROR, "A Currency is not an ISO 4217 code."),
    "weights": (WARNING, "The Weights table's weights do not add up to 1; scores are scaled so "
                         "they do."),
    "weights-zero": (ERROR, "The Weights table's weights add up to 0, so every score would be 0."),
    "duplicate-client": (WARNING, "A client is likely a duplicate of an earlier one: the same "
                                  "company number, or the same name after folding case, "
                                  "punctuation and legal suffixes (Ltd, Inc, בע\"מ)."),
    "row-below-table": (WARNING, "A row typed just below a table (outside it) is ignored."),
}

# Codes about contact details only: no computation reads those cells, so callers
# that skip rows with errors may pass these to error_rows(ignore=...).
CONTACT_DETAIL_CODES = frozenset({"email", "phone", "phone-unassigned", "company-number"})


# --- small helpers ----------------------------------------------------------------
def _py(v: Any) -> Any:
    """A frame value as a plain Python value for Problem.value (None for blanks)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):      # numpy scalars
        return v.item()
    return v


def _show(v: Any) -> str:
    v = _py(v)
    if v is None:
        return "blank"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    return quoted(str(v))           # a long text cut, with its length


def _label(t: LoadedTable, key: str) -> str:
    return t.spec.column(key).en


def _at(t: LoadedTable, keys: tuple[str, ...]) -> str:
    """The first of `keys` present in the file: where a problem is shown."""
    return next((k for k in keys if k in t.columns), keys[0])


def _emit(book: Book, t: LoadedTable, mask: pd.Series, code: str, at: str | tuple[str, ...],
          message: Callable[[Any], str]) -> list[Problem]:
    """One Problem per True row of `mask`; `message(row)` reads the row's values as attributes."""
    severity = CODES[code][0]
    if not mask.any():
        return []
    key = _at(t, (at,) if isinstance(at, str) else at)
    header = t.header(key, book.lang)
    letter = col_letter(t.columns[key]) if key in t.columns else None
    failing = t.frame.loc[mask]
    out = []
    for row, values in zip(failing.index, failing.to_dict("records")):
        r = _Row(values, Index=int(row))
        out.append(Problem(severity, code, t.sheet, int(row), header,
                           f"{letter}{int(row)}" if letter else None, _py(r[key]), message(r)))
    return out


class _Row(dict):
    """A failing row: column keys as attributes (`class` and `end` are fine too)."""
    __getattr__ = dict.__getitem__


def _tables(book: Book) -> list[LoadedTable]:
    return [book.tables[s.name] for s in schema.ALL_TABLES if s.name in book.tables]


def _input_columns(t: LoadedTable) -> list[schema.Column]:
    return [c for c in t.spec.columns if not c.computed]


def _country_of_clients(book: Book) -> pd.Series:
    """Each client row's effective country (upper case; blank = Settings Country)."""
    c = book.frame("Clients")["country"]
    return c.fillna(book.settings.country).astype(object).map(lambda s: str(s).strip().upper())


# --- generic rules, driven by the schema ------------------------------------------------
def rule_required(book: Book, today: dt.date) -> list[Problem]:
    out = []
    for t in _tables(book):
        for c in _input_columns(t):
            if c.required:
                out += _emit(book, t, t.frame[c.key].isna(), "required", c.key,
                             lambda r, c=c, t=t: f"{c.en} is required{_expected(book, t, c)}")
    return out


def _expected(book: Book, t: LoadedTable, c: schema.Column) -> str:
    if c.type == schema.CHOICE and c.choices:
        return f" (one of {', '.join(c.choices)})"
    if c.type == schema.REF:
        target = schema.TABLES[c.ref]
        return f" (a {target.column(target.key).en} from {book.tables[c.ref].sheet})"
    if c.type == schema.DATE:
        return " (a date)"
    return ""


def rule_unique(book: Book, today: dt.date) -> list[Problem]:
    out = []
    for t in _tables(book):
        for c in _input_columns(t):
            if not c.unique:
                continue
            s = t.frame[c.key]
            given = s.notna()
            later = given & s.duplicated(keep="first")
            if not later.any():
                continue
            first = {v: row for row, v in s[given & ~s.duplicated(keep="first")].items()}
            out += _emit(book, t, later, "unique", c.key,
                         lambda r, c=c, first=first:
                         f"{c.en} {_show(r[c.key])} is already used in row "
                         f"{first[r[c.key]]}; each {c.en} must be unique")
    return out


def rule_range(book: Book, today: dt.date) -> list[Problem]:
    out = []
    for t in _tables(book):
        for c in _input_columns(t):
            if c.min is None and c.max is None:
                continue
            s = t.frame[c.key]
            bad = pd.Series(False, index=s.index)
            if c.min is not None:
                bad |= (s <= c.min) if c.min_exclusive else (s < c.min)
            if c.max is not None:
                bad |= s > c.max
            out += _emit(book, t, bad, "range", c.key,
                         lambda r, c=c: f"{c.en} must be {_range_text(c)}, "
                                        f"not {_show(r[c.key])}")
    return out


def _range_text(c: schema.Column) -> str:
    lo, hi = (f"{x:g}" if x is not None else None for x in (c.min, c.max))
    if lo is not None and hi is not None:
        return f"between {lo} and {hi}"
    if lo is not None:
        return f"greater than {lo}" if c.min_exclusive else f"{lo} or more"
    return f"{hi} or less"


def rule_not_future(book: Book, today: dt.date) -> list[Problem]:
    out, now = [], pd.Timestamp(today)
    for t in _tables(book):
        for c in _input_columns(t):
            if c.not_future or c.future_warns:
                code = "future-date" if c.not_future else "future-warning"
                out += _emit(book, t, t.frame[c.key] > now, code, c.key,
                             lambda r, c=c: f"{c.en} {_show(r[c.key])} is in the "
                                            f"future; expected today ({today.isoformat()}) "
                                            f"or earlier")
    return out


def rule_refs(book: Book, today: dt.date) -> list[Problem]:
    out = []
    for t in _tables(book):
        for c in _input_columns(t):
            if c.type != schema.REF or c.ref not in book.tables:
                continue
            target = book.tables[c.ref]
            keys = target.frame[target.spec.key].dropna().unique()
            s = t.frame[c.key]
            bad = s.notna() & ~s.isin(keys)
            what = target.spec.column(target.spec.key).en
            out += _emit(book, t, bad, "ref", c.key,
                         lambda r, c=c, what=what, sheet=target.sheet:
                         f"{c.en} {_show(r[c.key])} is not a {what} in {sheet}")
    return out


# --- cross-field rules ------------------------------------------------------------------
def rule_lost_reason(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Deals"]
    f = t.frame
    return _emit(book, t, f["stage"].eq("Lost") & f["lost_reason"].isna(), "lost-reason",
                 ("lost_reason", "stage"), lambda r: "Lost reason is required when Stage is Lost")


def rule_referral(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    f = t.frame
    out = _emit(book, t, f["source"].eq("Referral") & f["referred_by"].isna(), "referral-source",
                ("referred_by", "source"),
                lambda r: "Referred by is required when Source is Referral "
                          "(the Client ID of the client who referred this one)")
    out += _emit(book, t, f["referred_by"].notna() & f["referred_by"].eq(f["client_id"]),
                 "self-referral", "referred_by",
                 lambda r: f"Referred by {_show(r.referred_by)} is this client itself; "
                           f"expected another client's Client ID")
    return out


def rule_complaint_dates(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Complaints"]
    f = t.frame
    out = _emit(book, t, f["status"].eq("Resolved") & f["resolved_on"].isna(), "resolved-on",
                ("resolved_on", "status"),
                lambda r: "Resolved on is required when Status is Resolved")
    out += _emit(book, t, f["resolved_on"] < f["opened"], "resolved-before-opened",
                 "resolved_on",
                 lambda r: f"Resolved on {_show(r.resolved_on)} is before Opened "
                           f"{_show(r.opened)}; expected on or after it")
    return out


def rule_contract_dates(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Contracts"]
    f = t.frame
    out = _emit(book, t, f["end"] <= f["start"], "end-before-start", "end",
                lambda r: f"End {_show(r.end)} is not after Start {_show(r.start)}; "
                          f"expected a later date")
    out += _emit(book, t, f["status"].eq("Signed") & f["signed_on"].isna(), "signed-on",
                 ("signed_on", "status"), lambda r: "Signed on is required when Status is Signed")
    return out


def rule_next_step_date(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Interactions"]
    f = t.frame
    return _emit(book, t, f["next_step_date"] < f["date"], "next-step-before-date",
                 "next_step_date",
                 lambda r: f"Next step date {_show(r.next_step_date)} is before Date "
                           f"{_show(r.date)}; expected on or after it")


def rule_contact_client(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Interactions"]
    f = t.frame
    contacts = book.frame("Contacts")
    owner = contacts.drop_duplicates("contact_id").set_index("contact_id")["client_id"]
    owner = owner[owner.index.notna()]
    theirs = f["contact_id"].map(owner)
    bad = theirs.notna() & f["client_id"].notna() & theirs.ne(f["client_id"])
    return _emit(book, t, bad, "contact-client", "contact_id",
                 lambda r: f"Contact ID {_show(r.contact_id)} belongs to client "
                           f"{_show(owner[r.contact_id])}, not to this row's client "
                           f"{_show(r.client_id)}")


def rule_primary_contacts(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Contacts"]
    f = t.frame
    primary = f["primary"].eq(True) & f["client_id"].notna()
    later = primary & f["client_id"].where(primary).duplicated(keep="first")
    if not later.any():
        return []
    first = {c: row for row, c in f.loc[primary & ~later, "client_id"].items()}
    return _emit(book, t, later, "primary-contacts", "primary",
                 lambda r: f"Primary: client {_show(r.client_id)} already has a primary contact "
                           f"(row {first[r.client_id]}); at most one per client")


def rule_orders(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Orders"]
    f = t.frame
    out = _emit(book, t, f["delivered_qty"] > f["quantity"], "delivered-qty", "delivered_qty",
                lambda r: f"Delivered qty {_show(r.delivered_qty)} is more than Quantity "
                          f"{_show(r.quantity)}")
    expected = f["quantity"] * f["unit_price"] * (1 - f["discount"].fillna(0) / 100)
    off = (f["amount"] - expected).abs() > 0.01 + 1e-9   # float noise at exactly 0.01
    out += _emit(book, t, off, "amount-mismatch", "amount",
                 lambda r: f"Amount {_show(r.amount)} differs from Quantity × Unit price × "
                           f"(1 − Discount/100) = {expected[r.Index]:.2f}")
    out += _emit(book, t, f["due_date"] < f["order_date"], "due-before-order", "due_date",
                 lambda r: f"Due date {_show(r.due_date)} is before Order date "
                           f"{_show(r.order_date)}; expected on or after it")
    out += _emit(book, t, f["invoice_date"] > f["invoice_due"], "invoice-after-due",
                 "invoice_date",
                 lambda r: f"Invoice date {_show(r.invoice_date)} is after Invoice due "
                           f"{_show(r.invoice_due)}; expected on or before it")
    return out


def rule_order_status(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Orders"]
    f = t.frame
    full = f["status"].eq("Open") & f["quantity"].notna() & f["delivered_qty"].eq(f["quantity"])
    return _emit(book, t, full, "order-status", "status",
                 lambda r: f"Status is still Open but the line is delivered in full (Delivered qty "
                           f"{_show(r.delivered_qty)} of Quantity {_show(r.quantity)}); "
                           f"expected Delivered")


# --- identity checks (acctbook.book.identity) on whole columns ------------------------------
def _bad_values(s: pd.Series, is_bad: Callable[[str], bool]) -> pd.Series:
    """Mask of `s` whose value fails `is_bad`, testing each distinct value once."""
    values = s.dropna().unique()
    bad = [v for v in values if is_bad(v)]
    return s.isin(bad) if bad else pd.Series(False, index=s.index)


def rule_email(book: Book, today: dt.date) -> list[Problem]:
    out = []
    for name in ("Clients", "Contacts"):
        t = book.tables[name]
        out += _emit(book, t, _bad_values(t.frame["email"], lambda v: email_error(v) is not None),
                     "email", "email",
                     lambda r: f"Email {_show(r.email)} is not a valid address: "
                               f"{email_error(r.email)}")
    return out + _settings_checks(book, "manager_email", "email",
                                  lambda v: email_error(v) is not None,
                                  lambda v: f"is not a valid address: {email_error(v)}")


def rule_phone(book: Book, today: dt.date) -> list[Problem]:
    clients = book.tables["Clients"]
    country = _country_of_clients(book)
    out = _phone_problems(book, clients, country)
    contacts = book.tables["Contacts"]
    by_client = pd.Series(country.to_numpy(), index=clients.frame["client_id"].to_numpy())
    by_client = by_client[~by_client.index.duplicated() & by_client.index.notna()]
    region = contacts.frame["client_id"].map(by_client).fillna(book.settings.country)
    out += _phone_problems(book, contacts, region)
    home = book.settings.country
    return out + _settings_checks(book, "company_phone", "phone",
                                  lambda v: phone_ok(v, home) is False,
                                  lambda v: f"is not a valid phone number for {home}")


def _phone_problems(book: Book, t: LoadedTable, region: pd.Series) -> list[Problem]:
    pairs = pd.DataFrame({"phone": t.frame["phone"], "region": region})
    given = pairs[pairs["phone"].notna()]
    if given.empty:
        return []
    distinct = given.drop_duplicates()
    bad = {(p, g) for p, g in zip(distinct["phone"], distinct["region"]) if phone_ok(p, g) is False}
    if not bad:
        return []
    # The right length for the country but outside the ranges in use (054-1234567): likely
    # a typo or a made-up number, but it may be new: a warning, not an error.
    unassigned = {pg for pg in bad if phone_possible(*pg)}
    out = []
    for code, which, say in (
            ("phone", bad - unassigned, "is not a valid phone number for"),
            ("phone-unassigned", unassigned, "has the length of a phone number but is not in "
                                             "a range in use in")):
        if not which:
            continue
        mask = pd.Series([(p, g) in which for p, g in zip(given["phone"], given["region"])],
                         index=given.index).reindex(t.frame.index, fill_value=False)
        out += _emit(book, t, mask, code, "phone",
                     lambda r, say=say: f"Phone {_show(r.phone)} {say} {region[r.Index]}")
    return out


def rule_company_number(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    f = t.frame
    il = _country_of_clients(book).eq("IL")
    bad = il & _bad_values(f["company_number"], lambda v: not il_number_ok(v))
    out = _emit(book, t, bad, "company-number", "company_number",
                lambda r: f"Company number {_show(r.company_number)} is not a valid Israeli "
                          f"company number (9 digits with a valid check digit)")
    if book.settings.country == "IL":
        out += _settings_checks(book, "company_number", "company-number",
                                lambda v: not il_number_ok(v),
                                lambda v: "is not a valid Israeli company number "
                                          "(9 digits with a valid check digit)")
    return out


def rule_country(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    bad = _bad_values(t.frame["country"], lambda v: v.strip().upper() not in COUNTRIES)
    msg = "is not an ISO 3166 two-letter country code (e.g. IL, US, DE)"
    return _emit(book, t, bad, "country", "country",
                 lambda r: f"Country {_show(r.country)} {msg}") + _settings_checks(
        book, "country", "country", lambda v: v.strip().upper() not in COUNTRIES, lambda v: msg)


def rule_currency(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Deals"]
    codes = currencies()
    bad = _bad_values(t.frame["currency"], lambda v: v.strip().upper() not in codes)
    msg = "is not an ISO 4217 currency code (e.g. ILS, USD, EUR)"
    return _emit(book, t, bad, "currency", "currency",
                 lambda r: f"Currency {_show(r.currency)} {msg}") + _settings_checks(
        book, "currency", "currency", lambda v: v.strip().upper() not in codes, lambda v: msg)


def _settings_checks(book: Book, key: str, code: str, is_bad: Callable[[str], bool],
                     why: Callable[[str], str]) -> list[Problem]:
    """The same identity check on one row of the Settings table (its Value cell)."""
    t = book.tables.get("Settings")
    if t is None or t.frame.empty:
        return []
    index = schema.setting_index()
    keys = t.frame["setting"].map(lambda s: index.get(schema.fold(s)) if s else None)
    label = schema.SETTING_BY_KEY[key].en
    mask = pd.Series([k == key and v is not None and bool(is_bad(str(v)))
                      for k, v in zip(keys, t.frame["value"])], index=t.frame.index, dtype=bool)
    return _emit(book, t, mask, code, "value",
                 lambda r: f"Setting '{label}': {_show(r.value)} {why(str(r.value))}")


def rule_duplicate_clients(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    f = t.frame
    number = f["company_number"].map(lambda v: re.sub(r"[\s\-./]", "", v) if v else None)
    number = number.where(number.ne(""))
    name = f["name"].map(lambda v: folded_name(v) if v else None)
    name = name.where(name.ne(""))
    out = _duplicates(book, t, number, "company_number",
                      "likely duplicate of client {id} (row {row}): same Company number")
    seen = {p.row for p in out}
    out += [p for p in _duplicates(book, t, name, "name",
                                   "likely duplicate of client {id} (row {row}): same name "
                                   "after ignoring case, punctuation and legal suffixes")
            if p.row not in seen]
    return out


def _duplicates(book: Book, t: LoadedTable, folded: pd.Series, at: str,
                text: str) -> list[Problem]:
    given = folded.notna()
    later = given & folded.duplicated(keep="first")
    if not later.any():
        return []
    first = {v: row for row, v in folded[given & ~folded.duplicated(keep="first")].items()}
    ids = t.frame["client_id"]
    label = _label(t, at)

    def message(r):
        row = first[folded[r.Index]]
        return f"{label} {_show(r[at])}: " + text.format(id=_show(ids[row]), row=row)
    return _emit(book, t, later, "duplicate-client", at, message)


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
        return _emit(book, t, first, "weights-zero", "weight",
                     lambda r: "Weights add up to 0, so every score would be 0; give at least "
                               "one component a weight")
    if abs(total - 1) > 0.001:
        return _emit(book, t, first, "weights", "weight",
                     lambda r: f"Weights add up to {total:g}; scores are scaled so they add "
                               f"up to 1")
    return []


def rule_rows_below(book: Book, today: dt.date) -> list[Problem]:
    """Rows typed just below a table, outside it: coerce.rows_below_table."""
    return rows_below_table(book.tables, "row-below-table")


def rule_missing_columns(book: Book, today: dt.date) -> list[Problem]:
    """An optional column that a follow-up, ranking or risk rule reads, absent from its
    table: a warning naming the rule it turns off (RULE_COLUMNS in coerce)."""
    return missing_rule_columns(book.tables, book.lang)


RULES: list[Rule] = [
    rule_required, rule_unique, rule_range, rule_not_future, rule_refs,
    rule_lost_reason, rule_referral, rule_complaint_dates, rule_contract_dates,
    rule_next_step_date, rule_contact_client, rule_primary_contacts, rule_orders,
    rule_order_status,
    rule_email, rule_phone, rule_company_number, rule_country, rule_currency,
    rule_duplicate_clients, rule_weights, rule_missing_columns, rule_rows_below,
]


# --- running them -------------------------------------------------------------------------
def check_book(book: Book, today: dt.date) -> list[Problem]:
    """The load problems plus every rule's, in sheet, row, column order.

    A cell the loader already rejected (its value became blank) is not reported
    again by a rule, e.g. an unreadable required date is one problem, not two.
    """
    rejected = {(p.sheet, p.cell) for p in book.problems if p.severity == ERROR and p.cell}
    found = list(book.problems)
    for rule in RULES:
        found += [p for p in rule(book, today) if (p.sheet, p.cell) not in rejected]
    order: dict[str, int] = {}
    for i, spec in enumerate(schema.ALL_TABLES):
        sheet = book.tables[spec.name].sheet if spec.name in book.tables else spec.sheet(book.lang)
        order.setdefault(sheet, i)
    return sorted(found, key=lambda p: (order.get(p.sheet, len(order)), p.row or 0,
                                        col_number(_LETTERS.match(p.cell or "")[0])))


def error_rows(problems: Iterable[Problem], ignore: Iterable[str] = ()) -> dict[str, set[int]]:
    """Sheet name -> Excel rows with at least one error (codes in `ignore` aside)."""
    skip = set(ignore)
    out: dict[str, set[int]] = {}
    for p in problems:
        if p.severity == ERROR and p.row is not None and p.code not in skip:
            out.setdefault(p.sheet, set()).add(p.row)
    return out
