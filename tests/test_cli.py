"""The `acctbook` command end to end, as a user runs it: real files, real exit codes.

Workbooks are written with openpyxl (tests/bookfiles.py) or by `acctbook new`, the
command runs as its own process, and results are read back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bookfiles import history_parts, valid_data, write_book

TODAY = "2026-06-01"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "calamine"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/calamine")


def run(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    return subprocess.run([sys.executable, "-m", "acctbook", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    """A demo workbook made by `acctbook new --demo`, never refreshed (copy before use)."""
    p = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    r = run("new", p, "--demo", "--today", "2026-11-26")
    assert r.returncode == 0, r.stderr
    return p


def fresh(demo_book, tmp_path, name="book.xlsx") -> Path:
    p = tmp_path / name
    shutil.copy(demo_book, p)
    return p


# --- bad input: one clear line, exit 2, no traceback --------------------------------------
def _broken_zip(tmp_path):
    good = write_book(tmp_path / "good.xlsx")
    data = good.read_bytes()
    bad = tmp_path / "corrupt.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    return bad


def _text_file(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("just some text\n")
    return p


def _zip_bomb(tmp_path):
    p = write_book(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/huge.bin", b"\0" * (20 << 20))     # 20 MiB of zeros, ~1000x
    return p


def _no_tables(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    p = tmp_path / "plain.xlsx"
    wb.save(p)
    return p


def _missing_column(tmp_path):
    keys = [c for c in ("client_id", "name", "created")]          # Status left out
    return write_book(tmp_path / "nostatus.xlsx", columns={"Clients": keys})


@pytest.mark.parametrize("make, words", [
    (lambda t: t / "nowhere.xlsx", "no such file"),
    (_text_file, "not an Excel workbook"),
    (_broken_zip, "corrupt"),
    (lambda t: CORPUS / "pass_protected.xlsx", "encrypted"),
    (_zip_bomb, "would inflate"),
    (_no_tables, "no acctbook tables"),
    (_missing_column, "missing required column Status"),
], ids=["missing", "text", "corrupt-zip", "encrypted", "zip-bomb", "no-tables",
     "missing-column"])
@pytest.mark.parametrize("command", ["check", "refresh"])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, make, words, command):
    path = make(tmp_path)
    before = path.read_bytes() if path.exists() else None
    r = run(command, path, "--today", TODAY)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    if before is not None:
        assert path.read_bytes() == before           # never a lost or half-written workbook


def test_bad_usage_exits_2(tmp_path):
    r = run("refresh", tmp_path / "x.xlsx", "--today", "yesterday")
    assert r.returncode == 2 and "is not a date" in r.stderr


# --- new and check --------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "he"])
def test_new_demo_book_checks_clean_and_new_never_replaces_a_book(tmp_path, lang):
    p = tmp_path / f"b.{lang}.xlsx"
    assert run("new", p, "--lang", lang, "--demo", "--today", "2026-11-26").returncode == 0
    r = run("check", p, "--json", "--today", "2026-11-26")
    assert r.returncode == 0 and json.loads(r.stdout) == []
    before = p.read_bytes()
    again = run("new", p)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert p.read_bytes() == before


def test_check_reports_every_problem_with_its_cell(tmp_path):
    data = valid_data()
    data["Clients"][0]["status"] = "Gone"                 # Clients!J2
    data["Deals"][0]["stage"] = "Lost"                    # no Lost reason
    data["Interactions"][0]["next_step_date"] = dt.date(2026, 5, 1)   # before Date
    p = write_book(tmp_path / "broken.xlsx", data)
    r = run("check", p, "--today", TODAY)
    assert r.returncode == 1
    out = r.stdout.splitlines()
    assert any(line.startswith(f"{p}:Clients!J2: ") and "Gone" in line for line in out)
    assert any(f"{p}:Deals!" in line and "Lost reason" in line for line in out)
    assert any(f"{p}:Interactions!" in line and "Next step date" in line for line in out)
    js = json.loads(run("check", p, "--json", "--today", TODAY).stdout)
    status = next(x for x in js if x["cell"] == "J2")
    assert status == {"severity": "error", "code": "choice", "sheet": "Clients", "row": 2,
                      "column": "Status", "cell": "J2", "value": "Gone",
                      "message": status["message"]}
    assert {x["code"] for x in js} >= {"choice", "lost-reason", "next-step-before-date"}


# --- refresh ---------------------------------------------------------------------------
def _clients_by_id(path) -> tuple[dict, list[str]]:
    wb = openpyxl.load_workbook(path)
    ws = wb["Clients"]
    head = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    return rows, head


def test_refresh_writes_computed_columns_and_the_call_queue(demo_book, tmp_path):
    p = fresh(demo_book, tmp_path)
    r = run("refresh", p, "--today", "2026-11-26", "--json")
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    assert {"client_id", "next_follow_up", "follow_up_reason", "class", "rank", "score",
            "tier", "risk", "risk_reasons"} <= set(js[0])
    clients, _ = _clients_by_id(p)
    by_id = {x["client_id"]: x for x in js}
    for cid, row in clients.items():
        if by_id[cid]["next_follow_up"] is None:
            continue
        # a real date in the cell, equal to what --json said
        assert isinstance(row["Next follow-up"], dt.datetime)
        assert row["Next follow-up"].date().isoformat() == by_id[cid]["next_follow_up"]
        # the same words; the cell also carries the direction marks Excel needs (book/bidi.py),
        # which JSON, being data, leaves out
        marks = dict.fromkeys(map(ord, "\u200e\u200f\u2066\u2067\u2068\u2069"))
        assert row["Follow-up reason"].translate(marks) == by_id[cid]["follow_up_reason"]
    assert {row["Class"] for row in clients.values()} >= {"A", "B", "C"}
    # Today: the same clients in the same order as `acctbook calls`
    calls = json.loads(run("calls", p, "--today", "2026-11-26", "--json").stdout)
    ws = openpyxl.load_workbook(p)["Today"]
    today_ids = [row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[1]]
    assert today_ids == [c["client_id"] for c in calls] and len(calls) > 10
    link = ws.cell(2, 2).hyperlink
    assert link is not None and link.location.startswith("'Clients'!")
    assert (tmp_path / "book.bak.xlsx").exists()


def test_refresh_twice_gives_the_same_file_content(demo_book, tmp_path):
    p = fresh(demo_book, tmp_path)
    assert run("refresh", p, "--today", "2026-11-26").returncode == 0
    log = history_parts(p)                      # each write appends its History row there
    first = {k: v for k, v in parts(p).items() if k not in log}
    assert run("refresh", p, "--today", "2026-11-26").returncode == 0
    assert {k: v for k, v in parts(p).items() if k not in log} == first
    assert len(log) == 2 and history_parts(p) == log


def test_dry_run_writes_nothing_and_says_what_would_change(demo_book, tmp_path):
    p = fresh(demo_book, tmp_path)
    before = p.read_bytes()
    r = run("refresh", p, "--today", "2026-11-26", "--dry-run")
    assert r.returncode == 0 and "nothing written" in r.stdout
    assert f"{p}:Clients!" in r.stdout
    assert p.read_bytes() == before and not (tmp_path / "book.bak.xlsx").exists()


def computed_sheets(path) -> dict:
    """(sheet, cell) -> value of every cell on the sheets with computed columns, by openpyxl."""
    wb = openpyxl.load_workbook(path, read_only=True)
    return {(ws.title, c.coordinate): c.value for ws in (wb[n] for n in (
        "Clients", "Deals", "Complaints", "Contracts", "Campaigns"))
        for row in ws.iter_rows() for c in row if hasattr(c, "coordinate")}


def test_dry_run_lists_exactly_the_cells_the_refresh_then_changes(demo_book, tmp_path):
    """The list of changes (made lazily on a large book: results.Changes) against the cells
    openpyxl reads before and after the refresh."""
    p = fresh(demo_book, tmp_path)
    r = run("refresh", p, "--today", "2026-12-24", "--dry-run")
    listed = re.findall(rf"^{re.escape(str(p))}:(\w+)!([A-Z]+\d+): ", r.stdout, re.M)
    count = int(re.search(r"dry run: (\d+) computed cell", r.stdout)[1])
    assert count == len(listed) > 20 and len(set(listed)) == len(listed)
    before = computed_sheets(p)
    assert run("refresh", p, "--today", "2026-12-24").returncode == 0
    after = computed_sheets(p)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == set(listed)


def test_a_first_refresh_lists_each_computed_cell_it_fills(tmp_path):
    """A book whose computed columns were never filled (as written by another program):
    every cell the refresh fills is listed as a change from blank, and nothing else."""
    from acctbook import api
    p = write_book(tmp_path / "b.xlsx", valid_data())
    dry = api.refresh(p, today=dt.date(2026, 6, 1), dry_run=True)
    before = computed_sheets(p)
    api.refresh(p, today=dt.date(2026, 6, 1))
    after = computed_sheets(p)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    listed = {(c.sheet, c.cell) for c in dry.changes}
    assert changed == listed and len(listed) > 20
    assert all(c.old is None and c.new is not None for c in dry.changes)


def test_same_today_same_output(demo_book, tmp_path):
    a = run("refresh", fresh(demo_book, tmp_path, "a.xlsx"), "--today", "2026-11-26", "--json")
    b = run("refresh", fresh(demo_book, tmp_path, "b.xlsx"), "--today", "2026-11-26", "--json")
    assert a.stdout == b.stdout


def test_a_row_with_errors_is_skipped_and_linked_from_problems(tmp_path):
    data = valid_data()
    data["Clients"][1]["status"] = "Gone"                 # C-002 on Clients row 3
    data["Interactions"][0]["event_id"] = "E-404"         # an unknown event: not read by the core
    p = write_book(tmp_path / "b.xlsx", data)
    r = run("refresh", p, "--today", TODAY, "--json")
    assert r.returncode == 1, r.stderr                    # written, but the book has errors
    clients, _ = _clients_by_id(p)
    good, bad = clients["C-001"], clients["C-002"]
    # the good row is done, and its interaction counts despite the bad Event ID
    assert good["Last contact"] == dt.datetime(2026, 5, 20)
    assert good["Next follow-up"] is not None
    # the bad row is skipped: no stale values, and it says why
    assert bad["Next follow-up"] is None and bad["Rank"] is None
    assert bad["Follow-up reason"].startswith("Not computed")
    js = {x["client_id"]: x for x in json.loads(r.stdout)}
    assert set(js) == {"C-001", "C-002"} and js["C-002"]["next_follow_up"] is None
    ws = openpyxl.load_workbook(p)["Problems"]
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value]
    hit = next(r for r in rows if r[3].value == "J3")
    assert hit[3].hyperlink.location == "'Clients'!J3"


def test_refresh_refuses_a_book_excel_has_open(demo_book, tmp_path):
    p = fresh(demo_book, tmp_path)
    (tmp_path / "~$book.xlsx").write_bytes(b"owner")
    before = p.read_bytes()
    r = run("refresh", p, "--today", "2026-11-26")
    assert r.returncode == 1 and "open" in r.stderr.lower() and "Traceback" not in r.stderr
    assert p.read_bytes() == before


def test_batch_goes_on_past_a_bad_book_and_fails_at_the_end(demo_book, tmp_path):
    good1, good2 = fresh(demo_book, tmp_path, "one.xlsx"), fresh(demo_book, tmp_path, "two.xlsx")
    bad = _text_file(tmp_path)
    r = run("batch", good1, bad, good2, "--today", "2026-11-26")
    assert r.returncode == 2                     # a file that cannot be read, as for refresh
    assert "2 refreshed (0 with errors), 1 failed" in r.stdout and f"FAIL  {bad}" in r.stdout
    for p in (good1, good2):
        ws = openpyxl.load_workbook(p)["Today"]
        assert ws.cell(2, 2).value                     # the queue was written


def test_libreoffice_opens_the_refreshed_book(demo_book, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (.ci/run installs it)")
    p = fresh(demo_book, tmp_path)
    assert run("refresh", p, "--today", "2026-11-26").returncode == 0
    out = tmp_path / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(p)],
                   capture_output=True, timeout=180, check=True)
    pdf = out / "book.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000


# --- reading errors: a Rust panic inside calamine, Excel error values --------------------
def _table_ref_a1(tmp_path) -> Path:
    good = write_book(tmp_path / "good.xlsx")
    bad = tmp_path / "ref.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/tables/table2.xml":        # Contacts
                data = re.sub(rb'ref="[A-Z0-9:]+"', b'ref="A1"', data, count=1)
            zout.writestr(info, data)
    return bad


@pytest.mark.parametrize("make", [lambda tmp: CORPUS / "minimal_package.xlsx", _table_ref_a1],
                         ids=["workbook-part-not-in-a-folder", "table-ref-A1"])
def test_a_calamine_panic_is_one_clear_line_and_exit_2(tmp_path, make):
    path = make(tmp_path)
    r = run("check", path, "--today", TODAY)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "PanicException:" in r.stderr
    # calamine's Rust runtime prints its own panic notice first; acctbook's line comes last
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"acctbook: {path}: cannot read workbook (PanicException: ")


def test_check_reports_excel_error_values(tmp_path):
    data = valid_data()
    data["Clients"][0].update(credit_limit="#DIV/0!", name="#N/A")
    path = write_book(tmp_path / "err.xlsx", data)
    r = run("check", path, "--today", TODAY)
    assert r.returncode == 1
    assert r.stdout.splitlines()[:2] == [
        f"{path}:Clients!B2: Name: the cell shows the Excel error #N/A",
        f"{path}:Clients!O2: Credit limit: the cell shows the Excel error #DIV/0!"]


def test_new_books_accept_dates_from_1900_to_2199(tmp_path):
    from acctbook.book.coerce import DATE_MAX, DATE_MIN
    p = tmp_path / "blank.xlsx"
    assert run("new", p).returncode == 0
    from openpyxl.utils.datetime import from_excel
    wb = openpyxl.load_workbook(p)
    for sheet, header in (("Contacts", "Birthday"), ("Clients", "Created"),
                          ("Products", "Launched"), ("Contracts", "Start")):
        ws = wb[sheet]
        col = next(c.column_letter for c in ws[1] if c.value == header)
        dv = next(v for v in ws.data_validations.dataValidation if str(v.sqref).startswith(col))
        assert dv.type == "date" and from_excel(int(dv.formula1)).date() == DATE_MIN
        if header == "Created":
            assert dv.formula2 == "TODAY()"
        else:
            assert from_excel(int(dv.formula2)).date() == DATE_MAX == dt.date(2199, 12, 31)
