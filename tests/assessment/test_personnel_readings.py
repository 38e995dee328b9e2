"""The engine's readings of a person-day as public functions (rules/personnel.py):
the attendance pages call these, so they must say what the engine charges."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from opsqm.pure.assessment.rules.personnel import (
    assessed_span,
    last_assessed_day,
    late_early,
    leave_day_spans,
    leave_known,
    leave_request_deadline,
    replaced_days,
    required_window,
    workday_minutes,
)

from .factories import at, contract, evidence, leave, rulebook, run, staff
from .factories import replacement as replaced

MON = "2025-11-03"
PR = rulebook().personnel
WS, WE = 540, 1050  # 09:00, 17:30


def test_workday_minutes_of_the_rulebook():
    assert workday_minutes(PR) == (WS, WE)


@pytest.mark.parametrize(
    ("leaves", "window"),
    [
        ([], (WS, WE)),
        ([(540, 720)], (720, WE)),  # morning off: from 12:00
        ([(840, 1050)], (WS, 840)),  # afternoon off: until 14:00
        ([(660, 840)], (WS, WE)),  # the middle of the day: the bounds stay
        ([(0, 600), (1000, 1440)], (600, 1000)),
        ([(540, 720), (720, 1050)], None),  # two halves cover the day
        ([(0, 1440)], None),
        ([(1100, 1200)], (WS, WE)),  # after the workday
    ],
)
def test_required_window(leaves, window):
    assert required_window(WS, WE, leaves) == window


def test_late_early():
    assert late_early(WS, WE, 540, 1050) == (0, 0)
    assert late_early(WS, WE, 500, 1100) == (0, 0)
    assert late_early(WS, WE, 571, 1020) == (31, 30)
    assert late_early(720, WE, 725, 1050) == (5, 0)


@pytest.mark.parametrize(
    ("as_of", "day"),
    [
        ("2025-11-03 17:29", "2025-11-02"),
        ("2025-11-03 17:30", "2025-11-03"),
        ("2025-11-03 23:59", "2025-11-03"),
        ("2025-11-04 00:00", "2025-11-03"),
    ],
)
def test_last_assessed_day(as_of, day):
    assert last_assessed_day(at(as_of), PR) == date.fromisoformat(day)


def test_last_assessed_day_reads_local_time():
    # 09:30 UTC is 17:30 in Asia/Shanghai: the day is over there.
    as_of = datetime(2025, 11, 3, 9, 30, tzinfo=UTC)
    assert last_assessed_day(as_of, PR) == date(2025, 11, 3)


def test_replaced_days_earliest_known_replaced():
    reps = [
        replaced("2025-11-10 09:00"),
        replaced("2025-11-05 23:30", person_in="S03"),
        replaced("2025-11-01 09:00", person_out="S02", person_in="S04"),
        replaced("2025-12-01 09:00", person_out="S05", person_in="S06"),  # after as_of
    ]
    assert replaced_days(reps, at("2025-11-20 12:00")) == {
        "S01": date(2025, 11, 5),
        "S02": date(2025, 11, 1),
    }


def test_assessed_span():
    c = contract()  # 2025-10-25 – 2026-10-24
    early = staff(entered="2025-10-01")
    assert assessed_span(early, c, date(2026, 12, 31), None) == (c.start, c.end)
    s = staff(entered="2025-11-03", left_on=date(2025, 12, 1))
    assert assessed_span(s, c, date(2026, 1, 1), None) == (date(2025, 11, 3), date(2025, 11, 30))
    assert assessed_span(s, c, date(2025, 11, 20), None)[1] == date(2025, 11, 20)
    assert assessed_span(s, c, date(2026, 1, 1), date(2025, 11, 10))[1] == date(2025, 11, 9)
    first, last = assessed_span(s, c, date(2025, 11, 2), None)
    assert first > last  # nothing assessed yet


def test_leave_known():
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", f"{MON} 08:00")
    assert leave_known(lv, at(f"{MON} 08:00"))
    assert not leave_known(lv, at(f"{MON} 07:59"))
    assert not leave_known(
        leave(f"{MON} 09:00", f"{MON} 17:30", "2025-11-01 08:00", approved=False),
        at(f"{MON} 18:00"),
    )


def test_leave_day_spans_at_minute_precision_over_midnight():
    lv = leave("2025-11-03 13:00:30", "2025-11-04 12:00:59", "2025-10-30 10:00")
    o = date(2025, 11, 3).toordinal()
    assert list(leave_day_spans(lv)) == [(o, 780, 1440), (o + 1, 0, 720)]
    whole = leave("2025-11-03 00:00", "2025-11-04 00:00", "2025-10-30 10:00")
    assert list(leave_day_spans(whole)) == [(o, 0, 1440)]


@pytest.mark.parametrize("emergency", [False, True])
def test_leave_request_deadline_is_the_engines_p5_boundary(emergency):
    start = at(f"{MON} 09:00")
    deadline = leave_request_deadline(start, emergency, PR)
    hours = PR.leave_emergency_hours if emergency else -PR.leave_notice_hours
    assert deadline == start + timedelta(hours=hours)
    for requested, p5 in ((deadline, Decimal(0)), (deadline + timedelta(minutes=1), Decimal(-1))):
        lv = replace(leave(f"{MON} 09:00", f"{MON} 17:30", MON), requested_at=requested)
        lv = replace(lv, emergency=emergency)
        ev = evidence(staff=[staff(entered=MON)], leaves=[lv])
        assert run(ev, f"{MON} 18:00").totals["P5"] == p5
