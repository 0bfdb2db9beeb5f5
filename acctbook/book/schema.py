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
    WORK_WEEKS, YES, NO, CHOICE_HE, CAMPAIGN_TYPES, CAMPAIGN_CHANNELS, AUDIENCE_LANGUAGES, RSVP,
    PROSPECT_SIGNALS,
    Column, Table, C)


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
    # Forecasting cooperation (docs/rules.md, sections 18 and 19)
    C("prospect_score", "Prospect score", "ציון ליד", INTEGER, computed=True, width=9,
      note="Prospects only: 0-100, the points in Prospect reasons added up"),
    C("prospect_reasons", "Prospect reasons", "סיבות ציון ליד", computed=True, width=40),
    C("expected_order", "Expected order", "הזמנה צפויה", DATE, computed=True, width=11,
      note="last order + the median gap between orders (3 order dates or more)"),
    C("forecast_12m", "Forecast 12m", "תחזית 12 ח׳", NUMBER, computed=True, width=13,
      note="revenue expected in the next 12 months: run-rate and its trend"),
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
    C("marketing_consent", "Marketing consent", "הסכמה לדיוור", YESNO, width=10,
      note="Yes = agreed to advertising (Israel's Communications Law §30A, the GDPR); "
           "blank = unknown: no advertising"),
    C("consent_date", "Consent date", "תאריך הסכמה", DATE, not_future=True, width=11),
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
    C("campaign_id", "Campaign ID", "מזהה קמפיין", REF, ref="Campaigns", width=11,
      note="written by acctbook campaign: the campaign this message belongs to"),
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

# Promotions and invitations (docs/campaigns.md): the audience is every client that matches
# each filled filter; a blank filter matches all (Statuses blank = Active).
CAMPAIGNS = Table("Campaigns", "Campaigns", "קמפיינים", (
    C("campaign_id", "Campaign ID", "מזהה קמפיין", required=True, unique=True, width=11),
    C("name", "Name", "שם", required=True, width=26),
    C("type", "Type", "סוג", CHOICE, required=True, choices=CAMPAIGN_TYPES, width=14),
    C("sku", "SKU", "מק״ט", REF, ref="Products", width=10, note="the product it is about"),
    C("event_id", "Event ID", "מזהה אירוע", REF, ref="Events", width=10,
      note="required for an Event invitation"),
    C("channel", "Channel", "ערוץ", CHOICE, required=True, choices=CAMPAIGN_CHANNELS, width=9),
    C("segments", "Segments", "פלחים", width=16, note="comma-separated; blank = all"),
    C("classes", "Classes", "סיווגים", width=9, note="e.g. A,B; blank = all"),
    C("tiers", "Tiers", "רמות", width=12, note="comma-separated; blank = all"),
    C("statuses", "Statuses", "סטטוסים", width=12, note="comma-separated; blank = Active"),
    C("regions", "Regions", "אזורים", width=12, note="comma-separated; blank = all"),
    C("language", "Language", "שפה", CHOICE, choices=AUDIENCE_LANGUAGES, width=8,
      note="the client's Language; blank = any"),
    C("subject", "Subject", "נושא", width=30, note="blank = the campaign's Name"),
    C("template", "Template", "תבנית", width=18,
      note="a file in Settings Templates folder or acctbook's templates; blank = by Type and "
           "language"),
    C("planned_on", "Planned on", "מתוכנן ל־", DATE, width=11),
    C("sent_on", "Sent on", "נשלח ב־", DATE, computed=True, width=11,
      note="the first message's date (its Interactions rows)"),
    C("recipients", "Recipients", "נמענים", INTEGER, computed=True, width=9),
    C("responses", "Responses", "תגובות", INTEGER, computed=True, width=9,
      note="audience clients with an inbound interaction or a new deal within 30 days"),
    C("deals", "Deals", "עסקאות", INTEGER, computed=True, width=8,
      note="new deals of audience clients within 30 days"),
), key="campaign_id")

