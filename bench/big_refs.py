"""A table whose ref claims a million rows against the same book with its exact ref.

    python bench/big_refs.py [--repeat 3]

Makes the demo book (`acctbook new --demo`), and a copy whose Clients table (and its
autoFilter) reaches row 1048576, as a user who selects whole columns before "Format as
Table" makes it. Times `check` and `refresh` on each, every run in a fresh process, and
reports the best wall time and that process's peak memory (resource's ru_maxrss where
there is one, POSIX; tracemalloc's Python peak elsewhere). Target: the million-row ref
within 1.5x the exact one in both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 6, 1)

# One command in a fresh process: {"seconds": …, "peak_mb": …, "how": …}.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
try:
    import resource
except ImportError:          # Windows: no resource module
    resource = None
import tracemalloc
if resource is None:
    tracemalloc.start()
from acctbook import cli
t0 = time.perf_counter()
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    cli.main([sys.argv[1], sys.argv[2], "--today", "%s"])
seconds = time.perf_counter() - t0
if resource is not None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak, how = rss / (1 << 20 if sys.platform == "darwin" else 1 << 10), "ru_maxrss"
else:
    peak, how = tracemalloc.get_traced_memory()[1] / (1 << 20), "tracemalloc"
print(json.dumps({"seconds": seconds, "peak_mb": peak, "how": how}))
""" % TODAY.isoformat()


def widen(src: Path, dst: Path, table: str = "Clients") -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/tables/") and re.search(
                    rb'\bname="%s"' % table.encode(), data):
                data = re.sub(rb'\bref="([A-Z]+\d+):([A-Z]+)\d+"', rb'ref="\1:\g<2>1048576"', data)
            zout.writestr(info, data)
    return dst


def run(command: str, book: Path, work: Path) -> dict:
    copy = work / f"run-{book.name}"
    shutil.copyfile(book, copy)            # refresh writes: each run on a fresh copy
    out = subprocess.run([sys.executable, "-c", CHILD, command, str(copy), str(ROOT)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    from acctbook import api
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        exact = api.new(work / "exact.xlsx", demo=True, today=TODAY)
        big = widen(exact, work / "big.xlsx")
        print(f"{'command':<8} {'book':<14} {'best s':>7} {'peak MB':>8}")
        for command in ("check", "refresh"):
            got = {}
            for name, book in (("exact ref", exact), ("1M-row ref", big)):
                runs = [run(command, book, work) for _ in range(a.repeat)]
                best = min(r["seconds"] for r in runs)
                peak = max(r["peak_mb"] for r in runs)
                got[name] = (best, peak)
                print(f"{command:<8} {name:<14} {best:7.2f} {peak:8.0f}  ({runs[0]['how']})")
            (t0, m0), (t1, m1) = got["exact ref"], got["1M-row ref"]
            print(f"{command:<8} {'ratio':<14} {t1 / t0:7.2f} {m1 / m0:8.2f}")


if __name__ == "__main__":
    main()
