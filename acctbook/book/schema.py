"""The workbook's schema as data: every sheet, table, column, type, choice and rule.

This one description drives reading, validation, the template workbook, its
drop-downs and the docs (docs/workbook.md is generated from it). Keys are stable snake_case names the
code uses; labels are what users see, in English and Hebrew. Both languages'
headers and choice values are recognised when reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The vocabulary (types, Column, Table, choice lists) lives in columns.py; schema.X names it.
from acctbook.book.columns import (  # noqa: F401
    LANGS, TEXT, DATE, NUMBER, INTEGER, PERCENT, CHOICE, YESNO, REF, TYPE_FORMATS,
    CLIENT_STATUS, SOURCES, LANGUAGES, FOLLOW_UP_STATUS, CLASSES, RISKS, CONTACT_CHANNELS,
    CHANNELS, DIRECTIONS, OUTCOMES, STAGES, OPEN_STAGES, ORDER_STATUS, CONTRACT_STATUS,
    CATEGORIES, SEVERITIES, CASE_STATUS, SLA_STATUS, PRICE_LEVELS, EVENT_TYPES, TIER_NAMES,
    WORK_WEEKS, YES, NO, CHOICE_HE, Column, Table, C)


# --- the tables ---------------------------------------------------------------
CLIENTS = Table("Clients", "Clients", "לקוחות", (
    C("client_id", "Client ID", "מזהה לקוח", required=True, unique=True, width=11),
    C("name", "Name", "שם", required=True, width=28),
    C("legal_name", "Legal name", "שם משפטי", width=30, note="needed for contracts"),
    C("company_number", "Company number", "מספר חברה", width=14,
      note="for Country IL: 9 digits with a valid check digit"),
    C("segment", "Segment", "פלח", CHOICE, choices_setting="segments", width=14),
    C("region", "Region", "אזור", width=12),
    C("city", "City", "עיר", width=14),
    C("address", "Address", "כתובת", width=26),
    C("country", "Country", "מדינה", width=8, note="ISO 3166 alpha-2; blank = Settings Country"),
    C("status", "Status", "סטטוס", CHOICE, required=True, choices=CLIENT_STATUS, width=11),
    C("source", "Source", "מקור", CHOICE, choices=SOURCES, width=12),
    C("referred_by", "Referred by", "הופנה על ידי", REF, ref="Clients", width=12,
      note="required when Source = Referral; not the client itself"),
    C("owner", "Owner", "אחראי", width=14),
    C("key_account", "Key account", "לקוח מפתח", YESNO, width=10, note="forces class A"),
    C("credit_limit", "Credit limit", "מסגרת אשראי", NUMBER, min=0, width=13),
    C("payment_terms", "Payment terms", "תנאי תשלום", INTEGER, min=0, width=10,
      note="days; blank = Settings Payment terms"),
    C("email", "Email", "דוא״ל", width=26, note="a valid address"),
    C("phone", "Phone", "טלפון", width=16, note="a valid number for the client's country"),
    C("language", "Language", "שפה", CHOICE, choices=LANGUAGES, width=8),
    C("created", "Created", "נוצר", DATE, required=True, not_future=True, width=11),
    C("notes", "Notes", "הערות", width=30),
    C("last_contact", "Last contact", "קשר אחרון", DATE, computed=True, width=11),
    C("next_follow_up", "Next follow-up", "מעקב הבא", DATE, computed=True, width=11),
    C("follow_up_reason", "Follow-up reason", "סיבת מעקב", computed=True, width=36),
    C("follow_up_status", "Follow-up status", "מצב מעקב", CHOICE, choices=FOLLOW_UP_STATUS,
      computed=True, width=11),
    C("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳", NUMBER, computed=True, width=13),
    C("class", "Class", "סיווג", CHOICE, choices=CLASSES, computed=True, width=7),
    C("rank", "Rank", "דירוג", INTEGER, computed=True, width=7),
    C("score", "Score", "ציון", NUMBER, computed=True, width=7, fmt="0.0"),
    C("tier", "Tier", "רמה", CHOICE, choices=TIER_NAMES, computed=True, width=10),
    C("risk", "Risk", "סיכון", CHOICE, choices=RISKS, computed=True, width=8),
    C("risk_reasons", "Risk reasons", "סיבות סיכון", computed=True, width=36),
    C("vat_rate", "VAT rate", "שיעור מע״מ", PERCENT, min=0, max=100, width=9,
      note="contracts; blank = Settings VAT rate in the company's Country, else 0 (export)"),
    C("excludes", "Excludes", "לא כולל", computed=True, width=40,
      note="rows left out of this client's figures because of errors"),
), key="client_id")

CONTACTS = Table("Contacts", "Contacts", "אנשי קשר", (
    C("contact_id", "Contact ID", "מזהה איש קשר", required=True, unique=True, width=12),
    C("client_id", "Client ID", "מזהה לקוח", REF, required=True, ref="Clients", width=11),
    C("name", "Name", "שם", required=True, width=22),
    C("role", "Role", "תפקיד", width=18),
    C("email", "Email", "דוא״ל", width=26),
    C("phone", "Phone", "טלפון", width=16),
    C("preferred_channel", "Preferred channel", "ערוץ מועדף", CHOICE,
      choices=CONTACT_CHANNELS, width=12),
    C("primary", "Primary", "ראשי", YESNO, width=8, note="at most one per client"),
    C("birthday", "Birthday", "יום הולדת", DATE, width=11),
), key="contact_id")

INTERACTIONS = Table("Interactions", "Interactions", "יומן קשר", (
    C("date", "Date", "תאריך", DATE, required=True, not_future=True, width=11),
    C("client_id", "Client ID", "מזהה לקוח", REF, required=True, ref="Clients", width=11),
    C("contact_id", "Contact ID", "מזהה איש קשר", REF, ref="Contacts", width=12,
      note="must belong to that client"),
    C("channel", "Channel", "ערוץ", CHOICE, required=True, choices=CHANNELS, width=10),
    C("direction", "Direction", "כיוון", CHOICE, choices=DIRECTIONS, width=9),
    C("subject", "Subject", "נושא", width=30),
    C("outcome", "Outcome", "תוצאה", CHOICE, choices=OUTCOMES, width=14),
    C("next_step", "Next step", "הצעד הבא", width=26),
    C("next_step_date", "Next step date", "תאריך הצעד הבא", DATE, width=12,
      note="not before Date"),
    C("event_id", "Event ID", "מזהה אירוע", REF, ref="Events", width=10),
))

DEALS = Table("Deals", "Deals", "עסקאות", (
    C("deal_id", "Deal ID", "מזהה עסקה", required=True, unique=True, width=10),
    C("client_id", "Client ID", "מזהה לקוח", REF, required=True, ref="Clients", width=11),
    C("title", "Title", "כותרת", required=True, width=28),
    C("stage", "Stage", "שלב", CHOICE, required=True, choices=STAGES, width=14),
    C("amount", "Amount", "סכום", NUMBER, min=0, width=13),
    C("currency", "Currency", "מטבע", width=8,
      note="ISO 4217; blank = Settings; another needs a row in ExchangeRates"),
    C("probability", "Probability", "הסתברות", PERCENT, min=0, max=100, width=10,
      note="blank = Settings Stage probability"),
    C("expected_close", "Expected close", "סגירה צפויה", DATE, width=11),
    C("stage_since", "Stage since", "בשלב מאז", DATE, width=11),
    C("lost_reason", "Lost reason", "סיבת הפסד", width=20, note="required when Lost"),
    C("lost_to", "Lost to", "הפסד ל", REF, ref="Competitors", width=14),
    C("created", "Created", "נוצר", DATE, width=11),
    C("weighted_amount", "Weighted amount", "סכום משוקלל", NUMBER, computed=True, width=13,
      note="in Settings Currency"),
    C("last_quote", "Last quote", "הצעה אחרונה", width=14,
      note="filled by acctbook quote: the deal's latest QUO- number"),
), key="deal_id")

DEAL_ITEMS = Table("DealItems", "Deal items", "פריטי עסקה", (
    C("deal_id", "Deal ID", "מזהה עסקה", REF, required=True, ref="Deals", width=10),
    C("sku", "SKU", "מק״ט", REF, required=True, ref="Products", width=10),
    C("quantity", "Quantity", "כמות", NUMBER, min=0, min_exclusive=True, width=9),
    C("unit_price", "Unit price", "מחיר יחידה", NUMBER, min=0, width=11,
      note="in the deal's currency; blank = the product's list price, converted"),
    C("discount", "Discount", "הנחה", PERCENT, min=0, max=100, width=9),
))

ORDERS = Table("Orders", "Orders", "הזמנות", (
    C("order_id", "Order ID", "מזהה הזמנה", required=True, width=11),
    C("client_id", "Client ID", "מזהה לקוח", REF, required=True, ref="Clients", width=11),
    C("deal_id", "Deal ID", "מזהה עסקה", REF, ref="Deals", width=10),
    C("contract_id", "Contract ID", "מזהה חוזה", REF, ref="Contracts", width=14),
    C("order_date", "Order date", "תאריך הזמנה", DATE, required=True, width=11),
    C("sku", "SKU", "מק״ט", REF, ref="Products", width=10),
    C("quantity", "Quantity", "כמות", NUMBER, min=0, min_exclusive=True, width=9),
    C("unit_price", "Unit price", "מחיר יחידה", NUMBER, min=0, width=11),
    C("discount", "Discount", "הנחה", PERCENT, min=0, max=100, width=9),
    C("amount", "Amount", "סכום", NUMBER, width=12,
      note="blank = Quantity × Unit price × (1 − Discount/100)"),
    C("due_date", "Due date", "מועד אספקה", DATE, width=11, note="not before Order date"),
    C("delivered_on", "Delivered on", "סופק ב", DATE, width=11),
    C("delivered_qty", "Delivered qty", "כמות שסופקה", NUMBER, min=0, width=10,
      note="0..Quantity"),
    C("status", "Status", "סטטוס", CHOICE, choices=ORDER_STATUS, width=14),
    C("invoice_date", "Invoice date", "תאריך חשבונית", DATE, width=11,
      note="blank = Delivered on"),
    C("invoice_due", "Invoice due", "מועד תשלום", DATE, width=11,
      note="blank = Invoice date + the client's Payment terms"),
    C("paid_on", "Paid on", "שולם ב", DATE, width=11),
    C("delivery_note", "Delivery note", "תעודת משלוח", width=14,
      note="filled by acctbook delivery-note: the order's latest DN- number"),
    C("invoice_no", "Invoice no.", "מספר חשבונית", width=14,
      note="filled by acctbook invoice: the order's INV- number"),
))

CONTRACTS = Table("Contracts", "Contracts", "חוזים", (
    C("contract_id", "Contract ID", "מזהה חוזה", required=True, unique=True, width=14),
    C("client_id", "Client ID", "מזהה לקוח", REF, ref="Clients", width=11),
    C("deal_id", "Deal ID", "מזהה עסקה", REF, ref="Deals", width=10),
    C("template", "Template", "תבנית", width=16),
    C("status", "Status", "סטטוס", CHOICE, choices=CONTRACT_STATUS, width=10),
    C("start", "Start", "התחלה", DATE, width=11),
    C("end", "End", "סיום", DATE, width=11, note="after Start"),
    C("value", "Value", "ערך", NUMBER, width=13),
    C("discount", "Discount", "הנחה", PERCENT, min=0, max=100, width=9),
    C("payment_terms", "Payment terms", "תנאי תשלום", INTEGER, min=0, width=10),
    C("referral_clause", "Referral clause", "סעיף הפניות", YESNO, width=10),
    C("renewal_notice", "Renewal notice", "הודעת חידוש", INTEGER, min=0, width=10,
      note="days; blank = Settings"),
    C("signed_on", "Signed on", "נחתם ב", DATE, width=11, note="required when Signed"),
    C("file", "File", "קובץ", width=30),
    C("snapshot", "Snapshot", "תמונת מצב", width=30,
      note="written by acctbook contract: its items and terms, to compare a new version with"),
    C("state", "State", "מצב", CHOICE, choices=("Expired",), computed=True, width=9),
), key="contract_id")

COMPLAINTS = Table("Complaints", "Complaints", "תלונות", (
    C("case_id", "Case ID", "מזהה פנייה", required=True, unique=True, width=10),
    C("client_id", "Client ID", "מזהה לקוח", REF, required=True, ref="Clients", width=11),
    C("opened", "Opened", "נפתח", DATE, required=True, future_warns=True, width=11),
    C("channel", "Channel", "ערוץ", CHOICE, choices=CHANNELS, width=10),
    C("category", "Category", "קטגוריה", CHOICE, choices=CATEGORIES, width=11),
    C("severity", "Severity", "חומרה", CHOICE, choices=SEVERITIES, width=9),
    C("description", "Description", "תיאור", width=34),
    C("status", "Status", "סטטוס", CHOICE, choices=CASE_STATUS, width=11),
    C("resolved_on", "Resolved on", "נפתר ב", DATE, width=11,
      note="required when Resolved; not before Opened"),
    C("resolution", "Resolution", "פתרון", width=30),
    C("sla_due", "SLA due", "יעד SLA", DATE, computed=True, width=11),
    C("sla_status", "SLA status", "מצב SLA", CHOICE, choices=SLA_STATUS, computed=True, width=10),
), key="case_id")

PRODUCTS = Table("Products", "Products", "מוצרים", (
    C("sku", "SKU", "מק״ט", required=True, unique=True, width=10),
    C("name", "Name", "שם", required=True, width=28),
    C("category", "Category", "קטגוריה", width=14),
    C("list_price", "List price", "מחיר מחירון", NUMBER, min=0, width=11),
    C("unit", "Unit", "יחידה", width=8),
    C("active", "Active", "פעיל", YESNO, width=8),
    C("launched", "Launched", "הושק", DATE, width=11),
), key="sku")

COMPETITORS = Table("Competitors", "Competitors", "מתחרים", (
    C("competitor", "Competitor", "מתחרה", required=True, unique=True, width=20),
    C("segments", "Segments", "פלחים", width=20),
    C("strengths", "Strengths", "חוזקות", width=24),
    C("weaknesses", "Weaknesses", "חולשות", width=24),
    C("opportunities", "Opportunities", "הזדמנויות", width=24),
    C("threats", "Threats", "איומים", width=24),
    C("price_level", "Price level", "רמת מחיר", CHOICE, choices=PRICE_LEVELS, width=10),
    C("notes", "Notes", "הערות", width=24),
), key="competitor")

EVENTS = Table("Events", "Events", "אירועים", (
    C("event_id", "Event ID", "מזהה אירוע", required=True, unique=True, width=10),
    C("name", "Name", "שם", required=True, width=28),
    C("type", "Type", "סוג", CHOICE, choices=EVENT_TYPES, width=12),
    C("date", "Date", "תאריך", DATE, required=True, width=11),
    C("location", "Location", "מיקום", width=20),
), key="event_id")

# --- Settings sheet tables ------------------------------------------------------
SETTINGS_SHEET_EN, SETTINGS_SHEET_HE = "Settings", "הגדרות"


def _settings_table(name, columns, key=None):
    return Table(name, SETTINGS_SHEET_EN, SETTINGS_SHEET_HE, columns, key=key, settings=True)


SETTINGS = _settings_table("Settings", (
    C("setting", "Setting", "הגדרה", required=True, unique=True, width=24),
    C("value", "Value", "ערך", width=28),
), key="setting")
CADENCE = _settings_table("Cadence", (
    C("class", "Class", "סיווג", required=True, unique=True, width=10),
    C("days", "Days", "ימים", INTEGER, required=True, min=1, width=8),
), key="class")
STAGE_PROBABILITY = _settings_table("StageProbability", (
    C("stage", "Stage", "שלב", CHOICE, required=True, unique=True, choices=STAGES, width=14),
    C("probability", "Probability", "הסתברות", PERCENT, required=True, min=0, max=100, width=10),
), key="stage")
SLA = _settings_table("SLA", (
    C("severity", "Severity", "חומרה", CHOICE, required=True, unique=True, choices=SEVERITIES,
      width=10),
    C("business_days", "Business days", "ימי עסקים", INTEGER, required=True, min=0, width=10),
), key="severity")
TIERS = _settings_table("Tiers", (
    C("tier", "Tier", "רמה", required=True, unique=True, width=10),
    C("min_revenue_12m", "Min revenue 12m", "הכנסות מינימום 12 ח׳", NUMBER, required=True,
      min=0, width=14),
    C("discount", "Discount", "הנחה", PERCENT, min=0, max=100, width=9),
), key="tier")
WEIGHTS = _settings_table("Weights", (
    C("component", "Component", "רכיב", required=True, unique=True, width=12),
    C("weight", "Weight", "משקל", NUMBER, required=True, min=0, width=8),
))
HOLIDAYS = _settings_table("Holidays", (
    C("date", "Date", "תאריך", DATE, required=True, width=11),
    C("name", "Name", "שם", width=24),
))
# Added after the first release: last on the sheet, so the other tables keep their place.
EXCHANGE_RATES = _settings_table("ExchangeRates", (
    C("currency", "Currency", "מטבע", required=True, unique=True, width=9,
      note="ISO 4217, e.g. EUR"),
    C("rate", "Rate", "שער", NUMBER, required=True, min=0, min_exclusive=True, width=10,
      fmt="0.0000", note="units of Settings Currency for one unit of this currency"),
    C("as_of", "As of", "נכון ל־", DATE, required=True, width=11,
      note="the rate's date; contracts state it"),
), key="currency")

DATA_TABLES: tuple[Table, ...] = (CLIENTS, CONTACTS, INTERACTIONS, DEALS, DEAL_ITEMS, ORDERS,
                                  CONTRACTS, COMPLAINTS, PRODUCTS, COMPETITORS, EVENTS)
SETTINGS_TABLES: tuple[Table, ...] = (SETTINGS, CADENCE, STAGE_PROBABILITY, SLA, TIERS,
                                      WEIGHTS, HOLIDAYS, EXCHANGE_RATES)
ALL_TABLES: tuple[Table, ...] = DATA_TABLES + SETTINGS_TABLES
TABLES: dict[str, Table] = {t.name: t for t in ALL_TABLES}

# Score components, in docs/rules.md's order.
COMPONENTS = ("Revenue", "Growth", "Frequency", "Recency", "Pipeline")
COMPONENT_HE = {"Revenue": "הכנסות", "Growth": "צמיחה", "Frequency": "תדירות",
                "Recency": "עדכניות", "Pipeline": "צנרת"}


# --- Settings: the rows of the Settings table, described as data ----------------
@dataclass(frozen=True)
class Setting:
    key: str
    en: str
    he: str
    type: str = TEXT           # text | integer | number | percent | yesno | choice
    default: Any = None        # None = blank; callables get the country
    choices: tuple[str, ...] = ()
    note: str = ""
    min: float = 0             # numbers: the least valid value (counts of days are 0 or more)

    def label(self, lang: str) -> str:
        return self.he if lang == "he" else self.en


SETTING_ROWS: tuple[Setting, ...] = (
    Setting("manager_name", "Manager name", "שם המנהל"),
    Setting("manager_email", "Manager email", "דוא״ל המנהל"),
    Setting("company_name", "Company name", "שם החברה"),
    Setting("company_number", "Company number", "מספר החברה"),
    Setting("company_address", "Company address", "כתובת החברה"),
    Setting("company_phone", "Company phone", "טלפון החברה"),
    Setting("currency", "Currency", "מטבע", default="ILS"),
    Setting("country", "Country", "מדינה", default="IL"),
    Setting("vat_rate", "VAT rate", "שיעור מע״מ", PERCENT, default=None,
            note="blank = 18 for IL, else 0"),
    Setting("language", "Language", "שפה", CHOICE, default="en", choices=LANGUAGES),
    Setting("work_week", "Work week", "שבוע עבודה", CHOICE, default=None, choices=WORK_WEEKS,
            note="blank = Sun-Thu for IL, else Mon-Fri"),
    Setting("payment_terms", "Payment terms", "תנאי תשלום", INTEGER, default=30),
    Setting("a_threshold", "A threshold", "סף A", PERCENT, default=80),
    Setting("b_threshold", "B threshold", "סף B", PERCENT, default=95),
    Setting("retry_after_no_answer", "Retry after no answer", "ניסיון חוזר אחרי אין מענה",
            INTEGER, default=1, note="business days"),
    # 0 would call every open deal stale at once
    Setting("stale_deal_days", "Stale deal days", "ימים לעסקה תקועה", INTEGER, default=3,
            note="business days", min=1),
    Setting("delivery_check_days", "Delivery check days", "ימים לבדיקת אספקה", INTEGER,
            default=2, note="business days"),
    Setting("renewal_notice", "Renewal notice", "הודעת חידוש", INTEGER, default=60,
            note="days"),
    Setting("upcoming_window", "Upcoming window", "חלון קרוב", INTEGER, default=7, note="days"),
    Setting("referral_clause_default", "Referral clause default", "סעיף הפניות כברירת מחדל",
            YESNO, default=True),
    Setting("segments", "Segments", "פלחים", default="", note="comma-separated"),
    # Rows added after the first release go last, so a book's existing rows keep their place.
    Setting("growth_minimum_base", "Growth minimum base", "בסיס מינימלי לצמיחה", NUMBER,
            note="prior 12m revenue; blank = a quarter of the clients' median"),
    Setting("number_format", "Number format", "תבנית מספרים",
            note="a locale for documents' amounts and dates, e.g. de_DE, en_US, he_IL; "
                 "blank = the document's language"),
    Setting("quote_validity_days", "Quote validity days", "תוקף הצעת מחיר בימים", INTEGER,
            default=30, note="days", min=1),
    Setting("bank_details", "Bank details", "פרטי בנק",
            note="printed on invoices: bank, branch, account, IBAN"),
)
SETTING_BY_KEY = {s.key: s for s in SETTING_ROWS}

DEFAULT_CADENCE = (("A", 14), ("B", 30), ("C", 60), ("Prospect", 7), ("Dormant", 90))
DEFAULT_STAGE_PROBABILITY = (("Lead", 10), ("Qualified", 20), ("Needs analysis", 40),
                             ("Proposal", 60), ("Negotiation", 80), ("Won", 100), ("Lost", 0))
DEFAULT_SLA = (("High", 1), ("Medium", 2), ("Low", 5))
DEFAULT_TIERS = (("Platinum", 1_000_000, 10), ("Gold", 250_000, 7), ("Silver", 50_000, 3),
                 ("Standard", 0, 0))
DEFAULT_WEIGHTS = (("Revenue", 0.50), ("Growth", 0.15), ("Frequency", 0.15),
                   ("Recency", 0.10), ("Pipeline", 0.10))

# Generated sheets: rebuilt on every run (docs/workbook.md).
GENERATED_SHEETS = {
    "Home": ("Home", "בית"),
    "Today": ("Today", "היום"),
    "Rankings": ("Rankings", "דירוג"),
    "Problems": ("Problems", "בעיות"),
    "Segments": ("Segments", "פלחים"),
}


def generated_sheet(name: str, lang: str) -> str:
    en, he = GENERATED_SHEETS[name]
    return he if lang == "he" else en


# A hidden sheet of formulas made with the book (never read, never rewritten): the list
# behind Home's Deal drop-down, which Excel recalculates as Deals grows.
LISTS_SHEET = ("Lists", "רשימות")
DEAL_LIST_ROWS = 2000      # Deals rows the drop-down covers; a later deal can still be typed


def lists_sheet(lang: str) -> str:
    return LISTS_SHEET[lang == "he"]


# --- label lookups ---------------------------------------------------------------
# Invisible direction marks (LRM, RLM, embeddings, isolates, BOM) that pasting Hebrew
# drags along, and Hebrew gershayim/geresh typed for the ASCII quotes (מק״ט for מק"ט).
_FOLD_MAP = {**dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                      "\u2066\u2067\u2068\u2069\ufeff")),
             0x05F4: '"', 0x05F3: "'"}


def fold(text: str) -> str:
    """Header, choice and setting-name matching: trimmed, case-insensitive, blind to
    invisible direction marks and to Hebrew gershayim/geresh versus " and '."""
    return " ".join(str(text).translate(_FOLD_MAP).split()).casefold()


