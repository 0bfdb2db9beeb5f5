"""The workbook file as a zip package: opened and checked once, read part by part, written
back atomically.

The reader (xlsx/read.py) and the writer (xlsx/patch.py) share one check that a file is a
workbook (`Package.open`, with the zip-bomb limits), the refusals (Excel or LibreOffice
has the book open, it is read-only) and the OPC/XML helpers. The atomic write copies every
part it does not change byte for byte (the compressed bytes themselves), keeps BOOK.bak.xlsx
and refuses when the file changed since it was opened (README, "The workbook stays the
source of truth").
Changed parts are deflated at level 6 when small and level 1 above 4 MiB (compression is
most of the cost of a write).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import unquote

from lxml import etree

from acctbook.book.i18n import tr
from acctbook.book.model import AcctbookError, BookUnreadable, Refused
from acctbook.xlsx.errors import error, folder_error, numbers_error, ole_error
from acctbook.xlsx.preread import (MAX_TOTAL_UNCOMPRESSED, Preread, file_stamp, stamp_of,
                                   taken, too_big)


def check_bounds(path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from its declared sizes (the reader and the writer both ask)."""
    bomb = too_big(infos)
    if bomb is not None and bomb[1] is None:
        raise error(BookUnreadable, tr("en", "{book}: refused, its parts would inflate to "
                                             "{size} MiB (limit {limit} MiB)"),
                    book=path, size=bomb[0] >> 20, limit=MAX_TOTAL_UNCOMPRESSED >> 20)
    if bomb is not None:
        i = bomb[1]
        raise error(BookUnreadable, tr("en", "{book}: refused, part {part} would inflate "
                                             "{ratio}x"),
                    book=path, part=i.filename, ratio=i.file_size // max(i.compress_size, 1))
    if len(infos) >= 0xFFFF:
        raise error(BookUnreadable, tr("en", "{book}: too many parts ({count})"), book=path,
                    count=len(infos))


FAST_LEVEL_ABOVE = 4 << 20                # parts above this are deflated at level 1
LEVEL_SMALL, LEVEL_BIG = 6, 1
NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)     # fixed, so a patch is deterministic

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_T = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN_S = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_T = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_S = "http://purl.oclc.org/ooxml/officeDocument/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                         load_dtd=False, dtd_validation=False)


def _pure(path) -> PurePath:
    """The path as pathlib sees it, never split by hand. A PurePath keeps its flavour, so
    a PureWindowsPath (drive letter, UNC share) is handled the Windows way on any system;
    anything else is a path of this system."""
    return path if isinstance(path, PurePath) else PurePath(os.fspath(path))


def backup_path(path) -> str:
    """BOOK.xlsx -> BOOK.bak.xlsx (the suffix is kept, so .xlsm stays .xlsm)."""
    p = _pure(path)
    return str(p.with_name(f"{p.stem}.bak{p.suffix}"))


def owner_file(path) -> str:
    """The lock file Excel keeps beside a workbook it has open: ~$BOOK.xlsx."""
    p = _pure(path)
    return str(p.with_name("~$" + p.name))


def libreoffice_lock_file(path) -> str:
    """The lock file LibreOffice keeps beside a workbook it has open: .~lock.BOOK.xlsx#."""
    p = _pure(path)
    return str(p.with_name(".~lock." + p.name + "#"))


# --- reading the package ----------------------------------------------------------------
def refuse_if_open(path) -> None:
    """Refuse a book Excel or LibreOffice has open (its lock file sits beside the real file)."""
    real = os.path.realpath(path)
    for app, lock in (("Excel", owner_file(real)), ("LibreOffice", libreoffice_lock_file(real))):
        if os.path.exists(lock):
            raise error(Refused, tr("en", "{book}: the workbook is open in {app} ({lock} "
                                          "exists); close it and try again"),
                        book=path, app=app, lock=_pure(lock).name)


def refuse_unless_writable(path) -> None:
    """Refuse a book Excel has open, or one its owner marked read-only (even for root,
    who could replace it), before any work or any other file is written."""
    refuse_if_open(path)
    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return                             # missing: the reader says so in its own words
    if not mode & 0o222 or not os.access(real, os.W_OK):
        raise error(Refused, tr("en", "{book}: the workbook is read-only; make it writable and "
                                      "try again"), book=path)
    if not os.access(os.path.dirname(real) or ".", os.W_OK | os.X_OK):
        raise error(Refused, tr("en", "{book}: cannot write in its folder {folder}"), book=path,
                    folder=os.path.dirname(real) or ".")


