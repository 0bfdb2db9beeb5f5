"""`acctbook upgrade`: a book made by an earlier acctbook gets the current Lite code, buttons,
columns, settings and tables; every user cell and untouched part stays as it was."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import __version__, api, cli
from acctbook.book import schema

TODAY = dt.date(2026, 11, 26)


# --- making an "old" book: parts of a book made today, stripped in the zip ------------------
def _rezip(path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(name)}" sheetId="\d+"[^>]*r:id="(rId\d+)"', wb)[1]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    return "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels)[1]


def _table_part(parts: dict[str, bytes], name: str) -> str:
    return next(n for n, d in parts.items() if n.startswith("xl/tables/")
                and f'name="{name}"'.encode() in d)


def strip_lite(parts: dict[str, bytes], home: str = "Home") -> None:
    """No xlwings Lite parts, no shapes on Home (as a book made before the buttons)."""
    for n in [n for n in parts if n.startswith("xl/webextensions/")]:
        del parts[n]
    parts["_rels/.rels"] = re.sub(rb'<Relationship [^>]*webextensiontaskpanes[^>]*/>', b"",
                                  parts["_rels/.rels"])
    home = _sheet_part(parts, home)
    del parts["xl/drawings/drawing1.xml"], parts["xl/drawings/_rels/drawing1.xml.rels"]
    del parts[home.replace("worksheets/", "worksheets/_rels/") + ".rels"]
    parts[home] = parts[home].replace(b'<drawing r:id="rId1"/>', b"")
    parts["[Content_Types].xml"] = re.sub(
        rb'<Override PartName="/xl/(webextensions|drawings/drawing1)[^>]*/>', b"",
        parts["[Content_Types].xml"])


def strip_schema(parts: dict[str, bytes]) -> None:
    """Clients without its last column (Excludes), Settings without its last row (Bank
    details), and no ExchangeRates table: as a book made before those were added."""
    clients, table = _sheet_part(parts, "Clients"), _table_part(parts, "Clients")
    n = len(schema.CLIENTS.columns)
    last = openpyxl.utils.get_column_letter(n)
    assert schema.CLIENTS.columns[-1].key == "excludes"
    parts[clients] = re.sub(rb'<c r="' + last.encode() + rb'\d+"[^>]*?(/>|>.*?</c>)', b"",
                            parts[clients])
    xml = parts[table].decode()
    xml = xml.replace(f":{last}", f":{openpyxl.utils.get_column_letter(n - 1)}")
    xml = re.sub(r'<tableColumn id="\d+" name="Excludes"/>', "", xml)
    parts[table] = xml.replace(f'tableColumns count="{n}"', f'tableColumns count="{n - 1}"').encode()
    settings = _sheet_part(parts, "Settings")
    last_row = len(schema.SETTING_ROWS) + 1
    assert schema.SETTING_ROWS[-1].default in (None, "")      # its default: blank
    parts[settings] = re.sub(rb'<row r="%d".*?</row>' % last_row, b"", parts[settings])
    st = _table_part(parts, "Settings")
    parts[st] = parts[st].replace(b"B%d" % last_row, b"B%d" % (last_row - 1))
    # ExchangeRates: its part, its relationship, its tablePart and its header cells
    er = _table_part(parts, "ExchangeRates")
    ref = re.search(rb'ref="([A-Z]+)1:([A-Z]+)2"', parts[er])
    del parts[er]
    srels = settings.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rid = re.search(rb'Id="(rId\d+)"[^>]*Target="../tables/' + er.split("/")[-1].encode(),
                    parts[srels])[1]
    parts[srels] = re.sub(rb'<Relationship Id="' + rid + rb'"[^>]*/>', b"", parts[srels])
    xml = parts[settings].replace(b'<tablePart r:id="' + rid + b'"/>', b"")
    xml = re.sub(rb'tableParts count="(\d+)"',
                 lambda m: b'tableParts count="%d"' % (int(m[1]) - 1), xml)
    first, end = (openpyxl.utils.column_index_from_string(x.decode()) for x in ref.groups())
    for c in range(first, end + 1):
        col = openpyxl.utils.get_column_letter(c).encode()
        xml = re.sub(rb'<c r="' + col + rb'1"[^>]*?(/>|>.*?</c>)', b"", xml)
    parts[settings] = xml
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        f'<Override PartName="/{er}" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.table+xml"/>'.encode(), b"")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A demo book made by today's code (the reference), built once."""
    folder = tmp_path_factory.mktemp("made")
    path = folder / "made.xlsx"
    api.new(path, demo=True, today=TODAY)
    return path


