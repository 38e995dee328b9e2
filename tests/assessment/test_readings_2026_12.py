"""The readings the spec settled on 2026-12-06: the business-hours clock, excused
facts, an omitted final payment, T5 on a pending ticket at the final result."""

from decimal import Decimal

import orjson
import pytest

from opsqm.pure.assessment.evidence_log import read_evidence_log, validate_evidence_log
from opsqm.pure.assessment.model import Archive, Priority
from opsqm.pure.assessment.rulebook import RulebookError, rulebook_for
from opsqm.pure.assessment.rules.sla import business_deadline, ticket_deadline
from opsqm.pure.assessment.workcalendar import calendar_for

from .factories import (
    at,
    contract,
    delay,
    evidence,
    incident,
    of,
    overdue_ticket,
    rulebook,
    run,
    ticket,
)


def business_book():
    return rulebook_for(contract(parameters={"tickets.sla_clock": "business"}), rulebook())


def deadline(dispatched: str, priority: str = "normal", book=None) -> str:
    book = book or business_book()
    due = ticket_deadline(at(dispatched), priority, None, book, calendar_for(book.calendar))
    return due.strftime("%Y-%m-%d %H:%M")


# --- sla_clock = business ---------------------------------------------------------
# 2025-10-11 (Saturday) is a 调休 workday after the National Day holiday (10-01..10-08).


@pytest.mark.parametrize(
    ("dispatched", "priority", "expected"),
    [
        # Friday 17:29 before the 调休 Saturday: 1 minute Friday, the rest from Saturday
        ("2025-10-10 17:29", "urgent", "2025-10-11 16:59"),
        # 24 h: 1 min + Sat 8.5 h + Mon 8.5 h (Sunday is a rest day) + 6 h 59 min Tuesday
        ("2025-10-10 17:29", "normal", "2025-10-14 15:59"),
        # at night: the clock starts at the next opening
        ("2025-11-03 22:00", "urgent", "2025-11-04 17:00"),
        ("2025-11-04 03:00", "urgent", "2025-11-04 17:00"),
        # on a holiday: nothing counts until the first workday after it
        ("2025-10-01 10:00", "urgent", "2025-10-09 17:00"),
        # a span ending exactly at closing time ends there
        ("2025-11-03 09:00", "urgent", "2025-11-03 17:00"),
        ("2025-11-03 09:30", "urgent", "2025-11-03 17:30"),
        ("2025-11-03 09:31", "urgent", "2025-11-04 09:01"),
        # a dispatch at 17:30 sharp is outside the hours
        ("2025-11-03 17:30", "urgent", "2025-11-04 17:00"),
    ],
)
def test_business_clock_edges(dispatched, priority, expected):
    assert deadline(dispatched, priority) == expected


def test_natural_clock_is_the_seed_default():
    assert rulebook().tickets.sla_clock == "natural"
    assert deadline("2025-10-10 17:29", "urgent", rulebook()) == "2025-10-11 01:29"


def test_business_clock_keeps_seconds_and_an_agreed_extension():
    book = business_book()
    cal = calendar_for(book.calendar)
    due = business_deadline(at("2025-11-03 17:29:30"), 8, cal, book.personnel.workday_start,
                            book.personnel.workday_end)  # fmt: skip
    assert due == at("2025-11-04 16:59:30")
    agreed = at("2025-11-20 12:00")
    assert ticket_deadline(at("2025-11-03 10:00"), "normal", agreed, book, cal) == agreed


def test_an_unknown_clock_is_refused_by_name():
    with pytest.raises(RulebookError, match="sla_clock"):
        rulebook_for(contract(parameters={"tickets.sla_clock": "lunar"}), rulebook())