class Package:
    """The zip as read: entries in order, raw compressed bytes available for copying.
    `stamp` is the file as it was when read (size, mtime, inode): the write refuses to
    replace a file that changed since. `preread`: these bytes were read, and the sheets are
    being searched for error values, while the program started (preread.py)."""

    def __init__(self, path: str, data: bytes, zf: zipfile.ZipFile, stamp: tuple | None = None,
                 preread: Preread | None = None):
        self.path, self.data, self.zf, self.stamp = path, data, zf, stamp
        self.preread = preread
        self.infos = zf.infolist()
        # Part names are case-insensitive; some writers store "xl\\workbook.xml".
        self.by_lower = {i.filename.replace("\\", "/").lower(): i.filename for i in self.infos}

    @classmethod
    def open(cls, path) -> "Package":
        """The one check that a file is a workbook, for the reader and the writer alike:
        one clear line (BookUnreadable) for a missing file, a folder, an unreadable, too big,
        encrypted or old .xls file, anything that is not a zip, a corrupt zip or a zip bomb;
        another spreadsheet format (.ods, .xlsb, Numbers, a CSV) is named, told by content."""
        path = os.fspath(path)
        data, stamp, ahead = _read_file(path)
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise ole_error(path, data)
        if data[:2] != b"PK":
            if not data:
                raise error(BookUnreadable, tr("en", "{book}: an empty file, not an Excel "
                                                     "workbook (not a zip file)"), book=path)
            if _looks_like_text(data):
                raise error(BookUnreadable, tr("en", "{book}: a text file (CSV?), not an Excel "
                                                     "workbook (not a zip file): save it as .xlsx "
                                                     "(Excel: File → Save As → Excel Workbook)"),
                            book=path)
            raise error(BookUnreadable, tr("en", "{book}: not an Excel workbook (not a zip file)"),
                        book=path)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
                NotImplementedError, struct.error, EOFError) as e:
            raise error(BookUnreadable, tr("en", "{book}: corrupt workbook (bad zip: {error})"),
                        book=path, error=e) from None
        check_bounds(path, zf.infolist())
        _refuse_other_zip_formats(path, zf)
        return cls(path, data, zf, stamp, ahead)

    def changed_on_disk(self, target: str) -> bool:
        """The file at `target` is no longer the one read (saved meanwhile, replaced)."""
        return self.stamp is not None and stamp_of(target) != self.stamp

    def name(self, part: str) -> str | None:
        """The zip entry for an OPC part name (part names are case-insensitive)."""
        return self.by_lower.get(part.replace("\\", "/").lstrip("/").lower())

    def read(self, part: str) -> bytes:
        name = self.name(part)
        if name is None:
            raise error(BookUnreadable, tr("en", "{book}: part {part} is missing"),
                        book=self.path, part=part)
        try:
            return self.zf.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
            raise error(BookUnreadable, tr("en", "{book}: corrupt workbook, part {part} "
                                                 "({error})"),
                        book=self.path, part=name, error=e) from None

    def raw(self, info: zipfile.ZipInfo) -> tuple[bytes, bytes, int, int]:
        """(name bytes, compressed bytes, dos time, dos date) straight from the local header."""
        off = info.header_offset
        head = self.data[off:off + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise error(BookUnreadable, tr("en", "{book}: corrupt workbook, bad local header "
                                                 "for {part}"), book=self.path, part=info.filename)
        _, _, _, _, dtime, ddate, _, _, _, nlen, elen = struct.unpack("<IHHHHHIIIHH", head)
        start = off + 30 + nlen + elen
        body = self.data[start:start + info.compress_size]
        if len(body) != info.compress_size:
            raise error(BookUnreadable, tr("en", "{book}: corrupt workbook, part {part} is "
                                                 "truncated"), book=self.path, part=info.filename)
        return self.data[off + 30:off + 30 + nlen], body, dtime, ddate


# --- files that are spreadsheets, but not .xlsx: say which, and what to do -------------------
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def _looks_like_text(data: bytes) -> bool:
    """Text (a CSV, a note): UTF-8/UTF-16 with a BOM, or no NUL and valid UTF-8 or mostly
    printable bytes in the first 64 KB."""
    head = data[:1 << 16]
    if not head or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return bool(head)
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 3:      # a character cut at the 64 KB edge
            return True
    printable = sum(b >= 32 or b in b"\t\r\n" for b in head)
    return printable >= 0.95 * len(head)


def _refuse_other_zip_formats(path, zf: zipfile.ZipFile) -> None:
    """A zip that is another spreadsheet format: OpenDocument (.ods, its `mimetype` entry),
    Excel binary (.xlsb, xl/workbook.bin), Apple Numbers (Index/*.iwa)."""
    names = {i.filename.replace("\\", "/").lower(): i for i in zf.infolist()}
    mime = names.get("mimetype")
    if mime is not None and mime.file_size <= 200:
        try:
            kind = zf.read(mime).decode("ascii", "replace").strip()
        except Exception:  # noqa: BLE001 - a broken entry: the workbook checks report it
            kind = ""
        if kind == ODS_MIME or kind.startswith(ODS_MIME + "-"):
            raise error(BookUnreadable, tr("en", "{book}: an OpenDocument spreadsheet (.ods), "
                                                 "not an Excel workbook: save it as .xlsx (Excel: "
                                                 "File → Save As → Excel Workbook)"), book=path)
        if kind.startswith("application/vnd.oasis.opendocument."):
            raise error(BookUnreadable, tr("en", "{book}: an OpenDocument file ({kind}), not an "
                                                 "Excel workbook"), book=path, kind=kind)
    if "xl/workbook.bin" in names:
        raise error(BookUnreadable, tr("en", "{book}: an Excel binary workbook (.xlsb), not an "
                                             ".xlsx workbook: save it as .xlsx (Excel: File → "
                                             "Save As → Excel Workbook)"), book=path)
    if any(n.startswith("index/") and n.endswith(".iwa") for n in names):
        raise numbers_error(path)


def refuse_strict(path, workbook_namespace: str | None) -> None:
    """A workbook part in the Strict namespace (Excel's "Strict Open XML Spreadsheet"):
    acctbook reads its tables through calamine, which finds none there; refused by name."""
    if workbook_namespace == MAIN_S:
        raise error(BookUnreadable, tr("en", "{book}: saved as Strict Open XML Spreadsheet, "
                                             "which acctbook cannot write back: in Excel, File → "
                                             "Save As → Excel Workbook (.xlsx)"), book=path)


def _read_file(path: str) -> tuple[bytes, tuple, Preread | None]:
    """The file's bytes and its stamp, read through one open file; the bytes already read
    for it while the program started (preread.py) when it is still that file, and then the
    search of its sheets too."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > MAX_TOTAL_UNCOMPRESSED:
                raise error(BookUnreadable, tr("en", "{book}: refused, the file is larger than "
                                                     "{limit} MiB"),
                            book=path, limit=MAX_TOTAL_UNCOMPRESSED >> 20)
            ahead = taken(path)
            data = ahead.data_if_same(st) if ahead is not None else None
            return (fh.read(), file_stamp(st), None) if data is None else \
                (data, file_stamp(st), ahead)
    except FileNotFoundError:
        raise error(BookUnreadable, tr("en", "{book}: no such file"), book=path) from None
    except IsADirectoryError:
        raise folder_error(path) from None
    except PermissionError as e:
        if os.path.isdir(path):          # Windows opens a folder with "permission denied"
            raise folder_error(path) from None
        raise error(BookUnreadable, tr("en", "{book}: cannot be read ({error})"), book=path,
                    error=e.strerror or e) from None
    except OSError as e:
        raise error(BookUnreadable, tr("en", "{book}: cannot be read ({error})"), book=path,
                    error=e.strerror or e) from None


# --- writing the package ----------------------------------------------------------------
class ZipOut:
    """A minimal zip writer that can store already-compressed bytes unchanged."""

    def __init__(self, fh):
        self.fh, self.offset, self.central = fh, 0, []

    def _entry(self, name: bytes, flags: int, method: int, dtime: int, ddate: int,
               crc: int, body: bytes, usize: int, external: int, system: int) -> None:
        if self.offset + len(body) >= 0xFFFFFFFF or usize >= 0xFFFFFFFF:
            raise AcctbookError("workbook too large to write (over 4 GiB)")
        flags &= ~0x0008                       # sizes are in the header: no data descriptor
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dtime, ddate,
                            crc, len(body), usize, len(name), 0)
        self.central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (system << 8) | 20, 20,
                                         flags, method, dtime, ddate, crc, len(body), usize,
                                         len(name), 0, 0, 0, 0, external, self.offset) + name)
        self.fh.write(local + name)
        self.fh.write(body)
        self.offset += len(local) + len(name) + len(body)

    def copy(self, pkg: Package, info: zipfile.ZipInfo) -> None:
        name, body, dtime, ddate = pkg.raw(info)
        self._entry(name, info.flag_bits, info.compress_type, dtime, ddate, info.CRC, body,
                    info.file_size, info.external_attr, info.create_system)

    def write(self, name: str, data: "bytes | Deflated", date_time=NEW_PART_TIME,
              external: int = 0, system: int = 0,
              deflated: tuple[int, bytes] | None = None) -> None:
        """A part deflated now, or as `deflated` already was (deflate(data): crc, body), or
        kept deflated only (Deflated)."""
        if isinstance(data, Deflated):
            deflated, size = (data.crc, data.body), data.size
        else:
            size = len(data)
        crc, body = deflated if deflated is not None else deflate(data)
        y, mo, d, h, mi, s = date_time
        ddate = ((max(y, 1980) - 1980) << 9) | (mo << 5) | d
        dtime = (h << 11) | (mi << 5) | (s // 2)
        try:
            bname, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            bname, flags = name.encode("utf-8"), 0x800
        self._entry(bname, flags, zipfile.ZIP_DEFLATED, dtime, ddate, crc, body,
                    size, external, system)

    def close(self) -> None:
        cd = b"".join(self.central)
        self.fh.write(cd)
        self.fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(self.central),
                                  len(self.central), len(cd), self.offset, 0))


@dataclass(frozen=True)
class Deflated:
    """A part's new content kept deflated only (Parts drops a big part's bytes once they are
    deflated): its size, CRC-32 and raw deflate stream, as the zip writer stores them."""
    size: int
    crc: int
    body: bytes
    tail: bytes = b""       # its last bytes (a sheet's rules follow sheetData: validation.py)

    def inflate(self) -> bytes:
        return zlib.decompress(self.body, -15)


def deflate(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of a part as the zip writer stores it; level 1 for a big
    part. zlib works without the GIL, so Parts deflates big parts in a thread meanwhile."""
    level = LEVEL_BIG if len(data) > FAST_LEVEL_ABOVE else LEVEL_SMALL
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    return zlib.crc32(data), comp.compress(data) + comp.flush()


