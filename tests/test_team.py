"""`acctbook team` (docs/team.md): a head of sales' roll-up over many managers' books, and the
engine it shares with `batch` (--jobs, --scheduler).

A folder of books made with acctbook.create.workbook from the demo data (three managers,
different seeds, every client renamed per book): anna.xlsx (English, refreshed once, so
its History has the last refresh), dan.xlsx (Hebrew), maya.xlsx (English, Settings Currency
USD, no Manager name, two planted errors), notes.xlsx (text: unreadable); anna and dan share
a client by company number, anna and maya one by name, and anna and dan have two different
companies of one name. The team workbook is read back with python-calamine (every figure) and
openpyxl (sheets, direction); each figure is compared with a sum this test makes from the
sheets of a refreshed COPY of each book, read back with python-calamine."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, cli, parallel
from acctbook.book import schema
from acctbook.book.identity import il_number_complete
from acctbook.book.team_schema import (CONFLICTS, MANAGERS, PIPELINE_BY_MONTH,
                                       PIPELINE_BY_STAGE, TEAM_TABLES, TOP_OVERDUE, UNREAD)
from acctbook.core.workdays import Calendar, years_around
from acctbook.create.demo import demo_data
from acctbook.create.team_book import tables_markdown
from acctbook.create.workbook import create_workbook

TODAY = dt.date(2026, 11, 26)
MTIME = dt.datetime(2026, 11, 20, 9, 30, 0)
BOOKS = ("anna.xlsx", "dan.xlsx", "maya.xlsx")


def sha(p: Path) -> str:
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


# --- the books --------------------------------------------------------------------------------
def _renamed(data: dict, k: int, prefix: str) -> None:
    """Every client of book k its own name and company number: no accidental conflict."""
    for i, c in enumerate(data["Clients"], 1):
        c["name"] = f"{prefix} {c['name']}"
        c["legal_name"] = f"{prefix} {c['legal_name']}" if c.get("legal_name") else None
        il = (c.get("country") or "IL") == "IL"
        c["company_number"] = il_number_complete(f"5{k}{i:06d}") if il else f"X{k}-{i:05d}"


def _book(path: Path, lang: str, seed: int, k: int, prefix: str, manager: str | None,
          plant=None) -> Path:
    data, settings = demo_data(TODAY, seed=seed, lang=lang)
    _renamed(data, k, prefix)
    settings["manager_name"] = manager
    if plant:
        plant(data, settings)
    return create_workbook(path, lang=lang, data=data, settings=settings, lite=False)


def _client(data, cid):
    return next(c for c in data["Clients"] if c["client_id"] == cid)


SHARED = {}          # what the plants share: anna's clients that the others also hold


def _anna(data, settings):
    SHARED["number"] = _client(data, "C-010")["company_number"]
    SHARED["name"] = _client(data, "C-012")["name"]
    _client(data, "C-020")["name"] = "Same Name Trading Ltd"         # a number of its own
    next(d for d in data["Deals"] if d["stage"] == "Proposal")["expected_close"] = None


def _dan(data, settings):
    _client(data, "C-010")["company_number"] = SHARED["number"]      # the same company
    _client(data, "C-020")["name"] = "same name trading"             # another company


def _maya(data, settings):
    settings["currency"] = "USD"
    c = _client(data, "C-012")
    c["name"], c["company_number"] = SHARED["name"].upper() + " Ltd.", None   # the same, by name
    data["Clients"][2]["status"] = "Sleeping"                        # an error: row skipped
    open_deal = next(d for d in data["Deals"] if d["stage"] == "Negotiation")
    open_deal["probability"] = 150                                   # an error: deal skipped


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("team") / "books"
    folder.mkdir()
    anna = _book(folder / "anna.xlsx", "en", 11, 1, "Anna", "Anna Cohen", _anna)
    api.refresh(anna, today=TODAY)                 # its History: refreshed on TODAY
    _book(folder / "dan.xlsx", "he", 12, 2, "דן", "Dan Levi", _dan)
    _book(folder / "maya.xlsx", "en", 13, 3, "Maya", None, _maya)
    (folder / "notes.xlsx").write_text("meeting notes, not a workbook\n", encoding="utf-8")
    t = MTIME.timestamp()
    for name in ("dan.xlsx", "maya.xlsx"):
        os.utime(folder / name, (t, t))
    return folder


@pytest.fixture(scope="module")
def team_run(books, tmp_path_factory) -> dict:
    """`acctbook team books/ --jobs 1 --html`, the books' bytes before and after."""
    before = {p.name: sha(p) for p in books.iterdir()}
    out = tmp_path_factory.mktemp("out") / "team.xlsx"
    code = cli.main(["-q", "team", str(books), "--out", str(out), "--html", "--jobs", "1",
                     "--today", TODAY.isoformat(), "--lang", "en"])
    return {"code": code, "out": out, "before": before,
            "after": {p.name: sha(p) for p in books.iterdir()}}


