"""Validation rules on who a client is: email, phone, company number, country and
currency codes, and likely duplicate clients. The checks of single values live in
acctbook.book.identity (cached by value); these rules run them over whole columns."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from acctbook.book.i18n import tr, translator
from acctbook.book.identity import (COUNTRIES, currencies, email_error, email_reason, folded_name,
                                    il_number_ok, phone_ok, phone_possible)
from acctbook.book.model import Book, LoadedTable, Problem, number_locale
from acctbook.book.rulekit import (bad_values, column_label, country_of_clients, emit,
                                   settings_checks, show)


def rule_email(book: Book, today: dt.date) -> list[Problem]:
    out, lang = [], book.lang
    for name in ("Clients", "Contacts"):
        t = book.tables[name]
        column = column_label(t, "email", lang)
        out += emit(book, t, bad_values(t.frame["email"], lambda v: email_error(v) is not None),
                     "email", "email",
                     lambda r, column=column: tr(lang, "{column} {value} is not a valid address: "
                                                       "{reason}").format(
                         column=column, value=show(r.email, lang),
                         reason=email_reason(email_error(r.email), lang)))
    return out + settings_checks(book, "manager_email", "email",
                                  lambda v: email_error(v) is not None,
                                  lambda v: tr(lang, "is not a valid address: {reason}").format(
                                      reason=email_reason(email_error(v), lang)))


def rule_phone(book: Book, today: dt.date) -> list[Problem]:
    clients = book.tables["Clients"]
    country = country_of_clients(book)
    out = _phone_problems(book, clients, country)
    contacts = book.tables["Contacts"]
    by_client = pd.Series(country.to_numpy(), index=clients.frame["client_id"].to_numpy())
    by_client = by_client[~by_client.index.duplicated() & by_client.index.notna()]
    region = contacts.frame["client_id"].map(by_client).fillna(book.settings.country)
    out += _phone_problems(book, contacts, region)
    home = book.settings.country
    return out + settings_checks(book, "company_phone", "phone",
                                  lambda v: phone_ok(v, home) is False,
                                  lambda v: tr(book.lang, "is not a valid phone number for "
                                                          "{country}").format(country=home))


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
    out, lang = [], book.lang
    column = column_label(t, "phone", lang)
    for code, which, text in (
            ("phone", bad - unassigned,
             tr(lang, "{column} {value} is not a valid phone number for {country}")),
            ("phone-unassigned", unassigned,
             tr(lang, "{column} {value} has the length of a phone number but is not in a "
                      "range in use in {country}"))):
        if not which:
            continue
        mask = pd.Series([(p, g) in which for p, g in zip(given["phone"], given["region"])],
                         index=given.index).reindex(t.frame.index, fill_value=False)
        out += emit(book, t, mask, code, "phone",
                     lambda r, text=text: text.format(column=column, value=show(r.phone, lang),
                                                      country=region[r.Index]))
    return out


def rule_company_number(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    f = t.frame
    il = country_of_clients(book).eq("IL")
    bad = il & bad_values(f["company_number"], lambda v: not il_number_ok(v))
    lang = book.lang
    why = tr(lang, "is not a valid Israeli company number (9 digits with a valid check digit)")
    column = column_label(t, "company_number", lang)
    out = emit(book, t, bad, "company-number", "company_number",
                lambda r: f"{column} {show(r.company_number, lang)} {why}")
    if book.settings.country == "IL":
        out += settings_checks(book, "company_number", "company-number",
                                lambda v: not il_number_ok(v), lambda v: why)
    return out


def rule_country(book: Book, today: dt.date) -> list[Problem]:
    return _code_rule(book, "Clients", "country", lambda v: v.strip().upper() in COUNTRIES,
                      tr(book.lang, "is not an ISO 3166 two-letter country code (e.g. IL, US, DE)"))


def rule_currency(book: Book, today: dt.date) -> list[Problem]:
    codes = currencies()
    return _code_rule(book, "Deals", "currency", lambda v: v.strip().upper() in codes,
                      tr(book.lang, "is not an ISO 4217 currency code (e.g. ILS, USD, EUR)"))


def _code_rule(book: Book, table: str, key: str, known, msg: str) -> list[Problem]:
    """A code column (and its Settings row of the same key) whose value is not a known code."""
    t = book.tables[table]
    lang = book.lang
    column = column_label(t, key, lang)
    return emit(book, t, bad_values(t.frame[key], lambda v: not known(v)), key, key,
                lambda r: f"{column} {show(r[key], lang)} {msg}") + settings_checks(
        book, key, key, lambda v: not known(v), lambda v: msg)


def rule_exchange_rate(book: Book, today: dt.date) -> list[Problem]:
    """A deal in a valid currency other than the book's, with no ExchangeRates row: its
    Amount cannot be converted (docs/rules.md, section 10)."""
    t = book.tables["Deals"]
    s = book.settings
    codes = currencies()
    bad = bad_values(t.frame["currency"], lambda v: v.strip().upper() in codes
                     and s.rate(v) is None)
    rates = book.tables["ExchangeRates"]            # the loader gives an empty one if absent
    rate, as_of = rates.header("rate", book.lang), rates.header("as_of", book.lang)

    column = column_label(t, "currency", book.lang)

    def message(r):
        code = r.currency.strip().upper()
        return tr(book.lang, "{column} {code} has no exchange rate: add a row for {code} to the "
                             "ExchangeRates table on {sheet} ({rate}: units of {currency} for "
                             "one {code}; {as_of}: the rate's date)").format(
            column=column, code=code, sheet=rates.sheet, rate=rate, currency=s.currency,
            as_of=as_of)
    return emit(book, t, bad, "no-exchange-rate", "currency", message)


def rule_number_format(book: Book, today: dt.date) -> list[Problem]:
    """Settings `Number format` must be a locale babel knows (de_DE, en_US, he_IL)."""
    return settings_checks(book, "number_format", "setting", lambda v: number_locale(v) is None,
                           lambda v: tr(book.lang, "is not a locale (e.g. de_DE, fr_FR, en_US, "
                                                   "he_IL); documents follow their language"))


def rule_duplicate_clients(book: Book, today: dt.date) -> list[Problem]:
    t = book.tables["Clients"]
    f = t.frame
    number = f["company_number"].map(lambda v: re.sub(r"[\s\-./]", "", v) if v else None)
    number = number.where(number.ne(""))
    name = f["name"].map(lambda v: folded_name(v) if v else None)
    name = name.where(name.ne(""))
    say = translator(book.lang)
    out = _duplicates(book, t, number, "company_number",
                      say("likely duplicate of client {id} (row {row}): same {column}"))
    seen = {p.row for p in out}
    out += [p for p in _duplicates(book, t, name, "name",
                                   say("likely duplicate of client {id} (row {row}): same name "
                                       "after ignoring case, punctuation and legal suffixes"))
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
    lang = book.lang
    label = column_label(t, at, lang)

    def message(r):
        row = first[folded[r.Index]]
        return f"{label} {show(r[at], lang)}: " + text.format(
            id=show(ids[row], lang), row=row, column=label)
    return emit(book, t, later, "duplicate-client", at, message)
