"""The Excel buttons (acctbook.excel) through xlwings' remote engine, and the button wiring
inside new workbooks (xlwings Lite's embedded code and shapes; the .xlsm's VBA macros).

Remote engine: a payload read from a real workbook file with openpyxl, each button run
on `xw.Book(json=payload)`, its actions played back onto the file's cells
(tests/xlwings_remote.py) and compared with `acctbook refresh` of the same file read
back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

import xlwings_remote as xr
from acctbook import api
from acctbook.create import lite as buttons
from acctbook.create import vba
from acctbook import excel
from acctbook.book import schema
from acctbook.create.workbook import create_workbook
from acctbook.create.demo import demo_data

TODAY = dt.date(2026, 3, 10)
REPO = Path(__file__).resolve().parent.parent
COMPUTED = ("Clients", "Deals", "Complaints")
GENERATED = ("Today", "Rankings", "Problems")


@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    # The remote engine is xlwings PRO code (PolyForm Noncommercial): tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


def _bad_book(path: Path, lang: str) -> Path:
    """The demo data with problems a user makes, including text Excel would coerce."""
    data, settings = demo_data(TODAY)
    clients = data["Clients"]
    clients[0]["email"] = "not-an-email"
    clients[1]["name"] = "=HYPERLINK(\"http://x\")"      # must stay text, never a formula
    clients[2]["status"] = "Sleeping"                   # not a choice: an error row
    clients[3]["phone"] = "0501"                        # text of digits
    data["Interactions"][0]["client_id"] = "C-NOPE"
    return create_workbook(path, lang, data, settings, lite=True)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("excel")
    data, settings = demo_data(TODAY)
    return {"demo": create_workbook(folder / "demo.xlsx", "en", data, settings, lite=True),
            "demo_he": create_workbook(folder / "demo.he.xlsx", "he", data, settings, lite=True),
            "bad": _bad_book(folder / "bad.xlsx", "en"),
            "he": _bad_book(folder / "bad.he.xlsx", "he")}


def _headless(path: Path, tmp: Path, today: dt.date = TODAY) -> openpyxl.Workbook:
    copy = tmp / ("headless-" + path.name)
    shutil.copy(path, copy)
    api.refresh(copy, today)
    return openpyxl.load_workbook(copy)


def _table(wb, name: str) -> tuple[str, list[list]]:
    for ws in wb.worksheets:
        if name in ws.tables:
            ref = ws.tables[name].ref
            c0, r0, c1, r1 = range_boundaries(ref)
            return ref, [[ws.cell(r, c).value for c in range(c0, c1 + 1)]
                         for r in range(r0, r1 + 1)]
    raise AssertionError(f"no table {name}")


def _formats(wb, name: str) -> list[str]:
    """The number format of each column's first data cell of a table (General if empty)."""
    for ws in wb.worksheets:
        if name in ws.tables:
            c0, r0, c1, _r1 = range_boundaries(ws.tables[name].ref)
            return [ws.cell(r0 + 1, c).number_format for c in range(c0, c1 + 1)]
    raise AssertionError(f"no table {name}")


def _home_values(wb, lang: str) -> list:
    ws = wb[schema.generated_sheet("Home", lang)]
    return [ws.cell(schema.HOME_FIRST_ROW + i, 2).value for i in range(len(schema.HOME_KPIS))]


def _links(wb, sheet: str) -> dict:
    return {(c.row, c.column): c.hyperlink.location or c.hyperlink.target
            for row in wb[sheet].iter_rows() for c in row if c.hyperlink}


# --- Refresh equals the headless refresh -----------------------------------------------------
@pytest.mark.parametrize("which", ["demo", "bad", "he"])
def test_refresh_button_equals_headless_refresh(books, tmp_path, which):
    path = books[which]
    lang = "he" if which == "he" else "en"
    written, actions = xr.run(excel.refresh, path, TODAY)
    assert written is not None, "refresh failed"
    played = _assert_like_headless(path, actions, lang, TODAY, tmp_path)
    problems_sheet = schema.PROBLEMS.sheet(lang)
    if which == "demo":
        assert played["active"] is None and written.problems == []
    else:
        assert played["active"] == problems_sheet       # problems: that sheet is selected
        assert len(written.problems) >= 4


