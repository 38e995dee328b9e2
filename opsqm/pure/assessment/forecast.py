"""The evidence of a year-end forecast: "what the year ends at if nothing else happens".

Assessed at the period end, today's evidence would count every workday still to come
as an absence (no punches yet), which no one means by "nothing else happens".  The
forecast therefore adds on-time punches for the on-site staff's remaining workdays;
everything else (open tickets, late reports, undelivered services) keeps accruing
to the period end exactly as the engine reads it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from opsqm.pure.assessment.model import TZ, ContractEvidence, Punch
from opsqm.pure.assessment.rulebook import Rulebook
from opsqm.pure.assessment.workcalendar import calendar_for


def with_normal_attendance(
    evidence: ContractEvidence, now: datetime, rulebook: Rulebook
) -> ContractEvidence:
    """A copy of `evidence` with the punches of a normal day for every on-site person's
    workday after `now` up to the period end (the rest of today included)."""
    contract = evidence.contract
    now = now.astimezone(TZ)
    start, end = rulebook.personnel.workday_start, rulebook.personnel.workday_end
    calendar = calendar_for(rulebook.calendar)
    extra: list[Punch] = []
    first = max(now.date(), contract.start)
    for person in evidence.staff:
        if not person.on_site:
            continue
        day = max(first, person.entered_on)
        last = contract.end if person.left_on is None else min(contract.end, _eve(person.left_on))
        while day <= last:
            if calendar.is_workday(day):
                for clock in (start, end):
                    at = datetime.combine(day, clock, TZ)
                    if at > now:
                        extra.append(Punch(contract.id, person.person, at))
            day += timedelta(days=1)
    return replace(evidence, punches=[*evidence.punches, *extra])


def _eve(d: date) -> date:
    return d - timedelta(days=1)
