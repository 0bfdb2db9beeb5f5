"""Workbooks built without acctbook, carrying everything a re-save would lose.

`rich_workbook` makes an .xlsm with VBA, a form button, a native chart, a picture,
conditional formats, data validation, sparklines, a table whose extra user column
holds formulas, an xlwings Lite shape button and xlwings Lite's code
(xl/webextensions/*), added by post-editing the zip as Excel would store it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import zipfile
import zlib

import xlsxwriter

XLWINGS_STANDALONE = os.path.join(os.path.dirname(xlsxwriter.__file__), "..", "xlwings",
                                  "quickstart_standalone.xlsm")
CORPUS_VBA = "/work/shared/corpus/calamine/vba.xlsm"

CLIENT_HEADER = ["Client ID", "Name", "Score", "Next follow-up", "Notes", "Double"]
N_CLIENTS = 6
WEBEXT_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"


def tiny_png() -> bytes:
    """A 2x2 red PNG, written by hand (Pillow is not installed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def vba_project_bin(tmp_dir: str) -> str:
    """vbaProject.bin from xlwings' standalone quickstart, else from the corpus."""
    for src in (XLWINGS_STANDALONE, CORPUS_VBA):
        try:
            with zipfile.ZipFile(src) as zf:
                data = zf.read("xl/vbaProject.bin")
        except (OSError, KeyError, zipfile.BadZipFile):
            continue
        out = os.path.join(tmp_dir, "vbaProject.bin")
        with open(out, "wb") as fh:
            fh.write(data)
        return out
    raise RuntimeError("no vbaProject.bin available")


def rich_workbook(path: str, tmp_dir: str) -> None:
    wb = xlsxwriter.Workbook(path)
    wb.add_vba_project(vba_project_bin(tmp_dir))
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy", "bold": True})
    grey = wb.add_format({"bg_color": "#DDDDDD"})
    ws = wb.add_worksheet("Clients")
    rows = [[f"C-{i:03d}", f"Client {i}", i * 10, dt.date(2024, 1, i), f"note {i}"]
            for i in range(1, N_CLIENTS + 1)]
    ws.add_table(0, 0, N_CLIENTS, len(CLIENT_HEADER) - 1, {
        "name": "Clients", "style": "Table Style Medium 9",
        "columns": [{"header": h} for h in CLIENT_HEADER[:-1]]
        + [{"header": "Double", "formula": "=[@Score]*2"}],
        "data": rows})
    for r in range(1, N_CLIENTS + 1):            # the computed date column keeps a style
        ws.write_datetime(r, 3, dt.datetime(2024, 1, r), date_fmt)
    ws.write(0, 2, "Score", grey)
    ws.conditional_format(1, 2, N_CLIENTS, 2, {"type": "data_bar"})
    ws.conditional_format(1, 2, N_CLIENTS, 2, {"type": "cell", "criteria": ">", "value": 30,
                                               "format": grey})
    ws.data_validation(1, 4, N_CLIENTS, 4, {"validate": "list", "source": ["a", "b"]})
    ws.write_row(0, 8, [1, 2, 3, 4])
    ws.add_sparkline(0, 12, {"range": "Clients!I1:L1"})
    ws.insert_image(8, 8, "dot.png", {"image_data": _bytes_io(tiny_png())})
    ws.insert_button(10, 1, {"macro": "SampleCall", "caption": "Refresh"})
    ws.insert_textbox(12, 1, "Run", {"url": "internal:Clients!B4"})
    ws.write_formula(N_CLIENTS + 3, 1, "=SUM(C2:C7)", None, 210)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"=Clients!$C$2:$C${N_CLIENTS + 1}"})
    ws.insert_chart(14, 4, chart)
    today = wb.add_worksheet("Today")
    today.add_table(0, 0, 3, 1, {"name": "Today", "columns": [{"header": "Old"}, {"header": "Cols"}],
                                 "data": [["x", 1], ["y", 2], ["z", 3]]})
    today.write_formula(5, 0, "=Clients!C2", None, 10)
    wb.close()
    _add_xlwings_lite(path)


def _bytes_io(data: bytes):
    import io
    return io.BytesIO(data)


WEBEXT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" '
    'id="{00000000-0000-0000-0000-000000000001}"><we:reference id="wa200008175" version="1.0.0.0" '
    'store="en-US" storeType="OMEX"/><we:alternateReferences/><we:properties>'
    '<we:property name="main.py" value="&quot;import xlwings as xw\\n&quot;"/>'
    '<we:property name="requirements.txt" value="&quot;acctbook\\n&quot;"/>'
    '</we:properties><we:bindings/><we:snapshot xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"/></we:webextension>')
TASKPANES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
    '<wetp:taskpane dockstate="right" visibility="0" width="350" row="4"><wetp:webextensionref '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
    '</wetp:taskpane></wetp:taskpanes>')
TASKPANES_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/webextension" '
    'Target="webextension1.xml"/></Relationships>')


def _add_xlwings_lite(path: str) -> None:
    """Post-edit the zip as Excel stores xlwings Lite: webextension + taskpanes parts,
    and rename the text box to the shape-button name a Lite script refers to."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    parts["xl/webextensions/webextension1.xml"] = WEBEXT_XML.encode()
    parts["xl/webextensions/taskpanes.xml"] = TASKPANES_XML.encode()
    parts["xl/webextensions/_rels/taskpanes.xml.rels"] = TASKPANES_RELS.encode()
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rId99" Type="{WEBEXT_TYPE}" '
        'Target="xl/webextensions/taskpanes.xml"/></Relationships>'.encode())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/webextensions/taskpanes.xml" ContentType='
        b'"application/vnd.ms-office.webextensiontaskpanes+xml"/><Override PartName='
        b'"/xl/webextensions/webextension1.xml" ContentType="application/vnd.ms-office.webextension+xml"/>'
        b"</Types>")
    for name in parts:
        if name.startswith("xl/drawings/drawing") and b'name="TextBox' in parts[name]:
            parts[name] = re.sub(rb'name="TextBox \d+"', b'name="RefreshBtn"', parts[name], count=1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def big_workbook(path: str, n: int) -> None:
    """One n-row client table (for timing), written by XlsxWriter."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Clients")
    data = [[f"C-{i:06d}", f"Client {i}", "", i % 97, f"note {i}", None] for i in range(n)]
    ws.add_table(0, 0, n, 5, {"name": "Clients",
                              "columns": [{"header": h} for h in CLIENT_HEADER], "data": data})
    wb.close()
