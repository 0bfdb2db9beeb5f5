"""Exit codes across commands (SPEC section 7): 0 done; 1 the book has errors or the request
was refused; 2 bad usage or a file that cannot be read. Commands run as processes."""

from __future__ import annotations

import openpyxl
import pytest

from test_cli import demo_book, fresh, run  # noqa: F401 - the module's fixture and helpers


@pytest.fixture()
def book_with_errors(demo_book, tmp_path):  # noqa: F811
    p = fresh(demo_book, tmp_path, "errors.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["Clients"]["J2"] = "Sleeping"            # Status: not a choice
    wb.save(p)
    return p


def test_calls_on_a_book_with_errors_prints_the_queue_and_exits_1(book_with_errors):
    r = run("calls", book_with_errors, "--today", "2026-11-26")
    assert r.returncode == 1
    assert "1." in r.stdout and "1 error" in r.stderr and "acctbook check" in r.stderr
    r = run("calls", book_with_errors, "--today", "2026-11-26", "--json")
    assert r.returncode == 1 and r.stdout.lstrip().startswith("[")


def test_batch_exits_with_the_worst_books_code(demo_book, book_with_errors, tmp_path):  # noqa: F811
    good = fresh(demo_book, tmp_path, "good.xlsx")
    r = run("batch", good, book_with_errors, "--today", "2026-11-26")
    assert r.returncode == 1
    assert "2 refreshed (1 with errors), 0 failed" in r.stdout
    assert run("batch", good, "--today", "2026-11-26").returncode == 0


@pytest.mark.parametrize("day", ["1700-01-01", "2300-01-01", "0001-01-01"])
def test_a_today_outside_the_workbook_years_is_bad_usage(demo_book, tmp_path, day):  # noqa: F811
    p = fresh(demo_book, tmp_path)
    before = p.read_bytes()
    r = run("refresh", p, "--today", day)
    assert r.returncode == 2 and "outside the years 1900–2199" in r.stderr
    assert "Traceback" not in r.stderr and p.read_bytes() == before


@pytest.mark.parametrize("command", [["report", "--month", "2026-10"], ["contract", "D-0110"]])
def test_a_read_only_book_is_refused_before_any_file_is_written(demo_book, tmp_path, command):  # noqa: F811
    import os
    p = fresh(demo_book, tmp_path)
    os.chmod(p, 0o444)
    out = tmp_path / "out"
    r = run(command[0], p, *command[1:], "--out", out, "--today", "2026-11-26")
    assert r.returncode == 1 and "read-only" in r.stderr and r.stderr.count("\n") == 1
    assert not out.exists()


def test_a_closed_pipe_is_quiet_but_not_a_success(demo_book, tmp_path):  # noqa: F811
    """The reader went away before anything was read (`| head` done): no traceback, no
    "Broken pipe" line, and not exit 0."""
    import os
    import subprocess
    import sys
    p = fresh(demo_book, tmp_path)
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "acctbook", "calls", str(p), "--today",
                               "2026-11-26"], stdout=write, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    finally:
        os.close(write)
    assert proc.stderr == "" and proc.returncode == 2


def test_batch_finishes_every_book_when_its_reader_stops(demo_book, tmp_path):  # noqa: F811
    import subprocess
    import sys
    books = [fresh(demo_book, tmp_path, f"b{i}.xlsx") for i in range(3)]
    proc = subprocess.run(f"{sys.executable} -m acctbook batch {' '.join(map(str, books))} "
                          "--today 2026-11-26 | head -1", shell=True, capture_output=True,
                          text=True, timeout=300)
    assert proc.stdout.startswith("ok ") and proc.stderr == ""
    for b in books:                      # each one refreshed: Today filled in
        assert openpyxl.load_workbook(b)["Today"]["B2"].value is not None


def test_a_report_month_past_2199_is_bad_usage(demo_book, tmp_path):  # noqa: F811
    r = run("report", fresh(demo_book, tmp_path), "--month", "9999-12", "--today", "2026-11-26")
    assert r.returncode == 2 and "from 1900 to 2199" in r.stderr and "internal" not in r.stderr
