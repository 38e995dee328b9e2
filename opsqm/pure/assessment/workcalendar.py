"""Workdays: the PRC statutory calendar with make-up workdays, plus rulebook lists.

Precedence for a date: the rulebook's single-date lists, then a year the rulebook
declares in full, then ``chinese-calendar``.  A date none of them covers raises
``CalendarError`` naming it, never a silent guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import chinese_calendar

from opsqm.pure.assessment.rulebook import CalendarRules, CalendarYear

# The statutory calendar: holidays, make-up workdays, and the years it covers.
_STATUTORY_HOLIDAYS = chinese_calendar.holidays
_STATUTORY_WORKDAYS = chinese_calendar.workdays
_STATUTORY_YEARS = range(min(_STATUTORY_HOLIDAYS).year, max(_STATUTORY_HOLIDAYS).year + 1)


class CalendarError(ValueError):
    """A workday status was needed for a date no calendar source covers."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"no workday calendar for {day.isoformat()}: chinese-calendar does not cover "
            f"{day.year}; list it in the rulebook (calendar.extra_holidays / "
            f"calendar.extra_workdays, or a full [calendar.years.{day.year}])"
        )
        self.day = day


class WorkCalendar:
    def __init__(
        self,
        extra_holidays: Iterable[date],
        extra_workdays: Iterable[date],
        years: Mapping[int, CalendarYear] | None = None,
    ) -> None:
        # Each day's status by date ordinal, the rulebook's single dates first: the
        # workday ranges ask for many overlapping days, which then cost one lookup.
        self._known: dict[int, bool] = {d.toordinal(): False for d in extra_holidays}
        self._known.update((d.toordinal(), True) for d in extra_workdays)
        self._years = dict(years or {})
        self._ranges: dict[tuple[int, int], tuple[int, ...]] = {}

    def is_workday(self, d: date) -> bool:
        found = self._known.get(d.toordinal())
        return self._judge(d) if found is None else found

    def _judge(self, d: date) -> bool:
        """A day not known yet: a declared year, else the statutory calendar; kept."""
        year = self._years.get(d.year)
        if year is not None:
            result = d in year.workdays or (d.weekday() < 5 and d not in year.holidays)
        elif d.year in _STATUTORY_YEARS:
            # chinese_calendar.is_workday's own rule, without its check of the year,
            # which scans every holiday it knows (min and max) at each call.
            result = d in _STATUTORY_WORKDAYS or (d.weekday() < 5 and d not in _STATUTORY_HOLIDAYS)
        else:
            raise CalendarError(d)
        self._known[d.toordinal()] = result
        return result

    def workday_ordinals(self, first: int, last: int) -> tuple[int, ...]:
        """Ordinals of the workdays in [first, last] (date ordinals), cached per range."""
        key = (first, last)
        found = self._ranges.get(key)
        if found is None:
            known, days = self._known, []
            for o in range(first, last + 1):
                workday = known.get(o)
                if workday is None:
                    workday = self._judge(date.fromordinal(o))
                if workday:
                    days.append(o)
            found = self._ranges[key] = tuple(days)
        return found


_CALENDARS: dict[CalendarRules, WorkCalendar] = {}


def calendar_for(rules: CalendarRules) -> WorkCalendar:
    """One shared, caching calendar per distinct rulebook calendar section."""
    cal = _CALENDARS.get(rules)
    if cal is None:
        cal = WorkCalendar(rules.extra_holidays, rules.extra_workdays, dict(rules.years))
        _CALENDARS[rules] = cal
    return cal
