"""The calendar file: a CalendarPlan (acctbook.core.calendar_items) as iCalendar (RFC 5545),
written with the `icalendar` library and placed atomically (docs/calendar.md).

What Outlook, Google Calendar and Apple Calendar need, and get: VERSION 2.0, a PRODID,
METHOD PUBLISH; every item all-day (DTSTART;VALUE=DATE and DTEND the next day, the RFC's
exclusive end), with a UID that stays the same from one run to the next and a SEQUENCE and
DTSTAMP that grow with `today`, so importing again or a subscription updates instead of
duplicating; TRANSP TRANSPARENT (and Outlook's own busy status FREE), so a follow-up does not
block the day; CRLF lines folded at 75 octets, UTF-8 (the library does both). No clock: the
same plan gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from acctbook.book.i18n import said, tr
from acctbook.book.model import AcctbookError, Refused
from acctbook.core.calendar_items import CalendarPlan

# SEQUENCE: days since this date on the day the file was made, so a later file's items are
# later revisions of the same items (Outlook and Google keep the higher one).
SEQUENCE_EPOCH = dt.date(2000, 1, 1)
# How often a subscribing calendar should fetch the file again.
REFRESH_EVERY = dt.timedelta(hours=12)


def ics_bytes(plan: CalendarPlan, version: str) -> bytes:
    """The calendar as the bytes of an .ics file; `version`: acctbook's, for PRODID."""
    import icalendar     # here: every command imports this module, few write a calendar
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//acctbook//acctbook {version}//{plan.lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", plan.name)
    cal.add("x-wr-caldesc", plan.description)
    cal.add("refresh-interval", REFRESH_EVERY, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    stamp = dt.datetime.combine(plan.today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    sequence = (plan.today - SEQUENCE_EPOCH).days
    for item in plan.items:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("sequence", max(sequence, 0))
        event.add("dtstart", item.date)
        event.add("dtend", item.date + dt.timedelta(days=1))
        event.add("summary", item.title)
        event.add("description", item.description)
        event.add("categories", [item.category])
        if item.location:
            event.add("location", item.location)
        event.add("class", "PRIVATE")            # client data: details hidden when shared
        event.add("transp", "TRANSPARENT")
        event.add("x-microsoft-cdo-alldayevent", "TRUE")
        event.add("x-microsoft-cdo-busystatus", "FREE")
        cal.add_component(event)
    return cal.to_ical()


def write_ics(plan: CalendarPlan, target, version: str) -> Path:
    """Write the .ics at `target` atomically: into a temporary file beside it, then renamed
    over it, so a calendar that reads it meanwhile sees the old file or the new one, never
    half of one. The folder must exist."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise said(AcctbookError, tr("en", "{file}: cannot write the calendar: there is no "
                                           "folder {folder}"), file=target, folder=folder)
    data = ics_bytes(plan, version)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".~" + target.name + ".", suffix=".tmp")
    except OSError as e:
        raise said(AcctbookError, tr("en", "{file}: cannot write the calendar ({error})"),
                   file=target, error=e.strerror or e) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)     # mkstemp made it 0600: an ordinary file
        os.replace(tmp, target)
    except BaseException as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(e, PermissionError):
            raise said(Refused, tr("en", "{file}: cannot replace the calendar ({error}); if "
                                         "another program holds it open, close it and run "
                                         "again"), file=target, error=e.strerror or e) from e
        if isinstance(e, OSError):
            raise said(AcctbookError, tr("en", "{file}: cannot write the calendar ({error})"),
                       file=target, error=e.strerror or e) from e
        raise
    return target
