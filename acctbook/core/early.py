"""The reader's idle time on a big book: the rules first, then compute's pieces.

While the main thread waits for the reader to parse a big book's last sheets
(xlsx/readahead.py), it runs the validation rules whose tables are in (book/rules.py:
EarlyRules), then works out the pieces of compute that read only tables already in, into
`digests` (core/digests.py), which compute takes when its frames are those very ones. A
piece is worked out from whole, final tables (model.TablesSoFar refuses one still to come),
so it is what compute would work out then; if a table loses rows to errors before compute,
its frame is a new one and compute works its pieces out again.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from acctbook.book.model import Book
from acctbook.book.rules import EarlyRules
from acctbook.core import campaign_results, compute, followups
from acctbook.core.digests import Digests
from acctbook.core.workdays import public_holidays, years_around


def _contacted(book: Book, digests: Digests, today: dt.date) -> None:
    digests.get(followups.contacted, book.frame("Interactions"))


def _streaks(book: Book, digests: Digests, today: dt.date) -> None:
    digests.get(compute.prospect_streaks, book.frame("Interactions"), book.frame("Clients"))


def _campaigns(book: Book, digests: Digests, today: dt.date) -> None:
    digests.get(campaign_results.campaign_results,
                *(book.frame(n) for n in compute.CAMPAIGN_TABLES))


def _holidays(book: Book, digests: Digests, today: dt.date) -> None:
    """The public holidays of the years the tables in so far span (cached by year: the
    holidays library is slow to load and to work out a Hebrew year)."""
    public_holidays(book.settings.country, years_around(today, compute.date_bounds(
        {n: book.tables[n].frame for n in book.tables.loaded})))


# Each piece: (the tables it reads, what it works out). Most time first.
PIECES: tuple[tuple[tuple[str, ...], Callable[[Book, Digests, dt.date], None]], ...] = (
    (("Interactions",), _contacted),
    (("Interactions", "Clients"), _streaks),
    (compute.CAMPAIGN_TABLES, _campaigns),
    ((), _holidays),
)


class EarlyWork:
    """What the reader's idle hook runs (`offer`, `work`: xlsx/read.py): `rules`' work, then
    the PIECES whose tables are in, one per call."""

    def __init__(self, today: dt.date):
        self.today = today
        self.rules = EarlyRules(today)
        self.digests = Digests()
        self.todo = list(PIECES)

    def offer(self, loading) -> None:
        self.rules.offer(loading)

    @property
    def loading(self):
        return self.rules.loading

    def work(self) -> bool:
        """Run one rule, else one piece; False when neither can run now."""
        if self.rules.work():
            return True
        book = self.rules.book_so_far()
        if book is None:
            return False
        loaded = book.tables.loaded
        piece = next((p for p in self.todo if all(n in loaded for n in p[0])), None)
        if piece is None:
            return False
        self.todo.remove(piece)
        try:
            piece[1](book, self.digests, self.today)
        except Exception:       # noqa: BLE001 - compute works it out again, and says so
            pass
        return True
