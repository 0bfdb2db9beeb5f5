"""`acctbook campaign`: a Campaigns row's messages, end to end on a workbook file
(docs/campaigns.md). Read and check the book, resolve the audience (core.campaigns), render
every message first (documents.campaign_mail: a template error stops before anything goes
out), then either write them (`.eml` files, or for Channel Mail the letters' .docx) or send
them one at a time through SMTP (acctbook.mail), and log what went out in the same atomic
write: an Interactions row per message (Info sent, the Campaign ID), the campaign's Sent on,
for an Event invitation an Attendance row per invited contact, and a History row.

Messages sent before an SMTP failure are logged all the same (the book is written after
the loop, however it ended), then the failure is reported; what was not sent is not logged.
`today` comes in from acctbook.api.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from acctbook.book import schema
from acctbook.book.adapter import row_by_header, user_cells
from acctbook.book.history import Stamp, history_row
from acctbook.book.i18n import said, tr, translator
from acctbook.book.model import ERROR, AcctbookError, Book, Problem, Refused, speaking
from acctbook.book.rules import check_book
from acctbook.core.campaigns import INVITATION, Audience, Recipient, audience, text
from acctbook.documents import campaign_files as files
from acctbook.documents.campaign_mail import Rendered, render_all, sender_of
from acctbook.mail.smtp import ENV, Mailer, SmtpFailed, smtp_settings
from acctbook.xlsx.file import WorkbookFile, open_book
from acctbook.xlsx.patch import refuse_unless_writable

Step = Callable[..., None]          # jobs.steps: step(tr("en", "…{book}"), book=…)


@dataclass
class CampaignResult:
    audience: Audience
    book: Book
    dry_run: bool = False
    send: bool = False
    folder: Path | None = None          # where the .eml files or letters went
    files: list[Path] = field(default_factory=list)
    delivered: list[Recipient] = field(default_factory=list)   # sent, or written to a file
    rows_added: int = 0
    written: bool = False
    backup: str | None = None
    history: dict[str, Any] | None = None

    @property
    def lang(self) -> str:
        return self.book.lang

    @property
    def problems(self) -> list[Problem]:
        return self.audience.problems

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    def as_json(self) -> dict:
        return {"campaign": self.audience.campaign.as_json(), "dry_run": self.dry_run,
                "sent": self.send and not self.dry_run,
                "recipients": [r.as_json() for r in self.audience.recipients],
                "skipped": [s.as_json() for s in self.audience.skipped],
                "delivered": [r.contact_id for r in self.delivered],
                "files": [str(f) for f in self.files], "rows_added": self.rows_added,
                "written": self.written}


def campaign(path, campaign_id: str, today: dt.date, out=None, send: bool = False,
             dry_run: bool = False, all_contacts: bool = False, step: Step | None = None,
             stamp: Stamp | None = None, environ: Mapping[str, str] | None = None
             ) -> CampaignResult:
    """Run campaign `campaign_id` of the book at `path` (see the module); a dry run only
    lists the recipients and the skipped, writing and sending nothing."""
    step = step or (lambda *_a, **_k: None)
    path = Path(path)
    step(tr("en", "reading {book}"), book=path.name)
    wbf = open_book(path)
    book = wbf.read_book()
    with speaking(book.lang):          # a failure said in the book's language
        step(tr("en", "checking every rule"))
        problems = check_book(book, today)
        step(tr("en", "choosing the recipients"))
        aud = audience(book, campaign_id, today, all_contacts, problems)
        result = CampaignResult(aud, book, dry_run=dry_run, send=send)
        if aud.recipients and not dry_run:
            _run(path, wbf, book, result, today, out, step, stamp or Stamp(today),
                 os.environ if environ is None else environ)
    step(tr("en", "done"))
    return result


def _run(path: Path, wbf: WorkbookFile, book: Book, result: CampaignResult, today: dt.date,
         out, step: Step, stamp: Stamp, environ: Mapping[str, str]) -> None:
    aud, say = result.audience, translator(book.lang)
    c = aud.campaign
    if "campaign_id" not in book.tables["Interactions"].columns:
        raise Refused(say("{sheet} has no {column} column, so a second run could not know who "
                          "got the campaign: run acctbook upgrade {book} first").format(
            sheet=book.tables["Interactions"].sheet, column=book.tables["Interactions"].header(
                "campaign_id", book.lang), book=path.name))
    if result.send and c.channel == "Mail":
        raise Refused(say("campaign {campaign} goes by {channel}: it makes letters to print, "
                          "nothing to send (leave out --send)").format(
            campaign=c.campaign_id, channel=_shown(book, "Mail")))
    settings = smtp_settings(book.settings.values, environ)
    label = {k: schema.SETTING_BY_KEY[k].label(book.lang)
             for k in ("smtp_from", "manager_email", "smtp_host")}
    where = book.tables["Settings"].sheet
    if not settings.sender:
        raise Refused(say("no From address: fill {setting} or {other} in {sheet}").format(
            setting=label["smtp_from"], other=label["manager_email"], sheet=where))
    if result.send and not settings.host:
        raise Refused(say("no mail server: fill {setting} in {sheet} (or set {variable})")
                      .format(setting=label["smtp_host"], sheet=where, variable=ENV["host"]))
    sender = sender_of(book, settings.sender, book.settings["unsubscribe_address"])
    step(tr("en", "writing {n} messages"), n=len(aud.recipients))
    messages = render_all(book, aud, sender, today, _templates_folder(book, path))
    refuse_unless_writable(path)        # open in Excel or read-only: before anything goes out
    failure = None
    if result.send:
        step(tr("en", "sending {n} messages through {server}"), n=len(messages),
             server=settings.where())
        failure = _send(messages, sender, c.campaign_id, stamp.when, settings, result)
    else:
        result.folder = Path(out) if out is not None else \
            path.resolve().parent / files.folder_name(c.campaign_id, c.name)
        _write_files(book, messages, sender, today, stamp.when, result)
    if result.delivered:
        step(tr("en", "logging them in {book}"), book=path.name)
        _log(wbf, book, result, messages, today, stamp, failure)
    if failure is not None:             # after the write: what was sent is logged
        raise said(SmtpFailed, tr("en", "{error} ({sent} of {total} messages sent and logged in "
                                        "{sheet}; run the campaign again for the rest)"),
                   error=failure, sent=len(result.delivered), total=len(messages),
                   sheet=book.tables["Interactions"].sheet)


def _shown(book: Book, value: str) -> str:
    return schema.show_choice(value, book.lang)


def _templates_folder(book: Book, path: Path) -> Path | None:
    """Settings Templates folder, relative to the workbook's folder when not absolute."""
    folder = text(book.settings["templates_folder"])
    if not folder:
        return None
    p = Path(folder).expanduser()
    return p if p.is_absolute() else path.resolve().parent / p


