"""P1–P5: verification, replacement, attendance and leave (第十六条)."""

from datetime import date
from decimal import Decimal

import pytest

from opsqm.pure.assessment.model import LeaveKind
from opsqm.pure.assessment.rulebook import rulebook_for

from .factories import (
    at,
    contract,
    day_punches,
    evidence,
    leave,
    of,
    punch,
    replacement,
    rulebook,
    run,
    staff,
)

MON = "2025-11-03"  # a plain Monday
TUE = "2025-11-04"


def one_day(punches, *, as_of=f"{MON} 18:00", leaves=(), rb=None, **staff_kw):
    ev = evidence(
        staff=[staff(entered=MON, **staff_kw)], punches=list(punches), leaves=list(leaves)
    )
    return run(ev, as_of, rb)


# --- P1 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verified", "expected"),
    [
        (date(2025, 11, 3), "0.00"),
        (date(2025, 11, 1), "0.00"),
        (date(2025, 11, 4), "-5.00"),
        (None, "-5.00"),
    ],
)
def test_p1_verification_on_or_before_entry(verified, expected):
    ledger = one_day(day_punches(MON), verified_on=verified)
    assert ledger.totals["P1"] == Decimal(expected)


def test_p1_not_before_entry():
    ev = evidence(staff=[staff(entered="2025-12-01", verified_on=None)])
    assert run(ev, "2025-11-30 23:00").totals["P1"] == 0
    assert run(ev, "2025-12-01 08:00").totals["P1"] == Decimal("-5")


def _newcomer(verified_on, emergency=True):
    """S02 enters on Tuesday 2026-03-03 after S01 is replaced on Monday 09:00."""
    rep = replacement("2026-03-02 09:00", "2026-02-20 10:00", emergency=emergency)
    return evidence(
        staff=[staff("S02", entered="2026-03-02", verified_on=verified_on)], replacements=[rep]
    )


def test_p1_emergency_newcomer_not_due_before_the_24h_window_closes():
    ev = _newcomer(None)
    assert run(ev, "2026-03-03 08:59").totals["P1"] == 0
    late = run(ev, "2026-03-03 09:00")
    assert late.totals["P1"] == Decimal("-5")
    (item,) = [i for i in late.items if i.rule == "P1"]
    assert item.ref == "S02" and item.at == at("2026-03-03 09:00")
    assert "2026-03-03" in item.note


@pytest.mark.parametrize(
    ("verified", "expected"),
    [(date(2026, 3, 3), "0.00"), (date(2026, 3, 4), "-5.00")],
)
def test_p1_emergency_newcomer_has_until_the_day_of_the_window(verified, expected):
    assert run(_newcomer(verified), "2026-03-10 08:00").totals["P1"] == Decimal(expected)


def test_p1_non_emergency_newcomer_keeps_the_day_of_entry():
    ev = _newcomer(date(2026, 3, 3), emergency=False)
    assert run(ev, "2026-03-02 12:00").totals["P1"] == Decimal("-5")


# --- P2 -------------------------------------------------------------------------


def _p2(rep, as_of="2026-03-10 08:00"):
    return run(evidence(replacements=[rep]), as_of).totals["P2"]


def test_p2_notice_exactly_seven_days_before_is_in_time():
    assert _p2(replacement("2026-03-02 09:00", "2026-02-23 09:00")) == 0


def test_p2_notice_one_minute_short_of_seven_days():
    assert _p2(replacement("2026-03-02 09:00", "2026-02-23 09:01")) == Decimal("-5")


def test_p2_no_notice():
    assert _p2(replacement("2026-03-02 09:00", None)) == Decimal("-5")


def test_p2_not_before_the_replacement():
    assert _p2(replacement("2026-03-02 09:00", None), as_of="2026-03-02 08:59") == 0


@pytest.mark.parametrize(
    ("materials", "expected"),
    [("2026-03-03 09:00", "0.00"), ("2026-03-03 09:01", "-5.00"), (None, "-5.00")],
)
def test_p2_emergency_materials_within_24_hours(materials, expected):
    from .factories import at

    rep = replacement(
        "2026-03-02 09:00", None, emergency=True, materials_at=at(materials) if materials else None
    )
    assert _p2(rep) == Decimal(expected)


def test_p2_emergency_missing_materials_only_once_due():
    rep = replacement("2026-03-02 09:00", None, emergency=True)
    assert _p2(rep, as_of="2026-03-03 08:59") == 0
    assert _p2(rep, as_of="2026-03-03 09:00") == Decimal("-5")


