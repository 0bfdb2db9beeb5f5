"""The words the schema is written in: column types, the Column and Table records, the
choice lists and their Hebrew. acctbook.book.schema builds every table from these and
re-exports them, so callers name them as schema.X.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "he")

# Column types (each column's type is listed in docs/workbook.md).
TEXT, DATE, NUMBER, INTEGER, PERCENT, CHOICE, YESNO, REF = (
    "text", "date", "number", "integer", "percent", "choice", "yesno", "ref")


# Excel number formats by type (a column's `fmt` overrides): the template's columns and
# the generated sheets show numbers the same way.
TYPE_FORMATS = {DATE: "yyyy-mm-dd", NUMBER: "#,##0.00", INTEGER: "0",
                # "0.##" would show 80 as "80." in Excel and LibreOffice; General shows 80, 12.5.
                PERCENT: "General"}


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    he: str
    type: str = TEXT
    required: bool = False
    unique: bool = False
    choices: tuple[str, ...] = ()      # canonical (English) values
    choices_setting: str | None = None  # choices come from a Settings list
    ref: str | None = None              # table name whose key this must match
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    not_future: bool = False
    future_warns: bool = False          # a later date is likely a typo: a warning, still used
    computed: bool = False
    width: int = 14
    note: str = ""                      # short rule text for docs and comments
    fmt: str | None = None              # Excel number format, when not the type's own

    def label(self, lang: str) -> str:
        return self.he if lang == "he" else self.en

    @property
    def number_format(self) -> str | None:
        return self.fmt or TYPE_FORMATS.get(self.type)


@dataclass(frozen=True)
class Table:
    name: str        # fixed table (ListObject) name, every language
    sheet_en: str
    sheet_he: str
    columns: tuple[Column, ...]
    key: str | None = None   # the column other tables reference
    settings: bool = False   # lives on the Settings sheet
    generated: bool = False

    def sheet(self, lang: str) -> str:
        return self.sheet_he if lang == "he" else self.sheet_en

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def computed(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.computed)


def C(key, en, he, type=TEXT, **kw) -> Column:
    return Column(key, en, he, type, **kw)


# --- choice lists -----------------------------------------------------------
CLIENT_STATUS = ("Prospect", "Active", "Dormant", "Lost")
SOURCES = ("Referral", "Exhibition", "Cold call", "Website", "Partner", "Other")
LANGUAGES = ("en", "he")
FOLLOW_UP_STATUS = ("Overdue", "Today", "This week", "Later")
CLASSES = ("A", "B", "C")
RISKS = ("Low", "Medium", "High")
CONTACT_CHANNELS = ("Phone", "Email", "Chat", "Fax", "Mail", "Meeting")
CHANNELS = ("Phone", "Email", "Meeting", "Chat", "Fax", "Mail", "Event")
DIRECTIONS = ("In", "Out")
OUTCOMES = ("Reached", "No answer", "Meeting set", "Proposal sent", "Order",
            "Complaint", "Declined", "Info sent")
STAGES = ("Lead", "Qualified", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost")
OPEN_STAGES = STAGES[:5]
ORDER_STATUS = ("Open", "Partly delivered", "Delivered", "Cancelled")
CONTRACT_STATUS = ("Draft", "Sent", "Signed", "Expired", "Cancelled", "Superseded")
CATEGORIES = ("Quality", "Delivery", "Billing", "Price", "Service", "Other")
SEVERITIES = ("High", "Medium", "Low")
CASE_STATUS = ("Open", "In progress", "Resolved")
SLA_STATUS = ("Met", "Missed", "Open", "Overdue")
PRICE_LEVELS = ("Lower", "Similar", "Higher")
EVENT_TYPES = ("Exhibition", "Fair", "Presentation", "Webinar")
CAMPAIGN_TYPES = ("Promotion", "New product", "Event invitation", "Newsletter")
CAMPAIGN_CHANNELS = ("Email", "Mail")                 # the Interactions channels a campaign uses
AUDIENCE_LANGUAGES = ("en", "he", "any")
RSVP = ("Yes", "No", "Maybe")
TIER_NAMES = ("Platinum", "Gold", "Silver", "Standard")
# The prospect score's signals (Settings ProspectPoints; docs/rules.md, section 18).
PROSPECT_SIGNALS = ("Win rate", "Touch", "Meeting", "Reply", "Event attended", "Engagement cap",
                    "Open deal", "Referred by A", "No company number", "Bad check digit",
                    "Free-mail address", "Unanswered x3", "Late-paying referrer")
WORK_WEEKS = ("Sun-Thu", "Mon-Fri")
YES, NO = "Yes", "No"

# Hebrew display of choice values; reading accepts either language.
CHOICE_HE: dict[str, str] = {
    "Prospect": "ליד", "Active": "פעיל", "Dormant": "רדום", "Lost": "אבוד",
    "Referral": "הפניה", "Exhibition": "תערוכה", "Cold call": "שיחה קרה",
    "Website": "אתר", "Partner": "שותף", "Other": "אחר",
    "Overdue": "באיחור", "Today": "היום", "This week": "השבוע", "Later": "בהמשך",
    "Low": "נמוך", "Medium": "בינוני", "High": "גבוה",
    "Phone": "טלפון", "Email": "דוא״ל", "Chat": "צ׳אט", "Fax": "פקס",
    "Mail": "דואר", "Meeting": "פגישה", "Event": "אירוע",
    "In": "נכנס", "Out": "יוצא",
    "Reached": "הושג", "No answer": "אין מענה", "Meeting set": "נקבעה פגישה",
    "Proposal sent": "נשלחה הצעה", "Order": "הזמנה", "Complaint": "תלונה",
    "Declined": "סירב", "Info sent": "נשלח מידע",
    "Lead": "ליד ראשוני", "Qualified": "מוסמך", "Needs analysis": "ניתוח צרכים",
    "Proposal": "הצעה", "Negotiation": "משא ומתן", "Won": "נסגר בהצלחה",
    "Open": "פתוח", "Partly delivered": "סופק חלקית", "Delivered": "סופק",
    "Cancelled": "בוטל",
    "Draft": "טיוטה", "Sent": "נשלח", "Signed": "נחתם", "Expired": "פג תוקף",
    "Superseded": "הוחלף",
    "Quality": "איכות", "Delivery": "אספקה", "Billing": "חיוב", "Price": "מחיר",
    "Service": "שירות",
    "In progress": "בטיפול", "Resolved": "נפתר",
    "Met": "עמד", "Missed": "לא עמד",
    "Lower": "נמוך יותר", "Similar": "דומה", "Higher": "גבוה יותר",
    "Fair": "יריד", "Presentation": "מצגת", "Webinar": "וובינר",
    "Platinum": "פלטינום", "Gold": "זהב", "Silver": "כסף", "Standard": "רגיל",
    "Yes": "כן", "No": "לא",
    "Promotion": "מבצע", "New product": "מוצר חדש", "Event invitation": "הזמנה לאירוע",
    "Newsletter": "ידיעון", "Maybe": "אולי", "any": "כל שפה",
    "Win rate": "שיעור הצלחה", "Touch": "פנייה", "Reply": "מענה מהלקוח",
    "Event attended": "השתתפות באירוע", "Engagement cap": "תקרת מעורבות",
    "Open deal": "עסקה פתוחה", "Referred by A": "הופנה על ידי לקוח A",
    "No company number": "אין מספר חברה", "Bad check digit": "ספרת ביקורת שגויה",
    "Free-mail address": "דוא״ל חינמי", "Unanswered x3": "3 פניות ללא מענה",
    "Late-paying referrer": "ממליץ שמאחר בתשלום",
}
# "Lost" is both a client status and a deal stage; one Hebrew word serves both.
