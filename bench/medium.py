"""Generate a benchmark book: medium (the default) is 10,000 clients, 200,000 interactions,
100,000 order lines; large is 50,000 / 1,000,000 / 500,000 (about 65 MB).

    python bench/medium.py bench/medium.xlsx [--size medium|large]
                           [--clients N --interactions N --orders N]

Deterministic (seeded); valid data, so check and refresh do their full work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from acctbook.book import schema  # noqa: E402
from acctbook.create.workbook import create_workbook  # noqa: E402
from acctbook.book.identity import il_number_complete  # noqa: E402

TODAY = dt.date(2026, 11, 26)
# (clients, interactions, order lines) of each named size
SIZES = {"medium": (10_000, 200_000, 100_000), "large": (50_000, 1_000_000, 500_000)}


def medium_data(clients=10_000, interactions=200_000, orders=100_000, seed=1):
    rnd = random.Random(seed)
    day0 = TODAY - dt.timedelta(days=730)

    def day(span=730):
        return day0 + dt.timedelta(days=rnd.randrange(span))

    products = [{"sku": f"P-{i:03d}", "name": f"Product {i}", "category": "Lab",
                 "list_price": float(rnd.randrange(50, 5000)), "unit": "pc", "active": True,
                 "launched": dt.date(2020, 1, 1)} for i in range(1, 41)]
    cl, contacts = [], []
    for i in range(1, clients + 1):
        cid = f"C-{i:05d}"
        cl.append({"client_id": cid, "name": f"Client {i} Ltd", "legal_name": f"Client {i} Ltd",
                   "company_number": il_number_complete(f"51{i:06d}"), "country": "IL",
                   "status": rnd.choice(("Active", "Active", "Active", "Prospect", "Dormant", "Lost")),
                   "source": rnd.choice(schema.SOURCES[1:]), "owner": "Dana",
                   "credit_limit": float(rnd.randrange(10, 500) * 1000), "payment_terms": 30,
                   "email": f"info{i}@client{i}.co.il", "phone": f"03-{5000000 + i:07d}",
                   "language": "he", "created": day0 - dt.timedelta(days=rnd.randrange(400))})
        contacts.append({"contact_id": f"K-{i:05d}", "client_id": cid, "name": f"Contact {i}",
                         "role": "Buyer", "phone": f"050-{7000000 + i:07d}",
                         "email": f"buyer{i}@client{i}.co.il", "preferred_channel": "Phone",
                         "primary": True})
    inter = []
    for _ in range(interactions):
        i = rnd.randrange(1, clients + 1)
        d = day()
        inter.append({"date": d, "client_id": f"C-{i:05d}", "contact_id": f"K-{i:05d}",
                      "channel": rnd.choice(schema.CHANNELS[:6]), "direction": rnd.choice(("In", "Out")),
                      "subject": "Follow-up", "outcome": rnd.choice(schema.OUTCOMES),
                      "next_step_date": d + dt.timedelta(days=7) if rnd.random() < 0.2 else None})
    inter.sort(key=lambda r: r["date"])
    lines = []
    for n in range(orders):
        i = rnd.randrange(1, clients + 1)
        d = day()
        q, price = float(rnd.randrange(1, 20)), float(rnd.randrange(50, 5000))
        status = rnd.choice(("Delivered", "Delivered", "Delivered", "Open", "Cancelled"))
        due = d + dt.timedelta(days=14)
        paid = d + dt.timedelta(days=rnd.randrange(20, 40)) if rnd.random() < 0.95 else None
        lines.append({"order_id": f"O-{n // 2:06d}", "client_id": f"C-{i:05d}", "order_date": d,
                      "sku": f"P-{rnd.randrange(1, 41):03d}", "quantity": q, "unit_price": price,
                      "discount": 0.0, "amount": q * price, "due_date": due,
                      "delivered_on": due if status == "Delivered" else None,
                      "delivered_qty": q if status == "Delivered" else None, "status": status,
                      "invoice_due": d + dt.timedelta(days=30),
                      "paid_on": min(paid, TODAY) if paid else None})
    deals = [{"deal_id": f"D-{i:05d}", "client_id": f"C-{rnd.randrange(1, clients + 1):05d}",
              "title": "Deal", "stage": st, "amount": float(rnd.randrange(1, 100) * 1000),
              "stage_since": day(), "created": day(),
              "lost_reason": "Price" if st == "Lost" else None}
             for i, st in enumerate((rnd.choice(schema.STAGES) for _ in range(3000)), 1)]
    return {"Clients": cl, "Contacts": contacts, "Interactions": inter, "Orders": lines,
            "Deals": deals, "Products": products}


def make_book(out, clients=10_000, interactions=200_000, orders=100_000):
    """The benchmark book of that size at `out` (made afresh)."""
    data = medium_data(clients, interactions, orders)
    return create_workbook(out, data=data, settings={"company_name": "Bench Ltd"})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", choices=sorted(SIZES), default="medium")
    ap.add_argument("--clients", type=int)
    ap.add_argument("--interactions", type=int)
    ap.add_argument("--orders", type=int)
    a = ap.parse_args()
    sized = SIZES[a.size]
    t = time.perf_counter()
    make_book(a.out, a.clients or sized[0], a.interactions or sized[1], a.orders or sized[2])
    print(f"wrote {a.out} in {time.perf_counter() - t:.1f} s "
          f"({Path(a.out).stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