def write_atomically(pkg: Package, patched, target: str, keep_backup: bool) -> str | None:
    """Write the package with `patched`'s parts (a Parts: parts, added, removed) to `target`
    through a temporary file renamed over it; returns the backup kept, if any. Writing over
    the file read, it refuses when that file changed on disk since it was read."""
    same_file = os.path.exists(target) and os.path.realpath(target) == os.path.realpath(pkg.path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".~" + os.path.basename(target) + ".", suffix=".tmp")
    except OSError as e:
        raise error(AcctbookError, tr("en", "{book}: cannot write in {folder} ({error})"),
                    book=target, folder=folder, error=e.strerror or e) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_zip(pkg, patched, fh)
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(target):
            shutil.copymode(target, tmp)
            _keep_owner(target, tmp)
        else:                                   # mkstemp made it 0600: use the usual mode
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)
        if same_file and pkg.changed_on_disk(target):
            raise error(Refused, tr("en", "{book}: the workbook changed on disk while acctbook "
                                          "worked on it (saved in Excel?); it is left as it is: "
                                          "run again"), book=target)
        had_backup = keep_backup and os.path.exists(backup_path(target))
        bak = None
        try:
            bak = _keep_backup(target) if keep_backup else None
            os.replace(tmp, target)
        except PermissionError as e:
            # Windows: Excel (or OneDrive, an antivirus) holds the book open, so it can be
            # neither replaced nor renamed into the backup. A request to retry, not a failure;
            # the folder is left as it was (a backup made for this write goes again).
            if bak and not had_backup:
                _remove_quietly(bak)
            raise error(Refused, tr("en", "{book}: cannot replace the workbook ({error}); if "
                                          "it is open in another program (Excel?), close the "
                                          "workbook in Excel, then run again; it is unchanged"),
                        book=target, error=e.strerror or e) from e
    except BaseException as e:
        _remove_quietly(tmp)
        if isinstance(e, OSError):
            raise error(AcctbookError, tr("en", "{book}: cannot write ({error}); the workbook "
                                                "is unchanged"),
                        book=target, error=e.strerror or e) from e
        raise
    _fsync_dir(folder)
    return bak


