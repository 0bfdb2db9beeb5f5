"""The buttons on Home: Refresh, Check, Contract, Quote, Monthly report, Brief, inside Excel.

Each takes the open workbook (`xlwings.Book`; default `xw.Book.caller()`, the desktop
add-in or the standalone VBA module's RunPython) and calls the same code as the CLI,
reading and writing through acctbook.xlbook.book so Excel updates live. Bad data
lands on the Problems sheet, which is then selected; any failure is one friendly
alert, never a traceback. xlwings Lite calls these from workbook/main.py.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any, Callable

from acctbook.book import schema
from acctbook.book.adapter import user_cells
from acctbook.book.gcpause import collector_paused
from acctbook.book.history import DESKTOP, LITE, Stamp, history_row
from acctbook.book.ids import clients_named
from acctbook.book.i18n import tr
from acctbook.book.model import AcctbookError, Refused, SheetTable
from acctbook.book.rules import check_book
from acctbook.core import plan
from acctbook.documents import charts
from acctbook.documents import contract as ct
from acctbook.documents import engine
from acctbook.documents import quote as qt
from acctbook.documents.docx import clean, render_contract
from acctbook.documents.engine import DocumentKind
from acctbook.documents.figures import last_full_month, month_figures
from acctbook.documents.report_html import write_report_files
from acctbook.documents.report_sheet import NUMBER_FORMATS, report_sheet
from acctbook.xlbook import book as xb

TITLE = "acctbook"
IN_LITE = sys.platform == "emscripten"     # xlwings Lite runs Python in Pyodide
# xlwings Lite shows what Python writes under /data in Files > Import/Export, for download.
LITE_DATA = Path("/data")
LITE_DATA_ENV = "ACCTBOOK_LITE_DATA"       # another root than /data: for tests only
# A Local Folder (desktop Excel on Windows) mounted in xlwings Lite: its path as Lite shows
# it, set in Lite's Settings > Environment Variables. Lite's docs do not fix the mount
# path, so acctbook does not guess it.
LITE_FOLDER_ENV = "ACCTBOOK_FOLDER"


def _caller(book):
    if book is not None:
        return book
    import xlwings as xw
    return xw.Book.caller()


def _alert(book, text: str) -> None:
    try:
        book.app.alert(text, title=TITLE)
    except Exception:       # no app to show it (a detached book): say it on stderr instead
        print(f"{TITLE}: {text}", file=sys.stderr)


def book_lang(book) -> str:
    """The open workbook's language before (or without) reading its tables: Hebrew when a
    sheet has a Hebrew name (a Hebrew book's sheets are named in Hebrew), else English."""
    try:
        names = [s.name for s in book.sheets]
    except Exception:       # noqa: BLE001 - a detached book: English
        return "en"
    return "he" if any("\u0590" <= ch <= "\u05ff" for n in names for ch in str(n)) else "en"


def message(e: BaseException, lang: str) -> str:
    """An AcctbookError's one line in `lang`: one raised before the book's language was
    known carries its English message id and arguments (`msgid`, `msgargs`); any other
    already speaks the book's language."""
    msgid = getattr(e, "msgid", None)
    if msgid is None:
        return str(e)
    return tr(lang, msgid).format(**getattr(e, "msgargs", {}))


def _run(book, job: Callable, *args) -> Any:
    """Run one button's job; every failure becomes one line in an alert, in the book's
    language."""
    book = _caller(book)
    try:
        with collector_paused():        # a sixth of a press otherwise (book/gcpause.py)
            return job(book, *args)
    except AcctbookError as e:
        _alert(book, message(e, getattr(e, "lang", None) or book_lang(book)))
    except Exception as e:  # never a traceback in front of the user
        _alert(book, tr(book_lang(book), "Something went wrong ({error}). Please report this "
                                         "with the workbook.").format(
            error=f"{type(e).__name__}: {e}"))
    return None


def _day(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def stamp(today: dt.date | None = None) -> Stamp:
    """A button's History stamp: the date given (tests), else the clock's moment; Where from
    Lite or desktop button; the system's user name on the desktop (Lite has none)."""
    when = today or dt.datetime.now().replace(microsecond=0)
    if IN_LITE:
        return Stamp(when, LITE, None)
    import getpass
    try:
        user = getpass.getuser() or None
    except Exception:       # noqa: BLE001 - no user name the system gives
        user = None
    return Stamp(when, DESKTOP, user)


# --- Refresh ------------------------------------------------------------------------------
def refresh(book=None, today: dt.date | None = None):
    """Check, compute and write the computed columns, Home, Today, Rankings, Segments, Loyalty
    and Problems."""
    return _run(book, _refresh, _day(today), stamp(today))


def _refresh(book, today: dt.date, when: Stamp | None = None):
    bk = xb.OpenWorkbook(book).read_book()
    problems = check_book(bk, today)
    results = plan.refresh_results(bk, problems, today)
    out = xb.write_refresh(book, bk, results, problems)
    errors = sum(p.severity == "error" for p in problems)
    xb.append_history(book, history_row("refresh", when or stamp(today), errors=errors,
                                        cells_changed=out.changes), bk.lang)
    return out


# --- Check ----------------------------------------------------------------------------------
def check(book=None, today: dt.date | None = None):
    """Validate: the Problems sheet (selected when there are any) and Home's two counts."""
    return _run(book, _check, _day(today), stamp(today))


def _check(book, today: dt.date, when: Stamp | None = None):
    bk = xb.load(book)
    problems = check_book(bk, today)
    out = xb.write_problems(book, bk, problems)
    xb.append_history(book, history_row("check", when or stamp(today), errors=sum(
        p.severity == "error" for p in problems)), bk.lang)
    if not problems:
        _alert(book, tr(bk.lang, "No problems found."))
    return out


# --- Contract, Quote: a deal's documents ------------------------------------------------------
def contract(book=None, today: dt.date | None = None, out_dir=None):
    """The contract for the deal in Home's Deal cell (or the selected row, pressed on Deals):
    a .docx next to the workbook and a Draft row in Contracts. In xlwings Lite the .docx
    goes to lite_folder() (/data/<book>/, downloaded from Lite's Files pane)."""
    return _run(book, _contract, _day(today), out_dir, stamp(today))


def _contract(book, today: dt.date, out_dir, when: Stamp | None = None):
    return _document(ct.CONTRACT, book, today, out_dir, when,
                     lambda lang, number, deal: tr(lang, "Contract {contract} for deal {deal}")
                     .format(contract=number, deal=deal), {"button": True})


def quote(book=None, today: dt.date | None = None, out_dir=None):
    """The quote for the deal chosen as for Contract: a .docx next to the workbook (Lite:
    lite_folder()), an Interactions row, the deal's Last quote and, when earlier, its Stage
    moved to Proposal."""
    return _run(book, _quote, _day(today), out_dir, stamp(today))


def _quote(book, today: dt.date, out_dir, when: Stamp | None = None):
    return _document(qt.QUOTE, book, today, out_dir, when,
                     lambda lang, number, deal: tr(lang, "Quote {quote} for deal {deal}")
                     .format(quote=number, deal=deal))


def _document(kind: DocumentKind, book, today: dt.date, out_dir, when: Stamp | None,
              said: Callable[[str, str, str], str], options: dict | None = None):
    """Document `kind` for the chosen deal (the same engine as `acctbook contract`/`quote`):
    the .docx first, then its Register through Excel; a failed write removes the .docx."""
    workbook = xb.OpenWorkbook(book)
    bk = workbook.read_book()
    deals = bk.tables["Deals"]
    row = _chosen_deal(book, bk, kind)
    deal_id = clean(deals.frame.at[row, "deal_id"])
    if not deal_id:
        raise Refused(tr(bk.lang, "row {row} of '{sheet}' has no Deal ID").format(
            row=row, sheet=deals.sheet))
    engine.deal_and_client(bk, deal_id, kind)      # an unknown or refused deal: first
    folder = _contract_folder(book, out_dir, bk.lang)
    client_id = clean(deals.frame.at[row, "client_id"])
    number = engine.next_number(kind.numbers(bk), kind.prefix, today)
    ctx = kind.context(bk, deal_id, today, number,
                       engine.client_tier_discount(bk, client_id, today), **(options or {}))
    template = kind.template(ctx.lang, None)
    engine.check_fields(template, ctx)
    for table in kind.register(ctx, "").appends:   # room for its rows, before the document
        xb.append_target(book, bk.tables[table])
    target = folder / engine.safe_file_name(number, ctx.values["client_name"]
                                            or ctx["client"]["id"])
    if target.exists():
        raise Refused(tr(bk.lang, "{file} already exists; move it away and press the button "
                               "again").format(file=target))
    render_contract(template, ctx, target)
    try:
        register = kind.register(ctx, target.name if out_dir is None else str(target))
        for table, rows in register.appends.items():
            workbook.append_rows(table, rows)
        xb.write_cells(book, user_cells(bk, register.updates))
    except BaseException:
        target.unlink(missing_ok=True)      # all or nothing, as the command line
        raise
    rows = sum(map(len, register.appends.values()))
    xb.append_history(book, history_row(kind.name, when or stamp(today), rows_added=rows,
                                        documents=1,
                                        details=[f"{number}: {target.name}"] + register.details),
                      bk.lang)
    _alert(book, _saved_alert(bk.lang, said(bk.lang, number, deal_id), [target]))
    return target


def _chosen_deal(book, bk, kind: DocumentKind = ct.CONTRACT) -> int:
    """The Excel row in Deals of the deal to make the document for: the selected row when
    Deals is the active sheet (its desktop button keeps the selection); else Home's Deal
    cell, a label from its drop-down ("D-0110 · Acme Ltd") or a Deal ID typed."""
    deals = bk.tables["Deals"]
    where = xb.selected_row(book)
    if where is not None and where[0] == deals.sheet and where[1] in deals.frame.index:
        return where[1]
    value = xb.named_value(book, xb.DEAL_NAME, bk.lang, xb.DEAL_ROW)
    text = "" if value is None else str(value).split("\u00b7")[0].strip().lstrip("'").strip()
    if not text:
        home = schema.generated_sheet("Home", bk.lang)
        if kind.name == "quote":
            raise Refused(tr(bk.lang, "choose a deal in the Deal cell on {home} (or select "
                                      "its row on the {sheet} sheet), then press Quote").format(
                home=home, sheet=deals.sheet))
        raise Refused(tr(bk.lang, "choose a deal in the Deal cell on {home} (or select its "
                                  "row on the {sheet} sheet), then press Contract").format(
            home=home, sheet=deals.sheet))
    rows = ct.find_rows(deals.frame, "deal_id", text)     # exact spelling first, then folded
    if rows:
        return rows[0]
    raise Refused(tr(bk.lang, "deal {deal} (the Deal cell) is not in {sheet}").format(
        deal=text, sheet=deals.sheet))


def _contract_folder(book, out_dir, lang: str) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    if IN_LITE:
        return lite_folder(book)
    full = Path(getattr(book, "fullname", "") or "")
    if not full.is_absolute() or not full.parent.is_dir():
        raise Refused(tr(lang, "save the workbook to a folder first: the contract goes next "
                               "to it"))
    return full.parent


def lite_data() -> Path:
    """xlwings Lite's /data (or, for tests, the folder ACCTBOOK_LITE_DATA names)."""
    return Path(os.environ.get(LITE_DATA_ENV) or LITE_DATA)


def lite_folder(book) -> Path:
    """Where the buttons' files go in xlwings Lite: the Local Folder named by
    ACCTBOOK_FOLDER when it is mounted, else <data root>/<book name without extension>/."""
    mounted = os.environ.get(LITE_FOLDER_ENV, "").strip()
    if mounted and Path(mounted).is_dir():
        return Path(mounted)
    name = str(getattr(book, "name", None) or "")
    stem = Path(name.replace("\\", "/").split("/")[-1]).stem.strip() or "acctbook"
    folder = lite_data() / stem
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _saved_alert(lang: str, what: str, paths: list[Path]) -> str:
    """What a button made (`what`, in the book's language) and where; in xlwings Lite also
    how to get the file out."""
    text = f"{what}: " + ", ".join(str(p) for p in paths)
    if IN_LITE and paths and _under(paths[0], lite_data()):
        text += ". " + tr(lang, "To download: Files → Import/Export in the xlwings Lite pane.")
    return text


def _under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


# --- Monthly report ----------------------------------------------------------------------------
def monthly_report(book=None, today: dt.date | None = None, out_dir=None):
    """The `Report YYYY-MM` sheet for the month on Home (blank: the last full month), with
    its three charts as pictures; also `<book> report-YYYY-MM.html` next to the workbook
    (xlwings Lite: in lite_folder(), and an alert says where)."""
    return _run(book, _monthly_report, _day(today), out_dir, stamp(today))


def report_month(value: Any, today: dt.date, lang: str = "en") -> str:
    """The month typed on Home: '2026-02', a date Excel made of it, or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return last_full_month(today)
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year}-{value.month:02d}"
    text = str(value).strip().lstrip("'")
    parts = text.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12:
        return f"{int(parts[0]):04d}-{int(parts[1]):02d}"
    raise Refused(tr(lang, "'{value}' on {home} is not a month: type it as YYYY-MM (e.g. "
                           "2026-02) or leave it blank for the last full month").format(
        value=text, home=schema.generated_sheet("Home", lang)))


def _monthly_report(book, today: dt.date, out_dir, when: Stamp | None = None):
    bk = xb.load(book)
    month = report_month(xb.home_value(book, bk.lang, xb.REPORT_MONTH_ROW), today, bk.lang)
    figures = month_figures(bk, month, today)       # refuses a month not yet started
    desc = report_sheet(figures, bk.lang)
    sheet = xb.write_report_sheet(book, desc, NUMBER_FORMATS)
    charted = add_report_charts(sheet, desc)
    folder = Path(out_dir) if out_dir is not None else _book_folder(book)
    paths = (write_report_files(figures, folder, bk.lang, book=getattr(book, "name", None))
             if folder is not None else {})
    xb.append_history(book, history_row("report", when or stamp(today), details=[desc["name"]],
                                        documents=sum(1 for p in paths.values() if p)), bk.lang)
    said = []
    if IN_LITE and paths:
        said.append(_saved_alert(bk.lang, desc["name"], [paths["html"]]))
    if not charted:        # never a report without its charts unsaid
        said.append(tr(bk.lang, "The charts need matplotlib: pip install matplotlib (in "
                                "xlwings Lite: add matplotlib to requirements.txt)."))
    if said:
        _alert(book, " ".join(said))
    return desc["name"]


def _book_folder(book) -> Path | None:
    if IN_LITE:
        return lite_folder(book)
    full = Path(getattr(book, "fullname", "") or "")
    return full.parent if full.is_absolute() and full.parent.is_dir() else None


def add_report_charts(sheet, desc: dict) -> bool:
    """The report's charts as pictures right of its tables (acctbook.documents.charts: the remote
    engine of xlwings Lite has no native charts); a second press replaces them by name.
    False when matplotlib is missing."""
    if not desc.get("charts"):
        return True
    if not charts.available():
        return False
    import tempfile
    with tempfile.TemporaryDirectory(prefix="acctbook-charts-") as tmp:
        for pic in charts.report_pictures(desc):
            path = Path(tmp) / f"{pic['name']}.png"
            path.write_bytes(pic["png"])
            sheet.pictures.add(str(path), name=pic["name"], update=True,
                               anchor=sheet.range((pic["row"] + 1, pic["col"] + 1)))
    return True


# --- Brief ------------------------------------------------------------------------------------
def brief(book=None, today: dt.date | None = None):
    """The brief of the client in Home's Client cell (the same content as `acctbook brief`)
    on the Brief sheet, rebuilt whole; nothing else in the book is written but History."""
    return _run(book, _brief, _day(today), stamp(today))


def chosen_client(book, bk) -> str:
    """The Client ID in Home's Client cell: a name from its drop-down or a Client ID typed."""
    value = xb.named_value(book, schema.CLIENT_NAME, bk.lang, schema.CLIENT_ROW)
    text = "" if value is None else str(value).strip()
    home, sheet = schema.generated_sheet("Home", bk.lang), bk.tables["Clients"].sheet
    if not text:
        raise Refused(tr(bk.lang, "choose a client in the Client cell on {home}, then press "
                                  "Brief").format(home=home))
    ids = clients_named(bk.frame("Clients"), text)
    if len(ids) > 1:
        raise Refused(tr(bk.lang, "{count} clients are named {client} on {sheet} ({ids}): type "
                                  "the Client ID in the Client cell").format(
            count=len(ids), client=text, sheet=sheet, ids=", ".join(ids)))
    if not ids:
        raise Refused(tr(bk.lang, "client {client} (the Client cell) is not in {sheet}").format(
            client=text, sheet=sheet))
    return ids[0]


def _brief(book, today: dt.date, when: Stamp | None = None):
    from acctbook.core.brief import brief_rows, build_brief
    bk = xb.OpenWorkbook(book).read_book()
    client_id = chosen_client(book, bk)
    problems = check_book(bk, today)
    results = plan.refresh_results(bk, problems, today)
    header, rows = brief_rows(build_brief(bk, results, client_id, today), bk.lang)
    spec = schema.BRIEF
    st = SheetTable(sheet=spec.sheet(bk.lang), table=spec.name, header=header, rows=rows,
                    widths=[c.width for c in spec.columns], rtl=bk.lang == "he",
                    formats=[c.number_format for c in spec.columns])
    xb.write_table(book, st)
    xb.select_sheet(book, st.sheet, spec.name)
    xb.append_history(book, history_row("brief", when or stamp(today), details=[client_id]),
                      bk.lang)
    return client_id


# --- what xlwings Lite's main.py and the VBA buttons call -----------------------------------------
BUTTONS = {key: globals()[key] for key, _en, _he in schema.HOME_BUTTONS}

