"""Word documents from templates: values made safe for document text (`clean`, `bidi_safe`), the
sandboxed Jinja2 environment, the fields a template uses (`template_fields`), and
`render_contract`, which fills a template with docxtpl and saves it with fixed zip entry
times (`pinned_zip`): the same workbook and --today give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from acctbook.book.i18n import said, tr
from acctbook.book.model import Refused

FIXED_TIME = (2026, 1, 1, 0, 0, 0)   # zip entry times of a saved .docx (as build_templates.py)


class ContractError(Refused):
    """The contract cannot be made from this book (missing fields, cells with errors, unknown
    deal, bad template): a refused request, exit 1."""


# XML 1.0 forbids most control characters; \a and \f would also become docxtpl paragraph/page
# breaks. Tabs and newlines stay (docxtpl turns them into w:tab and w:br).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def clean(v: Any) -> str:
    """A cell value as document text: never None, no characters XML cannot hold."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    return _BAD_XML.sub("", str(v)).strip()


LRM = "\u200e"
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")
_LTR_STRONG = re.compile(r"[0-9A-Za-z\u00c0-\u024f@]")
_PHONE_LIKE = re.compile(r"\+?[\d(][\d\s\-().]*\d")
_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
WJ = "\u2060"      # WORD JOINER: no line break here, nothing drawn, left out of a PDF's text


def bidi_safe(text: str, rtl: bool) -> str:
    """A value as it must sit in a paragraph of the other direction: in a Hebrew contract
    a phone or an English name is held left-to-right between LRMs (050 765 4321 would
    read 4321 765 050); in an English one a Hebrew value ends with an LRM, so the comma
    and the number after it stay left-to-right. Invisible marks Word and LibreOffice honour."""
    if not isinstance(text, str) or not text:
        return text
    if _EMAIL_LIKE.fullmatch(text):
        # An e-mail is never split at its hyphen (LibreOffice and Word break after one): a
        # word joiner follows each. The address still reads and prints as typed, and text
        # copied from the PDF is the address itself (verified with LibreOffice's export).
        text = text.replace("-", "-" + WJ)
    if _PHONE_LIKE.fullmatch(text):
        text = text.replace(" ", "\u00a0")         # a phone is never split across lines
    if rtl:
        if not _HEBREW.search(text) and _LTR_STRONG.search(text):
            return f"{LRM}{text}{LRM}"
        return text
    return f"{text}{LRM}" if _HEBREW.search(text) else text


def _bidi_leaves(value, rtl: bool):
    if isinstance(value, str):
        return bidi_safe(value, rtl)
    if isinstance(value, dict):
        return {k: v if k == "details" else _bidi_leaves(v, rtl) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bidi_leaves(v, rtl) for v in value]
    return value


# --- what the template needs ------------------------------------------------------------------
def sandbox():
    """The Jinja2 environment every contract renders in: sandboxed, autoescaping, strict."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _template_source(path: Path) -> str:
    """The template's Jinja source as docxtpl sees it (body, headers, footers)."""
    from docxtpl import DocxTemplate
    tpl = DocxTemplate(str(path))
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist()
                 if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        return "\n".join(tpl.patch_xml(z.read(n).decode("utf-8")) for n in sorted(parts))


def template_fields(path: Path) -> tuple[set[str], set[str]]:
    """(top-level names the template needs, the `name.attr` fields it reads)."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError
    env = sandbox()
    try:
        top = DocxTemplate(str(path)).get_undeclared_template_variables(jinja_env=env)
        ast = env.parse(_template_source(path))
    except TemplateSyntaxError as e:
        raise said(ContractError, tr("en", "template {template}: {error} (Jinja tag near line "
                                           "{line})"), template=path.name, error=e.message,
                   line=e.lineno) from e
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as e:
        # an empty file, a failed sync, "Save as" another format under the same name
        raise said(ContractError, tr("en", "template {template}: not a readable .docx ({error})"),
                   template=path, error=e) from e
    loops = {f.target.name: f.iter.name for f in ast.find_all(nodes.For)
             if isinstance(f.target, nodes.Name) and isinstance(f.iter, nodes.Name)}
    leaves = set()
    for g in ast.find_all(nodes.Getattr):
        if isinstance(g.node, nodes.Name):
            leaves.add(f"{loops.get(g.node.name, g.node.name)}[].{g.attr}"
                       if g.node.name in loops else f"{g.node.name}.{g.attr}")
    return set(top), leaves


# --- rendering --------------------------------------------------------------------------------
def render_contract(template_path, context: dict, out_docx) -> Path:
    """Fill the template; values are escaped data (autoescape), the template runs sandboxed."""
    from docxtpl import DocxTemplate
    from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
    tpl = DocxTemplate(str(template_path))
    data = _bidi_leaves(dict(context), getattr(context, "lang", "en") == "he")
    try:
        tpl.render(data, jinja_env=sandbox())
    except UndefinedError as e:
        raise said(ContractError, tr("en", "template {template} needs a field acctbook does "
                                           "not provide: {error}"),
                   template=Path(template_path).name, error=e.message) from e
    except SecurityError as e:
        raise said(ContractError, tr("en", "template {template} tries something unsafe: "
                                           "{error}"), template=Path(template_path).name,
                   error=e) from e
    except TemplateError as e:
        raise said(ContractError, tr("en", "template {template}: {error}"),
                   template=Path(template_path).name, error=e) from e
    out = Path(out_docx)
    buf = io.BytesIO()
    tpl.save(buf)
    out.write_bytes(pinned_zip(buf.getvalue()))
    return out


def pinned_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times: python-docx stamps the wall clock, and the same
    workbook and --today must give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), src.read(info),
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
