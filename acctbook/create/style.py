"""How a new workbook reads and looks: the words it shows, per language, and its cell formats."""

from __future__ import annotations

from typing import Any

import xlsxwriter

from acctbook.book import bidi, schema
from acctbook.book.schema import DATE, INTEGER, Column

DATE_FORMAT = schema.TYPE_FORMATS[DATE]
GREY = "#D9D9D9"                        # the header of a computed column

# Words the workbook shows, per language.
TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "computed": "Computed by acctbook: filled on Refresh. Edits here are overwritten.",
        "bad": "Invalid value",
        "pick": "Pick a value from the list.",
        "date": "A date, yyyy-mm-dd.",
        "date_past": "A date, yyyy-mm-dd, not after today.",
        "number": "A number.",
        "integer": "A whole number.",
        "ge": "A number ≥ {min:g}.",
        "gt": "A number > {min:g}.",
        "le": "A number ≤ {max:g}.",
        "between": "A number from {min:g} to {max:g}.",
        "int_ge": "A whole number ≥ {min:g}.",
        "int_between": "A whole number from {min:g} to {max:g}.",
        "deal": "Pick a deal (not Lost) or type its Deal ID, then press Contract.",
        "client": "Pick a client or type its Client ID, then press Brief.",
        "lists": "acctbook: the deals of Home's Deal drop-down (formulas; do not edit).",
        "help": (
            "How to use this workbook",
            "1. Press Refresh (or run: acctbook refresh BOOK).",
            "2. Work the Today sheet from top to bottom.",
            "3. Log each call, e-mail, meeting or visit as a row in Interactions.",
            "4. Grey columns are filled by acctbook on Refresh; leave them alone.",
            "5. Problems lists anything acctbook could not accept, with a link to the cell.",
            "6. Your company details and rules are on the Settings sheet.",
            "7. Contract: choose the deal in the Deal cell below the figures, then press Contract.",
            "8. Brief: choose the client in the Client cell, then press Brief before a meeting.",
        ),
    },
    "he": {
        "computed": "מחושב על ידי acctbook: מתמלא ברענון. שינויים כאן יידרסו.",
        "bad": "ערך לא תקין",
        "pick": "בחרו ערך מהרשימה.",
        "date": "תאריך בתבנית yyyy-mm-dd.",
        "date_past": "תאריך בתבנית yyyy-mm-dd, לא אחרי היום.",
        "number": "מספר.",
        "integer": "מספר שלם.",
        "ge": "מספר ≥ {min:g}.",
        "gt": "מספר > {min:g}.",
        "le": "מספר ≤ {max:g}.",
        "between": "מספר בין {min:g} ל-{max:g}.",
        "int_ge": "מספר שלם ≥ {min:g}.",
        "int_between": "מספר שלם בין {min:g} ל-{max:g}.",
        "deal": "בחרו עסקה (לא אבודה) או הקלידו את מזהה העסקה, ואז לחצו חוזה.",
        "client": "בחרו לקוח או הקלידו את מזהה הלקוח, ואז לחצו תדריך.",
        "lists": "acctbook: העסקאות ברשימה של תא עסקה בגיליון בית (נוסחאות; אין לשנות).",
        "help": (
            "איך עובדים עם החוברת",
            f"1. לחצו רענון (או הריצו: {bidi.ltr('acctbook refresh BOOK')}).",
            "2. עברו על גיליון היום מלמעלה למטה.",
            "3. רשמו כל שיחה, דוא״ל, פגישה או ביקור כשורה ביומן קשר.",
            "4. עמודות אפורות מתמלאות על ידי acctbook ברענון; אל תשנו אותן.",
            "5. בגיליון בעיות מופיע כל מה ש-acctbook לא קיבל, עם קישור לתא.",
            "6. פרטי החברה והכללים נמצאים בגיליון הגדרות.",
            "7. חוזה: בחרו את העסקה בתא עסקה שמתחת לנתונים, ואז לחצו חוזה.",
            "8. תדריך: לפני פגישה בחרו את הלקוח בתא לקוח, ואז לחצו תדריך.",
        ),
    },
}

# Home KPI value formats (column B); refresh writes the values.
HOME_FORMATS = {"refreshed": DATE_FORMAT, "revenue_12m": "#,##0",
                "weighted_pipeline": "#,##0"}


class Formats:
    """Every cell format, made once per workbook (formats are shared, not per cell).

    In a Hebrew book every format reads right to left (reading order 2), so a cell mixing
    Hebrew and Latin reads in order; Home and the generated sheets' columns are aligned as
    refresh aligns them (book/bidi.py, `alignment`)."""

    def __init__(self, wb: xlsxwriter.Workbook, lang: str = "en"):
        self.wb, self.rtl = wb, lang == "he"
        self._base = {"reading_order": 2} if self.rtl else {}
        self.date = self.add({"num_format": DATE_FORMAT})
        self._numbers = {DATE_FORMAT: self.date}
        self.computed_header = self.add({"bold": True, "bg_color": GREY,
                                         "font_color": "#000000", "border": 1})
        self.month = self.add({"num_format": "@"})   # text: Excel keeps 2026-02 as typed
        # Home: the title, labels on the start side, figures on the right, help lines wrapped.
        start = "right" if self.rtl else "left"
        self.title = self.add({"bold": True, "font_size": 16, "align": start, "valign": "vcenter"})
        self.label = self.add({"align": start})
        self.label_bold = self.add({"bold": True, "align": start})
        self.home = {k: self.add({"num_format": f, "align": "right"})
                     for k, f in HOME_FORMATS.items()}
        self.home_count = self.add({"num_format": schema.TYPE_FORMATS[INTEGER], "align": "right"})
        self.wrap = self.add({"text_wrap": True, "valign": "top", "align": start})
        self.text = self.add({}) if self.rtl else None     # a Hebrew book's plain text cells
        self._generated: dict[str | None, Any] = {}

    def add(self, props: dict):
        """A new format with `props`, reading right to left in a Hebrew book."""
        return self.wb.add_format({**self._base, **props})

    def number(self, code: str | None):
        """The format showing values with `code` (a column's number_format), made once; a
        text column (no code) gets the plain format (None in an English book)."""
        if code is None:
            return self.text
        if code not in self._numbers:
            self._numbers[code] = self.add({"num_format": code})
        return self._numbers[code]

    def generated(self, col: Column):
        """A generated sheet's column (Today, Rankings, Problems) as refresh writes it: its
        number format, aligned as book/bidi.py says, text wrapped, in the book's reading
        order; its header, without header_format, takes it too."""
        key = code = col.number_format
        if key not in self._generated:
            a = bidi.alignment(self.rtl, number=code is not None)
            props = {"align": a["horizontal"], "valign": a["vertical"],
                     "reading_order": a["reading_order"], "text_wrap": bool(a.get("wrap")),
                     "indent": a.get("indent", 0)}
            if code is not None:
                props["num_format"] = code
            self._generated[key] = self.wb.add_format(props)
        return self._generated[key]
