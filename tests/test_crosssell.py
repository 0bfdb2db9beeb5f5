"""What to offer a client (docs/rules.md, "What to offer"): cross-sell and new products.

A planted book, written with acctbook.create (`acctbook new`'s writer) in English and in
Hebrew: C-01 (Pharma) buys gloves and masks; four of its five active Pharma peers buy
Sterile wipes (P-200), six Food clients buy Lab coats (P-300: more buyers overall, none in
Pharma), a product no longer Active is bought by three Pharma peers, an order too old and a
Cancelled one do not count, and the Smart dispenser (P-600) was launched 30 days ago and
sold to nobody. The expected lines, counts and lift are worked out by hand below; the
Rankings sheet is read back with python-calamine after `api.refresh`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from acctbook import api
from acctbook.book.bidi import plain
from acctbook.core import crosssell
from acctbook.create.workbook import create_workbook

TODAY = dt.date(2026, 11, 15)
D = dt.date
LAUNCHED = TODAY - dt.timedelta(days=30)          # 2026-10-16
NAMES = {"en": {"P-100": "Nitrile gloves", "P-200": "Sterile wipes", "P-300": "Lab coats",
                "P-400": "Face masks", "P-500": "Old stock", "P-600": "Smart dispenser",
                "P-700": "Shoe covers"},
         "he": {"P-100": "כפפות ניטריל", "P-200": "מגבונים סטריליים", "P-300": "חלוקי מעבדה",
                "P-400": "מסכות פנים", "P-500": "מלאי ישן", "P-600": "מתקן חכם",
                "P-700": "כיסויי נעליים"}}

# Client -> (segment, status, the SKUs it orders inside the 24 months)
CLIENTS = {
    "C-01": ("Pharma", "Active", ["P-100", "P-400"]),           # the planted client
    "C-02": ("Pharma", "Active", ["P-100", "P-200", "P-500"]),
    "C-03": ("Pharma", "Active", ["P-100", "P-200", "P-500"]),
    "C-04": ("Pharma", "Active", ["P-400", "P-200", "P-500"]),
    "C-05": ("Pharma", "Active", ["P-200"]),
    "C-06": ("Pharma", "Active", ["P-100"]),
    "C-07": ("Food", "Active", ["P-300", "P-700"]),
    "C-08": ("Food", "Active", ["P-300", "P-100"]),
    "C-09": ("Food", "Active", ["P-300"]),
    "C-10": ("Food", "Active", ["P-300"]),
    "C-11": ("Food", "Active", ["P-300"]),
    "C-12": ("Food", "Active", ["P-300"]),
    "C-13": ("Pharma", "Prospect", ["P-200"]),     # not active: not a peer
    "C-14": ("Pharma", "Lost", ["P-300"]),         # not active: not a peer
    "C-15": (None, "Active", ["P-100"]),           # no segment
}


def planted(lang: str, interactions=(), deals=(), items=()) -> dict:
    names = NAMES[lang]
    products = [{"sku": sku, "name": name, "list_price": 10.0, "unit": "pcs"}
                for sku, name in names.items()]
    products[4]["active"] = False                                  # P-500: Active No
    products[5]["launched"] = LAUNCHED                             # P-600: new
    clients, orders = [], []
    for cid, (segment, status, skus) in CLIENTS.items():
        clients.append({"client_id": cid, "name": f"Client {cid}", "segment": segment,
                        "status": status, "created": D(2023, 1, 1)})
        for n, sku in enumerate(skus):
            orders.append({"order_id": f"O-{cid}-{n}", "client_id": cid, "sku": sku,
                           "order_date": D(2026, 6, 1), "quantity": 1.0, "unit_price": 10.0,
                           "status": "Delivered", "delivered_on": D(2026, 6, 5),
                           "paid_on": D(2026, 6, 20)})
    orders += [
        # Exactly 24 months before today: outside the window (after today − 24 months).
        {"order_id": "O-OLD", "client_id": "C-06", "sku": "P-700", "order_date": D(2024, 11, 15),
         "quantity": 1.0, "unit_price": 10.0, "status": "Delivered",
         "delivered_on": D(2024, 11, 20), "paid_on": D(2024, 12, 1)},
        {"order_id": "O-CANCEL", "client_id": "C-05", "sku": "P-700",
         "order_date": D(2026, 9, 1), "quantity": 1.0, "unit_price": 10.0,
         "status": "Cancelled"},
    ]
    return {"Clients": clients, "Products": products, "Orders": orders,
            "Interactions": list(interactions), "Deals": list(deals), "DealItems": list(items)}


def make(tmp_path: Path, lang: str = "en", name: str = "book.xlsx", **extra) -> Path:
    path = create_workbook(tmp_path / name, lang, planted(lang, **extra),
                           {"company_name": "Northwind Supply Ltd", "segments": "Pharma, Food"})
    errors = [p for p in api.check(path, today=TODAY).problems if p.severity == "error"]
    assert not errors, errors
    return path


def offers(path: Path, client: str = "C-01", lang: str | None = None, limit: int = 5):
    return crosssell.offers(api.load(path), client, TODAY, lang=lang, limit=limit)


# --- the list for one client -------------------------------------------------------------------
def test_a_product_most_same_segment_peers_buy_comes_first_with_its_reason(tmp_path):
    lines = offers(make(tmp_path))
    assert [(o.sku, o.kind) for o in lines] == [
        ("P-200", "cross-sell"),     # 4 of the 5 other active Pharma clients buy it
        ("P-600", "new"),            # launched 30 days ago, never offered
        ("P-300", "cross-sell"),     # 6 of 12 active clients, none in Pharma
        ("P-700", "cross-sell")]     # 1 (C-07); C-06's order is too old, C-05's Cancelled
    assert (lines[3].peers, lines[3].of) == (1, 12)
    top = lines[0]
    assert (top.name, top.peers, top.of) == ("Sterile wipes", 4, 5)
    assert plain(top.reason) == ("bought by 4 of 5 clients in Pharma; "
                                 "3 of them also buy what this client buys")
    # Lift: C-01's neighbours (active, buying gloves or masks) are C-02, C-03, C-04, C-06,
    # C-08, C-15; 3 of those 6 buy wipes; 4 of the 12 other active clients do: 0.5 / (1/3).
    assert top.lift == pytest.approx(1.5)
    coats = lines[2]
    assert (coats.peers, coats.of) == (6, 12)
    assert plain(coats.reason) == ("bought by 6 of 12 active clients; "
                                   "one of them also buys what this client buys")
    assert coats.lift == pytest.approx((1 / 6) / (6 / 12))
    new = lines[1]
    assert (new.name, new.peers, new.of, new.lift) == ("Smart dispenser", 0, 0, None)
    assert new.reason == "new: launched 16 Oct 2026, not yet offered"
    assert [o.sku for o in offers(make(tmp_path, name="b2.xlsx"), limit=2)] == ["P-200", "P-600"]


def test_the_same_list_in_hebrew(tmp_path):
    he_book = make(tmp_path, "he")
    lines = offers(he_book)
    assert [o.sku for o in lines] == ["P-200", "P-600", "P-300", "P-700"]
    assert lines[0].name == "מגבונים סטריליים"
    assert plain(lines[0].reason) == ("נקנה על ידי 4 מתוך 5 הלקוחות בפלח Pharma; "
                                      "3 מהם קונים גם את מה שהלקוח הזה קונה")
    assert plain(lines[2].reason) == ("נקנה על ידי 6 מתוך 12 הלקוחות הפעילים; "
                                      "אחד מהם קונה גם את מה שהלקוח הזה קונה")
    assert lines[1].reason == "חדש: הושק ב־16 באוק׳ 2026, טרם הוצע"
    # `lang` over the book's: the English book's reasons in Hebrew
    en_lines = offers(make(tmp_path, "en", name="en.xlsx"), lang="he")
    assert plain(en_lines[0].reason) == plain(lines[0].reason)


def test_nothing_the_client_buys_and_nothing_inactive_is_offered(tmp_path):
    path = make(tmp_path)
    book = api.load(path)
    for cid, (_segment, _status, skus) in CLIENTS.items():
        offered = {o.sku for o in crosssell.offers(book, cid, TODAY, limit=50)}
        assert not offered & set(skus), cid
        assert "P-500" not in offered, cid          # Active No, though Pharma peers buy it
    assert crosssell.offers(book, "C-99", TODAY) == []


def test_a_client_without_a_segment_ranks_over_all_active_clients(tmp_path):
    lines = offers(make(tmp_path), "C-15")
    # C-15's peers: the 12 other active clients; coats 6, wipes 4, masks 2, covers 1.
    assert [o.sku for o in lines] == ["P-300", "P-600", "P-200", "P-400", "P-700"]
    assert plain(lines[0].reason).startswith("bought by 6 of 12 active clients")
    assert (lines[2].peers, lines[2].of) == (4, 12)


@pytest.mark.parametrize("extra", [
    {"interactions": [{"date": D(2026, 11, 2), "client_id": "C-01", "channel": "Meeting",
                       "subject": "Showed the SMART DISPENSER demo"}]},
    {"interactions": [{"date": D(2026, 11, 2), "client_id": "C-01", "channel": "Phone",
                       "subject": "Call", "next_step": "send the p-600 leaflet"}]},
    {"deals": [{"deal_id": "D-1", "client_id": "C-01", "title": "Dispensers P-600 pilot",
                "stage": "Proposal", "amount": 1000.0}]},
    {"deals": [{"deal_id": "D-1", "client_id": "C-01", "title": "Spring order",
                "stage": "Proposal", "amount": 1000.0}],
     "items": [{"deal_id": "D-1", "sku": "P-600", "quantity": 2.0}]},
], ids=["interaction-subject", "interaction-next-step", "deal-title", "deal-item"])
def test_a_new_product_once_offered_is_no_longer_new(tmp_path, extra):
    path = make(tmp_path, **extra)
    assert "P-600" not in [o.sku for o in offers(path)]
    # offered to C-01 only: still new for C-15
    assert ("P-600", "new") in [(o.sku, o.kind) for o in offers(path, "C-15")]
    assert crosssell.offer_next(api.load(path), TODAY)["C-01"] == "P-200 · Sterile wipes"


def test_another_clients_interaction_does_not_count(tmp_path):
    path = make(tmp_path, interactions=[{"date": D(2026, 11, 2), "client_id": "C-02",
                                         "channel": "Meeting", "subject": "Smart dispenser"}])
    assert ("P-600", "new") in [(o.sku, o.kind) for o in offers(path)]


def test_offer_next_is_every_clients_first_line(tmp_path):
    book = api.load(make(tmp_path))
    nxt = crosssell.offer_next(book, TODAY)
    for cid in CLIENTS:
        first = crosssell.offers(book, cid, TODAY, limit=1)
        assert nxt.get(cid) == (f"{first[0].sku} · {first[0].name}" if first else None), cid
    assert nxt["C-01"] == "P-200 · Sterile wipes" and nxt["C-15"] == "P-300 · Lab coats"


def test_a_product_launched_more_than_90_days_ago_is_not_new(tmp_path):
    book = api.load(make(tmp_path))
    later = LAUNCHED + dt.timedelta(days=90)        # today − 90 = the launch: not after it
    assert [o.sku for o in crosssell.offers(book, "C-01", later)] == ["P-200", "P-300", "P-700"]
    day_before = later - dt.timedelta(days=1)
    assert "P-600" in [o.sku for o in crosssell.offers(book, "C-01", day_before)]
    assert "P-600" not in [o.sku for o in crosssell.offers(book, "C-01", LAUNCHED - D.resolution)]


def test_the_window_is_the_24_months_up_to_today(tmp_path):
    book = api.load(make(tmp_path))
    # A day earlier, C-06's order of 2024-11-15 is inside the window: a Pharma peer buys the
    # shoe covers, so they move ahead of the lab coats.
    lines = crosssell.offers(book, "C-01", TODAY - D.resolution)
    assert [o.sku for o in lines] == ["P-200", "P-600", "P-700", "P-300"]
    assert plain(lines[2].reason).startswith("bought by 1 of 5 clients in Pharma")


# --- the Rankings sheet after refresh -------------------------------------------------------
def rankings(path: Path, lang: str) -> tuple[list, dict[str, dict]]:
    sheet = {"en": "Rankings", "he": "דירוג"}[lang]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    head = rows[0]
    return head, {r[head.index({"en": "Client ID", "he": "מזהה לקוח"}[lang])]: dict(zip(head, r))
                  for r in rows[1:] if any(v not in ("", None) for v in r)}


@pytest.mark.parametrize("lang, header, before", [("en", "Offer next", "Excludes"),
                                                  ("he", "מוצר להציע", "לא כולל")])
def test_refresh_writes_offer_next_on_rankings(tmp_path, lang, header, before):
    path = make(tmp_path, lang)
    api.refresh(path, today=TODAY)
    head, by_client = rankings(path, lang)
    assert head.index(header) == head.index(before) - 1 == len(head) - 2
    names = NAMES[lang]
    assert by_client["C-01"][header] == f"P-200 · {names['P-200']}"
    assert by_client["C-15"][header] == f"P-300 · {names['P-300']}"
    assert "C-14" not in by_client                              # Lost: not ranked