# --- reading back -----------------------------------------------------------------------------
def table(path: Path, spec) -> list[dict]:
    """A table read back by name with python-calamine: a dict per row in schema keys (headers
    in either language), `_row` its Excel row."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(spec.name)
    keys = schema.header_index(spec)
    first = t.start[0] + 1             # the first data row, 0-based
    return [{"_row": first + i, **{keys.get(schema.fold(h), h): v
                                   for h, v in zip(t.columns, r)}}
            for i, r in enumerate(t.to_python()) if any(v not in (None, "") for v in r)]


def canon(value, values=schema.STAGES + schema.CLIENT_STATUS + schema.FOLLOW_UP_STATUS
          + schema.SLA_STATUS + schema.CASE_STATUS + schema.ORDER_STATUS):
    """A choice as a Hebrew or English book shows it, in English."""
    if not isinstance(value, str):
        return value
    return schema.choice_index(values).get(schema.fold(value), value)


def day(v):
    return v.date() if isinstance(v, dt.datetime) else v


def cents(v) -> int:
    return round((v or 0) * 100)


def team_table(path: Path, spec) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "_row"} for r in table(path, spec)]


@pytest.fixture(scope="module")
def refreshed(books, tmp_path_factory) -> dict[str, dict]:
    """Each readable book refreshed in a copy, its tables read back: what the test sums."""
    out = {}
    for name in BOOKS:
        copy = tmp_path_factory.mktemp("copy") / name
        shutil.copy(books / name, copy)
        api.refresh(copy, today=TODAY)
        out[name] = {spec.name: table(copy, spec) for spec in (
            schema.CLIENTS, schema.DEALS, schema.ORDERS, schema.COMPLAINTS,
            schema.INTERACTIONS, schema.SETTINGS, schema.CADENCE, schema.PROBLEMS,
            schema.EXCHANGE_RATES, schema.TARGETS)}
        out[name]["settings"] = api.load(copy).settings        # the calendar's days off
        out[name]["lang"] = "he" if name == "dan.xlsx" else "en"
    return out


# --- the test's own sums ----------------------------------------------------------------------
def skipped(book: dict) -> dict[str, set[int]]:
    """Sheet -> Excel rows with an error (the Problems sheet): refresh leaves them out."""
    out: dict[str, set[int]] = {}
    for p in book["Problems"]:
        if p["severity"] in ("error", "שגיאה"):
            out.setdefault(p["sheet"], set()).add(int("".join(ch for ch in p["cell"]
                                                              if ch.isdigit())))
    return out


def kept(book: dict, spec) -> list[dict]:
    rows = skipped(book).get(spec.sheet(book["lang"]), set())
    return [r for r in book[spec.name] if r["_row"] not in rows]


def clients_of(book: dict) -> dict[str, dict]:
    """Client ID -> its first Clients row that refresh computed."""
    out = {}
    for r in kept(book, schema.CLIENTS):
        out.setdefault(r["client_id"], r)
    return out


def setting(book: dict, key: str):
    label = {schema.fold(s.en): s.key for s in schema.SETTING_ROWS} | {
        schema.fold(s.he): s.key for s in schema.SETTING_ROWS}
    return next((r["value"] for r in book["Settings"]
                 if label.get(schema.fold(r["setting"])) == key), None)


def open_deals(book: dict) -> list[dict]:
    ids = clients_of(book)
    return [d for d in kept(book, schema.DEALS) if d["client_id"] in ids
            and canon(d["stage"]) in schema.OPEN_STAGES]


def amount_in_book_currency(book: dict, deal: dict) -> float:
    code = str(deal.get("currency") or "").strip().upper()
    own = str(setting(book, "currency") or "ILS").upper()
    rate = 1.0 if code in ("", own) else next(r["rate"] for r in book["ExchangeRates"]
                                              if r["currency"].upper() == code)
    return round(deal["amount"] * rate, 2) if deal["amount"] not in (None, "") else 0.0


def prior_revenue_cents(book: dict) -> int:
    """Each client's order lines (not Cancelled) dated after today − 730 up to today − 365."""
    ids, per = clients_of(book), {}
    lo, hi = TODAY - dt.timedelta(days=730), TODAY - dt.timedelta(days=365)
    for o in kept(book, schema.ORDERS):
        when = day(o["order_date"])
        if o["client_id"] not in ids or canon(o["status"]) == "Cancelled" or not lo < when <= hi:
            continue
        value = o["amount"] if o["amount"] not in (None, "") else (
            o["quantity"] * o["unit_price"] * (1 - (o["discount"] or 0) / 100))
        per[o["client_id"]] = per.get(o["client_id"], 0.0) + value
    return sum(round(v * 100) for v in per.values())


