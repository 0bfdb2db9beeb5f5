"""The monthly report's "Bonuses due" (docs/rules.md, section 20): its lines (its words are
report_words.LABELS'), for the HTML and PDF (report_html) and the Report sheet (report_sheet)
alike: the highest balances, the other clients on one line, the total. The figures are the
Loyalty sheet's as of the period's last day (figures.BonusLine); that sheet lists them all.
"""

from __future__ import annotations

from acctbook.book import schema
from acctbook.documents.figures import BonusLine, MonthReport
from acctbook.documents.report_words import LABELS

SHOWN = 3     # the report lists the highest balances, the others on one line (4 pages)
COLUMNS = ("earned", "paid_out", "balance_due")     # of the Loyalty sheet, after the client


def labels(lang: str) -> dict[str, str]:
    """The section's column headers as the Loyalty sheet has them (its other words are in
    report_words.LABELS)."""
    return {f"bonus_{k}": schema.LOYALTY_BALANCES.column(k).label(lang) for k in COLUMNS}


def note(lang: str) -> str:
    """The footnote with {date} and {year} left to fill, the sheet named in `lang`."""
    lang = lang if lang in LABELS else "en"
    return LABELS[lang]["bonuses_note"].replace(
        "{sheet}", schema.generated_sheet("Loyalty", lang))


def sums(lines: list[BonusLine]) -> tuple[float, float, float]:
    """Earned, Paid out and Balance due added up, to the cent."""
    return tuple(round(sum(getattr(x, k) for x in lines), 2) for k in COLUMNS)


def line_values(x: BonusLine) -> tuple[float, float, float]:
    return tuple(getattr(x, k) for k in COLUMNS)


def client_name(x: BonusLine) -> str:
    return x.name or x.client_id


def bonus_table(report: MonthReport, lang: str, shown: int = SHOWN) -> dict | None:
    """{"rows": [(client, earned, paid out, balance due)] for the `shown` highest balances,
    "others": (label, the three sums) of the rest or None, "total": the three sums of all};
    None when no client has a balance due."""
    lines = report.bonuses
    if not lines:
        return None
    rest = lines[shown:]
    words = LABELS[lang if lang in LABELS else "en"]
    others = (words["bonus_others"].format(n=len(rest)), *sums(rest)) if rest else None
    return {"rows": [(client_name(x), *line_values(x)) for x in lines[:shown]],
            "others": others, "total": sums(lines)}
