"""docs/worked-example.md: the engine gives exactly the figures worked by hand."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import PraiseLevel, Priority, Signature

from .factories import (
    at,
    day_punches,
    delay,
    evaluation,
    evidence,
    incident,
    leave,
    praise,
    run,
    staff,
    ticket,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
AS_OF = "2026-10-25 00:00"  # the day after the period: final results


def worked_example():
    t3 = ticket("GD-0003", "2025-12-10 10:00", "2025-12-10 19:30", priority=Priority.URGENT)
    t3.acknowledged_at = at("2025-12-10 15:00")
    return evidence(
        staff=[
            staff("S01", "2025-11-03", name="张工", left_on=date(2025, 11, 8)),
            staff("S02", "2025-10-25", name="李工", on_site=False, verified_on=date(2025, 10, 27)),
        ],
        punches=[
            *day_punches("2025-11-03", "08:52", "17:35"),
            *day_punches("2025-11-04", "10:15", "17:40"),
            *day_punches("2025-11-06", "08:55", "17:32"),
            *day_punches("2025-11-07", "08:58", "17:31"),
        ],
        leaves=[leave("2025-11-05 09:00", "2025-11-05 17:30", "2025-11-04 18:00")],
        tickets=[
            ticket("GD-0001", "2025-11-05 10:12:03", "2025-11-06 09:00"),
            ticket("GD-0002", "2025-12-01 09:00", "2025-12-02 15:00"),
            t3,
            ticket("GD-0004", "2026-03-02 09:00", "2026-03-04 10:00"),
            ticket("GD-0005", "2026-03-05 09:00", "2026-03-07 21:00"),
            ticket("GD-0006", "2026-03-09 09:00", "2026-03-12 11:00"),
            ticket("GD-0007", "2026-04-08 10:00", "2026-04-08 16:00", signature=Signature.NONE),
        ],
        incidents=[incident("SG-01", 2, "2026-01-10 14:00", "2026-01-11 16:00")],
        evaluations=[
            evaluation("2026Q1"),
            evaluation("2026Q1", unsatisfied=False, unit="团河分局"),
        ],
        praises=[
            praise("E-07", PraiseLevel.SERVICE_UNIT, "2026-05-20 00:00"),
            praise("E-07", PraiseLevel.LEADER_IN_CHARGE, "2026-05-22 00:00"),
        ],
        service_delays=[delay("季度报告 2026Q1", "2026-04-10", "2026-04-18")],
    )


EXPECTED_ITEMS = [
    ("P1", "第十六条一", "-5", "0", "S02"),
    ("P4", "第十六条四", "-0.1", "0", "S01 2025-11-04"),
    ("P5", "第十六条五", "-1", "0", "S01 2025-11-05"),
    ("T6", "第十七条六(一)", "-0.2", "0", "GD-0002"),
    ("T8", "第十七条六(三)", "-0.5", "0", "GD-0003"),
    ("I1", "第十八条", "-4", "10600", "SG-01"),
    ("I2", "第十八条", "-2", "0", "SG-01"),
    ("T6", "第十七条六(一)", "-0.3", "0", "GD-0004"),
    ("T6", "第十七条六(一)", "-0.3", "0", "GD-0005"),
    ("T7", "第十七条六(二)", "-2", "5300", "GD-0006"),
    ("T6", "第十七条六(一)", "-0.4", "0", "GD-0006"),
    ("Q1", "第十九条", "-4", "0", "2026Q1 清河分局"),
    ("T1", "第十七条一", "-1", "0", "GD-0007"),
    ("D1", "合同十.2", "0", "5300", "季度报告 2026Q1"),
    ("R1", "第二十条", "5", "0", "E-07"),
    ("A1", "第十九条", "0", "26500", "年度考核"),
]


def test_worked_example_items():
    ledger = run(worked_example(), AS_OF)
    got = [(i.rule, i.clause, i.points, i.fine, i.ref) for i in ledger.items]
    want = [(r, c, Decimal(p), Decimal(f), ref) for r, c, p, f, ref in EXPECTED_ITEMS]
    assert got == want


def test_worked_example_totals_score_fines_and_settlement():
    d = ledger_to_dict(run(worked_example(), AS_OF))
    assert d["final"] is True
    assert d["score"] == "84.20"
    assert d["tier"] == "5%"
    assert {k: v for k, v in d["totals"].items() if v != "0.00"} == {
        "P1": "-5.00", "P4": "-0.10", "P5": "-1.00", "T1": "-1.00", "T6": "-1.20",
        "T7": "-2.00", "T8": "-0.50", "I1": "-4.00", "I2": "-2.00", "Q1": "-4.00", "R1": "5.00",
    }  # fmt: skip
    assert d["fines"] == {
        "I1": "10600.00", "T7": "5300.00", "D1": "5300.00", "A1": "26500.00", "total": "47700.00",
    }  # fmt: skip
    assert d["settlement"] == {
        "final_payment": "132500.00", "deducted": "47700.00", "payable": "84800.00",
        "vendor_owes": "0.00", "bond_claim": "0.00",
    }  # fmt: skip
    assert d["flags"] == {"termination_right": False}


def test_worked_example_notes():
    ledger = run(worked_example(), AS_OF)
    notes = {(i.rule, i.ref): i.note for i in ledger.items}
    assert notes["P4", "S01 2025-11-04"] == "迟到 75 分钟"
    assert notes["T6", "GD-0002"] == "超时 6.0 小时"
    assert notes["T6", "GD-0006"] == "超时 50.0 小时"
    assert notes["I2", "SG-01"] == "事故后 26.0 小时提交报告，超过 24 小时"


def test_worked_example_provisional_before_period_end():
    ledger = run(worked_example(), "2026-06-30 18:00")
    assert ledger.final is False
    assert ledger.score == Decimal("84.20")
    assert ledger.tier == "5%"
    assert ledger.fines["A1"] == 0
    assert ledger.fines["total"] == Decimal("21200.00")


def test_the_document_states_these_figures():
    text = (DOCS / "worked-example.md").read_text(encoding="utf-8")
    for figure in ("84.20", "47,700.00", "84,800.00", "26,500.00", "10,600.00", "5,300.00"):
        assert figure in text


def test_jsonl_holds_the_same_events():
    """The .jsonl, read by the evidence-log reader, is the evidence built above."""
    from opsqm.pure.assessment.evidence_log import read_evidence_log

    logs = read_evidence_log(DOCS / "worked-example.jsonl")
    assert list(logs) == ["C-2025-001"]
    got = logs["C-2025-001"]
    want = worked_example()
    for name in ("staff", "punches", "leaves", "tickets", "incidents", "evaluations", "praises",
                 "service_delays"):  # fmt: skip
        assert getattr(got, name) == getattr(want, name), name
    assert got.contract == want.contract
    from_log, built = ledger_to_dict(run(got, AS_OF)), ledger_to_dict(run(want, AS_OF))
    assert [i.pop("line") for i in built["items"]] == [0] * len(EXPECTED_ITEMS)
    lines = {i["rule"]: i.pop("line") for i in from_log["items"]}
    assert lines["A1"] == 0  # the annual tier comes from no single line
    assert all(v > 0 for k, v in lines.items() if k != "A1")
    assert from_log == built
