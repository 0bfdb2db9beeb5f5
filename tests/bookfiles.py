"""Test workbooks written with openpyxl alone (never acctbook's writer).

`valid_data()` is a small valid book as row dicts keyed by schema column key;
tests edit a copy and hand it to `write_book`, which puts every data table as
one openpyxl Table on its own sheet and the Settings tables side by side on the
Settings sheet. Excel row of data row i (0-based) is i + 2 on every sheet.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from acctbook.book import schema

TODAY = dt.date(2026, 6, 1)
D = dt.date

# Valid Israeli company numbers (check digit verified by hand: 1,2,1,2… weights).
IL_NUMBERS = ("512345679", "516000015")


def valid_data() -> dict[str, list[dict[str, Any]]]:
    """Table name -> rows. A fresh deep copy each call, so tests may edit it."""
    return copy.deepcopy({
        "Clients": [
            {"client_id": "C-001", "name": "Acme Ltd", "legal_name": "Acme Ltd",
             "company_number": IL_NUMBERS[0], "country": "IL", "status": "Active",
             "source": "Website", "email": "buyer@acme.co.il", "phone": "03-6123456",
             "created": D(2024, 1, 10), "credit_limit": 50000, "payment_terms": 30,
             "key_account": "Yes", "language": "en"},
            {"client_id": "C-002", "name": "Globex", "company_number": IL_NUMBERS[1],
             "status": "Prospect", "source": "Referral", "referred_by": "C-001",
             "email": "info@globex.co.il", "phone": "052-5381234", "created": D(2025, 3, 2)},
        ],
        "Contacts": [
            {"contact_id": "P-001", "client_id": "C-001", "name": "Dana Levi", "role": "Buyer",
             "email": "dana@acme.co.il", "phone": "054-4123456", "preferred_channel": "Phone",
             "primary": "Yes", "birthday": D(1980, 5, 17)},
        ],
        "Interactions": [
            {"date": D(2026, 5, 20), "client_id": "C-001", "contact_id": "P-001",
             "channel": "Phone", "direction": "Out", "subject": "Prices",
             "outcome": "Reached", "next_step": "Send offer", "next_step_date": D(2026, 5, 25),
             "event_id": "E-001"},
        ],
        "Deals": [
            {"deal_id": "D-001", "client_id": "C-001", "title": "Widgets 2026",
             "stage": "Proposal", "amount": 12000, "currency": "ILS", "probability": 60,
             "expected_close": D(2026, 7, 1), "stage_since": D(2026, 5, 1),
             "created": D(2026, 4, 1)},
        ],
        "DealItems": [
            {"deal_id": "D-001", "sku": "W-1", "quantity": 100, "unit_price": 120,
             "discount": 0},
        ],
        "Orders": [
            {"order_id": "O-001", "client_id": "C-001", "deal_id": "D-001",
             "contract_id": "CTR-2026-0001", "order_date": D(2026, 5, 1), "sku": "W-1",
             "quantity": 10, "unit_price": 100, "discount": 10, "amount": 900,
             "due_date": D(2026, 5, 15), "delivered_on": D(2026, 5, 14), "delivered_qty": 10,
             "status": "Delivered", "invoice_due": D(2026, 6, 14)},
        ],
        "Contracts": [
            {"contract_id": "CTR-2026-0001", "client_id": "C-001", "deal_id": None,
             "template": "contract.docx", "status": "Signed", "start": D(2026, 1, 1),
             "end": D(2026, 12, 31), "value": 100000, "discount": 5, "payment_terms": 30,
             "referral_clause": "Yes", "signed_on": D(2025, 12, 20)},
        ],
        "Complaints": [
            {"case_id": "K-001", "client_id": "C-001", "opened": D(2026, 5, 2),
             "channel": "Email", "category": "Delivery", "severity": "High",
             "description": "Late", "status": "Resolved", "resolved_on": D(2026, 5, 3),
             "resolution": "Sent by courier"},
        ],
        "Products": [
            {"sku": "W-1", "name": "Widget", "category": "Parts", "list_price": 120,
             "unit": "pcs", "active": "Yes", "launched": D(2020, 1, 1)},
        ],
        "Competitors": [
            {"competitor": "Initech", "segments": "Industry", "price_level": "Lower"},
        ],
        "Events": [
            {"event_id": "E-001", "name": "Spring fair", "type": "Fair",
             "date": D(2026, 4, 20), "location": "Tel Aviv"},
        ],
        "Settings": [{"setting": s.en, "value": s.default} for s in schema.SETTING_ROWS],
        "Cadence": [{"class": k, "days": v} for k, v in schema.DEFAULT_CADENCE],
        "StageProbability": [{"stage": k, "probability": v}
                             for k, v in schema.DEFAULT_STAGE_PROBABILITY],
        "SLA": [{"severity": k, "business_days": v} for k, v in schema.DEFAULT_SLA],
        "Tiers": [{"tier": k, "min_revenue_12m": m, "discount": d}
                  for k, m, d in schema.DEFAULT_TIERS],
        "Weights": [{"component": k, "weight": v} for k, v in schema.DEFAULT_WEIGHTS],
        "Holidays": [{"date": D(2026, 8, 10), "name": "Company day"}],
    })


def _cell_value(spec: schema.Table, key: str, value: Any, lang: str) -> Any:
    """Choice and yes/no values shown in the workbook's language; Settings names too."""
    if lang != "he" or not isinstance(value, str):
        return value
    try:
        col = spec.column(key)
    except KeyError:
        return value      # a user's own column
    if col.type in (schema.CHOICE, schema.YESNO):
        return schema.CHOICE_HE.get(value, value)
    if spec.name == "Settings" and key == "setting":
        hit = next((s for s in schema.SETTING_ROWS if s.en == value), None)
        return hit.he if hit else value
    return value


