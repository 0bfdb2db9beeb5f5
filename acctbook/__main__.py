"""`python -m acctbook` and the `acctbook` command (pyproject.toml): acctbook.cli's main,
with the book a `check` or `refresh` names read (xlsx/preread.py) while the rest of acctbook
and pandas are imported."""

import gc
import os
import sys

from acctbook.xlsx.preread import start

# The commands that read one book, named as their only .xlsx/.xlsm argument.
READS_ONE_BOOK = ("check", "refresh")
GLOBAL_WITH_VALUE = ("--lang",)


def book_named(args: list[str]) -> str | None:
    """The book a `check` or `refresh` command line names, if it names one existing file
    (a guess: the reader takes what was read only for that very file, unchanged)."""
    rest = iter(args)
    command = None
    for a in rest:
        if a in GLOBAL_WITH_VALUE:
            next(rest, None)
        elif not a.startswith("-"):
            command = a
            break
    if command not in READS_ONE_BOOK:
        return None
    books = [a for a in rest if not a.startswith("-")
             and a.lower().endswith((".xlsx", ".xlsm")) and os.path.isfile(a)]
    return books[0] if len(books) == 1 else None


def run() -> int:
    book = book_named(sys.argv[1:])
    if book is not None:
        start(book)
    from acctbook.cli import main
    status = main()
    # What is left is freed as the program ends; the collector's last pass over it (millions
    # of objects after a big refresh, 0.1 s) is not needed then.
    gc.freeze()
    return status


if __name__ == "__main__":      # a spawned worker process (acctbook.parallel) imports it too
    sys.exit(run())
