"""The year-end forecast assumes normal attendance from now on; nothing else changes."""

from __future__ import annotations

from decimal import Decimal

from opsqm.pure.assessment.forecast import with_normal_attendance
from tests.assessment.factories import (
    at,
    d,
    day_punches,
    evidence,
    pts,
    punch,
    rulebook,
    run,
    staff,
    ticket,
)

END = "2026-10-25T00:00:00+08:00"  # the seed contract's period end


def _forecast(ev, now: str):
    return run(with_normal_attendance(ev, at(now), rulebook()), END)


def test_the_rest_of_the_year_counts_as_normal_attendance() -> None:
    ev = evidence(staff=[staff(entered="2026-10-19")], punches=day_punches("2026-10-19"))
    # Without the forecast every workday from 10-20 to 10-23 would be an absence.
    assert pts(run(ev, END), "P3") == -4
    assert pts(_forecast(ev, "2026-10-19 18:00"), "P3") == 0


def test_what_already_happened_still_counts() -> None:
    ev = evidence(
        staff=[staff(entered="2026-10-19")],
        punches=day_punches("2026-10-19", arrive="09:40"),  # 40 minutes late: P4
    )
    ledger = _forecast(ev, "2026-10-19 18:00")
    assert pts(ledger, "P4") == Decimal("-0.10") and pts(ledger, "P3") == 0


def test_the_rest_of_today_goes_normally_but_its_morning_is_kept() -> None:
    # 10:00 on a workday, arrived 09:30: the day ends normally at 17:30, late all the same.
    ev = evidence(staff=[staff(entered="2026-10-22")], punches=[punch("2026-10-22 09:30")])
    ledger = _forecast(ev, "2026-10-22 10:00")
    assert pts(ledger, "P3") == 0
    assert pts(ledger, "P4") == Decimal("-0.10")


def test_people_who_left_and_off_site_staff_get_no_punches() -> None:
    ev = evidence(
        staff=[
            staff("S01", entered="2026-10-19", left_on=d("2026-10-21")),
            staff("S02", entered="2026-10-19", on_site=False),
        ]
    )
    extra = with_normal_attendance(ev, at("2026-10-19 08:00"), rulebook()).punches
    assert {p.person for p in extra} == {"S01"}
    assert {p.at.date() for p in extra} == {d("2026-10-19"), d("2026-10-20")}


def test_open_tickets_keep_accruing_to_the_period_end() -> None:
    ev = evidence(tickets=[ticket("GD-1", "2026-10-20 10:00")])  # never resolved
    forecast = _forecast(ev, "2026-10-21 12:00")
    # Overdue from 10-21 10:00 to the period end: 86 h → −0.2 − 0.1 × 3.
    assert pts(forecast, "T6") == pts(run(ev, END), "T6") == Decimal("-0.50")
