"""The Home buttons inside a new workbook: xlwings Lite's shapes and code, or VBA macros.

xlwings Lite: workbook/main.py binds each `@script` to a shape on Home by
`button="[ShapeName]Home!D4"` (the shape links to that cell, hidden behind it). The
shapes are drawn from those bindings, so code and drawing cannot disagree; main.py (with
acctbook's own modules zipped at its end, since acctbook is not on PyPI) and
requirements.txt go into the `xl/webextensions` parts that xlwings Lite reads.

Desktop xlwings: xlwings' own standalone VBA project (quickstart_standalone.xlsm in the
installed xlwings package: its `xlwings` module holds RunPython) with its sample
module Module1 rewritten to hold one Sub per button calling RunPython into
acctbook.excel. Only Module1's compressed source is replaced, in place and at the same
size inside the OLE file (MS-OVBA compression; the p-code cache before it is ignored
by Excel because the project's _VBA_PROJECT stream carries no cache version).
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import zipfile
from html import escape
from pathlib import Path

from acctbook.book import schema
from acctbook.book.model import AcctbookError
from acctbook.book.assets import templates_dir, workbook_dir

WORKBOOK_DIR = workbook_dir()
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# xlwings Lite's add-in in the Office store (FIELD-NOTES "xlwings").
LITE_STORE_ID = "wa200008175"
PYODIDE_VERSION = "0.27.5"
ADDIN_VERSION = "1.0.0.0-18"          # as xlwings Lite saves it (FIELD-NOTES)
# The templates Contract and Monthly report fill, carried in main.py for xlwings Lite.
LITE_TEMPLATES = ("contract.docx", "contract.he.docx", "report.html.j2")
BUTTON_SIZE = {"width": 200, "height": 36}
BINDING = re.compile(r'@script\(\s*button\s*=\s*"\[(?P<shape>[^\]]+)\](?P<sheet>[^!"]+)!'
                     r'(?P<cell>[A-Z]{1,3}\d+)"[^)]*\)\s*\n\s*def\s+(?P<func>\w+)')
# One VBA Sub per button (macro name -> acctbook.excel function).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
CODE_LINE = 'ACCTBOOK_CODE = ""'
# What the buttons run, by layer (ARCHITECTURE.md): the pure layers, the xlwings adapter, the
# documents they fill, and the buttons themselves. Never the file adapter (calamine, lxml),
# the workbook makers, jobs, api or cli.
LITE_PACKAGES = ("book", "core", "xlbook", "documents")
LITE_MODULES = ("__init__.py", "excel.py")
MACROS = {"refresh": "Refresh", "check": "Check", "contract": "Contract",
          "monthly_report": "MonthlyReport"}


# --- xlwings Lite ---------------------------------------------------------------------------
def main_py(lang: str) -> str:
    """workbook/main.py for a book in `lang` (Home is called בית in Hebrew), carrying
    acctbook's own code (`ACCTBOOK_CODE`): acctbook is not on PyPI, and one file that
    holds its code works offline."""
    text = (WORKBOOK_DIR / "main.py").read_text(encoding="utf-8")
    home = schema.generated_sheet("Home", lang)
    text = text.replace("]Home!", f"]{home}!")
    if CODE_LINE not in text:
        raise AcctbookError(f"workbook/main.py lost its line {CODE_LINE!r}")
    lines = base64.encodebytes(lite_package()).decode("ascii")
    return text.replace(CODE_LINE, f'ACCTBOOK_CODE = """\n{lines}"""')


def lite_package() -> bytes:
    """acctbook's modules that the buttons use, and the templates they fill (found there by
    acctbook.book.assets as acctbook/templates), as a zip (same sources, same bytes)."""
    files = [(f"acctbook/{name}", PACKAGE_DIR / name) for name in LITE_MODULES]
    for sub in LITE_PACKAGES:
        files += [(f"acctbook/{sub}/{src.name}", src)
                  for src in sorted((PACKAGE_DIR / sub).glob("*.py"))]
    files += [(f"acctbook/templates/{name}", templates_dir() / name) for name in LITE_TEMPLATES]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for arcname, src in files:
            info = zipfile.ZipInfo(arcname, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, src.read_bytes(), compresslevel=9)
    return buf.getvalue()


def requirements_txt() -> str:
    return (WORKBOOK_DIR / "requirements.txt").read_text(encoding="utf-8")


def bindings(code: str) -> list[dict]:
    """[{shape, sheet, cell, func}] of every `@script(button=...)` in main.py's text."""
    return [m.groupdict() for m in BINDING.finditer(code)]


