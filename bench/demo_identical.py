"""Is `acctbook demo` byte-identical between two versions of the code?

    python bench/demo_identical.py REV [--today 2026-11-15]

Runs the demo with the code at git revision REV (exported into a temporary folder) and with
the working tree, same --today, and compares every file: the workbooks part by part, except
xl/webextensions/* (the package code a book carries for xlwings Lite moves with the
modules), the .docx and HTML byte for byte. Prints each difference; exit 1 when there is one.
Used when a change must not change behaviour (ARCHITECTURE.md: the layout was moved so).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_demo(code: Path, out: Path, today: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run([sys.executable, "-m", "acctbook", "demo", str(out), "--today", today],
                   cwd=code, env=env, check=True, stdout=subprocess.DEVNULL)


def export(rev: str, into: Path) -> Path:
    data = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def differences(a: Path, b: Path) -> list[str]:
    out = []
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        out.append(f"files differ: {sorted(set(files_a) ^ set(files_b))}")
    for rel in set(files_a) & set(files_b):
        x, y = (a / rel).read_bytes(), (b / rel).read_bytes()
        if x == y:
            continue
        if rel.suffix not in (".xlsx", ".xlsm"):
            out.append(f"{rel} differs")
            continue
        with zipfile.ZipFile(a / rel) as za, zipfile.ZipFile(b / rel) as zb:
            if za.namelist() != zb.namelist():
                out.append(f"{rel}: its parts differ")
                continue
            out += [f"{rel}:{n} differs" for n in za.namelist()
                    if not n.startswith("xl/webextensions/") and za.read(n) != zb.read(n)]
    return sorted(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the git revision to compare with (e.g. HEAD~3)")
    ap.add_argument("--today", default="2026-11-15")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run_demo(export(a.rev, tmp / "old"), tmp / "demo-old", a.today)
        run_demo(ROOT, tmp / "demo-new", a.today)
        diff = differences(tmp / "demo-old", tmp / "demo-new")
    print("\n".join(diff) or "identical (xl/webextensions aside)")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())
