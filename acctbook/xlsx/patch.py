"""Write back into a user's workbook by patching its zip, never by re-saving it.

Every part of the package is copied byte for byte (the compressed bytes themselves, without
recompressing); only the cells we are asked to write, inside the sheet parts that hold them,
and the workbook-level parts needed to add or rebuild a generated sheet are rewritten (README,
"The workbook stays the source of truth"). This package knows nothing of acctbook's schema.

Four kinds of write, each in its own module:
- `cells`: single cells in any sheet, by a streaming byte-level pass (sheetcells.py);
  values become XML in cellxml.py.
- `sheets`: generated sheets (SheetTable), rebuilt wholesale with one Excel table
  (generated.py).
- `appends`: rows added at the end of an existing table (append.py).
- `imports`: SheetImport copies a worksheet with its drawing and charts from another
  package (importsheet.py).
A table that grew (appended rows; with `grow_rules`, any table, as refresh asks) takes its
column rules along: validation and conditional-format ranges it outgrew are extended
(validation.py); a sheet part whose tables did not outgrow them is left as it is.
Replacing a formula drops calcChain.xml; any write sets fullCalcOnLoad so Excel recomputes
the user's formulas that read the new values. The package itself (the checks, the atomic
write, the backup, the refusals) is package.py; its structure is parts.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Sequence

from acctbook.book.model import AcctbookError, BookUnreadable, SheetTable
from acctbook.book.i18n import tr
from acctbook.book.updates import positions
from acctbook.xlsx.errors import error
from acctbook.xlsx.append import append
from acctbook.xlsx.cellxml import MAX_COL, MAX_ROW, CellWriter
from acctbook.xlsx.generated import check_sheet_table, check_table_names, generate, where_tables_are
from acctbook.xlsx.importsheet import SheetImport, import_sheet
from acctbook.xlsx.package import (Package, ZipOut, backup_path, owner_file, refuse_if_open,
                                   refuse_unless_writable, serialize, write_atomically)
from acctbook.xlsx.parts import MALFORMED, Parts, sheet_names, sheet_parts
from acctbook.xlsx.sheetcells import SheetCells
from acctbook.xlsx.validation import extend_rules

__all__ = ["PatchResult", "SheetImport", "SheetTable", "ZipOut", "backup_path", "owner_file",
           "patch_package", "patch_workbook", "refuse_if_open", "refuse_unless_writable",
           "sheet_names", "sheet_parts"]


@dataclass
class PatchResult:
    path: str                                   # the file written
    changed: list[str] = field(default_factory=list)   # parts rewritten
    added: list[str] = field(default_factory=list)     # parts created
    removed: list[str] = field(default_factory=list)   # parts dropped (calcChain)
    backup: str | None = None                   # BOOK.bak.xlsx, when kept


def patch_workbook(path, cells: dict[str, dict[tuple[int, int], Any]] | None = None,
                   sheets: Sequence[SheetTable] = (), *,
                   appends: dict[str, Sequence[dict[str | int, Any]]] | None = None,
                   imports: Sequence[SheetImport] = (), out=None, backup=True,
                   grow_rules: bool = False) -> PatchResult:
    """Write `cells`, rebuild `sheets`, append rows to tables and import sheets, atomically.

    appends: table name (any sheet, case-insensitive) -> rows, each {header text or
    1-based column number within the table: value}; see append.append.
    imports: SheetImport(source, sheet, name) copies a sheet with its drawings and charts
    from another package; see importsheet.import_sheet.
    grow_rules: every table's outgrown validation and conditional-format ranges are
    extended (an appended table's always are); see validation.extend_rules.
    Raises BookUnreadable (missing, not a zip, corrupt, encrypted, zip bomb),
    Refused (Excel has the book open, it is read-only, it changed on disk meanwhile) or
    AcctbookError (unknown sheet, bad value).
    """
    path = os.fspath(path)
    refuse(path, out)
    return patch_package(Package.open(path), cells, sheets, appends=appends, imports=imports,
                         out=out, backup=backup, grow_rules=grow_rules)


def refuse(path: str, out=None) -> None:
    """Before any work: the book open in Excel (or, written in place, read-only) is refused."""
    if out is None:
        refuse_unless_writable(path)
    else:
        refuse_if_open(path)


def patch_package(pkg: Package, cells=None, sheets: Sequence[SheetTable] = (), *, appends=None,
                  imports: Sequence[SheetImport] = (), out=None, backup=True,
                  parts: Parts | None = None, grow_rules: bool = False) -> PatchResult:
    """patch_workbook on a package already opened (and checked); `parts`, when given, is
    its structure as already read (unchanged so far)."""
    path = pkg.path
    try:
        parts = parts if parts is not None else Parts(pkg)
        apply(parts, cells or {}, list(sheets), appends or {}, list(imports), grow_rules)
    except MALFORMED as e:
        raise error(BookUnreadable, tr("en", "{book}: cannot be patched, the workbook is "
                                             "malformed ({error})"), book=path, error=e) from e
    # A symlinked book is written where the link points: the link stays a link.
    target = (os.fspath(out) if out is not None else
              os.path.realpath(path) if os.path.islink(path) else path)
    result = PatchResult(path=target if out is not None else path, changed=sorted(parts.changed),
                         added=list(parts.added), removed=sorted(parts.removed))
    if out is None and not (result.changed or result.added or result.removed):
        return result                # nothing differs: leave the file (and its mtime) alone
    result.backup = write_atomically(pkg, parts, target, keep_backup=backup and out is None)
    return result


def apply(parts: Parts, cells: dict, sheets: list[SheetTable], appends: dict | None = None,
          imports: list | None = None, grow_rules: bool = False) -> None:
    """Work out every part the patch changes, adds or removes (in `parts`); nothing is written."""
    appends, imports = appends or {}, imports or []
    names = [st.sheet.lower() for st in sheets] + [si.name.lower() for si in imports]
    if len(set(names)) != len(names):
        raise AcctbookError("the same generated or imported sheet is given twice")
    both = set(names) & {n.lower() for n in cells}
    if both:
        raise AcctbookError(f"sheet {sorted(both)[0]!r} is both generated and patched cell by cell")
    for st in sheets:
        check_sheet_table(st)
    sheets = where_tables_are(parts, sheets)
    names = [st.sheet.lower() for st in sheets] + [si.name.lower() for si in imports]
    if len(set(names)) != len(names) or set(names) & {n.lower() for n in cells}:
        raise AcctbookError("a generated sheet's table sits on a sheet that is also written")
    check_table_names(parts, sheets)
    values_written = False
    for name, updates in cells.items():
        if updates:
            patch_cells(parts, name, updates)
            values_written = True
    for st in sheets:
        generate(parts, st)
        values_written = True
    for table, rows in appends.items():
        if rows:
            append(parts, table, list(rows), set(names))
            values_written = True
    for si in imports:
        import_sheet(parts, si)
        values_written = True
    appended = [table for table, rows in appends.items() if rows]
    if grow_rules or appended:
        extend_rules(parts, None if grow_rules else appended, skip=names)
    if values_written:
        parts.full_calc_on_load()
    parts.forget_removed_types()
    if parts.styles.changed:
        parts.set(parts.styles.part, serialize(parts.styles.tree))
    for part in parts.dirty_parts:
        parts.set(part, serialize(parts.tree(part)))


def patch_cells(parts: Parts, sheet: str, updates: dict[tuple[int, int], Any]) -> None:
    part = parts.sheet_part(sheet)
    if part is None:
        raise AcctbookError(f"{parts.pkg.path}: no sheet named {sheet!r}")
    for key in positions(updates):
        if (type(key) is tuple and len(key) == 2 and type(key[0]) is int and type(key[1]) is int
                and 1 <= key[0] <= MAX_ROW and 1 <= key[1] <= MAX_COL):
            continue          # the usual, well-formed key, checked quickly
        if (not isinstance(key, tuple) or len(key) != 2 or not all(isinstance(k, int) for k in key)
                or not (1 <= key[0] <= MAX_ROW and 1 <= key[1] <= MAX_COL)):
            raise AcctbookError(f"sheet {sheet!r}: bad cell position {key!r} (want (row, col), 1-based)")
    writer = CellWriter(parts.styles, parts.date1904)
    sc = SheetCells(parts.sheet_data(part), writer, f"{os.path.basename(parts.pkg.path)}:{sheet}")
    parts.set(part, sc.apply(updates))
    if sc.formula_removed:
        parts.drop_calc_chain()

