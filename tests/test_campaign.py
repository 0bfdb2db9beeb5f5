"""`acctbook campaign`: a Campaigns row's messages to the consenting audience, as .eml files,
as letters, or sent through a real SMTP server, each one logged in the book.

One SMTP server (aiosmtpd on 127.0.0.1) serves the whole session; the messages it receives
are read back with Python's `email` package. The books are planted with
acctbook.create.workbook (English and Hebrew) with consenting, non-consenting, e-mail-less,
Lost-client and other-language contacts; the command runs through the command line; the
book is read back with python-calamine, the letters with python-docx and, rendered through
LibreOffice once for the session, as PDF pages."""

from __future__ import annotations

import copy
import datetime as dt
import email
import hashlib
import shutil
import socket
import subprocess
from email import policy
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from acctbook import cli
from acctbook.book import schema
from acctbook.create.workbook import create_workbook

TODAY = dt.date(2026, 6, 15)
D = dt.date
NAME = "Acme {{ 7*7 }} <script>alert(1)</script>"       # data, never template code
CONSENT = {"marketing_consent": "Yes", "consent_date": D(2026, 1, 5)}
DATA = {
    "Clients": [
        {"client_id": "C-001", "name": NAME, "segment": "Healthcare", "region": "North",
         "status": "Active", "language": "en", "address": "1 Main St", "city": "Haifa",
         "created": D(2024, 1, 10)},
        {"client_id": "C-002", "name": "מרכז רפואי השרון", "segment": "Healthcare",
         "status": "Active", "language": "he", "address": "רחוב הרצל 5", "city": "כפר סבא",
         "created": D(2024, 1, 10)},
        {"client_id": "C-003", "name": "Gone Ltd", "segment": "Healthcare", "status": "Lost",
         "language": "en", "created": D(2024, 1, 10)},
        {"client_id": "C-004", "name": "No Thanks Inc", "segment": "Laboratories",
         "status": "Active", "language": "en", "created": D(2024, 1, 10)},
        {"client_id": "C-005", "name": "Paper Only Ltd", "segment": "Healthcare",
         "status": "Active", "language": "en", "created": D(2024, 1, 10)},
        {"client_id": "C-006", "name": "Unknown Consent", "segment": "Healthcare",
         "status": "Active", "language": "en", "created": D(2024, 1, 10)},
    ],
    "Contacts": [
        {"contact_id": "P-001", "client_id": "C-001", "name": "Dana Levi",
         "email": "dana@acme.example", "primary": "Yes", **CONSENT},
        {"contact_id": "P-002", "client_id": "C-001", "name": "Eli Cohen",
         "email": "eli@acme.example", **CONSENT},                         # not the primary
        {"contact_id": "P-003", "client_id": "C-002", "name": "יעל כהן",
         "email": "yael@sharon.example", "primary": "Yes", **CONSENT},
        {"contact_id": "P-004", "client_id": "C-003", "name": "Lost Person",
         "email": "lp@gone.example", "primary": "Yes", **CONSENT},        # a Lost client
        {"contact_id": "P-005", "client_id": "C-004", "name": "Noam No",
         "email": "noam@no.example", "primary": "Yes", "marketing_consent": "No"},
        {"contact_id": "P-006", "client_id": "C-005", "name": "Paper Pat", "primary": "Yes",
         **CONSENT},                                                      # no e-mail
        {"contact_id": "P-007", "client_id": "C-006", "name": "Blank Ben",
         "email": "ben@blank.example", "primary": "Yes"},                 # consent unknown
    ],
    "Orders": [       # C-001: Revenue 12m 60,000 -> tier Silver, 3% off
        {"order_id": "SO-1", "client_id": "C-001", "order_date": D(2026, 3, 1), "sku": "X-1",
         "amount": 60000, "status": "Delivered", "delivered_on": D(2026, 3, 2),
         "invoice_due": D(2026, 4, 1), "paid_on": D(2026, 3, 30)},
    ],
    "Products": [{"sku": "X-1", "name": "Centrifuge X1", "list_price": 1000, "unit": "unit",
                  "active": "Yes", "launched": D(2026, 5, 1)}],
    "Events": [{"event_id": "E-1", "name": "Lab Expo 2026", "type": "Exhibition",
                "date": D(2026, 7, 20), "location": "Tel Aviv Expo"}],
    "Campaigns": [
        {"campaign_id": "CMP-1", "name": "Summer offer", "type": "Promotion", "sku": "X-1",
         "channel": "Email", "subject": "Centrifuges for less"},
        {"campaign_id": "CMP-2", "name": "Lab Expo invitation", "type": "Event invitation",
         "event_id": "E-1", "channel": "Email", "segments": "healthcare"},
        {"campaign_id": "CMP-3", "name": "New centrifuge", "type": "New product", "sku": "X-1",
         "channel": "Mail"},
        {"campaign_id": "CMP-4", "name": "News", "type": "Newsletter", "channel": "Email",
         "template": "mine.html.j2"},
        {"campaign_id": "CMP-5", "name": "Hebrew only", "type": "Newsletter", "channel": "Email",
         "language": "he", "tiers": "Silver, רגיל"},
    ],
}
SETTINGS = {"manager_name": "Noa Levi", "manager_email": "noa@galil.example",
            "company_name": "Galil Lab Supply", "company_address": "12 HaMelacha St, Rosh HaAyin",
            "company_phone": "03-902-1234", "smtp_tls": "No",
            "segments": "Healthcare, Laboratories"}
