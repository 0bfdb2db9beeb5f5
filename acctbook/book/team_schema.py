"""The team workbook's tables, as data (`acctbook team`, docs/team.md): the head of sales'
roll-up over many managers' books. Each table is a Table of C columns, as the workbook's own
schema (book/columns.py), so the team workbook's writer, its JSON and docs/team.md all come
from this one description; a figure added later (a forecast, an attainment) is a column
appended here and a value of the same key in core/team.py.

The team workbook is a new file acctbook makes (never a manager's book, never read back as
input); its table names are fixed, its sheet names and headers follow its language.
"""

from __future__ import annotations

from acctbook.book.columns import (CHOICE, CLASSES, CLIENT_STATUS, DATE, INTEGER, NUMBER,
                                   OPEN_STAGES, C, Table)

MONEY_NOTE = "in the book's Settings Currency (the Currency column)"
PERCENT = "0.0%"                 # rates are fractions, shown as percents
WHEN = "yyyy-mm-dd hh:mm"


def _team(name: str, en: str, he: str, columns) -> Table:
    return Table(name, en, he, tuple(columns), generated=True)


# One row per manager's book, in the order the books were given. The figures follow the
# issue's order of meaning; new ones are appended (the Currency column stays last).
MANAGERS = _team("Managers", "Managers", "מנהלים", (
    C("manager", "Manager", "מנהל/ת", width=20,
      note="Settings Manager name; the file name (without .xlsx) when blank"),
    C("book", "Book", "חוברת", width=22,
      note="the workbook's file name (its path as given when two books share a name)"),
    C("clients", "Clients", "לקוחות", INTEGER, width=9,
      note="Active and Prospect clients, as the Segments sheet counts them"),
    C("key_accounts", "Key accounts", "לקוחות מפתח", INTEGER, width=10,
      note="of those, Class A"),
    C("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳", NUMBER, width=14,
      note="the sum of Clients' Revenue 12m (Lost clients too), " + MONEY_NOTE),
    C("growth", "Growth", "צמיחה", NUMBER, width=9, fmt=PERCENT,
      note="Revenue 12m ÷ the revenue of the 12 months before − 1; blank when those had none"),
    C("weighted_pipeline", "Weighted pipeline", "צנרת משוקללת", NUMBER, width=14,
      note="the sum of the open deals' Weighted amount (Deals), " + MONEY_NOTE),
    C("won_month", "Won this month", "נסגרו בהצלחה החודש", INTEGER, width=10,
      note="deals Won from the 1st of the month to today, by Stage since (blank: Created)"),
    C("lost_month", "Lost this month", "אבדו החודש", INTEGER, width=10,
      note="deals Lost in the same days"),
    C("win_rate", "Win rate", "שיעור הצלחה", NUMBER, width=9, fmt=PERCENT,
      note="Won ÷ (Won + Lost) this month; blank when none was won or lost"),
    C("overdue", "Follow-ups overdue", "מעקבים באיחור", INTEGER, width=10,
      note="clients whose Follow-up status is Overdue"),
    C("due_today", "Due today", "מעקבים להיום", INTEGER, width=9,
      note="clients whose Follow-up status is Today"),
    C("a_past_cadence", "A past cadence", "לקוחות A מעבר לתדירות", INTEGER, width=10,
      note="Class A clients (not Lost) whose Cadence date (docs/rules.md, rule 7: the last "
           "answered interaction, else Created, + their Cadence days) is before today"),
    C("open_complaints", "Open complaints", "תלונות פתוחות", INTEGER, width=10,
      note="complaints not Resolved"),
    C("sla_met", "SLA met %", "% עמידה ב־SLA", NUMBER, width=9, fmt=PERCENT,
      note="of the complaints resolved in the last 12 months, the share whose SLA status "
           "is Met; blank when none was resolved"),
    C("errors", "Errors", "שגיאות", INTEGER, width=8,
      note="the errors acctbook check finds; rows with errors are left out of the "
           "figures as refresh leaves them out"),
    C("last_refresh", "Last refresh", "רענון אחרון", DATE, width=17, fmt=WHEN,
      note="the latest refresh in the book's History, else the file's modification time"),
    C("revenue_target", "Revenue target", "יעד הכנסות", NUMBER, width=14,
      note="this month's, from the book's Settings Targets (docs/rules.md, section 17)"),
    C("attainment", "Attainment", "עמידה ביעד", NUMBER, width=10, fmt=PERCENT,
      note="this month's revenue to date ÷ its Revenue target"),
    C("forecast", "Forecast", "תחזית", NUMBER, width=14,
      note="this month: revenue to date + the weighted pipeline expected to close in it"),
    C("currency", "Currency", "מטבע", width=8,
      note="the book's Settings Currency: this row's amounts are in it"),
))

