"""Issue 21: check and refresh run the rules while the reader still parses a big book's
last sheets (rules.EarlyRules), each rule once every table it reads is in. The problems a
user reads are the ones the rules find on the whole book: the same, in the same order,
whether a rule ran early or after the read."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import schema
from acctbook.book.coerce import book_from_rows
from acctbook.book.model import NotLoaded, TablesSoFar
from acctbook.book.rules import RULES, EarlyRules, check_book, rule_email, rule_orders
from acctbook.create.demo import demo_data
from acctbook.create.workbook import create_workbook
from acctbook.xlsx import read
from acctbook.xlsx.readahead import ReadAhead

TODAY = dt.date(2026, 11, 26)
ALL = [t.name for t in schema.SETTINGS_TABLES + schema.DATA_TABLES]


def _messy(path, lang: str):
    """The demo with problems of many kinds, in the tables read first and in the last ones,
    and references typed in another case (matched to their client while reading)."""
    data, settings = demo_data(TODAY)
    clients, contacts = data["Clients"], data["Contacts"]
    clients[0]["email"] = "not-an-email"
    clients[1]["phone"] = "0501"
    clients[2]["client_id"] = clients[3]["client_id"]              # a duplicate ID
    clients[4]["company_number"] = "123456789"                     # a bad check digit
    contacts[0]["email"] = "a@b"
    contacts[1]["client_id"] = contacts[1]["client_id"].lower()   # matched: no problem
    inter = data["Interactions"]
    inter[0]["client_id"] = "C-NOPE"
    inter[1]["client_id"] = inter[1]["client_id"].lower()
    other = next(c["contact_id"] for c in contacts if c["client_id"] != inter[2]["client_id"])
    inter[2]["contact_id"] = other                                 # another client's contact
    orders = data["Orders"]
    orders[0]["client_id"] = "C-NONE"
    orders[1]["quantity"] = -3
    data["Deals"][0]["client_id"] = data["Deals"][0]["client_id"].lower()
    return create_workbook(path, lang, data, settings)


def read_while_parsing(monkeypatch, path, early=None, slow_last: str | None = None):
    """read_book by the reading threads; `slow_last`: that table's sheet is parsed last and
    slowly, as a big book's last sheet is, so the rules (and compute's pieces) get their time."""
    monkeypatch.setattr(read, "PARALLEL_ABOVE", 0)
    if slow_last:
        real = read._Todo.read
        gate = threading.Event()

        def reading(self, *a, **k):
            if self.canon == slow_last:
                gate.wait(5)
            return real(self, *a, **k)
        monkeypatch.setattr(read._Todo, "read", reading)
        if early is not None:
            work = early.work

            def working():
                busy = work()
                if not busy and early.loading and early.loading.book() is not None \
                        and early.loading.book().tables.missing == [slow_last]:
                    gate.set()          # all else is in, and every rule that could has run
                return busy
            monkeypatch.setattr(early, "work", working)
        else:
            gate.set()
    return read.read_book(path, meanwhile=early)


@pytest.mark.parametrize("lang", ["en", "he"])
def test_rules_run_while_reading_find_what_they_find_after(tmp_path, monkeypatch, lang):
    path = _messy(tmp_path / f"messy.{lang}.xlsx", lang)
    early = EarlyRules(TODAY)
    book = read_while_parsing(monkeypatch, path, early, slow_last="Orders")
    # the rules on Clients, Contacts, Interactions ran while Orders was parsed; those
    # reading Orders could not
    assert rule_email in early.done and rule_orders not in early.done
    assert early.waiting[rule_orders] == "Orders"
    after = check_book(read_while_parsing(monkeypatch, path), TODAY)
    assert check_book(book, TODAY, early) == after
    found = {(p.sheet, p.code) for p in after}
    sheet = {t.name: t.sheet(lang) for t in schema.DATA_TABLES}
    assert {(sheet["Clients"], "email"), (sheet["Clients"], "unique"),
            (sheet["Contacts"], "email"), (sheet["Interactions"], "ref"),
            (sheet["Interactions"], "contact-client"), (sheet["Orders"], "ref")} <= found
    # a reference typed in another case is its client's, early as after
    frame = book.tables["Interactions"].frame
    assert frame["client_id"].iloc[1] == frame["client_id"].iloc[1].upper()


def test_the_check_command_says_what_the_rules_find_on_the_whole_book(tmp_path,
                                                                       monkeypatch):
    """`acctbook check` with the reading threads (as on a big book) against the rules run
    on the book once read; the sheet and cell of each problem read back with calamine."""
    path = _messy(tmp_path / "messy.xlsx", "en")
    monkeypatch.setattr(read, "PARALLEL_ABOVE", 0)
    got = api.check(path, today=TODAY)
    want = check_book(read.read_book(path), TODAY)
    assert [(p.sheet, p.cell, p.code, p.message) for p in got.problems] == \
        [(p.sheet, p.cell, p.code, p.message) for p in want]
    clients = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Clients").to_python()
    email = next(p for p in got.problems if p.code == "email" and p.sheet == "Clients")
    col = ord(email.cell[0]) - 65
    assert clients[int(email.cell[1:]) - 1][col] == "not-an-email"


def test_a_table_still_to_come_cannot_be_read_even_by_looking_at_all_of_them():
    book = book_from_rows({})
    so_far = TablesSoFar({n: book.tables[n] for n in ALL if n != "Orders"}, ALL)
    assert so_far["Clients"] is book.tables["Clients"]
    for look in (lambda: so_far["Orders"], lambda: "Orders" in so_far,
                 lambda: so_far.get("Orders"), lambda: list(so_far), lambda: len(so_far),
                 lambda: dict(so_far.items())):
        with pytest.raises(NotLoaded) as e:
            look()
        assert e.value.name == "Orders"
    assert "Nope" not in so_far              # a table no book has: simply not there


class _Loading:
    """What load_stream offers EarlyRules: the book as loaded so far."""

    def __init__(self, book, names):
        self.whole, self.names = book, set(names)

    def book(self):
        tables = {n: t for n, t in self.whole.tables.items() if n in self.names}
        return type(self.whole)(TablesSoFar(tables, ALL), self.whole.settings, self.whole.lang)


def test_a_rule_waits_for_the_table_it_asked_for_then_runs_once():
    data, settings = demo_data(TODAY)
    data["Orders"][0]["client_id"] = "C-NONE"
    data["Clients"][0]["email"] = "nope"
    book = book_from_rows(data, settings)
    early = EarlyRules(TODAY)
    loading = _Loading(book, [n for n in ALL if n != "Orders"])
    early.offer(loading)
    ran = 0
    while early.work():
        ran += 1
    assert rule_email in early.done and rule_orders not in early.done
    assert early.waiting[rule_orders] == "Orders"
    tried = ran
    assert not early.work() and ran == tried          # nothing new: nothing is tried again
    loading.names.add("Orders")
    while early.work():
        pass
    assert set(early.done) == set(RULES) and not early.waiting
    assert check_book(book, TODAY, early) == check_book(book, TODAY)
    assert any(p.code == "ref" and p.sheet == "Orders" for p in check_book(book, TODAY, early))


def test_a_rule_that_fails_while_reading_is_run_again_after(monkeypatch):
    """An error in a rule is the check's to raise, as it always was, not the reader's."""
    book = book_from_rows({})

    def broken(book, today):
        raise ValueError("a bug")
    monkeypatch.setattr("acctbook.book.rules.RULES", [broken])
    early = EarlyRules(TODAY)
    early.offer(_Loading(book, ALL))
    assert early.work() and not early.work()
    assert broken not in early.done
    with pytest.raises(ValueError, match="a bug"):
        check_book(book, TODAY, early)


def test_the_reader_gives_its_waits_to_other_work_a_piece_at_a_time():
    release = threading.Event()
    pieces = []

    def idle():
        pieces.append(len(pieces))
        if len(pieces) == 3:
            release.set()            # the slow job may finish once three pieces are done
        return len(pieces) < 5

    jobs = [("a", 1, lambda: "A"), ("b", 1, lambda: release.wait(5) and "B")]
    got = list(ReadAhead(jobs, budget=10, workers=1).results(idle))
    assert got == [("a", "A"), ("b", "B")]
    assert len(pieces) >= 3


def test_a_book_that_cannot_be_offered_leaves_every_rule_to_the_check():
    """The loader's matching failing while reading stops the early rules; it says so itself
    when the read ends, and the check runs every rule on the whole book."""
    class Failing:
        def book(self):
            raise ValueError("odd references")
    early = EarlyRules(TODAY)
    early.offer(Failing())
    assert not early.work() and early.loading is None and not early.done
    book = book_from_rows({})
    assert check_book(book, TODAY, early) == check_book(book, TODAY)
