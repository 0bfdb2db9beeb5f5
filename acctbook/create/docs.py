"""The workbook reference (docs/workbook.md), generated from the schema so it cannot drift.

    python -m acctbook.create.docs > docs/workbook.md
"""

from __future__ import annotations

from acctbook.book import schema
from acctbook.create.validation import ref_list_name, referenced_tables
from acctbook.create.workbook import GROW_ROWS

TYPE_TEXT = {schema.TEXT: "text", schema.DATE: "date", schema.NUMBER: "number",
             schema.INTEGER: "integer", schema.PERCENT: "percent (0–100)",
             schema.CHOICE: "choice", schema.YESNO: "yes/no", schema.REF: "reference"}


def _rules(c: schema.Column) -> str:
    bits = []
    if c.computed:
        bits.append("**computed** by acctbook")
    if c.required:
        bits.append("required")
    if c.unique:
        bits.append("unique")
    if c.choices and not c.computed:
        bits.append("one of " + ", ".join(c.choices))
    if c.choices_setting:
        bits.append(f"values from Settings {c.choices_setting.capitalize()} when set")
    if c.ref:
        bits.append(f"a {schema.TABLES[c.ref].column(schema.TABLES[c.ref].key).en} "
                    f"in {c.ref}")
    if c.min is not None:
        bits.append(f"{'>' if c.min_exclusive else '≥'} {c.min:g}")
    if c.max is not None:
        bits.append(f"≤ {c.max:g}")
    if c.not_future:
        bits.append("not in the future")
    if c.future_warns:
        bits.append("a future date is a warning")
    if c.note:
        bits.append(c.note)
    return "; ".join(bits)


def _table(t: schema.Table) -> list[str]:
    left = schema.BESIDE.get(t.name)      # a second table on its sheet (Regions)
    out = [f"### {t.sheet_en} — {t.sheet_he}" + (f" ({t.name})" if left else ""), "",
           f"Excel table `{t.name}`" + (" (generated: rebuilt on every refresh)" if t.generated
                                         else "")
           + (f", on the same sheet as `{left}`, right of it after one blank column"
              if left else "") + ".", "",
           "| column | עמודה | type | rules |", "|---|---|---|---|"]
    for c in t.columns:
        out.append(f"| {c.en} | {c.he} | {TYPE_TEXT[c.type]} | {_rules(c)} |")
    return out + [""]


def _dropdowns() -> list[str]:
    """What Excel checks as you type (acctbook/create/validation.py)."""
    names = ", ".join(f"`{ref_list_name(t)}`" for t in referenced_tables(schema.DATA_TABLES))
    clients = schema.CLIENTS
    return [
        "Drop-downs and checks as you type: every choice and yes/no column lists its values "
        "in the book's language (Segment: the Settings Segments list, when it is set); every "
        "reference column lists the keys of the table it refers to, through a workbook name "
        f"over that key column ({names}; for example `{ref_list_name(clients)}` is "
        f"`={schema.structured_ref(clients, clients.key, 'en')}`, with the Hebrew header in a Hebrew "
        "book), so the list grows with the table. A value not in the list is refused, as "
        "check calls an unknown reference an error: add the client (product, deal, ...) "
        "first. Dates and numbers are checked against the rules below. In a new book these "
        f"checks reach {GROW_ROWS:,} rows past the data; when a table grows past them, "
        f"refresh extends them to its last row plus {GROW_ROWS:,} (docs/excel.md)."]


def workbook_markdown() -> str:
    lines = ["# The workbook", "",
             "Generated from `acctbook/book/schema.py` by `python -m acctbook.create.docs`; a test fails "
             "when it drifts. acctbook finds tables by name and columns by header (English or "
             "Hebrew, any order, case-insensitive); your own extra columns are ignored and kept.",
             "", "## Data sheets", ""] + _dropdowns() + [""]
    for t in schema.DATA_TABLES:
        lines += _table(t)
    lines += ["## Settings sheet", ""] + _table(schema.SETTINGS) + [
              "| setting | הגדרה | default | note |", "|---|---|---|---|"]
    for s in schema.SETTING_ROWS:
        default = {True: "Yes", False: "No", None: "(blank)", "": "(blank)"}.get(s.default, s.default) \
            if not isinstance(s.default, (int, float)) or isinstance(s.default, bool) else s.default
        lines.append(f"| {s.en} | {s.he} | {default} | {s.note} |")
    lines.append("")
    for t in schema.SETTINGS_TABLES[1:]:
        lines += _table(t)
    lines += ["## Generated sheets", ""]
    for t in schema.GENERATED_TABLES:
        lines += _table(t)
    lines += ["### Home — בית", "", "Key figures, written by refresh in column B:", ""]
    lines += [f"- {en} — {he}" for _k, en, he in schema.HOME_KPIS]
    lists_en, lists_he = schema.LISTS_SHEET
    lines += ["", "Inputs for the buttons, in column B below the figures:", "",
              f"- {schema.REPORT_MONTH_LABEL[0]} — {schema.REPORT_MONTH_LABEL[1]}: the Monthly "
              "report's month; blank = the last full month",
              f"- {schema.DEAL_LABEL[0]} — {schema.DEAL_LABEL[1]} (the name `{schema.DEAL_NAME}`): the "
              "Contract button's deal, picked from a drop-down of the deals not Lost "
              "(`D-0110 · Client name`) or its Deal ID typed",
              f"- {schema.CLIENT_LABEL[0]} — {schema.CLIENT_LABEL[1]} (the name "
              f"`{schema.CLIENT_NAME}`): the Brief button's client, picked from a drop-down of "
              f"the clients' names (the name `{schema.CLIENT_LIST}` = "
              f"`{schema.structured_ref(schema.CLIENTS, 'name', 'en')}`, which grows with the "
              "table) or its Client ID typed",
              "", f"### {schema.BRIEF.sheet_en} — {schema.BRIEF.sheet_he}", "",
              "Written by the Brief button only (never by refresh), rebuilt whole on each press: "
              "the brief of the client in Home's Client cell, a row per line (`acctbook brief` "
              "gives the same content as HTML, PDF or JSON).", ""] + _table(schema.BRIEF)[4:] + [
              "", f"### {lists_en} — {lists_he}", "",
              "Hidden, made with the workbook and never rewritten: formulas over the Deals "
              "and Clients tables that list the deals not Lost (the Deal drop-down's source) "
              f"for the first {schema.DEAL_LIST_ROWS:,} rows of Deals; Excel recalculates "
              "them as Deals grows."]
    lines += ["", "## The log", ""]
    for t in schema.LOG_TABLES:
        lines += _table(t)[:4] + [
            f"What acctbook wrote: every write (refresh, a button, contract, report, import, "
            f"upgrade) appends one row, in the same write as the rest; never rebuilt, never "
            f"read as input; the last {schema.HISTORY_KEEP:,} rows are kept (the oldest "
            "dropped). A book made before it gets the sheet on its first write. "
            "`acctbook history BOOK` prints it.", ""] + _table(t)[4:]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(workbook_markdown(), end="")