ATTENDANCE = Table("Attendance", "Attendance", "נוכחות", (
    C("event_id", "Event ID", "מזהה אירוע", REF, required=True, ref="Events", width=10),
    C("contact_id", "Contact ID", "מזהה איש קשר", REF, required=True, ref="Contacts", width=12),
    C("client_id", "Client ID", "מזהה לקוח", REF, ref="Clients", width=11,
      note="the contact's client"),
    C("invited_on", "Invited on", "הוזמן ב־", DATE, width=11),
    C("rsvp", "RSVP", "אישור הגעה", CHOICE, choices=RSVP, width=9),
    C("attended", "Attended", "הגיע", YESNO, width=9),
))

# Loyalty and referral bonuses paid out (docs/rules.md, section 20): the Loyalty sheet
# subtracts them, in the year of their Date.
BONUS_PAYMENTS = Table("BonusPayments", "Bonus payments", "תשלומי בונוס", (
    C("client_id", "Client ID", "מזהה לקוח", REF, required=True, ref="Clients", width=11),
    C("date", "Date", "תאריך", DATE, required=True, not_future=True, width=11,
      note="the year it settles is this date's year"),
    C("amount", "Amount", "סכום", NUMBER, required=True, min=0, width=13,
      note="in Settings Currency"),
    C("note", "Note", "הערה", width=36),
))

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
# Targets and the forecast (docs/rules.md, section 17), added after ExchangeRates: last too.
STAGE_DAYS = _settings_table("StageDays", (
    C("stage", "Stage", "שלב", CHOICE, required=True, unique=True, choices=OPEN_STAGES, width=14),
    C("typical_days", "Typical days", "ימים אופייניים", INTEGER, required=True, min=0, width=10,
      note="calendar days from reaching the stage to the close; a blank Expected close "
           "counts as Stage since + these"),
), key="stage")
TARGETS = _settings_table("Targets", (
    C("period", "Period", "תקופה", required=True, unique=True, width=10, fmt="@",
      note="a month YYYY-MM or a quarter YYYY-Qn"),
    C("revenue_target", "Revenue target", "יעד הכנסות", NUMBER, min=0, width=14,
      note="in Settings Currency"),
    C("new_clients_target", "New clients target", "יעד לקוחות חדשים", INTEGER, min=0, width=10),
), key="period")
# Loyalty bonus by tier and the prospect score's points (docs/rules.md, sections 18 and 20).
LOYALTY = _settings_table("Loyalty", (
    C("tier", "Tier", "רמה", CHOICE, required=True, unique=True, choices=TIER_NAMES, width=10),
    C("bonus", "Bonus %", "בונוס %", PERCENT, required=True, min=0, max=100, width=9,
      note="of the revenue paid this year"),
), key="tier")
PROSPECT_POINTS = _settings_table("ProspectPoints", (
    C("signal", "Signal", "סימן", CHOICE, required=True, unique=True, choices=PROSPECT_SIGNALS,
      width=20),
    C("points", "Points", "נקודות", NUMBER, required=True, min=0, width=8,
      note="warning signs are subtracted"),
), key="signal")

DATA_TABLES: tuple[Table, ...] = (CLIENTS, CONTACTS, INTERACTIONS, DEALS, DEAL_ITEMS, ORDERS,
                                  CONTRACTS, COMPLAINTS, PRODUCTS, COMPETITORS, EVENTS,
                                  CAMPAIGNS, ATTENDANCE, BONUS_PAYMENTS)
