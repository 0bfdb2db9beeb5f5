"""A source list's headers matched to acctbook's columns (`acctbook import`; its --dry-run
prints the mapping). Pure.

The synonyms are data: for each target (a table and a column key; the person columns of a
client list go to Contacts) the header texts other systems write, in English and Hebrew,
the export headers of Salesforce, HubSpot, Pipedrive and Google Contacts among them. A
header is matched exactly (after folding case, punctuation and Hebrew geresh/gershayim),
else fuzzily (rapidfuzz's ratio, imported inside the function: xlwings Lite lacks it); each
match has a confidence. Each target takes at most one header; where two headers want one
target, the earlier synonym wins and the other tries its next target.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from acctbook.book import schema
from acctbook.book.i18n import tr

CLIENTS, CONTACTS, LOG = "Clients", "Contacts", "Interactions"
FUZZY_CUTOFF = 84           # rapidfuzz ratio (0-100) a header must reach to be a near match

# Columns of a source that are not a schema column: a person's first and last name (joined
# into Contacts Name) and, in a contact log, the client and the contact by name or ID.
VIRTUAL = {(CONTACTS, "first_name"): ("First name", "שם פרטי"),
           (CONTACTS, "last_name"): ("Last name", "שם משפחה"),
           (LOG, "client"): ("Client", "לקוח"),
           (LOG, "contact"): ("Contact", "איש קשר")}

# (target, synonyms), in order of preference: an earlier synonym wins a contested target.
CLIENT_SYNONYMS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    ((CLIENTS, "client_id"), ("Client ID", "Customer ID", "Account ID", "Account Number",
                              "Customer number", "Client number", "Record ID",
                              "Organization - ID", "מזהה לקוח", "מספר לקוח", "מס׳ לקוח",
                              "קוד לקוח")),
    ((CLIENTS, "name"), ("Account Name", "Company name", "Company", "Customer name", "Customer",
                         "Client name", "Client", "Organization", "Organization name",
                         "Organization - Name", "Organization 1 - Name", "Organisation",
                         "Business name", "Account", "שם לקוח", "שם החברה", "שם חברה",
                         "חברה", "לקוח", "שם העסק", "שם עסק", "Name", "שם")),
    ((CLIENTS, "legal_name"), ("Legal name", "Registered name", "Legal entity", "שם משפטי",
                               "שם רשום")),
    ((CLIENTS, "company_number"), ("Company number", "Company ID", "Registration number",
                                   "Company registration number", "Reg no", "Tax ID",
                                   "VAT number", "Business number", "ח.פ.", "ח״פ", "ע.מ.",
                                   "עוסק מורשה", "מספר חברה", "מספר עוסק", "ח.פ./ע.מ.")),
    ((CLIENTS, "segment"), ("Segment", "Industry", "Sector", "Vertical", "פלח", "ענף",
                            "תעשייה", "סקטור")),
    ((CLIENTS, "region"), ("Region", "Billing State/Province", "State/Region", "State",
                           "Province", "Organization - Region", "אזור", "מחוז")),
    ((CLIENTS, "city"), ("City", "Billing City", "Town", "Organization - City",
                         "Address 1 - City", "עיר", "יישוב", "ישוב")),
    ((CLIENTS, "address"), ("Address", "Billing Street", "Street Address", "Street",
                            "Organization - Address", "Address 1 - Street", "כתובת", "רחוב")),
    ((CLIENTS, "country"), ("Country", "Billing Country", "Country/Region",
                            "Organization - Country", "Address 1 - Country", "מדינה", "ארץ")),
    ((CLIENTS, "status"), ("Status", "Lifecycle Stage", "Customer status", "Account status",
                           "Account Type", "Type", "סטטוס", "מצב", "סטטוס לקוח")),
    ((CLIENTS, "source"), ("Source", "Lead Source", "Account Source", "Original Source",
                           "Organization - Source", "מקור", "מקור הגעה", "מקור הליד")),
    ((CLIENTS, "owner"), ("Owner", "Account Owner", "Company owner", "Organization - Owner",
                          "Sales rep", "Account manager", "אחראי", "מנהל תיק", "מנהל לקוח",
                          "נציג", "איש מכירות")),
    ((CLIENTS, "key_account"), ("Key account", "Strategic", "לקוח מפתח", "לקוח אסטרטגי")),
    ((CLIENTS, "credit_limit"), ("Credit limit", "מסגרת אשראי", "אשראי")),
    ((CLIENTS, "payment_terms"), ("Payment terms", "Terms", "תנאי תשלום", "שוטף")),
    ((CLIENTS, "email"), ("Email", "E-mail", "Email address", "Company email",
                          "General email", "דוא״ל", "אימייל", "מייל", "דואר אלקטרוני")),
    ((CLIENTS, "phone"), ("Phone", "Phone 1", "Phone number", "Telephone", "Tel",
                          "Company phone", "Main phone", "Office phone", "Phone 1 - Value",
                          "Organization - Phone", "טלפון", "טל׳", "טלפון נייד", "מספר טלפון",
                          "טלפון משרד")),
    ((CLIENTS, "language"), ("Language", "Preferred language", "שפה")),
    ((CLIENTS, "created"), ("Created", "Created Date", "Create Date", "Date created",
                            "Customer since", "Client since", "Organization - Add time",
                            "Date added", "Since", "נוצר", "תאריך יצירה", "תאריך פתיחה",
                            "לקוח מאז", "תאריך הצטרפות")),
    ((CLIENTS, "notes"), ("Notes", "Description", "Comments", "Remarks", "Note", "הערות",
                          "הערה", "תיאור")),
    ((CLIENTS, "vat_rate"), ("VAT rate", "VAT", "שיעור מע״מ", "מע״מ")),
    # the person columns: Contacts rows linked to the client
    ((CONTACTS, "name"), ("Contact name", "Contact", "Contact person", "Primary contact",
                          "Full name", "Person - Name", "איש קשר", "שם איש קשר",
                          "איש קשר ראשי")),
    ((CONTACTS, "first_name"), ("First name", "Given name", "שם פרטי")),
    ((CONTACTS, "last_name"), ("Last name", "Family name", "Surname", "שם משפחה")),
    ((CONTACTS, "role"), ("Role", "Title", "Job title", "Position", "Contact role",
                          "Organization 1 - Title", "Person - Job title", "תפקיד",
                          "תפקיד איש קשר")),
    ((CONTACTS, "email"), ("Contact email", "Person - Email", "E-mail 1 - Value",
                           "דוא״ל איש קשר", "מייל איש קשר")),
    ((CONTACTS, "phone"), ("Mobile", "Mobile phone", "Cell", "Cell phone", "Contact phone",
                           "Person - Phone", "נייד", "טלפון איש קשר", "נייד איש קשר")),
    ((CONTACTS, "birthday"), ("Birthday", "Date of birth", "יום הולדת", "תאריך לידה")),
    # last: a plain "Name" beside a company column is the person's
    ((CONTACTS, "name"), ("Name", "שם")),
)

LOG_SYNONYMS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    ((LOG, "date"), ("Date", "Activity date", "Call date", "Meeting date", "Contact date",
                     "Due date", "תאריך", "תאריך פעילות", "תאריך שיחה", "תאריך פגישה")),
    ((LOG, "client"), ("Client ID", "Client", "Client name", "Customer", "Customer name",
                       "Company", "Account", "Account Name", "Organization",
                       "Organization - Name", "Associated Company", "מזהה לקוח", "לקוח",
                       "שם לקוח", "חברה")),
    ((LOG, "contact"), ("Contact", "Contact name", "Person", "Person - Name", "With",
                        "איש קשר", "עם")),
    ((LOG, "channel"), ("Channel", "Type", "Activity type", "Call type", "ערוץ", "סוג",
                        "אמצעי")),
    ((LOG, "direction"), ("Direction", "כיוון")),
    ((LOG, "subject"), ("Subject", "Summary", "Topic", "Description", "Notes", "Note",
                        "נושא", "תקציר", "תיאור", "הערות")),
    ((LOG, "outcome"), ("Outcome", "Result", "Status", "תוצאה", "סטטוס")),
    ((LOG, "next_step"), ("Next step", "Next action", "הצעד הבא", "המשך")),
    ((LOG, "next_step_date"), ("Next step date", "Follow-up date", "Follow up date",
                               "תאריך הצעד הבא", "תאריך מעקב")),
)
# Values of a log's Channel as other systems write them, over the schema's own.
CHANNEL_WORDS = {"call": "Phone", "phone call": "Phone", "שיחה": "Phone",
                 "שיחת טלפון": "Phone", "e-mail": "Email", "mail": "Email", "מייל": "Email",
                 "visit": "Meeting", "ביקור": "Meeting", "whatsapp": "Chat", "וואטסאפ": "Chat",
                 "sms": "Chat", "zoom": "Meeting", "teams": "Meeting"}
# Values of Clients Status as CRMs write them (HubSpot's lifecycle stages among them).
STATUS_WORDS = {"customer": "Active", "client": "Active", "לקוח": "Active",
                "lead": "Prospect", "subscriber": "Prospect", "opportunity": "Prospect",
                "marketing qualified lead": "Prospect", "sales qualified lead": "Prospect",
                "prospect": "Prospect", "inactive": "Dormant", "לא פעיל": "Dormant",
                "former customer": "Lost", "churned": "Lost"}


@dataclass(frozen=True)
class Match:
    """One source header and where it goes: `target` (table, key) or None (the user's own
    column); `confidence` 0-100; `how`: exact, close, given (--map) or none."""
    header: str
    index: int
    target: tuple[str, str] | None
    confidence: int
    how: str


def fold_header(text: Any) -> str:
    """A header as compared: case, accents and punctuation folded; Hebrew geresh and
    gershayim (and the quotes typed for them) and dots dropped, so ח.פ. is ח״פ is חפ."""
    text = unicodedata.normalize("NFKC", schema.fold(text or ""))
    text = re.sub(r"[.'\"\u05f3\u05f4`’]", "", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _synonyms(table) -> list[tuple[str, tuple[str, str]]]:
    """(folded synonym, target) in order of preference; the schema's own labels after the
    synonyms (a plain 'Name' loses to 'Account Name'), before the last fallbacks."""
    out = [(fold_header(w), target) for target, words in table[:-1] for w in words]
    for name in sorted({t for (t, _), _ in table} & {CLIENTS, LOG}):
        spec = schema.CLIENTS if name == CLIENTS else schema.INTERACTIONS
        out += [(fold_header(lab), (name, c.key)) for c in spec.columns if not c.computed
                for lab in (c.en, c.he) if not (name == LOG and c.key == "client_id")]
    target, words = table[-1]
    return out + [(fold_header(w), target) for w in words]


def candidates(header: str, table) -> list[tuple[int, int, tuple[str, str], str]]:
    """(confidence, preference, target, how) for one header: every exact synonym, else the
    near ones (rapidfuzz), best first."""
    from rapidfuzz import fuzz
    folded = fold_header(header)
    if not folded:
        return []
    syns = _synonyms(table)
    exact = [(100, i, t, "exact") for i, (s, t) in enumerate(syns) if s == folded]
    if exact:
        return exact
    near = [(round(fuzz.ratio(folded, s)), i, t, "close") for i, (s, t) in enumerate(syns)]
    return sorted((c for c in near if c[0] >= FUZZY_CUTOFF), key=lambda c: (-c[0], c[1]))


def match_headers(headers: list[str], table, given: dict[str, tuple[str, str] | None]
                  ) -> list[Match]:
    """Each header's Match; `given` (--map, by folded header) comes first, then the best
    (confidence, preference) pairs, one header per target."""
    taken: dict[tuple[str, str], int] = {}
    out: dict[int, Match] = {}
    for i, h in enumerate(headers):
        key = fold_header(h)
        if key in given:
            out[i] = Match(h, i, given[key], 100, "given")
            if given[key] is not None:
                taken[given[key]] = i
    pairs = sorted(((c, p, t, how, i) for i, h in enumerate(headers) if i not in out
                    for c, p, t, how in candidates(h, table)), key=lambda x: (-x[0], x[1]))
    for conf, _, target, how, i in pairs:
        if i not in out and target not in taken:
            out[i] = Match(headers[i], i, target, conf, how)
            taken[target] = i
    return [out.get(i) or Match(h, i, None, 0, "none") for i, h in enumerate(headers)]


def target_label(target: tuple[str, str] | None, lang: str) -> str:
    """'Clients: City' as the book names them; the user's own column when None."""
    if target is None:
        return tr(lang, "(kept as your own column)")
    table, key = target
    spec = schema.TABLES[table]
    if target in VIRTUAL:
        label = VIRTUAL[target][lang == "he"]
    else:
        label = spec.column(key).label(lang)
    return f"{spec.sheet(lang)}: {label}"


