"""T1–T8: tickets (第十七条)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from opsqm.pure.assessment.model import Archive, Priority, Satisfaction, Signature, TicketRecord

from .factories import at, evidence, of, overdue_ticket, run, ticket

SENT = "2025-11-05 10:00"  # normal deadline 2025-11-06 10:00
LATER = "2026-01-01 00:00"


def tickets_ledger(*tickets, as_of=LATER):
    return run(evidence(tickets=list(tickets)), as_of)


# --- T6 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected", "note"),
    [
        (0, "0", None),
        (3.99, "0", None),
        (4, "-0.2", "超时 4.0 小时"),
        (24, "-0.2", "超时 24.0 小时"),
        (24.01, "-0.3", "超时 24.01 小时"),
        (30, "-0.3", "超时 30.0 小时"),
        (47.99, "-0.3", None),
        (48, "-0.4", "超时 48.0 小时"),
        (72.5, "-0.5", "超时 72.5 小时"),
    ],
)
def test_t6_overdue_boundaries(hours, expected, note):
    ledger = tickets_ledger(overdue_ticket("GD-1", SENT, hours))
    assert ledger.totals["T6"] == Decimal(expected)
    if note:
        assert of(ledger, "T6")[0].note == note
        assert of(ledger, "T6")[0].clause == "第十七条六(一)"


def test_t6_urgent_deadline_is_eight_hours():
    t = ticket("GD-1", SENT, "2025-11-05 22:00", priority=Priority.URGENT)  # 14 h: 6 h over
    assert tickets_ledger(t).totals["T6"] == Decimal("-0.2")
    t = ticket("GD-1", SENT, "2025-11-06 09:00")  # normal: in time
    assert tickets_ledger(t).totals["T6"] == 0


def test_t6_written_extension_moves_the_deadline():
    t = ticket("GD-1", SENT, "2025-11-08 10:00", extended_to=at("2025-11-08 09:00"))
    assert tickets_ledger(t).totals["T6"] == 0


def test_t6_open_ticket_accrues_to_as_of():
    t = ticket("GD-1", SENT, None)
    assert tickets_ledger(t, as_of="2025-11-06 13:00").totals["T6"] == 0  # 3 h over
    ledger = tickets_ledger(t, as_of="2025-11-07 16:00")  # 30 h over
    assert ledger.totals["T6"] == Decimal("-0.3")
    assert "未完成" in of(ledger, "T6")[0].note
    assert tickets_ledger(t, as_of="2025-11-08 10:00").totals["T6"] == Decimal("-0.4")


def test_resolution_after_as_of_means_still_open():
    t = ticket("GD-1", SENT, "2025-11-06 09:00")
    assert tickets_ledger(t, as_of="2025-11-05 12:00").items == []
    t = ticket("GD-1", SENT, "2025-11-09 10:00")  # 72 h over in the end
    assert tickets_ledger(t, as_of="2025-11-07 16:00").totals["T6"] == Decimal("-0.3")


def test_ticket_dispatched_after_as_of_does_not_count():
    t = ticket("GD-1", SENT, None, signature=Signature.NONE)
    assert tickets_ledger(t, as_of="2025-11-05 09:59").items == []


# --- T8 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ack_after", "expected"), [(timedelta(hours=4), "0"), (timedelta(hours=4, minutes=1), "-0.5")]
)
def test_t8_late_acknowledgement_of_an_overdue_ticket(ack_after, expected):
    t = overdue_ticket("GD-1", SENT, 1, acknowledged_at=at(SENT) + ack_after)
    assert tickets_ledger(t).totals["T8"] == Decimal(expected)


def test_t8_never_acknowledged():
    t = overdue_ticket("GD-1", SENT, 1, acknowledged_at=None)
    ledger = tickets_ledger(t)
    assert ledger.totals["T8"] == Decimal("-0.5")
    assert ledger.totals["T6"] == 0  # 1 h over: no T6, but T8 needs only h > 0


def test_t8_needs_the_ticket_to_run_over():
    t = ticket("GD-1", SENT, "2025-11-06 09:00", acknowledged_at=None)
    assert tickets_ledger(t).totals["T8"] == 0


def test_t8_acknowledgement_after_as_of_is_not_yet_made():
    t = ticket("GD-1", SENT, None, acknowledged_at=at("2025-11-06 12:00"))
    assert tickets_ledger(t, as_of="2025-11-06 11:00").totals["T8"] == Decimal("-0.5")


# --- T1–T5 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signature", "satisfaction", "expected"),
    [
        (Signature.SIGNED, Satisfaction.SATISFIED, "0"),
        (Signature.NONE, Satisfaction.SATISFIED, "-1"),
        (Signature.SIGNED, Satisfaction.UNSATISFIED, "-1"),
        (Signature.NONE, Satisfaction.UNSATISFIED, "-1"),
        (Signature.PHONE_CONFIRMED, None, "0"),
        (Signature.PHONE_CONFIRMED, Satisfaction.UNSATISFIED, "-1"),
    ],
)
def test_t1_unsigned_or_unsatisfied_once_per_ticket(signature, satisfaction, expected):
    t = ticket("GD-1", SENT, "2025-11-05 12:00", signature=signature, satisfaction=satisfaction)
    assert tickets_ledger(t).totals["T1"] == Decimal(expected)


def test_t1_to_t4_wait_for_resolution():
    t = ticket(
        "GD-1",
        SENT,
        None,
        signature=Signature.NONE,
        record=TicketRecord(False, False, False),
        template_ok=False,
        forged=True,
        archive=Archive.IMPROPER,
    )
    assert tickets_ledger(t, as_of="2025-11-05 12:00").items == []
    t.resolved_at = at("2025-11-05 11:00")
    totals = tickets_ledger(t, as_of="2025-11-05 12:00").totals
    assert [totals[r] for r in ("T1", "T2", "T3", "T4", "T5")] == [
        Decimal(x) for x in ("-1", "-0.5", "-0.5", "-10", "-0.5")
    ]


def test_t2_names_the_missing_parts():
    t = ticket("GD-1", SENT, "2025-11-05 12:00", record=TicketRecord(True, False, False))
    assert of(tickets_ledger(t), "T2")[0].note == "缺少解决步骤、验证结果"


def test_t5_pending_archive_only_on_final_results():
    t = ticket("GD-1", SENT, "2025-11-05 12:00", archive=Archive.PENDING)
    assert tickets_ledger(t, as_of="2026-10-24 23:59").totals["T5"] == 0
    assert tickets_ledger(t, as_of="2026-10-25 00:00").totals["T5"] == Decimal("-0.5")


# --- T7 -------------------------------------------------------------------------


def overdue_series(n, hours=30, start=0):
    base = at("2025-11-03 09:00")
    out = []
    for i in range(start, start + n):
        sent = base + timedelta(days=3 * i)
        t = ticket(f"GD-{i:03d}", SENT)
        t.dispatched_at = sent
        t.acknowledged_at = sent
        t.resolved_at = sent + timedelta(hours=24 + hours)
        out.append(t)
    return out


@pytest.mark.parametrize(
    ("n", "points", "fine"),
    [
        (2, "0", "0"),
        (3, "-2", "5300.00"),
        (4, "-2", "5300.00"),
        (5, "-7", "15900.00"),
        (6, "-7", "15900.00"),
        (8, "-9", "21200.00"),
        (10, "-14", "31800.00"),
    ],
)
def test_t7_run_steps_and_restart(n, points, fine):
    ledger = tickets_ledger(*overdue_series(n))
    assert ledger.totals["T7"] == Decimal(points)
    assert ledger.fines["T7"] == Decimal(fine)


def test_t7_items_sit_on_the_third_and_fifth_ticket():
    ledger = tickets_ledger(*overdue_series(5))
    items = of(ledger, "T7")
    assert [(i.ref, i.points, i.fine) for i in items] == [
        ("GD-002", Decimal("-2"), Decimal("5300.00")),
        ("GD-004", Decimal("-5"), Decimal("10600.00")),
    ]


def test_t7_run_broken_by_a_ticket_not_over_24_hours():
    series = overdue_series(2) + overdue_series(1, hours=24, start=2) + overdue_series(2, start=3)
    assert tickets_ledger(*series).totals["T7"] == 0
    series = overdue_series(2) + overdue_series(1, hours=24.01, start=2)
    assert tickets_ledger(*series).totals["T7"] == Decimal("-2")


def test_t7_order_is_dispatch_time_not_log_order():
    # By dispatch time: overdue, overdue, in time, overdue: no run of 3, whatever the log order.
    series = overdue_series(2) + overdue_series(1, hours=0, start=2) + overdue_series(1, start=3)
    assert tickets_ledger(*series).totals["T7"] == 0
    assert tickets_ledger(*reversed(series)).totals["T7"] == 0
    log_order = [series[0], series[1], series[3], series[2]]  # in-time ticket logged last
    assert tickets_ledger(*log_order).totals["T7"] == 0


def test_t7_same_problem_counts_once():
    series = overdue_series(3)
    series[1].problem = series[0].problem
    assert tickets_ledger(*series).totals["T7"] == 0
    series += overdue_series(1, start=3)
    ledger = tickets_ledger(*series)
    assert ledger.totals["T7"] == Decimal("-2")
    assert of(ledger, "T7")[0].ref == "GD-003"


def test_t7_group_takes_first_dispatch_and_largest_overdue():
    # The group's first ticket was in time, a later one of the same problem is far over:
    # the group counts as overdue at the first one's place in the order.
    series = overdue_series(1, hours=0) + overdue_series(2, start=1)
    extra = overdue_series(1, start=9)[0]
    extra.problem = series[0].problem
    ledger = tickets_ledger(*series, extra)
    assert ledger.totals["T7"] == Decimal("-2")
    assert of(ledger, "T7")[0].ref == "GD-002"


def test_t7_open_tickets_count_provisionally():
    series = overdue_series(2)
    open_one = ticket("GD-X", "2025-12-01 09:00", None)
    assert tickets_ledger(*series, open_one, as_of="2025-12-02 09:00").totals["T7"] == 0
    assert tickets_ledger(*series, open_one, as_of="2025-12-03 09:01").totals["T7"] == Decimal("-2")
