"""The sheets acctbook writes, as data: the generated sheets' tables (rebuilt on every
refresh, never read as input), the Brief sheet, the History log, and Home's layout (its
figures, buttons and inputs). acctbook.book.schema names them all (schema.TODAY, ...).
"""

from __future__ import annotations

from acctbook.book.columns import (CHOICE, CONTACT_CHANNELS, DATE, INTEGER, NUMBER, TIER_NAMES,
                                   C, Table)


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

# Loyalty and referral bonuses this year, per client (docs/rules.md, section 20).
LOYALTY_BALANCES = _generated("LoyaltyBalances", "Loyalty", "נאמנות", (
    C("client_id", "Client ID", "מזהה לקוח", width=11),
    C("name", "Name", "שם", width=28),
    C("tier", "Tier", "רמה", CHOICE, choices=TIER_NAMES, width=10),
    C("paid_revenue", "Paid this year", "שולם השנה", NUMBER, width=13,
      note="order lines whose Paid on is in this year"),
    C("bonus_pct", "Bonus %", "בונוס %", NUMBER, width=8, fmt="0.0%",
      note="Settings Loyalty, by the client's Tier"),
    C("loyalty_bonus", "Loyalty bonus", "בונוס נאמנות", NUMBER, width=12),
    C("referred", "Referred clients", "לקוחות שהופנו", INTEGER, width=9,
      note="clients whose Referred by is this one"),
    C("referral_revenue", "Referred revenue paid", "הכנסות מהפניות ששולמו", NUMBER, width=13,
      note="their orders in their first year, paid this year"),
    C("referral_bonus", "Referral bonus", "בונוס הפניה", NUMBER, width=12,
      note="Settings Referral bonus % of that"),
    C("earned", "Earned", "נצבר", NUMBER, width=12),
    C("paid_out", "Paid out", "שולם", NUMBER, width=12, note="Bonus payments dated this year"),
    C("balance_due", "Balance due", "יתרה לתשלום", NUMBER, width=12),
))
GENERATED_TABLES: tuple[Table, ...] = (TODAY, RANKINGS, SEGMENTS, REGIONS, LOYALTY_BALANCES,
                                       PROBLEMS)

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
    "delivery-note": "תעודת משלוח", "invoice": "חשבונית", "campaign": "קמפיין",
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
