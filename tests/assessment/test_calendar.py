from datetime import date, timedelta

import chinese_calendar
import pytest

from opsqm.pure.assessment.rulebook import CalendarYear, rulebook_for
from opsqm.pure.assessment.workcalendar import CalendarError, WorkCalendar

from .factories import contract, evidence, rulebook, run, staff


def cal(**kw):
    return WorkCalendar(kw.get("holidays", ()), kw.get("workdays", ()), kw.get("years"))


def test_statutory_calendar_with_make_up_workday():
    c = cal()
    assert c.is_workday(date(2025, 9, 28))  # Sunday, 调休 make-up workday
    assert not c.is_workday(date(2025, 10, 1))  # National Day
    assert c.is_workday(date(2025, 10, 9))  # plain Thursday


def test_plain_weekend_is_not_a_workday():
    assert not cal().is_workday(date(2025, 11, 1))  # Saturday
    assert cal().is_workday(date(2025, 11, 3))  # Monday


def test_uncovered_date_names_the_date():
    with pytest.raises(CalendarError, match="2027-03-01"):
        cal().is_workday(date(2027, 3, 1))


def test_extra_lists_cover_and_override():
    c = cal(holidays=[date(2027, 1, 1)], workdays=[date(2027, 2, 7), date(2025, 10, 1)])
    assert not c.is_workday(date(2027, 1, 1))
    assert c.is_workday(date(2027, 2, 7))
    assert c.is_workday(date(2025, 10, 1))  # rulebook list wins over the package
    with pytest.raises(CalendarError, match="2027-01-04"):
        c.is_workday(date(2027, 1, 4))


def test_declared_year_covers_every_date():
    year = CalendarYear(
        holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 2, 7)})
    )
    c = cal(years={2027: year})
    assert not c.is_workday(date(2027, 1, 1))  # Friday, listed holiday
    assert c.is_workday(date(2027, 2, 7))  # Sunday, listed workday
    assert c.is_workday(date(2027, 3, 1))  # Monday
    assert not c.is_workday(date(2027, 3, 6))  # Saturday
    with pytest.raises(CalendarError):
        c.is_workday(date(2028, 1, 3))


def test_workday_ordinals_range():
    c = cal()
    days = c.workday_ordinals(date(2025, 9, 27).toordinal(), date(2025, 10, 9).toordinal())
    assert [date.fromordinal(o).isoformat() for o in days] == [
        "2025-09-28",
        "2025-09-29",
        "2025-09-30",
        "2025-10-09",
    ]


def _next_year_evidence():
    return evidence(
        contract=contract(start=date(2026, 10, 25), end=date(2027, 10, 24)),
        staff=[staff(entered="2026-10-25")],
    )


def test_assess_raises_calendar_error_for_uncovered_workday():
    with pytest.raises(CalendarError, match="2027-01-01"):
        run(_next_year_evidence(), "2027-01-05 18:00")


def test_assess_before_the_uncovered_year_needs_no_calendar_for_it():
    ledger = run(_next_year_evidence(), "2026-12-31 18:00")
    assert ledger.totals["P3"] < 0


def test_rulebook_declared_year_lets_assess_run():
    ev = _next_year_evidence()
    ev.contract.parameters = {
        "calendar.years.2027": {"holidays": ["2027-01-01"], "workdays": []},
    }
    rb = rulebook_for(ev.contract, rulebook())
    ledger = run(ev, "2027-01-05 18:00", rb)
    days = [i.ref for i in ledger.items if i.rule == "P3" and "2027" in i.ref]
    assert days == ["S01 2027-01-04", "S01 2027-01-05"]


def test_make_up_workday_is_assessed_and_holiday_is_not():
    ev = evidence(staff=[staff(entered="2025-09-27")])
    ev.contract.start = date(2025, 9, 27)
    ledger = run(ev, "2025-10-01 23:00")
    refs = [i.ref for i in ledger.items if i.rule == "P3"]
    assert refs == ["S01 2025-09-28", "S01 2025-09-29", "S01 2025-09-30"]


def test_off_site_staff_need_no_calendar():
    ev = _next_year_evidence()
    ev.staff[0].on_site = False
    ledger = run(ev, "2027-01-05 18:00")
    assert ledger.totals["P3"] == 0


def test_every_covered_day_is_what_chinese_calendar_says():
    # WorkCalendar applies chinese-calendar's rule to its public tables itself (the
    # library checks the year by scanning them at every call): the same answer for
    # every day it covers, and CalendarError just outside.
    cal = WorkCalendar([], [])
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    day = date(first, 1, 1)
    while day.year <= last:
        assert cal.is_workday(day) is chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    for outside in (date(first - 1, 12, 31), date(last + 1, 1, 1)):
        with pytest.raises(CalendarError):
            WorkCalendar([], []).is_workday(outside)
