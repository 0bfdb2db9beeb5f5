"""The two workbook adapters give one interface (acctbook.book.adapter.Workbook): the file on
disk and the workbook open in Excel (xlwings' remote engine here). The same row appended
through each lands the same in the Contracts table, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import inspect
import shutil

import openpyxl
import pytest

import xlwings_remote as xr
from acctbook import api
from acctbook.book.adapter import Workbook
from acctbook.xlbook.book import OpenWorkbook
from acctbook.xlsx.file import WorkbookFile, open_book

TODAY = dt.date(2026, 3, 10)
ROW = {"contract_id": "CTR-2026-0999", "client_id": "C-0001", "status": "Draft",
       "start": dt.date(2026, 3, 10), "value": 1234.5, "file": "x.docx"}


@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")      # the remote engine: tests only


@pytest.mark.parametrize("cls", [WorkbookFile, OpenWorkbook])
def test_each_adapter_has_every_method_of_the_interface_with_its_parameters(cls):
    for name, want in inspect.getmembers(Workbook, inspect.isfunction):
        if name.startswith("_"):
            continue
        got = getattr(cls, name, None)
        assert got is not None, f"{cls.__name__} lacks {name}"
        assert list(inspect.signature(got).parameters) == list(inspect.signature(want).parameters)


def _last_contract(path) -> dict:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if "Contracts" in ws.tables:
            ref = ws.tables["Contracts"].ref
            rows = [[c.value for c in r] for r in ws[ref]]
            return dict(zip(rows[0], rows[-1]))
    raise AssertionError("no Contracts table")


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_row_appended_through_either_adapter_lands_the_same(tmp_path, lang):
    book = api.new(tmp_path / f"a-{lang}.xlsx", lang=lang, demo=True, today=TODAY)
    file_copy = shutil.copy(book, tmp_path / f"file-{lang}.xlsx")
    wbf = open_book(file_copy)
    assert isinstance(wbf, Workbook)
    wbf.append_rows("Contracts", [ROW])

    excel_copy = shutil.copy(book, tmp_path / f"excel-{lang}.xlsx")
    wb = openpyxl.load_workbook(excel_copy)
    import xlwings as xw
    xbook = xw.Book(json=xr.payload(excel_copy, wb=wb))
    opened = OpenWorkbook(xbook)
    assert isinstance(opened, Workbook)
    opened.append_rows("Contracts", [ROW])
    xr.apply(wb, xbook.json()["actions"])
    wb.save(excel_copy)

    by_file, by_excel = _last_contract(file_copy), _last_contract(excel_copy)
    assert by_file == by_excel
    status = "טיוטה" if lang == "he" else "Draft"
    assert status in by_file.values() and "CTR-2026-0999" in by_file.values()
