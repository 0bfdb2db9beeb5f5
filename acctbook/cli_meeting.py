"""The commands that prepare a meeting: brief (the client on one page) and calendar (the
follow-ups and dates as an iCalendar file), each a parser and a function that calls one api
function and prints what it made."""

from __future__ import annotations


def brief_commands(add) -> None:
    """`acctbook brief` (added by the brief work)."""


def calendar_commands(add) -> None:
    """`acctbook calendar` (added by the calendar work)."""