CONSENTING = {"dana@acme.example", "yael@sharon.example"}     # CMP-1's audience


# --- the SMTP server: one for the session ------------------------------------------------------
class Collect:
    """aiosmtpd handler: keeps each message; from `refuse_after` messages on, refuses DATA."""

    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse_after: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
            return "554 5.7.1 no more today"
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content
                              or envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def smtp(smtp_server, monkeypatch):
    """The session's server, emptied, with ACCTBOOK_SMTP_HOST and _PORT pointing at it."""
    controller, handler = smtp_server
    handler.messages.clear()
    handler.refuse_after = None
    monkeypatch.setenv("ACCTBOOK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ACCTBOOK_SMTP_PORT", str(controller.port))
    return handler


def received(handler: Collect) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(raw, policy=policy.default) for _, raw in handler.messages]


# --- the books ----------------------------------------------------------------------------------
def plant(path: Path, lang: str, data=None, settings=None) -> Path:
    return create_workbook(path, lang, data=copy.deepcopy(data or DATA),
                           settings={**SETTINGS, **(settings or {})})


@pytest.fixture(params=["en", "he"])
def planted(request, tmp_path):
    lang = request.param
    return lang, plant(tmp_path / f"book.{lang}.xlsx", lang)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["campaign", *map(str, argv), "--today", TODAY.isoformat()])
    out = capsys.readouterr()
    return code, out.out, out.err


def table(path: Path, spec: schema.Table, lang: str) -> list[dict]:
    """A table of the book read with python-calamine, keyed by schema key."""
    t = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(spec.name)
    keys = {c.label(lang): c.key for c in spec.columns}
    return [{keys.get(h, h): v for h, v in zip(t.columns, row)} for row in t.to_python()
            if any(v not in ("", None) for v in row)]


def logged(path: Path, lang: str, campaign: str) -> list[dict]:
    return [r for r in table(path, schema.INTERACTIONS, lang) if r["campaign_id"] == campaign]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- sending -------------------------------------------------------------------------------------