def _assert_like_headless(path: Path, actions: list, lang: str, today: dt.date,
                          tmp: Path) -> dict:
    """Play a Refresh's actions onto the file's cells: the same computed columns, generated
    sheets, Home figures, Today order and links as `acctbook refresh` of the same file."""
    wb = openpyxl.load_workbook(path)
    played = xr.apply(wb, actions)
    assert played["alerts"] == [] and played["unknown"] == []
    want = _headless(path, tmp, today)
    for name in COMPUTED + GENERATED:
        got_ref, got = _table(wb, name)
        want_ref, expected = _table(want, name)
        assert got_ref == want_ref, name
        assert got == expected, f"{name} differs from the headless refresh"
    assert _home_values(wb, lang) == _home_values(want, lang)
    for name in ("Today", "Rankings"):                 # numbers shown alike: #,##0.00, 0.0%
        assert _formats(wb, name) == _formats(want, name), name
    # The Today order, client by client, and the links to each client's row.
    today_sheet = schema.TODAY.sheet(lang)
    assert ([r[1] for r in _table(wb, "Today")[1][1:]]
            == [r[1] for r in _table(want, "Today")[1][1:]])
    got_links = {(r, c): v.lstrip("#") for (s, r, c), v in played["links"].items()
                 if s == today_sheet}
    assert got_links == _links(want, today_sheet)
    return played


def test_refresh_keeps_text_as_text(books):
    """A name that looks like a formula and digits in a text column reach Excel as text."""
    _, actions = xr.run(excel.refresh, books["bad"], TODAY)
    texts = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row
             if isinstance(v, str) and v and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]  # blanks, dates
    assert texts and all(t.startswith("'") for t in texts)
    assert "'=HYPERLINK(\"http://x\")" in texts
    problems = next(a for a in actions if a["func"] == "setValues" and a["sheet_position"]
                    == _sheet_index(books["bad"], "Problems"))
    shown = [v for row in problems["values"] for v in row]
    assert "'not-an-email" in shown


def _sheet_index(path, name) -> int:
    return openpyxl.load_workbook(path, read_only=True).sheetnames.index(name)


def test_refresh_writes_each_column_run_once(books):
    """One value write per contiguous computed-column run, never one per cell."""
    written, actions = xr.run(excel.refresh, books["demo"], TODAY)
    sets = [a for a in actions if a["func"] == "setValues"]
    assert len(sets) < 40      # one per computed column and a few per generated sheet, not per cell
    clients = _sheet_index(books["demo"], "Clients")
    tall = [a for a in sets if a["sheet_position"] == clients]
    rows = openpyxl.load_workbook(books["demo"])["Clients"].max_row - 1     # every client
    assert tall and all(a["column_count"] == 1 and a["row_count"] == rows for a in tall)


# --- Check, Contract, Monthly report ----------------------------------------------------------
def test_check_button_fills_problems_and_selects_it(books, tmp_path):
    written, actions = xr.run(excel.check, books["bad"], TODAY)
    wb = openpyxl.load_workbook(books["bad"])
    played = xr.apply(wb, actions)
    assert played["active"] == "Problems"
    want = _headless(books["bad"], tmp_path)
    assert _table(wb, "Problems") == _table(want, "Problems")
    assert _home_values(wb, "en")[-2:] == _home_values(want, "en")[-2:]


def test_check_button_on_a_clean_book_says_so(books):
    _, actions = xr.run(excel.check, books["demo"], TODAY)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alerts == ["No problems found."]
    assert not [a for a in actions if a["func"] == "activateSheet"]


def test_errors_are_one_friendly_alert(tmp_path):
    """A workbook without acctbook's tables: an alert, no traceback, nothing written."""
    p = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(p)
    result, actions = xr.run(excel.refresh, p, TODAY)
    assert result is None
    assert [a["func"] for a in actions] == ["alert"]
    text = actions[0]["args"][0]
    assert "no acctbook tables" in text and "Traceback" not in text