def past_cadence(book: dict) -> int:
    """Class A clients, not Lost, whose last answered interaction (else Created) plus their
    Cadence days, rolled to a working day, is before today."""
    days = dict(schema.DEFAULT_CADENCE) | {canon(r["class"], ("A", "B", "C", "Prospect",
                                                              "Dormant")): int(r["days"])
                                           for r in book["Cadence"]}
    last = {}
    for i in book["Interactions"]:
        if canon(i["outcome"], schema.OUTCOMES) != "No answer":
            last[i["client_id"]] = max(last.get(i["client_id"], dt.date.min), day(i["date"]))
    cal = Calendar.from_settings(book["settings"], years_around(TODAY, [dt.date(2019, 1, 1)]))
    n = 0
    for cid, c in clients_of(book).items():
        status = canon(c["status"])
        if c["class"] != "A" or status == "Lost":
            continue
        key = status if status in ("Prospect", "Dormant") else "A"
        base = last.get(cid) or day(c["created"])
        n += cal.roll_forward(base + dt.timedelta(days=days[key])) < TODAY
    return n


def expected_manager(name: str, book: dict) -> dict:
    ids = clients_of(book)
    counted = [c for c in ids.values() if canon(c["status"]) in ("Active", "Prospect")]
    revenue = sum(cents(c["revenue_12m"]) for c in ids.values())
    prior = prior_revenue_cents(book)
    deals = [d for d in kept(book, schema.DEALS) if d["client_id"] in ids]
    month = [canon(d["stage"]) for d in deals if canon(d["stage"]) in ("Won", "Lost")
             and TODAY.replace(day=1) <= day(d["stage_since"] or d["created"]) <= TODAY]
    won, lost = month.count("Won"), month.count("Lost")
    status = {cid: canon(c["follow_up_status"]) for cid, c in ids.items()}
    complaints = kept(book, schema.COMPLAINTS)
    resolved = [canon(c["sla_status"]) for c in complaints if c["resolved_on"]
                and TODAY - dt.timedelta(days=365) < day(c["resolved_on"]) <= TODAY
                and canon(c["sla_status"]) in ("Met", "Missed")]
    return {
        "manager": setting(book, "manager_name") or name.rsplit(".", 1)[0], "book": name,
        "clients": len(counted), "key_accounts": sum(c["class"] == "A" for c in counted),
        "revenue_12m": revenue / 100,
        "growth": revenue / prior - 1 if prior else None,
        "weighted_pipeline": sum(cents(d["weighted_amount"]) for d in open_deals(book)) / 100,
        "won_month": won, "lost_month": lost,
        "win_rate": won / (won + lost) if won + lost else None,
        "overdue": list(status.values()).count("Overdue"),
        "due_today": list(status.values()).count("Today"),
        "a_past_cadence": past_cadence(book),
        "open_complaints": sum(canon(c["status"]) != "Resolved" and c["client_id"] in ids
                               for c in complaints),
        "sla_met": resolved.count("Met") / len(resolved) if resolved else None,
        "errors": sum(p["severity"] in ("error", "שגיאה") for p in book["Problems"]),
        "last_refresh": dt.datetime.combine(TODAY, dt.time()) if name == "anna.xlsx" else MTIME,
        "currency": str(setting(book, "currency") or "ILS").upper(),
    }


def same(got, want) -> bool:
    if isinstance(want, dt.datetime) and type(got) is dt.date:       # calamine: a midnight
        got = dt.datetime.combine(got, dt.time())
    if isinstance(want, float) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(want, int) and isinstance(got, float):
        return got == want
    return got == want


