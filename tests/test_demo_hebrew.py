"""The Hebrew demo book is Hebrew wherever an Israeli manager's book would be: segments,
products, Israeli clients (names, cities, addresses, people), her notes; clients abroad keep
their own names and places. Same draws as the English demo: same clients, amounts and dates,
and the same check result. Books made with `acctbook new --demo`, read back with
python-calamine; the contract with python-docx."""

from __future__ import annotations

import datetime as dt
import re

import docx
import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book import schema
from acctbook.create.demo import DEMO_SEED, demo_data

TODAY = dt.date(2026, 11, 26)
LATIN = re.compile(r"[A-Za-z]")
HEBREW = re.compile(r"[\u05d0-\u05ea]")
# The columns that hold words; every other value is the same in both languages' demos.
WORDS = {
    "Clients": {"name", "legal_name", "segment", "region", "city", "address", "owner", "notes",
                "language"},
    "Contacts": {"name", "role"}, "Interactions": {"subject", "next_step"},
    "Deals": {"title", "lost_reason", "lost_to"}, "Contracts": {"template"},
    "Complaints": {"description", "resolution"}, "Products": {"name", "category", "unit"},
    "Competitors": {"competitor", "segments", "strengths", "weaknesses", "opportunities",
                    "threats", "notes"},
    "Events": {"name", "location"}, "Holidays": {"name"},
    "Campaigns": {"name", "subject", "segments", "statuses", "regions"},
    "BonusPayments": {"note"},
}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    return {lang: api.new(folder / f"demo.{lang}.xlsx", lang=lang, demo=True, today=TODAY)
            for lang in ("en", "he")}


def _records(path, table: str, lang: str) -> list[dict]:
    """A table's rows as {English header: value}, read with python-calamine."""
    t = schema.TABLES[table]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(t.sheet(lang)).to_python()
    labels = {c.label(lang): c.label("en") for c in t.columns}
    header = [labels.get(h, h) for h in rows[0]]
    return [dict(zip(header, r)) for r in rows[1:] if r[0] != ""]


def _israeli(client: dict) -> bool:
    return client["Country"] in ("", "IL")


def _latin(values) -> list[str]:
    return [v for v in values if LATIN.search(str(v))]


def test_israeli_clients_segments_and_products_are_hebrew(books):
    clients = _records(books["he"], "Clients", "he")
    israeli = [c for c in clients if _israeli(c)]
    assert len(israeli) >= 35
    for column in ("Name", "Legal name", "Region", "City", "Address", "Owner"):
        assert not _latin(c[column] for c in israeli), column
        assert all(HEBREW.search(c[column]) for c in israeli), column
    assert all(c["Language"] == "he" for c in israeli)
    assert not _latin(c["Segment"] for c in clients)
    assert {c["Segment"] for c in clients} >= {"מעבדות", "תעשייה", "מגזר ציבורי"}
    products = _records(books["he"], "Products", "he")
    assert len(products) >= 15
    for column in ("Name", "Category", "Unit"):
        assert not _latin(p[column] for p in products), column
    assert all(re.fullmatch(r"[A-Z0-9-]+", p["SKU"]) for p in products)   # codes stay Latin
    israeli_ids = {c["Client ID"] for c in israeli}
    people = [p for p in _records(books["he"], "Contacts", "he") if p["Client ID"] in israeli_ids]
    assert not _latin(p["Name"] for p in people) and not _latin(p["Role"] for p in people)
    # ... and their e-mail addresses are Latin transliterations, as in Israel.
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+@[a-z0-9.-]+", p["Email"]) for p in people)


def test_clients_abroad_keep_their_own_names_and_places(books):
    clients = [c for c in _records(books["he"], "Clients", "he") if not _israeli(c)]
    assert len(clients) >= 15
    for column in ("Name", "Legal name", "Region", "City", "Address"):
        assert not [c[column] for c in clients if HEBREW.search(c[column])], column
    by_country = {}
    for c in clients:
        by_country.setdefault(c["Country"], []).append(c)
    assert {"FR", "DE", "US", "CY", "GB", "NL"} <= set(by_country)
    french = by_country["FR"][0]
    assert french["City"] in ("Lyon", "Rouen") and re.fullmatch(r"\d+ rue .+", french["Address"])
    assert {c["City"] for c in by_country["DE"]} <= {"München", "Köln", "Hamburg"}
    assert all(c["Language"] == "en" for c in clients)


