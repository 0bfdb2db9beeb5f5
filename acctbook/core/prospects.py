"""The prospect score (docs/rules.md, section 18): how likely a Prospect is to become a good
client, 0-100, from the book's own history, and its reasons in words.

Points for the win rate of past deals by the prospect's Source and Segment (smoothed
toward the book's win rate, so one deal does not decide), engagement in the last 60 days,
its most advanced open deal and a referral by an A client; minus warning signs: no company
number, a failing check digit, a free-mail address, unanswered outbound touches, a
referrer who pays late. Each signal's points are rounded to a whole number, the reasons
show them, and the score is their sum held within 0..100. The points are Settings data
(table ProspectPoints over schema.DEFAULT_PROSPECT_POINTS).

Pure: no file, no clock. Every count is a pandas groupby over all clients at once; only the
text is built prospect by prospect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from acctbook.book import bidi, freemail, schema
from acctbook.book.i18n import tr, trn
from acctbook.book.identity import il_number_ok
from acctbook.book.rulekit import bad_values
from acctbook.book.settings_load import over_defaults
from acctbook.core import risk
from acctbook.core.ranking import CLOSED_STAGES, open_deals
from acctbook.core.rounding import half_up

WINDOW_DAYS = 60     # engagement counts the days after today - 60, up to today
SMOOTHING = 5        # k: a win rate is (won + k × prior) / (closed + k)
NO_PRIOR = 0.5       # the prior when the book has no closed deal
UNANSWERED = 3       # outbound touches with no answer in a row that make a warning sign
MINUS = "\u2212"     # the minus sign of a subtracted point count
STAGE_ORDER = {s: i for i, s in enumerate(schema.STAGES)}
SCORE_MAX = 100


def points(frame: pd.DataFrame | None) -> dict[str, float]:
    """Settings ProspectPoints over the defaults: a signal left out or with its Points blank
    keeps its default; a negative value (the check reports it) counts as 0."""
    return over_defaults(frame, "signal", "points", schema.DEFAULT_PROSPECT_POINTS,
                         conv=lambda v: max(float(v), 0.0))


def whole(x: float) -> int:
    """Points as shown: rounded half up (2.5 -> 3), as a person rounds."""
    return int(half_up(x))


def prospect_scores(per: pd.DataFrame, frames: dict[str, pd.DataFrame], orders: pd.DataFrame,
                    settings, today: dt.date, lang: str = "en",
                    streaks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per Client ID (per's index): prospect_score (int 0-100) and prospect_reasons (text),
    None for every client that is not a Prospect.

    `per` is compute's per-client frame (status, class); `frames` the loaded tables
    (Clients, Deals, Interactions, Attendance, Contacts, Events, ProspectPoints); `orders`
    the live order lines with their terms (for the referrer's unpaid invoices); `streaks`:
    unanswered_streaks of the prospects, when the caller has them already."""
    out = pd.DataFrame({"prospect_score": [None] * len(per),
                        "prospect_reasons": [None] * len(per)}, index=per.index, dtype=object)
    ids = per.index[per["status"] == "Prospect"]
    if not len(ids):
        return out
    pts = points(frames.get("ProspectPoints"))
    info = _first_rows(frames["Clients"], per.index)
    facts = pd.concat([
        win_rates(info, frames["Deals"], ids),
        engagement(frames, ids, today),
        best_open_deals(frames["Deals"], ids, settings),
        referrers(info, per, orders, ids, today),
        warning_signs(info, frames["Interactions"], ids, settings, streaks),
    ], axis=1)
    scores, reasons = [], []
    for f in facts.itertuples():
        lines = _lines(f, pts, lang)
        scores.append(min(max(sum(n for _, n in lines), 0), SCORE_MAX))
        reasons.append("; ".join(t for t, _ in lines) or None)
    out.loc[ids, "prospect_score"] = pd.Series(scores, index=ids, dtype=object)
    out.loc[ids, "prospect_reasons"] = pd.Series(reasons, index=ids, dtype=object)
    return out