# --- the tests --------------------------------------------------------------------------------
def test_every_managers_figure_is_the_sum_of_its_books_sheets(team_run, refreshed):
    assert team_run["code"] == 2                  # notes.xlsx could not be read
    rows = team_table(team_run["out"], MANAGERS)
    assert [r["book"] for r in rows] == list(BOOKS)
    for row, name in zip(rows, BOOKS):
        want = expected_manager(name, refreshed[name])
        assert list(row) == [c.key for c in MANAGERS.columns]
        wrong = {k: (row[k], v) for k, v in want.items() if not same(row[k], v)}
        assert wrong == {}, name
    maya = rows[2]
    assert maya["manager"] == "maya" and maya["errors"] == 2 and maya["currency"] == "USD"
    assert rows[0]["a_past_cadence"] + rows[1]["a_past_cadence"] > 0   # the demo has some
    assert all(r["won_month"] + r["lost_month"] > 0 for r in rows)


def test_the_pipeline_tables_add_up_the_books_open_deals(team_run, refreshed):
    for spec, key in ((PIPELINE_BY_STAGE, "stage"), (PIPELINE_BY_MONTH, "month")):
        want: dict[tuple, list] = {}
        for name in BOOKS:
            book = refreshed[name]
            cur = str(setting(book, "currency") or "ILS").upper()
            for d in open_deals(book):
                k = canon(d["stage"]) if key == "stage" else (
                    day(d["expected_close"]).strftime("%Y-%m") if d["expected_close"]
                    else "(none)")
                acc = want.setdefault((cur, k), [0, 0, 0])
                acc[0] += 1
                acc[1] += cents(amount_in_book_currency(book, d))
                acc[2] += cents(d["weighted_amount"])
        got = {(r["currency"], canon(r[key])): [int(r["deals"]), cents(r["amount"]),
                                                cents(r["weighted"])]
               for r in team_table(team_run["out"], spec)}
        assert {k: v for k, v in got.items() if v[0]} == want, spec.name
    stages = team_table(team_run["out"], PIPELINE_BY_STAGE)
    assert [(r["currency"], r["stage"]) for r in stages] == [
        (c, s) for c in ("ILS", "USD") for s in schema.OPEN_STAGES]
    assert team_table(team_run["out"], PIPELINE_BY_MONTH)[
        len([r for r in team_table(team_run["out"], PIPELINE_BY_MONTH)
             if r["currency"] == "ILS"]) - 1]["month"] == "(none)"   # blank: last


def test_conflicts_are_the_planted_shared_clients_with_both_rows(team_run, refreshed):
    rows = team_table(team_run["out"], CONFLICTS)
    got = [(r["conflict"], r["matched_on"], r["book"], r["client_id"], r["row"]) for r in rows]
    assert got == [(1, "Company number", "anna.xlsx", "C-010", 11),
                   (1, "Company number", "dan.xlsx", "C-010", 11),
                   (2, "Name", "anna.xlsx", "C-012", 13),
                   (2, "Name", "maya.xlsx", "C-012", 13)]
    for r in rows:           # each row as its book's Clients row shows it, refreshed
        c = clients_of(refreshed[r["book"]])[r["client_id"]]
        assert (r["name"], r["company_number"] or None, r["status"], r["class"],
                r["revenue_12m"], day(r["last_contact"])) == (
            c["name"], c["company_number"] or None, canon(c["status"]), c["class"],
            c["revenue_12m"], day(c["last_contact"]))


def test_top_overdue_is_each_managers_five_most_overdue_key_accounts(team_run, refreshed):
    rows = team_table(team_run["out"], TOP_OVERDUE)
    for name in BOOKS:
        book = refreshed[name]
        late = sorted(((TODAY - day(c["next_follow_up"])).days, c["revenue_12m"] or 0, cid)
                      for cid, c in clients_of(book).items()
                      if c["class"] == "A" and canon(c["follow_up_status"]) == "Overdue")
        late.sort(key=lambda x: (-x[0], -x[1], x[2]))
        mine = [r for r in rows if r["book"] == name]
        assert [(int(r["position"]), r["client_id"], int(r["days_overdue"])) for r in mine] \
            == [(i, cid, n) for i, (n, _rev, cid) in enumerate(late[:5], 1)]
        for r in mine:
            c = clients_of(book)[r["client_id"]]
            assert (r["follow_up_reason"], day(r["next_follow_up"]), r["revenue_12m"]) == (
                c["follow_up_reason"], day(c["next_follow_up"]), c["revenue_12m"])


