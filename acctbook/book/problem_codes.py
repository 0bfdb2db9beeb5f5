"""Every code a Problem can carry, with its severity and what it means.

docs/problems.md lists exactly these (a test keeps them in step); the rules in
acctbook.book.rules and acctbook.book.rules_identity emit them.
"""

from __future__ import annotations

from acctbook.book.model import ERROR, WARNING

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
                       "(percents 0–100, day counts 0 or more, Stale deal days 1 or more, a "
                       "Number format that is not a locale); the default is used."),
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
    "near-duplicate-id": (WARNING, "Two IDs of one table differ only in case (or spaces): "
                                   "C-1 and c-1. A reference matches the exact spelling "
                                   "first, any other spelling the earlier row."),
    "lost-reason": (ERROR, "A deal in stage Lost has no Lost reason."),
    "referral-source": (ERROR, "A client whose Source is Referral has no Referred by."),
    "self-referral": (ERROR, "A client is recorded as referred by itself."),
    "resolved-on": (ERROR, "A Resolved complaint has no Resolved on date."),
    "resolved-before-opened": (ERROR, "A complaint's Resolved on is before its Opened date."),
    "end-before-start": (ERROR, "A contract's End is not after its Start."),
    "signed-on": (ERROR, "A Signed contract has no Signed on date."),
    "next-step-before-date": (ERROR, "An interaction's Next step date is before its Date."),
    "contact-client": (ERROR, "An interaction's (or an Attendance row's) contact belongs to a "
                              "different client."),
    "primary-contacts": (ERROR, "A client has more than one primary contact."),
    "delivered-qty": (ERROR, "An order line's Delivered qty is more than its Quantity."),
    "amount-mismatch": (WARNING, "An order line's Amount differs by more than 0.01 from "
                                 "Quantity × Unit price × (1 − Discount/100)."),
    "order-status": (WARNING, "An order line is delivered in full (Delivered qty equals "
                              "Quantity) but its Status is still Open."),
    "due-before-order": (ERROR, "An order line's Due date is before its Order date."),
    "invoice-after-due": (WARNING, "An order line's Invoice date is after its Invoice due."),
    "campaign-event": (ERROR, "An Event invitation campaign has no Event ID."),
    "campaign-sku": (WARNING, "A New product campaign has no SKU, so its messages cannot show "
                              "the product's name and price."),
    "attended-future": (WARNING, "An Attendance row says Attended Yes for an event whose date "
                                 "is after today."),
    "consent-date": (WARNING, "A contact's Consent date is given with Marketing consent blank, "
                              "or Marketing consent is Yes without a Consent date."),
    "email": (ERROR, "An email address is not valid."),
    "phone": (ERROR, "A phone number is not valid for the client's country (Country, or "
                     "Settings Country when blank; contacts use their client's)."),
    "phone-unassigned": (WARNING, "A phone number has the right length for its country but "
                                  "is not in a range in use there (054-1234567): check it."),
    "company-number": (ERROR, "An Israeli company number (Country IL) is not 9 digits with a "
                              "valid check digit."),
    "country": (ERROR, "A Country is not an ISO 3166 alpha-2 code."),
    "currency": (ERROR, "A Currency is not an ISO 4217 code."),
    "no-exchange-rate": (ERROR, "A deal's Currency is not the book's (Settings Currency) and "
                                "the ExchangeRates table on Settings has no rate for it: its "
                                "amount cannot join the pipeline, so refresh skips the deal and "
                                "its contract is refused."),
    "weights": (WARNING, "The Weights table's weights do not add up to 1; scores are scaled so "
                         "they do."),
    "weights-zero": (ERROR, "The Weights table's weights add up to 0, so every score would be 0."),
    "duplicate-client": (WARNING, "A client is likely a duplicate of an earlier one: the same "
                                  "company number, or the same name after folding case, "
                                  "punctuation and legal suffixes (Ltd, Inc, בע\"מ)."),
    "old-book": (WARNING, "The book was made or last upgraded by an older acctbook (its "
                          "`acctbook version` document property): `acctbook upgrade BOOK` "
                          "brings its buttons, columns and settings up to date."),
    "row-below-table": (WARNING, "A row typed just below a table (outside it) is ignored."),
    "target-period": (ERROR, "A Targets row's Period is neither a month YYYY-MM nor a quarter "
                             "YYYY-Qn; its targets are not used."),
    "close-date-passed": (WARNING, "An open deal's Expected close (as typed) is before today: "
                                   "update the date or the Stage (a follow-up reminds you)."),
}

# Codes about contact details only: no computation reads those cells, so callers
# that skip rows with errors may pass these to error_rows(ignore=...).
CONTACT_DETAIL_CODES = frozenset({"email", "phone", "phone-unassigned", "company-number"})
