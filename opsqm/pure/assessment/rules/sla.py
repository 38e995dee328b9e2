"""A ticket's deadline (第九条二, spec §2): the one function the engine and the
ticket register both call.

`sla_clock = natural` adds 8 h / 24 h of natural time to the dispatch; `business`
counts only working hours, 09:00–17:30 (the rulebook's workday) of workdays of the
attendance calendar (调休 included), a dispatch outside them starting at the next
working minute.  The overdue after the deadline is natural time under both clocks
(第十七条六 counts its daily step in natural days).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.rulebook import Rulebook
from opsqm.pure.assessment.workcalendar import WorkCalendar

SLA_CLOCKS = ("natural", "business")


def ticket_deadline(
    dispatched_at: datetime,
    priority: str,
    extended_to: datetime | None,
    rulebook: Rulebook,
    calendar: WorkCalendar,
) -> datetime:
    """`extended_to` once agreed in writing, else the dispatch plus the priority's
    hours on the rulebook's clock."""
    if extended_to is not None:
        return extended_to
    tr = rulebook.tickets
    hours = tr.sla_hours[priority]
    if tr.sla_clock == "business":
        pr = rulebook.personnel
        return business_deadline(dispatched_at, hours, calendar, pr.workday_start, pr.workday_end)
    return dispatched_at + timedelta(hours=hours)


def business_deadline(
    start: datetime, hours: int, calendar: WorkCalendar, opens: time, closes: time
) -> datetime:
    """`start` plus `hours` working hours counted inside [opens, closes] of workdays.

    A span that ends exactly at closing time ends there (not at the next opening).
    """
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(TZ)
    while True:
        day = cursor.date()
        end = datetime.combine(day, closes, TZ)
        if cursor < end and calendar.is_workday(day):
            cursor = max(cursor, datetime.combine(day, opens, TZ))
            if cursor + remaining <= end:
                return cursor + remaining
            remaining -= end - cursor
        cursor = datetime.combine(day + timedelta(days=1), opens, TZ)