def test_engine_uses_the_business_clock_and_natural_overdue():
    # urgent, dispatched Friday 17:29: deadline Saturday 16:59; resolved Monday 10:59 =
    # 42 natural hours late → T6 −0.2 − 0.1 × 1
    t = ticket("GD-1", "2025-10-10 17:29", "2025-10-13 10:59", priority=Priority.URGENT)
    ev = evidence(tickets=[t])
    book = business_book()
    ledger = run(ev, "2025-12-01 00:00", book)
    (t6,) = of(ledger, "T6")
    assert t6.points == Decimal("-0.3") and t6.at == at("2025-10-11 16:59")
    assert "42.0 小时" in t6.note
    # on the natural clock the same ticket is 57.5 h late
    assert "57.5 小时" in of(run(ev, "2025-12-01 00:00"), "T6")[0].note


# --- excused ----------------------------------------------------------------------

FM = "force_majeure:FM-2026-01"


def test_excused_ticket_costs_no_t6_t8_and_leaves_t7_order():
    late = [overdue_ticket(f"GD-{i}", f"2025-11-0{i} 10:00", 30, acknowledged_at=None)
            for i in (1, 2, 3)]  # fmt: skip
    ledger = run(evidence(tickets=late), "2026-01-01 00:00")
    assert len(of(ledger, "T7")) == 1 and len(of(ledger, "T8")) == 3
    late[1].excused = FM
    ledger = run(evidence(tickets=late), "2026-01-01 00:00")
    assert [i.ref for i in of(ledger, "T6")] == ["GD-1", "GD-3"]
    assert [i.ref for i in of(ledger, "T8")] == ["GD-1", "GD-3"]
    assert of(ledger, "T7") == []  # the excused one neither extends nor ends the run
    late.insert(2, overdue_ticket("GD-4", "2025-11-02 12:00", 30, excused=FM))
    ledger = run(evidence(tickets=[*late, overdue_ticket("GD-5", "2025-11-05 10:00", 30)]),
                 "2026-01-01 00:00")  # fmt: skip
    assert [i.ref for i in of(ledger, "T7")] == ["GD-5"]


def test_excused_ticket_still_answers_for_its_record():
    t = overdue_ticket("GD-1", "2025-11-03 10:00", 30, forged=True, excused=FM)
    ledger = run(evidence(tickets=[t]), "2026-01-01 00:00")
    assert ledger.totals["T4"] == Decimal("-10") and ledger.totals["T6"] == 0


def test_excused_incident_and_delay_cost_nothing():
    inc = incident("SG-1", 1, "2026-01-10 14:00", None)
    late = delay("季度报告 2026Q1", "2026-04-10", None)
    ev = evidence(incidents=[inc], service_delays=[late])
    ledger = run(ev, "2026-06-01 00:00")
    assert ledger.totals["I1"] < 0 and ledger.totals["I2"] < 0
    assert ledger.fines["D1"] > 0 and ledger.flags["termination_right"]
    inc.excused = late.excused = FM
    ledger = run(ev, "2026-06-01 00:00")
    assert ledger.totals["I1"] == ledger.totals["I2"] == 0
    assert ledger.fines["D1"] == 0 and ledger.fines["I1"] == 0
    assert not ledger.flags["termination_right"]


# --- T5 at the final result ---------------------------------------------------------


@pytest.mark.parametrize("resolved", [None, "2026-10-20 10:00"])
def test_t5_pending_at_final_result_resolved_or_not(resolved):
    t = ticket("GD-1", "2026-10-19 10:00", resolved, archive=Archive.PENDING)
    ev = evidence(tickets=[t])
    assert run(ev, "2026-10-24 23:00").totals["T5"] == 0  # provisional: not yet
    assert run(ev, "2026-10-25 00:00").totals["T5"] == Decimal("-0.5")


# --- the evidence log: final_payment, excused --------------------------------------

CONTRACT = {
    "type": "contract", "id": "C-1", "title": "t", "vendor": "v", "amount": "530000.00",
    "start": "2025-10-25", "end": "2026-10-24",
}  # fmt: skip
TICKET = {
    "type": "ticket", "contract": "C-1", "id": "GD-1", "problem": "GD-1",
    "priority": "normal", "dispatched_at": "2025-11-05T10:12:03+08:00",
    "acknowledged_at": None, "extended_to": None, "resolved_at": None, "signature": "none",
    "satisfaction": None, "record": {"analysis": True, "steps": True, "verification": True},
    "template_ok": True, "forged": False, "archive": "pending",
}  # fmt: skip


