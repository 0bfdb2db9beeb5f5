"""Issue 21: the reader types each table as it reads it (a big one in chunks of its sheet's
rows, read ahead by a thread within a memory budget), and a command reads only the tables
it uses. The book read so is the book read the old way, cell for cell; a contract made
without parsing the Interactions sheet is the contract made from the whole book, and so
are the call queue and a brief made without the tables they do not use."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import docx
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api, jobs
from acctbook.book import schema
from acctbook.book.coerce import load_book
from acctbook.book.model import BookUnreadable
from acctbook.book.rules import check_book
from acctbook.core.brief_table import brief_rows
from acctbook.xlsx import read

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return api.new(tmp_path_factory.mktemp("demo") / "demo.xlsx", demo=True, today=TODAY)


def _same_books(a, b) -> None:
    assert list(a.tables) == list(b.tables) and a.lang == b.lang
    assert a.problems == b.problems and repr(a.settings) == repr(b.settings)
    for name, ta in a.tables.items():
        tb = b.tables[name]
        assert (ta.sheet, ta.header_row, ta.first_col, ta.headers, ta.columns) == \
            (tb.sheet, tb.header_row, tb.first_col, tb.headers, tb.columns), name
        assert (ta.stale_rows, ta.rows_below) == (tb.stale_rows, tb.rows_below), name
        pd.testing.assert_frame_equal(ta.frame, tb.frame, check_exact=True, obj=name)


def _streamed(monkeypatch, path, chunk=5):
    """read_book with every table streamed in chunks of `chunk` rows, read ahead by the
    thread with a budget so small that only one table is held at a time."""
    monkeypatch.setattr(read, "STREAM_ABOVE", 0)
    monkeypatch.setattr(read, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(read, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(read, "READ_AHEAD_CELLS", 1)
    return read.read_book(path)


def _with_trouble(src, dst):
    """The demo with an Excel error value in an Interactions cell, a row typed just below
    the Contacts table, and the Orders table's ref reaching row 1048576."""
    with zipfile.ZipFile(src) as zin:
        names = {n: zin.read(n) for n in zin.namelist()}
        infos = zin.infolist()
    sheets = _sheet_parts(src)
    inter = names[sheets["Interactions"]]
    m = re.search(rb'<c r="(B5)"( s="\d+")?( t="\w+")?>(<v>[^<]*</v>|<is>.*?</is>)</c>',
                  inter)
    names[sheets["Interactions"]] = inter[:m.start()] + (
        b'<c r="%s"%s t="e"><f>NA()</f><v>#N/A</v></c>' % (m[1], m[2] or b"")) + inter[m.end():]
    for n, data in names.items():
        if n.startswith("xl/tables/") and re.search(rb'\bname="Orders"', data):
            names[n] = re.sub(rb'\bref="([A-Z]+\d+):([A-Z]+)\d+"', rb'ref="\1:\g<2>1048576"', data)
    contacts = names[sheets["Contacts"]]
    last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', contacts))
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>K-below</t></is></c></row>' % (
        last + 1, last + 1)
    contacts = contacts.replace(b"</sheetData>", row + b"</sheetData>")
    names[sheets["Contacts"]] = re.sub(rb'(<dimension ref="[A-Z]+\d+:[A-Z]+)\d+',
                                       rb"\g<1>%d" % (last + 1), contacts)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in infos:
            zout.writestr(info, names[info.filename])
    return dst


def _sheet_parts(path) -> dict[str, str]:
    """Table name -> the sheet part holding it."""
    parts = read.opened(path)
    out = {}
    for _, part in parts.sheets:
        for _, ty, target, _ in parts.rels(part):
            if ty.endswith("/table"):
                out[parts.tree(target).getroot().get("name")] = part
    return out


@pytest.mark.parametrize("lang", ["en", "he"])
def test_a_streamed_book_is_the_book_read_whole(demo, tmp_path, monkeypatch, lang):
    path = demo if lang == "en" else api.new(tmp_path / "he.xlsx", lang="he", demo=True,
                                             today=TODAY)
    whole = load_book(read.read_tables(path), str(path))
    _same_books(_streamed(monkeypatch, path), whole)
    _same_books(_streamed(monkeypatch, path, chunk=1000), whole)


def test_error_cells_rows_below_and_a_tall_ref_stream_as_they_read_whole(demo, tmp_path,
                                                                         monkeypatch):
    path = _with_trouble(demo, tmp_path / "trouble.xlsx")
    whole = load_book(read.read_tables(path), str(path))
    streamed = _streamed(monkeypatch, path)
    _same_books(streamed, whole)
    codes = {p.code for p in check_book(streamed, TODAY)}
    assert {"excel-error", "row-below-table"} <= codes        # the trouble is seen
    assert read._tall_tables(read.opened(path)).keys() >= {"orders"}
    assert check_book(streamed, TODAY) == check_book(whole, TODAY)


