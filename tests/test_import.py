"""`acctbook import`: the lists a manager already keeps, each format made here at test time
(a Salesforce accounts CSV, a HubSpot companies export, a Hebrew Google Sheets export with a
title row and mixed dates, a Windows-1255 CSV, an Excel list with merged title cells, an
.ods through LibreOffice), imported by the command as a user runs it; the books read back
with python-calamine and openpyxl, the sheet XML looked at for formulas."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book.headers import CLIENT_SYNONYMS, match_headers
from acctbook.create.workbook import create_workbook

TODAY = dt.date(2026, 3, 2)


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    return subprocess.run([sys.executable, "-m", "acctbook", *map(str, args), "--today",
                           TODAY.isoformat()], capture_output=True, text=True, env=env,
                          timeout=300)


def write_csv(path: Path, rows, encoding="utf-8", delimiter=",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def table(path, name) -> tuple[list[str], list[list]]:
    """A table of the book, read back by calamine: (headers, data rows)."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(name)
    return list(t.columns), t.to_python()


def records(path, name) -> list[dict]:
    heads, rows = table(path, name)
    return [dict(zip(heads, r)) for r in rows if any(v not in ("", None) for v in r)]


def mapping(result_json) -> dict[str, str | None]:
    return {m["header"]: m["column"] for s in result_json["sources"] for m in s["mapping"]}


def check_problems(path):
    return api.check(path, today=TODAY).problems


# --- the fixtures -----------------------------------------------------------------------
SALESFORCE = [
    ["Account Name", "Account Number", "Type", "Industry", "Billing Street", "Billing City",
     "Billing Country", "Phone", "Website", "Account Owner", "Created Date", "Description"],
    ["Galil Foods Ltd", "SF-101", "Customer", "Food", "1 Herzl St", "Haifa", "Israel",
     "04-8537777", "galil.example", "Dana", "2024-03-05", "big buyer"],
    ["=1+1", "SF-102", "Prospect", "Retail", "2 Weizmann", "Tel Aviv", "Israel",
     "03-6091234", "x.example", "Dana", "17/4/2023", "formula-looking name"],
    ["@SUM(A1)", "SF-103", "Customer", "", "", "Eilat", "IL", "08-6331234", "", "Avi",
     "31/02/2024", "planted: no such date"],
    ["Galil Foods Ltd.", "", "Customer", "", "", "Haifa", "Israel", "", "", "", "", "+dup"],
]


def salesforce_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "accounts.csv", SALESFORCE, encoding="utf-8-sig")


def test_a_salesforce_export_makes_a_whole_book(tmp_path):
    src, book = salesforce_csv(tmp_path), tmp_path / "clients.xlsx"
    r = run("import", src, "--into", book, "--json")
    assert r.returncode == 1, r.stderr            # imported, with the planted faults
    out = json.loads(r.stdout)
    assert mapping(out) == {
        "Account Name": "Clients.name", "Account Number": "Clients.client_id",
        "Type": "Clients.status", "Industry": "Clients.segment",
        "Billing Street": "Clients.address", "Billing City": "Clients.city",
        "Billing Country": "Clients.country", "Phone": "Clients.phone", "Website": None,
        "Account Owner": "Clients.owner", "Created Date": "Clients.created",
        "Description": "Clients.notes"}
    problems = {(p["source"], p["row"]) for p in out["problems"]}
    assert problems == {("accounts.csv", 4), ("accounts.csv", 5)}   # bad date, duplicate
    assert out["counts"]["clients"] == 4 and out["own_columns"] == ["Website"]
    clients = records(book, "Clients")
    assert [c["Client ID"] for c in clients] == ["SF-101", "SF-102", "SF-103", "C-0001"]
    assert clients[0]["Created"] == dt.date(2024, 3, 5)
    assert clients[1]["Created"] == dt.date(2023, 4, 17)          # d/m/yyyy
    assert clients[0]["Country"] == "IL" and clients[0]["Status"] == "Active"
    assert clients[1]["Status"] == "Prospect" and clients[0]["Website"] == "galil.example"
    assert clients[3]["Created"] == TODAY                          # none given: the day
    # the book's check: only the source's own faults (the impossible date, the duplicate)
    found = {(p.code, p.row) for p in check_problems(book)}
    assert found == {("type-date", 4), ("duplicate-client", 5)}, found
    # ... and the new book's Problems sheet lists them already, each cell named
    listed = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Problems").to_python()
    assert listed[0][:4] == ["Severity", "Code", "Sheet", "Cell"]
    assert {(row[1], row[3]) for row in listed[1:]} == {("type-date", "T4"),
                                                         ("duplicate-client", "B5")}
    # Home's buttons: a full acctbook workbook (xlwings Lite's parts are in it)
    with zipfile.ZipFile(book) as z:
        assert any(n.startswith("xl/webextensions/") for n in z.namelist())


