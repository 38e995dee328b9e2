"""Properties of the engine over generated evidence (hypothesis)."""

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.model import (
    TZ,
    Archive,
    ContractEvidence,
    Leave,
    LeaveKind,
    PraiseLevel,
    Priority,
    Punch,
    Signature,
    Ticket,
)

from .factories import (
    CID,
    contract,
    delay,
    evaluation,
    incident,
    praise,
    rulebook,
    staff,
    ticket,
)

START = datetime(2025, 10, 27, 0, 0, tzinfo=TZ)
DAYS = 60
RB = rulebook()

instants = st.integers(0, DAYS * 24 * 60).map(lambda m: START + timedelta(minutes=m))
hours = st.integers(0, 200)


@st.composite
def tickets(draw, i):
    sent = draw(instants)
    t = ticket(f"GD-{i:03d}", "2025-10-27 00:00")
    t.dispatched_at = sent
    t.problem = f"P{draw(st.integers(0, 12))}"
    t.priority = draw(st.sampled_from(list(Priority)))
    ack = draw(st.one_of(st.none(), hours))
    t.acknowledged_at = None if ack is None else sent + timedelta(hours=ack)
    res = draw(st.one_of(st.none(), hours))
    t.resolved_at = None if res is None else sent + timedelta(hours=res)
    t.signature = draw(st.sampled_from(list(Signature)))
    t.archive = draw(st.sampled_from(list(Archive)))
    t.template_ok = draw(st.booleans())
    return t


@st.composite
def punches(draw):
    person = draw(st.sampled_from(["S01", "S02"]))
    return Punch(CID, person, draw(instants))


@st.composite
def leaves(draw):
    start = draw(instants)
    return Leave(
        CID,
        draw(st.sampled_from(["S01", "S02"])),
        LeaveKind.LEAVE,
        start,
        start + timedelta(minutes=draw(st.integers(30, 3000))),
        start - timedelta(hours=draw(st.integers(-5, 60))),
        emergency=draw(st.booleans()),
        approved=draw(st.booleans()),
    )


@st.composite
def evidences(draw):
    n = draw(st.integers(0, 14))
    return ContractEvidence(
        contract=contract(),
        staff=[staff("S01"), staff("S02", entered="2025-11-10", verified_on=None)],
        punches=draw(st.lists(punches(), max_size=60)),
        leaves=draw(st.lists(leaves(), max_size=4)),
        tickets=[draw(tickets(i)) for i in range(n)],
        incidents=[incident("SG-1", draw(st.integers(1, 3)), "2025-11-10 10:00", None)],
        evaluations=[evaluation("2025Q4")],
        praises=[
            praise("E-1", draw(st.sampled_from(list(PraiseLevel))), "2025-11-20 10:00"),
            praise("E-1", draw(st.sampled_from(list(PraiseLevel))), "2025-11-21 10:00"),
        ],
        service_delays=[delay("月度巡检", "2025-11-30", None)],
    )


as_of_moments = st.integers(0, 400).map(lambda d: START + timedelta(days=d, hours=18))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shuffled(ev: ContractEvidence, rnd) -> ContractEvidence:
    lists = {}
    for name in ("staff", "punches", "leaves", "tickets", "incidents", "evaluations", "praises"):
        items = list(getattr(ev, name))
        rnd.shuffle(items)
        lists[name] = items
    return replace(ev, **lists)


@FAST
@given(evidences(), as_of_moments, st.randoms(use_true_random=False))
def test_reordering_the_evidence_changes_nothing(ev, as_of, rnd):
    assert assess(shuffled(ev, rnd), as_of, RB) == assess(ev, as_of, RB)


@FAST
@given(evidences(), as_of_moments, instants, st.integers(0, 23))
def test_adding_a_compliant_ticket_never_lowers_the_score(ev, as_of, sent, hours_taken):
    before = assess(ev, as_of, RB).score
    good = Ticket(
        CID,
        "GD-NEW",
        "P-NEW",
        Priority.NORMAL,
        sent,
        acknowledged_at=sent + timedelta(minutes=10),
        resolved_at=sent + timedelta(hours=hours_taken),
        signature=Signature.SIGNED,
        archive=Archive.OK,
    )
    after = assess(replace(ev, tickets=[*ev.tickets, good]), as_of, RB).score
    assert after >= before


@FAST
@given(evidences(), st.integers(0, 362).map(lambda d: START + timedelta(days=d)))
def test_provisional_never_reports_an_a1_fine(ev, as_of):
    ev.staff += [staff(f"X{i}", on_site=False, verified_on=None) for i in range(9)]  # score < 60
    ledger = assess(ev, as_of, RB)
    assert not ledger.final
    assert ledger.fines["A1"] == 0
    assert all(i.rule != "A1" for i in ledger.items)
    assert ledger.tier == "15%"
    final = assess(ev, datetime(2026, 10, 25, tzinfo=TZ), RB)
    assert final.fines["A1"] > 0  # the same evidence does carry a fine once final


@FAST
@given(evidences(), as_of_moments)
def test_score_is_base_plus_totals_and_fines_add_up(ev, as_of):
    ledger = assess(ev, as_of, RB)
    assert ledger.score == 100 + sum(ledger.totals.values())
    assert ledger.fines["total"] == sum(v for k, v in ledger.fines.items() if k != "total")
    s = ledger.settlement
    assert s.deducted + s.vendor_owes == ledger.fines["total"]
    assert s.deducted + s.payable == s.final_payment