def test_the_unreadable_book_is_listed_with_why_and_the_books_are_untouched(team_run, books):
    rows = team_table(team_run["out"], UNREAD)
    assert [Path(r["book"]).name for r in rows] == ["notes.xlsx"]
    assert "not an Excel workbook" in rows[0]["why"]
    assert team_run["before"] == team_run["after"]           # read only, byte for byte
    html = team_run["out"].with_suffix(".html").read_text(encoding="utf-8")
    assert 'dir="ltr"' in html and "Anna Cohen" in html and "notes.xlsx" in html


def test_the_team_workbook_has_its_tables_and_the_currency_note(team_run):
    wb = openpyxl.load_workbook(team_run["out"])
    assert wb.sheetnames == [t.sheet("en") for t in TEAM_TABLES]
    for spec in TEAM_TABLES:
        assert list(wb[spec.sheet("en")].tables) == [spec.name]
    note = [c.value for row in wb["Managers"].iter_rows() for c in row
            if isinstance(c.value, str) and "different currencies" in c.value]
    assert note and "ILS, USD" in note[0]


def test_two_processes_give_the_same_workbook_and_json_the_same_content(team_run, books,
                                                                        tmp_path, capsys):
    out = tmp_path / "two.xlsx"
    assert cli.main(["-q", "team", str(books), "--out", str(out), "--jobs", "2",
                     "--today", TODAY.isoformat(), "--lang", "en"]) == 2
    assert out.read_bytes() == team_run["out"].read_bytes()
    capsys.readouterr()
    assert cli.main(["team", str(books), "--json", "--jobs", "2", "--lang", "en",
                     "--today", TODAY.isoformat()]) == 2
    data = json.loads(capsys.readouterr().out)
    managers = team_table(team_run["out"], MANAGERS)

    def kept(v):      # a fraction as the workbook keeps it (XlsxWriter: 16 digits, Excel 15)
        return float(f"{v:.15g}") if isinstance(v, float) else v
    assert [{k: kept(v) for k, v in r.items() if k != "last_refresh"}
            for r in data["Managers"]] \
        == [{k: kept(int(v) if isinstance(v, float) and v.is_integer() and k not in (
            "revenue_12m", "weighted_pipeline", "growth", "win_rate", "sla_met",
            "revenue_target", "attainment", "forecast") else v)
             for k, v in r.items() if k != "last_refresh"} for r in managers]
    assert [r["book"] for r in data["Unread"]] == [str(books / "notes.xlsx")]
    assert {t["currency"] for t in data["totals"]} == {"ILS", "USD"}


