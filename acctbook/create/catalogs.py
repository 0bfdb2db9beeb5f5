"""The message catalogs: every `tr(lang, "…")` in the package, extracted with Babel, and
the Hebrew .po compiled to the .mo that acctbook.book.i18n reads.

`python -m acctbook.create` recompiles the .mo (a test holds it to the .po) and adds any
new message to the .po with an empty translation, for a translator to fill in Poedit
(a test fails while one is empty).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from acctbook.book.i18n import DOMAIN, KEYWORDS, LOCALE_DIR

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# A fixed header: the .po changes only when a message does (a drift test compares it).
FIXED_DATE = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def po_path(lang: str = "he") -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> dict[str | tuple[str, ...], list[tuple[str, int]]]:
    """Every marked message in the package -> where it is used (file, line)."""
    from babel.messages.extract import extract_from_dir
    out: dict = {}
    for name, line, message, _comments, _ctx in extract_from_dir(
            str(PACKAGE_DIR), [("**.py", "python")], keywords=KEYWORDS,
            comment_tags=(), strip_comment_tags=True):
        out.setdefault(message, []).append((name, line))
    return out


def read_catalog(lang: str = "he"):
    from babel.messages.pofile import read_po
    path = po_path(lang)
    if not path.is_file():
        from babel.messages.catalog import Catalog
        return Catalog(locale=lang, domain=DOMAIN, project="acctbook")
    with path.open("rb") as fp:
        return read_po(fp, locale=lang, domain=DOMAIN)


def compiled(catalog) -> bytes:
    from babel.messages.mofile import write_mo
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def update(lang: str = "he") -> list[Path]:
    """Add new messages to the .po (empty, for the translator), mark unused ones obsolete,
    and compile the .mo. Returns the files written."""
    from babel.messages.pofile import write_po
    catalog = read_catalog(lang)
    _steady_header(catalog)
    found = extract()
    for message, places in sorted(found.items(), key=lambda kv: str(kv[0])):
        msgid = message if isinstance(message, str) else message[:2]
        if msgid not in catalog:
            catalog.add(msgid, string="" if isinstance(msgid, str) else ("", ""))
        catalog[msgid].locations = [(f"acctbook/{n}", ln) for n, ln in places]
    _take_parts(catalog, lang)
    used = {k if isinstance(k, str) else k[0] for k in found}
    for m in list(catalog):      # a plural's id is (singular, plural): kept by its singular
        if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in used:
            catalog.obsolete[m.id] = m
            del catalog[m.id]
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, omit_header=False, ignore_obsolete=True)
    path.write_bytes(buf.getvalue())
    mo = path.with_suffix(".mo")
    mo.write_bytes(compiled(read_catalog(lang)))
    return [path, mo]


def _steady_header(catalog) -> None:
    catalog.fuzzy = False
    catalog.project, catalog.version = "acctbook", "1"
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    catalog.copyright_holder = "the acctbook authors"
    catalog.msgid_bugs_address = "https://github.com/acctbook/acctbook/issues"
    catalog.last_translator = catalog.language_team = "acctbook <he@acctbook>"


def _take_parts(catalog, lang: str) -> None:
    """Translations staged in LC_MESSAGES/parts/*.po (one per area, written side by side
    by several people) go into the catalog; a filled part wins over an empty entry."""
    from babel.messages.pofile import read_po
    for part in sorted((po_path(lang).parent / "parts").glob("*.po")):
        with part.open("rb") as fp:
            for m in read_po(fp, locale=lang, domain=DOMAIN):
                filled = m.string if isinstance(m.string, str) else all(m.string)
                if m.id and filled and m.id in catalog:
                    catalog[m.id].string = m.string
                    catalog[m.id].flags.discard("fuzzy")