def header_index(table: Table) -> dict[str, str]:
    """Folded header text (either language) -> column key."""
    out: dict[str, str] = {}
    for c in table.columns:
        out[fold(c.en)] = c.key
        out[fold(c.he)] = c.key
    return out


def choice_index(values: tuple[str, ...]) -> dict[str, str]:
    """Folded choice value (either language) -> canonical English value."""
    out: dict[str, str] = {}
    for v in values:
        out[fold(v)] = v
        if v in CHOICE_HE:
            out[fold(CHOICE_HE[v])] = v
    return out


YESNO_INDEX = {**choice_index((YES, NO)), "y": YES, "n": NO, "true": YES, "false": NO,
               "1": YES, "0": NO}


def show_choice(value: str | None, lang: str) -> str | None:
    """A canonical choice value as the user sees it in a workbook of `lang`."""
    if value is None or lang != "he":
        return value
    return CHOICE_HE.get(value, value)


def setting_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for s in SETTING_ROWS:
        out[fold(s.en)] = s.key
        out[fold(s.he)] = s.key
    return out


def structured_ref(table: Table, key: str, lang: str) -> str:
    """`Clients[Client ID]`: a table column as the book's header names it (`[`, `]`, `#`
    and `'` in a header are escaped with `'`), for workbook names and formulas."""
    header = "".join("'" + ch if ch in "[]#'" else ch for ch in table.column(key).label(lang))
    return f"{table.name}[{header}]"