def _deal_row(path) -> tuple[int, str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    for i, row in enumerate(wb["Deals"].iter_rows(min_row=2, values_only=True), start=2):
        if row[3] in ("Proposal", "Negotiation"):
            return i, row[0]
    raise AssertionError("no open deal in the demo")


def _deals(path, lang: str = "en") -> list[dict]:
    """Every deal of the book: row, id, stage (canonical), client id, name and legal name."""
    wb = openpyxl.load_workbook(path, read_only=True)
    clients = {r[0]: r for r in wb[schema.CLIENTS.sheet(lang)].iter_rows(min_row=2,
                                                                       values_only=True)}
    stages = schema.choice_index(schema.STAGES)
    out = []
    for i, r in enumerate(wb[schema.DEALS.sheet(lang)].iter_rows(min_row=2, values_only=True),
                          start=2):
        if r[0]:
            c = clients.get(r[1]) or (None, None, None)
            out.append({"row": i, "id": r[0], "stage": stages.get(schema.fold(r[3] or "")),
                        "client": r[1], "name": c[1], "legal_name": c[2],
                        "label": f"{r[0]} \u00b7 {c[1]}"})
    return out


def _open_deal(path, lang: str = "en", skip: int = 0) -> dict:
    return [d for d in _deals(path, lang) if d["stage"] in ("Proposal", "Negotiation")][skip]


def _with_deal_cell(path, tmp: Path, value) -> Path:
    """A copy of the book with Home's Deal cell (the cell named acctbook_deal) set, as the
    user picks from its drop-down or types."""
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(wb.defined_names["acctbook_deal"].destinations)
    wb[sheet][ref.replace("$", "")] = value
    copy = tmp / ("chosen-" + Path(path).name)
    wb.save(copy)
    return copy


def _press_home(func, path, lang: str, **kw):
    """Pressed as xlwings Lite presses Home's shape: Home active, the shape's hidden cell
    selected (from main.py's binding)."""
    cell = next(b["cell"] for b in buttons.bindings(buttons.main_py(lang))
                if b["func"] == func.__name__)
    return xr.run(func, path, TODAY, active=schema.generated_sheet("Home", lang),
                  selection=cell, **kw)


def _docx_text(path: Path) -> str:
    import docx
    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _assert_contract_made(path, result, actions, deal: dict) -> None:
    """The .docx names the deal's client; one Draft row for the deal in Contracts."""
    assert result is not None and result.is_file() and result.suffix == ".docx", actions
    text = _docx_text(result)
    assert (deal["legal_name"] or deal["name"]) in text
    wb = openpyxl.load_workbook(path)
    before = _table(wb, "Contracts")[1]
    played = xr.apply(wb, actions)
    assert played["unknown"] == []
    _ref, after = _table(wb, "Contracts")
    assert len(after) == len(before) + 1
    new = after[-1]
    assert new[2] == deal["id"] and new[1] == deal["client"]         # Deal ID, Client ID
    assert new[4] in ("Draft", schema.show_choice("Draft", "he"))
    assert new[0].startswith("CTR-2026-")
    assert len(played["alerts"]) == 1 and deal["id"] in played["alerts"][0]


@pytest.mark.parametrize("which,lang,typed", [("demo", "en", None), ("demo_he", "he", None),
                                              ("demo", "en", "  {low}  ")])
def test_contract_from_home_for_the_deal_in_the_deal_cell(books, tmp_path, which, lang, typed):
    """Pressed on Home (its shape selects the cell behind it): the deal picked in the Deal
    cell ("D-0110 · Client" from the drop-down), or its Deal ID typed in any case."""
    deal = _open_deal(books[which], lang)
    value = deal["label"] if typed is None else typed.format(low=deal["id"].lower())
    path = _with_deal_cell(books[which], tmp_path, value)
    out = tmp_path / "out"
    out.mkdir()
    result, actions = _press_home(excel.contract, path, lang, out_dir=out)
    _assert_contract_made(path, result, actions, deal)
    assert list(out.iterdir()) == [result]


def test_contract_from_the_deals_sheet_takes_the_selected_row(books, tmp_path):
    """Pressed on Deals (its desktop button keeps the selection): the selected row's deal,
    not the one in Home's Deal cell."""
    chosen, selected = _open_deal(books["demo"]), _open_deal(books["demo"], skip=1)
    path = _with_deal_cell(books["demo"], tmp_path, chosen["label"])
    result, actions = xr.run(excel.contract, path, TODAY, active="Deals",
                             selection=f"C{selected['row']}", out_dir=tmp_path)
    _assert_contract_made(path, result, actions, selected)


def test_contract_from_an_older_book_without_the_name_reads_home(books, tmp_path):
    deal = _open_deal(books["demo"])
    path = _with_deal_cell(books["demo"], tmp_path, deal["id"])
    wb = openpyxl.load_workbook(path)
    del wb.defined_names["acctbook_deal"]
    wb.save(path)
    result, actions = _press_home(excel.contract, path, "en", out_dir=tmp_path)
    _assert_contract_made(path, result, actions, deal)


@pytest.mark.parametrize("which,lang", [("demo", "en"), ("demo_he", "he")])
def test_contract_without_a_deal_says_what_to_do(books, tmp_path, which, lang):
    result, actions = _press_home(excel.contract, books[which], lang, out_dir=tmp_path)
    assert result is None and [a["func"] for a in actions] == ["alert"]
    assert list(tmp_path.iterdir()) == []
    alert = actions[0]["args"][0]
    if lang == "en":
        assert alert == ("choose a deal in the Deal cell on Home (or select its row on the "
                         "Deals sheet), then press Contract")
    else:
        assert "בחרו עסקה" in alert and schema.DEALS.sheet("he") in alert
        assert not re.search("[A-Za-z]", alert)


@pytest.mark.parametrize("value,words", [("lost", "is Lost"), ("D-9999", "not in Deals")])
def test_contract_refuses_a_lost_or_unknown_deal(books, tmp_path, value, words):
    if value == "lost":
        value = next(d for d in _deals(books["demo"]) if d["stage"] == "Lost")["label"]
    path = _with_deal_cell(books["demo"], tmp_path, value)
    out = tmp_path / "out"
    out.mkdir()
    result, actions = _press_home(excel.contract, path, "en", out_dir=out)
    assert result is None and [a["func"] for a in actions] == ["alert"]
    assert words in actions[0]["args"][0] and list(out.iterdir()) == []


def test_report_month_from_home():
    assert excel.report_month(None, TODAY) == "2026-02"
    assert excel.report_month("", dt.date(2026, 1, 5)) == "2025-12"
    assert excel.report_month("2025-11", TODAY) == "2025-11"
    assert excel.report_month(dt.datetime(2025, 7, 1), TODAY) == "2025-07"
    with pytest.raises(Exception, match="YYYY-MM"):
        excel.report_month("last month", TODAY)


def test_monthly_report_button(books, tmp_path):
    try:
        from acctbook.documents.figures import month_figures  # noqa: F401
    except ImportError:
        pytest.skip("acctbook.documents.figures is not finished yet")
    result, actions = xr.run(excel.monthly_report, books["demo"], TODAY, out_dir=tmp_path)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert result == "Report 2026-02", alerts
    added = [a for a in actions if a["func"] == "addSheet"]
    assert added and added[0]["args"][1] == "Report 2026-02"
    assert (tmp_path / f"{books['demo'].stem} report-2026-02.html").is_file()


# --- the buttons inside new workbooks ------------------------------------------------------------
def _lite_parts(path) -> tuple[str, str, dict]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/webextensions/webextension1.xml").decode()
        props = {m[1]: json.loads(unescape(m[2]))
                 for m in re.finditer(r'<we:property name="([^"]+)" value="([^"]*)"/>', xml)}
        assert "xl/webextensions/taskpanes.xml" in z.namelist()
        assert "webextensiontaskpanes" in z.read("_rels/.rels").decode()
        assert "webextension+xml" in z.read("[Content_Types].xml").decode()
    return props["main.py"], props["requirements.txt"], props


def _home_shapes(path, lang) -> dict[str, str]:
    """Shape name -> the cell its link points at, on Home, read from the drawing parts."""
    wb = openpyxl.load_workbook(path, read_only=True)
    home_index = wb.sheetnames.index(schema.generated_sheet("Home", lang)) + 1
    with zipfile.ZipFile(path) as z:
        sheet_rels = z.read(f"xl/worksheets/_rels/sheet{home_index}.xml.rels").decode()
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', sheet_rels)[1]
        xml = z.read(f"xl/drawings/{drawing}").decode()
        rels = z.read(f"xl/drawings/_rels/{drawing}.rels").decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    return {name: unescape(targets[rid]) for name, rid in
            re.findall(r'<xdr:cNvPr id="\d+" name="([^"]+)"[^>]*>\s*<a:hlinkClick [^>]*r:id="(rId\d+)"',
                       xml)}


@pytest.mark.parametrize("lang", ["en", "he"])
def test_lite_code_binds_shapes_that_exist_on_home(tmp_path, lang):
    p = api.new(tmp_path / f"lite.{lang}.xlsx", lang=lang)
    code, reqs, props = _lite_parts(p)
    assert code == buttons.main_py(lang) and "xlwings" in reqs
    binds = buttons.bindings(code)
    assert [b["func"] for b in binds] == [k for k, _en, _he in schema.HOME_BUTTONS]
    home = schema.generated_sheet("Home", lang)
    shapes = _home_shapes(p, lang)
    for b in binds:
        assert b["sheet"] == home
        assert shapes[b["shape"]] == f"#'{home}'!{b['cell']}"
        assert hasattr(excel, b["func"])        # each script calls an acctbook.excel button


# What the Lite test runs in a fresh Python: the main.py taken out of the workbook, as
# Pyodide would (sys.platform "emscripten", no package Pyodide lacks), each button on a
# remote Book of the file; the installed acctbook must not be the one that answers.
# Pyodide 0.27 ships lxml and matplotlib built for it (lxml-5.2.1-cp312-pyodide_2024_0
# wheels); docxtpl, python-docx and jinja2 are pure Python (py3-none-any) from PyPI: those
# stay importable. calamine, XlsxWriter and openpyxl are the file tools Lite never needs.
LITE_RUN = r"""
import datetime as dt, importlib.util, json, sys
payload, main_file, out_file = sys.argv[1:4]
BLOCK = {"python_calamine", "xlsxwriter", "openpyxl"}
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ImportError(f"blocked: {name}")
        if name.split(".")[0] == "acctbook":        # only from sys.path: no editable install
            from importlib.machinery import PathFinder
            spec = PathFinder.find_spec(name, path)
            if spec is None:
                raise ImportError(f"not in the workbook's code: {name}")
            return spec
sys.meta_path.insert(0, Blocker())
import xlwings as xw
before = {m.split(".")[0] for m in sys.modules}
sys.platform = "emscripten"
spec = importlib.util.spec_from_file_location("main", main_file)
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
today = dt.date.today().isoformat()
out = {"actions": {}}
for name, selection in json.load(open(payload)).items():
    book = xw.Book(json=selection)
    getattr(main, name)(book)
    out["actions"][name] = book.json()["actions"]
import acctbook
out.update(today=today, after=dt.date.today().isoformat(), acctbook=acctbook.__file__,
           imported=sorted({m.split(".")[0] for m in sys.modules} - before))
json.dump(out, open(out_file, "w"))
"""


def _distributions(requirements: str) -> set[str]:
    """The distributions requirements.txt brings, with everything they depend on."""
    from importlib.metadata import PackageNotFoundError, requires
    norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()         # noqa: E731
    todo = [norm(re.match(r"[A-Za-z0-9._-]+", line.split("#")[0].strip())[0])
            for line in requirements.splitlines() if line.split("#")[0].strip()]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [norm(re.match(r"[A-Za-z0-9._-]+", r)[0]) for r in needs if "extra ==" not in r]
    return seen


def test_lite_workbook_runs_on_the_code_it_carries(tmp_path):
    """A new workbook's main.py alone, as xlwings Lite runs it: its own copy of acctbook,
    no compiled-only package, every import covered by requirements.txt; Refresh equals the
    headless refresh; Contract and Monthly report leave their .docx and .html under the
    data root (/data in Lite; ACCTBOOK_LITE_DATA here) in a folder named after the book,
    and their alerts say where and how to download; the report sheet gets its 3 charts."""
    from importlib.metadata import packages_distributions
    p = api.new(tmp_path / "lite.xlsx", demo=True, today=dt.date.today())   # checked by the clock
    code, reqs, _props = _lite_parts(p)
    (tmp_path / "main.py").write_text(code, encoding="utf-8")
    chosen = _with_deal_cell(p, tmp_path, _open_deal(p)["label"])
    contract_cell = next(b["cell"] for b in buttons.bindings(code) if b["func"] == "contract")
    presses = {"refresh": xr.payload(p), "check": xr.payload(p),     # Lite: Home's shapes
               "contract": xr.payload(chosen, active="Home", selection=contract_cell),
               "monthly_report": xr.payload(p)}
    (tmp_path / "payload.json").write_text(json.dumps(presses))
    (tmp_path / "run.py").write_text(LITE_RUN)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TMPDIR"] = str(tmp_path / "pyodide-tmp")
    (tmp_path / "pyodide-tmp").mkdir()
    data = tmp_path / "lite-data"           # stands for xlwings Lite's /data
    env[excel.LITE_DATA_ENV] = str(data)
    env.pop(excel.LITE_FOLDER_ENV, None)
    run = subprocess.run([sys.executable, "run.py", "payload.json", "main.py", "out.json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["acctbook"].startswith(str(tmp_path / "pyodide-tmp" / "acctbook-")), out["acctbook"]
    assert out["today"] == out["after"], "ran across midnight; run again"
    today = dt.date.fromisoformat(out["today"])

    actions = out["actions"]
    _assert_like_headless(p, actions["refresh"], "en", today, tmp_path)
    check = xr.apply(openpyxl.load_workbook(p), actions["check"])
    assert check["alerts"] == ["No problems found."] and check["unknown"] == []
    # Contract: the .docx under <data root>/<book name>/, a Draft row, an alert naming it.
    deal = _open_deal(p)
    wb = openpyxl.load_workbook(chosen)
    played = xr.apply(wb, actions["contract"])
    docs = list((data / chosen.stem).glob("*.docx"))
    assert len(docs) == 1 and len(played["alerts"]) == 1, played["alerts"]
    assert str(docs[0]) in played["alerts"][0] and "Files → Import/Export" in played["alerts"][0]
    new = dict(zip(_table(wb, "Contracts")[1][0], _table(wb, "Contracts")[1][-1]))
    assert new["Deal ID"] == deal["id"] and new["Status"] == "Draft"
    client = deal["name"]
    import docx                      # read back in this process, where python-docx is free
    text = "\n".join(par.text for par in docx.Document(str(docs[0])).paragraphs)
    text += "\n".join(c.text for t in docx.Document(str(docs[0])).tables
                      for r in t.rows for c in r.cells)
    assert client in text
    # Monthly report: its sheet with 3 charts, "lite report-YYYY-MM.html" under <data root>/lite/.
    report = actions["monthly_report"]
    month = excel.last_full_month(today)
    assert [a["args"][1] for a in report if a["func"] == "addSheet"] == [f"Report {month}"]
    assert len([a for a in report if a["func"] == "addPicture"]) == 3
    html = data / "lite" / f"lite report-{month}.html"
    alerts = [a["args"][0] for a in report if a["func"] == "alert"]
    assert html.is_file() and len(alerts) == 1 and str(html) in alerts[0], alerts
    assert "Files → Import/Export" in alerts[0]
    first = dt.date.fromisoformat(month + "-01")
    assert f"Monthly report — {first:%B %Y}" in html.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*report-*.html"))

    # Every package the buttons imported is one requirements.txt installs (or the stdlib).
    dists = packages_distributions()
    brought = _distributions(reqs)
    missing = {m: dists.get(m) for m in out["imported"]
               if m not in sys.stdlib_module_names and m != "acctbook" and not m.startswith("_")
               and not any(re.sub(r"[-_.]+", "-", d).lower() in brought
                           for d in dists.get(m, [m]))}
    assert not missing, f"imported but not in requirements.txt: {missing}"


def test_xlsm_buttons_name_macros_in_its_vba_module(tmp_path):
    p = api.new(tmp_path / "desk.xlsm", macros=True)
    with zipfile.ZipFile(p) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
        vba_bin = z.read("xl/vbaProject.bin")
        assert not any(n.startswith("xl/webextensions") for n in z.namelist())
    named = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    # Home's four, and Contract again on Deals (right of its table, in the header row).
    assert sorted(named) == sorted([*vba.MACROS.values(), "Contract"])
    deals_vml = _sheet_vml(p, "Deals")
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", deals_vml) == ["Contract"]
    left, _dx, top = (int(v) for v in
                      re.search(r"<x:Anchor>([^<]+)</x:Anchor>", deals_vml)[1].split(",")[:3])
    assert left > len(schema.DEALS.columns) - 1 and top == 0
    modules = vba.vba_modules(vba_bin)
    subs = set(re.findall(r"^Sub (\w+)\(\)", modules["Module1"], re.M))
    assert set(named) <= subs
    for func, macro in vba.MACROS.items():
        body = modules["Module1"].split(f"Sub {macro}()")[1].split("End Sub")[0]
        assert f'RunPython "import acctbook.excel as x; x.{func}()"' in body
    # xlwings' own module (RunPython) is there, untouched.
    original = vba.vba_modules(vba.standalone_vba())
    assert "Function RunPython" in modules["xlwings"] or "Sub RunPython" in modules["xlwings"]
    assert modules["xlwings"] == original["xlwings"]


def _sheet_vml(path, sheet: str) -> str:
    """The VML drawing (form buttons) of one sheet of the file."""
    wb = openpyxl.load_workbook(path, read_only=True)
    n = wb.sheetnames.index(sheet) + 1
    with zipfile.ZipFile(path) as z:
        rels = z.read(f"xl/worksheets/_rels/sheet{n}.xml.rels").decode()
        target = re.search(r'Target="\.\./drawings/(vmlDrawing\d+\.vml)"', rels)[1]
        return z.read(f"xl/drawings/{target}").decode()


def test_libreoffice_reads_the_macros_and_the_buttons_that_call_them(tmp_path):
    """A second reader of the VBA project (LibreOffice's own MS-OVBA decompressor) finds
    Module1's four Subs, xlwings' RunPython, and each form button bound to its Sub."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    p = api.new(tmp_path / "desk.xlsm", macros=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path / "ods"), str(p)],
                   capture_output=True, timeout=180, check=True)
    with zipfile.ZipFile(tmp_path / "ods" / "desk.ods") as z:
        module1 = unescape(z.read("Basic/VBAProject/Module1.xml").decode())
        xlwings_module = unescape(z.read("Basic/VBAProject/xlwings.xml").decode())
        content = unescape(z.read("content.xml").decode())
    for func, macro in vba.MACROS.items():
        body = module1.split(f"Sub {macro}()")[1].split("End Sub")[0]
        assert body.strip() == f'RunPython "import acctbook.excel as x; x.{func}()"'
    assert "Public Function RunPython(" in xlwings_module
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.Module1\.(\w+)\?", content)
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    assert bound == [*vba.MACROS.values(), "Contract"]       # Home's, then Deals'
    assert labels == [en for key, en, _he in schema.HOME_BUTTONS
                      if key in vba.MACROS] + ["Contract"]


def test_new_refuses_xlsx_with_macros(tmp_path):
    with pytest.raises(Exception, match="xlsm"):
        api.new(tmp_path / "x.xlsx", macros=True)


@pytest.mark.parametrize("name,kw", [("lite.xlsx", {}), ("desk.xlsm", {"macros": True})])
def test_headless_refresh_keeps_code_and_buttons_byte_for_byte(tmp_path, name, kw):
    p = api.new(tmp_path / name, demo=True, today=TODAY, **kw)
    with zipfile.ZipFile(p) as z:
        before = {n: z.read(n) for n in z.namelist()
                  if n.startswith(("xl/webextensions/", "xl/drawings/", "xl/vbaProject"))}
    assert len(before) >= 3
    api.refresh(p, TODAY)
    with zipfile.ZipFile(p) as z:
        after = {n: z.read(n) for n in before}
        assert "webextensiontaskpanes" in z.read("_rels/.rels").decode() or "xlsm" in name
    assert after == before


def test_template_home_has_the_report_month_cell():
    wb = openpyxl.load_workbook(REPO / "workbook" / "acctbook.xlsx")
    from acctbook.xlbook.book import REPORT_MONTH_ROW
    assert wb["Home"].cell(REPORT_MONTH_ROW, 1).value == "Report month (YYYY-MM)"
    assert wb["Home"].cell(REPORT_MONTH_ROW, 2).number_format == "@"


# --- Pyodide: no compiled-only package at import time ---------------------------------------------
def test_core_imports_without_compiled_only_packages():
    code = """
import sys
BLOCK = {"python_calamine", "lxml", "xlsxwriter", "docxtpl", "docx", "openpyxl"}
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCK:
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Blocker())
import acctbook, acctbook.excel, acctbook.core.compute, acctbook.book.coerce, acctbook.book.rules
import acctbook.core.plan, acctbook.xlbook.book
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_product_does_not_set_the_licence_key():
    for f in ("excel.py", "xlbook/book.py", "create/lite.py"):
        assert "XLWINGS_LICENSE_KEY" not in (REPO / "acctbook" / f).read_text()


def test_refresh_button_finds_a_renamed_generated_sheet(tmp_path):
    """Today renamed to 'My calls' in Excel: the button writes the queue there."""
    p = api.new(tmp_path / "r.xlsx", demo=True, today=TODAY)
    wb = openpyxl.load_workbook(p)
    wb["Today"].title = "My calls"
    wb.save(p)
    written, actions = xr.run(excel.refresh, p, TODAY)
    assert written is not None and not [a for a in actions if a["func"] in ("alert", "addSheet")]
    wb = openpyxl.load_workbook(p)
    xr.apply(wb, actions)
    ids = [wb["My calls"].cell(r, 2).value for r in range(2, written.today_rows + 2)]
    assert ids == list(written.results.queue["client_id"]) and len(ids) > 5


def test_contract_button_never_writes_over_data_below_the_table(tmp_path):
    """A note right below Contracts: refused as `acctbook contract` refuses, no document."""
    p = api.new(tmp_path / "c.xlsx", demo=True, today=TODAY)
    wb = openpyxl.load_workbook(p)
    ref, rows = _table(wb, "Contracts")
    below = range_boundaries(ref)[3] + 1
    wb["Contracts"].cell(below, 1).value = "my note"
    wb.save(p)
    row, _deal = _deal_row(p)
    out = tmp_path / "out"
    out.mkdir()
    result, actions = xr.run(excel.contract, p, TODAY, active="Deals", selection=f"B{row}",
                             out_dir=out)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert result is None and len(alerts) == 1 and "holds data" in alerts[0]
    assert [a["func"] for a in actions] == ["alert"] and list(out.iterdir()) == []


def test_an_excel_error_value_is_a_problem_as_in_the_file_reader(tmp_path):
    """Deals!E2 shows #N/A: Check reports excel-error like `acctbook check` (never a blank)."""
    p = api.new(tmp_path / "e.xlsx", demo=True, today=TODAY)
    wb = openpyxl.load_workbook(p)
    wb["Deals"]["E2"] = "#N/A"
    assert wb["Deals"]["E2"].data_type == "e"
    wb.save(p)
    _, actions = xr.run(excel.check, p, TODAY)
    wb = openpyxl.load_workbook(p)
    xr.apply(wb, actions)
    got = [r for r in _table(wb, "Problems")[1][1:] if r[0] is not None]
    headless = api.check(p, TODAY).problems
    assert [p_.code for p_ in headless if p_.cell == "E2" and p_.sheet == "Deals"] == ["excel-error"]
    assert any("#N/A" in str(v) for r in got for v in r)
    assert len(got) == len(headless)


def test_refresh_button_without_home_and_rankings_rebuilds_like_headless(tmp_path):
    """Home renamed, Rankings deleted: no half-written book and no alert; Rankings is made
    again (as the headless refresh does) and the rest is written."""
    p = api.new(tmp_path / "m.xlsx", demo=True, today=TODAY)
    wb = openpyxl.load_workbook(p)
    wb["Home"].title = "Start"
    del wb["Rankings"]
    wb.save(p)
    written, actions = xr.run(excel.refresh, p, TODAY)
    funcs = [a["func"] for a in actions]
    assert written is not None and "alert" not in funcs
    made = funcs.index("addTable")               # the table is made before any other write
    new_sheet = len(openpyxl.load_workbook(p).sheetnames)
    assert all(a["func"] == "addSheet" or a.get("sheet_position") == new_sheet
               for a in actions[:made])
    added = next(a for a in actions if a["func"] == "addSheet")
    assert added["args"][1] == "Rankings"
    header = [c.en for c in schema.RANKINGS.columns]
    assert any(a["func"] == "setValues" and a["values"][0][:3] == ["'" + h for h in header[:3]]
               for a in actions)
    start = openpyxl.load_workbook(p).sheetnames.index("Start")
    assert not [a for a in actions if a.get("sheet_position") == start]
    headless = tmp_path / "h.xlsx"
    shutil.copy(p, headless)
    api.refresh(headless, TODAY)
    assert "Rankings" in openpyxl.load_workbook(headless).sheetnames