def find_target(text: str, table) -> tuple[str, str] | None:
    """A --map column ('City', 'עיר', 'Contacts: Role', 'city') as a target, or None."""
    sheet, _, col = text.rpartition(":")
    want, tab = fold_header(col), fold_header(sheet)
    for t in {t for t, _ in table}:
        spec = schema.TABLES[t[0]]
        if tab and tab not in (fold_header(spec.sheet_en), fold_header(spec.sheet_he),
                               fold_header(spec.name)):
            continue
        if t in VIRTUAL:
            names = VIRTUAL[t]
        else:
            c = spec.column(t[1])
            names = (c.en, c.he, c.key)
        if want in {fold_header(n) for n in names}:
            if not tab and t[0] == CONTACTS and (CLIENTS, t[1]) in {x for x, _ in table}:
                continue        # 'Name' alone is the client's; 'Contacts: Name' the person's
            return t
    return None


# --- where the header row is ------------------------------------------------------------
def known_headers() -> set[str]:
    return {s for s, _ in _synonyms(CLIENT_SYNONYMS + LOG_SYNONYMS)}


def header_row(rows: list[list[Any]], look: int = 30) -> int:
    """The index of the header row among the first `look` rows: the first row with two or
    more filled cells most of which are known headers; else the first row with the most
    text cells (a title above, merged or not, has one)."""
    known = known_headers()
    best, best_n = 0, -1
    for i, row in enumerate(rows[:look]):
        texts = [fold_header(v) for v in row if isinstance(v, str) and v.strip()]
        filled = sum(1 for v in row if v not in (None, ""))
        hits = sum(1 for t in texts if t in known)
        if filled >= 2 and hits >= 2 and hits * 2 >= filled:
            return i
        if len(texts) > best_n and filled >= 2:
            best, best_n = i, len(texts)
    return best


def is_log(matches: Iterable[Match]) -> bool:
    """A contact log: a date, a client and what happened (subject, channel or outcome)."""
    got = {m.target[1] for m in matches if m.target is not None}
    return {"date", "client"} <= got and bool(got & {"subject", "channel", "outcome"})