# --- generated sheets' tables (written by acctbook, never read as input) ------------
def _generated(name, sheet_en, sheet_he, columns):
    return Table(name, sheet_en, sheet_he, columns, generated=True)


TODAY = _generated("Today", "Today", "היום", (
    C("position", "#", "#", INTEGER, width=5),
    C("client_id", "Client ID", "מזהה לקוח", width=11),
    C("name", "Name", "שם", width=28),
    C("contact", "Contact", "איש קשר", width=20),
    C("phone", "Phone", "טלפון", width=16),
    C("channel", "Preferred channel", "ערוץ מועדף", CHOICE, choices=CONTACT_CHANNELS, width=12),
    C("follow_up_reason", "Follow-up reason", "סיבת מעקב", width=40),
    C("next_follow_up", "Next follow-up", "מעקב הבא", DATE, width=11),
    C("days_overdue", "Days overdue", "ימי איחור", INTEGER, width=9),
    C("last_contact", "Last contact", "קשר אחרון", DATE, width=11),
    C("class", "Class", "סיווג", width=7),
    C("open_pipeline", "Open deals (weighted)", "עסקאות פתוחות (משוקלל)", NUMBER, width=14),
    C("open_complaints", "Open complaints", "תלונות פתוחות", INTEGER, width=10),
))

