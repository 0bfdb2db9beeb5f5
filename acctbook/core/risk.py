"""Risk and Risk reasons (docs/rules.md, "Risk"): a client's reliability from unpaid
invoices, open complaints and falling revenue.

Unpaid invoices are live orders (not Cancelled) with an Invoice due and no Paid on. A blank
Invoice due counts as the Invoice date (blank: Delivered on) + the client's Payment terms
(`invoice_dues`); the user's cell stays blank, and the reason says the date was derived.
High: one is more than 30 days overdue, or together they exceed the Credit limit.
Medium: any is overdue, two or more complaints are open, Revenue 12m < 50% of
the prior window's, or the client (not Lost) stopped ordering: today is past its Expected
order by more than half its median gap between orders (core/reorder.py). Else Low. Risk
reasons lists every condition met.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from acctbook.book import bidi

HIGH_OVERDUE_DAYS = 30
MAX_LISTED = 3    # overdue invoices named one by one; the rest are counted

TEXT = {
    "en": {
        "overdue": "Invoice {id} {n} days overdue", "overdue1": "Invoice {id} 1 day overdue",
        "derived": " (due {a}, {t} days after invoice {b})",
        "more": "{n} more overdue invoices", "more1": "1 more overdue invoice",
        "credit": "Unpaid {u} > credit limit {l}",
        "complaints": "{n} open complaints",
        "revenue": "Revenue 12m {p}% of prior year",
        "stopped": "Ordering stopped: an order was expected by {a}",
    },
    "he": {
        "overdue": "חשבונית {id} באיחור של {n} ימים", "overdue1": "חשבונית {id} באיחור של יום",
        "derived": " (מועד תשלום {a}, {t} ימים אחרי חשבונית {b})",
        "more": "עוד {n} חשבוניות באיחור", "more1": "עוד חשבונית אחת באיחור",
        "credit": "לא שולם {u} > מסגרת אשראי {l}",
        "complaints": "{n} תלונות פתוחות",
        "revenue": "הכנסות 12 ח׳ {pct} מהשנה הקודמת",
        "stopped": "ההזמנות נפסקו: הזמנה הייתה צפויה עד {a}",
    },
}


def money(x: float) -> str:
    """120000 -> '120,000'; cents only when there are some."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def with_terms(orders: pd.DataFrame, clients: pd.DataFrame, default) -> pd.DataFrame:
    """`orders` with `terms`: its client's Payment terms in days (the first Clients row with
    that ID), else `default` (Settings Payment terms); NaN when both are blank."""
    c = clients[clients["client_id"].notna()].drop_duplicates("client_id")
    days = pd.to_numeric(c.set_index("client_id")["payment_terms"], errors="coerce")
    terms = pd.Series(days.reindex(orders["client_id"].to_numpy()).to_numpy(dtype=float),
                      index=orders.index)
    if default is not None and not pd.isna(default):
        terms = terms.fillna(float(default))
    return orders.assign(terms=terms)


def invoice_dues(orders: pd.DataFrame) -> pd.DataFrame:
    """Per order line: `due`, its Invoice due, or when blank the Invoice date (blank: Delivered
    on) + `terms` days; `base`, that invoice date when the due is derived (else NaT).

    A line with neither date, or without terms, has no due. Frames without the
    invoice_date / delivered_on / terms columns derive nothing.
    """
    nat = pd.Series(pd.NaT, index=orders.index, dtype="datetime64[ns]")
    typed = pd.to_datetime(orders["invoice_due"])
    base = pd.to_datetime(orders["invoice_date"]) if "invoice_date" in orders else nat
    if "delivered_on" in orders:
        base = base.where(base.notna(), pd.to_datetime(orders["delivered_on"]))
    terms = (pd.to_numeric(orders["terms"], errors="coerce").astype(float) if "terms" in orders
             else pd.Series(float("nan"), index=orders.index))
    base = base.where(typed.isna() & terms.notna(), pd.NaT).astype("datetime64[ns]")
    derived = base + pd.to_timedelta(terms.where(base.notna()), unit="D")
    return pd.DataFrame({"due": typed.where(typed.notna(), derived).astype("datetime64[ns]"),
                         "base": base, "terms": terms.where(base.notna())}, index=orders.index)