SETTINGS_TABLES: tuple[Table, ...] = (SETTINGS, CADENCE, STAGE_PROBABILITY, SLA, TIERS,
                                      WEIGHTS, HOLIDAYS, EXCHANGE_RATES, STAGE_DAYS, TARGETS,
                                      LOYALTY, PROSPECT_POINTS)
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
    # The contract's referral clause and the Loyalty sheet (docs/rules.md, section 20):
    # a book made before it gets it last, from `acctbook upgrade`
    Setting("referral_bonus", "Referral bonus %", "בונוס הפניה %", PERCENT, default=5,
            note="of a referred client's paid orders in its first year, to the referrer"),
    # acctbook campaign --send (docs/campaigns.md); the password only from the environment
    # variable ACCTBOOK_SMTP_PASSWORD, never the workbook; ACCTBOOK_SMTP_HOST/_PORT/_USER/
    # _FROM override these rows.
    Setting("smtp_host", "SMTP host", "שרת SMTP"),
    Setting("smtp_port", "SMTP port", "פורט SMTP", INTEGER, default=587, min=1),
    Setting("smtp_user", "SMTP user", "משתמש SMTP"),
    Setting("smtp_from", "From address", "כתובת השולח",
            note="campaign e-mails come from it; blank = Manager email"),
    Setting("smtp_tls", "SMTP TLS", "הצפנת SMTP (TLS)", YESNO, default=True,
            note="STARTTLS on the port (465: TLS from the start)"),
    Setting("unsubscribe_address", "Unsubscribe address", "כתובת להסרה מרשימת תפוצה",
            note="where opt-outs go; blank = From address"),
    Setting("templates_folder", "Templates folder", "תיקיית תבניות",
            note="your own campaign templates; blank = acctbook's"),
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
# Calendar days from reaching a stage to the close (docs/rules.md, section 17): a deal of
# about three months from lead to signature.
DEFAULT_STAGE_DAYS = (("Lead", 90), ("Qualified", 60), ("Needs analysis", 45),
                      ("Proposal", 30), ("Negotiation", 14))
# Loyalty bonus, % of the revenue a client paid this year, by its tier (docs/rules.md, 20).
DEFAULT_LOYALTY = (("Platinum", 3), ("Gold", 2), ("Silver", 1), ("Standard", 0))
# The prospect score's points (docs/rules.md, section 18): the first four add up to 100 at
# most; the warning signs are subtracted; Engagement cap bounds the four engagement signals.
DEFAULT_PROSPECT_POINTS = (
    ("Win rate", 30), ("Touch", 2), ("Meeting", 6), ("Reply", 4), ("Event attended", 6),
    ("Engagement cap", 30), ("Open deal", 25), ("Referred by A", 15),
    ("No company number", 10), ("Bad check digit", 15), ("Free-mail address", 10),
    ("Unanswered x3", 15), ("Late-paying referrer", 10))

# Generated sheets: rebuilt on every run (docs/workbook.md).
GENERATED_SHEETS = {
    "Home": ("Home", "בית"),
    "Today": ("Today", "היום"),
    "Rankings": ("Rankings", "דירוג"),
    "Problems": ("Problems", "בעיות"),
    "Segments": ("Segments", "פלחים"),
    "Loyalty": ("Loyalty", "נאמנות"),
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


def column_places(headers: list, table: Table) -> dict[str, int]:
    """Column key -> its 0-based place among a table's header texts (the first of repeated
    headers)."""
    index = header_index(table)
    places: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = index.get(fold(h))
        if key is not None and key not in places:
            places[key] = i
    return places


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


# The sheets acctbook writes (generated tables, Brief, History, Home) live in sheets.py.
from acctbook.book.sheets import (  # noqa: E402,F401
    TODAY, RANKINGS, PROBLEMS, SEGMENTS, REGIONS, LOYALTY_BALANCES, GENERATED_TABLES, BRIEF, HISTORY_KEEP,
    HISTORY, LOG_TABLES, HISTORY_WORDS_HE, HOME_TITLE, HOME_FIRST_ROW, HOME_KPIS, HOME_BUTTONS,
    REPORT_MONTH_ROW, REPORT_MONTH_LABEL, DEAL_ROW, DEAL_LABEL, DEAL_NAME, CLIENT_ROW,
    CLIENT_LABEL, CLIENT_NAME, CLIENT_LIST, HOME_INPUTS, BESIDE, BESIDE_GAP_WIDTH)