RANKINGS = _generated("Rankings", "Rankings", "דירוג", (
    C("rank", "Rank", "דירוג", INTEGER, width=6),
    C("client_id", "Client ID", "מזהה לקוח", width=11),
    C("name", "Name", "שם", width=28),
    C("class", "Class", "סיווג", width=7),
    C("tier", "Tier", "רמה", CHOICE, choices=TIER_NAMES, width=10),
    C("score", "Score", "ציון", NUMBER, width=7, fmt="0.0"),
    C("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳", NUMBER, width=13),
    C("revenue_prior", "Revenue prior 12m", "הכנסות 12 ח׳ קודמים", NUMBER, width=13),
    C("growth", "Growth", "צמיחה", NUMBER, width=9, fmt="0.0%"),
    C("growth_note", "Growth note", "הערת צמיחה", width=11),
    C("frequency", "Orders 12m", "הזמנות 12 ח׳", INTEGER, width=9),
    C("recency_days", "Days since last order", "ימים מההזמנה האחרונה", INTEGER, width=10),
    C("pipeline", "Pipeline (weighted)", "צנרת (משוקלל)", NUMBER, width=13),
    C("pts_revenue", "Revenue points", "נקודות הכנסות", NUMBER, width=9, fmt="0.0"),
    C("pts_growth", "Growth points", "נקודות צמיחה", NUMBER, width=9, fmt="0.0"),
    C("pts_frequency", "Frequency points", "נקודות תדירות", NUMBER, width=9, fmt="0.0"),
    C("pts_recency", "Recency points", "נקודות עדכניות", NUMBER, width=9, fmt="0.0"),
    C("pts_pipeline", "Pipeline points", "נקודות צנרת", NUMBER, width=9, fmt="0.0"),
    C("offer_next", "Offer next", "מוצר להציע", width=28, note="SKU · Name to offer first"),
    C("excludes", "Excludes", "לא כולל", width=40,
      note="rows left out of this client's figures because of errors"),
))

