"""A generated sheet the user deleted comes back at its place, not as the last tab.

Today goes right after Home; Rankings after Events and Problems after Rankings, as a new
workbook has them (acctbook.api.new); at the end when that neighbour is gone too. Sheets
are deleted by editing the zip as Excel does (the <sheet>, its relationship, its part, its
table, their content types and its app.xml title); books are read back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from acctbook import api, cli
from acctbook.book.schema import generated_sheet, lists_sheet
from acctbook.xlsx.patch import SheetTable, patch_workbook

DAY = dt.date(2026, 3, 10)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """lang -> a demo book, made once (copied by each test)."""
    folder = tmp_path_factory.mktemp("demo")
    return {lang: api.new(folder / f"{lang}.xlsx", lang=lang, demo=True, today=DAY)
            for lang in ("en", "he")}


def copy(src: Path, tmp_path: Path, name="book.xlsx") -> Path:
    out = tmp_path / name
    out.write_bytes(Path(src).read_bytes())
    return out


def rewrite(path: Path, edit) -> None:
    """`edit(entries)` changes the dict zip name -> bytes; the zip is written again."""
    with zipfile.ZipFile(path) as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    edit(entries)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)


def drop_sheet(path: Path, name: str) -> None:
    """Delete sheet `name` as Excel would: its part, table, relationships, types and title."""
    def edit(e):
        wb = etree.fromstring(e["xl/workbook.xml"])
        sheets = wb.find(f"{{{MAIN}}}sheets")
        el = next(s for s in sheets if s.get("name") == name)
        index = list(sheets).index(el)
        rid = el.get(f"{{{REL}}}id")
        sheets.remove(el)
        for dn in wb.iter(f"{{{MAIN}}}definedName"):
            lid = dn.get("localSheetId")
            if lid is not None and int(lid) > index:
                dn.set("localSheetId", str(int(lid) - 1))
        e["xl/workbook.xml"] = etree.tostring(wb, xml_declaration=True, encoding="UTF-8",
                                              standalone=True)
        rels = etree.fromstring(e["xl/_rels/workbook.xml.rels"])
        rel = next(r for r in rels if r.get("Id") == rid)
        rels.remove(rel)
        e["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True)
        part = "xl/" + rel.get("Target").lstrip("/").removeprefix("xl/")
        gone = [part]
        srels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if srels in e:
            for r in etree.fromstring(e[srels]):
                if r.get("TargetMode") != "External":
                    gone.append("xl/" + r.get("Target").replace("../", ""))
            gone.append(srels)
        for g in gone:
            e.pop(g, None)
        ct = etree.fromstring(e["[Content_Types].xml"])
        for o in list(ct):
            if o.get("PartName", "").lstrip("/") in gone:
                ct.remove(o)
        e["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8",
                                                  standalone=True)
        app = etree.fromstring(e["docProps/app.xml"])
        count = app.find(f".//{{*}}HeadingPairs/{{{VT}}}vector/{{{VT}}}variant[2]/{{{VT}}}i4")
        count.text = str(int(count.text) - 1)
        titles = app.find(f".//{{*}}TitlesOfParts/{{{VT}}}vector")
        titles.remove(next(t for t in titles if t.text == name))
        titles.set("size", str(len(titles)))
        e["docProps/app.xml"] = etree.tostring(app, xml_declaration=True, encoding="UTF-8",
                                               standalone=True)
    rewrite(path, edit)


def rename_sheet(path: Path, old: str, new: str) -> None:
    def edit(e):
        e["xl/workbook.xml"] = e["xl/workbook.xml"].replace(
            f'name="{old}"'.encode(), f'name="{new}"'.encode()).replace(
            f"'{old}'!".encode(), f"'{new}'!".encode())
        e["docProps/app.xml"] = e["docProps/app.xml"].replace(
            f">{old}<".encode(), f">{new}<".encode())
    rewrite(path, edit)


def names(path: Path) -> list[str]:
    return openpyxl.load_workbook(path).sheetnames


def app_titles(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        app = etree.fromstring(z.read("docProps/app.xml"))
    n = int(app.find(f".//{{*}}HeadingPairs/{{{VT}}}vector/{{{VT}}}variant[2]/{{{VT}}}i4").text)
    return [t.text for t in app.find(f".//{{*}}TitlesOfParts/{{{VT}}}vector")][:n]


def refresh(path: Path) -> None:
    assert cli.main(["refresh", str(path), "--today", DAY.isoformat()]) == 0


@pytest.mark.parametrize("lang", ["en", "he"])
def test_today_comes_back_right_after_home(demo, tmp_path, lang):
    path = copy(demo[lang], tmp_path)
    made = names(path)
    today, home = generated_sheet("Today", lang), generated_sheet("Home", lang)
    assert made.index(today) == made.index(home) + 1 == 1
    drop_sheet(path, today)
    assert today not in names(path)
    refresh(path)
    assert names(path) == made                 # every other sheet in its order, Today at 1
    assert app_titles(path) == made
    wb = openpyxl.load_workbook(path)
    assert wb[lists_sheet(lang)].sheet_state == "hidden"
    assert wb[today].tables and wb[today].max_row > 1      # rebuilt, with its table
    assert wb.defined_names["acctbook_deal"].attr_text == f"'{home}'!$B$16"


@pytest.mark.parametrize("lang", ["en", "he"])
def test_rankings_and_problems_come_back_where_the_template_puts_them(demo, tmp_path, lang):
    made = names(demo[lang])
    for gone in (["Rankings"], ["Problems"], ["Rankings", "Problems"]):
        path = copy(demo[lang], tmp_path, f"{'-'.join(gone)}.xlsx")
        for g in gone:
            drop_sheet(path, generated_sheet(g, lang))
        refresh(path)
        assert names(path) == made, gone
        assert app_titles(path) == made


def test_at_the_end_when_the_neighbour_is_gone(demo, tmp_path):
    path = copy(demo["en"], tmp_path)
    made = names(path)
    drop_sheet(path, "Today")
    rename_sheet(path, "Home", "Start")        # Home renamed: Today's neighbour is gone
    refresh(path)
    assert names(path) == ["Start"] + [n for n in made if n not in ("Home", "Today")] + ["Today"]
    assert app_titles(path) == names(path)


def test_sheet_positions_follow_an_inserted_sheet(demo, tmp_path):
    """localSheetId and the active and first tabs keep naming the same sheets."""
    path = copy(demo["en"], tmp_path)
    drop_sheet(path, "Today")
    before = names(path)
    clients = before.index("Clients")           # 1 once Today is gone

    def edit(e):
        xml = e["xl/workbook.xml"].decode()
        xml = re.sub(r"<workbookView ", f'<workbookView activeTab="{clients}" firstSheet="{clients}" ', xml)
        xml = xml.replace("</definedNames>", f'<definedName name="_xlnm.Print_Area" '
                          f'localSheetId="{clients}">\'Clients\'!$A$1:$C$3</definedName>'
                          f'<definedName name="home_local" localSheetId="0">Home!$A$1</definedName>'
                          "</definedNames>")
        e["xl/workbook.xml"] = xml.encode()
    rewrite(path, edit)
    patch_workbook(path, sheets=[SheetTable("Today", "Today", ["A"], [["x"]])], backup=False)
    assert names(path) == before[:1] + ["Today"] + before[1:]
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
    view = wb.find(f".//{{{MAIN}}}workbookView")
    assert view.get("activeTab") == view.get("firstSheet") == str(clients + 1)
    local = {d.get("name"): d.get("localSheetId") for d in wb.iter(f"{{{MAIN}}}definedName")}
    assert local["_xlnm.Print_Area"] == str(clients + 1) and local["home_local"] == "0"
    book = openpyxl.load_workbook(path)
    assert book.active.title == "Clients"
    assert "Print_Area" in book["Clients"].defined_names or book["Clients"].print_area
