"""Time `acctbook team` with --jobs 1 against --jobs N on two folders of books, with the peak
memory of the whole process tree (the command and its worker processes).

    python bench/team.py [--folder bench/team-books] [--demo 100] [--medium 8] [--jobs 2]
                         [--runs 1]

The books are made once (kept in the folder; bench/*.xlsx and bench/team-books/ are not
committed): `demo/` holds demo-size books (the demo data of `acctbook new --demo`, one seed
each), `medium/` the medium benchmark book's size (bench/medium.py: 10,000 clients, 200,000
interactions, 100,000 order lines, one seed each). Every book's clients get names and company
numbers of their own, and each book shares three clients with the next one (by company
number), so the Conflicts table has the work a real team gives it.

Each run is a fresh `python -m acctbook team` process; its peak memory is the largest sum of
the resident set sizes of it and all its descendants, sampled every 50 ms with psutil.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from acctbook.book.identity import il_number_complete  # noqa: E402
from acctbook.create.workbook import create_workbook  # noqa: E402

TODAY = dt.date(2026, 11, 26)
SHARED = 3                        # clients each book shares with the next one


def _own_clients(data: dict, k: int, prefix: str, previous: list[dict] | None) -> list[dict]:
    """Book k's clients renamed with numbers of their own; the first SHARED take the
    company numbers of the previous book's first clients. Returns the clients."""
    clients = data["Clients"]
    for i, c in enumerate(clients, 1):
        c["name"] = f"{prefix} {c['name']}"
        if c.get("legal_name"):
            c["legal_name"] = f"{prefix} {c['legal_name']}"
        il = (c.get("country") or "IL") == "IL"
        # 9 digits with a check digit: 5, the book (3 digits), the client (4 digits)
        c["company_number"] = (il_number_complete(f"5{k:03d}{i % 10000:04d}") if il
                               else f"X{k}-{i:05d}")
    for mine, theirs in zip(clients[:SHARED], (previous or [])[:SHARED]):
        mine["company_number"] = theirs["company_number"]
    return clients


def make_demo_books(folder: Path, n: int) -> None:
    from acctbook.create.demo import demo_data
    folder.mkdir(parents=True, exist_ok=True)
    previous = None
    for k in range(1, n + 1):
        path = folder / f"manager-{k:03d}.xlsx"
        data, settings = demo_data(TODAY, seed=1000 + k)
        previous = _own_clients(data, k, f"M{k:03d}", previous)
        settings["manager_name"] = f"Manager {k:03d}"
        if not path.exists():
            create_workbook(path, lang="en", data=data, settings=settings, lite=True)


def make_medium_books(folder: Path, n: int) -> None:
    from medium import medium_data
    folder.mkdir(parents=True, exist_ok=True)
    previous = None
    for k in range(1, n + 1):
        path = folder / f"medium-{k}.xlsx"
        data = medium_data(seed=k)
        previous = _own_clients(data, 100 + k, f"T{k}", previous)
        if not path.exists():
            t = time.perf_counter()
            create_workbook(path, lang="en", data=data,
                            settings={"manager_name": f"Medium manager {k}"}, lite=True)
            print(f"  made {path.name} in {time.perf_counter() - t:.0f} s", file=sys.stderr)


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def timed(argv: list[str]) -> tuple[float, float, int]:
    """(seconds, peak MB of the process tree, exit code) of one command."""
    t = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            peak = max(peak, tree_rss(proc))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    secs = time.perf_counter() - t
    err = child.stderr.read().decode(errors="replace")
    if child.returncode not in (0, 2):
        print(err, file=sys.stderr)
    return secs, peak / 2**20, child.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", type=Path, default=HERE / "team-books")
    ap.add_argument("--demo", type=int, default=100)
    ap.add_argument("--medium", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--make-only", action="store_true", help="make the books; time nothing")
    a = ap.parse_args()
    sets = []
    if a.demo:
        make_demo_books(a.folder / "demo", a.demo)
        sets.append((f"{a.demo} demo-size books", a.folder / "demo"))
    if a.medium:
        make_medium_books(a.folder / "medium", a.medium)
        sets.append((f"{a.medium} medium books", a.folder / "medium"))
    if a.make_only:
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores")
    print("| books | MB on disk | --jobs | seconds (median) | each run | speed-up | "
          "peak MB (tree) |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for label, folder in sets:
        size = sum(p.stat().st_size for p in folder.glob("*.xlsx")) / 1e6
        base = None
        for jobs in (1, a.jobs):
            runs = []
            for _ in range(a.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    runs.append(timed([sys.executable, "-m", "acctbook", "-q", "team",
                                       str(folder), "--jobs", str(jobs), "--today",
                                       TODAY.isoformat(), "--out", str(Path(tmp) / "t.xlsx")]))
            secs = sorted(r[0] for r in runs)[len(runs) // 2]
            peak = max(r[1] for r in runs)
            base = base or secs
            each = " / ".join(f"{r[0]:.1f}" for r in runs)
            print(f"| {label} | {size:.0f} | {jobs} | {secs:.1f} | {each} | {base / secs:.2f}× "
                  f"| {peak:.0f} |", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
