"""The Home buttons inside a new workbook: xlwings Lite's shapes and code, or VBA form buttons.

xlwings Lite: workbook/main.py binds each `@script` to a shape on Home by
`button="[ShapeName]Home!D4"` (the shape links to that cell, hidden behind it). The
shapes are drawn from those bindings, so code and drawing cannot disagree; main.py (with
acctbook's own modules zipped at its end, since acctbook is not on PyPI) and
requirements.txt go into the `xl/webextensions` parts that xlwings Lite reads.

Desktop xlwings: form buttons calling the macros of the VBA project that vba.py makes
from xlwings' standalone project.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import re
import zipfile
from html import escape
from pathlib import Path

from acctbook.book import schema
from acctbook.book.model import AcctbookError
from acctbook.book.assets import templates_dir, workbook_dir
from acctbook.create.vba import MACROS, vba_project

WORKBOOK_DIR = workbook_dir()
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# xlwings Lite's add-in in the Office store (docs/excel.md, "For developers").
LITE_STORE_ID = "wa200008175"
PYODIDE_VERSION = "0.27.5"
ADDIN_VERSION = "1.0.0.0-18"          # as xlwings Lite saves it
# The templates Contract, Quote and Monthly report fill, carried in main.py for xlwings Lite.
LITE_TEMPLATES = ("contract.docx", "contract.he.docx", "quote.docx", "quote.he.docx",
                  "report.html.j2")
BUTTON_SIZE = {"width": 200, "height": 36}
BINDING = re.compile(r'@script\(\s*button\s*=\s*"\[(?P<shape>[^\]]+)\](?P<sheet>[^!"]+)!'
                     r'(?P<cell>[A-Z]{1,3}\d+)"[^)]*\)\s*\n\s*def\s+(?P<func>\w+)')
PACKAGE_DIR = Path(__file__).resolve().parents[1]
CODE_LINE = 'ACCTBOOK_CODE = ""'
# What the buttons run, by layer (ARCHITECTURE.md): the pure layers, the xlwings adapter, the
# documents they fill, and the buttons themselves. Never the file adapter (calamine, lxml),
# the workbook makers, jobs, api or cli.
LITE_PACKAGES = ("book", "core", "xlbook", "documents")
LITE_MODULES = ("__init__.py", "excel.py")
# Only the modules of those packages that the buttons import (directly or through another):
# a command-line-only module (the calendar file, an order document) stays out of main.py.
BUTTONS_MODULE = "acctbook.excel"


# --- xlwings Lite ---------------------------------------------------------------------------
# The sheets each script does not send to Python: xlwings Lite's `@script(exclude=...)`
# (sheet names; Lite then sends those sheets without their cells and tables). By name in the
# book's language, and never a data or Settings sheet: acctbook finds its tables by name, so
# a tab the user renamed is sent all the same (an `include=` list would leave it out). Lists
# is read by no script; a generated sheet is sent to the scripts that rewrite it (Refresh
# writes Today, Rankings, Segments, Loyalty and Problems, Check writes Problems, Brief the
# Brief sheet) and to none other (tests/test_lite_exclude.py presses each button both ways).
LITE_EXCLUDE = {
    "refresh": ("Lists", "Brief"),
    "check": ("Today", "Rankings", "Segments", "Loyalty", "Lists", "Brief"),
    "contract": ("Today", "Rankings", "Segments", "Loyalty", "Problems", "Lists", "Brief"),
    "quote": ("Today", "Rankings", "Segments", "Loyalty", "Problems", "Lists", "Brief"),
    "monthly_report": ("Today", "Rankings", "Segments", "Loyalty", "Problems", "Lists",
                       "Brief"),
    "brief": ("Today", "Rankings", "Segments", "Loyalty", "Problems", "Lists"),
}
_SCRIPT = re.compile(r'(@script\(\s*button\s*=\s*"[^"]*")(\s*\)\s*\n\s*def\s+(\w+))')


def excluded_sheets(func: str, lang: str) -> list[str]:
    """The sheet names a script does not send to Python, in the book's language."""
    def name(key: str) -> str:
        if key == "Lists":
            return schema.lists_sheet(lang)
        if key == "Brief":
            return schema.BRIEF.sheet(lang)
        return schema.generated_sheet(key, lang)
    return [name(key) for key in LITE_EXCLUDE.get(func, ())]