def _keep_owner(target: str, tmp: str) -> None:
    """Root refreshing a manager's book keeps it theirs. Windows has no owners to keep
    (no os.chown, os.geteuid): nothing to do there."""
    geteuid, getegid = getattr(os, "geteuid", None), getattr(os, "getegid", None)
    chown = getattr(os, "chown", None)
    if geteuid is None or getegid is None or chown is None:
        return
    st = os.stat(target)
    if (st.st_uid, st.st_gid) != (geteuid(), getegid()):
        try:
            chown(tmp, st.st_uid, st.st_gid)
        except OSError:
            pass


def _write_zip(pkg: Package, patched, fh) -> None:
    out = ZipOut(fh)
    ready = getattr(patched, "deflated", None) or (lambda name: None)   # Parts.deflated
    for info in pkg.infos:
        if info.filename in patched.removed:
            continue
        new = patched.parts.get(info.filename)
        if new is None:
            out.copy(pkg, info)
        else:
            out.write(info.filename, new, info.date_time, info.external_attr, info.create_system,
                      ready(info.filename))
    for name in patched.added:
        out.write(name, patched.parts[name], deflated=ready(name))
    out.close()


def _keep_backup(target: str) -> str:
    """Keep the current file as BOOK.bak.xlsx: a hard link when possible (no copy), else a copy."""
    bak = backup_path(target)
    tmp = bak + ".tmp"
    _remove_quietly(tmp)
    try:
        linked = False
        # Not on Windows: there a link to a book Excel holds open can be neither renamed nor
        # removed (sharing violation), which would leave BOOK.bak.xlsx.tmp behind.
        if os.name != "nt":
            try:
                os.link(target, tmp)
                linked = True
            except OSError:             # no hard links here (FAT, some shares): copy
                pass
        if not linked:
            shutil.copy2(target, tmp)
        os.replace(tmp, bak)
    except BaseException:
        _remove_quietly(tmp)
        raise
    return bak