def _sheet_xml(book: Path, sheet: str) -> str:
    with zipfile.ZipFile(book) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', wb)[1]
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'Target="([^"]+)"[^>]*Id="{rid}"', rels)
        return z.read("xl/" + target[1].lstrip("/").removeprefix("xl/")).decode()


def test_formula_looking_cells_land_as_text(tmp_path):
    book = tmp_path / "clients.xlsx"
    assert run("import", salesforce_csv(tmp_path), "--into", book).returncode == 1
    xml = _sheet_xml(book, "Clients")
    assert "<f>" not in xml and "<f " not in xml
    names = [c["Name"] for c in records(book, "Clients")]
    assert "=1+1" in names and "@SUM(A1)" in names
    ws = openpyxl.load_workbook(book, read_only=True)["Clients"]
    values = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "=1+1" in values                                   # text, not a formula's result


def test_a_hubspot_export_and_a_contact_log(tmp_path):
    hub = write_csv(tmp_path / "hubspot-companies.csv", [
        ["Record ID", "Company name", "Company Domain Name", "Phone Number", "City",
         "Country/Region", "Lifecycle Stage", "Create Date", "Company owner"],
        ["9001", "Negev Steel", "negev.example", "08-6331234", "Beer Sheva", "Israel",
         "customer", "2025-01-15 10:22", "Dana"],
        ["9002", "Carmel Labs", "carmel.example", "04-8537777", "Haifa", "Israel",
         "lead", "2025-02-01", "Dana"]])
    log = write_csv(tmp_path / "calls.csv", [
        ["Date", "Client", "Subject", "Type", "Outcome"],
        ["2026-02-10", "Negev Steel", "price list", "Call", "Reached"],
        ["12/2/2026", "9002", "first meeting", "Meeting", "Meeting set"],
        ["2026-02-11", "Nobody Inc", "planted: unknown client", "Email", ""]])
    book = tmp_path / "book.xlsx"
    r = run("import", hub, log, "--into", book, "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1 and [s["kind"] for s in out["sources"]] == ["clients", "log"]
    assert mapping(out)["Record ID"] == "Clients.client_id"
    assert mapping(out)["Lifecycle Stage"] == "Clients.status"
    assert mapping(out)["Company Domain Name"] is None
    assert [(p["source"], p["row"]) for p in out["problems"]] == [("calls.csv", 4)]
    clients = records(book, "Clients")
    assert [(c["Client ID"], c["Status"]) for c in clients] == [("9001", "Active"),
                                                                ("9002", "Prospect")]
    assert clients[0]["Created"] == dt.date(2025, 1, 15)
    calls = records(book, "Interactions")
    assert [(c["Client ID"], c["Channel"], c["Date"]) for c in calls] == [
        ("9001", "Phone", dt.date(2026, 2, 10)), ("9002", "Meeting", dt.date(2026, 2, 12))]
    assert not [p for p in check_problems(book) if p.severity == "error"]


def hebrew_sheet(tmp_path) -> Path:
    """A Google Sheets export: a title row, a blank row, Hebrew headers, mixed dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "גיליון1"
    ws.append(["רשימת לקוחות 2025"])
    ws.append([])
    ws.append(["שם לקוח", "ח.פ.", "עיר", "טלפון נייד", "איש קשר", "תפקיד", "תאריך הצטרפות",
               "הערות", "תחום"])
    ws.append(["מאפיית הגליל", "514044130", "חיפה", "04-8537777", "רונית כהן", "מנכ״לית",
               dt.date(2024, 3, 5), "", "מזון"])
    ws.append(["סטודיו ים", 512345679, "תל אביב", "03-6091234", "", "", 45000, "", "עיצוב"])
    ws.append(["נגב ברזל", "520000019", "באר שבע", "08-6331234", "", "", "5/3/2024", "", ""])
    ws.append(["כרמל מעבדות", "515555555", "חיפה", "052-3456789", "", "", "2024-03-05", "", ""])
    ws.append(["לא ידוע בע״מ", "", "אילת", "", "", "", "לא ידוע", "planted", ""])
    path = tmp_path / "לקוחות.xlsx"
    wb.save(path)
    return path


def test_a_hebrew_google_sheets_export_makes_a_hebrew_book(tmp_path):
    book = tmp_path / "book.he.xlsx"
    r = run("import", hebrew_sheet(tmp_path), "--into", book, "--json")
    out = json.loads(r.stdout)
    assert out["sources"][0]["header_row"] == 3
    assert mapping(out) == {"שם לקוח": "Clients.name", "ח.פ.": "Clients.company_number",
                            "עיר": "Clients.city", "טלפון נייד": "Clients.phone",
                            "איש קשר": "Contacts.name", "תפקיד": "Contacts.role",
                            "תאריך הצטרפות": "Clients.created", "הערות": "Clients.notes",
                            "תחום": None}
    assert [(p["row"]) for p in out["problems"]] == [8]          # the date nobody knows
    assert "תאריך" in out["problems"][0]["message"] or "לא ידוע" in out["problems"][0]["message"]
    clients = records(book, "Clients")
    assert [c["תאריך יצירה" if "תאריך יצירה" in c else "נוצר"] for c in clients][:4] == [
        dt.date(2024, 3, 5), dt.date(2023, 3, 15), dt.date(2024, 3, 5), dt.date(2024, 3, 5)]
    assert clients[1]["מספר חברה"] == "512345679" and clients[0]["תחום"] == "מזון"
    people = records(book, "Contacts")
    assert [(p["שם"], p["מזהה לקוח"], p["ראשי"]) for p in people] == [
        ("רונית כהן", "C-0001", "כן")]
    errors = [p for p in check_problems(book) if p.severity == "error"]
    assert [(p.code, p.row) for p in errors] == [("type-date", 6)], errors
    # in Hebrew throughout: the Problems sheet, the History row and its lines
    listed = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("בעיות").to_python()
    assert [(row[0], row[1], row[2], row[3]) for row in listed[1:]] == [
        ("שגיאה", "type-date", "לקוחות", "T6")]
    assert "אינו תאריך" in listed[1][6]
    history, = records(book, "History")
    assert (history["פקודה"], history["שורות שנוספו"], history["שגיאות"]) == ("ייבוא", 6, 1)
    assert history["פרטים"].splitlines() == [
        f"C-000{i} {c['שם']}: נוסף" for i, c in enumerate(clients, 1)]


def test_a_hebrew_import_prints_hebrew_lines(tmp_path):
    src, book = hebrew_sheet(tmp_path), tmp_path / "book.he.xlsx"
    r = run("import", src, "--into", book)
    assert r.returncode == 1 and not r.stderr.strip(), r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "לקוחות.xlsx [גיליון1]: רשימת לקוחות, כותרות בשורה 3"
    assert "  שם לקוח -> לקוחות: שם  (100%, התאמה מלאה)" in lines
    assert "  תחום -> (נשמרת כעמודה משלכם)" in lines
    assert any(line.startswith("לקוחות.xlsx:8: תאריך הצטרפות:") for line in lines)
    assert lines[-1].startswith(f"{book}: שגיאה אחת") and "בגיליון בעיות" in lines[-1]
    assert not re.search(r"[A-Za-z]{4,}", " ".join(lines).replace("acctbook check", "")
                         .replace(str(book), "").replace(".xlsx", ""))


def test_a_windows_1255_csv_with_semicolons(tmp_path):
    src = write_csv(tmp_path / "ישן.csv", [["לקוח", "עיר", "טלפון", "ח.פ."],
                                           ["אורן שיווק", "נתניה", "09-8851234", "514044130"]],
                    encoding="cp1255", delimiter=";")
    assert src.read_bytes().decode("cp1255")
    with pytest.raises(UnicodeDecodeError):
        src.read_bytes().decode("utf-8")
    book = tmp_path / "b.xlsx"
    r = run("import", src, "--into", book, "--lang", "en")
    assert r.returncode == 0, r.stdout + r.stderr
    c = records(book, "Clients")[0]
    assert (c["Name"], c["City"], c["Company number"]) == ("אורן שיווק", "נתניה", "514044130")


def merged_title_list(tmp_path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "My customers"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["Company", "City", "Phone 1", "Contact", "Mobile", "Custmer since"])
    ws.append(["Arava Tech", "Eilat", "08-6331234", "Noa Bar", "052-3456789",
               dt.datetime(2022, 5, 1)])
    ws.append(["Sharon Print", "Netanya", "09-8851234", "", "", dt.datetime(2021, 1, 9)])
    path = tmp_path / "list.xlsx"
    wb.save(path)
    return path


EXCEL_MAPPING = {"Company": "Clients.name", "City": "Clients.city", "Phone 1": "Clients.phone",
                 "Contact": "Contacts.name", "Mobile": "Contacts.phone",
                 "Custmer since": "Clients.created"}


def test_an_excel_list_with_a_merged_title(tmp_path):
    book = tmp_path / "b.xlsx"
    r = run("import", merged_title_list(tmp_path), "--into", book, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert mapping(out) == EXCEL_MAPPING
    close = [m for m in out["sources"][0]["mapping"] if m["header"] == "Custmer since"][0]
    assert close["how"] == "close" and 84 <= close["confidence"] < 100
    people = records(book, "Contacts")
    assert [(p["Name"], p["Phone"], p["Client ID"]) for p in people] == [
        ("Noa Bar", "052-3456789", "C-0001")]
    assert not check_problems(book)


@pytest.fixture(scope="module")
def ods_list(tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot make the .ods fixture")
    folder = tmp_path_factory.mktemp("ods")
    src = merged_title_list(folder)
    profile = (folder / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "ods", "--outdir", str(folder), str(src)], capture_output=True, timeout=180)
    ods = folder / "list.ods"
    if not ods.exists():
        pytest.skip("LibreOffice did not convert the list to .ods")
    return ods


def test_an_ods_list(ods_list, tmp_path):
    book = tmp_path / "b.xlsx"
    r = run("import", ods_list, "--into", book, "--json")
    assert r.returncode == 0, r.stderr
    assert mapping(json.loads(r.stdout)) == EXCEL_MAPPING
    assert [c["Name"] for c in records(book, "Clients")] == ["Arava Tech", "Sharon Print"]


def test_dry_run_prints_the_mapping_and_writes_nothing(tmp_path):
    book = tmp_path / "b.xlsx"
    r = run("import", salesforce_csv(tmp_path), "--into", book, "--dry-run")
    assert r.returncode == 1 and not book.exists()
    assert "Billing City -> Clients: City  (100%, exact)" in r.stdout
    assert "Website -> (kept as your own column)" in r.stdout
    assert "accounts.csv:4: Created Date: '31/02/2024' is not a date" in r.stdout
    assert "Clients: Client ID=SF-101, Name=Galil Foods Ltd" in r.stdout
    assert "nothing written" in r.stdout


def test_map_overrides_and_an_unreadable_source(tmp_path):
    src = write_csv(tmp_path / "x.csv", [["Cust", "Where"], ["Ayalon", "Lod"]])
    book = tmp_path / "b.xlsx"
    r = run("import", src, "--into", book, "--map", "Cust=Name", "--map", "Where=City")
    assert r.returncode == 0, r.stdout + r.stderr
    assert records(book, "Clients")[0]["City"] == "Lod"
    r = run("import", tmp_path / "missing.csv", "--into", tmp_path / "c.xlsx")
    assert r.returncode == 2 and "missing.csv" in r.stderr
    r = run("import", src, "--into", tmp_path / "c.xlsx", "--map", "Cust=Nonsense")
    assert r.returncode == 2 and "Nonsense" in r.stderr


def test_headers_match_with_synonyms_in_both_languages():
    got = {m.header: m.target for m in match_headers(
        ["Customer name", "Billing City", "Phone 1", "ח.פ.", "ע.מ.", "עיר"], CLIENT_SYNONYMS, {})}
    assert got["Customer name"] == ("Clients", "name")
    assert got["Billing City"] == ("Clients", "city") and got["Phone 1"] == ("Clients", "phone")
    assert got["ח.פ."] == ("Clients", "company_number")
    assert got["ע.מ."] is None            # one column per target: the first synonym won


# --- into an existing book ------------------------------------------------------------------
def _zip_members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_import_into_an_existing_book_appends_and_fills_blanks(tmp_path):
    book = tmp_path / "mine.xlsx"
    create_workbook(book, "en", data={"Clients": [
        {"client_id": "C-007", "name": "Galil Foods", "company_number": "514044130",
         "status": "Active", "created": dt.date(2024, 1, 1)},
        {"client_id": "C-009", "name": "Other Co", "city": "Acre", "status": "Active",
         "created": dt.date(2024, 1, 1)}]}, lite=True)
    before = _zip_members(book)
    src = write_csv(tmp_path / "more.csv", [
        ["Company", "Company ID", "City", "Contact name", "Website"],
        ["Galil Foods Ltd", "514044130", "Haifa", "Dana Levi", "g.example"],
        ["New One", "", "Lod", "", ""],
        ["=HYPERLINK(\"x\")", "", "Ramla", "", ""]])
    r = run("import", src, "--into", book, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["matched"] == [{"source": "more.csv", "row": 2, "client_id": "C-007"}]
    assert out["counts"] == {"clients": 2, "matched": 1, "cells_filled": 1, "contacts": 1,
                             "interactions": 0}
    assert out["not_imported"] == [] and out["own_columns"] == ["Website"]
    after = _zip_members(book)
    changed = {n for n in before if before[n] != after.get(n)} | (set(after) - set(before))
    touched = {"xl/workbook.xml", "xl/styles.xml"} | {
        n for n in after if re.fullmatch(r"xl/(worksheets/sheet\d+|tables/table\d+)\.xml", n)}
    assert changed <= touched, changed
    sheets_changed = {n for n in changed if n.startswith("xl/worksheets/")}
    assert sheets_changed == set().union(*(_part_of(after, s) for s in (    # nothing to list:
        "Clients", "Contacts", "History"))) & sheets_changed               # Problems untouched
    assert len(sheets_changed) == 3
    clients = records(book, "Clients")
    assert [(c["Client ID"], c["Name"], c["City"], c["Website"]) for c in clients] == [
        ("C-007", "Galil Foods", "Haifa", "g.example"), ("C-009", "Other Co", "Acre", ""),
        ("C-010", "New One", "Lod", ""), ("C-011", "=HYPERLINK(\"x\")", "Ramla", "")]
    ws = openpyxl.load_workbook(book, read_only=True)["Clients"]
    rows = list(ws.iter_rows(min_row=2, max_row=5, values_only=True))
    assert [r[0] for r in rows] == ["C-007", "C-009", "C-010", "C-011"]
    assert rows[3][1] == "=HYPERLINK(\"x\")"
    assert "<f>" not in _sheet_xml(book, "Clients")
    assert [(p["Client ID"], p["Name"]) for p in records(book, "Contacts")] == [
        ("C-007", "Dana Levi")]
    # one History row, in the same write: what it added and filled, a line per client
    (log,) = records(book, "History")
    assert log["Command"] == "import" and log["When"] == TODAY
    assert log["Rows added"] == 3                        # two clients and a contact
    assert log["Cells changed"] == 2                     # C-007's City and Website
    assert log["Details"].splitlines() == ["C-007 Galil Foods: City, Website filled",
                                           "C-010 New One: added",
                                           "C-011 =HYPERLINK(\"x\"): added"]
    assert Path(str(book).replace(".xlsx", ".bak.xlsx")).exists()


def _part_of(members: dict[str, bytes], sheet: str) -> set[str]:
    """The sheet's part and its tables' parts, found through the workbook's relationships."""
    wb = members["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" [^>]*r:id="(rId\d+)"', wb)[1]
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    part = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels)[1]
    srels = members.get(part.replace("worksheets/", "worksheets/_rels/") + ".rels", b"").decode()
    return {part} | {"xl/tables/" + t for t in re.findall(r'Target="\.\./tables/([^"]+)"', srels)}


def test_unplaced_columns_become_own_columns_of_an_existing_book(tmp_path):
    book = create_workbook(tmp_path / "mine.xlsx", "en", data={"Clients": [
        {"client_id": "C-001", "name": "Acme", "status": "Active",
         "created": dt.date(2024, 1, 1)}]}, lite=True)
    heads, _ = table(book, "Clients")
    before = _zip_members(book)
    src = write_csv(tmp_path / "list.csv", [["Name", "City", "Favourite colour"],
                                            ["Acme", "Acre", "red"], ["Beta", "Lod", "=2+2"]])
    r = run("import", src, "--into", book, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["own_columns"] == ["Favourite colour"] and out["not_imported"] == []
    got, rows = table(book, "Clients")
    assert got == heads + ["Favourite colour"]
    assert [(x[0], x[1], x[-1]) for x in rows] == [("C-001", "Acme", "red"),
                                                   ("C-002", "Beta", "=2+2")]
    assert "<f>" not in _sheet_xml(book, "Clients")
    # only Clients (sheet and table), History (the import's row) and the book-level parts
    # that every write touches differ; every other sheet's parts are byte for byte the same
    after = _zip_members(book)
    changed = {n for n in before if before[n] != after.get(n)} | (set(after) - set(before))
    mine = _part_of(after, "Clients") | _part_of(after, "History")
    assert changed - mine <= {"xl/workbook.xml", "xl/styles.xml"}, changed
    for name in set(before) - mine - {"xl/workbook.xml", "xl/styles.xml"}:
        assert after[name] == before[name], name
    # a second list: its column of the same name lands in the book's own column, blanks only
    src2 = write_csv(tmp_path / "more.csv", [["Name", "favourite COLOUR"],
                                             ["Beta", "blue"], ["Gamma", "green"]])
    r = run("import", src2, "--into", book, "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["own_columns"] == ["Favourite colour"]
    got, rows = table(book, "Clients")
    assert got == heads + ["Favourite colour"]                  # no second column
    assert [(x[1], x[-1]) for x in rows] == [("Acme", "red"), ("Beta", "=2+2"),
                                             ("Gamma", "green")]
    assert [h["Command"] for h in records(book, "History")] == ["import", "import"]


def test_no_room_beside_the_table_leaves_the_column_out_and_says_so(tmp_path):
    from acctbook.xlsx.patch import patch_workbook
    book = create_workbook(tmp_path / "mine.xlsx", "en", data={"Clients": [
        {"client_id": "C-001", "name": "Acme", "status": "Active",
         "created": dt.date(2024, 1, 1)}]}, lite=True)
    heads, _ = table(book, "Clients")
    patch_workbook(book, {"Clients": {(3, len(heads) + 1): "my note"}}, backup=False)
    src = write_csv(tmp_path / "list.csv", [["Name", "Favourite colour"], ["Beta", "red"]])
    r = run("import", src, "--into", book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "not imported" in r.stdout and "Favourite colour" in r.stdout
    got, rows = table(book, "Clients")
    assert got == heads and [x[1] for x in rows] == ["Acme", "Beta"]
    ws = openpyxl.load_workbook(book, read_only=True)["Clients"]
    assert ws.cell(3, len(heads) + 1).value == "my note"
