"""Where the files users may edit live: templates/ and workbook/ (the product card's layout).

In a source checkout (and an editable install) they sit beside the package; a
wheel carries them inside it as acctbook/templates and acctbook/workbook.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parents[1]     # the package folder (this is acctbook/book)


def _folder(name: str) -> Path:
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    return _HERE.parent / name


def templates_dir() -> Path:
    return _folder("templates")


def workbook_dir() -> Path:
    return _folder("workbook")