PROBLEMS = _generated("Problems", "Problems", "בעיות", (
    C("severity", "Severity", "חומרה", width=9),
    C("code", "Code", "קוד", width=18),
    C("sheet", "Sheet", "גיליון", width=14),
    C("cell", "Cell", "תא", width=8),
    C("column", "Column", "עמודה", width=16),
    C("value", "Value", "ערך", width=20),
    C("message", "Message", "הודעה", width=60),
))


def _segment_table(name: str, key: str, en: str, he: str) -> Table:
    """Segments and Regions: one sheet, the same figures (docs/rules.md, section 14)."""
    return _generated(name, "Segments", "פלחים", (
        C(key, en, he, width=18, note="(none): clients with it blank"),
        C("clients", "Clients", "לקוחות", INTEGER, width=9, note="Active and Prospect clients"),
        C("key_accounts", "Key accounts", "לקוחות מפתח", INTEGER, width=10, note="of those, Class A"),
        C("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳", NUMBER, width=13, note="Lost clients too"),
        C("growth", "Growth", "צמיחה", NUMBER, width=9, fmt="0.0%", note="blank below the growth base"),
        C("share", "Share", "נתח הכנסות", NUMBER, width=9, fmt="0.0%", note="of all Revenue 12m"),
        C("weighted_pipeline", "Weighted pipeline", "צנרת משוקללת", NUMBER, width=14),
        C("won_12m", "Won 12m", "נסגרו בהצלחה 12 ח׳", INTEGER, width=9, note="by Stage since"),
        C("lost_12m", "Lost 12m", "אבדו 12 ח׳", INTEGER, width=9, note="by Stage since"),
        C("win_rate", "Win rate", "שיעור הצלחה", NUMBER, width=9, fmt="0.0%", note="Won ÷ (Won + Lost)"),
        C("open_complaints", "Open complaints", "תלונות פתוחות", INTEGER, width=10)))


