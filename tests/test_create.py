"""acctbook.create.workbook: new workbooks built from the schema, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, range_boundaries

from acctbook.book import schema
from acctbook.create.workbook import TEMPLATE_NAMES, build_templates, create_workbook
from acctbook.book.model import AcctbookError

REPO = Path(__file__).resolve().parent.parent
LANGS = ("en", "he")


@pytest.fixture(scope="module")
def create_books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    build_templates(folder)
    return {lang: folder / TEMPLATE_NAMES[lang] for lang in LANGS}


@pytest.fixture(scope="module")
def create_wbs(create_books):
    return {lang: openpyxl.load_workbook(p) for lang, p in create_books.items()}


def _find_table(wb, name):
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise AssertionError(f"table {name} not found")


def _headers(ws, table) -> list:
    min_col, min_row, max_col, _ = range_boundaries(table.ref)
    return [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]


def _table_rows(ws, table) -> list[tuple]:
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    rows = ws.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col,
                        max_col=max_col, values_only=True)
    return [r for r in rows if any(v is not None for v in r)]


def _column_letter(ws, table, label) -> str:
    min_col, min_row, _, _ = range_boundaries(table.ref)
    idx = _headers(ws, table).index(label)
    return openpyxl.utils.get_column_letter(min_col + idx)


def _col_dim(ws, idx: int):
    """The <col> entry covering column `idx` (openpyxl keys grouped ranges by their first)."""
    for dim in ws.column_dimensions.values():
        if dim.min <= idx <= dim.max:
            return dim
    raise AssertionError(f"{ws.title}: no width/format for column {idx}")


def _validation_at(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, f"{ws.title}!{cell}: several validations"
    return found[0] if found else None


def _list_values(dv) -> list[str]:
    """An Excel literal list formula ("a,b") as its values; "" inside means one quote."""
    formula = dv.formula1
    assert formula.startswith('"') and formula.endswith('"'), formula
    return [v.replace('""', '"') for v in formula[1:-1].split(",")]


# --- the committed templates ---------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_committed_template_matches_the_schema(create_books, lang):
    committed = REPO / "workbook" / TEMPLATE_NAMES[lang]
    hint = "regenerate with: python -m acctbook.create"
    assert committed.exists(), f"{committed} is missing; {hint}"
    with zipfile.ZipFile(committed) as old, zipfile.ZipFile(create_books[lang]) as new:
        assert old.namelist() == new.namelist(), f"{committed.name} drifted; {hint}"
        # by name only: pytest's own diff of two 250 kB parts would take minutes
        drifted = [part for part in new.namelist() if old.read(part) != new.read(part)]
    assert drifted == [], f"{committed.name}: {drifted} drifted; {hint}"


def test_same_inputs_give_identical_bytes(tmp_path):
    data = {"Clients": [{"client_id": "C1", "name": "Acme", "status": "Active",
                         "created": dt.date(2025, 5, 1)}]}
    a = create_workbook(tmp_path / "a.xlsx", "he", data).read_bytes()
    b = create_workbook(tmp_path / "b.xlsx", "he", data).read_bytes()
    assert a == b


# --- structure --------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_sheets_in_order_home_active(create_wbs, lang):
    wb = create_wbs[lang]
    gen = lambda n: schema.generated_sheet(n, lang)  # noqa: E731
    expected = [gen("Home"), gen("Today")] + [
        schema.TABLES[n].sheet(lang) for n in
        ("Clients", "Contacts", "Interactions", "Deals", "DealItems", "Orders", "Contracts",
         "Complaints", "Products", "Competitors", "Events", "Campaigns", "Attendance",
         "BonusPayments")] + [
        gen("Rankings"), gen("Segments"), gen("Loyalty"), gen("Problems"), schema.SETTINGS.sheet(lang),
        schema.HISTORY.sheet(lang), schema.lists_sheet(lang)]
    assert wb.sheetnames == expected
    assert wb.active.title == gen("Home")
    assert [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"] == [expected[-1]]
    if lang == "en":
        assert expected[6] == "Deal items"
    else:
        assert all(ws.sheet_view.rightToLeft for ws in wb.worksheets)


@pytest.mark.parametrize("lang", LANGS)
def test_every_schema_table_on_its_sheet_with_headers_in_order(create_wbs, lang):
    wb = create_wbs[lang]
    for table in schema.ALL_TABLES + schema.GENERATED_TABLES:
        ws = wb[table.sheet(lang)]
        assert table.name in ws.tables, f"{table.name} not on {ws.title}"
        t = ws.tables[table.name]
        assert t.tableStyleInfo.name == "TableStyleMedium2"
        min_col, min_row, _, _ = range_boundaries(t.ref)
        assert min_row == 1
        assert _headers(ws, t) == [c.label(lang) for c in table.columns]
        if not table.settings:
            # Regions stands right of Segments on their sheet, one blank column between.
            left = schema.BESIDE.get(table.name)
            by_name = {t.name: t for t in schema.GENERATED_TABLES}
            first = len(by_name[left].columns) + 2 if left else 1
            assert min_col == first
            assert len(ws.tables) == 1 + any(table.name in pair for pair in schema.BESIDE.items())
            assert ws.freeze_panes == "A2", ws.title
            for i, col in enumerate(table.columns, start=first):
                assert _col_dim(ws, i).width >= col.width, (table.name, col.key)
    settings = wb[schema.SETTINGS.sheet(lang)]
    assert sorted(settings.tables) == sorted(t.name for t in schema.SETTINGS_TABLES)
    assert settings.freeze_panes == "A2"


def test_number_and_date_formats_on_columns(create_wbs):
    ws, t = _find_table(create_wbs["en"], "Orders")
    fmt = {h: _col_dim(ws, _headers(ws, t).index(h) + 1).number_format
           for h in ("Order date", "Amount", "Order ID")}
    assert fmt == {"Order date": "yyyy-mm-dd", "Amount": "#,##0.00", "Order ID": "General"}
    ws, t = _find_table(create_wbs["en"], "Clients")
    assert _col_dim(ws, _headers(ws, t).index("Payment terms") + 1).number_format == "0"


# --- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_choice_columns_have_dropdowns_in_the_book_language(create_wbs, lang):
    wb = create_wbs[lang]
    cases = [("Clients", "status", schema.CLIENT_STATUS),
             ("Contacts", "preferred_channel", schema.CONTACT_CHANNELS),  # Hebrew דוא״ל
             ("Deals", "stage", schema.STAGES),
             ("Clients", "key_account", (schema.YES, schema.NO))]
    for name, key, values in cases:
        ws, t = _find_table(wb, name)
        letter = _column_letter(ws, t, schema.TABLES[name].column(key).label(lang))
        for row in (2, 1000):
            dv = _validation_at(ws, f"{letter}{row}")
            assert dv is not None and dv.type == "list", (name, key, row)
            assert _list_values(dv) == [schema.show_choice(v, lang) for v in values]
    if lang == "he":                  # gershayim and geresh as Hebrew writes them
        ws, t = _find_table(wb, "Contacts")
        dv = _validation_at(ws, f"{_column_letter(ws, t, 'ערוץ מועדף')}2")
        assert {"דוא״ל", "צ׳אט"} <= set(_list_values(dv))


def test_date_and_number_validation(create_wbs):
    wb = create_wbs["en"]
    ws, t = _find_table(wb, "Interactions")
    dv = _validation_at(ws, "A2")                     # Date: not in the future
    assert dv.type == "date" and dv.formula2 == "TODAY()"
    dv = _validation_at(ws, f"{_column_letter(ws, t, 'Next step date')}500")
    assert dv.type == "date" and float(dv.formula1) == 1  # 1900-01-01
    ws, t = _find_table(wb, "DealItems")
    dv = _validation_at(ws, f"{_column_letter(ws, t, 'Quantity')}2")
    assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThan", "0")
    dv = _validation_at(ws, f"{_column_letter(ws, t, 'Discount')}2")
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "100")
    ws, t = _find_table(wb, "Clients")
    dv = _validation_at(ws, f"{_column_letter(ws, t, 'Payment terms')}2")
    assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert dv.showErrorMessage and dv.error


@pytest.mark.parametrize("lang", LANGS)
def test_computed_headers_are_grey_with_a_comment_and_no_validation(create_wbs, lang):
    wb = create_wbs[lang]
    ws, t = _find_table(wb, "Clients")
    for col in schema.CLIENTS.columns:
        cell = ws[f"{_column_letter(ws, t, col.label(lang))}1"]
        if col.computed:
            assert cell.comment is not None and "acctbook" in cell.comment.text
            assert cell.fill.fgColor.rgb.endswith("D9D9D9")
            assert _validation_at(ws, f"{cell.column_letter}2") is None
        else:
            assert cell.comment is None


# --- Settings ---------------------------------------------------------------------------------
def _settings(wb, lang) -> dict:
    ws, t = _find_table(wb, "Settings")
    return dict(_table_rows(ws, t))


def _first_col_map(wb, name) -> dict:
    ws, t = _find_table(wb, name)
    return {r[0]: r[1:] for r in _table_rows(ws, t)}


@pytest.mark.parametrize("lang", LANGS)
def test_settings_hold_the_spec_defaults(create_wbs, lang):
    wb = create_wbs[lang]
    show = lambda v: schema.show_choice(v, lang)  # noqa: E731
    values = _settings(wb, lang)
    label = lambda key: schema.SETTING_BY_KEY[key].label(lang)  # noqa: E731
    assert [r for r in values] == [s.label(lang) for s in schema.SETTING_ROWS]
    assert values[label("payment_terms")] == 30
    assert values[label("a_threshold")] == 80
    assert values[label("currency")] == "ILS"
    assert values[label("language")] == lang
    assert values[label("vat_rate")] is None and values[label("work_week")] is None
    assert values[label("referral_clause_default")] == show("Yes")
    cadence = _first_col_map(wb, "Cadence")
    assert cadence["A"] == (14,) and cadence[show("Prospect")] == (7,)
    assert cadence[show("Dormant")] == (90,)
    assert _first_col_map(wb, "SLA")[show("High")] == (1,)
    assert _first_col_map(wb, "StageProbability")[show("Negotiation")] == (80,)
    assert _first_col_map(wb, "Tiers")[show("Gold")] == (250000, 7)
    weights = _first_col_map(wb, "Weights")
    revenue = schema.COMPONENT_HE["Revenue"] if lang == "he" else "Revenue"
    assert weights[revenue] == (0.5,) and len(weights) == 5
    assert _first_col_map(wb, "Holidays") == {}


def test_settings_value_dropdowns(create_wbs):
    ws, t = _find_table(create_wbs["en"], "Settings")
    rows = [r[0] for r in _table_rows(ws, t)]
    lang_row = rows.index("Language") + 2
    week_row = rows.index("Work week") + 2
    assert _list_values(_validation_at(ws, f"B{lang_row}")) == ["en", "he"]
    assert _list_values(_validation_at(ws, f"B{week_row}")) == ["Sun-Thu", "Mon-Fri"]
    assert _validation_at(ws, f"B{rows.index('Company name') + 2}") is None


def test_settings_overrides_and_segment_dropdown(tmp_path):
    path = create_workbook(tmp_path / "s.xlsx", "en",
                           settings={"company_name": "Acme Ltd", "segments": "Retail, Industry",
                                     "referral_clause_default": False, "vat_rate": 17})
    wb = openpyxl.load_workbook(path)
    values = _settings(wb, "en")
    assert values["Company name"] == "Acme Ltd"
    assert values["Referral clause default"] == "No"
    assert values["VAT rate"] == 17
    ws, t = _find_table(wb, "Clients")
    dv = _validation_at(ws, f"{_column_letter(ws, t, 'Segment')}2")
    assert _list_values(dv) == ["Retail", "Industry"]


def test_no_segment_dropdown_without_segments(create_wbs):
    ws, t = _find_table(create_wbs["en"], "Clients")
    assert _validation_at(ws, f"{_column_letter(ws, t, 'Segment')}2") is None


# --- Home -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_home_title_and_kpi_labels(create_wbs, lang):
    ws = create_wbs[lang][schema.generated_sheet("Home", lang)]
    assert ws["A1"].value == schema.HOME_TITLE[lang == "he"] and ws["A1"].font.b
    first = schema.HOME_FIRST_ROW
    labels = [ws.cell(first + i, 1).value for i in range(len(schema.HOME_KPIS))]
    assert labels == [k[2] if lang == "he" else k[1] for k in schema.HOME_KPIS]
    assert ws.cell(first, 2).value is None and ws.cell(first, 2).number_format == "yyyy-mm-dd"
    for row in ws.iter_rows(min_col=4, max_col=6):          # kept free for buttons
        assert all(c.value is None for c in row)
    help_text = " ".join(str(c.value) for c in ws["H"] if c.value)
    assert ("Refresh" in help_text and "Interactions" in help_text) if lang == "en" else help_text


@pytest.mark.parametrize("lang", LANGS)
def test_home_deal_cell_is_named_with_a_dropdown_of_the_deal_list(create_wbs, lang):
    from acctbook.xlbook.book import DEAL_LABEL, DEAL_NAME, DEAL_ROW
    wb = create_wbs[lang]
    home = schema.generated_sheet("Home", lang)
    assert list(wb.defined_names[DEAL_NAME].destinations) == [(home, f"$B${DEAL_ROW}")]
    ws = wb[home]
    assert ws.cell(DEAL_ROW, 1).value == DEAL_LABEL[lang == "he"]
    dv = _validation_at(ws, f"B{DEAL_ROW}")
    assert not dv.showErrorMessage                  # a typed Deal ID is accepted
    lists = schema.lists_sheet(lang)
    n = schema.DEAL_LIST_ROWS
    assert dv.type == "list" and dv.formula1 == (     # Lists' filled rows of column A
        f"'{lists}'!$A$2:INDEX('{lists}'!$A$2:$A${n + 1},MAX(1,'{lists}'!$C${n + 1}))")
    # Only plain ranges for xlwings Lite: the Deal cell, and the reference drop-downs' key
    # columns as structured references (tests/test_dropdowns.py), never a formula.
    others = {n: d.attr_text for n, d in wb.defined_names.items()
              if n not in (DEAL_NAME, schema.CLIENT_NAME)}
    assert others and all(re.fullmatch(r"acctbook_\w+", n) and re.fullmatch(r"\w+\[[^\]]+\]", v)
                          for n, v in others.items()), others
    deal_ids = "Deals[מזהה עסקה]" if lang == "he" else "Deals[Deal ID]"
    assert deal_ids in wb[lists]["B2"].value and f"$B${n + 1}" in wb[lists]["A2"].value


@pytest.mark.parametrize("lang", LANGS)
def test_home_client_cell_is_named_with_a_dropdown_of_the_clients(create_wbs, lang):
    """The Brief button's Client cell, below the Deal: named, a drop-down of the clients'
    names (the name over Clients[Name], in the book's words), a typed Client ID accepted."""
    wb = create_wbs[lang]
    home = schema.generated_sheet("Home", lang)
    row = schema.CLIENT_ROW
    assert row == schema.DEAL_ROW + 1
    assert list(wb.defined_names[schema.CLIENT_NAME].destinations) == [(home, f"$B${row}")]
    assert wb[home].cell(row, 1).value == ("לקוח" if lang == "he" else "Client")
    dv = _validation_at(wb[home], f"B{row}")
    assert dv.type == "list" and dv.formula1 == schema.CLIENT_LIST and not dv.showErrorMessage
    assert wb.defined_names[schema.CLIENT_LIST].attr_text == (
        "Clients[שם]" if lang == "he" else "Clients[Name]")
    assert ("תדריך" if lang == "he" else "Brief") in dv.prompt


@pytest.fixture(scope="module")
def demo_recalculated(tmp_path_factory) -> dict:
    """Demo books (en, he) recalculated by LibreOffice in one conversion: the Lists sheet's
    values as its formulas compute them, and the demo's deals."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    from acctbook.create.demo import demo_data
    folder = tmp_path_factory.mktemp("lists")
    data, settings = demo_data(dt.date(2026, 3, 10))
    books = [create_workbook(folder / f"demo.{lang}.xlsx", lang, data, settings)
             for lang in LANGS]
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    # LibreOffice keeps an .xlsx's cached results unless told to recalculate on load.
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items '
        'xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><item '
        'oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" '
        'oor:op="fuse"><value>0</value></prop></item></oor:items>', encoding="utf-8")
    out = folder / "out"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(out), *map(str, books)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lists = {}
    for lang in LANGS:
        ws = openpyxl.load_workbook(out / f"demo.{lang}.xlsx", data_only=True)[
            schema.lists_sheet(lang)]
        lists[lang] = [v for (v,) in ws.iter_rows(min_row=2, max_col=1, values_only=True) if v]
    return {"lists": lists, "data": data}


@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_computes_the_deal_list(demo_recalculated, lang):
    data = demo_recalculated["data"]
    names = {c["client_id"]: c["name"] for c in data["Clients"]}
    want = [f"{d['deal_id']} \u00b7 {names[d['client_id']]}" for d in data["Deals"]
            if d["stage"] != "Lost"]
    assert any(d["stage"] == "Lost" for d in data["Deals"]) and len(want) > 10
    assert demo_recalculated["lists"][lang] == want


# --- data -------------------------------------------------------------------------------------
CLIENT_ROWS = [
    {"client_id": "C-001", "name": "Acme Ltd", "status": "Active", "source": "Referral",
     "referred_by": "C-002", "key_account": True, "credit_limit": 50000.5,
     "payment_terms": 45, "created": dt.date(2025, 3, 14), "phone": "+972 3 555 0101",
     "company_number": "012345678", "notes": "=HYPERLINK(\"http://x\")"},
    {"client_id": "C-002", "name": "Beta", "status": "Prospect", "key_account": False,
     "created": dt.datetime(2025, 4, 1), "email": "a@beta.example"},
]


@pytest.mark.parametrize("lang", LANGS)
def test_data_rows_land_typed_and_shown_in_the_language(tmp_path, lang):
    data = {"Clients": CLIENT_ROWS,
            "Holidays": [{"date": dt.date(2026, 4, 2), "name": "Company day"}],
            "Interactions": [{"date": dt.date(2025, 6, 1), "client_id": "C-001",
                              "channel": "Email", "outcome": "No answer"}]}
    path = create_workbook(tmp_path / f"d.{lang}.xlsx", lang, data)
    wb = openpyxl.load_workbook(path)
    show = lambda v: schema.show_choice(v, lang)  # noqa: E731
    ws, t = _find_table(wb, "Clients")
    assert t.ref.startswith("A1:") and t.ref.endswith("3")
    row = dict(zip(_headers(ws, t), _table_rows(ws, t)[0]))
    lab = lambda key: schema.CLIENTS.column(key).label(lang)  # noqa: E731
    assert row[lab("status")] == show("Active") and row[lab("source")] == show("Referral")
    assert row[lab("key_account")] == show("Yes")
    assert row[lab("created")] == dt.datetime(2025, 3, 14)
    assert row[lab("credit_limit")] == 50000.5 and row[lab("payment_terms")] == 45
    assert row[lab("company_number")] == "012345678"          # text stays text
    assert row[lab("notes")] == "=HYPERLINK(\"http://x\")"    # never a formula
    created = ws[f"{_column_letter(ws, t, lab('created'))}2"]
    assert isinstance(created.value, dt.datetime) and created.number_format == "yyyy-mm-dd"
    notes = ws[f"{_column_letter(ws, t, lab('notes'))}2"]
    assert notes.data_type == "s"
    second = dict(zip(_headers(ws, t), _table_rows(ws, t)[1]))
    assert second[lab("key_account")] == show("No")
    assert second[lab("status")] == show("Prospect")
    ws, t = _find_table(wb, "Interactions")
    first = _table_rows(ws, t)[0]
    assert first[0] == dt.datetime(2025, 6, 1) and first[3] == show("Email")
    if lang == "he":
        assert first[3] == "דוא״ל" and first[6] == "אין מענה"
    assert _first_col_map(wb, "Holidays") == {dt.datetime(2026, 4, 2): ("Company day",)}


def test_large_table_keeps_every_row(tmp_path):
    n = 5000
    rows = [{"date": dt.date(2024, 1, 1) + dt.timedelta(days=i % 500), "client_id": f"C{i}",
             "channel": "Phone", "subject": f"call {i}", "next_step_date": None}
            for i in range(n)]
    path = create_workbook(tmp_path / "big.xlsx", "en", {"Interactions": rows})
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["Interactions"]
    values = list(ws.iter_rows(min_row=2, max_col=6, values_only=True))
    assert len(values) == n
    assert values[-1][:4] == (dt.datetime(2024, 1, 1) + dt.timedelta(days=(n - 1) % 500),
                              f"C{n - 1}", None, "Phone")
    wb.close()
    wb = openpyxl.load_workbook(path)
    assert wb["Interactions"].tables["Interactions"].ref == f"A1:K{n + 1}"
    dv = _validation_at(wb["Interactions"], f"D{n + 1000}")
    assert dv is not None and dv.type == "list"


# --- refusals ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, words", [
    ({"data": {"Customers": []}}, "Customers"),
    ({"data": {"Clients": [{"client_id": "C1", "colour": "red"}]}}, "colour"),
    ({"data": {"Today": []}}, "Today"),
    ({"settings": {"favourite_colour": "red"}}, "favourite_colour"),
    ({"lang": "fr"}, "fr"),
])
def test_unknown_keys_raise(tmp_path, kwargs, words):
    with pytest.raises(AcctbookError, match=words):
        create_workbook(tmp_path / "x.xlsx", **kwargs)
    assert list(tmp_path.iterdir()) == []          # nothing half-written is left behind


def test_only_xlsx(tmp_path):
    with pytest.raises(AcctbookError, match="xlsx"):
        create_workbook(tmp_path / "x.xlsm")


# --- LibreOffice ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_libreoffice_converts_the_template_to_pdf(create_books, tmp_path, lang):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(create_books[lang])],
        capture_output=True, text=True, timeout=120)
    pdf = out / (create_books[lang].stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
