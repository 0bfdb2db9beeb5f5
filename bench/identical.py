"""Does `acctbook refresh` write the same cells with this code as with another version?

    python bench/identical.py [--rev HEAD] [--only PATH ...] [--base-dir DIR]
                              [--books demo,medium] [--today 2026-11-26]

Both versions refresh copies of the same books (the demo book in English and Hebrew, made by
`acctbook new --demo` with this code, and bench/medium.xlsx, made by bench/medium.py if
missing; `--books large` adds bench/large.xlsx), each run as
`python -m acctbook refresh` with the version's code, the same --today. The base version is
the code at git revision REV (exported with `git archive`: the checkout is not touched), or,
with --only, this working tree with just the PATHs (files or folders) taken from REV: a change
confined to those paths is then compared with everything else equal (work on the other
files, such as new computed columns, on both sides). --base-dir names a folder that already
holds the base version's acctbook/ package.

Compared: every part of the two workbooks, History aside (the History sheet and table, which
record when and by which version). A worksheet part that differs is compared cell by cell
(python-calamine): only the columns both versions write are compared (a column is written by
a version when any of its cells differs from the book before the refresh, or it is on a
generated sheet), so a computed column only one version knows is left out and listed.
Prints each difference; exit 1 when there is one.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from acctbook.book import schema  # noqa: E402


def export(rev: str, into: Path, paths: list[str] | None = None) -> Path:
    """The code at `rev` in `into` (just `paths` of it when given)."""
    data = subprocess.run(["git", "archive", rev, *(paths or [])], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def base_code(rev: str, only: list[str] | None, into: Path) -> Path:
    if not only:
        return export(rev, into)
    shutil.copytree(ROOT / "acctbook", into / "acctbook",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for p in only:
        target = into / p
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "--", p],
                                cwd=ROOT, check=True, capture_output=True, text=True).stdout
        if listed.strip():
            export(rev, into, [p])
    return into


def refresh(code: Path, book: Path, today: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(code)}
    run = subprocess.run([sys.executable, "-m", "acctbook", "refresh", str(book),
                          "--today", today], cwd=code, env=env, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise SystemExit(f"refresh with {code} failed ({run.returncode}): {run.stderr[-2000:]}")


def _sheets(path: Path) -> dict[str, str]:
    """Sheet part -> sheet name; and the History sheet's part under the key 'History'."""
    from acctbook.xlsx.parts import Parts
    parts = Parts.open(path)
    out = {part: name for name, part in parts.sheets if part}
    for name, part in parts.sheets:
        for _, ty, target, _ in (parts.rels(part) if part else []):
            if ty.endswith("/table") and parts.tree(target).getroot().get("name") == "History":
                out["History"], out["History table"] = part, target.lstrip("/")
    return out


def _grid(path: Path, sheet: str) -> dict[tuple[int, int], object]:
    import python_calamine as pc
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(
        skip_empty_area=False)
    return {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)
            if v not in ("", None)}


def _headers(grid: dict) -> dict[int, object]:
    return {c: v for (r, c), v in grid.items() if r == 1}


def compare_sheet(name: str, before: dict, a: dict, b: dict, generated: bool) -> list[str]:
    """The differences between a's and b's cells in the columns both write."""
    cols = {c for _, c in a} | {c for _, c in b}

    def writes(grid, c):
        return generated or any(grid.get(k) != before.get(k)
                                for k in set(grid) | set(before) if k[1] == c)
    heads_a, heads_b = _headers(a), _headers(b)
    out = []
    for c in sorted(cols):
        head = heads_a.get(c, heads_b.get(c))
        wa, wb = writes(a, c), writes(b, c)
        if wa != wb:
            out.append(f"  {name} column {head!r}: written by {'this code' if wb else 'the base'} "
                       f"only (left out)")
            continue
        if not wa:
            continue
        keys = {k for k in set(a) | set(b) if k[1] == c}
        bad = sorted(k for k in keys if a.get(k) != b.get(k))
        if bad:
            r, _ = bad[0]
            out.append(f"! {name} column {head!r}: {len(bad)} cell(s) differ, first row {r}: "
                       f"{a.get(bad[0])!r} (base) vs {b.get(bad[0])!r} (this code)")
    return out


def differences(before: Path, base: Path, mine: Path) -> list[str]:
    sheets = _sheets(mine)
    generated = {n for pair in schema.GENERATED_SHEETS.values() for n in pair}
    skip = {sheets.get("History"), sheets.get("History table")} - {None}
    with zipfile.ZipFile(base) as za, zipfile.ZipFile(mine) as zb:
        names_a, names_b = set(za.namelist()), set(zb.namelist())
        out = [f"! part {n} only in {'the base' if n in names_a else 'this code'}'s book"
               for n in sorted(names_a ^ names_b) if n not in skip]
        for n in sorted(names_a & names_b):
            if n in skip or n.startswith("xl/webextensions/") or za.read(n) == zb.read(n):
                continue
            if n in sheets:
                name = sheets[n]
                found = compare_sheet(name, _grid(before, name) if name not in generated
                                      else {}, _grid(base, name), _grid(mine, name),
                                      name in generated)
                out += found or [f"  {n} ({name}): bytes differ, the cells compared do not"]
            else:
                out.append(f"  part {n} differs")
    return out


def make_books(folder: Path, books: list[str], today: str) -> dict[str, Path]:
    out = {}
    for name in books:
        if name in ("demo", "demo-he"):
            from acctbook import api
            import datetime as dt
            out[name] = api.new(folder / f"{name}.xlsx", lang="he" if name == "demo-he" else "en",
                                demo=True, today=dt.date.fromisoformat(today))
        else:
            path = HERE / f"{name}.xlsx"
            if not path.exists():
                subprocess.run([sys.executable, str(HERE / "medium.py"), str(path), "--size",
                                name], check=True)
            out[name] = path
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--only", nargs="*", help="paths taken from REV, the rest from here")
    ap.add_argument("--base-dir", type=Path,
                    help="a folder holding the base version's acctbook/ (instead of --rev)")
    ap.add_argument("--books", default="demo,demo-he,medium")
    ap.add_argument("--today", default="2026-11-26")
    a = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="acctbook-identical-") as tmp:
        tmp = Path(tmp)
        base = a.base_dir.resolve() if a.base_dir else base_code(a.rev, a.only, tmp / "base")
        for name, book in make_books(tmp, a.books.split(","), a.today).items():
            copies = {}
            for who, code in (("base", base), ("mine", ROOT)):
                copies[who] = tmp / f"{name}-{who}.xlsx"
                shutil.copy(book, copies[who])
                refresh(code, copies[who], a.today)
            diff = differences(book, copies["base"], copies["mine"])
            bad = [d for d in diff if d.startswith("!")]
            failed |= bool(bad)
            print(f"{name}: " + ("identical, History aside" if not diff else
                                 "the same cells in the columns both write" if not bad else
                                 f"{len(bad)} difference(s)"))
            for line in diff:
                print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
