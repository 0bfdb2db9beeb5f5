"""The document commands: contract, quote, delivery-note, invoice and report, each a parser
and a function that calls one api function and prints what it wrote."""

from __future__ import annotations

from acctbook import api, cli_help, cli_output
from acctbook.book import schema
from acctbook.book.i18n import tr
from acctbook.cli_common import book_argument, document_options, lang_of, progress_bar, today_option


def cmd_contract(a) -> int:
    with progress_bar(a, tr("en", "contract for {deal}"), deal=a.deal_id) as progress:
        r = api.contract(a.book, a.deal_id, out=a.out, pdf=a.pdf, today=a.today,
                         progress=progress, new_version=a.new_version)
    lang = lang_of(a, r)             # r.lang: the book's language (jobs.contract)
    table = schema.CONTRACTS
    print(tr(lang, "contract {contract}: {files}; {sheet} row added to {book} ({column} "
                   "{value})").format(
        contract=r.contract_id, files=", ".join(str(f) for f in (r.docx, r.pdf) if f),
        sheet=table.sheet(lang), book=a.book, column=table.column("status").label(lang),
        value=schema.show_choice("Draft", lang)))
    for line in cli_output.superseded(r, lang):      # after --new-version
        print(line)
    return 0


def cmd_quote(a) -> int:
    with progress_bar(a, tr("en", "quote for {deal}"), deal=a.deal_id) as progress:
        r = api.quote(a.book, a.deal_id, out=a.out, pdf=a.pdf, valid_days=a.valid_days,
                      today=a.today, progress=progress)
    lang = lang_of(a, r)
    print(tr(lang, "quote {quote}: {files}; valid until {date}; {sheet} row added to {book}")
          .format(quote=r.quote_id, files=", ".join(str(f) for f in (r.docx, r.pdf) if f),
                  date=r.valid_until.isoformat(), sheet=schema.INTERACTIONS.sheet(lang),
                  book=a.book) + (tr(lang, "; deal {deal} moved to {stage}").format(
                      deal=r.deal_id, stage=schema.show_choice(r.stage, lang)) if r.stage else ""))
    return 0


def cmd_order_document(a) -> int:
    with progress_bar(a, cli_help.ORDER_DOCUMENTS[a.command][1], order=a.order_id) as progress:
        r = api.order_document(a.command, a.book, a.order_id, a.out, a.pdf, a.today, progress)
    print(cli_output.order_document_line(r, lang_of(a, r), a.book))
    return 0


def cmd_report(a) -> int:
    with progress_bar(a, tr("en", "monthly report")) as progress:
        r = api.report(a.book, a.month, out=a.out, pdf=a.pdf, today=a.today, progress=progress)
    lang = lang_of(a, r.report)       # the figures carry the book's language
    paths = ", ".join(str(p) for p in r.files.values() if p)
    print(tr(lang, "report {month}: {files}").format(month=r.month, files=paths)
          + (tr(lang, "; sheet '{sheet}' in {book}").format(sheet=r.sheet, book=a.book)
             if r.sheet else ""))
    return 0


def document_commands(add) -> None:
    p = add("contract", cmd_contract, "fill the contract template for a deal")
    book_argument(p, json=False)
    p.add_argument("deal_id", metavar="DEAL_ID", help="the deal's Deal ID in the Deals sheet "
                                                      "(e.g. D-0110)")
    document_options(p)
    p.add_argument("--new-version", action="store_true", help=cli_output.NEW_VERSION_HELP)
    today_option(p)
    p = add("quote", cmd_quote, "a price quote for a deal (.docx), logged in Interactions")
    book_argument(p, json=False)
    p.add_argument("deal_id", metavar="DEAL_ID", help="the deal's Deal ID (e.g. D-0110)")
    document_options(p)
    p.add_argument("--valid-days", type=int, metavar="N",
                   help="days the quote is valid (default: Settings Quote validity days, 30)")
    today_option(p)
    for name, (about, _) in cli_help.ORDER_DOCUMENTS.items():
        p = add(name, cmd_order_document, about)
        for flags, kw in cli_help.ORDER_OPTIONS:
            p.add_argument(*flags, **kw)
        today_option(p)
    p = add("report", cmd_report, "the monthly report: a sheet, HTML and PDF")
    book_argument(p, json=False)
    p.add_argument("--month", metavar="YYYY-MM", help="the month (default: the last full month)")
    document_options(p)
    today_option(p)