def test_send_reaches_exactly_the_consenting_audience_and_logs_each(planted, smtp, capsys):
    lang, book = planted
    code, out, err = run(capsys, book, "CMP-1", "--send")
    assert code == 0, err
    msgs = received(smtp)
    assert {a for rcpts, _ in smtp.messages for a in rcpts} == CONSENTING
    assert len(msgs) == 2
    by_to = {m["To"].addresses[0].addr_spec: m for m in msgs}
    he, en = by_to["yael@sharon.example"], by_to["dana@acme.example"]
    assert he["Subject"].startswith("פרסומת") and "Centrifuges for less" in he["Subject"]
    assert en["Subject"] == "Advertisement: Centrifuges for less"
    for m in msgs:
        assert m.get_content_type() == "multipart/alternative" and not m.defects
        assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
        assert m["List-Unsubscribe"] == "<mailto:noa@galil.example?subject=unsubscribe>"
        assert m["From"].addresses[0].addr_spec == "noa@galil.example"
        assert m["Message-ID"] and m["Date"].datetime.date() == TODAY
    he_html = he.get_body(("html",)).get_content()
    assert 'dir="rtl"' in he_html and 'lang="he"' in he_html
    assert "להסרה מרשימת התפוצה" in he.get_body(("plain",)).get_content()
    assert 'dir="ltr"' in en.get_body(("html",)).get_content()
    assert "To stop receiving these messages" in en.get_body(("plain",)).get_content()
    assert "noa@galil.example" in en.get_body(("plain",)).get_content()
    rows = logged(book, lang, "CMP-1")
    assert sorted(r["contact_id"] for r in rows) == ["P-001", "P-003"]
    for r in rows:
        assert r["channel"] == schema.show_choice("Email", lang)
        assert r["direction"] == schema.show_choice("Out", lang)
        assert r["outcome"] == schema.show_choice("Info sent", lang)
        assert r["date"] == TODAY
    assert {r["subject"] for r in rows} == {he["Subject"], en["Subject"]}
    campaign = next(r for r in table(book, schema.CAMPAIGNS, lang) if r["campaign_id"] == "CMP-1")
    assert campaign["sent_on"] == TODAY
    history = table(book, schema.HISTORY, lang)
    assert history[-1]["command"] == {"en": "campaign", "he": "קמפיין"}[lang]
    assert history[-1]["rows_added"] == 2


def test_a_second_run_sends_nothing(planted, smtp, capsys):
    lang, book = planted
    assert run(capsys, book, "CMP-1", "--send")[0] == 0
    assert len(smtp.messages) == 2
    before = digest(book)
    code, out, err = run(capsys, book, "CMP-1", "--send")
    assert code == 0, err
    assert len(smtp.messages) == 2
    assert digest(book) == before                          # nothing to log, nothing written
    assert out.count("already logged" if lang == "en" else "כבר נרשם") == 2
    assert len(logged(book, lang, "CMP-1")) == 2


def test_the_server_failing_mid_run_leaves_the_sent_logged_and_the_rest_not(tmp_path, smtp,
                                                                           capsys):
    book = plant(tmp_path / "book.xlsx", "en")
    smtp.refuse_after = 1                       # the second message is refused
    code, out, err = run(capsys, book, "CMP-1", "--send", "--all-contacts")
    assert code == 2
    line = err.strip()
    assert len(line.splitlines()) == 1 and "1 of 3 messages sent" in line and "554" in line
    assert [r["contact_id"] for r in logged(book, "en", "CMP-1")] == ["P-001"]
    assert len(smtp.messages) == 1
    smtp.refuse_after = None                    # the server is back: the rest, only them
    code, out, err = run(capsys, book, "CMP-1", "--send", "--all-contacts")
    assert code == 0, err
    assert [rcpts for rcpts, _ in smtp.messages[1:]] == [["eli@acme.example"],
                                                          ["yael@sharon.example"]]
    assert sorted(r["contact_id"] for r in logged(book, "en", "CMP-1")) == ["P-001", "P-002",
                                                                            "P-003"]


def test_no_server_is_one_line_and_nothing_is_logged(tmp_path, monkeypatch, capsys):
    book = plant(tmp_path / "book.xlsx", "en")
    monkeypatch.setenv("ACCTBOOK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ACCTBOOK_SMTP_PORT", str(_free_port()))      # nobody listens
    before = digest(book)
    code, out, err = run(capsys, book, "CMP-1", "--send")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "0 of 2 messages sent" in err
    assert digest(book) == before