def test_p2_materials_after_as_of_are_not_yet_known():
    from .factories import at

    rep = replacement("2026-03-02 09:00", None, emergency=True, materials_at=at("2026-03-03 08:00"))
    assert _p2(rep, as_of="2026-03-03 09:30") == 0  # known in time
    assert _p2(rep, as_of="2026-03-02 10:00") == 0  # not yet due


def test_replacement_ends_the_outgoing_persons_activity():
    ev = evidence(
        staff=[staff("S01", entered=MON), staff("S02", entered=TUE)],
        replacements=[replacement(f"{TUE} 09:00", "2025-10-20 09:00")],
        punches=day_punches(MON) + day_punches(TUE, person="S02"),
    )
    ledger = run(ev, f"{TUE} 18:00")
    assert ledger.totals["P2"] == 0
    assert of(ledger, "P3") == []  # S01 is not expected on Tuesday


# --- P3 -------------------------------------------------------------------------


def test_p3_two_punches_is_present():
    assert one_day(day_punches(MON)).totals["P3"] == 0


def test_p3_no_punch_and_single_punch():
    assert one_day([]).totals["P3"] == Decimal("-1")
    ledger = one_day([punch(f"{MON} 08:50", line=7)])
    assert ledger.totals["P3"] == Decimal("-1")
    assert of(ledger, "P3")[0].line == 7
    assert of(ledger, "P3")[0].ref == f"S01 {MON}"


def test_p3_day_assessed_only_once_its_end_has_passed():
    assert one_day([], as_of=f"{MON} 17:29").totals["P3"] == 0
    assert one_day([], as_of=f"{MON} 17:30").totals["P3"] == Decimal("-1")


def test_p3_punch_after_as_of_is_ignored():
    punches = [punch(f"{MON} 08:50"), punch(f"{MON} 18:30")]
    assert one_day(punches, as_of=f"{MON} 18:00").totals["P3"] == Decimal("-1")
    assert one_day(punches, as_of=f"{MON} 18:30").totals["P3"] == 0


def test_p3_weekend_and_holiday_are_not_assessed():
    ev = evidence(staff=[staff(entered="2025-09-29")], contract=contract(start=date(2025, 9, 29)))
    ledger = run(ev, "2025-10-08 08:00")  # 9/29 and 9/30 work; 10/1–10/8 National Day
    assert [i.ref for i in of(ledger, "P3")] == ["S01 2025-09-29", "S01 2025-09-30"]


def test_p3_only_on_site_and_active_staff():
    assert one_day([], on_site=False).totals["P3"] == 0
    assert one_day([], left_on=date(2025, 11, 3)).totals["P3"] == 0
    # left_on is the first day away: active through the day before
    ev = evidence(staff=[staff(entered=MON, left_on=date(2025, 11, 4))])
    assert run(ev, f"{TUE} 18:00").totals["P3"] == Decimal("-1")


def test_p3_outside_contract_period_not_assessed():
    ev = evidence(staff=[staff(entered="2025-10-20")])  # period starts 2025-10-25 (Saturday)
    ledger = run(ev, "2025-10-27 18:00")
    assert [i.ref for i in of(ledger, "P3")] == ["S01 2025-10-27"]


# --- P4 -------------------------------------------------------------------------

GAP = rulebook_for(contract(parameters={"personnel.late_gap_points": "-0.3"}), rulebook())


@pytest.mark.parametrize(
    ("arrive", "minutes", "expected"),
    [
        ("09:00:59", 0, "0"),
        ("09:01", 1, "-0.1"),
        ("09:59:59", 59, "-0.1"),
        ("10:00", 60, "-0.3"),
        ("11:00", 120, "-0.3"),
        ("11:01", 121, "-0.5"),
    ],
)
def test_p4_late_arrival_boundaries(arrive, minutes, expected):
    ledger = one_day(day_punches(MON, arrive=arrive), rb=GAP)
    assert ledger.totals["P4"] == Decimal(expected)
    if minutes:
        assert of(ledger, "P4")[0].note == f"迟到 {minutes} 分钟"


@pytest.mark.parametrize(
    ("depart", "minutes", "expected"),
    [
        ("17:30", 0, "0"),
        ("16:31", 59, "-0.1"),
        ("16:30", 60, "-0.3"),
        ("15:30", 120, "-0.3"),
        ("15:29", 121, "-0.5"),
    ],
)
def test_p4_early_leave_boundaries(depart, minutes, expected):
    ledger = one_day(day_punches(MON, leave=depart), rb=GAP)
    assert ledger.totals["P4"] == Decimal(expected)
    if minutes:
        assert of(ledger, "P4")[0].note == f"早退 {minutes} 分钟"


