"""Issue 21's table in one run: check and refresh on the medium and the large book, each a
fresh process with its time and peak memory, beside the floors; then where refresh's time
goes on the large book, phase by phase.

    python bench/perf.py [--books medium,large] [--runs 1] [--no-openpyxl] [--no-phases]
                         [--code DIR]

The books are made once and kept (bench/medium.xlsx, bench/large.xlsx; bench/*.xlsx is
not committed) by bench/medium.py: medium 10,000 clients / 200,000 interactions /
100,000 order lines, large 50,000 / 1,000,000 / 500,000 (about 65 MB).

Floors, each a fresh process too: the calamine read of the tables the command reads
(python-calamine's get_table_by_name(...).to_python() for every acctbook table in the
book, one after the other: the plain read any Python program would do), and for the medium
book openpyxl's load + save round trip. Peak memory is the process's maximum resident set
size: os.wait4's ru_maxrss where there is one (POSIX), else psutil sampled every 20 ms.
Times are whole processes (imports included), as a user waits for them; with --runs N the
median of N, run round by round (the floor, check and refresh one after the other, N times)
so that a change in the machine's speed moves them alike.

The phases (read + coerce, rules, compute, plan, write, zip) time one in-process refresh of
the large book (`acctbook.jobs.refresh` on a copy) by wrapping the functions it calls:
read + coerce = xlsx.read.read_book (calamine parses the tables in a thread while the ones
already parsed are typed: the two overlap, so they are one phase; the read's own share is
the floor's), rules = book.rules.check_book, compute = core.plan.refresh_results, plan =
core.plan.plan_refresh, write = xlsx.patch.apply (the new parts' bytes), zip =
xlsx.package.write_atomically (deflate, the copy of the untouched parts, the backup and
rename). --code DIR runs the commands with another checkout's acctbook (e.g. a git
worktree of HEAD) for a before/after.

acctbook's bytecode is compiled first (compileall, into the code's __pycache__ folders), as
it is where acctbook is installed: pip compiles a package's bytecode when it installs it,
and Python writes it on the first run. Without it every command would compile acctbook's
modules from source, 0.2 s each time, where the floors' libraries are compiled (this
sandbox sets PYTHONDONTWRITEBYTECODE, so nothing is ever written by itself).
"""

from __future__ import annotations

import argparse
import compileall
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-11-26"
BOOKS = {"medium": HERE / "medium.xlsx", "large": HERE / "large.xlsx"}

CALAMINE_READ = r"""
import sys
import python_calamine as pc
wb = pc.CalamineWorkbook.from_path(sys.argv[1], load_tables=True)
wanted = {t.casefold() for t in sys.argv[2].split(",")}
rows = 0
for name in wb.table_names:
    if name.casefold() in wanted:
        rows += len(wb.get_table_by_name(name).to_python())
print(rows)
"""

OPENPYXL_ROUND_TRIP = ("import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); "
                       "wb.save(sys.argv[2])")


def ensure_book(size: str) -> Path:
    path = BOOKS[size]
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "medium.py"), str(path), "--size", size],
                       check=True)
    return path


def child(argv: list[str], env=None, cwd=None) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one fresh process (in `cwd`: `python -m acctbook`
    finds the package there before PYTHONPATH)."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=cwd)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    else:                                   # Windows: sample the resident set size
        import psutil
        ps, peak = psutil.Process(proc.pid), 0.0
        while proc.poll() is None:
            try:
                peak = max(peak, ps.memory_info().rss / (1 << 20))
            except psutil.Error:
                break
            time.sleep(0.02)
        proc.wait()
        secs = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()
    if proc.returncode not in (0, 1):       # 1: the book has problems (none expected)
        print(f"  ! {' '.join(argv[:4])}… exit {proc.returncode}: {err.strip()[-400:]}")
    return secs, peak, proc.returncode


