"""An optional column a follow-up, ranking or risk rule reads, left out of its table,
is a `missing-column-rule` warning naming the rule it turns off; never silence."""

from __future__ import annotations

import json

from acctbook import cli
from acctbook.book import schema
from acctbook.book.coerce import RULE_COLUMNS
from acctbook.core.compute import READS
from bookfiles import TODAY, write_book

NO_DUE = ("invoice_due", "invoice_date", "delivered_on")   # Invoice due and its stand-ins


def _without(table: str, keys) -> dict[str, list[str]]:
    return {table: [c.key for c in schema.TABLES[table].columns if c.key not in keys]}


def _check_json(path, capsys) -> list[dict]:
    cli.main(["check", str(path), "--json", "--today", TODAY.isoformat()])
    return json.loads(capsys.readouterr().out)


def test_a_missing_invoice_due_column_is_a_warning_naming_the_rules(tmp_path, capsys):
    path = write_book(tmp_path / "b.xlsx", columns=_without("Orders", NO_DUE))
    assert [(p["severity"], p["code"], p["sheet"], p["column"], p["message"])
            for p in _check_json(path, capsys)] == [
        ("warning", "missing-column-rule", "Orders", "Invoice due",
         "Orders has no column Invoice due (nor Invoice date or Delivered on to stand in for "
         "it): payment follow-ups and payment risk are off")]


def test_a_full_book_has_no_such_warning(tmp_path, capsys):
    assert _check_json(write_book(tmp_path / "b.xlsx"), capsys) == []


def test_a_stand_in_keeps_the_rule_on(tmp_path, capsys):
    # Invoice due left out but Delivered on there: dues are derived, nothing is off
    path = write_book(tmp_path / "b.xlsx", columns=_without("Orders", ("invoice_due",)))
    assert _check_json(path, capsys) == []


def test_a_hebrew_book_names_its_own_sheet_and_column(tmp_path, capsys):
    path = write_book(tmp_path / "b.xlsx", lang="he", columns=_without("Orders", ("paid_on",)))
    sheet = schema.TABLES["Orders"].sheet("he")
    label = schema.TABLES["Orders"].column("paid_on").he
    assert [p["message"] for p in _check_json(path, capsys)] == [
        f"בגיליון {sheet} אין עמודה {label}: כל חשבונית נספרת כלא משולמת (מעקבי תשלום "
        f"וסיכון תשלום)"]


def test_every_optional_column_the_core_reads_is_covered():
    """READS (the core's columns) against RULE_COLUMNS: an optional column read by the
    core is warned about, a stand-in for one, or has a default (listed here, with why)."""
    defaulted = {("Deals", "probability"),      # the stage's probability
                 ("Deals", "created"),          # only when there is no other date
                 ("Deals", "currency"),         # blank = the book's (Settings Currency)
                 ("Orders", "discount"),        # blank = 0
                 ("Contracts", "renewal_notice")}   # the Settings value
    covered = {(t, k) for t, k, _, _ in RULE_COLUMNS}
    covered |= {(t, k) for t, _, alts, _ in RULE_COLUMNS for g in alts for k in g}
    for table, keys in READS.items():
        spec = schema.TABLES[table]
        for key in keys:
            c = spec.column(key)
            if c.required or c.computed:
                continue
            assert (table, key) in covered | defaulted, (table, key)
    for table, key, _, _ in RULE_COLUMNS:
        assert not schema.TABLES[table].column(key).required, (table, key)
