"""xlwings Lite as it is: files written under /data (or a mounted Local Folder), the
Report sheet's charts as pictures, and the webextension part and requirements.txt as
xlwings Lite itself saves them (FIELD-NOTES "xlwings Lite as it saves a workbook")."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from importlib.metadata import distribution, version
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest

import xlwings_remote as xr
from acctbook import api
from acctbook.create import lite as buttons
from acctbook.documents import charts
from acctbook import excel
from acctbook.book import schema

TODAY = dt.date(2026, 3, 10)
PNG = b"\x89PNG\r\n\x1a\n"
WE = "{http://schemas.microsoft.com/office/webextensions/webextension/2010/11}"


@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    # The remote engine is xlwings PRO code (PolyForm Noncommercial): tests only.
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lite")
    return {lang: api.new(folder / f"demo.{lang}.xlsx", lang=lang, demo=True, today=TODAY)
            for lang in ("en", "he")}


@pytest.fixture
def in_lite(monkeypatch, tmp_path) -> Path:
    """The buttons as in xlwings Lite, with tmp_path/data standing for /data."""
    monkeypatch.setattr(excel, "IN_LITE", True)
    monkeypatch.setattr(excel, "LITE_DATA", tmp_path / "data")
    monkeypatch.delenv(excel.LITE_DATA_ENV, raising=False)
    monkeypatch.delenv(excel.LITE_FOLDER_ENV, raising=False)
    return tmp_path / "data"


def _written_cols(actions: list, sheet_position: int) -> int:
    """The last column (1-based) any setValues writes on that sheet."""
    return max(a["start_column"] + a["column_count"] for a in actions
               if a["func"] == "setValues" and a["sheet_position"] == sheet_position)


# --- the Report sheet's charts ----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_monthly_report_button_places_one_picture_per_chart_beside_the_tables(
        demo_books, tmp_path, lang):
    result, actions = xr.run(excel.monthly_report, demo_books[lang], TODAY, out_dir=tmp_path)
    assert result == f"{'דוח' if lang == 'he' else 'Report'} 2026-02"
    wb = openpyxl.load_workbook(demo_books[lang])
    played = xr.apply(wb, actions)
    assert played["alerts"] == [] and played["unknown"] == []
    assert list(played["pictures"]) == [result]          # all on the report sheet
    pics = played["pictures"][result]
    assert [p["name"] for p in pics] == ["acctbook_chart_revenue", "acctbook_chart_channels",
                                         "acctbook_chart_pipeline"]
    assert all(p["png"].startswith(PNG) for p in pics)
    # Right of every value the button wrote on that sheet, one blank column between.
    position = wb.sheetnames.index(result)
    assert {p["col"] for p in pics} == {_written_cols(actions, position) + 2}
    assert max(c.column for row in wb[result].iter_rows() for c in row
               if c.value is not None) < pics[0]["col"] - 1
    # The rows report_sheet gives its native charts; each picture (320 px, 16 rows) clear
    # of the next.
    assert [p["row"] for p in pics] == [4, 22, 40]
    # Deterministic pictures: the same data gives the same bytes.
    _, again = xr.run(excel.monthly_report, demo_books[lang], TODAY, out_dir=tmp_path)
    assert [a["args"][0] for a in again if a["func"] == "addPicture"] == \
        [a["args"][0] for a in actions if a["func"] == "addPicture"]


def test_monthly_report_without_matplotlib_says_the_charts_need_it(demo_books, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(charts, "available", lambda: False)
    result, actions = xr.run(excel.monthly_report, demo_books["en"], TODAY, out_dir=tmp_path)
    assert result == "Report 2026-02"
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1 and "pip install matplotlib" in alerts[0]
    assert not [a for a in actions if a["func"] == "addPicture"]
    assert (tmp_path / "demo.en report-2026-02.html").is_file()


def test_hebrew_labels_are_laid_out_for_a_left_to_right_renderer():
    assert charts.visual("Phone") == "Phone"
    assert charts.visual("מרץ 25") == "25 ץרמ"
    assert charts.visual("נסגרו (השלב)") == "(בלשה) ורגסנ"
    assert charts.visual("הכנסות, 12 החודשים") == "םישדוחה 12 ,תוסנכה"


# --- files from xlwings Lite ------------------------------------------------------------------
def _deal_row(path, lang: str) -> tuple[int, str, str]:
    """(Excel row, deal id, client name) of the first open deal."""
    wb = openpyxl.load_workbook(path, read_only=True)
    names = {r[0]: r[1] for r in wb[schema.CLIENTS.sheet(lang)].iter_rows(min_row=2,
                                                                        values_only=True)}
    stages = schema.choice_index(schema.STAGES)
    for i, r in enumerate(wb[schema.DEALS.sheet(lang)].iter_rows(min_row=2, values_only=True),
                          start=2):
        if stages.get(schema.fold(r[3] or "")) in ("Proposal", "Negotiation"):
            return i, r[0], names[r[1]]
    raise AssertionError("no open deal in the demo")


@pytest.mark.parametrize("lang", ["en", "he"])
def test_lite_contract_goes_to_data_and_the_alert_says_how_to_download(demo_books, in_lite,
                                                                       lang):
    book = demo_books[lang]
    row, deal, _client = _deal_row(book, lang)
    result, actions = xr.run(excel.contract, book, TODAY, active=schema.DEALS.sheet(lang),
                             selection=f"B{row}")
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert result is not None, alerts
    assert result.parent == in_lite / book.stem and result.suffix == ".docx"
    assert len(alerts) == 1 and str(result) in alerts[0] and deal in alerts[0]
    if lang == "he":
        assert alerts[0].startswith("חוזה ") and "Files → Import/Export בחלונית xlwings Lite" \
            in alerts[0]
    else:
        assert alerts[0].startswith("Contract ") and \
            "Files → Import/Export in the xlwings Lite pane" in alerts[0]


def test_lite_report_goes_to_data_and_the_alert_names_it(demo_books, in_lite):
    book = demo_books["he"]
    result, actions = xr.run(excel.monthly_report, book, TODAY)
    html = in_lite / book.stem / f"{book.stem} report-2026-02.html"
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert html.is_file() and len(alerts) == 1 and str(html) in alerts[0]
    assert alerts[0].startswith(result) and "להורדה" in alerts[0]


def test_lite_files_go_to_a_mounted_local_folder_when_named(demo_books, in_lite, tmp_path,
                                                            monkeypatch):
    mounted = tmp_path / "mnt" / "Contracts"
    mounted.mkdir(parents=True)
    monkeypatch.setenv(excel.LITE_FOLDER_ENV, str(mounted))
    result, actions = xr.run(excel.monthly_report, demo_books["en"], TODAY)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert (mounted / "demo.en report-2026-02.html").is_file() and not in_lite.exists()
    assert len(alerts) == 1 and str(mounted) in alerts[0] and "Import/Export" not in alerts[0]
    # A folder that is not mounted (now): /data as usual.
    monkeypatch.setenv(excel.LITE_FOLDER_ENV, str(tmp_path / "gone"))
    xr.run(excel.monthly_report, demo_books["en"], TODAY)
    assert (in_lite / "demo.en" / "demo.en report-2026-02.html").is_file()


def test_lite_data_root_from_the_environment_for_tests(monkeypatch, tmp_path):
    monkeypatch.delenv(excel.LITE_DATA_ENV, raising=False)
    assert excel.lite_data() == excel.LITE_DATA == Path("/data")
    monkeypatch.setenv(excel.LITE_DATA_ENV, str(tmp_path))
    assert excel.lite_data() == tmp_path


# --- the webextension part and requirements.txt as xlwings Lite saves them ----------------------
def test_webextension_has_every_property_xlwings_lite_saves(tmp_path):
    p = api.new(tmp_path / "we.xlsx")
    with zipfile.ZipFile(p) as z:
        root = ET.fromstring(z.read("xl/webextensions/webextension1.xml"))
        panes = ET.fromstring(z.read("xl/webextensions/taskpanes.xml"))
    ref = root.find(f"{WE}reference")
    assert ref.get("id") == "wa200008175" and ref.get("storeType") == "OMEX"
    alt = root.find(f"{WE}alternateReferences/{WE}reference")
    assert alt.get("id") == "wa200008175" and alt.get("storeType") == "OMEX"
    props = {e.get("name"): json.loads(e.get("value"))
             for e in root.findall(f"{WE}properties/{WE}property")}
    assert set(props) == {"main.py", "requirements.txt", "pyodideVersion", "addinVersion"}
    assert props["pyodideVersion"] == "0.27.5" and props["addinVersion"] == "1.0.0.0-18"
    assert props["main.py"] == buttons.main_py("en")
    assert props["requirements.txt"] == buttons.requirements_txt()
    assert len(props["main.py"].encode("utf-8")) < 1_000_000     # xlwings Lite's limit: 2 MB
    ext = root.find(f"{WE}extLst")
    assert ext is not None
    assert len(ext.findall(f".//{WE}containsCustomFunctions")) == 1
    ids = ext.findall(f".//{WE}customFunctionIdList")
    assert len(ids) == 1 and list(ids[0]) == []
    pane = panes[0]
    assert (pane.get("dockstate"), pane.get("visibility"), pane.get("width")) == \
        ("right", "0", "350")


REQUIRED = ["xlwings==0.33.15  # required", "python-dotenv==1.0.1  # required",
            "pyodide-http  # required", "black  # required"]


def _pure_python(name: str) -> bool:
    tags = [line.split(":", 1)[1].strip() for line in
            (distribution(name).read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]
    return bool(tags) and all(t.endswith("-none-any") for t in tags)


def test_requirements_start_as_lite_writes_them_and_pin_pure_python_to_the_tested():
    lines = buttons.requirements_txt().splitlines()
    assert lines[:4] == REQUIRED
    ours = [re.split(r"\s*#", line)[0].strip() for line in lines[4:]]
    ours = [line for line in ours if line]
    assert ours
    for line in ours:
        name, _, pin = line.partition("==")
        if _pure_python(name):     # from PyPI: the version the tests ran with
            assert pin == version(name), f"{line}: installed {version(name)}"
        else:                      # built for Pyodide: its own version, never pinned
            assert not pin, f"{line}: a package built for Pyodide is not pinned"
    for needed in ("docxtpl", "python-docx", "jinja2", "lxml", "matplotlib"):
        assert any(re.match(rf"{needed}(==|$)", line) for line in ours), needed


def test_the_lite_bundle_is_the_layers_the_buttons_need_and_stays_small():
    """main.py carries book, core, xlbook, documents and the buttons, never the file adapter,
    the workbook makers, jobs, api or cli; and stays under 425 KB (Office allows 2 MB; the
    Hebrew message catalog and the two contract templates are a third of it)."""
    with zipfile.ZipFile(io.BytesIO(buttons.lite_package())) as z:
        names = z.namelist()
    code = {n for n in names if n.endswith(".py")}
    tops = {n.split("/")[1] for n in code}
    assert tops == {"__init__.py", "excel.py", "book", "core", "xlbook", "documents"}
    # exactly the modules acctbook.excel reaches by its imports (function-level ones too)
    reached = {m.replace(".", "/") + ".py" for m in buttons.button_modules()
               if m.count(".") >= 2 or m == "acctbook.excel"}
    assert {n for n in code if not n.endswith("__init__.py")} == reached
    assert "acctbook/core/brief.py" in code and "acctbook/documents/ical.py" not in code
    assert len(buttons.main_py("he").encode("utf-8")) < 425_000


def test_the_lite_bundle_imports_on_its_own(tmp_path):
    """Every module in main.py's code imports from the unpacked bundle alone, as xlwings
    Lite runs it (the source tree and an installed acctbook out of reach)."""
    with zipfile.ZipFile(io.BytesIO(buttons.lite_package())) as z:
        z.extractall(tmp_path)
        modules = sorted(n[:-3].replace("/", ".").removesuffix(".__init__")
                         for n in z.namelist() if n.endswith(".py"))
    code = (
        "import sys, importlib\n"
        "sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f)]\n"
        f"sys.path[:0] = [{str(tmp_path)!r}]\n"
        "for m in sys.argv[1:]:\n"
        "    mod = importlib.import_module(m)\n"
        f"    assert mod.__file__.startswith({str(tmp_path)!r}), mod.__file__\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", code, *modules], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