def _with_excludes(text: str, lang: str) -> str:
    def add(m: re.Match) -> str:
        names = excluded_sheets(m[3], lang)
        return m[1] + (f", exclude={json.dumps(names, ensure_ascii=False)}" if names else "") + m[2]
    return _SCRIPT.sub(add, text)


def main_py(lang: str) -> str:
    """workbook/main.py for a book in `lang` (Home is called בית in Hebrew), carrying
    acctbook's own code (`ACCTBOOK_CODE`): acctbook is not on PyPI, and one file that
    holds its code works offline. Each script leaves out the sheets it does not need
    (LITE_EXCLUDE)."""
    text = (WORKBOOK_DIR / "main.py").read_text(encoding="utf-8")
    home = schema.generated_sheet("Home", lang)
    text = _with_excludes(text.replace("]Home!", f"]{home}!"), lang)
    if CODE_LINE not in text:
        raise AcctbookError(f"workbook/main.py lost its line {CODE_LINE!r}")
    lines = base64.encodebytes(lite_package()).decode("ascii")
    return text.replace(CODE_LINE, f'ACCTBOOK_CODE = """\n{lines}"""')


def lite_package() -> bytes:
    """acctbook's modules that the buttons use, and the templates they fill (found there by
    acctbook.book.assets as acctbook/templates), as a zip (same sources, same bytes)."""
    files = [(f"acctbook/{name}", PACKAGE_DIR / name) for name in LITE_MODULES]
    needed = button_modules()
    for sub in LITE_PACKAGES:
        files += [(f"acctbook/{sub}/{src.name}", src)
                  for src in sorted((PACKAGE_DIR / sub).glob("*.py"))
                  if src.name == "__init__.py" or f"acctbook.{sub}.{src.stem}" in needed]
    files += [(f"acctbook/templates/{name}", templates_dir() / name) for name in LITE_TEMPLATES]
    # The compiled message catalogs (acctbook.book.i18n finds them as acctbook/locale).
    files += [(f"acctbook/{src.relative_to(PACKAGE_DIR).as_posix()}", src)
              for src in sorted((PACKAGE_DIR / "locale").glob("*/LC_MESSAGES/*.mo"))]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for arcname, src in files:
            info = zipfile.ZipInfo(arcname, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, src.read_bytes(), compresslevel=9)
    return buf.getvalue()


def _imports(path: Path, package: str) -> set[str]:
    """The acctbook modules a source file imports (function-level imports too), as dotted
    names; `from acctbook.core import plan` counts as acctbook.core.plan."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("acctbook")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.startswith("acctbook"):
                out |= {base} | {f"{base}.{a.name}" for a in node.names}
    return out


def button_modules() -> set[str]:
    """Every acctbook module the buttons reach from acctbook.excel, by their imports."""
    def source(name: str) -> Path | None:
        rel = Path(*name.split(".")[1:]) if "." in name else Path("__init__")
        if rel.name == "__init__":
            return PACKAGE_DIR / "__init__.py"
        for p in (PACKAGE_DIR / rel.with_suffix(".py"), PACKAGE_DIR / rel / "__init__.py"):
            if p.is_file():
                return p
        return None

    seen, todo = set(), [BUTTONS_MODULE]
    while todo:
        name = todo.pop()
        path = source(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        todo += sorted(_imports(path, package) - seen)
    return seen


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


# What xlwings Lite saves after the snapshot: containsCustomFunctions and an
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