def _old_book(made, tmp_path, *strips) -> tuple:
    parts = _parts(made)
    for strip in strips:
        strip(parts)
    path = tmp_path / "old.xlsx"
    _rezip(path, parts)
    return path, parts


def _values(path, sheet: str) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _history_parts(parts: dict[str, bytes]) -> set[str]:
    """The History sheet and its table: every upgrade that writes appends a row there."""
    return {_sheet_part(parts, "History"), _table_part(parts, "History")}


def _history(path) -> list[dict]:
    """The History table's rows as calamine reads them, by English header."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name("History")
    return [dict(zip(t.columns, r)) for r in t.to_python() if any(v not in ("", None) for v in r)]


def _shape_names(path) -> set[str]:
    parts = _parts(path)
    return {m.decode() for n, d in parts.items() if n.startswith("xl/drawings/drawing")
            for m in re.findall(rb'<xdr:cNvPr id="\d+" name="([^"]+)"', d)}


# --- the tests ------------------------------------------------------------------------------
def test_lite_parts_and_home_buttons_come_back(made, tmp_path):
    path, before = _old_book(made, tmp_path, strip_lite)
    assert not _shape_names(path)
    r = api.upgrade(path, today=TODAY)
    assert r.written and r.backup and os.path.exists(r.backup)
    after = _parts(path)
    ref = _parts(made)
    assert after["xl/webextensions/webextension1.xml"] == ref["xl/webextensions/webextension1.xml"]
    assert _shape_names(path) == {f"acctbook_{k}" for k, _, _ in schema.HOME_BUTTONS}
    # every part the upgrade had no reason to touch is byte for byte the same
    touched = {"[Content_Types].xml", "_rels/.rels", _sheet_part(after, "Home")}
    for name, data in before.items():
        if name not in touched | _history_parts(after):
            assert after[name] == data, name
    # one History row, in the same write: a line per thing added
    rows = _history(path)
    assert [(h["Command"], h["When"]) for h in rows] == [("upgrade", TODAY)]
    assert rows[0]["Details"].splitlines() == r.lines and len(r.lines) >= 2
    assert _history(r.backup) == []
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.custom_doc_props["acctbook version"].value == __version__
    assert _values(path, "Home") == _values(made, "Home")


def test_missing_column_setting_and_table_added_with_defaults(made, tmp_path):
    path, before = _old_book(made, tmp_path, strip_schema)
    clients_before = _values(path, "Clients")
    dry = api.upgrade(path, dry_run=True)
    assert not dry.written and any("Excludes" in line for line in dry.lines)
    assert _parts(path) == before                                   # dry run: nothing written
    r = api.upgrade(path, today=TODAY)
    assert r.written
    rows = _history(path)
    assert len(rows) == 1 and rows[0]["Command"] == "upgrade"
    assert rows[0]["Rows added"] == 1                            # the last setting
    assert any("Excludes" in line for line in rows[0]["Details"].splitlines())
    clients = _values(path, "Clients")
    n = len(schema.CLIENTS.columns)
    assert clients[0][n - 1] == "Excludes"
    assert [row[:n - 1] for row in clients] == [row[:n - 1] for row in clients_before]
    wb = openpyxl.load_workbook(path)                 # read only: never saved
    assert wb["Clients"].tables["Clients"].ref == wb["Clients"].tables["Clients"].ref
    assert [c.name for c in wb["Clients"].tables["Clients"].tableColumns][-1] == "Excludes"
    settings = wb["Settings"]
    assert "ExchangeRates" in settings.tables
    assert settings.tables["ExchangeRates"].ref == "W1:Y2"
    assert [settings.cell(1, c).value for c in range(23, 26)] == ["Currency", "Rate", "As of"]
    last = len(schema.SETTING_ROWS) + 1
    assert settings.tables["Settings"].ref == f"A1:B{last}"
    assert settings.cell(last, 1).value == schema.SETTING_ROWS[-1].en
    assert settings.cell(last, 2).value is None                 # its default: blank
    # the book reads and checks as a new one does
    assert not api.check(path, today=TODAY).errors
    # untouched parts: every part but the ones the upgrade names
    after = _parts(path)
    touched = {"[Content_Types].xml", _sheet_part(after, "Clients"), _table_part(after, "Clients"),
               _sheet_part(after, "Settings"), _table_part(after, "Settings"), "xl/styles.xml",
               "xl/worksheets/_rels/" + _sheet_part(after, "Settings").split("/")[-1] + ".rels"}
    touched |= _history_parts(after)
    for name, data in before.items():
        if name not in touched:
            assert after[name] == data, name


def test_a_second_upgrade_changes_nothing(made, tmp_path):
    path, _ = _old_book(made, tmp_path, strip_lite, strip_schema)
    api.upgrade(path)
    data, mtime = path.read_bytes(), os.stat(path).st_mtime_ns
    r = api.upgrade(path)
    assert not r.written and r.lines == []
    assert path.read_bytes() == data and os.stat(path).st_mtime_ns == mtime
    # a book made today needs nothing either
    copy = tmp_path / "today.xlsx"
    copy.write_bytes(made.read_bytes())
    assert api.upgrade(copy).lines == []
    assert copy.read_bytes() == made.read_bytes()


def test_check_warns_on_an_older_stamp(made, tmp_path):
    parts = _parts(made)
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(
        f">{__version__}<".encode(), b">0.0.1<")
    path = tmp_path / "older.xlsx"
    _rezip(path, parts)
    old = [p for p in api.check(path, today=TODAY).problems if p.code == "old-book"]
    assert len(old) == 1 and old[0].severity == "warning" and "0.0.1" in old[0].message
    assert not [p for p in api.check(made, today=TODAY).problems if p.code == "old-book"]
    api.upgrade(path)
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.custom_doc_props["acctbook version"].value == __version__
    assert not [p for p in api.check(path, today=TODAY).problems if p.code == "old-book"]


def test_a_book_without_stamp_is_stamped_and_check_says_so_once(made, tmp_path, capsys):
    parts = _parts(made)
    del parts["docProps/custom.xml"]
    parts["_rels/.rels"] = re.sub(rb'<Relationship [^>]*custom-properties[^>]*/>', b"",
                                  parts["_rels/.rels"])
    path = tmp_path / "nostamp.xlsx"
    _rezip(path, parts)
    assert not [p for p in api.check(path, today=TODAY).problems if p.code == "old-book"]
    cli.main(["check", str(path), "--today", TODAY.isoformat()])
    assert "no acctbook version stamp" in capsys.readouterr().err
    r = api.upgrade(path)
    assert r.written
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.custom_doc_props["acctbook version"].value == __version__


def test_macros_writes_an_xlsm_beside_the_book(made, tmp_path, capsys):
    path, _ = _old_book(made, tmp_path, strip_lite)
    assert cli.main(["upgrade", str(path), "--macros"]) == 0
    out = capsys.readouterr().out
    xlsm = path.with_suffix(".xlsm")
    assert str(xlsm) in out
    wb = openpyxl.load_workbook(xlsm, keep_vba=True, read_only=True)
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()
    parts = _parts(xlsm)
    assert b"macroEnabled.main+xml" in parts["[Content_Types].xml"]
    vml = b"".join(d for n, d in parts.items() if n.endswith(".vml"))
    assert b"[0]!Refresh" in vml
    assert _values(xlsm, "Clients") == _values(path, "Clients")


def test_cli_dry_run_lists_and_writes_nothing(made, tmp_path, capsys):
    path, before = _old_book(made, tmp_path, strip_lite)
    assert cli.main(["upgrade", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Refresh" in out and "nothing written" in out
    assert _parts(path) == before


def test_hebrew_book_speaks_hebrew(tmp_path, capsys):
    path = tmp_path / "he.xlsx"
    api.new(path, lang="he", today=TODAY)
    parts = _parts(path)
    strip_lite(parts, "בית")
    _rezip(path, parts)
    assert cli.main(["upgrade", str(path)]) == 0
    out = capsys.readouterr().out
    assert "רענון" in out                               # the Refresh button, in Hebrew
    assert _shape_names(path) == {f"acctbook_{k}" for k, _, _ in schema.HOME_BUTTONS}


def test_a_missing_sheet_comes_back_with_its_table(made, tmp_path, monkeypatch):
    """A table the schema gains with a sheet of its own (as History) is added whole."""
    extra = schema.Table("Notebook", "Notebook", "מחברת", (
        schema.C("when", "When", "מתי", schema.DATE, width=11),
        schema.C("what", "What", "מה", width=30)))
    monkeypatch.setattr(schema, "DATA_TABLES", schema.DATA_TABLES + (extra,))
    path = tmp_path / "book.xlsx"
    path.write_bytes(made.read_bytes())
    before = _values(path, "Clients")
    r = api.upgrade(path)
    assert r.written
    wb = openpyxl.load_workbook(path)
    assert "Notebook" in wb.sheetnames
    ws = wb["Notebook"]
    assert [ws.cell(1, c).value for c in (1, 2)] == ["When", "What"]
    assert "Notebook" in ws.tables
    assert _values(path, "Clients") == before


def test_a_new_column_gets_width_format_and_validation_as_a_new_book(made, tmp_path,
                                                                      monkeypatch):
    """A column the schema gains later (here a date column on Clients) comes with the rule a
    new book has on it."""
    import dataclasses
    clients = dataclasses.replace(schema.CLIENTS, columns=schema.CLIENTS.columns + (
        schema.C("reviewed", "Reviewed", "נבדק", schema.DATE, width=13),))
    tables = tuple(clients if t is schema.CLIENTS else t for t in schema.DATA_TABLES)
    monkeypatch.setattr(schema, "DATA_TABLES", tables)
    monkeypatch.setattr(schema, "CLIENTS", clients)
    path = tmp_path / "book.xlsx"
    path.write_bytes(made.read_bytes())
    before = _values(path, "Clients")
    assert api.upgrade(path).written
    wb = openpyxl.load_workbook(path)
    ws = wb["Clients"]
    n = len(clients.columns)
    letter = openpyxl.utils.get_column_letter(n)
    assert ws.cell(1, n).value == "Reviewed"
    assert ws.tables["Clients"].ref.endswith(f":{letter}{len(before)}")
    rules = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(letter)]
    assert len(rules) == 1 and rules[0].type == "date"
    assert ws.column_dimensions[letter].width > 12
    assert [row[:n - 1] for row in _values(path, "Clients")] == before


def strip_sheets(parts: dict[str, bytes], names: list[str]) -> None:
    """Sheets (with their tables) taken out of the zip, as a book made before them."""
    for name in names:
        part = _sheet_part(parts, name)
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        for target in re.findall(rb'Target="../tables/([^"]+)"', parts.get(rels, b"")):
            del parts["xl/tables/" + target.decode()]
        parts.pop(rels, None)
        del parts[part]
        wb = parts["xl/workbook.xml"].decode()
        rid = re.search(rf'<sheet name="{re.escape(name)}" [^>]*r:id="(rId\d+)"/>', wb)
        parts["xl/workbook.xml"] = wb.replace(rid[0], "").encode()
        parts["xl/_rels/workbook.xml.rels"] = re.sub(
            rb'<Relationship Id="' + rid[1].encode() + rb'"[^>]*/>', b"",
            parts["xl/_rels/workbook.xml.rels"])
        app = parts["docProps/app.xml"].decode().replace(f"<vt:lpstr>{name}</vt:lpstr>", "")
        app = re.sub(r"(<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>)(\d+)",
                     lambda m: m[1] + str(int(m[2]) - 1), app)
        parts["docProps/app.xml"] = re.sub(r'(TitlesOfParts><vt:vector size=")(\d+)',
                                           lambda m: m[1] + str(int(m[2]) - 1), app).encode()
    keep = {"/" + n for n in parts}
    parts["[Content_Types].xml"] = re.sub(
        rb'<Override PartName="([^"]+)"[^>]*/>',
        lambda m: m[0] if m[1].decode() in keep else b"", parts["[Content_Types].xml"])


def _app_titles(path) -> list[str]:
    app = _parts(path)["docProps/app.xml"].decode()
    return re.findall(r"<vt:lpstr>([^<]+)</vt:lpstr>", app.split("TitlesOfParts")[1])


@pytest.mark.parametrize("gone", [["History"], ["Complaints", "History"], ["Home"],
                                  ["Campaigns", "Attendance"]])
def test_a_missing_sheet_comes_back_at_its_place_in_the_tabs(made, tmp_path, gone):
    """A sheet a book lacks goes where a new book has it in the tab order, not last."""
    path, _ = _old_book(made, tmp_path, lambda parts: strip_sheets(parts, gone))
    order = CalamineWorkbook.from_path(str(made)).sheet_names
    have = CalamineWorkbook.from_path(str(path)).sheet_names
    assert have == [n for n in order if n not in gone]
    clients = _values(path, "Clients")
    assert api.upgrade(path, today=TODAY).written
    assert CalamineWorkbook.from_path(str(path)).sheet_names == order
    assert openpyxl.load_workbook(path, read_only=True).sheetnames == order
    assert [t for t in _app_titles(path) if t in order] == order
    assert _values(path, "Clients") == clients
    if "History" in gone:               # the sheet came back with the upgrade's own row in it
        assert [h["Command"] for h in _history(path)] == ["upgrade"]


def strip_last_settings(parts: dict[str, bytes], n: int = 2) -> None:
    """Settings without its last `n` rows and their drop-downs (as a book made before them)."""
    settings = _sheet_part(parts, "Settings")
    last = len(schema.SETTING_ROWS) + 1
    xml = parts[settings]
    for r in range(last - n + 1, last + 1):
        xml = re.sub(rb'<row r="%d".*?</row>' % r, b"", xml)
        xml = re.sub(rb'<dataValidation [^>]*sqref="B%d".*?</dataValidation>' % r, b"", xml)
    parts[settings] = xml
    st = _table_part(parts, "Settings")
    parts[st] = parts[st].replace(b"B%d" % last, b"B%d" % (last - n))


def _rules_on(path, sheet: str, cell: str) -> list:
    ws = openpyxl.load_workbook(path)[sheet]
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def test_added_settings_get_their_row_drop_down(made, tmp_path):
    """A setting upgrade appends gets the bounds a new book has on its Value cell, on the row
    where it lands; a setting without a rule gets none."""
    ruled = max(i for i, s in enumerate(schema.SETTING_ROWS)
                if s.type in ("integer", "yesno", "choice", "percent"))
    n = len(schema.SETTING_ROWS) - ruled
    assert n >= 2 and schema.SETTING_ROWS[-1].type == "text"
    path, _ = _old_book(made, tmp_path, lambda parts: strip_last_settings(parts, n))
    last = len(schema.SETTING_ROWS) + 1
    at = last - n + 1                                         # where the ruled setting lands
    assert not _rules_on(path, "Settings", f"B{at}")
    api.upgrade(path, today=TODAY)
    wb = openpyxl.load_workbook(path)
    assert [wb["Settings"].cell(r, 1).value for r in range(at, last + 1)] == [
        s.en for s in schema.SETTING_ROWS[ruled:]]
    made_rule, = _rules_on(made, "Settings", f"B{at}")
    got, = _rules_on(path, "Settings", f"B{at}")
    assert (got.type, got.operator, got.formula1, got.promptTitle) == (
        made_rule.type, made_rule.operator, made_rule.formula1, made_rule.promptTitle)
    assert not _rules_on(path, "Settings", f"B{last}")
    assert not api.check(path, today=TODAY).errors


def strip_client_cell(parts: dict[str, bytes]) -> None:
    """Home without the Client cell, its names, its drop-down and the Brief button (as a
    book made before the brief)."""
    parts["xl/workbook.xml"] = re.sub(rb'<definedName name="acctbook_client(_list)?">[^<]*'
                                      rb"</definedName>", b"", parts["xl/workbook.xml"])
    home = _sheet_part(parts, "Home")
    xml = re.sub(rb'<row r="%d".*?</row>' % schema.CLIENT_ROW, b"", parts[home])
    xml = re.sub(rb'<dataValidation [^>]*sqref="B%d".*?</dataValidation>' % schema.CLIENT_ROW,
                 b"", xml)
    parts[home] = re.sub(rb'dataValidations count="2"', b'dataValidations count="1"', xml)
    anchors = re.findall(rb"<xdr:twoCellAnchor>.*?</xdr:twoCellAnchor>",
                         parts["xl/drawings/drawing1.xml"], re.S)
    brief, = [a for a in anchors if b'name="acctbook_brief"' in a]
    parts["xl/drawings/drawing1.xml"] = parts["xl/drawings/drawing1.xml"].replace(brief, b"")


def test_the_client_cell_and_the_brief_button_come_back(made, tmp_path):
    path, _ = _old_book(made, tmp_path, strip_client_cell)
    wb = openpyxl.load_workbook(path)
    assert schema.CLIENT_NAME not in wb.defined_names and "acctbook_brief" not in _shape_names(path)
    dry = api.upgrade(path, dry_run=True)
    assert any(schema.CLIENT_NAME in line for line in dry.lines)
    assert any(schema.CLIENT_LIST in line for line in dry.lines)
    api.upgrade(path, today=TODAY)
    wb = openpyxl.load_workbook(path)
    row = schema.CLIENT_ROW
    assert list(wb.defined_names[schema.CLIENT_NAME].destinations) == [("Home", f"$B${row}")]
    assert wb.defined_names[schema.CLIENT_LIST].attr_text == "Clients[Name]"
    assert wb["Home"].cell(row, 1).value == "Client"
    dv, = _rules_on(path, "Home", f"B{row}")
    assert dv.type == "list" and dv.formula1 == schema.CLIENT_LIST and not dv.showErrorMessage
    assert "acctbook_brief" in _shape_names(path)
    assert _values(path, "Home") == _values(made, "Home")
    assert not api.upgrade(path, today=TODAY).written          # a second upgrade: nothing