def _first_rows(clients: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """The first Clients row of each ID, indexed by the ID, in `index` order."""
    c = clients[clients["client_id"].notna()].drop_duplicates("client_id")
    return c.set_index("client_id").reindex(index)


def _text(v) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()


# --- the signals, for every prospect at once -----------------------------------------------
def win_rates(info: pd.DataFrame, deals: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """Per prospect: the smoothed win rate `win_rate` of the closed (Won / Lost) deals of the
    clients sharing its Source and of those sharing its Segment (trimmed, any case),
    averaged; with the counts shown (src_won, src_closed, seg_won, seg_closed, all_won,
    all_closed). The prospect's own deals are left out of its Source and Segment. Prior:
    the win rate of every closed deal in the book (0.5 when there is none); a blank Source
    or Segment is the prior."""
    d = deals[deals["stage"].isin(CLOSED_STAGES) & deals["client_id"].isin(info.index)]
    cid = d["client_id"].to_numpy()
    src_key = info["source"].map(_text)
    src_key = src_key.where(src_key != "", None)
    seg_key = info["segment"].map(lambda v: schema.fold(_text(v)) or None)
    facts = pd.DataFrame({"won": (d["stage"] == "Won").astype(int).to_numpy(), "closed": 1,
                          "src": src_key.reindex(cid).to_numpy(),
                          "seg": seg_key.reindex(cid).to_numpy(), "cid": cid})
    own = facts.groupby("cid")[["won", "closed"]].sum().reindex(ids).fillna(0)
    all_won, all_closed = int(facts["won"].sum()), len(facts)
    prior = all_won / all_closed if all_closed else NO_PRIOR
    out = {"all_won": all_won, "all_closed": all_closed}
    halves = []
    for half, keys in (("src", src_key), ("seg", seg_key)):
        mine = keys.reindex(ids)
        sums = facts.groupby(half)[["won", "closed"]].sum()
        got = sums.reindex(mine.to_numpy()).fillna(0).to_numpy()
        won = np.where(mine.notna(), got[:, 0] - own["won"].to_numpy(), 0)
        closed = np.where(mine.notna(), got[:, 1] - own["closed"].to_numpy(), 0)
        out[f"{half}_won"], out[f"{half}_closed"] = won, closed
        halves.append((won + SMOOTHING * prior) / (closed + SMOOTHING))
    out["win_rate"] = (halves[0] + halves[1]) / 2
    out["source"] = info["source"].reindex(ids).to_numpy()
    out["segment"] = info["segment"].reindex(ids).map(_text).to_numpy()
    return pd.DataFrame(out, index=ids)


def engagement(frames: dict[str, pd.DataFrame], ids: pd.Index, today: dt.date
               ) -> pd.DataFrame:
    """Per prospect, in the last 60 days (today - 60 < Date <= today): touches (every
    interaction), meetings (Channel Meeting whose Outcome is not No answer), replies
    (Direction In) and events attended (distinct events on those days with an Attendance
    row Attended = Yes of its contacts: the row's Client ID, else the contact's client)."""
    t = pd.Timestamp(today)
    start = t - pd.Timedelta(days=WINDOW_DAYS)
    i = frames["Interactions"]
    i = i[(i["date"] > start) & (i["date"] <= t) & i["client_id"].isin(ids)]
    held = (i["channel"] == "Meeting") & (i["outcome"] != "No answer")
    counts = pd.DataFrame({"touches": 1, "meetings": held.astype(int),
                           "replies": (i["direction"] == "In").astype(int)}, index=i.index)
    out = counts.groupby(i["client_id"]).sum().reindex(ids).fillna(0).astype(int)
    out["events"] = _events_attended(frames, ids, start, t)
    return out


def _events_attended(frames, ids: pd.Index, start: pd.Timestamp, t: pd.Timestamp) -> pd.Series:
    a = frames["Attendance"]
    a = a[a["attended"] == True]    # noqa: E712 (Yes is True, No False, blank None)
    contacts = frames["Contacts"]
    contacts = contacts[contacts["contact_id"].notna()].drop_duplicates("contact_id")
    whose = _lookup(contacts.set_index("contact_id")["client_id"], a["contact_id"])
    client = a["client_id"].where(a["client_id"].notna(), whose)
    events = frames["Events"]
    events = events[events["event_id"].notna()].drop_duplicates("event_id")
    day = _lookup(events.set_index("event_id")["date"], a["event_id"])
    seen = pd.DataFrame({"client": client, "event": a["event_id"]})[
        (day > start) & (day <= t) & client.isin(ids)].drop_duplicates()
    return seen.groupby("client").size().reindex(ids).fillna(0).astype(int)


def _lookup(values: pd.Series, keys: pd.Series) -> pd.Series:
    """values[key] for each of `keys` (NaN / NaT where there is none), indexed like keys."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def best_open_deals(deals: pd.DataFrame, ids: pd.Index, settings) -> pd.DataFrame:
    """Per prospect its most advanced open deal (the latest stage; first row on a tie):
    deal_id, stage, and stage_probability, the stage's Settings Stage probability."""
    d = deals[open_deals(deals) & deals["client_id"].isin(ids) & deals["stage"].notna()]
    d = d.assign(_rank=d["stage"].map(STAGE_ORDER), _row=d.index)
    d = d.sort_values(["client_id", "_rank", "_row"], ascending=[True, False, True])
    best = d.drop_duplicates("client_id").set_index("client_id").reindex(ids)
    prob = best["stage"].map(lambda s: settings.stage_probability.get(s, 0.0)
                             if isinstance(s, str) else np.nan)
    return pd.DataFrame({"deal_id": best["deal_id"], "stage": best["stage"],
                         "stage_probability": pd.to_numeric(prob, errors="coerce")}, index=ids)


def referrers(info: pd.DataFrame, per: pd.DataFrame, orders: pd.DataFrame, ids: pd.Index,
              today: dt.date) -> pd.DataFrame:
    """Per prospect its Referred by when that is another known client: `referrer`,
    `referrer_a` (its Class is A) and `referrer_late`, the days its most overdue unpaid
    invoice is past due (0 when none is)."""
    ref = info["referred_by"].reindex(ids).map(_text)
    known = ref.isin(per.index) & (ref != ids.to_series(index=ids))
    ref = ref.where(known, None)
    # only the referrers' own lines: a client's unpaid invoices are its orders' alone
    inv = risk.unpaid_invoices(orders[orders["client_id"].isin(set(ref.dropna()))], today)
    late = inv[inv["days"] > 0].groupby("client_id")["days"].max()
    return pd.DataFrame({
        "referrer": ref,
        "referrer_a": known & (per["class"].reindex(ref.to_numpy()).to_numpy() == "A"),
        "referrer_late": late.reindex(ref.to_numpy()).fillna(0).astype(int).to_numpy(),
    }, index=ids)


def warning_signs(info: pd.DataFrame, interactions: pd.DataFrame, ids: pd.Index, settings,
                  streaks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per prospect: no_number (Company number blank); bad_number (the number, when the
    company-number check fails it: only for Country IL, blank = Settings Country);
    free_mail (the Email's domain, when it is a free-mail one); unanswered and
    unanswered_since (the outbound No answer touches in a row at the end of its log)."""
    c = info.reindex(ids)
    number = c["company_number"].map(_text)
    country = c["country"].fillna(settings.country).astype(object).map(
        lambda s: str(s).strip().upper())
    present = number.where(number != "", None)
    bad = (country == "IL") & present.notna() & bad_values(present, lambda v: not il_number_ok(v))
    domain = c["email"].map(freemail.domain_of)
    free = domain.map(lambda v: v if freemail.is_free(v) else None)
    streak = unanswered_streaks(interactions, ids) if streaks is None else streaks.reindex(ids)
    return pd.DataFrame({"no_number": (number == "").to_numpy(),
                         "bad_number": present.where(bad, None).to_numpy(),
                         "free_mail": free.to_numpy(),
                         "unanswered": streak["n"].to_numpy(),
                         "unanswered_since": streak["since"].to_numpy()}, index=ids)


def unanswered_streaks(interactions: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """Per client of `ids`: n, how many of its latest interactions in a row (by Date, then
    sheet row) are outbound (Direction Out) with Outcome No answer, and since, the first
    one's Date. Campaign messages (a Campaign ID) are left out: a mailing expects no
    answer, so it neither counts nor breaks a run."""
    i = interactions[interactions["client_id"].isin(ids) & interactions["date"].notna()]
    if "campaign_id" in i:
        i = i[i["campaign_id"].isna()]
    i = i.assign(_row=i.index).sort_values(["client_id", "date", "_row"])
    silent = ((i["direction"] == "Out") & (i["outcome"] == "No answer")).to_numpy()
    pos = i.groupby("client_id").cumcount().to_numpy()
    cid = i["client_id"].to_numpy()
    last_heard = pd.Series(np.where(silent, -1, pos), index=cid).groupby(level=0).max()
    in_run = silent & (pos > last_heard.reindex(cid).to_numpy())
    run = i[in_run].groupby("client_id")["date"].agg(["size", "min"])
    return pd.DataFrame({"n": run["size"].reindex(ids).fillna(0).astype(int),
                         "since": run["min"].reindex(ids)}, index=ids)


# --- the points and the words ------------------------------------------------------------
def _lines(f, pts: dict[str, float], lang: str) -> list[tuple[str, int]]:
    """(reason, whole points) per signal that scores, in the fixed order of the docs."""
    say = _Words(lang)
    lines: list[tuple[str, int]] = []

    def add(n: float, sign: int, words) -> None:
        k = whole(n) * sign
        if k:
            lines.append((words(say.signed(k)), k))

    add(pts["Win rate"] * f.win_rate, 1, lambda p: say.win_rate(f, p))
    raw = (f.touches * pts["Touch"] + f.meetings * pts["Meeting"] + f.replies * pts["Reply"]
           + f.events * pts["Event attended"])
    capped = raw > pts["Engagement cap"]
    add(min(raw, pts["Engagement cap"]), 1, lambda p: say.engagement(f, capped, p))
    if isinstance(f.stage, str):
        add(pts["Open deal"] * f.stage_probability / 100, 1, lambda p: say.open_deal(f, p))
    if f.referrer_a:
        add(pts["Referred by A"], 1, lambda p: say.referred(f.referrer, p))
    if f.no_number:
        add(pts["No company number"], -1,
            lambda p: tr(lang, "no company number {points}").format(points=p))
    if isinstance(f.bad_number, str):
        add(pts["Bad check digit"], -1, lambda p: say.bad_number(f.bad_number, p))
    if isinstance(f.free_mail, str):
        add(pts["Free-mail address"], -1, lambda p: say.free_mail(f.free_mail, p))
    if f.unanswered >= UNANSWERED:
        add(pts["Unanswered x3"], -1,
            lambda p: say.unanswered(f.unanswered, f.unanswered_since, p))
    if isinstance(f.referrer, str) and f.referrer_late > 0:
        add(pts["Late-paying referrer"], -1,
            lambda p: say.late_referrer(f.referrer, f.referrer_late, p))
    return lines


class _Words:
    """The reasons' texts in `lang`, each ending in its signed points (`signed`). In
    Hebrew, numbers, dates and the signed points run left to right and IDs are isolated
    (book/bidi.py); in English a value holding Hebrew is isolated."""

    def __init__(self, lang: str):
        self.lang = lang
        he = lang == "he"
        self.run = bidi.ltr if he else str
        self.ident = bidi.isolate if he else bidi.isolate_rtl

    def signed(self, k: int) -> str:
        return self.run(f"+{k}" if k > 0 else f"{MINUS}{-k}")

    def _share(self, won, closed) -> str:
        return self.run(f"{int(won)}/{int(closed)}")

    def win_rate(self, f, points: str) -> str:
        lang = self.lang
        src = (f"{schema.show_choice(f.source, lang)} {self._share(f.src_won, f.src_closed)}"
               if isinstance(f.source, str) else tr(lang, "no source"))
        seg = (f"{self.ident(f.segment)} {self._share(f.seg_won, f.seg_closed)}"
               if f.segment else tr(lang, "no segment"))
        every = tr(lang, "all deals {share}").format(share=self._share(f.all_won, f.all_closed))
        return tr(lang, "Win rate {rate} ({details}) {points}").format(
            rate=self.run(f"{whole(f.win_rate * 100)}%"), details=", ".join((src, seg, every)),
            points=points)

    def engagement(self, f, capped: bool, points: str) -> str:
        lang = self.lang
        parts = []
        if f.touches:
            parts.append(trn(lang, "{n} touch", "{n} touches", f.touches).format(n=f.touches))
        if f.meetings:
            parts.append(trn(lang, "{n} meeting held", "{n} meetings held",
                             f.meetings).format(n=f.meetings))
        if f.replies:
            parts.append(trn(lang, "{n} reply", "{n} replies", f.replies).format(n=f.replies))
        if f.events:
            parts.append(trn(lang, "{n} event attended", "{n} events attended",
                             f.events).format(n=f.events))
        text = (tr(lang, "{activity} in the last {days} days, capped {points}") if capped
                else tr(lang, "{activity} in the last {days} days {points}"))
        return text.format(activity=", ".join(parts), days=WINDOW_DAYS, points=points)

    def open_deal(self, f, points: str) -> str:
        return tr(self.lang, "deal {deal} in {stage} ({probability}) {points}").format(
            deal=self.ident(f.deal_id), stage=schema.show_choice(f.stage, self.lang),
            probability=self.run(f"{f.stage_probability:g}%"), points=points)

    def referred(self, client: str, points: str) -> str:
        return tr(self.lang, "referred by A client {client} {points}").format(
            client=self.ident(client), points=points)

    def bad_number(self, number: str, points: str) -> str:
        return tr(self.lang, "company number {number} fails its check digit {points}").format(
            number=self.run(number), points=points)

    def free_mail(self, domain: str, points: str) -> str:
        return tr(self.lang, "e-mail on {domain}, a free-mail domain {points}").format(
            domain=self.ident(domain), points=points)

    def unanswered(self, n: int, since, points: str) -> str:
        return tr(self.lang, "{n} outbound touches unanswered in a row since {date} {points}"
                  ).format(n=n, date=self.run(since.date().isoformat()), points=points)

    def late_referrer(self, client: str, days: int, points: str) -> str:
        return trn(self.lang, "referrer {client} has an invoice {days} day overdue {points}",
                   "referrer {client} has an invoice {days} days overdue {points}", days
                   ).format(client=self.ident(client), days=days, points=points)