def _send(messages: list[Rendered], sender, campaign_id: str, when, settings,
          result: CampaignResult) -> SmtpFailed | None:
    """One message at a time; the failure that stopped the loop, or None."""
    try:
        with Mailer(settings) as mailer:
            for m in messages:
                mailer.send(files.email_message(m, sender, campaign_id, when))
                result.delivered.append(m.recipient)
    except SmtpFailed as e:
        return e
    return None


def _write_files(book: Book, messages: list[Rendered], sender, today: dt.date, when,
                 result: CampaignResult) -> None:
    """The .eml files (or the letters), written beside their place and renamed into it."""
    folder = result.folder
    folder.mkdir(parents=True, exist_ok=True)
    c = result.audience.campaign
    with tempfile.TemporaryDirectory(prefix=".acctbook-", dir=folder) as tmp:
        made: list[tuple[Path, Path]] = []
        if c.channel == "Mail":
            for lang in sorted({m.recipient.lang for m in messages}):
                name = files.letter_name(c.campaign_id, c.name, lang)
                group = [m for m in messages if m.recipient.lang == lang]
                made.append((files.write_letter(group, sender, lang, today, Path(tmp) / name,
                                                book.settings.number_format,
                                                book.settings.currency), folder / name))
        else:
            for m in messages:
                name = files.eml_name(m)
                msg = files.email_message(m, sender, c.campaign_id, when)
                made.append((files.write_eml(msg, Path(tmp) / name), folder / name))
        for src, target in made:
            os.replace(src, target)
            result.files.append(target)
    result.delivered = [m.recipient for m in messages]


def _log(wbf: WorkbookFile, book: Book, result: CampaignResult, messages: list[Rendered],
         today: dt.date, stamp: Stamp, failure: SmtpFailed | None) -> None:
    """What went out, into the book in one write (backup kept), with its History row."""
    c = result.audience.campaign
    subject = {m.recipient.contact_id: m.subject for m in messages}
    appends: dict[str, list[dict]] = {"Interactions": [
        {"date": today, "client_id": r.client_id, "contact_id": r.contact_id,
         "channel": c.channel, "direction": "Out", "subject": subject[r.contact_id],
         "outcome": "Info sent", "campaign_id": c.campaign_id} for r in result.delivered]}
    if c.type == INVITATION:
        appends["Attendance"] = _invited(book, c.event_id, result.delivered, today)
    updates = {"Campaigns": {c.row: {"sent_on": today}}} if c.sent_on is None else {}
    result.rows_added = sum(map(len, appends.values()))
    details = [f"{c.campaign_id}: " + ", ".join(
        f"{r.contact_id} {r.name} ({r.client_id})" for r in result.delivered)]
    details += [f.name for f in result.files]
    result.history = history_row("campaign", stamp, rows_added=result.rows_added,
                                 documents=len(result.files), details=details)
    wbf.log(result.history)
    rows = {book.tables[t].spec.name: [row_by_header(book, t, r) for r in rs]
            for t, rs in appends.items() if rs}
    try:
        res = wbf.patch(user_cells(book, updates) or None, appends=rows)
    except AcctbookError as e:
        if result.send:                     # sent but not logged: say who got it
            raise said(Refused, tr("en", "sent {n} messages but could not log them ({error}); "
                                         "add their Interactions rows by hand: {who}"),
                       n=len(result.delivered), error=str(e),
                       who=", ".join(r.contact_id for r in result.delivered)) from e
        for f in result.files:
            f.unlink(missing_ok=True)
        raise
    result.written = True
    result.backup = str(getattr(res, "backup", None) or "") or None


def _invited(book: Book, event_id: str | None, people: list[Recipient],
             today: dt.date) -> list[dict]:
    """An Attendance row per invited contact that has none for the event yet."""
    f = book.frame("Attendance")
    have = {(schema.fold(text(e)), schema.fold(text(p)))
            for e, p in zip(f["event_id"], f["contact_id"])}
    out = []
    for r in people:
        key = (schema.fold(event_id or ""), schema.fold(r.contact_id))
        if key not in have:
            have.add(key)
            out.append({"event_id": event_id, "contact_id": r.contact_id,
                        "client_id": r.client_id, "invited_on": today})
    return out
