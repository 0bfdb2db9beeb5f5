"""`acctbook upgrade BOOK`: a book made by an earlier acctbook (or any acctbook-shaped workbook
without buttons) brought to the current version in place (docs/excel.md, "Upgrading a
book"): the xlwings Lite code replaced, the Home buttons, labels and Deal name added where
missing, new schema columns, tables, sheets and settings added with their defaults, and
the version stamp set. Every user cell and every other part stays byte for byte; the book
before is kept as BOOK.bak.xlsx. `--macros` also writes BOOK.xlsm beside it with the VBA
project and the desktop form buttons.

The plan is pure (acctbook.core.upgrade_plan, from the schema); the zip work is the file
adapter's (acctbook.xlsx.upgrade); how a new book looks comes from a new book made here
by acctbook.create (the "donor") and the Lite parts of acctbook.create.lite.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from acctbook import __version__
from lxml import etree

from acctbook.book import schema
from acctbook.book.history import Stamp
from acctbook.book.i18n import tr, translator
from acctbook.book.model import AcctbookError, Refused
from acctbook.core.upgrade_plan import describe, plan
from acctbook.create import lite as lite_code
from acctbook.create.workbook import create_workbook
from acctbook.xlsx.generated import SHEET_ORDER
from acctbook.xlsx.package import (PARSER, find_child, insert_ordered, local_name, serialize,
                                   write_atomically)
from acctbook.xlsx.parts import Parts
from acctbook.xlsx.patch import refuse_if_open, refuse_unless_writable
from acctbook.xlsx.upgrade import LiteParts, finish, open_donor, survey, upgrade as upgrade_parts

CT_MACRO_BOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


@dataclass
class UpgradeResult:
    path: str
    lang: str
    lines: list[str]                     # what was added (or, dry run, would be)
    written: bool = False
    backup: str | None = None
    macros: str | None = None            # the .xlsm written beside the book
    version: str = __version__
    notes: list[str] = field(default_factory=list)   # parts left out, and why


def lite_parts(lang: str) -> LiteParts:
    """xlwings Lite's parts for a book in `lang`, as a new book has them."""
    return LiteParts(code={"main.py": lite_code.main_py(lang),
                           "requirements.txt": lite_code.requirements_txt()},
                     store_id=lite_code.LITE_STORE_ID,
                     webextension=lite_code.webextension_xml(lang),
                     taskpanes=lite_code.TASKPANES_XML, taskpanes_rels=lite_code.TASKPANES_RELS,
                     taskpanes_rel_type=lite_code.TASKPANES_REL_TYPE,
                     content_types=dict(lite_code.CONTENT_TYPES))


def upgrade(path, stamp: Stamp, dry_run: bool = False, macros: bool = False) -> UpgradeResult:
    """`acctbook upgrade`: the plan worked out, then (unless `dry_run`) written in place with
    its History row (`stamp`: when, where from, who; acctbook.api makes it) in the same
    write; `macros`: BOOK.xlsm beside it too."""
    path = os.fspath(path)
    if macros and Path(path).suffix.lower() == ".xlsm":
        raise AcctbookError(tr("en", "{book}: already an .xlsm; --macros makes an .xlsm from an "
                                     ".xlsx").format(book=path))
    (refuse_if_open if dry_run else refuse_unless_writable)(path)
    parts = Parts.open(path)
    cache: dict[str, LiteParts] = {}

    def lite_for(lang: str) -> LiteParts:
        if lang not in cache:
            cache[lang] = lite_parts(lang)
        return cache[lang]
    found = survey(parts, lite_for=lite_for)
    todo = plan(found, __version__)
    lang = found.lang
    result = UpgradeResult(path, lang, describe(todo))
    if dry_run:
        return result
    if not todo.empty():
        with tempfile.TemporaryDirectory(prefix="acctbook-upgrade-") as tmp:
            donor = None
            if todo.structural():
                donor = open_donor(create_workbook(Path(tmp) / "donor.xlsx", lang, lite=True))
            result.notes = upgrade_parts(parts, todo, donor, lite_for(lang),
                                         stamp, result.lines)
        if parts.changed or parts.added or parts.removed:
            target = os.path.realpath(path) if os.path.islink(path) else path
            result.backup = write_atomically(parts.pkg, parts, target, keep_backup=True)
            result.written = True
    if macros:
        result.macros = write_macros(path, lang)
    return result


