"""Issue 21: each xlwings Lite script sends Python only the sheets it needs (`@script(
exclude=[...])`, sheet names in the book's language). Pressed with those sheets sent as Lite
sends an excluded sheet (no cells, no tables), every button does exactly what it does with
the whole workbook: the same actions, the same result."""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")   # tests only: the remote engine

import xlwings as xw  # noqa: E402

import xlwings_remote as xr  # noqa: E402
from acctbook import api, excel  # noqa: E402
from acctbook.book import schema  # noqa: E402
from acctbook.create import lite  # noqa: E402

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lite-exclude")
    out = {}
    for lang in ("en", "he"):
        path = api.new(folder / f"demo.{lang}.xlsx", lang=lang, demo=True, today=TODAY)
        wb = openpyxl.load_workbook(path)       # Home's Deal and Client cells chosen (a test book)
        deal = api.demo_deal(api.load(path), lang)
        client = wb[schema.CLIENTS.sheet(lang)]["A5"].value
        for name, value in ((schema.DEAL_NAME, deal), (schema.CLIENT_NAME, client)):
            sheet, ref = next(wb.defined_names[name].destinations)
            wb[sheet][ref.replace("$", "")] = value
        wb.save(path)
        out[lang] = path
    return out


def _excluded(payload: dict, names: list[str]) -> dict:
    """The payload as Lite sends it with `names` excluded: those sheets without values or
    tables (their names, and the workbook's names, still there)."""
    out = copy.deepcopy(payload)
    for sheet in out["sheets"]:
        if sheet["name"] in names:
            sheet.update(values=[[]], tables=[], used_range_address="A1")
    return out


def _press(func: str, path: Path, lang: str, exclude: list[str], out_dir: Path):
    cell = next(b["cell"] for b in lite.bindings(lite.main_py(lang)) if b["func"] == func)
    payload = xr.payload(path, active=schema.generated_sheet("Home", lang), selection=cell)
    book = xw.Book(json=_excluded(payload, exclude))
    kw = {"out_dir": out_dir} if func in ("contract", "quote", "monthly_report") else {}
    result = getattr(excel, func)(book, today=TODAY, **kw)
    return result, book.json()["actions"]


def test_every_script_excludes_sheets_in_the_books_language():
    for lang in ("en", "he"):
        text = lite.main_py(lang)
        found = {b["func"] for b in lite.bindings(text)}
        assert found == set(lite.LITE_EXCLUDE)
        for func in found:
            names = lite.excluded_sheets(func, lang)
            assert f"exclude={names!r}".replace("'", '"') in text
            data = {t.sheet(lang) for t in schema.ALL_TABLES} | {schema.HISTORY.sheet(lang),
                                                                 schema.generated_sheet("Home", lang)}
            assert not set(names) & data                  # never a data, Settings or Home sheet
        assert lite.excluded_sheets("check", "he")[0] == "היום"


@pytest.mark.parametrize("lang", ["en", "he"])
@pytest.mark.parametrize("func", sorted(lite.LITE_EXCLUDE))
def test_a_button_without_its_excluded_sheets_does_the_same(demo, tmp_path, lang, func):
    names = lite.excluded_sheets(func, lang)
    assert names
    done = []
    for case, exclude in (("all", []), ("excluded", names)):
        out = tmp_path / case
        out.mkdir()
        result, actions = _press(func, demo[lang], lang, exclude, tmp_path / "docs")
        if isinstance(result, Path):              # the same document, made again
            result = (result.name, result.read_bytes() if result.suffix != ".docx" else None)
            shutil.rmtree(tmp_path / "docs")
        done.append((result if not hasattr(result, "problems") else
                     (len(result.problems), result.cell_writes), actions))
    assert done[0] == done[1]
    assert not [a for a in done[1][1] if a["func"] == "alert" and "cannot" in str(a)]