def median_of(got: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """The median time, the highest peak and the last exit code of a command's runs."""
    return (statistics.median(g[0] for g in got), max(g[1] for g in got), got[-1][2])


def measure(size: str, runs: int, openpyxl: bool, code: Path) -> list[tuple]:
    book = ensure_book(size)
    compileall.compile_dir(str(code / "acctbook"), quiet=1)     # as installed (docstring)
    env = {**os.environ, "PYTHONPATH": str(code)}
    acct = [sys.executable, "-m", "acctbook"]
    rows = []
    sys.path.insert(0, str(code))
    from acctbook.book import schema
    floors, checks, refreshes = [], [], []
    with tempfile.TemporaryDirectory(prefix="acctbook-perf-") as tmp:
        copy = Path(tmp) / book.name
        # Round by round (the floor, check, refresh of a fresh copy), so that this VM's speed,
        # which drifts over minutes, moves the floor and the commands alike
        for _ in range(runs):
            floors.append(child([sys.executable, "-c", CALAMINE_READ, str(book),
                                 ",".join(schema.TABLES)], env))
            checks.append(child(acct + ["check", str(book), "--today", TODAY], env, code))
            shutil.copy(book, copy)
            refreshes.append(child(acct + ["refresh", str(copy), "--today", TODAY], env, code))
        floor, check, refresh = median_of(floors), median_of(checks), median_of(refreshes)
        rows.append((size, "calamine read of the tables", *floor, None))
        rows.append((size, "acctbook check", *check, check[0] / floor[0]))
        rows.append((size, "acctbook refresh", *refresh, refresh[0] / floor[0]))
        if openpyxl:
            op = child([sys.executable, "-c", OPENPYXL_ROUND_TRIP, str(book),
                        str(Path(tmp) / "openpyxl.xlsx")])
            rows.append((size, "openpyxl load + save", *op, None))
            rows.append((size, "  openpyxl / refresh", op[0] / refresh[0], 0, 0, None))
    return rows


# --- phases of one refresh, in-process ----------------------------------------------------
PHASES = (("read + coerce", "acctbook.xlsx.file", "read_book"),
          ("rules", "acctbook.jobs", "check_book"),
          ("compute", "acctbook.core.plan", "refresh_results"),
          ("plan", "acctbook.core.plan", "plan_refresh"),
          ("write", "acctbook.xlsx.patch", "apply"),
          ("zip", "acctbook.xlsx.patch", "write_atomically"))


def phases(size: str, code: Path = ROOT) -> tuple[dict[str, float], float]:
    """{phase: seconds} of one in-process refresh of the book, and the whole refresh."""
    import datetime as dt
    import importlib
    sys.path.insert(0, str(code))
    from acctbook import jobs
    spent: dict[str, float] = {}

    def timed(name, fn):
        @functools.wraps(fn)
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        return run

    for name, module, attr in PHASES:
        mod = importlib.import_module(module)
        if hasattr(mod, attr):
            setattr(mod, attr, timed(name, getattr(mod, attr)))
    book = ensure_book(size)
    with tempfile.TemporaryDirectory(prefix="acctbook-perf-") as tmp:
        copy = Path(tmp) / book.name
        shutil.copy(book, copy)
        t = time.perf_counter()
        jobs.refresh(copy, dt.date.fromisoformat(TODAY))
        whole = time.perf_counter() - t
    return spent, whole


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--books", default="medium,large")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-openpyxl", action="store_true")
    ap.add_argument("--no-phases", action="store_true")
    ap.add_argument("--phases-on", default="large")
    ap.add_argument("--code", type=Path, default=ROOT)
    a = ap.parse_args()
    try:
        load = os.getloadavg()
        print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    except (AttributeError, OSError):
        pass
    rows = []
    for size in a.books.split(","):
        rows += measure(size, a.runs, size == "medium" and not a.no_openpyxl, a.code.resolve())
    print("\n| book | step | seconds | peak MB | × floor |")
    print("|---|---|---:|---:|---:|")
    for size, what, secs, mb, rc, ratio in rows:
        if what.startswith("  "):
            print(f"| {size} | {what.strip()} | {secs:.1f}× | | |")
            continue
        shown = f"{ratio:.2f}×" if ratio is not None else "—"
        print(f"| {size} | {what} | {secs:.2f} | {mb:,.0f} | {shown} |")
    if not a.no_phases:
        spent, whole = phases(a.phases_on, a.code.resolve())
        print(f"\nPhases of one in-process refresh of the {a.phases_on} book:")
        print("| phase | seconds | share |")
        print("|---|---:|---:|")
        names = dict.fromkeys(p[0] for p in PHASES)
        for name in names:
            s = spent.get(name, 0.0)
            print(f"| {name} | {s:.2f} | {s / whole:.0%} |")
        rest = whole - sum(spent.values())
        print(f"| other | {rest:.2f} | {rest / whole:.0%} |")
        print(f"| whole refresh | {whole:.2f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
