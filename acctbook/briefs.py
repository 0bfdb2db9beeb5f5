"""`acctbook brief`: one client on one page (acctbook.core.brief), written as HTML (and PDF)
beside the workbook, or handed back as data for --json. Reads the book, never writes it;
`today` comes in from acctbook.api.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.book.model import ERROR, Problem, speaking
from acctbook.book.rules import check_book
from acctbook.core import plan
from acctbook.core.brief import Brief, build_brief
from acctbook.documents.brief_html import file_stem, write_brief_files
from acctbook.xlsx.read import read_book

Step = Callable[..., None]          # jobs.steps: step(tr("en", "…{book}"), book=…)

# What a brief reads: everything but Campaigns and Bonus payments (no line of the brief
# comes from them); those are not parsed, and their problems are check's to say.
BRIEF_TABLES = tuple(name for name in schema.TABLES
                     if name not in ("Campaigns", "BonusPayments"))


@dataclass
class BriefResult:
    brief: Brief
    problems: list[Problem]
    files: dict[str, Path] = field(default_factory=dict)    # {"html", "pdf"}; none for --json

    @property
    def lang(self) -> str:
        return self.brief.lang

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def brief(path, client_id: str, today: dt.date, out=None, pdf: bool = False,
          write: bool = True, step: Step | None = None) -> BriefResult:
    """Read and check the book, compute what refresh computes, and build the client's brief;
    with `write`, put `brief-<client id>.html` (and .pdf) in `out` (default: beside the
    workbook). An unknown Client ID is refused (core.brief.UnknownClient) before any file."""
    step = step or (lambda *a, **k: None)
    step(tr("en", "reading {book}"), book=Path(path).name)
    book = read_book(path, tables=BRIEF_TABLES)
    with speaking(book.lang):          # a failure said in the book's language
        step(tr("en", "checking every rule"))
        problems = check_book(book, today)
        step(tr("en", "computing follow-ups, ranking and risk"))
        results = plan.refresh_results(book, problems, today)
        made = build_brief(book, results, client_id, today)
        result = BriefResult(made, problems)
        if write:
            folder = Path(out) if out is not None else Path(path).resolve().parent
            name = file_stem(made.client.client_id) + ".html"
            step(tr("en", "writing {file} and its PDF") if pdf else tr("en", "writing {file}"),
                 file=name)
            result.files = write_brief_files(made, folder, pdf_too=pdf)
    step(tr("en", "done"))
    return result
