"""Drop-downs on every choice and reference column, and rules that follow a growing table.

A new workbook (acctbook.create) gives each reference column a list validation whose source
is a workbook name over the referenced table's key column (`Clients[Client ID]`); refresh
and append extend validation and conditional-format ranges a table has outgrown, and touch
no sheet part otherwise. Books are made with acctbook's creator or XlsxWriter, grown with
openpyxl (as another program would), and read back with openpyxl, zipfile and LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.cell import range_boundaries

from acctbook import jobs
from acctbook.book import schema
from acctbook.create.workbook import GROW_ROWS, create_workbook
from acctbook.xlsx.patch import patch_workbook
from acctbook.xlsx.validation import RULE_MARGIN
from bookfiles import TODAY, valid_data

LANGS = ("en", "he")
# The reference columns the issue names, by table and English header.
REFERENCES = [("Clients", "Referred by", "Clients", "Client ID"),
              ("Contacts", "Client ID", "Clients", "Client ID"),
              ("Interactions", "Client ID", "Clients", "Client ID"),
              ("Interactions", "Contact ID", "Contacts", "Contact ID"),
              ("Interactions", "Event ID", "Events", "Event ID"),
              ("Deals", "Client ID", "Clients", "Client ID"),
              ("Deals", "Lost to", "Competitors", "Competitor"),
              ("DealItems", "Deal ID", "Deals", "Deal ID"),
              ("DealItems", "SKU", "Products", "SKU"),
              ("Orders", "Client ID", "Clients", "Client ID"),
              ("Orders", "Deal ID", "Deals", "Deal ID"),
              ("Orders", "Contract ID", "Contracts", "Contract ID"),
              ("Orders", "SKU", "Products", "SKU"),
              ("Contracts", "Client ID", "Clients", "Client ID"),
              ("Contracts", "Deal ID", "Deals", "Deal ID"),
              ("Complaints", "Client ID", "Clients", "Client ID"),
              ("Interactions", "Campaign ID", "Campaigns", "Campaign ID"),
              ("Campaigns", "SKU", "Products", "SKU"),
              ("Campaigns", "Event ID", "Events", "Event ID"),
              ("Attendance", "Event ID", "Events", "Event ID"),
              ("Attendance", "Contact ID", "Contacts", "Contact ID"),
              ("Attendance", "Client ID", "Clients", "Client ID")]
HEADER_HE = {"Client ID": "מזהה לקוח", "Contact ID": "מזהה איש קשר", "Event ID": "מזהה אירוע",
             "Deal ID": "מזהה עסקה", "SKU": "מק״ט", "Contract ID": "מזהה חוזה",
             "Competitor": "מתחרה", "Referred by": "הופנה על ידי", "Lost to": "הפסד ל",
             "Campaign ID": "מזהה קמפיין"}


def _data() -> dict[str, list[dict]]:
    return {k: v for k, v in valid_data().items() if k in {t.name for t in schema.DATA_TABLES}}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dropdowns")
    return {lang: create_workbook(folder / f"book.{lang}.xlsx", lang, _data()) for lang in LANGS}


def _header(en: str, lang: str) -> str:
    return HEADER_HE[en] if lang == "he" else en


def _column(ws, table: str, header: str) -> str:
    t = ws.tables[table]
    c1, r1, c2, _ = range_boundaries(t.ref)
    for c in range(c1, c2 + 1):
        if ws.cell(r1, c).value == header:
            return openpyxl.utils.get_column_letter(c)
    raise AssertionError(f"{table}: no column {header!r}")


def _sheet_of(wb, table: str):
    return next(ws for ws in wb.worksheets if table in ws.tables)


def _rules_at(ws, cell: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


# --- a new workbook -----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_every_reference_column_drops_down_its_tables_keys(books, lang):
    wb = openpyxl.load_workbook(books[lang])          # read only; never saved
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    for table, header, target, key in REFERENCES:
        ws = _sheet_of(wb, table)
        letter = _column(ws, table, _header(header, lang))
        name = f"acctbook_{target}_{schema.TABLES[target].key}"
        # The name is the target's key column as a structured reference, in the book's words.
        assert names[name] == f"{target}[{_header(key, lang)}]", name
        for row in (2, GROW_ROWS):
            (dv,) = _rules_at(ws, f"{letter}{row}")
            assert dv.type == "list" and dv.formula1 == name, (table, header, row)
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
            assert dv.error and dv.prompt            # words in the book's language
            assert (re.search("[א-ת]", dv.error) is not None) == (lang == "he")
    assert set(names) == {f"acctbook_{t}_{schema.TABLES[t].key}" for _, _, t, _ in REFERENCES} \
        | {schema.DEAL_NAME, schema.CLIENT_NAME, schema.CLIENT_LIST}


@pytest.mark.parametrize("lang", LANGS)
def test_every_choice_column_has_its_literal_list(books, lang):
    wb = openpyxl.load_workbook(books[lang])
    for table in schema.DATA_TABLES:
        ws = _sheet_of(wb, table.name)
        for col in table.columns:
            if col.computed or col.type not in (schema.CHOICE, schema.YESNO):
                continue
            letter = _column(ws, table.name, col.label(lang))
            found = _rules_at(ws, f"{letter}2")
            if col.choices_setting:               # Segment: Settings Segments, blank here
                assert not found
                continue
            (dv,) = found
            assert dv.type == "list" and dv.formula1.startswith('"'), (table.name, col.key)


@pytest.fixture(scope="module")
def libreoffice(books, tmp_path_factory) -> dict:
    """The books as LibreOffice reads them: converted to .ods (its own model) and to .xlsx
    (what a LibreOffice user saves)."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("lo")
    profile = (folder / "profile").as_uri()
    out = {}
    for fmt in ("ods", "xlsx"):
        proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                               "--convert-to", fmt, "--outdir", str(folder / fmt),
                               *map(str, books.values())],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        out[fmt] = {lang: folder / fmt / f"book.{lang}.{fmt}" for lang in LANGS}
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_takes_the_names_as_the_key_columns(libreoffice, lang):
    with zipfile.ZipFile(libreoffice["ods"][lang]) as z:
        content = z.read("content.xml").decode()
    found = re.findall(r'<table:named-expression table:name="([^"]+)"[^>]*?'
                       r'table:expression="([^"]+)"', content)
    expressions = {n: html.unescape(e) for n, e in found}
    counts = {t.name: 0 for t in schema.DATA_TABLES} | {t: len(rows) for t, rows in _data().items()}
    for _, _, target, _ in REFERENCES:
        name = f"acctbook_{target}_{schema.TABLES[target].key}"
        sheet = schema.TABLES[target].sheet(lang)
        # The key is column A of each target table: its data rows, as many as the table has.
        end = 1 + counts[target]
        rows = r"\$A\$2" + (rf":\.\$A\${end}" if end > 2 else "")
        assert re.fullmatch(rf"\[\$'?{re.escape(sheet)}'?\.{rows}\]", expressions[name]), \
            (name, expressions[name])
        assert f"cell-content-is-in-list({name})" in content, name