def lines(*objs) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in objs)


@pytest.mark.parametrize("value", [..., None])
def test_final_payment_omitted_or_null_is_a_quarter_of_the_amount(value):
    c = dict(CONTRACT, amount="530000.01")
    if value is None:
        c["final_payment"] = None
    ev = read_evidence_log(lines(c))
    assert ev["C-1"].contract.final_payment == Decimal("132500.00")  # .0025 rounds half up
    ledger = run(ev["C-1"], "2025-12-01 00:00")
    assert ledger.settlement.final_payment == Decimal("132500.00")


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("ticket", TICKET),
        ("incident", {"type": "incident", "contract": "C-1", "id": "SG-1", "level": 2,
                      "occurred_at": "2026-01-10T14:00:00+08:00", "reported_at": None}),
        ("service_delay", {"type": "service_delay", "contract": "C-1", "obligation": "x",
                           "due": "2026-04-10", "delivered": None}),
    ],
)  # fmt: skip
def test_excused_reads_validates_and_round_trips(kind, obj):
    from io import BytesIO

    from opsqm.pure.assessment.evidence_log import write_evidence_log

    data = lines(CONTRACT, dict(obj, excused=FM))
    ev = read_evidence_log(data)["C-1"]
    fact = {"ticket": ev.tickets, "incident": ev.incidents, "service_delay": ev.service_delays}
    assert fact[kind][0].excused == FM
    out = BytesIO()
    write_evidence_log([ev], out)
    assert f'"excused":"{FM}"'.encode() in out.getvalue()
    assert read_evidence_log(out.getvalue())["C-1"] == ev
    assert validate_evidence_log(lines(CONTRACT, dict(obj, excused=None))) == []
    for bad, words in (("", "empty"), (7, "wrong type"), ("  ", "empty")):
        (issue,) = validate_evidence_log(lines(CONTRACT, dict(obj, excused=bad)))
        assert (issue.line, issue.field) == (2, "excused") and words in issue.reason


def test_ticket_fast_path_takes_excused_and_leaves_a_bad_one_to_the_generic_path():
    from opsqm.pure.assessment.evidence_log.fast import _fast_ticket

    assert _fast_ticket(TICKET, 2).excused is None
    assert _fast_ticket(dict(TICKET, excused=None), 2).excused is None
    assert _fast_ticket(dict(TICKET, excused=FM), 2).excused == FM
    assert _fast_ticket(dict(TICKET, excused=""), 2) is None
    assert _fast_ticket(dict(TICKET, excused=1), 2) is None


def test_unexcused_facts_write_no_excused_field():
    from io import BytesIO

    from opsqm.pure.assessment.evidence_log import write_evidence_log

    ev = read_evidence_log(lines(CONTRACT, TICKET))["C-1"]
    out = BytesIO()
    write_evidence_log([ev], out)
    assert b"excused" not in out.getvalue()
    assert b'"final_payment":"132500.00"' in out.getvalue()


# --- the tier of a provisional ledger, in the text table ------------------------------


def test_text_table_words_a_provisional_tier_as_a_projection():
    from opsqm.pure.assessment.render_text import render_ledger, tier_text

    assert tier_text("5%", True) == "罚合同额 5%"
    assert tier_text("5%", False) == "预计 5% 档（临时结果，不是罚款）"
    assert tier_text("pass", False) == "预计合格"
    reported = [incident(f"SG-{n}", 1, f"2025-11-0{n} 10:00", f"2025-11-0{n} 12:00") for n in "123"]
    ev = evidence(incidents=reported)  # 100 − 3 × 5 = 85: the 5 % tier
    provisional = render_ledger(run(ev, "2025-12-01 00:00"))
    assert "预计 5% 档" in provisional and "罚合同额" not in provisional
    final = render_ledger(run(ev, "2026-10-25 00:00"))
    assert "罚合同额 5%" in final
