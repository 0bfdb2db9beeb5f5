"""What acctbook says, in the book's language: gettext catalogs, the ecosystem's way.

Messages are written in English in the code, marked by `tr(lang, "…")` (and `trn` for
plurals); the Hebrew is in acctbook/locale/he/LC_MESSAGES/acctbook.po, which a translator
can open in Poedit or Weblate. `python -m acctbook.create` compiles it to acctbook.mo with
Babel, and babel.support.Translations reads that at run time. A test extracts every marked
message with Babel and fails when one has no Hebrew.

Placeholders are named (`{value}`), so a translation may put them in another order:
`tr(lang, "{column} is required").format(column=…)`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

DOMAIN = "acctbook"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGS = ("en", "he")
# Babel's keyword spec for the markers: the message is the second argument (the first
# is the language); trn's singular and plural are the second and third; say = translator().
KEYWORDS = {"tr": (2,), "trn": (2, 3), "say": None}


@functools.lru_cache(maxsize=None)
def _catalog(lang: str):
    """The compiled catalog of `lang`, or None (English, or no catalog found)."""
    if lang == "en":
        return None
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        return None
    from babel.support import Translations
    with mo.open("rb") as fp:
        return Translations(fp, domain=DOMAIN)


def tr(lang: str | None, message: str) -> str:
    """`message` in `lang` (he or en); English when there is no translation."""
    cat = _catalog(lang or "en")
    return message if cat is None else cat.gettext(message)


def trn(lang: str | None, singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for the count `n`, in `lang`."""
    cat = _catalog(lang or "en")
    if cat is None:
        return singular if n == 1 else plural
    return cat.ngettext(singular, plural, n)


def translator(lang: str | None) -> Callable[[str], str]:
    """tr with the language bound, for a function that says many things."""
    return functools.partial(tr, lang)


def system_lang(default: str = "en") -> str:
    """The user's language when there is no book yet (a missing file): Python's locale,
    which reads the Windows user setting too; he when it is Hebrew, else `default`."""
    import locale
    try:
        code = locale.getlocale()[0] or ""
    except (ValueError, TypeError):
        code = ""
    code = code.lower()
    return "he" if code.startswith(("he", "iw", "hebrew")) else default


def said(cls: type[Exception], message: str, **args) -> Exception:
    """An error of type `cls` whose text is `message` (English, marked `tr("en", …)` for the
    catalog) formatted with `args`, carrying both (`msgid`, `msgargs`): an error raised
    before the book's language is known, said in the reader's language by whoever catches
    it (acctbook.jobs.message, acctbook.excel.message)."""
    e = cls(message.format(**args))
    e.msgid, e.msgargs = message, args
    return e
