"""The commands that reach out to many clients at once: campaign (a Campaigns row's e-mails or
letters, docs/campaigns.md), a parser and a function that calls one api function and prints
who got the message, who was skipped and why, and what was written."""

from __future__ import annotations


from acctbook import api
from acctbook.book.i18n import tr, trn
from acctbook.cli_common import book_argument, errors_exit, lang_of, progress_bar, today_option
from acctbook.cli_output import print_json


def _who(item, lang: str) -> str:
    """`P-0001 Dana Levi (C-001 Acme Ltd)`, or the client alone."""
    client = f"{item.client_id} {item.client_name}".strip()
    if item.contact_id is None:
        return client
    return f"{item.contact_id} {item.name or ''}".strip() + f" ({client})"


def campaign_lines(r, book: str, lang: str) -> list[str]:
    """What `acctbook campaign` prints: a line per recipient and per skipped contact, then
    what was done."""
    aud, c = r.audience, r.audience.campaign
    lines = [tr(lang, "to {who}").format(who=_who(x, lang)) + (f" <{x.email}>" if x.email else "")
             for x in aud.recipients]
    lines += [tr(lang, "skipped {who}: {reason}").format(who=_who(s, lang), reason=s.reason)
              for s in aud.skipped]
    n, k = len(aud.recipients), len(aud.skipped)
    head = tr(lang, "campaign {campaign}: {recipients}, {skipped}").format(
        campaign=c.campaign_id,
        recipients=trn(lang, "{n} recipient", "{n} recipients", n).format(n=n),
        skipped=trn(lang, "{n} skipped", "{n} skipped", k).format(n=k))
    if r.dry_run:
        lines.append(head + "; " + tr(lang, "dry run: nothing sent or written"))
    elif not aud.recipients:
        lines.append(head + "; " + tr(lang, "nothing to send"))
    else:
        done = len(r.delivered)
        what = (trn(lang, "{n} message sent", "{n} messages sent", done) if r.send else
                trn(lang, "{n} file written in {folder}", "{n} files written in {folder}",
                    len(r.files))).format(n=done if r.send else len(r.files), folder=r.folder)
        rows = trn(lang, "{n} row added to {book}", "{n} rows added to {book}",
                   r.rows_added).format(n=r.rows_added, book=book)
        lines.append(f"{head}; {what}; {rows}"
                     + (tr(lang, "; previous version kept as {backup}").format(backup=r.backup)
                        if r.backup else ""))
    return lines


def cmd_campaign(a) -> int:
    with progress_bar(a, tr("en", "campaign {campaign}"), campaign=a.campaign_id) as progress:
        r = api.campaign(a.book, a.campaign_id, out=a.out, send=a.send, dry_run=a.dry_run,
                         all_contacts=a.all_contacts, today=a.today, progress=progress)
    lang = lang_of(a, r)
    if a.json:
        print_json(r.as_json())
    else:
        print("\n".join(campaign_lines(r, a.book, lang)))
    return errors_exit(a, r.problems, lang)     # done all the same, as refresh would


def campaign_commands(add) -> None:
    """`acctbook campaign`."""
    p = add("campaign", cmd_campaign, "a campaign's e-mails (.eml or SMTP) or letters (.docx)")
    book_argument(p)
    p.add_argument("campaign_id", metavar="CAMPAIGN_ID",
                   help="the campaign's Campaign ID in the Campaigns sheet (e.g. CMP-01)")
    p.add_argument("--out", metavar="DIR",
                   help="folder for the .eml files or letters (default: beside the workbook, "
                        "named after the campaign)")
    p.add_argument("--send", action="store_true",
                   help="send the e-mails through the SMTP server in Settings instead of "
                        "writing .eml files")
    p.add_argument("--dry-run", action="store_true",
                   help="list the recipients and who is skipped; send and write nothing")
    p.add_argument("--all-contacts", action="store_true",
                   help="every contact of each client, not only its primary one")
    today_option(p)