def _header(spec: schema.Table, key: str, lang: str, headers: dict | None) -> str:
    if headers and key in headers:
        return headers[key]
    try:
        return spec.column(key).label(lang)
    except KeyError:
        return key        # a user's own column: the key is its header


def _put_table(ws, spec: schema.Table, rows: list[dict], keys: list[str], lang: str,
               first_col: int, headers: dict | None, name: str | None = None) -> None:
    for j, key in enumerate(keys):
        ws.cell(1, first_col + j, _header(spec, key, lang, headers))
    for i, row in enumerate(rows):
        for j, key in enumerate(keys):
            v = _cell_value(spec, key, row.get(key), lang)
            c = ws.cell(2 + i, first_col + j, v)
            if isinstance(v, dt.date):
                c.number_format = "yyyy-mm-dd"
    last_row = 1 + max(len(rows), 1)     # an Excel table keeps one (blank) data row
    ref = (f"{get_column_letter(first_col)}1:"
           f"{get_column_letter(first_col + len(keys) - 1)}{last_row}")
    table = Table(displayName=name or spec.name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def write_book(path: str | Path, data: dict[str, list[dict]] | None = None, *,
               lang: str = "en", columns: dict[str, list[str]] | None = None,
               headers: dict[str, dict[str, str]] | None = None,
               leave_out: tuple[str, ...] = (), table_names: dict[str, str] | None = None,
               ) -> Path:
    """Write an acctbook workbook with openpyxl.

    data: table name -> row dicts (default valid_data()).
    columns: table name -> the column keys to write, in that order; a key that is
      not in the schema is a user's own column (header = the key, values from the
      rows under that key). Default: every schema column in schema order.
    headers: table name -> {key: header text} to write instead of the label.
    leave_out: table names not to write at all.
    table_names: table name -> the Excel table name to use instead (e.g. to break it).
    """
    data = valid_data() if data is None else data
    wb = Workbook()
    wb.remove(wb.active)
    for spec in schema.DATA_TABLES:
        if spec.name in leave_out:
            continue
        ws = wb.create_sheet(spec.sheet(lang))
        keys = (columns or {}).get(spec.name) or [c.key for c in spec.columns]
        _put_table(ws, spec, data.get(spec.name, []), keys, lang, 1,
                   (headers or {}).get(spec.name), (table_names or {}).get(spec.name))
    ws = wb.create_sheet(schema.SETTINGS_SHEET_HE if lang == "he" else schema.SETTINGS_SHEET_EN)
    col = 1
    for spec in schema.SETTINGS_TABLES:
        if spec.name in leave_out:
            continue
        keys = (columns or {}).get(spec.name) or [c.key for c in spec.columns]
        _put_table(ws, spec, data.get(spec.name, []), keys, lang, col,
                   (headers or {}).get(spec.name), (table_names or {}).get(spec.name))
        col += len(keys) + 1          # one blank column between tables
    path = Path(path)
    wb.save(path)
    return path


def history_parts(path) -> set[str]:
    """The zip parts of the book's History sheet and its table: every write appends a row
    there (docs/workbook.md, "History"), so a test of what else a write left alone skips them."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        tables = {n for n in names if n.startswith("xl/tables/")
                  and b'displayName="History"' in z.read(n)}
        sheets = {"xl/worksheets/" + n.rsplit("/", 1)[1][:-len(".rels")] for n in names
                  if n.startswith("xl/worksheets/_rels/")
                  and any(b"/" + t.rsplit("/", 1)[1].encode() in z.read(n) for t in tables)}
    return tables | sheets