def test_a_hebrew_team_book_speaks_hebrew_right_to_left(books, tmp_path):
    out = tmp_path / "team.he.xlsx"
    assert cli.main(["-q", "team", str(books / "anna.xlsx"), str(books / "dan.xlsx"),
                     "--out", str(out), "--lang", "he", "--html", "--jobs", "1",
                     "--today", TODAY.isoformat()]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [t.sheet("he") for t in TEAM_TABLES]
    ws = wb[MANAGERS.sheet("he")]
    assert ws.sheet_view.rightToLeft
    assert [c.value for c in ws[1]] == [c.label("he") for c in MANAGERS.columns]
    stages = [r["stage"] for r in team_table(out, PIPELINE_BY_STAGE)]
    assert stages == [schema.show_choice(s, "he") for s in schema.OPEN_STAGES]
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "סיכום צוות" in html


def test_the_team_workbook_never_replaces_a_book(books, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "books"
    shutil.copytree(books, folder)
    before = sha(folder / "anna.xlsx")
    assert cli.main(["team", str(folder / "anna.xlsx"), str(folder / "dan.xlsx"), "--out",
                     str(folder / "anna.xlsx"), "--today", TODAY.isoformat(),
                     "--lang", "en"]) == 1
    assert "one of the books to read" in capsys.readouterr().err
    assert sha(folder / "anna.xlsx") == before
    monkeypatch.chdir(folder)                     # default: team.xlsx here, not read as a book
    for _ in range(2):
        assert cli.main(["-q", "team", ".", "--jobs", "1", "--lang", "en",
                         "--today", TODAY.isoformat()]) == 2
    assert [r["book"] for r in team_table(folder / "team.xlsx", MANAGERS)] == list(BOOKS)


def test_batch_runs_on_two_processes_and_says_each_books_state(books, tmp_path, capsys):
    folder = tmp_path / "books"
    shutil.copytree(books, folder)
    capsys.readouterr()
    assert cli.main(["batch", str(folder), "--jobs", "2", "--json", "--lang", "en",
                     "--today", TODAY.isoformat()]) == 2
    data = json.loads(capsys.readouterr().out)
    assert [(Path(d["book"]).name, d["state"]) for d in data] == [
        ("anna.xlsx", "refreshed"), ("dan.xlsx", "refreshed"),
        ("maya.xlsx", "refreshed with errors"), ("notes.xlsx", "unreadable")]
    assert data[2]["errors"] == 2 and data[3]["exit_code"] == 2 and data[0]["calls"] > 0
    for name in BOOKS:                           # written by the workers
        assert openpyxl.load_workbook(folder / name, read_only=True)[
            schema.generated_sheet("Today", "he" if name == "dan.xlsx" else "en")]["B2"].value
    capsys.readouterr()
    assert cli.main(["batch", str(folder / "dan.xlsx"), str(folder / "maya.xlsx"),
                     "--jobs", "2", "--lang", "en", "--today", TODAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "dan.xlsx: רוענן" in out and "maya.xlsx: refreshed with 2 errors" in out


# --- a Dask cluster: two worker processes on this machine ---------------------------------------
@pytest.fixture(scope="session")
def dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    yield cluster.scheduler_address
    cluster.close()


def test_on_a_dask_cluster_the_team_workbook_is_the_same(team_run, books, dask_cluster,
                                                         tmp_path):
    out = tmp_path / "dask.xlsx"
    assert cli.main(["-q", "team", str(books), "--out", str(out), "--html",
                     "--scheduler", dask_cluster, "--today", TODAY.isoformat(),
                     "--lang", "en"]) == 2
    assert out.read_bytes() == team_run["out"].read_bytes()
    assert out.with_suffix(".html").read_bytes() == \
        team_run["out"].with_suffix(".html").read_bytes()


def test_without_a_scheduler_answering_one_clear_line(books, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "2s")
    assert cli.main(["team", str(books / "anna.xlsx"), "--out", str(tmp_path / "t.xlsx"),
                     "--scheduler", "tcp://127.0.0.1:9", "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err[0]


def test_without_dask_installed_one_clear_line(books, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)      # import fails
    assert cli.main(["batch", str(books / "anna.xlsx"), "--scheduler", "tcp://127.0.0.1:9",
                     "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ['acctbook: --scheduler needs Dask: pip install "acctbook[dask]"']


def test_docs_list_the_team_workbooks_tables_as_the_schema_has_them():
    text = (Path(__file__).resolve().parents[1] / "docs" / "team.md").read_text(encoding="utf-8")
    assert tables_markdown() in text


def month_revenue_cents(book: dict) -> int:
    """This month's order lines (not Cancelled, not left out for errors), to today."""
    total = 0.0
    for o in kept(book, schema.ORDERS):
        when = day(o["order_date"])
        if canon(o["status"]) != "Cancelled" and TODAY.replace(day=1) <= when <= TODAY:
            total += o["amount"] if o["amount"] not in (None, "") else (
                o["quantity"] * o["unit_price"] * (1 - (o["discount"] or 0) / 100))
    return round(total * 100)


def test_this_months_target_attainment_and_forecast(team_run, refreshed):
    """Targets (docs/rules.md, section 17) per manager: the book's Targets row for this month,
    revenue to date over it, and a forecast no smaller than that revenue."""
    rows = team_table(team_run["out"], MANAGERS)
    month = TODAY.strftime("%Y-%m")
    checked = 0
    for row, name in zip(rows, BOOKS):
        book = refreshed[name]
        target = next((t["revenue_target"] for t in book["Targets"]
                       if str(t["period"]).startswith(month) or t["period"] == month), None)
        assert same(row["revenue_target"], target) or (target in (None, "") and
                                                        row["revenue_target"] in (None, ""))
        if target:
            revenue = month_revenue_cents(book)
            assert same(row["attainment"], round(revenue / round(target * 100), 6)), name
            assert row["forecast"] >= revenue / 100 - 0.005
            checked += 1
    assert checked >= 1                         # the demo books have this month's target
