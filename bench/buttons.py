"""Button latency: the Refresh button's Python time through xlwings' remote engine.

    python bench/buttons.py

Times acctbook.excel.refresh on `xw.Book(json=payload)` (what xlwings Lite / Office.js
hands to Python) for the demo book and a 500-client book (bench/medium.py's generator at
1/20 scale: 500 clients, 10,000 interactions, 5,000 order lines). The payload is built
once per book from the file (not timed: Excel builds it); the time is the button's own
Python work, reading the tables through xlwings to returning the actions. Targets
(issue #5): under 1 s on the demo, under 2 s on 500 clients. The remote engine is
xlwings PRO code (PolyForm Noncommercial), enabled here only for measuring.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests"), str(HERE)]
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402

import xlwings_remote as xr  # noqa: E402
from acctbook import excel  # noqa: E402
from acctbook.create import create_workbook  # noqa: E402
from acctbook.demo import demo_data  # noqa: E402
from medium import TODAY, medium_data  # noqa: E402

RUNS = 5
TARGETS = {"demo": 1.0, "500 clients": 2.0}


def books(folder: Path) -> dict[str, tuple[Path, dt.date]]:
    demo_day = dt.date(2026, 3, 10)
    data, settings = demo_data(demo_day)
    demo = create_workbook(folder / "demo.xlsx", "en", data, settings, lite=True)
    big = create_workbook(folder / "clients500.xlsx", "en",
                          medium_data(clients=500, interactions=10_000, orders=5_000),
                          lite=True)
    return {"demo": (demo, demo_day), "500 clients": (big, TODAY)}


def time_refresh(path: Path, today: dt.date) -> tuple[float, int]:
    payload = xr.payload(path)
    excel.refresh(xw.Book(json=payload), today=today)        # warm-up: imports, caches
    times, actions = [], 0
    for _ in range(RUNS):
        book = xw.Book(json=payload)
        t = time.perf_counter()
        result = excel.refresh(book, today=today)
        times.append(time.perf_counter() - t)
        assert result is not None, book.json()["actions"][-1]
        actions = len(book.json()["actions"])
    return statistics.median(times), actions


def main() -> int:
    failed = False
    with tempfile.TemporaryDirectory(prefix="acctbook-buttons-") as tmp:
        for name, (path, today) in books(Path(tmp)).items():
            secs, actions = time_refresh(path, today)
            ok = secs < TARGETS[name]
            failed |= not ok
            print(f"Refresh button, {name:12s}: {secs:.2f} s median of {RUNS} "
                  f"({actions} actions; target < {TARGETS[name]:.0f} s) {'ok' if ok else 'SLOW'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