def unpaid_invoices(orders: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """One row per (client, Order ID, Invoice due) unpaid: amount, days overdue (≤0 = not
    yet), and when the Invoice due is derived (`invoice_dues`), its invoice date `base` and
    `terms` (else NaT / NaN)."""
    dues = invoice_dues(orders).rename(columns={"due": "invoice_due"})
    o = orders[["client_id", "order_id", "amount", "paid_on"]].join(dues)   # not every column
    o = o[o["invoice_due"].notna() & o["paid_on"].isna() & o["client_id"].notna()]
    o = o.assign(order_id=o["order_id"].fillna(""), amount=o["amount"].fillna(0))
    inv = o.groupby(["client_id", "order_id", "invoice_due"], as_index=False, sort=True).agg(
        amount=("amount", "sum"), base=("base", "first"), terms=("terms", "first"))
    inv["days"] = (pd.Timestamp(today) - inv["invoice_due"]).dt.days
    return inv


def assess(clients: pd.DataFrame, orders: pd.DataFrame, open_complaints: pd.Series,
           today: dt.date, lang: str = "en", stopped: pd.DataFrame | None = None
           ) -> pd.DataFrame:
    """Per Client ID (the index of `clients`, with credit_limit, revenue_12m, revenue_prior):
    risk (Low/Medium/High) and risk_reasons (text, None when Low).

    `orders` are live order lines with effective amounts; `open_complaints` counts
    complaints not Resolved per Client ID; `stopped` (core/reorder.py: expected_orders,
    indexed by Client ID), when given, adds "ordering stopped" for a client not Lost.
    """
    tx = TEXT.get(lang, TEXT["en"])
    # Hebrew: IDs isolated, dates and amounts held left to right inside the sentence; English:
    # an ID holding Hebrew isolated (book/bidi.py).
    run, ident = (bidi.ltr, bidi.isolate) if lang == "he" else (str, bidi.isolate_rtl)
    inv = unpaid_invoices(orders, today)
    inv = inv[inv["client_id"].isin(clients.index)]
    unpaid = inv.groupby("client_id")["amount"].sum().reindex(clients.index).fillna(0)
    late = inv[inv["days"] > 0].sort_values(["client_id", "days", "order_id"],
                                            ascending=[True, False, True])
    late_by_client: dict[str, list[tuple[str, int, str]]] = {}
    for cid, oid, days, due, base, terms in zip(late["client_id"], late["order_id"], late["days"],
                                                late["invoice_due"], late["base"], late["terms"]):
        how = "" if pd.isna(base) else tx["derived"].format(
            a=run(due.date().isoformat()), t=int(terms), b=run(base.date().isoformat()))
        late_by_client.setdefault(cid, []).append((ident(oid), int(days), how))
    complaints = open_complaints.reindex(clients.index).fillna(0).astype(int)
    limit = clients["credit_limit"]
    rev, prior = clients["revenue_12m"], clients["revenue_prior"]

    over_limit = limit.notna() & (unpaid > limit)
    falling = (prior > 0) & (rev < 0.5 * prior)

    risks, texts = [], []
    halted = _stopped_since(clients, stopped)
    rows = zip(clients.index, over_limit.to_numpy(), unpaid.to_numpy(), limit.to_numpy(),
               complaints.to_numpy(), falling.to_numpy(), rev.to_numpy(), prior.to_numpy(),
               halted)
    for cid, over, owed, lim, n_open, fall, r, p, since in rows:
        high, medium, why = False, False, []
        g = late_by_client.get(cid)
        if g is not None:
            medium = True
            high = g[0][1] > HIGH_OVERDUE_DAYS      # the most overdue comes first
            why += _overdue_lines(g, tx)
        if over:
            high = True
            why.append(tx["credit"].format(u=run(money(owed)), l=run(money(lim))))
        if n_open >= 2:
            medium = True
            why.append(tx["complaints"].format(n=n_open))
        if fall:
            medium = True
            pct = _whole_percent(r, p)
            why.append(tx["revenue"].format(p=pct, pct=run(f"{pct}%")))
        if since is not None:
            medium = True
            why.append(tx["stopped"].format(a=run(since)))
        risks.append("High" if high else "Medium" if medium else "Low")
        texts.append("; ".join(why) or None)
    return pd.DataFrame({"risk": risks, "risk_reasons": texts}, index=clients.index)


def _stopped_since(clients: pd.DataFrame, stopped: pd.DataFrame | None) -> list[str | None]:
    """Per client the ISO Expected order of one that stopped ordering, else None; a Lost
    client's orders stopping says nothing new."""
    if stopped is None:
        return [None] * len(clients)
    s = stopped.reindex(clients.index)
    lost = clients["status"].eq("Lost") if "status" in clients else False
    halted = (s["stopped"].eq(True) & ~lost).to_numpy()
    out: list[str | None] = [None] * len(clients)
    at = halted.nonzero()[0]                 # only those: a Timestamp each is slow to make
    for i, d in zip(at, s["expected_order"].iloc[at]):
        out[i] = d.date().isoformat()
    return out


def _overdue_lines(g: list[tuple[str, int, str]], tx: dict) -> list[str]:
    lines = [(tx["overdue1"] if d == 1 else tx["overdue"]).format(id=oid, n=d) + how
             for oid, d, how in g[:MAX_LISTED]]
    rest = len(g) - MAX_LISTED
    if rest > 0:
        lines.append(tx["more1"] if rest == 1 else tx["more"].format(n=rest))
    return lines


def _whole_percent(part: float, whole: float) -> int:
    """floor(part / whole * 100) in whole cents, as abc_class counts: in floats 29 / 100 * 100
    is 28.999999999999996, which would print 28%."""
    return (round(part * 100) * 100) // round(whole * 100)
