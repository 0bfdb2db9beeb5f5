"""Docs that cannot drift from the code (sqlite-utils' test_docs habit)."""

import re
from pathlib import Path

from acctbook.book import schema
from acctbook.create.docs import workbook_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_workbook_reference_matches_the_schema():
    committed = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert committed == workbook_markdown(), "run: python -m acctbook.create.docs > docs/workbook.md"


def test_every_column_of_every_table_is_documented_in_both_languages():
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    for t in schema.ALL_TABLES:
        for c in t.columns:
            assert re.search(rf"\| {re.escape(c.en)} \| {re.escape(c.he)} \|", text), (t.name, c.en)


def test_readme_starts_with_the_demo_and_the_test_command():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1:lines.index("```sh") + 3]
    assert "acctbook demo" in block[0] and "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert block[1] in ci, ".ci/run must run the README's test command verbatim"