def test_notes_and_the_companys_own_tables_are_hebrew(books):
    interactions = _records(books["he"], "Interactions", "he")
    subjects = [i["Subject"] for i in interactions if i["Subject"]]
    # Every subject Hebrew; an exhibition abroad keeps its name ("LabTech Europe").
    assert not [s for s in subjects if not HEBREW.search(s)]
    assert not _latin(re.sub(r"LabTech Europe|[DK]-\d{4}", "", s) for s in subjects)
    assert not _latin(i["Next step"] for i in interactions)
    assert not _latin(c["Description"] for c in _records(books["he"], "Complaints", "he"))
    competitors = _records(books["he"], "Competitors", "he")
    for column in ("Segments", "Strengths", "Weaknesses", "Opportunities", "Threats"):
        assert not _latin(c[column] for c in competitors), column
    assert {"מרכז הציוד", "EuroLab Direct"} <= {c["Competitor"] for c in competitors}
    lost = [d for d in _records(books["he"], "Deals", "he") if d["Lost reason"]]
    assert lost and not _latin(d["Lost reason"] for d in lost)
    names = {c["Competitor"] for c in competitors}
    assert {d["Lost to"] for d in lost if d["Lost to"]} <= names
    events = _records(books["he"], "Events", "he")
    assert sum(bool(HEBREW.search(e["Name"])) for e in events) >= len(events) - 1
    assert not _latin(e["Location"] for e in events)
    settings = {r[0]: r[1] for r in CalamineWorkbook.from_path(str(books["he"]))
                .get_sheet_by_name(schema.SETTINGS_SHEET_HE).to_python()[1:] if r[0]}
    segment_setting = settings[schema.SETTING_BY_KEY["segments"].he]
    assert not _latin(segment_setting) and "מזון ומשקאות" in segment_setting
    for key in ("manager_name", "company_name", "company_address"):
        assert not _latin(settings[schema.SETTING_BY_KEY[key].he]), key


def test_both_languages_tell_the_same_story_in_other_words():
    en, en_settings = demo_data(TODAY)
    he, he_settings = demo_data(TODAY, lang="he")
    assert demo_data(TODAY, DEMO_SEED, lang="he") == (he, he_settings)      # deterministic
    assert demo_data(TODAY, DEMO_SEED + 1, lang="he")[0]["Orders"] != he["Orders"]
    assert set(en) == set(he)
    changed: dict[str, set[str]] = {}
    for table in en:
        assert len(en[table]) == len(he[table]), table
        for a, b in zip(en[table], he[table]):
            changed.setdefault(table, set()).update(k for k in a if a[k] != b[k])
    for table, columns in changed.items():
        assert columns <= WORDS.get(table, set()), (table, columns - WORDS.get(table, set()))
    assert changed["Products"] == WORDS["Products"] and "name" in changed["Clients"]
    same = {k for k in en_settings if en_settings[k] == he_settings[k]}
    assert set(en_settings) - same == {"manager_name", "company_name", "company_address",
                                       "segments", "bank_details"}


def test_check_and_refresh_find_the_same_in_both_languages(books, tmp_path):
    checks = {lang: api.check(p, TODAY) for lang, p in books.items()}
    assert len(checks["he"].errors) == len(checks["en"].errors)
    assert len(checks["he"].warnings) == len(checks["en"].warnings)
    refreshed = {}
    for lang, p in books.items():
        copy = tmp_path / p.name
        copy.write_bytes(p.read_bytes())
        refreshed[lang] = api.refresh(copy, TODAY)
    assert refreshed["he"].written
    assert len(refreshed["he"].results.queue) == len(refreshed["en"].results.queue) > 0
    today = CalamineWorkbook.from_path(str(tmp_path / books["he"].name)).get_sheet_by_name(
        schema.generated_sheet("Today", "he")).to_python()
    text = " ".join(str(v) for row in today for v in row)
    assert "נגב כימיקלים" in text or "מעבדות גליל מערבי" in text     # scenario clients due
    assert "Negev Semiconductors" not in text and "Sharon Plastics" not in text


def test_a_hebrew_clients_contract_and_the_report_come_out_in_hebrew(books, tmp_path):
    book = tmp_path / books["he"].name
    book.write_bytes(books["he"].read_bytes())
    deal = api.demo_deal(api.load(book), "he")
    assert deal
    result = api.contract(book, deal, out=tmp_path / "contracts", today=TODAY)
    document = docx.Document(str(result.docx))
    text = "\n".join([p.text for p in document.paragraphs] +
                     [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "גליל ציוד מעבדה ותעשייה בע\"מ" in text and "נועה לוי" in text
    assert " Ltd" not in text and "Galil" not in text
    client = text.split("(להלן: \"הספק\")", 1)[1].split("\n", 2)[1]
    assert client.startswith(("בית הבד הגלילי", "ים סוף", "מגדל אור", "מודיעין"))
    report = api.report(book, "2026-10", out=tmp_path / "reports", today=TODAY)
    html = report.files["html"].read_text(encoding="utf-8")
    assert "אוקטובר 2026" in html and "נגב מוליכים למחצה" in html
    assert "Negev Semiconductors" not in html and "Lab equipment" not in html
