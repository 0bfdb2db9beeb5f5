"""Desktop xlwings: the VBA project of a new .xlsm (`acctbook new --macros`).

xlwings' own standalone VBA project (quickstart_standalone.xlsm in the installed xlwings
package: its `xlwings` module holds RunPython) with its sample module Module1 rewritten to
hold one Sub per button calling RunPython into acctbook.excel. Only Module1's compressed
source is replaced, in place and at the same size inside the OLE file (MS-OVBA
compression; the p-code cache before it is ignored by Excel because the project's
_VBA_PROJECT stream carries no cache version). lite.py draws the form buttons that call
these macros.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from acctbook.book.model import AcctbookError

# One VBA Sub per button (acctbook.excel function -> macro name).
MACROS = {"refresh": "Refresh", "check": "Check", "contract": "Contract", "quote": "Quote",
          "monthly_report": "MonthlyReport", "brief": "Brief"}


# --- the standalone VBA project ------------------------------------------------------------
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
    """The standalone project with Module1 holding acctbook's button macros."""
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
