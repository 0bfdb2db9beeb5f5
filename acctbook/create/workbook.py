"""Create a new acctbook workbook from the schema (SPEC sections 2 and 8).

Everything here is driven by acctbook/schema.py: sheets, tables, headers,
widths, formats, drop-downs and the Settings defaults. The output is
deterministic (fixed creation date, fixed zip timestamps), so the committed
templates in workbook/ can be checked for drift byte for byte.

Regenerate the templates with:  python -m acctbook.create [FOLDER]
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from acctbook.book import schema
from acctbook.book.model import AcctbookError, col_letter
from acctbook.book.schema import (CHOICE, DATE, INTEGER, NUMBER, PERCENT, YESNO, Column, Table)
from acctbook.book.assets import workbook_dir
from acctbook.create.lite import MACROS, draw_buttons, embed_lite
from acctbook.book.coerce import DATE_MAX, DATE_MIN   # the dates acctbook reads; validation allows the same

TABLE_STYLE = "Table Style Medium 2"
CREATED = dt.datetime(2026, 1, 1)       # fixed, so the same inputs give the same bytes
DATE_FORMAT = schema.TYPE_FORMATS[DATE]
GROW_ROWS = 1000                        # validation reaches this many rows past the data
NUMBER_LIMIT = 1e15                     # "any number" validation bounds
LIST_LIMIT = 255                        # Excel's limit on a literal drop-down list
GREY = "#D9D9D9"
TEMPLATE_NAMES = {"en": "acctbook.xlsx", "he": "acctbook.he.xlsx"}

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
        "lists": "acctbook: העסקאות ברשימה של תא עסקה בגיליון בית (נוסחאות; אין לשנות).",
        "help": (
            "איך עובדים עם החוברת",
            "1. לחצו רענון (או הריצו: acctbook refresh BOOK).",
            "2. עברו על גיליון היום מלמעלה למטה.",
            "3. רשמו כל שיחה, דוא\"ל, פגישה או ביקור כשורה ביומן קשר.",
            "4. עמודות אפורות מתמלאות על ידי acctbook ברענון; אל תשנו אותן.",
            "5. בגיליון בעיות מופיע כל מה ש-acctbook לא קיבל, עם קישור לתא.",
            "6. פרטי החברה והכללים נמצאים בגיליון הגדרות.",
            "7. חוזה: בחרו את העסקה בתא עסקה שמתחת לנתונים, ואז לחצו חוזה.",
        ),
    },
}

# Home KPI value formats (column B); refresh writes the values.
HOME_FORMATS = {"refreshed": DATE_FORMAT, "revenue_12m": "#,##0",
                "weighted_pipeline": "#,##0"}


# --- public API ---------------------------------------------------------------------------
def create_workbook(path, lang: str = "en", data: Mapping[str, list[dict]] | None = None,
                    settings: Mapping[str, Any] | None = None, lite: bool = False,
                    macros: bool = False) -> Path:
    """Write a new acctbook workbook at `path` (atomically) and return its path.

    `data`: table name -> rows (dicts keyed by schema column keys); choice values
    canonical English, shown in `lang`. `settings`: setting key -> value over the
    defaults. Unknown tables, columns or settings raise AcctbookError.
    `lite`: embed workbook/main.py and requirements.txt for xlwings Lite and draw its
    shape buttons on Home. `macros`: an .xlsm with xlwings' standalone VBA module and
    form buttons calling RunPython into acctbook.excel (see acctbook/buttons.py).
    """
    path = Path(path)
    suffix = ".xlsm" if macros else ".xlsx"
    if path.suffix.lower() != suffix:
        raise AcctbookError(f"{path}: a new workbook must be an {suffix} file"
                            + (" (--macros makes an .xlsm)" if not macros and
                               path.suffix.lower() == ".xlsm" else ""))
    if lang not in schema.LANGS:
        raise AcctbookError(f"unknown language {lang!r}: use one of {', '.join(schema.LANGS)}")
    data = _check_data(data or {})
    values = _setting_values(settings or {}, lang)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AcctbookError(f"{folder}: no such folder")
    fd, tmp = tempfile.mkstemp(prefix=".~acctbook-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        _build(tmp, lang, data, values, lite=lite, macros=macros)
        if lite:
            embed_lite(tmp, lang)
        os.chmod(tmp, _file_mode())      # mkstemp makes 0600; a workbook is an ordinary file
        os.replace(tmp, path)
    except (OSError, XlsxWriterException, ValueError) as exc:
        raise AcctbookError(f"{path}: cannot write the workbook: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def build_templates(folder=None) -> list[Path]:
    """(Re)write the committed templates workbook/acctbook.xlsx and acctbook.he.xlsx."""
    folder = Path(folder) if folder else workbook_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return [create_workbook(folder / name, lang, lite=True)
            for lang, name in TEMPLATE_NAMES.items()]


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# --- input checks -------------------------------------------------------------------------
def _check_data(data: Mapping[str, list[dict]]) -> dict[str, list[dict]]:
    allowed = {t.name: t for t in schema.ALL_TABLES if t.name != "Settings"}
    out = {}
    for name, rows in data.items():
        table = allowed.get(name)
        if table is None:
            hint = " (use settings= for the Settings table)" if name == "Settings" else ""
            raise AcctbookError(f"unknown table {name!r}{hint}")
        keys = {c.key for c in table.columns}
        rows = list(rows)
        for row in rows:
            if not keys.issuperset(row):
                bad = sorted(set(row) - keys)
                raise AcctbookError(f"table {name}: unknown column key(s) {', '.join(bad)}")
        out[name] = rows
    return out


def _setting_values(overrides: Mapping[str, Any], lang: str) -> dict[str, Any]:
    unknown = set(overrides) - set(schema.SETTING_BY_KEY)
    if unknown:
        raise AcctbookError(f"unknown setting(s) {', '.join(sorted(unknown))}")
    values = {s.key: s.default for s in schema.SETTING_ROWS}
    values.update(overrides)
    values["language"] = lang          # the book's language is the one it is made in
    return values


# --- the workbook -------------------------------------------------------------------------
class _Formats:
    """Every cell format, made once per workbook (formats are shared, not per cell)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.date = wb.add_format({"num_format": DATE_FORMAT})
        self._numbers = {DATE_FORMAT: self.date}
        self.computed_header = wb.add_format({"bold": True, "bg_color": GREY,
                                              "font_color": "#000000", "border": 1})
        self.title = wb.add_format({"bold": True, "font_size": 16})
        self.bold = wb.add_format({"bold": True})
        self.home = {k: wb.add_format({"num_format": f}) for k, f in HOME_FORMATS.items()}
        self.home_count = self.number(schema.TYPE_FORMATS[INTEGER])
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.month = wb.add_format({"num_format": "@"})   # text: Excel keeps 2026-02 as typed

    def number(self, code: str | None):
        """The format showing values with `code` (a column's number_format), made once."""
        if code is None:
            return None
        if code not in self._numbers:
            self._numbers[code] = self.wb.add_format({"num_format": code})
        return self._numbers[code]


