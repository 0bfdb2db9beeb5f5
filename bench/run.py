"""Time acctbook's commands on the medium book, with peak memory, in one run.

    python bench/run.py [BOOK]        (BOOK defaults to bench/medium.xlsx, made if missing)

Each command runs as its own process (as a user runs it); peak memory is the
child's maximum resident set size. Refresh runs on a copy; beside it, an
openpyxl load + save of the same book is timed the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = "2026-11-26"


def timed(argv: list[str]) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t
    return secs, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


OPENPYXL_ROUND_TRIP = ("import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); "
                       "wb.save(sys.argv[2])")


def main() -> None:
    book = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "medium.xlsx"
    if not book.exists():
        subprocess.run([sys.executable, str(HERE / "medium.py"), str(book)], check=True)
    acct = [sys.executable, "-m", "acctbook"]
    rows = []
    s, mb, rc = timed(acct + ["check", str(book), "--today", TODAY])
    rows.append(("acctbook check", s, mb, rc))
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / book.name
        shutil.copy(book, copy)
        if "--no-refresh" not in sys.argv:
            s, mb, rc = timed(acct + ["refresh", str(copy), "--today", TODAY])
            rows.append(("acctbook refresh", s, mb, rc))
        if "--openpyxl" in sys.argv:
            s, mb, rc = timed([sys.executable, "-c", OPENPYXL_ROUND_TRIP, str(book),
                               str(Path(tmp) / "openpyxl.xlsx")])
            rows.append(("openpyxl load + save", s, mb, rc))
    print(f"book: {book} ({book.stat().st_size / 1e6:.1f} MB)")
    print(f"{'command':24} {'seconds':>8} {'peak MB':>8} {'exit':>5}")
    for name, s, mb, rc in rows:
        print(f"{name:24} {s:8.2f} {mb:8.0f} {rc:5d}")


if __name__ == "__main__":
    main()
