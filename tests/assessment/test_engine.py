"""The engine as a whole: score, tier and A1, fines, settlement, ledger JSON."""

from datetime import datetime
from decimal import Decimal

import pytest

from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import FINE_RULES, RULE_IDS

from .factories import (
    contract,
    delay,
    evidence,
    incident,
    of,
    overdue_ticket,
    rulebook,
    run,
    staff,
    ticket,
)

FINAL = "2026-10-25 00:00"
JUST_BEFORE = "2026-10-24 23:59"


def scored(unverified: int, overdue_tickets: int = 0, **kw):
    """Evidence scoring 100 − 5 × unverified − 0.2 × overdue_tickets."""
    people = [staff(f"S{i:02d}", on_site=False, verified_on=None) for i in range(unverified)]
    tickets = [
        overdue_ticket(f"GD-{i}", f"2025-11-0{i + 3} 10:00", 5) for i in range(overdue_tickets)
    ]
    return evidence(staff=people, tickets=tickets, **kw)


@pytest.mark.parametrize(
    ("unverified", "overdue", "score", "tier", "a1"),
    [
        (2, 0, "90.00", "pass", "0.00"),
        (2, 1, "89.80", "5%", "26500.00"),
        (4, 0, "80.00", "5%", "26500.00"),
        (4, 1, "79.80", "10%", "53000.00"),
        (8, 0, "60.00", "10%", "53000.00"),
        (8, 1, "59.80", "15%", "79500.00"),
    ],
)
def test_final_tier_and_a1_fine_at_the_boundaries(unverified, overdue, score, tier, a1):
    ledger = run(scored(unverified, overdue), FINAL)
    assert ledger.final is True
    assert ledger.score == Decimal(score)
    assert ledger.tier == tier
    assert ledger.fines["A1"] == Decimal(a1)
    assert ledger.totals["A1"] == 0


def test_provisional_shows_the_tier_but_no_a1_fine():
    ledger = run(scored(4, 1), JUST_BEFORE)
    assert ledger.final is False
    assert ledger.tier == "10%"
    assert ledger.fines["A1"] == 0
    assert of(ledger, "A1") == []


def test_final_is_at_or_after_the_period_end():
    assert run(scored(0), JUST_BEFORE).final is False
    assert run(scored(0), FINAL).final is True
    assert run(scored(0), "2027-03-01 00:00").final is True