def _build(filename: str, lang: str, data: dict, values: dict, lite: bool = False,
           macros: bool = False) -> None:
    wb = xlsxwriter.Workbook(filename, {
        "in_memory": True,            # fixed zip timestamps (1980-01-01)
        "strings_to_formulas": False,  # a cell value is never executed (SPEC 8)
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    wb.set_properties({"title": schema.HOME_TITLE[lang == "he"], "author": "acctbook",
                       "created": CREATED})
    fmt = _Formats(wb)
    home = _sheet(wb, schema.generated_sheet("Home", lang), lang)
    _home(home, lang, fmt)
    _deal_input(wb, home, lang, fmt)
    if lite or macros:
        draw_buttons(wb, home, lang, lite=lite, macros=macros)
    _generated(wb, schema.TODAY, lang, fmt)
    for table in schema.DATA_TABLES:
        ws = _sheet(wb, table.sheet(lang), lang)
        _table(ws, table, data.get(table.name, []), lang, fmt, values)
        ws.freeze_panes(1, 0)
        if macros and table is schema.DEALS:
            _deals_contract_button(ws, lang)
    _generated(wb, schema.RANKINGS, lang, fmt)
    _generated(wb, schema.PROBLEMS, lang, fmt)
    _settings_sheet(wb, lang, fmt, data, values)
    _lists_sheet(wb, lang)
    home.activate()
    wb.close()


def _sheet(wb, name: str, lang: str):
    ws = wb.add_worksheet(name, worksheet_class=_Sheet)
    if lang == "he":
        ws.right_to_left()
    return ws


def _width(col: Column, lang: str) -> int:
    # Room for the header text and its filter button, never below the schema width.
    return max(col.width, len(col.label(lang)) + 3)


def _table(ws, table: Table, rows: list[dict], lang: str, fmt: _Formats, values: dict,
           first_col: int = 0) -> None:
    """One Excel table with header in row 1 at `first_col`, its data and validation."""
    text = TEXT[lang]
    columns = []
    for i, col in enumerate(table.columns):
        c = first_col + i
        ws.set_column(c, c, _width(col, lang), fmt.number(col.number_format))
        spec = {"header": col.label(lang)}
        if col.computed:
            spec["header_format"] = fmt.computed_header
            ws.write_comment(0, c, text["computed"],
                             {"author": "acctbook", "x_scale": 1.6, "y_scale": 0.8})
        columns.append(spec)
    last_row = max(len(rows), 1)        # XlsxWriter needs one (blank) data row
    ws.add_table(0, first_col, last_row, first_col + len(columns) - 1,
                 {"name": table.name, "style": TABLE_STYLE, "columns": columns})
    ws.add_rows(first_col, table.columns, rows, lang, fmt)
    if not table.generated:
        last = len(rows) + GROW_ROWS
        for i, col in enumerate(table.columns):
            rule = _validation(col, lang, values)
            if rule:
                ws.data_validation(1, first_col + i, last, first_col + i, rule)


# --- cell values --------------------------------------------------------------------------
EXCEL_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()
MAX_STRING = 32767


class _Sheet(Worksheet):
    """A worksheet whose table rows are rendered straight to XML when saved.

    XlsxWriter keeps every cell as an object and serialises it cell by cell,
    which dominates for 200k-row tables (~10 µs a cell). Here each row is kept
    as ready XML fragments (strings still go to the shared string table) and
    written after XlsxWriter's own rows (the headers) in one pass. Style ids
    are resolved at save time, exactly when XlsxWriter resolves its own.
    """

    def __init__(self):
        super().__init__()
        self._body: dict[int, list[str]] = {}   # 0-based row -> cell fragments, by column
        self._styles: dict[str, Any] = {}       # fragment placeholder -> Format or None

    def add_rows(self, first_col: int, columns: tuple[Column, ...], rows: list[dict],
                 lang: str, fmt: "_Formats") -> None:
        """Rows of dicts (schema keys) into the cells below row 1 from `first_col`."""
        if not rows:
            return
        if self._check_dimensions(len(rows), first_col + len(columns) - 1):
            raise AcctbookError(f"too many rows ({len(rows)}) for one Excel sheet")
        self._styles["d"] = fmt.date
        plan = []
        for i, col in enumerate(columns):
            slot = f"c{first_col + i}"
            self._styles[slot] = fmt.number(col.number_format)
            plan.append((col.key, f'<c r="{col_letter(first_col + i + 1)}', slot,
                         f'"{{{slot}}} t="s"><v>', f'"{{{slot}}}><v>',
                         col.type in (CHOICE, YESNO)))
        cell = _cell_maker(self.str_table, lang)
        index = self.str_table._get_shared_string_index
        shown = schema.CHOICE_HE if lang == "he" else {}
        serials: dict[dt.date, float | None] = {}
        body = self._body
        for r, row in enumerate(rows, start=1):
            get, rr = row.get, str(r + 1)
            frags = body.setdefault(r, [])
            append = frags.append
            for key, pre, slot, text_mid, num_mid, choice in plan:
                v = get(key)
                if v is None:
                    continue
                # The common cases inline (text, plain dates, finite numbers), the rest in cell().
                tv = type(v)
                if tv is str:
                    if v and len(v) <= MAX_STRING:
                        append(f"{pre}{rr}{text_mid}{index(shown.get(v, v) if choice else v)}"
                               "</v></c>")
                        continue
                elif tv is dt.date:
                    serial = serials.get(v)
                    if serial is None:
                        serial = serials[v] = _serial(v)
                    if serial is not None:
                        append(f'{pre}{rr}"{{d}}><v>{serial:.16G}</v></c>')
                        continue
                elif (tv is float or tv is int) and -math.inf < v < math.inf:
                    append(f"{pre}{rr}{num_mid}{v:.16G}</v></c>")
                    continue
                frag = cell(pre + rr, slot, v, choice)
                if frag:
                    append(frag)

    def add_table(self, first_row, first_col, last_row, last_col, options=None):
        # XlsxWriter records every cell of a table to catch overlaps: millions of dict
        # entries for a 200k-row table. acctbook's tables never overlap (one per data
        # sheet; side by side on Settings), so add it one data row deep, then widen it.
        short = min(last_row, first_row + 1)
        result = super().add_table(first_row, first_col, short, last_col, options)
        if result == 0 and last_row > short:
            table = self.tables[-1]
            table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row,
                                                          last_col)
            if table.get("autofilter"):
                table["autofilter"] = table["a_range"]
        return result

    def _write_rows(self) -> None:
        super()._write_rows()
        styles = {k: f' s="{f._get_xf_index()}"' if f is not None else ""
                  for k, f in self._styles.items()}
        write = self.fh.write
        for r in sorted(self._body):
            frags = self._body[r]
            if frags:
                write(f'<row r="{r + 1}">{"".join(frags).format_map(styles)}</row>')


def _cell_maker(sst, lang: str) -> Callable[[str, str, Any, bool], str | None]:
    """A function: (cell start, style slot, value, is-choice) -> the cell's XML."""
    index = sst._get_shared_string_index
    shown = schema.CHOICE_HE if lang == "he" else {}
    yes, no = (schema.show_choice(v, lang) for v in (schema.YES, schema.NO))

    def text(start, slot, v):
        if len(v) > MAX_STRING:
            v = v[:MAX_STRING]
        return f'{start}"{{{slot}}} t="s"><v>{index(v)}</v></c>'

    def cell(start: str, slot: str, v: Any, choice: bool) -> str | None:
        t = type(v)
        if t is str:
            if not v:
                return None
            return text(start, slot, shown.get(v, v) if choice else v)
        if t is float or t is int:
            if v != v or v in (math.inf, -math.inf):      # NaN / inf are blanks
                return None
            return f'{start}"{{{slot}}}><v>{v:.16G}</v></c>'
        if t is bool:
            if choice:
                return text(start, slot, yes if v else no)
            return f'{start}"{{{slot}}} t="b"><v>{int(v)}</v></c>'
        if isinstance(v, (dt.date, dt.datetime)):
            if v != v:                                      # pandas NaT is a blank
                return None
            serial = _serial(v)
            if serial is None:                              # before 1900: Excel has no date
                return text(start, slot, v.isoformat())
            return f'{start}"{{d}}><v>{serial:.16G}</v></c>'
        if isinstance(v, numbers.Real):                     # numpy numbers
            return cell(start, slot, float(v), choice)
        return text(start, slot, str(v))
    return cell


def _serial(v: dt.date) -> float | None:
    """The Excel (1900 system) serial of a date or datetime; None before 1900."""
    if isinstance(v, dt.datetime):
        v = v.replace(tzinfo=None)
        day = v.toordinal()
        fraction = (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    else:
        day, fraction = v.toordinal(), 0.0
    serial = day - EXCEL_EPOCH_ORDINAL
    if serial < 61:                      # Excel counts a 29 Feb 1900 that never was
        serial -= 1
    return serial + fraction if serial >= 1 else None


# --- data validation ----------------------------------------------------------------------
def _validation(col: Column, lang: str, values: dict) -> dict | None:
    """The Excel data-validation rule for a column, or None where Excel cannot check it."""
    if col.computed:
        return None
    text = TEXT[lang]
    if col.type == YESNO:
        return _list_rule(col.label(lang), (schema.YES, schema.NO), lang)
    if col.type == CHOICE:
        choices = col.choices
        if col.choices_setting:
            raw = values.get(col.choices_setting) or ""
            choices = tuple(s.strip() for s in str(raw).split(",") if s.strip())
        return _list_rule(col.label(lang), choices, lang) if choices else None
    if col.type == DATE:
        rule = {"validate": "date", "criteria": "between",
                "minimum": DATE_MIN, "maximum": DATE_MAX}
        if col.not_future:
            rule["maximum"] = "=TODAY()"
        message = text["date_past" if col.not_future else "date"]
        return _messages(rule, col.label(lang), message, lang)
    if col.type in (NUMBER, PERCENT, INTEGER):
        return _number_rule(col.label(lang), col.type, col.min, col.max, col.min_exclusive,
                            lang)
    return None


def _list_rule(title: str, choices: Iterable[str], lang: str) -> dict | None:
    shown = [schema.show_choice(c, lang) for c in choices]
    # A literal list is one Excel string: a quote inside is doubled ("דוא""ל").
    source = [s.replace('"', '""') for s in shown]
    if not source or len(",".join(source)) + 2 > LIST_LIMIT:
        return None
    return _messages({"validate": "list", "source": source}, title, TEXT[lang]["pick"], lang)


def _number_rule(title: str, kind: str, lo, hi, lo_exclusive: bool, lang: str) -> dict:
    text = TEXT[lang]
    whole = kind == INTEGER
    rule: dict[str, Any] = {"validate": "integer" if whole else "decimal"}
    if lo is not None and hi is not None:
        rule.update(criteria="between", minimum=lo, maximum=hi)
        message = text["int_between" if whole else "between"].format(min=lo, max=hi)
    elif lo is not None:
        rule.update(criteria=">" if lo_exclusive else ">=", value=lo)
        key = "gt" if lo_exclusive else ("int_ge" if whole else "ge")
        message = text[key].format(min=lo)
    elif hi is not None:
        rule.update(criteria="<=", value=hi)
        message = text["le"].format(max=hi)
    else:
        rule.update(criteria="between", minimum=-NUMBER_LIMIT, maximum=NUMBER_LIMIT)
        message = text["integer" if whole else "number"]
    return _messages(rule, title, message, lang)


def _messages(rule: dict, title: str, message: str, lang: str) -> dict:
    title = title[:32]                 # Excel's limit on a validation title
    rule.update(input_title=title, input_message=message,
                error_title=TEXT[lang]["bad"], error_message=message)
    return rule


# --- generated sheets ---------------------------------------------------------------------
def _home(ws, lang: str, fmt: _Formats) -> None:
    ws.write_string(0, 0, schema.HOME_TITLE[lang == "he"], fmt.title)
    ws.set_row(0, 24)
    ws.set_column(0, 0, max(len(k[2 if lang == "he" else 1]) for k in schema.HOME_KPIS) + 4)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 5, 12)            # C gap, D–F kept free for the buttons
    ws.set_column(7, 7, 72)
    ws.set_landscape()                 # Home prints on one page, buttons and help included
    ws.fit_to_pages(1, 1)
    for i, (key, en, he) in enumerate(schema.HOME_KPIS):
        r = schema.HOME_FIRST_ROW - 1 + i
        ws.write_string(r, 0, he if lang == "he" else en)
        ws.write_blank(r, 1, None, fmt.home.get(key, fmt.home_count))
    # The Monthly report button reads its month here (acctbook.excel.report_month).
    ws.write_string(schema.REPORT_MONTH_ROW - 1, 0, schema.REPORT_MONTH_LABEL[lang == "he"], fmt.bold)
    ws.write_blank(schema.REPORT_MONTH_ROW - 1, 1, None, fmt.month)
    help_lines = TEXT[lang]["help"]
    ws.write_string(schema.HOME_FIRST_ROW - 1, 7, help_lines[0], fmt.bold)
    for i, line in enumerate(help_lines[1:], start=schema.HOME_FIRST_ROW):
        ws.write_string(i, 7, line, fmt.wrap)


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _deal_input(wb, ws, lang: str, fmt: _Formats) -> None:
    """Home's Deal cell for the Contract button: named schema.DEAL_NAME, with a drop-down of the
    deals not Lost from the Lists sheet. Typing a Deal ID is allowed (no error alert)."""
    r = schema.DEAL_ROW - 1
    ws.write_string(r, 0, schema.DEAL_LABEL[lang == "he"], fmt.bold)
    ws.write_blank(r, 1, None, fmt.month)        # text: a typed ID stays as typed
    wb.define_name(schema.DEAL_NAME, f"={_quoted(ws.get_name())}!$B${schema.DEAL_ROW}")
    ws.data_validation(r, 1, r, 1, {
        "validate": "list", "source": deal_list_source(lang), "show_error": False,
        "input_title": schema.DEAL_LABEL[lang == "he"], "input_message": TEXT[lang]["deal"]})


def _structured(table: Table, key: str, lang: str) -> str:
    """`Deals[Deal ID]`: a structured reference to a column as the book names it."""
    header = "".join("'" + ch if ch in "[]#'" else ch for ch in table.column(key).label(lang))
    return f"{table.name}[{header}]"


def _lists_sheet(wb, lang: str) -> None:
    """The hidden Lists sheet: column B, per Deals row k, "D-0110 · Acme Ltd" (blank past
    the table's end, for a blank Deal ID or a Lost deal); C counts B's labels so far; A is
    the k-th label, so the list has no gaps. Plain formulas over structured references
    (Excel 2010+, LibreOffice): they follow Deals as it grows. k is ROW()-1 (not volatile),
    so every row's formula is the same text and the sheet compresses to almost nothing."""
    ws = _sheet(wb, schema.lists_sheet(lang), lang)
    n = schema.DEAL_LIST_ROWS
    deal, client = (_structured(schema.DEALS, k, lang) for k in ("deal_id", "client_id"))
    stage = _structured(schema.DEALS, "stage", lang)
    name, cid = (_structured(schema.CLIENTS, k, lang) for k in ("name", "client_id"))
    k = "ROW()-1"
    lost = ",".join(f'INDEX({stage},{k})="{v}"' for v in dict.fromkeys(
        ("Lost", schema.show_choice("Lost", lang))))
    label = (f'=IF({k}>ROWS({deal}),"",IF(OR(INDEX({deal},{k})="",{lost}),"",'
             f'INDEX({deal},{k})&IFERROR(" \u00b7 "&INDEX({name},MATCH(INDEX({client},{k}),'
             f'{cid},0)),"")))')
    kth = f'=IF({k}>$C${n + 1},"",INDEX($B$2:$B${n + 1},MATCH({k},$C$2:$C${n + 1},0)))'
    ws.write_string(0, 0, TEXT[lang]["lists"])
    ws.write_number(0, 2, 0)
    for r in range(1, n + 1):
        ws.write_formula(r, 0, kth, None, "")
        ws.write_formula(r, 1, label, None, "")
        ws.write_formula(r, 2, f'=C{r}+(B{r + 1}<>"")', None, 0)
    ws.set_column(0, 1, 36)
    ws.hide()


def deal_list_source(lang: str) -> str:
    """The Deal drop-down's source: Lists' filled rows of column A. A formula in the rule,
    not a defined name: xlwings Lite's client sends every name of type Range with its
    address, and a name computed by a formula is safer left out of that."""
    lists, end = _quoted(schema.lists_sheet(lang)), schema.DEAL_LIST_ROWS + 1
    return f"={lists}!$A$2:INDEX({lists}!$A$2:$A${end},MAX(1,{lists}!$C${end}))"


def _deals_contract_button(ws, lang: str) -> None:
    """Desktop (.xlsm): a Contract form button on Deals, right of the table. A form button
    keeps the user's selection, so Contract takes the selected deal's row. xlwings Lite gets
    no shape here: clicking one selects the cell behind it, losing the row."""
    caption = {k: (en, he) for k, en, he in schema.HOME_BUTTONS}["contract"][lang == "he"]
    ws.insert_button(0, len(schema.DEALS.columns) + 1, {
        "macro": MACROS["contract"], "caption": caption, "width": 120, "height": 20})


def _generated(wb, table: Table, lang: str, fmt: _Formats) -> None:
    ws = _sheet(wb, table.sheet(lang), lang)
    _table(ws, table, [], lang, fmt, {})
    ws.freeze_panes(1, 0)
    ws.set_landscape()                 # printed one page wide, as many pages long as needed
    ws.fit_to_pages(1, 0)


# --- Settings sheet -----------------------------------------------------------------------
def _default_rows(lang: str) -> dict[str, list[dict]]:
    """The SPEC defaults of the small Settings tables, first column shown in `lang`."""
    def first(v):
        return schema.show_choice(v, lang)

    def component(v):
        # Weights' components have their own Hebrew names in the schema.
        return schema.COMPONENT_HE.get(v, v) if lang == "he" else v

    return {
        "Cadence": [{"class": first(k), "days": d} for k, d in schema.DEFAULT_CADENCE],
        "StageProbability": [{"stage": s, "probability": p}
                             for s, p in schema.DEFAULT_STAGE_PROBABILITY],
        "SLA": [{"severity": s, "business_days": d} for s, d in schema.DEFAULT_SLA],
        "Tiers": [{"tier": first(t), "min_revenue_12m": m, "discount": d}
                  for t, m, d in schema.DEFAULT_TIERS],
        "Weights": [{"component": component(c), "weight": w}
                    for c, w in schema.DEFAULT_WEIGHTS],
        "Holidays": [],
    }


def _settings_rows(values: dict, lang: str) -> list[dict]:
    rows = []
    for s in schema.SETTING_ROWS:
        v = values.get(s.key)
        if v == "":
            v = None
        if s.type == schema.YESNO and isinstance(v, bool):
            v = schema.YES if v else schema.NO
        if s.type in (schema.YESNO, schema.CHOICE) and isinstance(v, str):
            v = schema.show_choice(v, lang)
        rows.append({"setting": s.label(lang), "value": v})
    return rows


def _settings_sheet(wb, lang: str, fmt: _Formats, data: dict, values: dict) -> None:
    ws = _sheet(wb, schema.SETTINGS.sheet(lang), lang)
    defaults = _default_rows(lang)
    col = 0
    for table in schema.SETTINGS_TABLES:
        if table.name == "Settings":
            rows = _settings_rows(values, lang)
        else:
            rows = data.get(table.name, defaults[table.name])
        _table(ws, table, rows, lang, fmt, values, first_col=col)
        if table.name == "Settings":
            _setting_value_rules(ws, col + 1, lang)
        col += len(table.columns) + 1   # one empty column between tables
    ws.freeze_panes(1, 0)


def _setting_value_rules(ws, c: int, lang: str) -> None:
    """Per-row validation of the Settings Value column, where Excel can check it."""
    for r, s in enumerate(schema.SETTING_ROWS, start=1):
        title = s.label(lang)
        if s.type == schema.CHOICE:
            rule = _list_rule(title, s.choices, lang)
        elif s.type == schema.YESNO:
            rule = _list_rule(title, (schema.YES, schema.NO), lang)
        elif s.type == PERCENT:
            rule = _number_rule(title, PERCENT, 0, 100, False, lang)
        elif s.type == INTEGER:
            rule = _number_rule(title, INTEGER, s.min, None, False, lang)
        else:
            continue
        ws.data_validation(r, c, r, c, rule)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for p in build_templates(argv[0] if argv else None):
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
