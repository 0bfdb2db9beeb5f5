"""Values -> cell XML: the one place the writer turns a Python value into a `<c>` element,
used for single cells (sheetcells), generated sheets (generated) and appended rows (append).

str is always text (inline, never a formula); int/float, bool, date/datetime (serials in
the workbook's date system, shown with a yyyy-mm-dd style derived from the cell's own style
unless it already shows dates); None, "", NaN, NaT and pd.NA clear the value but keep the
cell's style.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from acctbook.book.cells import excel_serial, number_text

if TYPE_CHECKING:
    from acctbook.xlsx.styles import Styles

MAX_ROW, MAX_COL, MAX_TEXT = 1_048_576, 16_384, 32_767

_XSTR_ESC = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]")
_NEEDS_XSTR = re.compile("_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]")


def xstring(text: str) -> str:
    """Escape text for a SpreadsheetML string: `_xHHHH_` for what XML cannot hold."""
    if not _NEEDS_XSTR.search(text):
        return text
    text = _XSTR_ESC.sub(r"_x005F_\1", text)
    return BAD_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]|_x[0-9A-Fa-f]{4}_")


def cell_text(text: str) -> str:
    """esc(xstring(text)): a cell's text as XML; most text needs neither, found in one look."""
    return esc(xstring(text)) if _SPECIAL.search(text) else text


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


_ATTR_ESCAPED = re.compile('[&<>"\n\t]')      # what esc_attr changes


def esc_attrs(texts: list[str]) -> list[str]:
    """esc_attr of each text, looked for once in them all: most need none."""
    return [esc_attr(t) for t in texts] if _ATTR_ESCAPED.search("".join(texts)) else texts


_ATTR_SPECIAL = re.compile('[&<>"\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]|_x[0-9A-Fa-f]{4}_')


def attr_text(text: str) -> str:
    """esc_attr(xstring(text)): text as an attribute's value; most needs neither."""
    return esc_attr(xstring(text)) if _ATTR_SPECIAL.search(text) else text


# --- values -> cell XML -----------------------------------------------------------------
def is_missing(v: Any) -> bool:
    """None, NaN, NaT, pd.NA and "" all mean an empty cell."""
    kind = type(v)
    if v is None or kind is str:
        return not v
    if kind is int or kind is dt.date:         # the usual values, without the checks below
        return False
    if isinstance(v, float) and math.isnan(v):
        return True
    return type(v).__name__ in ("NaTType", "NAType")