def _remove_quietly(p: str) -> None:
    try:
        os.remove(p)
    except OSError:
        pass


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- small XML helpers ------------------------------------------------------------------
def parse_part(pkg: Package, part: str) -> etree._ElementTree:
    try:
        return etree.ElementTree(etree.fromstring(pkg.read(part), PARSER))
    except etree.XMLSyntaxError as e:
        raise error(BookUnreadable, tr("en", "{book}: part {part} is not valid XML ({error})"),
                    book=pkg.path, part=part, error=e) from None


XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def serialize(tree: etree._ElementTree) -> bytes:
    # lxml writes the declaration with single quotes; write Excel's own form instead.
    return XML_DECL + etree.tostring(tree, encoding="UTF-8", xml_declaration=False)


def local_name(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def find_children(el, name: str) -> list:
    return [c for c in el if local_name(c) == name]


def find_child(el, name: str):
    for c in el:
        if local_name(c) == name:
            return c
    return None


def rel_id(el) -> str | None:
    for ns in (REL_T, REL_S):
        v = el.get(f"{{{ns}}}id")
        if v is not None:
            return v
    return None


def canon(name: str) -> str:
    """A zip entry name as an OPC part name: forward slashes."""
    return name.replace("\\", "/")


def rels_part(part: str) -> str:
    folder, name = posixpath.split(part.replace("\\", "/").lstrip("/"))
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(base: str, target: str) -> str:
    target = unquote(target.split("#")[0])
    if target.startswith("/"):
        return target.lstrip("/")
    base = base.replace("\\", "/").lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def insert_ordered(parent, child, order: list[str]) -> None:
    """Insert `child` among `parent`'s children where the schema's sequence wants it."""
    rank = order.index(local_name(child))
    for i, c in enumerate(parent):
        name = local_name(c)
        if name == "AlternateContent":
            name = _alternate_name(c)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def _alternate_name(el) -> str:
    for choice in el:
        for c in choice:
            return local_name(c)
    return ""


WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "AlternateContent", "absPath",
                  "workbookProtection", "bookViews", "sheets", "functionGroups",
                  "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
                  "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
                  "webPublishObjects", "extLst"]


def cut_element(xml: bytes, name: bytes) -> bytes:
    """The XML without the first `<name>` element (any prefix); unchanged if absent."""
    m = re.search(rb"<((?:[\w.-]+:)?)" + name + rb"\b[^>]*?(/?)>", xml)
    if not m:
        return xml
    if m.group(2):
        return xml[:m.start()] + xml[m.end():]
    close = b"</" + m.group(1) + name + b">"
    end = xml.find(close, m.end())
    return xml if end < 0 else xml[:m.start()] + xml[end + len(close):]