def test_p4_default_gap_points_is_minor_rate():
    assert one_day(day_punches(MON, arrive="10:30")).totals["P4"] == Decimal("-0.1")


def test_p4_late_and_early_counted_separately():
    ledger = one_day(day_punches(MON, arrive="09:10", leave="14:00"))
    assert sorted(i.note for i in of(ledger, "P4")) == ["早退 210 分钟", "迟到 10 分钟"]
    assert ledger.totals["P4"] == Decimal("-0.6")


def test_p4_first_and_last_punch_of_the_day_count():
    punches = [punch(f"{MON} 12:00"), punch(f"{MON} 17:40"), punch(f"{MON} 08:59")]
    assert one_day(punches).totals["P4"] == 0


# --- leave and P5 -------------------------------------------------------------------


def test_full_day_leave_in_time_excuses_the_day():
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", "2025-10-31 15:00")
    ledger = one_day([], leaves=[lv])
    assert ledger.totals["P3"] == 0
    assert ledger.totals["P5"] == 0


def test_leave_requested_exactly_24_hours_before_is_in_time():
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", "2025-11-02 09:00")
    assert one_day([], leaves=[lv]).totals["P5"] == 0


def test_leave_requested_late_costs_p5_but_still_excuses():
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", "2025-11-02 09:01")
    ledger = one_day([], leaves=[lv])
    assert ledger.totals["P5"] == Decimal("-1")
    assert ledger.totals["P3"] == 0


def test_late_leave_counts_per_workday_covered():
    # Friday to Monday: Saturday and Sunday are not workdays.
    lv = leave("2025-11-07 09:00", "2025-11-10 17:30", "2025-11-07 08:00", kind=LeaveKind.COMP_TIME)
    ev = evidence(staff=[staff(entered="2025-11-07")], leaves=[lv])
    ledger = run(ev, "2025-11-10 18:00")
    assert [i.ref for i in of(ledger, "P5")] == ["S01 2025-11-07", "S01 2025-11-10"]
    assert ledger.totals["P3"] == 0
    assert "调休" in of(ledger, "P5")[0].note


@pytest.mark.parametrize(("requested", "expected"), [("11:00", "0"), ("11:01", "-1")])
def test_emergency_leave_within_two_hours_after_start(requested, expected):
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", f"{MON} {requested}", emergency=True)
    assert one_day([], leaves=[lv]).totals["P5"] == Decimal(expected)


def test_rejected_leave_excuses_nothing_and_costs_nothing():
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", f"{MON} 08:00", approved=False)
    ledger = one_day([], leaves=[lv])
    assert ledger.totals["P5"] == 0
    assert ledger.totals["P3"] == Decimal("-1")


def test_leave_requested_after_as_of_is_not_known():
    lv = leave(f"{MON} 09:00", f"{MON} 17:30", f"{MON} 19:00", emergency=True)
    assert one_day([], leaves=[lv], as_of=f"{MON} 18:00").totals["P3"] == Decimal("-1")


@pytest.mark.parametrize(
    ("leave_hours", "arrive", "depart", "notes"),
    [
        (("09:00", "12:00"), "12:00", "17:30", []),
        (("09:00", "12:00"), "12:10", "17:30", ["迟到 10 分钟"]),
        (("14:00", "17:30"), "09:00", "14:00", []),
        (("14:00", "17:30"), "09:00", "13:30", ["早退 30 分钟"]),
        (("11:00", "14:00"), "09:00", "11:00", ["早退 390 分钟"]),  # window stays 09:00–17:30
    ],
)
def test_partial_day_leave_narrows_the_window(leave_hours, arrive, depart, notes):
    lv = leave(f"{MON} {leave_hours[0]}", f"{MON} {leave_hours[1]}", "2025-10-30 10:00")
    ledger = one_day(day_punches(MON, arrive=arrive, leave=depart), leaves=[lv])
    assert sorted(i.note for i in of(ledger, "P4")) == notes
    assert ledger.totals["P3"] == 0


def test_two_partial_leaves_covering_the_day_excuse_it():
    lvs = [
        leave(f"{MON} 09:00", f"{MON} 12:00", "2025-10-30 10:00"),
        leave(f"{MON} 12:00", f"{MON} 17:30", "2025-10-30 10:00"),
    ]
    assert one_day([], leaves=lvs).totals["P3"] == 0


def test_partial_leave_day_without_punches_is_still_absence():
    lv = leave(f"{MON} 09:00", f"{MON} 12:00", "2025-10-30 10:00")
    assert one_day([], leaves=[lv]).totals["P3"] == Decimal("-1")
