"""The `acctbook` command's help texts: what each command does, its examples, and the
epilog every `acctbook --help` ends with (argparse's help stays English)."""

from __future__ import annotations

from acctbook.book.i18n import tr

ABOUT = {   # the command's description: what it does, what it writes
    "new": "Create a workbook from the schema: every sheet a table with drop-downs, date and "
           "number checks and formats. An existing file is never replaced.",
    "demo": "The main job on the built-in example: two demo workbooks (English and Hebrew) in "
            "DIR, checked and refreshed, a contract for a deal in each language and the monthly "
            "report for the last full month; every path is printed. Run again, it keeps the "
            "earlier books as *.previous.xlsx.",
    "check": "Check every rule on a workbook and print each problem as BOOK:Sheet!CELL: message "
             "(docs/problems.md lists them); the count goes to stderr. Writes nothing.",
    "refresh": "Check the workbook, compute follow-ups, ranking, risk and the call queue, and "
               "write them into its grey columns and its sheets Today, Rankings, Segments, Loyalty "
               "and Problems. The previous version is kept as BOOK.bak.xlsx.",
    "calls": "Print the call queue: every client due today or overdue, most urgent first, with "
             "the reason, the contact and the phone. Writes nothing.",
    "contract": "Fill the contract template for a deal: 'CTR-YYYY-NNNN <client>.docx' beside "
                "the workbook (or in --out), and a Draft row in its Contracts sheet. All or "
                "nothing: refused for a Lost deal or while a cell it uses has an error. A deal "
                "that already has a contract is refused unless --new-version: then "
                "CTR-YYYY-NNNN-v2 supersedes it (its row becomes Superseded) and what changed "
                "is listed.",
    "quote": "Make a price quote for a deal: 'QUO-YYYY-NNNN <client>.docx' beside the "
             "workbook (or in --out) with the deal's items, tier discount, VAT, currency, "
             "payment and delivery terms and a validity date (Settings Quote validity days, "
             "30 by default; --valid-days overrides). Adds an Interactions row (Proposal "
             "sent), fills the deal's Last quote and moves it to Proposal from an earlier "
             "stage. Refused for a Lost or Won deal.",
    "delivery-note": "Make the delivery note of an order: 'DN-YYYY-NNNN <client>.docx' beside "
                     "the workbook (or in --out) with every line of the Order ID (Cancelled "
                     "lines left out): ordered, delivered, still to deliver, and where to. "
                     "Writes its number into the order's Delivery note cells.",
    "invoice": "Make the proforma invoice of an order: 'INV-YYYY-NNNN <client>.docx' with its "
               "lines, discounts, VAT, total, due date (the order's Invoice due, else the "
               "invoice date + the client's Payment terms) and Settings Bank details. Writes "
               "its number into the order's Invoice no. cells, and Invoice date (today) and "
               "Invoice due where blank. Refused for an order already invoiced.",
    "report": "The monthly report: a 'Report YYYY-MM' sheet with charts added to the workbook "
              "and an HTML report beside it; --pdf adds a PDF.",
    "brief": "One client on one page before a meeting: 'brief-CLIENT_ID.html' beside the "
             "workbook (or in --out; --pdf adds a PDF), in the book's language: the client at a "
             "glance (status, class, tier, rank and its points, risk and why, Revenue 12m and "
             "its last 12 months), the contacts (primary first, birthdays in the next 30 days), "
             "the last ten touches, everything open (deals, undelivered orders, unpaid invoices, "
             "complaints with their SLA, contracts with their renewal date), the competitors in "
             "play with their SWOT and what to offer. --json prints the same content instead and "
             "writes no file. Writes nothing into the workbook.",
    "calendar": "Write the book's dates as an iCalendar file (.ics) that Outlook, Google "
                "Calendar and Apple Calendar open or subscribe to: each client's next "
                "follow-up (overdue ones on today), contract renewals (End minus Renewal "
                "notice), complaint SLA due dates, events and the client contacts' birthdays, "
                "from today to today + --days, all-day, in the book's language. Each item "
                "keeps its UID from run to run, so importing again updates instead of "
                "duplicating. Default file: BOOK's name with .ics, beside it. Writes nothing "
                "into the workbook.",
    "campaign": "Run a campaign of the Campaigns sheet (docs/campaigns.md): its audience "
                "(each matching client's primary contact, every contact with --all-contacts) "
                "resolved, each recipient and each skipped contact listed with the reason (no "
                "marketing consent, no e-mail, client Lost, language, already sent), and one "
                "message per recipient rendered from its template, in the client's language "
                "(right to left in Hebrew), with an opt-out line. Without --send: an .eml file "
                "per recipient in a folder beside the workbook (or --out), for any mail "
                "program; Channel Mail: one letter .docx with a page per recipient. --send: "
                "through the SMTP server in Settings (the password from ACCTBOOK_SMTP_PASSWORD "
                "only). Each message is logged as an Interactions row (Info sent, the Campaign "
                "ID), an Event invitation adds Attendance rows, the campaign's Sent on is set "
                "and a History row added; BOOK.bak.xlsx is kept. Running it again never sends "
                "twice to a contact already logged. --dry-run writes and sends nothing.",
    "batch": "Refresh many workbooks, one line each; one bad workbook does not stop the others. "
             "The books are refreshed in --jobs processes (default: the number of cores), or "
             "on a Dask cluster with --scheduler (docs/team.md); --json prints each book's "
             "state instead (refreshed, refreshed with errors, refused, unreadable). "
             "Exits with the worst book's own code.",
    "team": "A head of sales' roll-up over many managers' books (docs/team.md): each book "
            "read (never written), checked and computed as refresh would, in --jobs "
            "processes (default: the number of cores) or on a Dask cluster (--scheduler), "
            "into a new team workbook (default team.xlsx here; --out): a Managers row per "
            "book (clients, key accounts, revenue 12m and growth, weighted pipeline, deals "
            "won and lost this month, follow-ups overdue and due today, A clients past their "
            "cadence, open complaints and SLA met, errors, last refresh), the pipeline by "
            "stage and by expected close month, the clients two managers both hold "
            "(Conflicts), each manager's five most overdue key accounts, and the books that "
            "could not be read and why; in --lang's language (default: the system's), right "
            "to left in Hebrew. --html adds a dashboard page beside it; --json prints the "
            "same content and writes no file. Exit 0, or 2 when a book could not be read "
            "(the others are in the team).",
    "import": "Bring in the client list you already keep (.csv in any common encoding and "
              "delimiter, .xlsx, .xlsm, .xls, .xlsb, .ods; the header row found even below a "
              "title): headers matched to acctbook's columns in English and Hebrew, each with "
              "its confidence; person columns become Contacts, a contact log (date, client, "
              "subject) Interactions. BOOK is made (buttons and all; --lang sets its language) "
              "or added to: new rows appended, clients it has already (same Client ID, company "
              "number or name) only get their blank cells filled, columns it cannot place kept "
              "as your own columns of Clients, backup kept; a History row (dated --today when "
              "given) lists each client added or filled. Every problem is a line SOURCE:ROW. "
              "Exit 0 imported, 1 imported with the source's faults "
              "reported, 2 a source that cannot be read.",
    "history": "Print what acctbook wrote into a workbook, oldest first, from its History sheet: "
               "when, the command, where from (CLI, desktop button, Lite), the version, the "
               "user, and the cells changed, rows added, documents written and errors of each "
               "write. Writes nothing.",
    "upgrade": "Bring a book made by an earlier acctbook (or any acctbook-shaped workbook) to "
               "this version in place: the xlwings Lite code replaced, the Home buttons, new "
               "columns, tables and settings added with their defaults, the version stamp set; "
               "every cell of yours kept, each missing sheet at its place in the tabs; a History "
               "row (dated --today when given) lists what was added. The previous version is "
               "kept as BOOK.bak.xlsx.",
}
EXAMPLES = {
    "new": """\
  acctbook new clients.xlsx               an empty English workbook
  acctbook new clients.he.xlsx --lang he  a Hebrew one, right to left
  acctbook new try.xlsx --demo            filled with realistic demo data
  acctbook new clients.xlsm --macros      with buttons for desktop xlwings""",
    "demo": """\
  acctbook demo                           into ./acctbook-demo
  acctbook demo my-demo --pdf             PDFs too (takes longer)
  acctbook demo --today 2026-11-26        as of a fixed day""",
    "check": """\
  acctbook check clients.xlsx
  acctbook check clients.xlsx --json > problems.json""",
    "refresh": """\
  acctbook refresh clients.xlsx
  acctbook refresh clients.xlsx --dry-run     what would change; nothing written
  acctbook refresh clients.xlsx --adopt-rows  take in rows typed below a table
  acctbook refresh clients.xlsx --calendar clients.ics   and rewrite the calendar""",
    "calls": """\
  acctbook calls clients.xlsx
  acctbook calls clients.xlsx --today 2026-12-01 --json""",
    "contract": """\
  acctbook contract clients.xlsx D-0110
  acctbook contract clients.xlsx D-0110 --pdf --out contracts
  acctbook contract clients.xlsx D-0110 --new-version""",
    "quote": """\
  acctbook quote clients.xlsx D-0110
  acctbook quote clients.xlsx D-0110 --valid-days 14 --pdf --out quotes""",
    "delivery-note": """\
  acctbook delivery-note clients.xlsx O-1042
  acctbook delivery-note clients.xlsx O-1042 --pdf --out deliveries""",
    "invoice": """\
  acctbook invoice clients.xlsx O-1042
  acctbook invoice clients.xlsx O-1042 --pdf --out invoices --today 2026-11-30""",
    "report": """\
  acctbook report clients.xlsx                  the last full month
  acctbook report clients.xlsx --month 2026-10 --pdf --out reports""",
    "brief": """\
  acctbook brief clients.xlsx C-004                   brief-C-004.html beside the book
  acctbook brief clients.xlsx C-004 --pdf --out briefs
  acctbook brief clients.xlsx C-004 --json > c-004.json""",
    "calendar": """\
  acctbook calendar clients.xlsx                      clients.ics beside the book
  acctbook calendar clients.xlsx --out calendars/work.ics --days 30
  acctbook calendar clients.xlsx --today 2026-12-01    as of a fixed day""",
    "campaign": """\
  acctbook campaign clients.xlsx CMP-01 --dry-run       who would get it, and who not
  acctbook campaign clients.xlsx CMP-01                 .eml files beside the book
  acctbook campaign clients.xlsx CMP-01 --send          through the SMTP server
  acctbook campaign clients.xlsx CMP-02 --out letters --all-contacts --json""",
    "batch": """\
  acctbook batch anna.xlsx dan.xlsx
  acctbook batch team/                    every workbook in a folder
  acctbook batch 'books/*.xlsx' --quiet   a pattern; no progress bar
  acctbook batch team/ --jobs 4 --json    four processes; each book's state as JSON
  acctbook batch //share/books --scheduler tcp://dask-head:8786""",
    "team": """\
  acctbook team books/                        team.xlsx here, from every book in books/
  acctbook team anna.xlsx dan.xlsx --out sales.xlsx --html    and sales.html
  acctbook team 'books/*.xlsx' --lang he --jobs 2 --today 2026-11-30
  acctbook team //share/books --scheduler tcp://dask-head:8786
  acctbook team books/ --json                 the same content as JSON; no file""",
    "import": """\
  acctbook import accounts.csv --into clients.xlsx               make a book from your list
  acctbook import list.xlsx --into clients.xlsx --dry-run        the mapping; nothing written
  acctbook import crm.csv calls.csv --into clients.xlsx --map "Cust. no=Client ID"
  acctbook import clients.ods --into clients.he.xlsx --lang he --sheet Sheet2""",
    "history": """\
  acctbook history clients.xlsx
  acctbook history clients.xlsx --json > history.json""",
    "upgrade": """\
  acctbook upgrade clients.xlsx             in place; clients.bak.xlsx kept
  acctbook upgrade clients.xlsx --dry-run   what would be added; nothing written
  acctbook upgrade clients.xlsx --macros    also clients.xlsm with desktop buttons
  acctbook upgrade clients.xlsx --today 2026-03-10   History dated that day""",
}
EPILOG = """\
Start here:
  acctbook demo                 the whole day on a built-in example
  acctbook new clients.xlsx     a workbook of your own
  acctbook COMMAND --help       a command's arguments and examples

Progress: a command that takes a while shows it on stderr while that is a
terminal; -q/--quiet (before or after the command) turns it off, and it never
appears with --json or in a pipe.

Exit codes:
  0  done
  1  the book has errors, or the request was refused (e.g. Excel has it open)
  2  bad usage, or a file that cannot be read

More: README.md ("The commands", "Exit codes"); docs/problems.md, docs/rules.md."""
IMPORT_OPTIONS = (   # `acctbook import`'s arguments: (flags, argparse keywords)
    (("sources",), dict(nargs="+", metavar="SOURCE",
                        help="a list to import: .csv, .xlsx, .xlsm, .xls, .xlsb or .ods")),
    (("--into",), dict(required=True, metavar="BOOK",
                       help="the workbook to import into (.xlsx; made when missing)")),
    (("--map",), dict(action="append", default=[], metavar='"Header=Column"',
                      help="put a header's column where you say (e.g. \"Cust. no=Client ID\"; "
                           "\"Header=-\" keeps it as your own column); repeatable")),
    (("--sheet",), dict(metavar="NAME", help="the sheet of a spreadsheet source (default: "
                                             "the first that holds a list)")),
    (("--dry-run",), dict(action="store_true", help="print the mapping and the first rows as "
                                                    "they would land; write nothing")),
    (("--json",), dict(action="store_true", help="print the mapping, counts and problems as "
                                                 "JSON")),
)
# The order documents: command -> (its help line, its progress label), and their arguments.
ORDER_DOCUMENTS = {
    "delivery-note": ("a delivery note for an order (.docx): ordered, delivered, still to "
                      "deliver", tr("en", "delivery note for order {order}")),
    "invoice": ("a proforma invoice for an order (.docx), with its due date and bank details",
                tr("en", "invoice for order {order}")),
}
ORDER_OPTIONS = (
    (("book",), dict(metavar="BOOK", help="the workbook (.xlsx or .xlsm)")),
    (("order_id",), dict(metavar="ORDER_ID", help="the order's Order ID in the Orders sheet "
                                                  "(e.g. O-1042); all its lines")),
    (("--out",), dict(metavar="DIR", help="folder for the documents (default: beside the "
                                          "workbook)")),
    (("--pdf",), dict(action="store_true", help="also a PDF (through Word or LibreOffice)")),
)
QUIET_HELP = "no progress display (results, notes and errors still print)"
LANG_HELP = ("the language acctbook speaks in where there is no book to follow (e.g. a missing "
             "file): en or he (default: the system's language); a book speaks its own")


# argparse's own usage errors (Python's gettext messages, marked here so that Babel puts them
# in acctbook's catalog): cli.argparse_speaks() has argparse say them in the reader's
# language. Its help headings ("options", "positional arguments") stay English, as the help.
ARGPARSE_MESSAGES = (
    tr("en", "usage: "),
    tr("en", "%(prog)s: error: %(message)s\n"),
    tr("en", "the following arguments are required: %s"),
    tr("en", "argument %(argument_name)s: %(message)s"),
    tr("en", "invalid choice: %(value)r (choose from %(choices)s)"),
    tr("en", "expected one argument"),
    tr("en", "expected at least one argument"),
    tr("en", "expected at most one argument"),
    tr("en", "unrecognized arguments: %s"),
    tr("en", "ambiguous option: %(option)s could match %(matches)s"),
    tr("en", "invalid %(type)s value: %(value)r"),
    tr("en", "one of the arguments %s is required"),
    tr("en", "not allowed with argument %s"),
)
