"""What each command returns: plain values shared by jobs, api, the CLI and the buttons."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from acctbook.book.model import ERROR, WARNING, Book, Problem


class _Problems:
    """errors and warnings of a result's `problems`."""
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


@dataclass
class CheckResult(_Problems):
    path: str
    problems: list[Problem]
    book: Book | None = None
    stamp: str | None = None           # the book's `acctbook version` property (docs/excel.md)


@dataclass
class Change:
    """One computed cell whose value a refresh changes (`refresh --dry-run` lists them)."""
    sheet: str
    cell: str
    old: Any
    new: Any


class Changes(Sequence):
    """The cells a refresh changes, each a Change made only when it is looked at: a first
    refresh of a large book changes 600,000 cells, and most callers only count them.
    Compares equal to a list of the same Changes."""

    def __init__(self, changes: Iterable[Change] = ()):
        self._runs: list[tuple[str, str, list, list, list]] = []    # sheet, letter, rows, old, new
        self._ends: list[int] = []
        for c in changes:
            self.add(c.sheet, "", [c.cell], [c.old], [c.new])

    def add(self, sheet: str, letter: str, rows: list, old: list, new: list) -> None:
        """Cells of one column: letter + each row (or cell refs, letter ""), with old and new."""
        if rows:
            self._runs.append((sheet, letter, rows, old, new))
            self._ends.append(len(self) + len(rows))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = bisect.bisect_right(self._ends, i)
        sheet, letter, rows, old, new = self._runs[k]
        j = i - (self._ends[k - 1] if k else 0)
        return Change(sheet, f"{letter}{rows[j]}", old[j], new[j])

    def __iter__(self):
        for sheet, letter, rows, old, new in self._runs:
            for row, before, after in zip(rows, old, new):
                yield Change(sheet, f"{letter}{row}", before, after)

    def __eq__(self, other) -> bool:
        return isinstance(other, (list, tuple, Changes)) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Changes({list(self)!r})"


@dataclass
class RefreshResult(_Problems):
    path: str
    today: dt.date
    problems: list[Problem]
    results: Any                       # core.compute.Results
    changes: Sequence[Change] = field(default_factory=list)    # Changes (results.py)
    written: bool = False
    backup: str | None = None
    book: Book | None = None
    history: dict[str, Any] | None = None    # its History row (book/history.py), or would-be
    calendar: Any = None               # `refresh --calendar`: the calendars.CalendarResult


@dataclass
class BatchItem:
    path: str
    result: RefreshResult | None = None
    error: str | None = None
    failure_code: int = 0          # the exit code the failure has on its own (1 refused, 2)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exit_code(self) -> int:
        """As `acctbook refresh` of this book alone would exit (README, exit codes)."""
        return self.failure_code if not self.ok else 1 if self.result.errors else 0

    @property
    def state(self) -> str:
        """One of BATCH_STATES: what became of the book (its exit code's meaning)."""
        if self.ok:
            return "refreshed with errors" if self.result.errors else "refreshed"
        return "refused" if self.failure_code == 1 else "unreadable"

    @property
    def reason(self) -> str | None:
        """Why the book failed, without the path the message starts with; None when ok."""
        if self.error is None:
            return None
        prefix = f"{self.path}: "
        return self.error[len(prefix):] if self.error.startswith(prefix) else self.error

    def as_given(self, path: str) -> "BatchItem":
        """The item made on another spelling of its path (a Dask worker's absolute path),
        with the path as given."""
        if self.path != path:
            if self.error and self.error.startswith(self.path):
                self.error = path + self.error[len(self.path):]
            if self.result is not None:
                self.result.path = path
            self.path = path
        return self

    @property
    def label(self) -> str:
        """The state in words: `refreshed`, `refreshed with N errors`, `refused (why)`,
        `unreadable (why)`."""
        if self.ok:
            n = len(self.result.errors)
            return f"refreshed with {n} error{'s' * (n != 1)}" if n else "refreshed"
        return f"{self.state} ({self.reason})"


BATCH_STATES = ("refreshed", "refreshed with errors", "refused", "unreadable")


@dataclass
class ContractResult:
    contract_id: str
    docx: Path
    pdf: Path | None
    row: dict[str, Any]
    supersedes: str | None = None      # the earlier contract a --new-version superseded
    changes: list[str] = field(default_factory=list)   # what changed since it, in the book's words


@dataclass
class QuoteResult:
    quote_id: str
    docx: Path
    pdf: Path | None
    deal_id: str
    valid_until: Any                   # datetime.date
    stage: str | None                  # the deal's new Stage (canonical), None: unchanged
    interaction: dict[str, Any]        # the Interactions row added (schema keys)


@dataclass
class OrderDocumentResult:
    """A delivery note or an invoice (command: `delivery-note` or `invoice`)."""
    command: str
    number: str                        # DN-YYYY-NNNN or INV-YYYY-NNNN
    docx: Path
    pdf: Path | None
    order_id: str
    rows: list[int]                    # the Orders rows (Excel) it was registered on
    invoice_date: Any = None           # datetime.date (an invoice)
    invoice_due: Any = None


@dataclass
class ReportResult:
    month: str
    report: Any                        # documents.report.MonthReport
    files: dict[str, Path]
    sheet: str | None = None


@dataclass
class DemoResult:
    folder: Path
    books: dict[str, Path]
    checks: dict[str, CheckResult]
    refreshes: dict[str, RefreshResult] = field(default_factory=dict)
    contracts: dict[str, ContractResult] = field(default_factory=dict)
    reports: dict[str, ReportResult] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        """Every file the demo made, books first."""
        out = list(self.books.values())
        for c in self.contracts.values():
            out += [p for p in (c.docx, c.pdf) if p]
        for r in self.reports.values():
            out += [p for p in r.files.values() if p]
        return out
