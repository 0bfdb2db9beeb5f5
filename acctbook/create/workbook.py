"""Create a new acctbook workbook from the schema (docs/workbook.md shows what it holds).

Everything here is driven by acctbook/book/schema.py: sheets, tables, headers,
widths, formats, drop-downs and the Settings defaults. Home and the hidden Lists sheet
are made in home.py, words and cell formats come from style.py, drop-downs and bounds
from validation.py, the buttons from lite.py and vba.py. The output is
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
from typing import Any, Callable, Mapping

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from acctbook import __version__
from acctbook.book import schema
from acctbook.book.model import AcctbookError, col_letter
from acctbook.book.schema import CHOICE, YESNO, Column, Table
from acctbook.book.assets import workbook_dir
from acctbook.book.cells import excel_serial, number_text
from acctbook.core.upgrade_plan import STAMP_PROPERTY
from acctbook.create.home import (client_input, deal_input, deals_contract_button, lists_sheet,
                                  write_home)
from acctbook.create.lite import draw_buttons, embed_lite
from acctbook.create.style import TEXT, Formats
from acctbook.create.validation import column_validation, define_ref_lists, setting_value_rules

TABLE_STYLE = "Table Style Medium 2"
CREATED = dt.datetime(2026, 1, 1)       # fixed, so the same inputs give the same bytes
# Validation reaches this many rows past the data; refresh extends it by as many once a
# table outgrows it (acctbook.xlsx.validation.RULE_MARGIN, the same number).
GROW_ROWS = 1000
TEMPLATE_NAMES = {"en": "acctbook.xlsx", "he": "acctbook.he.xlsx"}


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
    form buttons calling RunPython into acctbook.excel (see lite.py and vba.py).
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


def _build(filename: str, lang: str, data: dict, values: dict, lite: bool = False,
           macros: bool = False) -> None:
    wb = xlsxwriter.Workbook(filename, {
        "in_memory": True,            # fixed zip timestamps (1980-01-01)
        "strings_to_formulas": False,  # a cell value is never executed
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    wb.set_properties({"title": schema.HOME_TITLE[lang == "he"], "author": "acctbook",
                       "created": CREATED})
    # Which acctbook made the book (`acctbook upgrade` and `check` read it: docs/excel.md).
    wb.set_custom_property(STAMP_PROPERTY, __version__)
    fmt = Formats(wb, lang)
    home = _sheet(wb, schema.generated_sheet("Home", lang), lang)
    write_home(home, lang, fmt)
    deal_input(wb, home, lang, fmt)
    client_input(wb, home, lang, fmt)
    if lite or macros:
        draw_buttons(wb, home, lang, lite=lite, macros=macros)
    _generated(wb, schema.TODAY, lang, fmt)
    for table in schema.DATA_TABLES:
        ws = _sheet(wb, table.sheet(lang), lang)
        _table(ws, table, data.get(table.name, []), lang, fmt, values)
        ws.freeze_panes(1, 0)
        if macros and table is schema.DEALS:
            deals_contract_button(ws, lang)
    _generated(wb, schema.RANKINGS, lang, fmt)
    _generated(wb, schema.SEGMENTS, lang, fmt, beside=schema.REGIONS)
    _generated(wb, schema.LOYALTY_BALANCES, lang, fmt)
    _generated(wb, schema.PROBLEMS, lang, fmt)
    _settings_sheet(wb, lang, fmt, data, values)
    _generated(wb, schema.HISTORY, lang, fmt)     # the log, empty: every write appends to it
    lists_sheet(_sheet(wb, schema.lists_sheet(lang), lang), lang)
    define_ref_lists(wb, lang)           # the reference columns' drop-downs (validation.py)
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


def _table(ws, table: Table, rows: list[dict], lang: str, fmt: Formats, values: dict,
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
    if not table.generated and table not in schema.LOG_TABLES:
        last = len(rows) + GROW_ROWS
        for i, col in enumerate(table.columns):
            rule = column_validation(col, lang, values)
            if rule:
                ws.data_validation(1, first_col + i, last, first_col + i, rule)


# --- XlsxWriter's private methods, all in one place --------------------------------------------
def _xlsxwriter_private(ws: Worksheet) -> tuple[Callable[[str], int], Callable[[int, int], int],
                                                Callable[[Format], int]]:
    """The four private XlsxWriter methods (checked with XlsxWriter 3.3) that _Sheet's fast
    rows use. Public calls (write_string, write_number) would keep an object per cell and
    take about ten times as long on a big table, so they stay; an XlsxWriter upgrade that
    renames one fails here, with this message, and nowhere else:

    * SharedStringTable._get_shared_string_index(text): the text's index in the shared
      string table, as write_string() stores it;
    * Worksheet._check_dimensions(row, col): non-zero past Excel's last row or column;
    * Format._get_xf_index(): a format's style id, known only when the file is saved;
    * Worksheet._write_rows(): writes the sheet's rows into `self.fh` (the open XML
      file); _Sheet extends it to add its own.

    Returns (string index, bounds check, style id) for `ws`.
    """
    try:
        Worksheet._write_rows    # noqa: B018 (only checked: _Sheet overrides it)
        return (ws.str_table._get_shared_string_index, ws._check_dimensions,
                Format._get_xf_index)
    except AttributeError as exc:
        raise AcctbookError(f"XlsxWriter {xlsxwriter.__version__} lacks a method acctbook "
                            f"uses ({exc}): install XlsxWriter 3.3") from exc


# --- cell values --------------------------------------------------------------------------
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
                 lang: str, fmt: "Formats") -> None:
        """Rows of dicts (schema keys) into the cells below row 1 from `first_col`."""
        if not rows:
            return
        index, out_of_bounds, _style_id = _xlsxwriter_private(self)
        if out_of_bounds(len(rows), first_col + len(columns) - 1):
            raise AcctbookError(f"too many rows ({len(rows)}) for one Excel sheet")
        self._styles["d"] = fmt.date
        plan = []
        for i, col in enumerate(columns):
            slot = f"c{first_col + i}"
            self._styles[slot] = fmt.number(col.number_format)
            plan.append((col.key, f'<c r="{col_letter(first_col + i + 1)}', slot,
                         f'"{{{slot}}} t="s"><v>', f'"{{{slot}}}><v>',
                         col.type in (CHOICE, YESNO)))
        cell = _cell_maker(index, lang)
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
                        serial = serials[v] = excel_serial(v)
                    if serial is not None:
                        append(f'{pre}{rr}"{{d}}><v>{number_text(serial)}</v></c>')
                        continue
                elif (tv is float or tv is int) and -math.inf < v < math.inf:
                    append(f"{pre}{rr}{num_mid}{number_text(v)}</v></c>")
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
        style_id = _xlsxwriter_private(self)[2]
        styles = {k: f' s="{style_id(f)}"' if f is not None else ""
                  for k, f in self._styles.items()}
        write = self.fh.write
        for r in sorted(self._body):
            frags = self._body[r]
            if frags:
                write(f'<row r="{r + 1}">{"".join(frags).format_map(styles)}</row>')


def _cell_maker(index: Callable[[str], int],
                lang: str) -> Callable[[str, str, Any, bool], str | None]:
    """A function: (cell start, style slot, value, is-choice) -> the cell's XML; `index`
    gives a text's place in the shared string table."""
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
            return f'{start}"{{{slot}}}><v>{number_text(v)}</v></c>'
        if t is bool:
            if choice:
                return text(start, slot, yes if v else no)
            return f'{start}"{{{slot}}} t="b"><v>{int(v)}</v></c>'
        if isinstance(v, (dt.date, dt.datetime)):
            if v != v:                                      # pandas NaT is a blank
                return None
            serial = excel_serial(v)
            if serial is None:                              # before 1900: Excel has no date
                return text(start, slot, v.isoformat())
            return f'{start}"{{d}}><v>{number_text(serial)}</v></c>'
        if isinstance(v, numbers.Real):                     # numpy numbers
            return cell(start, slot, float(v), choice)
        return text(start, slot, str(v))
    return cell