def _label(func: str, lang: str) -> str:
    for key, en, he in schema.HOME_BUTTONS:
        if key == func:
            return he if lang == "he" else en
    return func


def draw_buttons(wb, ws, lang: str, lite: bool = True, macros: bool = False) -> None:
    """Shape buttons (Lite) and/or form buttons (VBA) on Home, where main.py binds them."""
    home = ws.get_name()
    quoted = "'" + home.replace("'", "''") + "'"
    if macros:
        wb.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
    for b in bindings(main_py(lang)):
        label = _label(b["func"], lang)
        if lite:
            # object name: XlsxWriter 3.3 has no option for it; `description` carries it and
            # embed_lite() moves it into the shape's name.
            ws.insert_textbox(b["cell"], label, {
                **BUTTON_SIZE, "url": f"internal:{quoted}!{b['cell']}",
                "description": b["shape"], "fill": {"color": "#2F6DB5"},
                "line": {"none": True}, "font": {"color": "#FFFFFF", "bold": True, "size": 12},
                "align": {"vertical": "middle", "horizontal": "center"}})
        if macros and b["func"] in MACROS:
            ws.insert_button(b["cell"], {**BUTTON_SIZE, "macro": MACROS[b["func"]],
                                         "caption": label,
                                         "x_offset": BUTTON_SIZE["width"] + 12 if lite else 0})


def webextension_xml(lang: str) -> bytes:
    def prop(name: str, value) -> str:
        return f'<we:property name="{name}" value="{escape(json.dumps(value), quote=True)}"/>'
    props = "".join(prop(n, v) for n, v in (
        ("main.py", main_py(lang)), ("requirements.txt", requirements_txt()),
        ("pyodideVersion", PYODIDE_VERSION), ("addinVersion", ADDIN_VERSION)))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/'
            'webextension/2010/11" id="{6C6F2A85-3C67-4B0E-9E0A-ACC7B0000001}">'
            f'<we:reference id="{LITE_STORE_ID}" version="1.0.0.0" store="en-US" '
            'storeType="OMEX"/><we:alternateReferences><we:reference '
            f'id="{LITE_STORE_ID}" version="1.0.0.0" store="{LITE_STORE_ID}" '
            f'storeType="OMEX"/></we:alternateReferences><we:properties>{props}'
            '</we:properties><we:bindings/><we:snapshot xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"/>' + EXT_LST +
            '</we:webextension>').encode("utf-8")


# What xlwings Lite saves after the snapshot (FIELD-NOTES): containsCustomFunctions and an
# empty customFunctionIdList (acctbook has no custom functions). The exact XML of a
# Lite-saved part could not be looked up: the extension's uri is Office's for
# containsCustomFunctions, from memory; check it against a workbook Lite has saved.
EXT_LST = ('<we:extLst><a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'uri="{D87F86FE-615C-45B5-9D79-34F1136793EB}"><we:containsCustomFunctions/>'
           '<we:customFunctionIdList/></a:ext></we:extLst>')


TASKPANES_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/'
    b'taskpanes/2010/11"><wetp:taskpane dockstate="right" visibility="0" width="350" '
    b'row="4"><wetp:webextensionref xmlns:r="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships" r:id="rId1"/></wetp:taskpane></wetp:taskpanes>')
TASKPANES_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/'
    b'webextension" Target="webextension1.xml"/></Relationships>')
TASKPANES_REL_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
CONTENT_TYPES = {
    "/xl/webextensions/taskpanes.xml": "application/vnd.ms-office.webextensiontaskpanes+xml",
    "/xl/webextensions/webextension1.xml": "application/vnd.ms-office.webextension+xml"}


