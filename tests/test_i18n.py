"""The message catalogs: every message acctbook says has its Hebrew, and the compiled
catalog is the .po's (acctbook.book.i18n, acctbook.create.catalogs)."""

from __future__ import annotations

import io
import zipfile

from acctbook.book import i18n
from acctbook.create import catalogs, lite


def _ids(found):
    return {m if isinstance(m, str) else m[0] for m in found}


def test_every_marked_message_has_a_hebrew_translation():
    catalog = catalogs.read_catalog("he")
    missing = []
    for message, places in catalogs.extract().items():
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not all(s.strip() for s in strings):
            missing.append(f"{places[0][0]}:{places[0][1]} {msgid!r}")
    assert not missing, ("messages without Hebrew (python -m acctbook.create adds them to "
                         "acctbook/locale/he/LC_MESSAGES/acctbook.po):\n" + "\n".join(missing))


def test_the_compiled_catalog_is_the_po_file():
    mo = catalogs.po_path("he").with_suffix(".mo")
    assert mo.read_bytes() == catalogs.compiled(catalogs.read_catalog("he")), \
        "run python -m acctbook.create to recompile acctbook.mo"


def test_placeholders_survive_translation():
    """A translation keeps every {name} of its message, so .format() cannot fail."""
    import re
    names = re.compile(r"\{(\w*)[^}]*\}")
    for m in catalogs.read_catalog("he"):
        if not m.id or not m.string:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        want = set(names.findall(ids[-1]))
        for s in strings:
            assert set(names.findall(s)) <= want | set(names.findall(ids[0])), (m.id, s)


def test_english_is_the_message_itself_and_hebrew_comes_from_the_catalog():
    catalog = catalogs.read_catalog("he")
    entry = next((m for m in catalog if m.id and isinstance(m.id, str) and m.string), None)
    assert i18n.tr("en", "anything at all") == "anything at all"
    if entry is not None:
        assert i18n.tr("he", entry.id) == entry.string
        assert i18n.translator("he")(entry.id) == entry.string


def test_the_lite_bundle_carries_the_compiled_catalog():
    names = zipfile.ZipFile(io.BytesIO(lite.lite_package())).namelist()
    assert "acctbook/locale/he/LC_MESSAGES/acctbook.mo" in names


def test_every_report_word_is_in_both_languages_with_its_placeholders():
    """The monthly report's own table of words (documents/report_words.py, the HTML, the
    Report sheet and its Bonuses due alike): each key in English and Hebrew, Hebrew letters
    in every Hebrew text, and the same {names} in both."""
    import re
    from acctbook.documents.report_words import LABELS
    names = re.compile(r"\{(\w*)[^}]*\}")
    assert set(LABELS) == {"en", "he"} and LABELS["en"].keys() == LABELS["he"].keys()
    for key, en in LABELS["en"].items():
        he = LABELS["he"][key]
        assert he.strip() and en.strip(), key
        assert set(names.findall(he)) == set(names.findall(en)), key
        words = names.sub("", en).strip(" ()·:")
        if any(ch.isalpha() for ch in words):
            assert re.search("[\u0590-\u05ff]", he), (key, he)
