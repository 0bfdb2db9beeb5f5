"""Home, the first sheet of a new workbook: title, KPI labels, the report month, Deal and
Client cells, help lines; and the hidden Lists sheet behind the Deal drop-down. The buttons are
drawn by lite.py (docs/excel.md shows them at work)."""

from __future__ import annotations

from acctbook.book import schema
from acctbook.create.style import TEXT, Formats
from acctbook.create.vba import MACROS


def write_home(ws, lang: str, fmt: Formats) -> None:
    # The title spans A:C (C is the gap before the buttons), so it is never cut.
    ws.merge_range(0, 0, 0, 2, schema.HOME_TITLE[lang == "he"], fmt.title)
    ws.set_row(0, 24)
    # Columns carry the book's reading order, for the notes refresh writes into C.
    ws.set_column(0, 0, max(len(k[2 if lang == "he" else 1]) for k in schema.HOME_KPIS) + 4,
                  fmt.text)
    ws.set_column(1, 1, 16, fmt.text)
    ws.set_column(2, 5, 12, fmt.text)  # C gap, D–F kept free for the buttons
    ws.set_column(7, 7, 72, fmt.text)
    ws.set_landscape()                 # Home prints on one page, buttons and help included
    ws.fit_to_pages(1, 1)
    for i, (key, en, he) in enumerate(schema.HOME_KPIS):
        r = schema.HOME_FIRST_ROW - 1 + i
        ws.write_string(r, 0, he if lang == "he" else en, fmt.label)
        ws.write_blank(r, 1, None, fmt.home.get(key, fmt.home_count))
    # The Monthly report button reads its month here (acctbook.excel.report_month).
    ws.write_string(schema.REPORT_MONTH_ROW - 1, 0, schema.REPORT_MONTH_LABEL[lang == "he"],
                    fmt.label_bold)
    ws.write_blank(schema.REPORT_MONTH_ROW - 1, 1, None, fmt.month)
    help_lines = TEXT[lang]["help"]
    ws.write_string(schema.HOME_FIRST_ROW - 1, 7, help_lines[0], fmt.label_bold)
    for i, line in enumerate(help_lines[1:], start=schema.HOME_FIRST_ROW):
        ws.write_string(i, 7, line, fmt.wrap)


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def deal_input(wb, ws, lang: str, fmt: Formats) -> None:
    """Home's Deal cell for the Contract button: named schema.DEAL_NAME, with a drop-down of the
    deals not Lost from the Lists sheet. Typing a Deal ID is allowed (no error alert)."""
    r = schema.DEAL_ROW - 1
    ws.write_string(r, 0, schema.DEAL_LABEL[lang == "he"], fmt.label_bold)
    ws.write_blank(r, 1, None, fmt.month)        # text: a typed ID stays as typed
    wb.define_name(schema.DEAL_NAME, f"={_quoted(ws.get_name())}!$B${schema.DEAL_ROW}")
    ws.data_validation(r, 1, r, 1, {
        "validate": "list", "source": deal_list_source(lang), "show_error": False,
        "input_title": schema.DEAL_LABEL[lang == "he"], "input_message": TEXT[lang]["deal"]})


def client_input(wb, ws, lang: str, fmt: Formats) -> None:
    """Home's Client cell for the Brief button: named schema.CLIENT_NAME, with a drop-down of
    the clients' names (schema.CLIENT_LIST = Clients[Name], growing with the table). Typing
    a Client ID is allowed (no error alert)."""
    r = schema.CLIENT_ROW - 1
    ws.write_string(r, 0, schema.CLIENT_LABEL[lang == "he"], fmt.label_bold)
    ws.write_blank(r, 1, None, fmt.month)        # text: a typed ID stays as typed
    wb.define_name(schema.CLIENT_NAME, f"={_quoted(ws.get_name())}!$B${schema.CLIENT_ROW}")
    wb.define_name(schema.CLIENT_LIST, "=" + schema.structured_ref(schema.CLIENTS, "name", lang))
    ws.data_validation(r, 1, r, 1, {
        "validate": "list", "source": "=" + schema.CLIENT_LIST, "show_error": False,
        "input_title": schema.CLIENT_LABEL[lang == "he"], "input_message": TEXT[lang]["client"]})


def lists_sheet(ws, lang: str) -> None:
    """The hidden Lists sheet `ws`: column B, per Deals row k, "D-0110 · Acme Ltd" (blank past
    the table's end, for a blank Deal ID or a Lost deal); C counts B's labels so far; A is
    the k-th label, so the list has no gaps. Plain formulas over structured references
    (Excel 2010+, LibreOffice): they follow Deals as it grows. k is ROW()-1 (not volatile),
    so every row's formula is the same text and the sheet compresses to almost nothing."""
    n = schema.DEAL_LIST_ROWS
    deal, client = (schema.structured_ref(schema.DEALS, k, lang) for k in ("deal_id", "client_id"))
    stage = schema.structured_ref(schema.DEALS, "stage", lang)
    name, cid = (schema.structured_ref(schema.CLIENTS, k, lang) for k in ("name", "client_id"))
    k = "ROW()-1"
    lost = ",".join(f'INDEX({stage},{k})="{v}"' for v in dict.fromkeys(
        ("Lost", schema.show_choice("Lost", lang))))
    label = (f'=IF({k}>ROWS({deal}),"",IF(OR(INDEX({deal},{k})="",{lost}),"",'
             f'INDEX({deal},{k})&IFERROR(" \u00b7 "&INDEX({name},MATCH(INDEX({client},{k}),'
             f'{cid},0)),"")))')
    kth = f'=IF({k}>$C${n + 1},"",INDEX($B$2:$B${n + 1},MATCH({k},$C$2:$C${n + 1},0)))'
    ws.write_string(0, 0, TEXT[lang]["lists"])
    ws.write_number(0, 2, 0)
    for r in range(1, n + 1):
        ws.write_formula(r, 0, kth, None, "")
        ws.write_formula(r, 1, label, None, "")
        ws.write_formula(r, 2, f'=C{r}+(B{r + 1}<>"")', None, 0)
    ws.set_column(0, 1, 36)
    ws.hide()


def deal_list_source(lang: str) -> str:
    """The Deal drop-down's source: Lists' filled rows of column A. A formula in the rule,
    not a defined name: xlwings Lite's client sends every name of type Range with its
    address, and a name computed by a formula is safer left out of that."""
    lists, end = _quoted(schema.lists_sheet(lang)), schema.DEAL_LIST_ROWS + 1
    return f"={lists}!$A$2:INDEX({lists}!$A$2:$A${end},MAX(1,{lists}!$C${end}))"


def deals_contract_button(ws, lang: str) -> None:
    """Desktop (.xlsm): a Contract form button on Deals, right of the table. A form button
    keeps the user's selection, so Contract takes the selected deal's row. xlwings Lite gets
    no shape here: clicking one selects the cell behind it, losing the row."""
    caption = {k: (en, he) for k, en, he in schema.HOME_BUTTONS}["contract"][lang == "he"]
    ws.insert_button(0, len(schema.DEALS.columns) + 1, {
        "macro": MACROS["contract"], "caption": caption, "width": 120, "height": 20})