# --- files: .eml and letters ----------------------------------------------------------------------
def test_eml_files_open_with_the_email_package(planted, capsys):
    lang, book = planted
    code, out, err = run(capsys, book, "CMP-1")
    assert code == 0, err
    folder = book.parent / "CMP-1 Summer offer"
    files = sorted(folder.glob("*.eml"))
    assert [f.name for f in files] == ["P-001 Dana Levi.eml", "P-003 יעל כהן.eml"]
    for f in files:
        with f.open("rb") as fp:
            m = email.message_from_binary_file(fp, policy=policy.default)
        assert m.get_content_type() == "multipart/alternative" and not m.defects
        assert m["Date"].datetime.date() == TODAY and m["List-Unsubscribe"]
        assert m["To"].addresses[0].addr_spec in CONSENTING
    assert sorted(r["contact_id"] for r in logged(book, lang, "CMP-1")) == ["P-001", "P-003"]
    assert (book.parent / f"{book.stem}.bak.xlsx").exists()


def test_template_injection_in_a_client_name_is_printed_as_text(tmp_path, capsys):
    book = plant(tmp_path / "book.xlsx", "en")
    assert run(capsys, book, "CMP-1", "--out", tmp_path / "mail")[0] == 0
    with (tmp_path / "mail" / "P-001 Dana Levi.eml").open("rb") as fp:
        m = email.message_from_binary_file(fp, policy=policy.default)
    html = m.get_body(("html",)).get_content()
    text = m.get_body(("plain",)).get_content()
    assert "Acme {{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "Acme 49" not in html
    assert NAME in text
    # and the product with the client's tier discount (Silver, 3%)
    assert "₪1,000.00" in text and "₪970.00" in text and "3%" in text


def test_a_missing_template_variable_is_a_clear_error_naming_it(tmp_path, capsys):
    mine = tmp_path / "my templates"
    mine.mkdir()
    (mine / "mine.html.j2").write_text(
        '{% extends "campaign_base.html.j2" %}{% block body %}<p>{{ product.colour }}</p>'
        "{% endblock %}", encoding="utf-8")
    book = plant(tmp_path / "book.xlsx", "en", settings={"templates_folder": str(mine)})
    before = digest(book)
    code, out, err = run(capsys, book, "CMP-4")
    assert code == 1
    assert err.strip() == ("acctbook: template mine.html.j2 uses {{ product.colour }}, which "
                           "acctbook does not provide")
    assert digest(book) == before and not (tmp_path / "CMP-4 News").exists()


def test_a_template_named_but_found_nowhere_is_refused(tmp_path, capsys):
    book = plant(tmp_path / "book.he.xlsx", "he")
    code, out, err = run(capsys, book, "CMP-4")
    assert code == 1 and "mine.html.j2" in err and "התבנית" in err


@pytest.fixture(scope="session")
def letters(tmp_path_factory):
    """CMP-3 (Channel Mail) for every contact of an English book: two English letters and
    one Hebrew; both .docx rendered to PDF by one LibreOffice run for the session."""
    folder = tmp_path_factory.mktemp("letters")
    book = plant(folder / "book.xlsx", "en")
    assert cli.main(["campaign", str(book), "CMP-3", "--all-contacts", "--out",
                     str(folder / "out"), "--today", TODAY.isoformat()]) == 0
    docs = sorted((folder / "out").glob("*.docx"))
    pdfs = {}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo",
                        "--convert-to", "pdf", "--outdir", str(folder / "pdf"), *map(str, docs)],
                       capture_output=True, timeout=240)
        pdfs = {p.stem: p for p in (folder / "pdf").glob("*.pdf")}
    return book, docs, pdfs


