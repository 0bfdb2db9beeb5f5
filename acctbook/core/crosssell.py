"""What to offer a client: cross-sell and new products (docs/rules.md, "What to offer").

Cross-sell: the active products a client does not buy, ranked by how many active clients of
its segment buy them, then how many active clients buy them at all, then co-purchase lift,
then SKU; who buys what is the live Orders of the last 24 months. New: products launched in
the last 90 days that the client neither buys nor was ever offered (no order, deal, deal item
or interaction naming them). The list starts with the best cross-sell line, then the new
products, then the other cross-sell lines.

Pure: no file, no clock (`today` passed in). Who buys what is one boolean matrix (clients ×
products) worked out once; the figures of many clients come from it in blocks of matrix
products (`offer_next` for the Rankings sheet), never client by client from the orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from acctbook.book import bidi, schema
from acctbook.book.i18n import tr, trn
from acctbook.book.model import Book

MONTHS = 24            # Orders of the last 24 months say who buys what
NEW_DAYS = 90          # a product launched in the last 90 days is new
BLOCK = 512            # clients worked out together by offer_next (memory: BLOCK × active)
LIFT_DECIMALS = 9      # lift as compared when ranking (float noise never decides)
SEPARATOR = " · "      # the Rankings cell: "P-200 · Sterile wipes"


@dataclass(frozen=True)
class Offer:
    sku: str
    name: str          # the product's name from Products
    kind: str          # "cross-sell" | "new" (launched in the last 90 days, never offered)
    reason: str        # the reason in words, in `lang`
    peers: int         # clients like it that buy it (cross-sell) / 0 for "new"
    of: int            # clients in the group the share counts over
    lift: float | None  # co-purchase lift (None when not defined)


CROSS_SELL, NEW = "cross-sell", "new"


# --- who buys what, once --------------------------------------------------------------------
@dataclass(frozen=True)
class Market:
    """Who buys what over the window, as arrays; rows are clients, columns products."""
    ids: pd.Index             # Client IDs (the first Clients row of an ID wins)
    skus: np.ndarray          # every product of Products (first row of a SKU), SKU order
    names: list[str]          # their names ("" when blank)
    offerable: np.ndarray     # bool per product: Active is not No
    launched: pd.Series       # Launched per product (NaT when blank), indexed by SKU
    buys: np.ndarray          # bool clients × products: a live order line in the window
    active: np.ndarray        # bool per client: Status Active
    segment: np.ndarray       # per client its segment's number, -1 without one
    segments: list[str]       # the segment of each number, as typed (trimmed)
    peers: np.ndarray         # float32 active clients × products: the active clients' rows
    active_pos: np.ndarray    # per client its row in `peers`, -1 when not active
    seg_buyers: np.ndarray    # segments × products: active clients of the segment buying it
    all_buyers: np.ndarray    # per product: active clients buying it


def _table(book: Book, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """The table's frame, or an empty one with `columns` when the book has no such table."""
    if name in book:
        return book.frame(name)
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) \
        else str(value).strip()


def market(book: Book, today: dt.date) -> Market:
    """Who buys what on `today` (docs/rules.md, "What to offer"), for every client at once."""
    clients = _table(book, "Clients", ("client_id", "status", "segment"))
    clients = clients[clients["client_id"].notna()].drop_duplicates("client_id")
    ids = pd.Index(clients["client_id"].to_numpy(dtype=object))
    products = _table(book, "Products", ("sku", "name", "active", "launched"))
    products = products[products["sku"].notna()].drop_duplicates("sku").sort_values(
        "sku", key=lambda s: s.astype(str), kind="stable")
    skus = products["sku"].to_numpy(dtype=object)
    buys = np.zeros((len(ids), len(skus)), dtype=bool)
    o = bought_lines(_table(book, "Orders", ("client_id", "order_date", "sku", "status")), today)
    rows, cols = ids.get_indexer(o["client_id"]), pd.Index(skus).get_indexer(o["sku"])
    ok = (rows >= 0) & (cols >= 0)
    buys[rows[ok], cols[ok]] = True
    active = (clients["status"] == "Active").to_numpy(dtype=bool)
    seg_text = [_text(v) for v in clients["segment"]]
    segments = sorted({s for s in seg_text if s})
    number = {s: i for i, s in enumerate(segments)}
    segment = np.array([number.get(s, -1) for s in seg_text], dtype=np.int64)
    peers = buys[active].astype(np.float32)
    active_pos = np.full(len(ids), -1, dtype=np.int64)
    active_pos[active] = np.arange(int(active.sum()))
    seg_buyers = np.zeros((len(segments), len(skus)), dtype=np.int64)
    in_seg = active & (segment >= 0)
    np.add.at(seg_buyers, segment[in_seg], buys[in_seg].astype(np.int64))
    return Market(
        ids=ids, skus=skus, names=[_text(v) for v in products["name"]],
        offerable=(products["active"] != False).to_numpy(dtype=bool),  # noqa: E712 (blank = yes)
        launched=pd.Series(pd.to_datetime(products["launched"]).to_numpy(), index=skus),
        buys=buys, active=active, segment=segment, segments=segments, peers=peers,
        active_pos=active_pos, seg_buyers=seg_buyers,
        all_buyers=buys[active].sum(axis=0).astype(np.int64))