@pytest.mark.parametrize("lang", LANGS)
def test_a_book_saved_by_libreoffice_keeps_its_dropdowns(libreoffice, lang):
    wb = openpyxl.load_workbook(libreoffice["xlsx"][lang])
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    assert names["acctbook_Products_sku"] == f"Products[{_header('SKU', lang)}]"
    ws = _sheet_of(wb, "Orders")
    (dv,) = _rules_at(ws, f"{_column(ws, 'Orders', _header('SKU', lang))}500")
    assert dv.type == "list" and dv.formula1 == "acctbook_Products_sku"


# --- growth -------------------------------------------------------------------------------------
def _sheet_part(path: Path, sheet: str) -> str:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    el = next(e for e in wb.iterfind("m:sheets/m:sheet", ns) if e.get("name") == sheet)
    rel = next(r for r in rels.iterfind("p:Relationship", ns) if r.get("Id") == el.get(rid))
    return "xl/" + rel.get("Target").lstrip("/").removeprefix("xl/")


def _raw(path: Path, part: str) -> bytes:
    """A part's compressed bytes as stored: equal only if the part was copied, not rewritten."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    data = path.read_bytes()
    off = info.header_offset
    n, e = (int.from_bytes(data[off + k:off + k + 2], "little") for k in (26, 28))
    return data[off + 30 + n + e:off + 30 + n + e + info.compress_size]


UNTOUCHED = ("Contacts", "Interactions", "DealItems", "Orders", "Products", "Competitors", "Events")


def _grow_elsewhere(path: Path, table: str, last: int) -> None:
    """Rows down to Excel row `last` typed into `table`, its ref grown over them, as a
    program that leaves the validation where it was would do (openpyxl, test side only)."""
    wb = openpyxl.load_workbook(path)
    ws = _sheet_of(wb, table)
    t = ws.tables[table]
    c1, r1, c2, r2 = range_boundaries(t.ref)
    for r in range(r2 + 1, last + 1):
        ws.cell(r, c1, dt.datetime(2026, 5, 1))
        ws.cell(r, c1 + 1, "C-001")
        ws.cell(r, c1 + 3, "Phone")
    t.ref = f"{ws.cell(r1, c1).coordinate}:{ws.cell(last, c2).coordinate}"
    t.autoFilter.ref = t.ref
    wb.save(path)


def test_the_margin_is_the_new_books_margin():
    assert RULE_MARGIN == GROW_ROWS


@pytest.mark.parametrize("lang", LANGS)
def test_refresh_extends_the_rules_of_a_table_grown_past_them(books, tmp_path, lang):
    path = tmp_path / "grown.xlsx"
    shutil.copy(books[lang], path)
    last = 1500                                      # past row 1002, where the rules end
    _grow_elsewhere(path, "Interactions", last)
    sheet = schema.INTERACTIONS.sheet(lang)
    before = {s: _raw(path, _sheet_part(path, schema.TABLES[s].sheet(lang))) for s in UNTOUCHED}
    jobs.refresh(path, TODAY)
    ws = openpyxl.load_workbook(path)[sheet]
    sqrefs = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    assert len(sqrefs) == 9                          # every rule of the table, none added
    for sqref in sqrefs:
        assert re.fullmatch(rf"[A-K]2:[A-K]{last + GROW_ROWS}", sqref), sqref
    client = _column(ws, "Interactions", _header("Client ID", lang))
    (dv,) = _rules_at(ws, f"{client}{last}")
    assert dv.formula1 == "acctbook_Clients_client_id"
    for s in UNTOUCHED:                                # the other sheets: copied as they were
        if s != "Interactions":
            assert _raw(path, _sheet_part(path, schema.TABLES[s].sheet(lang))) == before[s], s


def test_refresh_of_a_book_within_its_rules_leaves_every_data_sheet_alone(books, tmp_path):
    path = tmp_path / "same.xlsx"
    shutil.copy(books["en"], path)
    _grow_elsewhere(path, "Interactions", 900)        # grown, but its rules reach row 1002
    before = {s: _raw(path, _sheet_part(path, schema.TABLES[s].sheet("en"))) for s in UNTOUCHED}
    jobs.refresh(path, TODAY)
    with zipfile.ZipFile(path) as z:
        assert "Problems" in z.read("xl/workbook.xml").decode()
    for s in UNTOUCHED:
        assert _raw(path, _sheet_part(path, schema.TABLES[s].sheet("en"))) == before[s], s
    ws = openpyxl.load_workbook(path)["Interactions"]
    assert all(str(dv.sqref).endswith("1002") for dv in ws.data_validations.dataValidation)


def test_rows_appended_past_the_rules_take_them_along(books, tmp_path):
    path = tmp_path / "appended.xlsx"
    shutil.copy(books["en"], path)
    rows = [{"Date": dt.date(2026, 5, 2), "Client ID": "C-002", "Channel": "Email"}] * 1200
    patch_workbook(path, appends={"Interactions": rows})
    ws = openpyxl.load_workbook(path)["Interactions"]
    last = 2 + len(rows)                      # one row before, then the appended ones
    assert ws.tables["Interactions"].ref == f"A1:K{last}"
    rules = ws.data_validations.dataValidation
    assert sorted(str(dv.sqref)[:1] for dv in rules) == list("ABCDEGIJK")
    for dv in ws.data_validations.dataValidation:
        assert str(dv.sqref).endswith(f"{last + GROW_ROWS}"), dv.sqref


def _users_book(path: Path) -> Path:
    """A user's own table `Log` (A1:C4) with rules of every kind: column rules over its data
    (a list, a conditional format, an Excel 2010 data bar), a rule on one cell, a format on
    its header, and a rule on a column beside the table."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Log")
    ws.add_table(0, 0, 3, 2, {"name": "Log", "columns": [{"header": h} for h in "ABC"],
                              "data": [["x", 1, 5], ["y", 2, 6], ["x", 3, 7]]})
    ws.data_validation(1, 0, 3, 0, {"validate": "list", "source": ["x", "y"]})
    ws.data_validation(1, 1, 1, 1, {"validate": "integer", "criteria": ">", "value": 0})
    ws.data_validation(1, 4, 3, 4, {"validate": "integer", "criteria": ">", "value": 0})
    red = wb.add_format({"font_color": "red"})
    ws.conditional_format(1, 1, 3, 1, {"type": "cell", "criteria": ">", "value": 2, "format": red})
    ws.conditional_format(1, 2, 3, 2, {"type": "data_bar", "data_bar_2010": True})
    ws.conditional_format(0, 0, 0, 2, {"type": "no_blanks", "format": red})
    ws.set_selection("A2:A3")              # a selection has a sqref too, and is no rule
    wb.close()
    return path


@pytest.mark.filterwarnings("ignore:.*extension is not supported")
def test_only_a_tables_column_rules_follow_it(tmp_path):
    path = _users_book(tmp_path / "user.xlsx")
    patch_workbook(path, appends={"Log": [{"A": "y", "B": 4, "C": 8}] * 5})
    ws = openpyxl.load_workbook(path)["Log"]
    assert ws.tables["Log"].ref == "A1:C9"
    dv = {str(d.sqref) for d in ws.data_validations.dataValidation}
    assert dv == {"A2:A1009", "B2", "E2:E4"}           # the column rule; the others as made
    cf = {str(r.sqref) for r in ws.conditional_formatting}
    assert cf == {"B2:B1009", "C2:C1009", "A1:C1"}
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<xm:sqref>C2:C1009</xm:sqref>" in xml        # the data bar's Excel 2010 half too
    assert re.search(r'<selection [^>]*sqref="A2:A3"', xml)
