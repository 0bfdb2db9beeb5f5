"""Checks on single values, all pure (the costly ones cached by value): Israeli company
numbers, country and currency codes, email addresses, phone numbers, and company names
folded for the duplicate search. book/rules.py applies them to the book's columns (docs/problems.md:
email, phone, phone-unassigned, company-number, country, currency, duplicate-client).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

from acctbook.book.i18n import translator


def il_number_ok(number: str) -> bool:
    """Israeli company / ID number: 9 digits, weights 1,2,1,2…, digit sums ≡ 0 mod 10."""
    digits = re.sub(r"[\s-]", "", str(number))
    if not re.fullmatch(r"\d{9}", digits):
        return False
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (1 if i % 2 == 0 else 2)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def il_number_complete(first8: str) -> str:
    """The nine-digit number whose first eight digits are `first8` (for demo data)."""
    for last in "0123456789":
        if il_number_ok(first8 + last):
            return first8 + last
    raise ValueError(first8)


# Legal suffixes dropped before comparing names for likely duplicates.
_SUFFIXES = {
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "plc", "corp", "corporation",
    "co", "company", "gmbh", "ag", "sa", "srl", "bv", "nv", "oy", "ab", "as", "spa",
    "pty", "בעמ", "בע״מ", "בע\"מ", "בעמ.", "חברה", "בערבון", "מוגבל",
}


def fold_name(name: str) -> str:
    """A company name folded for duplicate search: case, punctuation, legal suffixes."""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = text.replace("בע\"מ", " בעמ ").replace("בע״מ", " בעמ ").replace("&", " and ")
    words = re.findall(r"\w+", text)
    while words and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(w for w in words if w not in {"the"})


@lru_cache(maxsize=100_000)
def folded_name(name: str) -> str:
    """fold_name, cached: a book names the same company many times."""
    return fold_name(name)


# --- countries and currencies ----------------------------------------------------------------
# ISO 3166 alpha-2: phonenumbers' regions (which include XK, Kosovo) plus the
# territories without telephone numbering.
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) | {
    "AQ", "BV", "GS", "HM", "PN", "TF", "UM"}


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    from babel.numbers import list_currencies
    return frozenset(list_currencies())


# --- email and phone ------------------------------------------------------------------------
# Plain ASCII addresses that email_validator surely accepts; anything else (or a
# reserved domain) goes to email_validator itself. It costs ~60 µs a value,
# too much for 30,000 contacts, while this match costs ~1 µs.
_EMAIL_PLAIN = re.compile(r"[A-Za-z0-9_%+\-]{1,64}(?:\.[A-Za-z0-9_%+\-]+)*@"
                          r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})")
_SPECIAL_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _email_surely_ok(value: str) -> bool:
    m = _EMAIL_PLAIN.fullmatch(value)
    if not m or len(value) > 254 or len(value.split("@")[0]) > 64 or "--" in m[1]:
        return False
    domain = m[1].lower()
    return not any(domain == d or domain.endswith("." + d) for d in _SPECIAL_DOMAINS)


@lru_cache(maxsize=100_000)
def email_error(value: str) -> str | None:
    """Why `value` is not a valid email address, or None when it is."""
    if _email_surely_ok(value):
        return None
    from email_validator import EmailNotValidError, validate_email
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as e:
        return str(e)
    return None


def email_reason(reason: str | None, lang: str) -> str:
    """email_validator's reason (English) in `lang`: its common reasons translated, the
    characters it names kept; a rare one stays as email_validator words it."""
    if not reason or lang == "en":
        return reason or ""
    say = translator(lang)
    fixed = {
        "An email address must have an @-sign.": say("An email address must have an @-sign."),
        "There must be something after the @-sign.": say(
            "There must be something after the @-sign."),
        "There must be something before the @-sign.": say(
            "There must be something before the @-sign."),
        "The part after the @-sign is not valid. It should have a period.": say(
            "The part after the @-sign is not valid. It should have a period."),
        "An email address cannot have two periods in a row.": say(
            "An email address cannot have two periods in a row."),
        "An email address cannot start with a period.": say(
            "An email address cannot start with a period."),
        "An email address cannot end with a period.": say(
            "An email address cannot end with a period."),
        "An email address cannot have a period immediately before the @-sign.": say(
            "An email address cannot have a period immediately before the @-sign."),
        "An email address cannot have a period immediately after the @-sign.": say(
            "An email address cannot have a period immediately after the @-sign."),
        "An email address cannot have a hyphen immediately after the @-sign.": say(
            "An email address cannot have a hyphen immediately after the @-sign."),
        "The part after the @-sign is a special-use or reserved name that cannot be used "
        "with email.": say("The part after the @-sign is a special-use or reserved name that "
                           "cannot be used with email."),
        "The part after the @-sign is not valid. It is not within a valid top-level domain.":
            say("The part after the @-sign is not valid. It is not within a valid top-level "
                "domain."),
    }
    if reason in fixed:
        return fixed[reason]
    m = _INVALID_CHARS.fullmatch(reason)
    if m:
        text = say("The email address contains invalid characters before the @-sign: "
                   "{characters}.") if m[1] else say(
            "The part after the @-sign contains invalid characters: {characters}.")
        return text.format(characters=m[3])
    return reason


_INVALID_CHARS = re.compile(r"(?:(The email address contains invalid characters before the "
                            r"@-sign)|(The part after the @-sign contains invalid characters))"
                            r": (.+)\.")


@lru_cache(maxsize=100_000)
def phone_ok(value: str, region: str | None) -> bool | None:
    """Is `value` a valid phone number dialled from `region`? None: cannot tell (no region)."""
    if region not in COUNTRIES:
        if not value.lstrip().startswith("+"):
            return None      # the bad Country is reported on its own
        region = None
    if region and phone_surely_ok(value, region):
        return True
    if region == "IL" and _STAR_NUMBER.fullmatch(value.strip()):
        return True          # Israeli businesses' star numbers (*6424), unknown to phonenumbers
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


_STAR_NUMBER = re.compile(r"\*\d{4}")
_PHONE_PLAIN = re.compile(r"\+?[\d\s\-().]+")
_PHONE_FORMATTING = re.compile(r"[\s\-().]")


def phone_surely_ok(value: str, region: str) -> bool:
    """True only when phonenumbers would surely call `value` valid for `region`.

    parse + is_valid_number cost ~60 µs a number, too much for 30,000 contacts.
    For a plain national or +CC number of a region that owns its calling code
    (or is its main region) this takes the national number as parse would and
    matches the region's own patterns as is_valid_number would. False means
    "ask phonenumbers": unusual characters, an international dialling prefix, a
    leading zero, prefix-rewriting regions, and every number that fails here.
    """
    checks = _region_checks(region)
    if checks is None or not _PHONE_PLAIN.fullmatch(value):
        return False
    cc, prefix, idd, general, types = checks
    digits = _PHONE_FORMATTING.sub("", value)
    if digits.startswith("+"):
        if not digits.startswith(cc, 1):
            return False
        rest = digits[1 + len(cc):]
    elif digits.startswith(cc) or (idd and idd.match(digits)):
        return False
    else:
        rest = digits
    if prefix and rest.startswith(prefix):
        rest = rest[len(prefix):]
    if not rest.isdigit() or rest[0] == "0":
        return False

    def matches(desc) -> bool:
        lengths, pattern = desc
        return (not lengths or len(rest) in lengths) and pattern.fullmatch(rest) is not None
    return matches(general) and any(matches(d) for d in types)


_NUMBER_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
                 "uan", "voicemail", "fixed_line", "mobile")


@lru_cache(maxsize=None)
def _region_checks(region: str):
    """(calling code, national prefix, IDD pattern, general desc, type descs) or None
    when the region's numbers need phonenumbers' full logic."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
    md = PhoneMetadata.metadata_for_region(region)
    if md is None:
        return None
    prefix = md.national_prefix_for_parsing
    owners = COUNTRY_CODE_TO_REGION_CODE.get(md.country_code, ())
    main = len(owners) == 1 or (owners[0] == region and md.leading_digits is None)
    if not main or md.national_prefix_transform_rule or (prefix and not prefix.isdigit()):
        return None

    def desc(d):
        if d is None or d.national_number_pattern is None:
            return None
        lengths = frozenset(n for n in d.possible_length if n > 0)
        return lengths, re.compile(d.national_number_pattern)
    general = desc(md.general_desc)
    if general is None:
        return None
    idd = re.compile(md.international_prefix) if md.international_prefix else None
    types = [x for x in (desc(getattr(md, n, None)) for n in _NUMBER_TYPES) if x]
    return str(md.country_code), prefix, idd, general, types


def phone_possible(value: str, region: str | None) -> bool:
    """Does `value` have the shape of a number of `region` (length, prefix), assigned or not?"""
    try:
        return phonenumbers.is_possible_number(
            phonenumbers.parse(value, region if region in COUNTRIES else None))
    except phonenumbers.NumberParseException:
        return False