def test_unused_tables_keep_their_headers_but_are_not_parsed(demo, monkeypatch):
    parsed = []
    real = read._Todo.read

    def counting(todo, *a):
        if todo.parse:
            parsed.append(todo.canon)
        return real(todo, *a)
    monkeypatch.setattr(read._Todo, "read", counting)
    some = read.read_book(demo, tables=jobs.CONTRACT_TABLES)
    assert "Interactions" not in parsed and set(parsed) == set(jobs.CONTRACT_TABLES)
    whole = read.read_book(demo)
    assert some.unread == {"Interactions", "Complaints", "Competitors", "Events", "Campaigns",
                           "Attendance", "BonusPayments"}
    for name, t in some.tables.items():
        full = whole.tables[name]
        assert (t.sheet, t.headers, t.columns) == (full.sheet, full.headers, full.columns)
        if name in some.unread:
            assert t.frame.empty and list(t.frame.columns) == list(full.frame.columns)
        else:
            pd.testing.assert_frame_equal(t.frame, full.frame, check_exact=True)
    # a reference into a table left unread is not reported as unknown
    assert not [p for p in check_book(some, TODAY) if p.code == "ref"
                and p.sheet == some.tables["Deals"].sheet and p.column == "Lost to"]


def _garble(src, dst, table: str):
    """A copy of `src` whose sheet holding `table` is not XML any more."""
    part = _sheet_parts(src)[table]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, b"<worksheet><sheetData><row r=" * 1000
                          if info.filename == part else data)
    return dst


def _document_text(path) -> list[str]:
    d = docx.Document(str(path))
    return [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows
                                             for c in r.cells]


def _last_contract(path) -> dict:
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name("Contracts")
    return dict(zip(t.columns, t.to_python()[-1]))


def test_a_contract_never_parses_the_interactions_sheet(demo, tmp_path, monkeypatch):
    deal, tables = api.demo_deal(api.load(demo), "en"), jobs.CONTRACT_TABLES
    garbled = _garble(demo, tmp_path / "garbled.xlsx", "Interactions")
    with pytest.raises(BookUnreadable):
        api.check(garbled, today=TODAY)             # the sheet cannot be read ...
    made = jobs.contract(garbled, deal, TODAY, out_dir=tmp_path / "garbled")   # ... nor needs be
    whole = tmp_path / "whole.xlsx"
    shutil.copy(demo, whole)
    monkeypatch.setattr(jobs, "CONTRACT_TABLES", None)         # the old way: every table
    full = jobs.contract(whole, deal, TODAY, out_dir=tmp_path / "whole")
    assert made.contract_id == full.contract_id
    assert _document_text(made.docx) == _document_text(full.docx)
    a, b = _last_contract(garbled), _last_contract(whole)
    assert (a.pop("File"), b.pop("File")) == (f"garbled/{made.docx.name}",
                                              f"whole/{full.docx.name}")
    assert a == b and a["Contract ID"] == made.contract_id
    with zipfile.ZipFile(garbled) as z:                        # copied as it was
        assert z.read(_sheet_parts(demo)["Interactions"]).startswith(b"<worksheet><sheetData>")
    assert schema.CONTRACTS.name in read.read_book(garbled, tables=tables).tables


def test_calls_and_a_brief_never_parse_the_tables_they_do_not_use(demo, tmp_path):
    """The Competitors sheet garbled: check cannot read the book, yet `calls` gives the
    queue refresh gives on the whole book, and a brief is the brief of the whole book."""
    garbled = _garble(demo, tmp_path / "garbled.xlsx", "Competitors")
    with pytest.raises(BookUnreadable):
        api.check(garbled, today=TODAY)
    whole = api.refresh(demo, today=TODAY, dry_run=True)
    queue = api.calls(garbled, today=TODAY)
    assert len(queue) > 10
    pd.testing.assert_frame_equal(queue, whole.results.queue, check_exact=True)
    got = api.calls_result(garbled, today=TODAY)
    assert got.book.unread == {"DealItems", "Products", "Competitors", "Campaigns",
                               "BonusPayments"} and not got.errors
    # a brief reads Competitors (competitors in play), not Campaigns nor Bonus payments
    client = whole.results.queue["client_id"].iloc[0]
    for table in ("Campaigns", "BonusPayments"):
        other = _garble(demo, tmp_path / f"{table}.xlsx", table)
        with pytest.raises(BookUnreadable):
            api.check(other, today=TODAY)
        made = brief_rows(api.brief(other, client, today=TODAY, write=False).brief)
        assert len(made[1]) > 10
        assert made == brief_rows(api.brief(demo, client, today=TODAY, write=False).brief)


def test_a_table_handed_over_as_columns_leaves_the_budget_to_the_next_sheet():
    """A result whose parse is over and freed (a table as columns: `light`) no longer counts
    against the budget, so the next big sheet is parsed while it is typed; any other result
    counts until the caller asks for the next."""
    import threading
    from acctbook.xlsx.readahead import ReadAhead
    started = threading.Event()
    jobs = [("a", 10, lambda: "A"), ("b", 10, lambda: started.set() or "B")]
    for light, parsed_meanwhile in ((None, False), (lambda r: r == "A", True)):
        started.clear()
        results = ReadAhead(jobs, budget=10, workers=1, light=light).results()
        assert next(results) == ("a", "A")           # "A" being typed ...
        # ... while "b" is parsed (seen within 10 s), or not (not within 0.5 s)
        assert started.wait(10 if parsed_meanwhile else 0.5) is parsed_meanwhile
        assert list(results) == [("b", "B")]