# --- generated sheets ---------------------------------------------------------------------


def _generated(wb, table: Table, lang: str, fmt: Formats, beside: Table | None = None) -> None:
    """A generated sheet with its empty table, and `beside` it the sheet's second table
    (schema.BESIDE: one blank column between), as refresh rebuilds them."""
    ws = _sheet(wb, table.sheet(lang), lang)
    for t in (table, beside) if beside is not None else (table,):
        first = len(table.columns) + 1 if t is beside else 0     # 0-based
        if first:
            ws.set_column(first - 1, first - 1, schema.BESIDE_GAP_WIDTH)
        _table(ws, t, [], lang, fmt, {}, first_col=first)
        for c, col in enumerate(t.columns, first):     # aligned as refresh writes them (style.py)
            ws.set_column(c, c, _width(col, lang), fmt.generated(col))
    ws.freeze_panes(1, 0)
    ws.set_landscape()                 # printed one page wide, as many pages long as needed
    ws.fit_to_pages(1, 0)


# --- Settings sheet -----------------------------------------------------------------------
def _default_rows(lang: str) -> dict[str, list[dict]]:
    """The defaults of the small Settings tables (docs/rules.md, "Defaults"), first column
    shown in `lang`."""
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
        "ExchangeRates": [],
        "StageDays": [{"stage": s, "typical_days": d} for s, d in schema.DEFAULT_STAGE_DAYS],
        "Targets": [],
        "Loyalty": [{"tier": first(t), "bonus": b} for t, b in schema.DEFAULT_LOYALTY],
        "ProspectPoints": [{"signal": first(k), "points": n}
                           for k, n in schema.DEFAULT_PROSPECT_POINTS],
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


def _settings_sheet(wb, lang: str, fmt: Formats, data: dict, values: dict) -> None:
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
            setting_value_rules(ws, col + 1, lang)
        col += len(table.columns) + 1   # one empty column between tables
    ws.freeze_panes(1, 0)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for p in build_templates(argv[0] if argv else None):
        print(p)
    from acctbook.create.catalogs import update      # the message catalogs too
    for p in update():
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
