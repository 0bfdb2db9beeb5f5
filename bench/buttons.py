"""Button latency: the Refresh button's Python time through xlwings' remote engine.

    python bench/buttons.py

Times acctbook.excel.refresh on `xw.Book(json=payload)` (what xlwings Lite / Office.js
hands to Python) for the demo book and a 500-client book (bench/medium.py's generator at
1/20 scale: 500 clients, 10,000 interactions, 5,000 order lines). The payload is built
once per book from the file (not timed: Excel builds it); the time is the button's own
Python work, reading the tables through xlwings to returning the actions. Targets
(issue #5, issue 21): under 1 s on the demo, under 0.6 s on 500 clients. The payload is
what xlwings Lite sends the Refresh script (its `exclude=` sheets without cells or tables,
create/lite.py LITE_EXCLUDE); each press's time is split by phase, and each script's share
of the whole workbook's payload is printed. The remote engine is xlwings PRO code
(PolyForm Noncommercial), enabled here only for measuring.

Also the first press in a new session: main.py, as taken out of a new workbook, unpacks
the acctbook code it carries and imports acctbook.excel (pandas included) in a fresh
Python; CPython here, Pyodide in Excel is slower.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from html import unescape
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests"), str(HERE)]
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw  # noqa: E402

import xlwings_remote as xr  # noqa: E402
from acctbook import excel  # noqa: E402
from acctbook.core import plan  # noqa: E402
from acctbook.create import lite  # noqa: E402
from acctbook.create.workbook import create_workbook  # noqa: E402
from acctbook.xlbook import book as xb  # noqa: E402
from acctbook.create.demo import demo_data  # noqa: E402
from medium import TODAY, medium_data  # noqa: E402

RUNS = 5
TARGETS = {"demo": 1.0, "500 clients": 0.6}          # issue 21: 500 clients under 0.6 s


def books(folder: Path) -> dict[str, tuple[Path, dt.date]]:
    demo_day = dt.date(2026, 3, 10)
    data, settings = demo_data(demo_day)
    demo = create_workbook(folder / "demo.xlsx", "en", data, settings, lite=True)
    big = create_workbook(folder / "clients500.xlsx", "en",
                          medium_data(clients=500, interactions=10_000, orders=5_000),
                          lite=True)
    return {"demo": (demo, demo_day), "500 clients": (big, TODAY)}


def sent(payload: dict, exclude: list[str]) -> dict:
    """The payload as xlwings Lite sends it for a script with `exclude` (lite.LITE_EXCLUDE):
    those sheets without their cells and tables."""
    out = {**payload, "sheets": [dict(s) for s in payload["sheets"]]}
    for sheet in out["sheets"]:
        if sheet["name"] in exclude:
            sheet.update(values=[[]], tables=[], used_range_address="A1")
    return out


# Where a press's time goes: the functions excel.refresh calls, timed in place.
PHASES = (("read (xlwings)", xb, "read_tables"), ("type", xb, "load_book"),
          ("check", excel, "check_book"), ("compute", plan, "refresh_results"),
          ("write (xlwings)", xb, "write_refresh"), ("History", xb, "append_history"))


def time_refresh(path: Path, today: dt.date) -> tuple[float, int, dict[str, float], int]:
    """(median seconds, actions, median seconds of each phase, payload bytes) of a press
    on the new book (its first refresh)."""
    payload = sent(xr.payload(path), lite.excluded_sheets("refresh", "en"))
    spent: dict[str, list[float]] = {}
    originals = [(mod, attr, getattr(mod, attr)) for _, mod, attr in PHASES]
    for (name, mod, attr), (_, _, fn) in zip(PHASES, originals):
        def timed(*a, _fn=fn, _name=name, **k):
            t = time.perf_counter()
            try:
                return _fn(*a, **k)
            finally:
                spent.setdefault(_name, []).append(time.perf_counter() - t)
        setattr(mod, attr, timed)
    try:
        excel.refresh(xw.Book(json=payload), today=today)        # warm-up: imports, caches
        spent.clear()
        times, actions = [], 0
        for _ in range(RUNS):
            book = xw.Book(json=payload)
            t = time.perf_counter()
            result = excel.refresh(book, today=today)
            times.append(time.perf_counter() - t)
            assert result is not None, book.json()["actions"][-1]
            actions = len(book.json()["actions"])
    finally:
        for mod, attr, fn in originals:
            setattr(mod, attr, fn)
    phases = {name: statistics.median(v) for name, v in spent.items()}
    return statistics.median(times), actions, phases, len(json.dumps(payload, default=str))


def payload_sizes(path: Path, today: dt.date) -> dict[str, tuple[int, int]]:
    """Script -> (bytes of the whole workbook's payload, bytes of what it sends), for the
    book once refreshed (its generated sheets filled, as a book in use has them)."""
    from acctbook import jobs
    used = path.with_name("used-" + path.name)
    shutil.copy(path, used)
    jobs.refresh(used, today)
    full = xr.payload(used)
    whole = len(json.dumps(full, default=str))
    return {func: (whole, len(json.dumps(sent(full, lite.excluded_sheets(func, "en")),
                                         default=str)))
            for func in lite.LITE_EXCLUDE}


FIRST_PRESS = """
import importlib.util, sys, tempfile, time
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("main", sys.argv[1])
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
t1 = time.perf_counter()
main.acctbook_buttons()
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f}")
"""


def time_first_press(folder: Path, book: Path) -> tuple[float, float, int]:
    """(seconds to run main.py, seconds to unpack and import acctbook.excel, code bytes)."""
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/webextensions/webextension1.xml").decode()
    code = json.loads(unescape(re.search(r'name="main.py" value="([^"]*)"', xml)[1]))
    (folder / "main.py").write_text(code, encoding="utf-8")
    runs = []
    for i in range(RUNS):
        tmp = folder / f"tmp{i}"
        tmp.mkdir()
        out = subprocess.run([sys.executable, "-c", FIRST_PRESS, str(folder / "main.py")],
                             cwd=folder, capture_output=True, text=True, check=True,
                             env={**os.environ, "TMPDIR": str(tmp)})
        runs.append(tuple(float(x) for x in out.stdout.split()))
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            len(code.encode()))


def main() -> int:
    failed = False
    with tempfile.TemporaryDirectory(prefix="acctbook-buttons-") as tmp:
        for name, (path, today) in books(Path(tmp)).items():
            secs, actions, phases, size = time_refresh(path, today)
            ok = secs < TARGETS[name]
            failed |= not ok
            print(f"Refresh button, {name:12s}: {secs:.2f} s median of {RUNS} "
                  f"({actions} actions; target < {TARGETS[name]:g} s) {'ok' if ok else 'SLOW'}")
            print("  where the time goes: " + ", ".join(f"{k} {v:.3f} s"
                                                       for k, v in phases.items()))
            sizes = payload_sizes(path, today)
            whole = next(iter(sizes.values()))[0]
            print(f"  what each script sends Python, of the refreshed workbook's "
                  f"{whole / 1e3:.0f} kB payload: " + ", ".join(
                      f"{func} {part / whole:.0%}" for func, (_, part) in sizes.items()))
        run, unpack, size = time_first_press(Path(tmp), path)
        print(f"First press (fresh Python): main.py {size / 1000:.0f} kB runs in {run:.2f} s; "
              f"unpacking and importing acctbook.excel {unpack:.2f} s (median of {RUNS})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