SEGMENTS = _segment_table("Segments", "segment", "Segment", "פלח")
REGIONS = _segment_table("Regions", "region", "Region", "אזור")
# A generated table beside another on its sheet: right of it after one blank column this wide.
BESIDE, BESIDE_GAP_WIDTH = {"Regions": "Segments"}, 3.0
GENERATED_TABLES: tuple[Table, ...] = (TODAY, RANKINGS, SEGMENTS, REGIONS, PROBLEMS)

# The Brief button's sheet: the chosen client's brief as rows (core/brief.py brief_rows),
# rebuilt whole on each press; made on the first press, never by refresh.
BRIEF = _generated("Brief", "Brief", "תדריך", (
    C("section", "Section", "נושא", width=18),
    C("item", "Item", "פריט", width=30),
    C("detail", "Detail", "פרטים", width=60),
    C("amount", "Amount", "סכום", NUMBER, width=13),
    C("date", "Date", "תאריך", DATE, width=11),
))

# --- the log: what acctbook wrote, kept in the book (docs/workbook.md, "History") ----------
# Appended to by every write, never rebuilt nor read as input (check and refresh skip it);
# kept to the last HISTORY_KEEP rows. Not in TABLES: a book without it is still a book.
HISTORY_KEEP = 5000
HISTORY = Table("History", "History", "היסטוריה", (
    C("when", "When", "מתי", DATE, width=17, fmt="yyyy-mm-dd hh:mm",
      note="the --today date when one is given, else the clock"),
    C("command", "Command", "פקודה", width=12, note="refresh, contract, report, import, ..."),
    C("where_from", "Where from", "הופעל מ־", width=14, note="CLI, desktop button or Lite"),
    C("version", "acctbook version", "גרסת acctbook", width=10),
    C("user", "User", "משתמש", width=14, note="the system's user name; blank in Lite"),
    C("cells_changed", "Cells changed", "תאים ששונו", INTEGER, width=9),
    C("rows_added", "Rows added", "שורות שנוספו", INTEGER, width=9),
    C("documents", "Documents written", "מסמכים שנכתבו", INTEGER, width=10),
    C("errors", "Errors", "שגיאות", INTEGER, width=8),
    C("details", "Details", "פרטים", width=60, note="a line per changed record"),
))
LOG_TABLES: tuple[Table, ...] = (HISTORY,)
# The Command and Where from words as a Hebrew book shows them (the stored English is the
# command's own name; reading accepts either).
HISTORY_WORDS_HE = {
    "refresh": "רענון", "check": "בדיקה", "contract": "חוזה", "report": "דוח חודשי",
    "quote": "הצעת מחיר", "import": "ייבוא", "upgrade": "שדרוג", "brief": "תדריך",
    "delivery-note": "תעודת משלוח", "invoice": "חשבונית",
    "CLI": "שורת הפקודה", "desktop button": "כפתור ב־Excel", "Lite": "xlwings Lite",
}

