"""Right-to-left text done right: Latin and number runs kept whole and in order inside Hebrew,
and how a cell of a generated sheet (Today, Rankings, Problems) or Home is aligned.

Pure (standard library only): the reasons (core), the file writer (acctbook.xlsx), the
xlwings writer (acctbook.xlbook) and the workbook maker (acctbook.create) all use it, so
every door writes the same text and the same styles.

Invisible marks, never visible text: reading is blind to them (`schema.fold` strips them
from headers, choices and IDs), and `plain` strips them where text is compared.
"""

from __future__ import annotations

import re
import unicodedata

LRM, RLM = "\u200e", "\u200f"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A letter written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko and their forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# One number as Excel or a person writes it (1,234.50  12.5%  2026-03-10  052-655-6405): it
# keeps its order in a right-to-left paragraph as it is (Unicode's rules W4, W5).
_NUMBER = re.compile(r"\d(?:[\d.,:/-]*\d)?%?")


def ltr(text) -> str:
    """A run that reads left to right (a date, an amount, a signed percent, a command) as
    one unit inside right-to-left text: between LRI and PDI, so `+61.1%` never shows as
    `61.1%+` and the punctuation around it stays with the Hebrew."""
    text = "" if text is None else str(text)
    return f"{LRI}{text}{PDI}" if text else text


def isolate(text) -> str:
    """A value of either direction (an ID, a name, typed text) as one unit inside other
    text: between FSI and PDI, so it takes the direction of its first letter and its
    neighbours' parentheses and colons stay where the sentence puts them."""
    text = "" if text is None else str(text)
    return f"{FSI}{text}{PDI}" if text else text


def plain(text):
    """`text` without direction marks, embeddings and isolates (what a user reads)."""
    return _MARKS.sub("", text) if isinstance(text, str) else text


def has_rtl(text: str) -> bool:
    return bool(_RTL.search(text))


def isolate_rtl(text) -> str:
    """`isolate` for a value inside an English sentence: only a value holding right-to-left
    letters needs it (`Promise: לחזור ללקוח (2026-03-09)` keeps its parentheses)."""
    text = "" if text is None else str(text)
    return isolate(text) if _RTL.search(text) else text


def _kind(ch: str) -> str:
    return unicodedata.bidirectional(ch)


def rtl_cell(text):
    """A text cell's value as it must sit in a right-to-left cell (reading order 2): text
    with no Hebrew in it (a Latin name, a phone, an e-mail, a typed value) that would not
    read as typed there (it begins with a sign, a bracket or a number group, or ends in
    punctuation: `+44 118 374 2610` would read `2610 374 118 44+`, `Acme Inc.` would read
    `.Acme Inc`) is held left to right between LRMs, as the Word documents do. Everything
    else (Hebrew text, IDs such as SO-00558, one number) is returned as it is, so what a
    user copies from the sheet is what was typed wherever no mark is needed."""
    if type(text) is not str or not text or _RTL.search(text) or _NUMBER.fullmatch(text):
        return text
    if _MARKS.search(text):
        return text                                  # already marked by whoever made it
    first, last = _kind(text[0]), _kind(text[-1])
    if first == "L" and (last in ("L", "EN", "NSM") or last == "ET" and _ends_number(text)):
        return text
    return f"{LRM}{text}{LRM}"


def _ends_number(text: str) -> bool:
    """`Acme 5%`: trailing % or currency signs right after a digit join the number."""
    stripped = text.rstrip("".join(ch for ch in set(text) if _kind(ch) == "ET"))
    return bool(stripped) and _kind(stripped[-1]) == "EN"


def rtl_rows(rows: list[list]) -> list[list]:
    """`rtl_cell` over every text value of a generated sheet's rows (each distinct text
    looked at once: the Problems sheet repeats its codes and sheet names)."""
    seen: dict[str, str] = {}
    out = []
    for row in rows:
        new = list(row)
        for j, v in enumerate(new):
            if type(v) is str and v:
                got = seen.get(v)
                if got is None:
                    got = seen[v] = rtl_cell(v)
                new[j] = got
        out.append(new)
    return out


# --- how a cell of a generated sheet or Home is aligned ---------------------------------------
def alignment(rtl: bool, number: bool, header: bool = False) -> dict[str, object]:
    """The alignment of a cell of a generated sheet (and Home), as data both writers turn
    into a cell style:

    * reading order: 2 (right to left) in a Hebrew book, 1 (left to right) in an English
      one, so a cell mixing Hebrew and Latin reads in the book's direction;
    * horizontal: numbers and dates on the right in both languages (their digits line up);
      text at the start of its line: left in English, right in Hebrew, whatever script
      the value is in. A header sits on the same side as its column's values, so a
      number column's header stands over its numbers;
    * text cells wrap (vertical: top), so no text runs into the next cell;
    * in an English sheet text is indented by 1, clear of the number that ends at the
      same line in the column before it (`2026-03-05A`), and a right-aligned header by 2,
      clear of the filter button Excel draws at its right edge (a Hebrew sheet has it on
      the left, and all its values on the right: none of them meet).
    """
    right = number or rtl
    out: dict[str, object] = {"horizontal": "right" if right else "left", "vertical": "top",
                              "reading_order": 2 if rtl else 1}
    indent = 0 if rtl else 2 if header and right else 0 if right else 1
    if indent:
        out["indent"] = indent
    if not number and not header:
        out["wrap"] = True
    return out
