"""Risk and Risk reasons (docs/rules.md, "Risk"): a client's reliability from unpaid
invoices, open complaints and falling revenue.

Unpaid invoices are live orders (not Cancelled) with an Invoice due and no Paid on.
High: one is more than 30 days overdue, or together they exceed the Credit limit.
Medium: any is overdue, two or more complaints are open, or Revenue 12m < 50% of
the prior window's. Else Low. Risk reasons lists every condition met.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

HIGH_OVERDUE_DAYS = 30
MAX_LISTED = 3    # overdue invoices named one by one; the rest are counted

TEXT = {
    "en": {
        "overdue": "Invoice {id} {n} days overdue", "overdue1": "Invoice {id} 1 day overdue",
        "more": "{n} more overdue invoices", "more1": "1 more overdue invoice",
        "credit": "Unpaid {u} > credit limit {l}",
        "complaints": "{n} open complaints",
        "revenue": "Revenue 12m {p}% of prior year",
    },
    "he": {
        "overdue": "חשבונית {id} באיחור של {n} ימים", "overdue1": "חשבונית {id} באיחור של יום",
        "more": "עוד {n} חשבוניות באיחור", "more1": "עוד חשבונית אחת באיחור",
        "credit": "לא שולם {u} > מסגרת אשראי {l}",
        "complaints": "{n} תלונות פתוחות",
        "revenue": "הכנסות 12 ח' {p}% מהשנה הקודמת",
    },
}


def money(x: float) -> str:
    """120000 -> '120,000'; cents only when there are some."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def unpaid_invoices(orders: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """One row per (client, Order ID, Invoice due) unpaid: amount and days overdue (≤0 = not yet)."""
    o = orders[orders["invoice_due"].notna() & orders["paid_on"].isna() & orders["client_id"].notna()]
    o = o.assign(order_id=o["order_id"].fillna(""), amount=o["amount"].fillna(0))
    inv = o.groupby(["client_id", "order_id", "invoice_due"], as_index=False, sort=True)["amount"].sum()
    inv["days"] = (pd.Timestamp(today) - inv["invoice_due"]).dt.days
    return inv


def assess(clients: pd.DataFrame, orders: pd.DataFrame, open_complaints: pd.Series,
           today: dt.date, lang: str = "en") -> pd.DataFrame:
    """Per Client ID (the index of `clients`, with credit_limit, revenue_12m, revenue_prior):
    risk (Low/Medium/High) and risk_reasons (text, None when Low).

    `orders` are live order lines with effective amounts; `open_complaints` counts
    complaints not Resolved per Client ID.
    """
    tx = TEXT.get(lang, TEXT["en"])
    inv = unpaid_invoices(orders, today)
    inv = inv[inv["client_id"].isin(clients.index)]
    unpaid = inv.groupby("client_id")["amount"].sum().reindex(clients.index).fillna(0)
    late = inv[inv["days"] > 0].sort_values(["client_id", "days", "order_id"],
                                            ascending=[True, False, True])
    late_by_client: dict[str, list[tuple[str, int]]] = {}
    for cid, oid, days in zip(late["client_id"], late["order_id"], late["days"]):
        late_by_client.setdefault(cid, []).append((oid, int(days)))
    complaints = open_complaints.reindex(clients.index).fillna(0).astype(int)
    limit = clients["credit_limit"]
    rev, prior = clients["revenue_12m"], clients["revenue_prior"]

    over_limit = limit.notna() & (unpaid > limit)
    falling = (prior > 0) & (rev < 0.5 * prior)

    risks, texts = [], []
    rows = zip(clients.index, over_limit.to_numpy(), unpaid.to_numpy(), limit.to_numpy(),
               complaints.to_numpy(), falling.to_numpy(), rev.to_numpy(), prior.to_numpy())
    for cid, over, owed, lim, n_open, fall, r, p in rows:
        high, medium, why = False, False, []
        g = late_by_client.get(cid)
        if g is not None:
            medium = True
            high = g[0][1] > HIGH_OVERDUE_DAYS      # the most overdue comes first
            why += _overdue_lines(g, tx)
        if over:
            high = True
            why.append(tx["credit"].format(u=money(owed), l=money(lim)))
        if n_open >= 2:
            medium = True
            why.append(tx["complaints"].format(n=n_open))
        if fall:
            medium = True
            why.append(tx["revenue"].format(p=_whole_percent(r, p)))
        risks.append("High" if high else "Medium" if medium else "Low")
        texts.append("; ".join(why) or None)
    return pd.DataFrame({"risk": risks, "risk_reasons": texts}, index=clients.index)


def _overdue_lines(g: list[tuple[str, int]], tx: dict) -> list[str]:
    lines = [(tx["overdue1"] if d == 1 else tx["overdue"]).format(id=oid, n=d)
             for oid, d in g[:MAX_LISTED]]
    rest = len(g) - MAX_LISTED
    if rest > 0:
        lines.append(tx["more1"] if rest == 1 else tx["more"].format(n=rest))
    return lines


def _whole_percent(part: float, whole: float) -> int:
    """floor(part / whole * 100) in whole cents, as abc_class counts: in floats 29 / 100 * 100
    is 28.999999999999996, which would print 28%."""
    return (round(part * 100) * 100) // round(whole * 100)