def bought_lines(orders: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The order lines that say who buys what: not Cancelled, with a SKU and a Client ID,
    Order date after today − 24 months (calendar months) up to and including today."""
    t = pd.Timestamp(today)
    d = orders["order_date"]
    keep = (d > t - pd.DateOffset(months=MONTHS)) & (d <= t) & (orders["status"] != "Cancelled")
    keep &= orders["sku"].notna() & orders["client_id"].notna()
    return orders.loc[keep, ["client_id", "order_date", "sku", "status"]]   # not every column


# --- the figures of a block of clients ---------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """Per client of a block (rows) and product (columns): the evidence for offering it."""
    rows: np.ndarray          # the clients' rows in Market
    candidate: np.ndarray     # bool: active product, not bought, bought by an active peer
    seg_count: np.ndarray     # same-segment active peers buying it (0 without a segment)
    all_count: np.ndarray     # active peers buying it
    near: np.ndarray | None   # bool clients × active: peers buying anything the client buys
    lift: np.ndarray          # co-purchase lift, NaN where not defined (or not worked out)


def figures(m: Market, rows: np.ndarray, with_lift: bool = True) -> Figures:
    """The evidence for the clients at `rows`: counts by segment and overall, over the active
    clients other than the client itself (a client never counts as its own peer); with
    `with_lift`, lift = P(buys p | buys anything the client buys) / P(buys p)."""
    own = m.buys[rows]
    seg = m.segment[rows]
    seg_count = np.where((seg >= 0)[:, None], m.seg_buyers[np.maximum(seg, 0)], 0) \
        if len(m.segments) else np.zeros(own.shape, dtype=np.int64)
    # The client never buys a candidate, so the peers' counts need no correction for it.
    all_count = np.broadcast_to(m.all_buyers, own.shape)
    candidate = m.offerable & ~own & (all_count > 0)
    near, lift = None, np.full(own.shape, np.nan)
    if with_lift and own.size:
        near, lift = _lift(m, rows, own, all_count)
    return Figures(rows=rows, candidate=candidate, seg_count=seg_count, all_count=all_count,
                   near=near, lift=lift)


def _lift(m: Market, rows: np.ndarray, own: np.ndarray, all_count: np.ndarray):
    """(near, lift) of the clients at `rows`: two matrix products over the active clients."""
    me = m.active_pos[rows]
    mine = me >= 0
    near = (own.astype(np.float32) @ m.peers.T) > 0
    near[np.flatnonzero(mine), me[mine]] = False
    all_size = len(m.peers) - mine.astype(np.int64)
    near_size = near.sum(axis=1)
    near_count = near.astype(np.float32) @ m.peers
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = (near_count / near_size[:, None]) / (all_count / all_size[:, None])
    return near, np.where((near_size[:, None] > 0) & (all_count > 0), lift, np.nan)


def ranked(f: Figures, leave_out: np.ndarray | None = None) -> np.ndarray:
    """Each client's products, best first: candidates before the rest, then more same-segment
    peers buying it, more active peers buying it, higher lift (none last), SKU A→Z.
    `leave_out` (bool clients × products) takes products off the candidates."""
    cand = f.candidate if leave_out is None else f.candidate & ~leave_out
    lift = np.round(f.lift, LIFT_DECIMALS)
    lift_key = np.where(np.isnan(lift), np.inf, -lift)
    # np.lexsort: the last key is the first sorted on; ties keep column (SKU) order.
    return np.lexsort((lift_key, -f.all_count, -f.seg_count, ~cand), axis=-1)


# --- new products, never offered ---------------------------------------------------------------
def new_products(m: Market, today: dt.date) -> np.ndarray:
    """The columns of the active products launched after today − 90 days up to today,
    newest launch first, then SKU."""
    t = pd.Timestamp(today)
    launched = m.launched.to_numpy()
    fresh = m.offerable & (launched > np.datetime64(t - pd.Timedelta(days=NEW_DAYS))) & \
        (launched <= np.datetime64(t))
    cols = np.flatnonzero(fresh)
    return cols[np.lexsort((cols, -launched[cols].astype("datetime64[D]").astype(np.int64)))]


def _fold_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, texts): each row's number into `texts`, its distinct values folded (case,
    gershayim, direction marks, spaces) and "" last for a blank (code -1). Each distinct
    text is folded once, however many rows hold it."""
    codes, uniques = pd.factorize(values)
    return codes, np.array([schema.fold(_text(u)) for u in uniques] + [""], dtype=object)


def _naming(columns: list[tuple[np.ndarray, np.ndarray]], words: list[str], n: int) -> np.ndarray:
    """bool per row: one of its columns (as _fold_codes) holds one of `words` (folded)."""
    hit = np.zeros(n, dtype=bool)
    for codes, texts in columns:
        named = np.fromiter((any(w in t for w in words) for t in texts), dtype=bool,
                            count=len(texts))
        hit |= named[codes]
    return hit


def offered(book: Book, m: Market, cols: np.ndarray, client: str | None = None) -> np.ndarray:
    """bool clients × len(cols): the product was offered to the client, or ordered by it:
    an Orders line of the client with its SKU (any date, any status), a DealItems line of
    one of its deals with the SKU, a deal Title naming the SKU or the product's name, or an
    Interactions row whose Subject, Outcome or Next step names them (case-insensitive).
    With `client`, only that client's rows are read (the rest stay False)."""
    out = np.zeros((len(m.ids), len(cols)), dtype=bool)
    if not len(cols):
        return out
    orders = _table(book, "Orders", ("client_id", "sku"))
    deals = _table(book, "Deals", ("deal_id", "client_id", "title"))
    items = _table(book, "DealItems", ("deal_id", "sku"))
    talks = _table(book, "Interactions", ("client_id", "subject", "outcome", "next_step"))
    if client is not None:
        orders, deals, talks = (f[f["client_id"] == client] for f in (orders, deals, talks))
        items = items[items["deal_id"].isin(deals["deal_id"])]
    deal_client = deals.dropna(subset=["deal_id"]).drop_duplicates("deal_id").set_index(
        "deal_id")["client_id"]
    item_client = items["deal_id"].map(deal_client)
    titles = [_fold_codes(deals["title"])]
    notes = [_fold_codes(talks[c]) for c in ("subject", "outcome", "next_step") if c in talks]
    for j, col in enumerate(cols):
        sku = m.skus[col]
        words = [w for w in {schema.fold(_text(sku)), schema.fold(m.names[col])} if w]
        who = pd.concat([orders.loc[orders["sku"] == sku, "client_id"],
                         item_client[items["sku"] == sku],
                         deals.loc[_naming(titles, words, len(deals)), "client_id"],
                         talks.loc[_naming(notes, words, len(talks)), "client_id"]])
        rows = m.ids.get_indexer(who.dropna().unique())
        out[rows[rows >= 0], j] = True
    return out


# --- the list for one client --------------------------------------------------------------------
def offers(book: Book, client_id: str, today: dt.date, lang: str | None = None,
           limit: int = 5) -> list[Offer]:
    """What to offer `client_id` on `today`, best first, at most `limit` lines: its best
    cross-sell line, then the new products never offered to it, then the other cross-sell
    lines (docs/rules.md, "What to offer"). A client not in Clients gets none."""
    lang = lang or book.lang
    m = market(book, today)
    pos = m.ids.get_indexer([client_id])
    if pos[0] < 0 or limit <= 0:
        return []
    row = int(pos[0])
    fresh = new_products(m, today)
    never = ~m.buys[row, fresh] & ~offered(book, m, fresh, client_id)[row]
    new_cols = fresh[never]
    leave_out = np.zeros((1, len(m.skus)), dtype=bool)
    leave_out[0, new_cols] = True          # a new product is listed once, as new
    f = figures(m, np.array([row]))
    order = ranked(f, leave_out)[0]
    cross = [c for c in order if f.candidate[0, c] and not leave_out[0, c]]
    picked = [(CROSS_SELL, c) for c in cross[:1]] + [(NEW, c) for c in new_cols] + \
        [(CROSS_SELL, c) for c in cross[1:]]
    return [_offer(m, f, kind, col, lang) for kind, col in picked[:limit]]


def _offer(m: Market, f: Figures, kind: str, col: int, lang: str) -> Offer:
    """One line of `offers` for the one client of `f`, its reason in `lang`."""
    sku, name = str(m.skus[col]), m.names[col]
    if kind == NEW:
        return Offer(sku=sku, name=name, kind=NEW, reason=new_reason(
            m.launched.iloc[col].date(), lang), peers=0, of=0, lift=None)
    row = int(f.rows[0])
    seg = int(m.segment[row])
    by_segment = seg >= 0 and f.seg_count[0, col] > 0
    group = m.active.copy()
    if by_segment:
        group &= m.segment == seg
    group[row] = False
    buyers = group & m.buys[:, col]
    peers, of = int(buyers.sum()), int(group.sum())
    # of those buyers, the ones that also buy something this client buys
    near = np.zeros(len(m.ids), dtype=bool)
    near[m.active] = f.near[0]
    also = int((buyers & near).sum())
    lift = f.lift[0, col]
    return Offer(sku=sku, name=name, kind=CROSS_SELL,
                 reason=cross_sell_reason(peers, of, also, m.segments[seg] if by_segment
                                          else None, lang),
                 peers=peers, of=of, lift=None if np.isnan(lift) else float(lift))


# --- the words ------------------------------------------------------------------------------
def cross_sell_reason(peers: int, of: int, also: int, segment: str | None, lang: str) -> str:
    """`bought by 7 of 9 clients in Pharma; 5 of them also buy what this client buys`, or
    `bought by 12 of 40 active clients; …` without same-segment evidence; the second part
    only when some of those buyers also buy what this client buys."""
    if segment is not None:
        shown = bidi.isolate(segment) if lang == "he" else bidi.isolate_rtl(segment)
        text = trn(lang, "bought by the one other client in {segment}",
                   "bought by {peers} of {of} clients in {segment}", of).format(
            peers=peers, of=of, segment=shown)
    else:
        text = trn(lang, "bought by the one other active client",
                   "bought by {peers} of {of} active clients", of).format(peers=peers, of=of)
    if also <= 0:
        return text
    if also == peers == 1:
        more = tr(lang, "it also buys what this client buys")
    elif also == peers:
        more = tr(lang, "all of them also buy what this client buys")
    else:
        more = trn(lang, "one of them also buys what this client buys",
                   "{n} of them also buy what this client buys", also).format(n=also)
    return f"{text}; {more}"


def new_reason(launched: dt.date, lang: str) -> str:
    """`new: launched 3 Nov 2026, not yet offered`, the date in the language's words."""
    from babel.dates import format_date
    shown = format_date(launched, "medium" if lang == "he" else "d MMM y",
                        locale="he" if lang == "he" else "en")
    return tr(lang, "new: launched {date}, not yet offered").format(date=shown)


def cell_text(sku, name: str) -> str:
    """A suggestion as the Rankings cell shows it: `P-200 · Sterile wipes` (the SKU alone
    when the product has no name)."""
    return f"{sku}{SEPARATOR}{name}" if name else str(sku)


# --- every client's top suggestion ---------------------------------------------------------------
def offer_next(book: Book, today: dt.date, lang: str | None = None) -> dict[str, str]:
    """Client ID -> its first line of `offers` as the Rankings cell shows it (`cell_text`);
    a client with nothing to offer is left out. `lang` is the book's (the cell holds no
    words). Worked out for all clients in blocks; lift only for the clients whose two best
    candidates tie on the counts before it."""
    m = market(book, today)
    out: dict[str, str] = {}
    if not len(m.skus):
        return out
    fresh = new_products(m, today)
    is_new = np.zeros(m.buys.shape, dtype=bool)
    if len(fresh):
        is_new[:, fresh] = ~m.buys[:, fresh] & ~offered(book, m, fresh)
    for start in range(0, len(m.ids), BLOCK):
        rows = np.arange(start, min(start + BLOCK, len(m.ids)))
        leave_out = is_new[rows]
        top = _best(m, rows, leave_out)
        for i, row in enumerate(rows):
            col = top[i] if top[i] >= 0 else next((c for c in fresh if leave_out[i, c]), -1)
            if col >= 0:
                out[m.ids[row]] = cell_text(m.skus[col], m.names[col])
    return out


def _best(m: Market, rows: np.ndarray, leave_out: np.ndarray) -> np.ndarray:
    """Per client of `rows` the column of its best cross-sell line, -1 when it has none."""
    f = figures(m, rows, with_lift=False)
    cand = f.candidate & ~leave_out
    order = ranked(f, leave_out)
    at = np.arange(len(rows))
    top = order[:, 0].copy()
    if order.shape[1] > 1:
        two = order[:, 1]
        tie = cand[at, two] & (f.seg_count[at, two] == f.seg_count[at, top]) & \
            (f.all_count[at, two] == f.all_count[at, top])
        if tie.any():
            top[tie] = ranked(figures(m, rows[tie]), leave_out[tie])[:, 0]
    return np.where(cand[at, top], top, -1)