# --- the .xlsm beside the book --------------------------------------------------------------
def write_macros(path, lang: str) -> str:
    """BOOK.xlsm: the book with the VBA project and the desktop form buttons on Home (taken
    from a new .xlsm made here); the book itself is unchanged."""
    out = str(Path(path).with_suffix(".xlsm"))
    refuse_if_open(out)
    parts = Parts.open(path)
    with tempfile.TemporaryDirectory(prefix="acctbook-upgrade-") as tmp:
        made = create_workbook(Path(tmp) / "donor.xlsm", lang, lite=True, macros=True)
        donor = open_donor(made)
        vba = donor.pkg.read("xl/vbaProject.bin")
        home = schema.generated_sheet("Home", lang)
        vml = _home_vml(donor, home)
    parts.content_type(parts.wb, CT_MACRO_BOOK)
    parts.content_type_default("bin", CT_VBA)
    bin_part = parts.wb.rsplit("/", 1)[0] + "/vbaProject.bin"      # where Excel looks first
    if parts.pkg.name(bin_part) is not None:
        raise AcctbookError(tr(lang, "{book}: already holds a VBA project").format(book=path))
    parts.set(bin_part, vba)
    parts.add_rel(parts.wb, REL_VBA, bin_part)
    hpart = parts.sheet_part(home)
    if hpart is not None and vml is not None and not any(
            ty.endswith("/vmlDrawing") for _, ty, _, _ in parts.rels(hpart)):
        _add_vml(parts, hpart, vml)
    finish(parts)
    write_atomically(parts.pkg, parts, out, keep_backup=False)
    return out


def _home_vml(donor: Parts, home: str) -> bytes | None:
    return next((donor.pkg.read(t) for _, ty, t, _ in donor.rels(donor.sheet_part(home))
                 if ty.endswith("/vmlDrawing")), None)


def _add_vml(parts: Parts, hpart: str, vml: bytes) -> None:
    """Home's form buttons (a VML drawing) with an idmap and shape ids of their own."""
    used = [int(n) for info in parts.pkg.infos if info.filename.lower().endswith(".vml")
            for n in re.findall(rb'<o:idmap[^>]*data="(\d+)"', parts.pkg.read(info.filename))]
    block = max(used, default=0) + 1
    vml = re.sub(rb'(<o:idmap[^>]*data=")\d+"', b'\\g<1>%d"' % block, vml)
    vml = re.sub(rb"_x0000_s1(\d{3})", lambda m: b"_x0000_s%d" % (block * 1024 + int(m[1]) - 24),
                 vml)
    part = parts.free_name("xl/drawings", "vmlDrawing", ".vml")
    parts.set(part, vml)
    parts.content_type_default("vml", CT_VML)
    rid = parts.add_rel(hpart, parts.rel_type("vmlDrawing"), part)
    root = etree.fromstring(parts.current(hpart), PARSER)
    el = etree.Element(f"{{{etree.QName(root).namespace}}}legacyDrawing")
    el.set(f"{{{parts.rel_ns}}}id", rid)
    if find_child(root, "legacyDrawing") is None and local_name(root) == "worksheet":
        insert_ordered(root, el, SHEET_ORDER)
        parts.set(hpart, serialize(etree.ElementTree(root)))


def lines(r: UpgradeResult, dry_run: bool) -> list[str]:
    """What the command prints, in the book's language."""
    say = translator(r.lang)
    out = [f"{r.path}: {line}" for line in r.lines + r.notes]
    if dry_run:
        out.append(say("dry run: {count} change(s) would be made; nothing written").format(
            count=len(r.lines)) if r.lines else say("already up to date"))
    elif r.written:
        out.append(say("upgraded {book} to acctbook {version}; previous version kept as "
                       "{backup}").format(book=r.path, version=r.version, backup=r.backup))
    else:
        out.append(say("{book}: already up to date (acctbook {version})").format(
            book=r.path, version=r.version))
    if r.macros:
        out.append(say("{xlsm} written with the desktop buttons (macros)").format(xlsm=r.macros))
    return out


__all__ = ["Refused", "UpgradeResult", "lines", "lite_parts", "upgrade", "write_macros"]


def stamp_note(r, lang: str) -> str:
    """`check`'s summary line ends so when the book has no version stamp (made before acctbook
    stamped its books): said once there, not as a Problem on every older book."""
    if r.stamp or r.book is None or not r.book.tables:
        return ""
    return tr(lang, "; no acctbook version stamp (acctbook upgrade BOOK sets it)")