def test_settlement_deducts_fines_from_the_final_payment():
    ev = scored(8, 1, incidents=[incident("SG-1", 2, "2026-01-10 14:00", "2026-01-10 20:00")])
    ledger = run(ev, FINAL)  # 59.80 − 4 = 55.80: 15 %
    assert ledger.fines == {
        "I1": Decimal("10600.00"),
        "T7": Decimal("0.00"),
        "D1": Decimal("0.00"),
        "A1": Decimal("79500.00"),
        "total": Decimal("90100.00"),
    }
    s = ledger.settlement
    assert (s.final_payment, s.deducted, s.payable, s.vendor_owes, s.bond_claim) == (
        Decimal("132500.00"),
        Decimal("90100.00"),
        Decimal("42400.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_settlement_shortfall_is_owed_by_the_vendor():
    incidents = [incident(f"SG-{i}", 1, "2026-01-10 14:00", "2026-01-10 15:00") for i in range(3)]
    delays = [delay("年度总结报告", "2026-09-01", "2026-10-01")]  # 30 days: 6 × 0.5 %
    ledger = run(scored(8, 1, incidents=incidents, service_delays=delays), FINAL)
    assert ledger.fines["total"] == Decimal("47700.00") + Decimal("15900.00") + Decimal("79500.00")
    s = ledger.settlement
    assert s.deducted == Decimal("132500.00")
    assert s.payable == Decimal("0.00")
    assert s.vendor_owes == Decimal("10600.00")
    assert ledger.flags["termination_right"] is True


def test_settlement_with_a_performance_bond():
    ev = scored(8, 1)
    ev.contract.bond = True
    s = run(ev, FINAL).settlement
    assert (s.deducted, s.payable, s.vendor_owes, s.bond_claim) == (
        Decimal("0.00"),
        Decimal("132500.00"),
        Decimal("0.00"),
        Decimal("79500.00"),
    )


def test_fine_rounding_is_half_up_to_the_cent():
    ev = evidence(
        contract=contract(amount=Decimal("1234.50")),
        incidents=[incident("SG-1", 3, "2026-01-10 14:00", "2026-01-10 15:00")],
    )
    assert run(ev, "2026-02-01 00:00").fines["I1"] == Decimal("12.35")  # 12.345


def test_items_sorted_by_time_then_rule():
    ev = evidence(
        tickets=[
            ticket("GD-2", "2025-12-01 10:00", None),
            overdue_ticket("GD-1", "2025-11-05 10:00", 30),
        ],
        incidents=[incident("SG-1", 2, "2025-11-20 14:00", None)],
    )
    ledger = run(ev, "2025-12-05 00:00")
    keys = [(i.at, RULE_IDS.index(i.rule)) for i in ledger.items]
    assert keys == sorted(keys)
    assert [(i.rule, i.ref) for i in ledger.items] == [
        ("T6", "GD-1"),
        ("I1", "SG-1"),
        ("I2", "SG-1"),
        ("T6", "GD-2"),
    ]


def test_score_is_base_plus_totals():
    ev = scored(1, 2, incidents=[incident("SG-1", 3, "2026-01-10 14:00", None)])
    ledger = run(ev, "2026-03-01 00:00")
    assert ledger.score == Decimal("100") + sum(ledger.totals.values())
    assert ledger.score == Decimal("100") - 5 - Decimal("0.4") - 2 - 2


def test_naive_as_of_is_refused():
    from opsqm.pure.assessment.engine import assess

    with pytest.raises(ValueError, match="aware"):
        assess(scored(0), datetime(2026, 1, 1), rulebook())


def test_ledger_json_shape():
    ev = evidence(tickets=[overdue_ticket("GD-0001", "2025-11-05 10:12:03", 30)])
    d = ledger_to_dict(run(ev, "2026-01-01 00:00"))
    assert set(d) == {
        "contract",
        "as_of",
        "final",
        "score",
        "items",
        "totals",
        "fines",
        "tier",
        "settlement",
        "flags",
    }
    assert d["contract"] == "C-2025-001"
    assert d["as_of"] == "2026-01-01T00:00:00+08:00"
    assert d["final"] is False
    assert d["score"] == "99.70"
    assert list(d["totals"]) == list(RULE_IDS)
    assert d["totals"]["T6"] == "-0.30"
    assert d["totals"]["P1"] == "0.00"
    assert list(d["fines"]) == [*FINE_RULES, "total"]
    assert d["tier"] == "pass"
    assert d["settlement"] == {
        "final_payment": "132500.00",
        "deducted": "0.00",
        "payable": "132500.00",
        "vendor_owes": "0.00",
        "bond_claim": "0.00",
    }
    assert d["flags"] == {"termination_right": False}
    assert d["items"] == [
        {
            "rule": "T6",
            "clause": "第十七条六(一)",
            "points": "-0.30",
            "fine": "0.00",
            "ref": "GD-0001",
            "at": "2025-11-06T10:12:03+08:00",
            "note": "超时 30.0 小时",
            "line": 0,
        }
    ]


def test_ledger_json_never_writes_negative_zero():
    ev = evidence(tickets=[overdue_ticket("GD-1", "2025-11-05 10:00", 1)])  # 1 h: T6 item absent
    d = ledger_to_dict(run(ev, "2026-01-01 00:00"))
    assert all(not v.startswith("-0.00") for v in d["totals"].values())
