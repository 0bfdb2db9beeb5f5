"""What a campaign and an event brought: the Campaigns sheet's computed columns and the
monthly report's campaign and event figures (docs/rules.md, section 16).

Pure: frames in, frames out; no file, no clock. A campaign's messages are its Interactions
rows: those with its Campaign ID whose Direction is not In (an inbound row naming the
campaign is a reply, not a message).

- **Sent on**: the earliest Date of its messages.
- **Recipients**: the distinct contacts its messages went to (a message without a Contact ID
  counts its client once).
- **Audience**: the clients its messages went to (a message without a Client ID: its
  contact's client).
- **Responses**: audience clients with an inbound interaction (Direction In) or a new deal
  (Deals Created) from the day after Sent on to Sent on + 30 days, both included.
- **Deals**: those new deals (Deals rows of audience clients created in that window).

Per event: invited (distinct contacts on its Attendance rows), accepted (RSVP Yes),
attended (Attended Yes), and the deals its attending clients created from the day after the
event's date to 90 days after it.
"""

from __future__ import annotations

import pandas as pd

RESPONSE_DAYS = 30       # a campaign's response window, days after Sent on
EVENT_DEAL_DAYS = 90     # an event's deal window, days after its date
CAMPAIGN_COLUMNS = ["sent_on", "recipients", "responses", "deals", "clients"]
EVENT_COLUMNS = ["invited", "accepted", "attended", "deals"]


def _lookup(keys: pd.Series, table: pd.Series, dates: bool = False) -> pd.Series:
    """table[key] for each key (NaN/NaT when absent), safe on empty tables (Series.map is
    not: it cannot turn an empty datetime table into floats)."""
    out = pd.Series(table.reindex(keys.to_numpy()).to_numpy(), index=keys.index, dtype=object)
    return pd.to_datetime(out) if dates else out


def contact_owner(contacts: pd.DataFrame) -> pd.Series:
    """Contact ID -> its client (the first Contacts row with that ID)."""
    c = contacts[contacts["contact_id"].notna()].drop_duplicates("contact_id")
    return c.set_index("contact_id")["client_id"]


def client_of(frame: pd.DataFrame, contacts: pd.DataFrame) -> pd.Series:
    """Each row's Client ID, or when blank its contact's client (None when neither)."""
    client = frame["client_id"].astype(object)
    blank = client.isna()
    # only the rows without a client look up their contact (a large book's inbound log is
    # half a million rows, nearly all with a client)
    theirs = _lookup(frame.loc[blank, "contact_id"], contact_owner(contacts))
    return client.where(~blank, theirs.reindex(client.index))


def messages(interactions: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """The campaign messages (Campaign ID given, Direction not In), with `who` (the contact,
    else the client: one recipient) and `client`."""
    if "campaign_id" not in interactions:
        return pd.DataFrame(columns=["campaign_id", "date", "who", "client"])
    m = interactions[interactions["campaign_id"].notna() & interactions["direction"].ne("In")]
    client = client_of(m, contacts)
    who = ("contact:" + m["contact_id"].astype(object)).where(
        m["contact_id"].notna(), "client:" + client.astype(object))
    return pd.DataFrame({"campaign_id": m["campaign_id"], "date": m["date"], "who": who,
                         "client": client}, index=m.index)


def _window_hits(pairs: pd.DataFrame, dated: pd.DataFrame, days: int) -> pd.DataFrame:
    """`pairs` (key, client, start) joined with `dated` (client, date, …) where the date lies
    from the day after start to start + days, both included."""
    hits = pairs.merge(dated, on="client")
    ok = (hits["date"] > hits["start"]) & (hits["date"] <= hits["start"] + pd.Timedelta(days=days))
    return hits[ok]


def campaign_results(campaigns: pd.DataFrame, interactions: pd.DataFrame, deals: pd.DataFrame,
                     contacts: pd.DataFrame) -> pd.DataFrame:
    """Indexed like `campaigns`: sent_on (Timestamp or NaT), recipients, responses, deals and
    clients (the audience's size); all blank (None/NaT) for a campaign with no message."""
    m = messages(interactions, contacts)
    m = m[m["campaign_id"].isin(campaigns["campaign_id"].dropna())]
    by = m.groupby("campaign_id")
    sent = by["date"].min()
    recipients = m[m["who"].notna()].groupby("campaign_id")["who"].nunique()
    audience = m[m["client"].notna()][["campaign_id", "client"]].drop_duplicates()
    audience = audience.assign(start=_lookup(audience["campaign_id"], sent, dates=True))
    audience = audience[audience["start"].notna()].rename(columns={"campaign_id": "key"})
    inbound = interactions[interactions["direction"].eq("In") & interactions["date"].notna()]
    inbound = pd.DataFrame({"client": client_of(inbound, contacts), "date": inbound["date"]})
    new = deals[deals["client_id"].notna() & deals["created"].notna()]
    new = pd.DataFrame({"client": new["client_id"], "date": new["created"], "deal": new.index})
    replied = _window_hits(audience, inbound, RESPONSE_DAYS)
    won = _window_hits(audience, new, RESPONSE_DAYS)
    responders = pd.concat([replied[["key", "client"]], won[["key", "client"]]])
    responses = responders.drop_duplicates().groupby("key").size()
    deal_count = won.drop_duplicates(["key", "deal"]).groupby("key").size()
    clients = audience.groupby("key").size()
    ids = campaigns["campaign_id"]
    out = pd.DataFrame(index=campaigns.index)
    out["sent_on"] = _lookup(ids, sent, dates=True)
    logged = ids.isin(m["campaign_id"]).to_numpy()
    for key, counts in (("recipients", recipients), ("responses", responses),
                        ("deals", deal_count), ("clients", clients)):
        values = counts.reindex(ids.to_numpy()).fillna(0).astype(int).to_numpy().astype(object)
        values[~logged] = None
        out[key] = values
    return out[CAMPAIGN_COLUMNS]


def event_results(events: pd.DataFrame, attendance: pd.DataFrame, deals: pd.DataFrame,
                  contacts: pd.DataFrame) -> pd.DataFrame:
    """Indexed like `events`: invited, accepted, attended (distinct contacts) and deals (new
    deals of the attending clients within EVENT_DEAL_DAYS after the event's date)."""
    a = attendance[attendance["event_id"].notna()]
    a = a.assign(client=client_of(a, contacts), who=a["contact_id"])
    by = {key: a[mask].groupby("event_id")["who"].nunique() for key, mask in (
        ("invited", a["who"].notna()), ("accepted", a["who"].notna() & a["rsvp"].eq("Yes")),
        ("attended", a["who"].notna() & a["attended"].eq(True)))}
    dates = events.dropna(subset=["event_id"]).drop_duplicates("event_id").set_index(
        "event_id")["date"]
    came = a[a["attended"].eq(True) & a["client"].notna()][["event_id", "client"]]
    came = came.drop_duplicates().rename(columns={"event_id": "key"})
    came = came.assign(start=_lookup(came["key"], dates, dates=True))
    came = came[came["start"].notna()]
    new = deals[deals["client_id"].notna() & deals["created"].notna()]
    new = pd.DataFrame({"client": new["client_id"], "date": new["created"], "deal": new.index})
    won = _window_hits(came, new, EVENT_DEAL_DAYS)
    by["deals"] = won.drop_duplicates(["key", "deal"]).groupby("key").size()
    ids = events["event_id"].to_numpy()
    return pd.DataFrame({k: [int(v) for v in by[k].reindex(ids).fillna(0)]
                         for k in EVENT_COLUMNS}, index=events.index)
