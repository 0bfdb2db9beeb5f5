"""The Brief button on Home, pressed as xlwings Lite presses it (Home active, the shape's
hidden cell selected), through xlwings' remote engine: the client in Home's Client cell,
by name from its drop-down or by Client ID typed, gets its brief on the Brief sheet (the
same rows as `acctbook brief`), and nothing else in the book changes but History."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

import xlwings_remote as xr
from acctbook import api, excel
from acctbook.book import schema
from acctbook.create import lite as buttons

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def remote_licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")   # tests only


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("brief-button")
    out = {}
    for lang in ("en", "he"):
        out[lang] = folder / f"demo.{lang}.xlsx"
        api.new(out[lang], lang=lang, demo=True, today=TODAY)
    return out


def _with_client_cell(path: Path, tmp: Path, value) -> Path:
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(wb.defined_names[schema.CLIENT_NAME].destinations)
    wb[sheet][ref.replace("$", "")] = value
    copy = tmp / ("chosen-" + path.name)
    wb.save(copy)
    return copy


def _press(path: Path, lang: str):
    cell = next(b["cell"] for b in buttons.bindings(buttons.main_py(lang)) if b["func"] == "brief")
    return xr.run(excel.brief, path, TODAY, active=schema.generated_sheet("Home", lang),
                  selection=cell)


def _client(path: Path, lang: str, index: int = 4) -> tuple[str, str]:
    ws = openpyxl.load_workbook(path, read_only=True)[schema.CLIENTS.sheet(lang)]
    row = list(ws.iter_rows(min_row=2 + index, max_row=2 + index, values_only=True))[0]
    return row[0], row[1]


@pytest.mark.parametrize("lang,by", [("en", "name"), ("he", "name"), ("en", "id")])
def test_brief_button_writes_the_clients_brief_on_the_brief_sheet(demo, tmp_path, lang, by):
    cid, name = _client(demo[lang], lang)
    path = _with_client_cell(demo[lang], tmp_path, name if by == "name" else f" {cid.lower()} ")
    result, actions = _press(path, lang)
    assert result == cid
    wb = openpyxl.load_workbook(path)
    before = {ws.title: [[c for c in row] for row in ws.iter_rows(values_only=True)]
              for ws in wb.worksheets}
    played = xr.apply(wb, actions)
    assert played["unknown"] == [] and played["alerts"] == []
    sheet = schema.BRIEF.sheet(lang)
    assert played["active"] == sheet
    ws = wb[sheet]
    assert "Brief" in ws.tables
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == [c.label(lang) for c in schema.BRIEF.columns]
    # the same rows as the command's content, read back from what Excel would show
    from acctbook.core.brief import brief_rows
    brief = api.brief(path, cid, today=TODAY, write=False)
    _, expected = brief_rows(brief.brief, lang)
    got = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    assert len(got) == len(expected)
    assert [r[1] for r in got] == [(e[1] or None) for e in expected]
    text = " ".join(str(v) for r in got for v in r if v is not None)
    assert name in text
    # every other sheet's values as they were; History has one more row
    history = schema.HISTORY.sheet(lang)
    for title, values in before.items():
        if title not in (history,):
            assert [list(r) for r in wb[title].iter_rows(values_only=True)] == values, title
    logged = [r for r in wb[history].iter_rows(min_row=2, values_only=True) if any(r)]
    assert logged[-1][1] == ("תדריך" if lang == "he" else "brief")


@pytest.mark.parametrize("lang", ["en", "he"])
def test_brief_button_without_a_client_says_what_to_do(demo, lang):
    result, actions = _press(demo[lang], lang)
    assert result is None and [a["func"] for a in actions] == ["alert"]
    alert = actions[0]["args"][0]
    if lang == "en":
        assert alert == "choose a client in the Client cell on Home, then press Brief"
    else:
        assert "בחרו לקוח" in alert and not re.search("[A-Za-z]", alert)


def test_brief_button_refuses_an_unknown_client(demo, tmp_path):
    path = _with_client_cell(demo["en"], tmp_path, "Nobody Ltd")
    result, actions = _press(path, "en")
    assert result is None and [a["func"] for a in actions] == ["alert"]
    assert actions[0]["args"][0] == "client Nobody Ltd (the Client cell) is not in Clients"