# The open deals of every book by stage (and by Currency, when the books have several).
PIPELINE_BY_STAGE = _team("PipelineByStage", "Pipeline by stage", "צנרת לפי שלב", (
    C("stage", "Stage", "שלב", CHOICE, choices=OPEN_STAGES, width=16),
    C("deals", "Deals", "עסקאות", INTEGER, width=9, note="open deals"),
    C("amount", "Amount", "סכום", NUMBER, width=15, note="their Amount, " + MONEY_NOTE),
    C("weighted", "Weighted pipeline", "צנרת משוקללת", NUMBER, width=15,
      note="their Weighted amount"),
    C("currency", "Currency", "מטבע", width=8),
))

# The same open deals by the month of their Expected close; blank: a row of its own, last.
PIPELINE_BY_MONTH = _team("PipelineByMonth", "Pipeline by month", "צנרת לפי חודש", (
    C("month", "Expected close", "סגירה צפויה", width=14,
      note="YYYY-MM of the deal's Expected close; (none) when it is blank"),
    C("deals", "Deals", "עסקאות", INTEGER, width=9),
    C("amount", "Amount", "סכום", NUMBER, width=15, note=MONEY_NOTE),
    C("weighted", "Weighted pipeline", "צנרת משוקללת", NUMBER, width=15),
    C("currency", "Currency", "מטבע", width=8),
))

# The same client in two (or more) managers' books: a row per book row, numbered by conflict.
CONFLICTS = _team("Conflicts", "Conflicts", "התנגשויות", (
    C("conflict", "Conflict", "התנגשות", INTEGER, width=9,
      note="the rows of one client share this number"),
    C("matched_on", "Matched on", "זוהה לפי", width=17,
      note="Company number (the same, spaces and dashes aside), or Name (the same after "
           "ignoring case, punctuation and legal suffixes) where one of them has no number"),
    C("manager", "Manager", "מנהל/ת", width=20),
    C("book", "Book", "חוברת", width=22),
    C("row", "Row", "שורה", INTEGER, width=7, note="the client's row on the book's Clients sheet"),
    C("client_id", "Client ID", "מזהה לקוח", width=11),
    C("name", "Name", "שם", width=28),
    C("company_number", "Company number", "מספר חברה", width=14),
    C("status", "Status", "סטטוס", CHOICE, choices=CLIENT_STATUS, width=10),
    C("class", "Class", "סיווג", CHOICE, choices=CLASSES, width=7),
    C("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳", NUMBER, width=14),
    C("last_contact", "Last contact", "קשר אחרון", DATE, width=11),
))

# Each manager's five most overdue key accounts (Class A, Follow-up status Overdue).
TOP_OVERDUE = _team("TopOverdue", "Top overdue", "לקוחות מפתח באיחור", (
    C("manager", "Manager", "מנהל/ת", width=20),
    C("book", "Book", "חוברת", width=22),
    C("position", "#", "#", INTEGER, width=5,
      note="most days overdue first, then the higher Revenue 12m"),
    C("client_id", "Client ID", "מזהה לקוח", width=11),
    C("name", "Name", "שם", width=28),
    C("revenue_12m", "Revenue 12m", "הכנסות 12 ח׳", NUMBER, width=14),
    C("next_follow_up", "Next follow-up", "מעקב הבא", DATE, width=11),
    C("days_overdue", "Days overdue", "ימי איחור", INTEGER, width=9),
    C("follow_up_reason", "Follow-up reason", "סיבת מעקב", width=40,
      note="in the book's language"),
    C("contact", "Contact", "איש קשר", width=20),
    C("phone", "Phone", "טלפון", width=16),
))

# The books that could not be read, and why: the others are in the tables above.
UNREAD = _team("Unread", "Not read", "לא נקראו", (
    C("book", "Book", "חוברת", width=40, note="the path as given"),
    C("why", "Why", "סיבה", width=80),
))

TEAM_TABLES: tuple[Table, ...] = (MANAGERS, PIPELINE_BY_STAGE, PIPELINE_BY_MONTH, CONFLICTS,
                                  TOP_OVERDUE, UNREAD)
TOP_N = 5                        # key accounts per manager on TopOverdue