class CellWriter:
    """Turns Python values into `<c>` elements; knows the styles and the date system."""

    def __init__(self, styles: "Styles", date1904: bool, prefix: str = ""):
        self.styles, self.date1904, self.p = styles, date1904, prefix
        self._date_styles: dict[str | None, str] = {}     # a cell's style -> the style it gets for a date

    def xml(self, ref: str, value: Any, style: str | None) -> str:
        p = self.p
        kind = type(value)
        if kind is str and 0 < len(value) <= MAX_TEXT:        # fast paths for the common types
            return (f'<{p}c r="{ref}"{style_attr(style)} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{cell_text(value)}</{p}t></{p}is></{p}c>")
        if kind is int:
            return f'<{p}c r="{ref}"{style_attr(style)}><{p}v>{value}</{p}v></{p}c>'
        if kind is float and value == value:
            return f'<{p}c r="{ref}"{style_attr(style)}><{p}v>{number_text(value)}</{p}v></{p}c>'
        if kind is dt.date and value.year >= 1901 and not self.date1904:   # fast path for dates
            shown = self._date_styles.get(style)
            if shown is None:
                shown = self._date_styles[style] = self.styles.date_style(style, False)
            return f'<{p}c r="{ref}"{style_attr(shown)}><{p}v>{excel_serial(value)}</{p}v></{p}c>'
        if is_missing(value):
            return f'<{p}c r="{ref}"{style_attr(style)}/>'
        if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):   # numpy too
            return f'<{p}c r="{ref}"{style_attr(style)} t="b"><{p}v>{int(bool(value))}</{p}v></{p}c>'
        if isinstance(value, (numbers.Real, decimal.Decimal)):
            return f'<{p}c r="{ref}"{style_attr(style)}><{p}v>{number_text(value)}</{p}v></{p}c>'
        if isinstance(value, dt.date):
            serial = excel_serial(value, self.date1904)
            if serial is None:
                raise ValueError(f"date {value} is before the workbook's first date")
            style = self.styles.date_style(style, isinstance(value, dt.datetime) and serial % 1 != 0)
            return f'<{p}c r="{ref}"{style_attr(style)}><{p}v>{number_text(serial)}</{p}v></{p}c>'
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise ValueError(f"text longer than Excel's {MAX_TEXT} characters")
            return (f'<{p}c r="{ref}"{style_attr(style)} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{esc(xstring(value))}</{p}t></{p}is></{p}c>")
        raise ValueError(f"cannot write a value of type {type(value).__name__}")

    def cells(self, r: int, letters: Sequence[str], values: Sequence,
              styles: Sequence[str | None]) -> str:
        """Row r's cells as xml() writes each (columns' letters, values and styles alike in
        length), a blank one (blank_update) left out."""
        return "".join(self.xml(f"{col}{r}", v, style)
                       for col, v, style in zip(letters, values, styles) if not blank_update(v))

    def column(self, letters: str, rows: Sequence[int] | Sequence[str], values: Sequence,
               style: str | None) -> list[str]:
        """Column `letters`' cell in each of `rows` as cells() writes it, "" for a blank one:
        a column at a time, so a column of one kind (text, numbers, dates) is made by one
        comprehension instead of a type test per cell. `rows`: the row numbers, or their
        text (a caller making many columns of the same rows makes it once). Raises
        ValueError as xml() does."""
        p, s, kinds = self.p, style_attr(style), set(map(type, values))
        kinds.discard(type(None))
        # Each cell is `head`, its row, then its kind's middle, value and end: the parts
        # that are the same for the whole column are made once (0.4 s less on a big book).
        head = f'<{p}c r="{letters}'
        if kinds == {str} and max((len(v) for v in values if v), default=0) <= MAX_TEXT:
            # "\n" needs no escaping and cannot complete an _xHHHH_ across two texts
            if _SPECIAL.search("\n".join(v for v in values if v)):
                values = [cell_text(v) if v else v for v in values]
            mid = f'"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
            end = f"</{p}t></{p}is></{p}c>"
            return [f"{head}{r}{mid}{v}{end}" if v else "" for r, v in zip(rows, values)]
        mid, end = f'"{s}><{p}v>', f"</{p}v></{p}c>"
        if kinds == {float}:
            return [f"{head}{r}{mid}"
                    f"{int(v) if v.is_integer() and -1e15 < v < 1e15 else number_text(v)}{end}"
                    if v is not None and v == v else "" for r, v in zip(rows, values)]
        if kinds <= {int, float}:
            return [f"{head}{r}{mid}{number_text(v)}{end}" if v is not None and v == v else ""
                    for r, v in zip(rows, values)]
        if (kinds == {dt.date} and not self.date1904
                and min(v.year for v in values if v is not None) >= 1901):
            shown = self._date_styles.get(style)
            if shown is None:
                shown = self._date_styles[style] = self.styles.date_style(style, False)
            mid = f'"{style_attr(shown)}><{p}v>'
            return [f"{head}{r}{mid}{excel_serial(v)}{end}" if v is not None else ""
                    for r, v in zip(rows, values)]
        return ["" if blank_update(v) else self.xml(f"{letters}{r}", v, style)
                for r, v in zip(rows, values)]


@dataclass(frozen=True)
class Styled:
    """A value for a cell that may not exist yet: `style` is used when the cell has no
    style of its own; `formula` (a calculated table column) is written without a value."""
    value: Any
    style: str | None = None
    formula: str | None = None


def blank_update(v: Any) -> bool:
    """Nothing to write for a cell that does not exist yet."""
    if v is None:
        return True
    kind = type(v)
    if kind is str:
        return not v
    if kind is int or kind is float and v == v or kind is dt.date:
        return False
    if isinstance(v, Styled):
        return v.formula is None and v.style in (None, "", "0") and is_missing(v.value)
    return is_missing(v)


def style_attr(style: str | None) -> str:
    return f' s="{style}"' if style not in (None, "", "0") else ""


