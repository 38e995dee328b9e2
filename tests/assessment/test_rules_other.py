"""I1–I2 incidents, Q1 evaluations, R1 praise, D1 late delivery."""

from decimal import Decimal

import pytest

from opsqm.pure.assessment.model import PraiseLevel

from .factories import delay, evaluation, evidence, incident, of, praise, run

# --- I1 / I2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "points", "fine"),
    [(1, "-5", "15900.00"), (2, "-4", "10600.00"), (3, "-2", "5300.00")],
)
def test_i1_points_and_fine_by_level(level, points, fine):
    ledger = run(
        evidence(incidents=[incident("SG-1", level, "2026-01-10 14:00", None)]), "2026-01-10 15:00"
    )
    assert ledger.totals["I1"] == Decimal(points)
    assert ledger.fines["I1"] == Decimal(fine)
    assert ledger.totals["I2"] == 0  # report not due yet


@pytest.mark.parametrize(
    ("level", "in_time", "late"),
    [
        (1, "2026-01-11 02:00", "2026-01-11 02:01"),
        (2, "2026-01-11 14:00", "2026-01-11 14:01"),
        (3, "2026-01-12 14:00", "2026-01-12 14:01"),
    ],
)
def test_i2_report_deadline_per_level(level, in_time, late):
    ok = run(
        evidence(incidents=[incident("SG-1", level, "2026-01-10 14:00", in_time)]),
        "2026-02-01 00:00",
    )
    assert ok.totals["I2"] == 0
    bad = run(
        evidence(incidents=[incident("SG-1", level, "2026-01-10 14:00", late)]), "2026-02-01 00:00"
    )
    assert bad.totals["I2"] == Decimal("-2")
    assert of(bad, "I2")[0].clause == "第十八条"


def test_i2_missing_report_counts_once_the_deadline_is_past():
    ev = evidence(incidents=[incident("SG-1", 2, "2026-01-10 14:00", None)])
    assert run(ev, "2026-01-11 13:59").totals["I2"] == 0
    assert run(ev, "2026-01-11 14:00").totals["I2"] == Decimal("-2")
    # a report filed after as_of is not known yet
    ev = evidence(incidents=[incident("SG-1", 2, "2026-01-10 14:00", "2026-01-11 10:00")])
    assert run(ev, "2026-01-10 20:00").totals["I2"] == 0
    assert run(ev, "2026-01-11 12:00").totals["I2"] == 0


def test_incident_after_as_of_is_ignored():
    ev = evidence(incidents=[incident("SG-1", 1, "2026-01-10 14:00", None)])
    assert run(ev, "2026-01-10 13:59").items == []


# --- Q1 -------------------------------------------------------------------------


def test_q1_counts_once_the_quarter_is_over():
    ev = evidence(evaluations=[evaluation("2026Q1"), evaluation("2026Q1", unsatisfied=False)])
    assert run(ev, "2026-03-31 23:59").totals["Q1"] == 0
    ledger = run(ev, "2026-04-01 00:00")
    assert ledger.totals["Q1"] == Decimal("-4")
    assert of(ledger, "Q1")[0].ref == "2026Q1 清河分局"


def test_q1_fourth_quarter_ends_with_the_year():
    ev = evidence(evaluations=[evaluation("2025Q4"), evaluation("2025Q4", unit="团河分局")])
    assert run(ev, "2025-12-31 12:00").totals["Q1"] == 0
    assert run(ev, "2026-01-01 00:00").totals["Q1"] == Decimal("-8")


# --- R1 -------------------------------------------------------------------------


def test_r1_levels():
    ev = evidence(
        praises=[
            praise("E-1", PraiseLevel.MAIN_LEADER, "2026-05-20 10:00"),
            praise("E-2", PraiseLevel.LEADER_IN_CHARGE, "2026-05-21 10:00"),
            praise("E-3", PraiseLevel.SERVICE_UNIT, "2026-05-22 10:00"),
        ]
    )
    assert run(ev, "2026-06-01 00:00").totals["R1"] == Decimal("17")


def test_r1_same_event_counts_once_at_highest_level():
    ev = evidence(
        praises=[
            praise("E-7", PraiseLevel.SERVICE_UNIT, "2026-05-20 10:00"),
            praise("E-7", PraiseLevel.LEADER_IN_CHARGE, "2026-05-25 10:00"),
        ]
    )
    assert run(ev, "2026-05-21 00:00").totals["R1"] == Decimal("2")  # the higher one not yet given
    ledger = run(ev, "2026-06-01 00:00")
    assert ledger.totals["R1"] == Decimal("5")
    assert len(of(ledger, "R1")) == 1
    assert ledger.score == Decimal("105.00")  # rewards are not capped


# --- D1 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivered", "fine", "termination"),
    [
        ("2026-04-10", "0.00", False),
        ("2026-04-11", "2650.00", False),
        ("2026-04-15", "2650.00", False),
        ("2026-04-16", "5300.00", False),
        ("2026-04-25", "7950.00", False),
        ("2026-04-26", "10600.00", True),
    ],
)
def test_d1_per_started_five_days_and_termination(delivered, fine, termination):
    ledger = run(
        evidence(service_delays=[delay("季度报告 2026Q1", "2026-04-10", delivered)]),
        "2026-06-01 00:00",
    )
    assert ledger.fines["D1"] == Decimal(fine)
    assert ledger.flags["termination_right"] is termination
    assert ledger.totals["D1"] == 0  # a fine, not points


def test_d1_undelivered_counts_to_as_of_date():
    ev = evidence(service_delays=[delay("季度报告 2026Q1", "2026-04-10", None)])
    assert run(ev, "2026-04-10 23:00").fines["D1"] == 0
    assert run(ev, "2026-04-15 09:00").fines["D1"] == Decimal("2650.00")  # 5 days
    late = run(ev, "2026-04-26 09:00")  # 16 days
    assert late.fines["D1"] == Decimal("10600.00")
    assert late.flags["termination_right"] is True
    assert "尚未交付" in of(late, "D1")[0].note


def test_d1_delivery_after_as_of_is_not_known():
    ev = evidence(service_delays=[delay("季度报告 2026Q1", "2026-04-10", "2026-04-30")])
    assert run(ev, "2026-04-13 09:00").fines["D1"] == Decimal("2650.00")