def embed_lite(path, lang: str) -> None:
    """Add xlwings Lite's parts to the zip XlsxWriter wrote, and name the button shapes."""
    path = Path(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    ct = parts["[Content_Types].xml"].decode("utf-8")
    overrides = "".join(f'<Override PartName="{p}" ContentType="{t}"/>'
                        for p, t in CONTENT_TYPES.items())
    parts["[Content_Types].xml"] = ct.replace("</Types>", overrides + "</Types>").encode()
    rels = parts["_rels/.rels"].decode("utf-8")
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    rel = (f'<Relationship Id="rId{max(ids, default=0) + 1}" Type="{TASKPANES_REL_TYPE}" '
           'Target="xl/webextensions/taskpanes.xml"/>')
    parts["_rels/.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    parts["xl/webextensions/taskpanes.xml"] = TASKPANES_XML
    parts["xl/webextensions/_rels/taskpanes.xml.rels"] = TASKPANES_RELS
    parts["xl/webextensions/webextension1.xml"] = webextension_xml(lang)
    for name in [n for n in parts if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]:
        parts[name] = _name_shapes(parts[name])
    tmp = path.with_name(path.name + ".lite")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    tmp.replace(path)


def _name_shapes(xml: bytes) -> bytes:
    # <xdr:cNvPr id="2" name="TextBox 1" descr="acctbook_refresh"> -> name="acctbook_refresh"
    return re.sub(rb'(<xdr:cNvPr id="\d+" name=")[^"]*(" descr="(acctbook_\w+)")',
                  lambda m: m[1] + m[3] + m[2], xml)


# --- desktop xlwings: the standalone VBA project --------------------------------------------------
def vba_source() -> str:
    subs = "".join(f'Sub {macro}()\r\n    RunPython "import acctbook.excel as x; x.{func}()"\r\n'
                   "End Sub\r\n" for func, macro in MACROS.items())
    return 'Attribute VB_Name = "Module1"\r\n' + subs


def standalone_vba() -> bytes:
    """vbaProject.bin of xlwings' quickstart_standalone.xlsm, from the installed xlwings."""
    try:
        import xlwings
    except ImportError:
        raise AcctbookError("--macros needs xlwings: pip install xlwings") from None
    src = Path(xlwings.__file__).resolve().parent / "quickstart_standalone.xlsm"
    try:
        with zipfile.ZipFile(src) as z:
            return z.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise AcctbookError(f"cannot read xlwings' standalone VBA project ({e})") from None


def vba_project() -> bytes:
    """The standalone project with Module1 holding acctbook's four button macros."""
    data = bytearray(standalone_vba())
    stream = _CFB(data).stream("Module1")
    text_offset = _module_offset(_CFB(data), "Module1")
    room = stream.size - text_offset
    packed = compress_exact(vba_source().encode("latin-1"), room)
    stream.write(text_offset, packed)
    return bytes(data)


# --- MS-OVBA compression (2.4.1), one chunk, padded to an exact size ------------------------------
def _bits(done: int) -> int:
    return max((done - 1).bit_length(), 4) if done > 1 else 4


def _tokens(src: bytes) -> list[tuple]:
    """Greedy LZ77 as the spec's compressor: ('lit', byte) or ('copy', offset, length)."""
    out, i = [], 0
    while i < len(src):
        bc = _bits(i)
        max_len = (0xFFFF >> bc) + 3
        best_len = best_off = 0
        for j in range(max(0, i - (1 << bc)), i):
            n = 0
            while n < max_len and i + n < len(src) and src[j + n] == src[i + n]:
                n += 1
            if n > best_len:
                best_len, best_off = n, i - j
        if best_len >= 3:
            out.append(("copy", best_off, best_len))
            i += best_len
        else:
            out.append(("lit", src[i]))
            i += 1
    return out


def _pack(tokens: list[tuple]) -> bytes:
    body, done = bytearray(), 0
    for k in range(0, len(tokens), 8):
        group = tokens[k:k + 8]
        flags, chunk = 0, bytearray()
        for bit, t in enumerate(group):
            if t[0] == "lit":
                chunk.append(t[1])
                done += 1
            else:
                bc = _bits(done)
                flags |= 1 << bit
                chunk += struct.pack("<H", ((t[1] - 1) << (16 - bc)) | (t[2] - 3))
                done += t[2]
        body += bytes([flags]) + chunk
    if done > 4096:
        raise AcctbookError("the VBA module is too long for one compressed chunk")
    header = 0x8000 | 0x3000 | (len(body) + 2 - 3)
    return b"\x01" + struct.pack("<H", header) + bytes(body)


def compress_exact(src: bytes, size: int) -> bytes:
    """src compressed into exactly `size` bytes: trailing spaces (literals) fill the rest."""
    for extra_line in range(4):
        base = src + b"\r\n" * extra_line
        tokens = _tokens(base)
        for pad in range(0, 4096 - len(base)):
            packed = _pack(tokens + [("lit", 0x20)] * pad)
            if len(packed) == size:
                return packed
            if len(packed) > size:
                break
    raise AcctbookError("acctbook's VBA macros do not fit in xlwings' standalone module")


def decompress(data: bytes, offset: int = 0) -> bytes:
    """MS-OVBA decompression (the tests read the macros back with it)."""
    if data[offset] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out, pos = bytearray(), offset + 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        pos += 2
        end = min(pos + (header & 0x0FFF) + 1, len(data))
        start = len(out)
        if not header & 0x8000:
            out += data[pos:pos + 4096]
            pos += 4096
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bc = _bits(len(out) - start)
                length, back = (token & (0xFFFF >> bc)) + 3, (token >> (16 - bc)) + 1
                for _ in range(length):
                    out.append(out[-back])
    return bytes(out)


def vba_modules(vba_bin: bytes) -> dict[str, str]:
    """Module name -> VBA source text of a vbaProject.bin."""
    cfb = _CFB(bytearray(vba_bin))
    out = {}
    for name, stream_name, offset in _dir_records(cfb):
        out[name] = decompress(cfb.stream(stream_name).read(), offset).decode("latin-1")
    return out


def _dir_records(cfb: "_CFB") -> list[tuple[str, str, int]]:
    d = decompress(cfb.stream("dir").read())
    pos, mods, cur = 0, [], {}
    while pos + 6 <= len(d):
        rid, size = struct.unpack_from("<HI", d, pos)
        pos += 6
        if rid == 0x0009:                      # PROJECTVERSION: its size field lies
            size = 6
        body = d[pos:pos + size]
        pos += size
        if rid == 0x0019:
            cur = {"name": body.decode("latin-1")}
        elif rid == 0x001A:
            cur["stream"] = body.decode("latin-1")
        elif rid == 0x0031:
            cur["offset"] = struct.unpack("<I", body)[0]
        elif rid == 0x002B:
            mods.append((cur["name"], cur.get("stream", cur["name"]), cur.get("offset", 0)))
    return mods


def _module_offset(cfb: "_CFB", module: str) -> int:
    for name, _stream, offset in _dir_records(cfb):
        if name == module:
            return offset
    raise AcctbookError(f"xlwings' standalone VBA project has no module {module}")


# --- just enough of the compound file format to rewrite a stream in place ---------------------------
class _CFB:
    def __init__(self, data: bytearray):
        if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise AcctbookError("not an OLE compound file")
        self.data = data
        self.ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mssz = 1 << struct.unpack_from("<H", data, 0x20)[0]
        n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.cutoff, first_minifat = struct.unpack_from("<II", data, 0x38)
        if struct.unpack_from("<I", data, 0x48)[0]:
            raise AcctbookError("VBA project too large (DIFAT sectors)")
        fat_sectors = struct.unpack_from(f"<{n_fat}I", data, 0x4C)
        self.fat = [x for s in fat_sectors
                    for x in struct.unpack_from(f"<{self.ssz // 4}I", data, self._off(s))]
        dir_bytes = self._read_chain(first_dir)
        self.entries = [dir_bytes[i:i + 128] for i in range(0, len(dir_bytes), 128)]
        root = self.entries[0]
        self.root_chain = self._chain(struct.unpack_from("<I", root, 0x74)[0])
        mf = self._read_chain(first_minifat) if first_minifat < 0xFFFFFFFA else b""
        self.minifat = list(struct.unpack_from(f"<{len(mf) // 4}I", mf))

    def _off(self, sector: int) -> int:
        return (sector + 1) * self.ssz

    def _chain(self, start: int, fat=None) -> list[int]:
        fat = self.fat if fat is None else fat
        out = []
        while start < 0xFFFFFFFA:
            out.append(start)
            start = fat[start]
        return out

    def _read_chain(self, start: int) -> bytes:
        return b"".join(bytes(self.data[self._off(s):self._off(s) + self.ssz])
                        for s in self._chain(start))

    def stream(self, name: str) -> "_Stream":
        hits = [e for e in self.entries if e[0x42] == 2 and
                e[:struct.unpack_from("<H", e, 0x40)[0]].decode("utf-16-le").rstrip("\0") == name]
        if len(hits) != 1:
            raise AcctbookError(f"VBA project: stream {name} not found once")
        start, size = struct.unpack_from("<II", hits[0], 0x74)
        if size < self.cutoff:
            offsets = []
            for m in self._chain(start, self.minifat):
                pos = m * self.mssz
                base = self._off(self.root_chain[pos // self.ssz]) + pos % self.ssz
                offsets.extend(range(base, base + self.mssz))
        else:
            offsets = [o for s in self._chain(start)
                       for o in range(self._off(s), self._off(s) + self.ssz)]
        return _Stream(self.data, offsets[:size])


class _Stream:
    def __init__(self, data: bytearray, offsets: list[int]):
        self.data, self.offsets, self.size = data, offsets, len(offsets)

    def read(self) -> bytes:
        return bytes(self.data[o] for o in self.offsets)

    def write(self, at: int, payload: bytes) -> None:
        if at + len(payload) != self.size:
            raise AcctbookError("a VBA stream can only be rewritten at its own size")
        for o, b in zip(self.offsets[at:], payload):
            self.data[o] = b
