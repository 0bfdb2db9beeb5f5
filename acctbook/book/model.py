"""The values that flow between acctbook's parts: problems, errors, loaded tables.

Bad data is never an exception: it becomes a Problem with its sheet, Excel row,
column and cell, and every problem is collected. Only a real I/O failure or a
refused request raises, as an AcctbookError the CLI prints as one line.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import pandas as pd

from acctbook.book import schema
# The A1 helpers live with the other cell formats (cells.py, standard library only); taken
# from here by most of the package.
from acctbook.book.cells import col_letter, col_number  # noqa: F401
from acctbook.book.i18n import tr

ERROR, WARNING = "error", "warning"

# With pyarrow installed (the file reader's fastexcel needs it), pandas 3 keeps a `str`
# column in Arrow, and its isin then makes an Arrow scalar of each value looked for: a second
# of a large refresh's compute on 50,000 client IDs. acctbook's frames keep Python strings,
# as they did before pyarrow came (bench/README.md, stop 27).
pd.set_option("mode.string_storage", "python")

# A value is quoted whole up to this many characters; a longer one (a pasted page in an
# e-mail cell, 32,767 characters at most) is cut, so a message stays one readable line and
# the Problems sheet's cells stay far below Excel's cell limit.
SHOW_LIMIT = 60
MESSAGE_LIMIT = 500        # a message longer than this has its long quoted values cut


def cut_text(text: str, limit: int = SHOW_LIMIT) -> str:
    """`text` as it is, or its first `limit` characters or fewer and "…": whole characters
    only, never half a surrogate pair, never a letter without the accents that follow it."""
    if len(text) <= limit:
        return text
    n = limit
    while n > 0 and ("\ud800" <= text[n - 1] <= "\udbff" or unicodedata.combining(text[n])):
        n -= 1
    return text[:n] + "…"


def shown(text: str, limit: int = SHOW_LIMIT) -> str:
    """A value as a problem's Value shows it: whole, or cut with its length,
    `aaaa… (32,767 characters)`."""
    return text if len(text) <= limit else f"{cut_text(text, limit)} ({len(text):,} characters)"


def quoted(text: str, limit: int = SHOW_LIMIT) -> str:
    """A value quoted in a message: `'abc'`, or cut with its length, `'aaaa…' (32,767 characters)`."""
    return f"'{text}'" if len(text) <= limit else \
        f"'{cut_text(text, limit)}' ({len(text):,} characters)"


_QUOTED = re.compile(r"'([^'\n]{%d,})'" % (SHOW_LIMIT + 1))


@dataclass(frozen=True)
class Problem:
    severity: str            # "error" | "warning"
    code: str                # stable code, listed in docs/problems.md
    sheet: str
    row: int | None          # Excel row number (1-based)
    column: str | None       # header text as it stands in the workbook
    cell: str | None         # e.g. "D14"
    value: Any
    message: str

    def __post_init__(self):
        # Messages quote values through quoted(); one built elsewhere with a huge value
        # quoted whole is cut here, so no message can outgrow a line or an Excel cell.
        if len(self.message) > MESSAGE_LIMIT:
            message = _QUOTED.sub(lambda m: quoted(m[1]), self.message)
            object.__setattr__(self, "message", cut_text(message, MESSAGE_LIMIT))

    def where(self, book_name: str = "") -> str:
        place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{book_name}:{place}" if book_name else place

    def line(self, book_name: str = "", lang: str = "en") -> str:
        """`BOOK:Sheet!D14: message` (README, "The commands"); warnings say so, in `lang`
        (the book's: the message already is)."""
        tag = tr(lang, "warning: ") if self.severity == WARNING else ""
        return f"{self.where(book_name)}: {tag}{self.message}"

    def severity_label(self, lang: str = "en") -> str:
        """The severity as the Problems sheet shows it: error / warning in `lang`."""
        return tr(lang, "warning") if self.severity == WARNING else tr(lang, "error")

    def as_json(self) -> dict:
        value = self.value
        if hasattr(value, "isoformat"):
            value = value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        if isinstance(value, str):
            value = shown(value)        # the whole value is in its cell; JSON quotes it cut
        return {"severity": self.severity, "code": self.code, "sheet": self.sheet,
                "row": self.row, "column": self.column, "cell": self.cell,
                "value": value, "message": self.message}


def _is_midnight(v) -> bool:
    return not hasattr(v, "hour") or (v.hour, v.minute, v.second) == (0, 0, 0)


# --- errors that stop a command (README, "Exit codes") -----------------------
class AcctbookError(Exception):
    """A failure the CLI reports as one clear line; never a traceback."""
    exit_code = 2


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Once a book is read: a failure inside the block is said in its language (`e.lang`,
    which the CLI and batch use with message())."""
    try:
        yield
    except AcctbookError as e:
        if getattr(e, "lang", None) is None:
            e.lang = lang
        raise


class BookUnreadable(AcctbookError):
    """Missing file, not a workbook, corrupt zip, encrypted file."""


class NotAnAcctbook(AcctbookError):
    """The workbook lacks acctbook's tables or a required column."""


class Refused(AcctbookError):
    """The request was understood but refused (e.g. Excel has the book open)."""
    exit_code = 1


# --- what a reader adapter hands over -------------------------------------------------
@dataclass
class RawTable:
    """One Excel table as found in a file: the header and data rows as cell values.

    Cell values are what the reader gives: str, float, int, bool, date, datetime,
    or None / "" for empty. Positions are 1-based Excel coordinates.
    """
    name: str
    sheet: str
    header_row: int
    first_col: int
    headers: list[str]
    rows: list[list[Any]]
    # Rows typed just below the table, outside its ref (consecutive, non-empty within its
    # columns), from Excel row below_start on: not records until the table grows over them.
    below: list[list[Any]] = field(default_factory=list)
    below_start: int = 0
    # A big table the file reader streams: its rows after `rows`, a chunk (list of rows) at
    # a time, each read once (book/coerce.py types them as they come); None: `rows` is all.
    chunks: Iterator[list[list[Any]]] | None = None
    # A big table the file reader handed over as columns, not rows (RawColumns); `rows`
    # and `chunks` are then unused. `reread`: the same table as rows, for a reader that
    # learns later that the columns will not do (an Excel error cell in the table).
    columns: RawColumns | None = None
    reread: Callable[[], RawTable] | None = None


@dataclass
class RawColumns:
    """A table's cells by column, one kind of cell per column, as the file reader's fast
    path gives them (acctbook/xlsx/columnar.py); book/coerce_columnar.py types them.

    `cells` maps a header position (0-based) to (kind, data), for the columns acctbook
    reads; the others are left out. Kinds: "text" (data = (distinct texts, integer codes
    into them, -1 for an empty cell)), "number" (float64, NaN when empty), "date" (int64
    days since 1970, NAT when empty), "bool" (codes: 1 TRUE, 0 FALSE, -1 empty), "empty".
    `length`: the table's data rows (Excel rows header_row + 1 on).
    """
    cells: dict[int, tuple[str, Any]]
    length: int


@dataclass
class LoadedTable:
    """A table with typed columns.

    `frame` has one column per schema key (missing optional columns are all null),
    indexed by Excel row number. Types: text/ref/choice -> object (str or None;
    choices canonical English); date -> datetime64 (NaT when blank); number,
    integer, percent -> float64 (NaN when blank); yes/no -> object (True, False or
    None). `columns` maps each key found in the file to its 1-based sheet column.
    """
    spec: schema.Table
    sheet: str
    header_row: int
    first_col: int
    headers: list[str]
    columns: dict[str, int]
    frame: pd.DataFrame
    # Rows that are not records but still hold acctbook's computed values (their inputs
    # were cleared): refresh blanks those cells.
    stale_rows: tuple[int, ...] = ()
    # Rows typed just below the table, outside it, so ignored (rule `row-below-table`):
    # (Excel row, sheet column, value) of each one's first non-empty cell.
    rows_below: tuple[tuple[int, int, Any], ...] = ()
    # Reference column key -> (its table's rows, the referred table's rows, the distinct
    # values that are no key there), as ids.match_refs found them while reading: rule_refs
    # then looks at those values only, not at a million rows (bench/README.md, issue 21).
    unmatched: dict[str, tuple[int, int, frozenset]] = field(default_factory=dict)

    def cell(self, key: str, row: int) -> str | None:
        col = self.columns.get(key)
        return f"{col_letter(col)}{row}" if col else None

    def header(self, key: str, lang: str = "en") -> str:
        col = self.columns.get(key)
        if col is not None:
            return self.headers[col - self.first_col]
        return self.spec.column(key).label(lang)


@dataclass
class SheetTable:
    """A generated sheet's content (Today, Rankings, Segments, Loyalty, Problems): rebuilt
    whole on every write.

    Pure data, so the zip writer and the xlwings adapter take the same value.
    """
    sheet: str
    table: str
    header: list[str]
    rows: list[list[Any]]
    widths: list[float] | None = None
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "'Clients'!A14"
    rtl: bool = False
    formats: list[str | None] | None = None     # each column's Excel number format
    # Rebuild it where its table already sits, when the user renamed that sheet's tab.
    follow_table: bool = False
    # A second table on the same sheet (Regions beside Segments): it starts one blank column
    # right of this one, row 1 too, and is rebuilt with it; its own `sheet` is not used.
    beside: SheetTable | None = None

    @property
    def beside_col(self) -> int:
        """The 1-based sheet column the table beside starts at."""
        return len(self.header) + 2


@dataclass
class Settings:
    """The Settings sheet resolved: every value typed, blanks filled with defaults."""
    values: dict[str, Any]
    cadence: dict[str, int]
    stage_probability: dict[str, float]
    sla: dict[str, int]
    tiers: list[tuple[str, float, float]]     # (tier, min revenue, discount) high to low
    weights: dict[str, float]
    holidays: list[tuple[Any, str]]           # (datetime.date, name)
    # ExchangeRates: currency (upper case) -> (units of the book's currency for one unit,
    # the rate's date or None); rows without a currency or a positive rate are left out.
    rates: dict[str, tuple[float, Any]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def currency(self) -> str:
        """The book's currency (Settings Currency, upper case; blank = ILS)."""
        return (str(self.values.get("currency") or "").strip() or "ILS").upper()

    def rate(self, currency: Any) -> float | None:
        """Units of the book's currency for one unit of `currency`: 1 for the book's own
        currency or a blank one, the ExchangeRates row's rate, or None when there is none."""
        code = "" if currency is None else str(currency).strip().upper()
        if not code or code == self.currency:
            return 1.0
        hit = self.rates.get(code)
        return hit[0] if hit else None

    @property
    def number_format(self) -> str | None:
        """The babel locale Settings `Number format` names (de_DE), or None: blank or not a
        locale, when documents follow their language (docs/rules.md, section 9)."""
        return number_locale(self.values.get("number_format"))

    @property
    def country(self) -> str:
        return (self.values.get("country") or "IL").upper()

    @property
    def work_week(self) -> str:
        return self.values.get("work_week") or ("Sun-Thu" if self.country == "IL" else "Mon-Fri")

    @property
    def vat_rate(self) -> float:
        v = self.values.get("vat_rate")
        return float(v) if v is not None else (18.0 if self.country == "IL" else 0.0)


def exchange_rates(frame: pd.DataFrame) -> dict[str, tuple[float, Any]]:
    """The ExchangeRates table as Settings.rates: a row's currency upper-cased; a row with
    no currency or no rate above 0 is left out (the check reports it); the first row of a
    currency wins, as with every unique key."""
    out: dict[str, tuple[float, Any]] = {}
    for code, rate, as_of in zip(frame["currency"], frame["rate"], frame["as_of"]):
        code = str(code or "").strip().upper()
        if code and not pd.isna(rate) and rate > 0 and code not in out:
            out[code] = (float(rate), None if pd.isna(as_of) else as_of.date())
    return out


def number_locale(text: Any) -> str | None:
    """A Number format setting as a babel locale name (`de-de` -> `de_DE`), or None when
    blank or not a locale babel knows."""
    name = "" if text is None else str(text).strip().replace("-", "_")
    if not name:
        return None
    from babel import Locale, UnknownLocaleError
    try:
        found = str(Locale.parse(name))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    # babel falls back on a likely locale (en_ZZ -> en_US): only an exact match counts
    return found if found.casefold() == name.casefold() else None


@dataclass
class Book:
    """A whole acctbook workbook, loaded: typed tables, settings and load problems."""
    tables: dict[str, LoadedTable]
    settings: Settings
    lang: str = "en"
    path: str | None = None
    problems: list[Problem] = field(default_factory=list)   # from loading (types, headers)
    # Tables a command left unread (the file reader's `tables`): in `tables` with the
    # file's headers and no rows; the rules do not look into them (book/rules.py).
    unread: frozenset[str] = frozenset()

    def frame(self, name: str) -> pd.DataFrame:
        return self.tables[name].frame

    def __contains__(self, name: str) -> bool:
        return name in self.tables


class NotLoaded(Exception):
    """A table asked for while the book is still being read (TablesSoFar): it comes later."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class TablesSoFar(Mapping):
    """A Book's tables while the reader still parses the rest (coerce.load_stream, for the
    rules run meanwhile, rules.EarlyRules, and compute's pieces, core/early.py). Each table
    in it is whole and final; asking for one of `expected` not loaded yet, or for all of
    them (iterating, len), raises NotLoaded, so nothing is ever worked out from part of the
    book."""

    def __init__(self, loaded: dict, expected):
        self.loaded = dict(loaded)
        self.missing = [n for n in expected if n not in loaded]

    def __getitem__(self, name):
        if name in self.missing:
            raise NotLoaded(name)
        return self.loaded[name]

    def __contains__(self, name) -> bool:
        if name in self.missing:
            raise NotLoaded(name)
        return name in self.loaded

    def __iter__(self):
        if self.missing:
            raise NotLoaded(self.missing[0])
        return iter(self.loaded)

    def __len__(self) -> int:
        if self.missing:
            raise NotLoaded(self.missing[0])
        return len(self.loaded)


class ExcelError(str):
    """A cell holding an Excel error value (#N/A, #DIV/0!, ...), as the file reader marks it.

    A str subclass so code that only shows cell values keeps working; the loader
    reports it (`excel-error`) and reads the cell as blank."""

    __slots__ = ()