# Home: a title, then KPI labels in column A and their values in column B from
# HOME_FIRST_ROW down; refresh writes the values into those cells only (and, in column C
# beside Revenue 12m and Weighted pipeline, how many rows with errors each leaves out:
# core/plan.py home_notes), so the buttons and anything else on Home stay untouched.
HOME_TITLE = ("acctbook — key accounts", "acctbook — לקוחות מפתח")
HOME_FIRST_ROW = 4
HOME_KPIS: tuple[tuple[str, str, str], ...] = (
    ("refreshed", "Refreshed for", "רענון לתאריך"),
    ("active_clients", "Active clients", "לקוחות פעילים"),
    ("calls_overdue", "Follow-ups overdue", "מעקבים באיחור"),
    ("calls_today", "Follow-ups due today", "מעקבים להיום"),
    ("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳"),
    ("weighted_pipeline", "Weighted pipeline", "צנרת משוקללת"),
    ("open_complaints", "Open complaints", "תלונות פתוחות"),
    ("high_risk", "High-risk clients", "לקוחות בסיכון גבוה"),
    ("errors", "Errors in the book", "שגיאות בחוברת"),
    ("warnings", "Warnings", "אזהרות"),
)
HOME_BUTTONS: tuple[tuple[str, str, str], ...] = (
    ("refresh", "Refresh", "רענון"),
    ("check", "Check", "בדיקה"),
    ("contract", "Contract", "חוזה"),
    ("quote", "Quote", "הצעת מחיר"),
    ("monthly_report", "Monthly report", "דוח חודשי"),
    ("brief", "Brief", "תדריך"),
)
# Home: the Monthly report's month is read from column B of this row (blank = the last
# full month); create/workbook.py writes its label. Two rows below the last KPI.
REPORT_MONTH_ROW = HOME_FIRST_ROW + len(HOME_KPIS) + 1
REPORT_MONTH_LABEL = ("Report month (YYYY-MM)", "חודש הדוח (YYYY-MM)")
# The Contract button's deal, one row below: picked from the drop-down ("D-0110 · Acme
# Ltd", listed on the hidden Lists sheet) or a Deal ID typed. DEAL_NAME points at the cell.
DEAL_ROW = REPORT_MONTH_ROW + 1
DEAL_LABEL = ("Deal", "עסקה")
DEAL_NAME = "acctbook_deal"
# The Brief button's client, one row below the Deal: picked from the drop-down of the
# clients' names (the workbook name CLIENT_LIST = Clients[Name], which grows with the table)
# or a Client ID typed. CLIENT_NAME points at the cell.
CLIENT_ROW = DEAL_ROW + 1
CLIENT_LABEL = ("Client", "לקוח")
CLIENT_NAME = "acctbook_client"
CLIENT_LIST = "acctbook_client_list"
# Home's inputs: (the workbook name of the cell or None, its row, its label). Upgrade adds a
# missing one with its name and drop-down as a new book has them.
HOME_INPUTS: tuple[tuple[str | None, int, tuple[str, str]], ...] = (
    (None, REPORT_MONTH_ROW, REPORT_MONTH_LABEL), (DEAL_NAME, DEAL_ROW, DEAL_LABEL),
    (CLIENT_NAME, CLIENT_ROW, CLIENT_LABEL))