def test_the_letter_has_a_page_per_recipient(letters):
    from docx import Document
    from docx.oxml.ns import qn
    book, docs, pdfs = letters
    assert [d.name for d in docs] == ["CMP-3 New centrifuge.docx",
                                      "CMP-3 New centrifuge.he.docx"]
    for doc, recipients in zip(docs, (2, 1)):
        body = Document(str(doc)).element.body
        breaks = [b for b in body.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
        assert len(breaks) == recipients - 1
        text = "\n".join(t.text or "" for t in body.iter(qn("w:t")))
        assert "Centrifuge X1" in text and ("unsubscribe" in text or "הסר" in text)
    assert sorted(r["contact_id"] for r in logged(book, "en", "CMP-3")) == ["P-001", "P-002",
                                                                            "P-003"]
    assert {r["channel"] for r in logged(book, "en", "CMP-3")} == {"Mail"}
    if not (pdfs and shutil.which("pdfinfo")):
        pytest.skip("needs LibreOffice (soffice) and pdfinfo")
    for doc, recipients in zip(docs, (2, 1)):
        info = subprocess.run(["pdfinfo", str(pdfs[doc.stem])], capture_output=True,
                              text=True).stdout
        assert f"Pages:           {recipients}\n" in info, (doc.name, info)


def test_send_is_refused_for_a_letter_campaign(tmp_path, smtp, capsys):
    book = plant(tmp_path / "book.xlsx", "en")
    code, out, err = run(capsys, book, "CMP-3", "--send")
    assert code == 1 and "--send" in err and not smtp.messages


# --- the audience ------------------------------------------------------------------------------
def test_an_event_invitation_adds_attendance_rows_once(planted, capsys):
    lang, book = planted
    assert run(capsys, book, "CMP-2")[0] == 0
    rows = table(book, schema.ATTENDANCE, lang)
    assert sorted((r["event_id"], r["contact_id"], r["client_id"]) for r in rows) == [
        ("E-1", "P-001", "C-001"), ("E-1", "P-003", "C-002")]
    assert all(r["invited_on"] == TODAY for r in rows)
    # an invitation is not attendance: its Interactions rows carry no Event ID
    assert all(r["event_id"] in ("", None) for r in logged(book, lang, "CMP-2"))
    assert run(capsys, book, "CMP-2", "--all-contacts")[0] == 0         # P-002 only is new
    rows = table(book, schema.ATTENDANCE, lang)
    assert sorted(r["contact_id"] for r in rows) == ["P-001", "P-002", "P-003"]


def test_dry_run_lists_recipients_and_reasons_and_writes_nothing(planted, capsys):
    import json
    lang, book = planted
    before = digest(book)
    code, out, err = run(capsys, book, "CMP-1", "--dry-run", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [r["contact_id"] for r in data["recipients"]] == ["P-001", "P-003"]
    assert {(s["client_id"], s["contact_id"], s["code"]) for s in data["skipped"]} == {
        ("C-003", None, "client-lost"), ("C-004", "P-005", "no-consent"),
        ("C-005", "P-006", "no-email"), ("C-006", "P-007", "no-consent")}
    assert data["written"] is False and data["files"] == []
    code, out, err = run(capsys, book, "CMP-1", "--dry-run")
    assert code == 0 and ("dry run" in out or "הרצת ניסיון" in out)
    assert digest(book) == before and not (book.parent / "CMP-1 Summer offer").exists()


def test_filters_take_choice_values_in_either_language(tmp_path, capsys):
    import json
    book = plant(tmp_path / "book.xlsx", "en")
    code, out, err = run(capsys, book, "CMP-5", "--dry-run", "--json")     # he; Silver or רגיל
    data = json.loads(out)
    assert [r["contact_id"] for r in data["recipients"]] == ["P-003"]
    assert {s["client_id"] for s in data["skipped"] if s["code"] == "language"} == {
        "C-001", "C-004", "C-005", "C-006"}
    code, out, err = run(capsys, book, "CMP-2", "--dry-run", "--json")     # segments: healthcare
    assert "C-004" not in out


def test_an_unknown_campaign_is_one_line_and_exit_1(planted, capsys):
    lang, book = planted
    code, out, err = run(capsys, book, "CMP-99")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "CMP-99" in err
