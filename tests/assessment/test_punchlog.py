"""The punch log (punches as columns) gives back the punches stored, and the engine
assesses it exactly as it assesses a plain list of the same punches."""

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from opsqm.pure.assessment.evidence_log import read_evidence_log
from opsqm.pure.assessment.model import TZ, Punch, PunchKind
from opsqm.pure.assessment.punchlog import MAX_PEOPLE, ODD, PunchLog
from opsqm.pure.assessment.rulebook import rulebook_for

from .factories import CID, at, contract, day_punches, evidence, punch, rulebook, run, staff

MON, TUE = "2025-11-03", "2025-11-04"


def _mixed() -> list[Punch]:
    """Columns (TZ, whole seconds) and kept whole (another offset, microseconds)."""
    return [
        punch(f"{MON} 08:55:07", line=3),
        punch(f"{MON} 17:35", person="S02", line=70_000, kind="field"),
        Punch(CID, "S01", datetime(2025, 11, 3, 10, 0, tzinfo=UTC), 5),
        Punch(CID, "S01", at(f"{MON} 12:00").replace(microsecond=5), 6),
        punch(f"{TUE} 17:31", line=7, kind="makeup", confirmed=True),
        punch(f"{TUE} 08:31", line=8, kind="makeup"),
    ]


def test_a_punch_log_gives_back_what_it_holds_in_order() -> None:
    punches = _mixed()
    log = PunchLog(CID, punches)
    assert list(log) == punches and log == punches and punches == log
    assert len(log) == 6 and log[-1] == punches[-1] and log[1:3] == punches[1:3]
    assert log[0].at.tzinfo is TZ and log[0].line == 3 and log[1].kind is PunchKind.FIELD
    assert log[2] is punches[2] and log[3] is punches[3]  # kept whole, as they were
    assert log.packed[2] == ODD and log.packed[0] != ODD
    assert pickle.loads(pickle.dumps(log)) == log
    with pytest.raises(IndexError):
        log[6]


def test_a_contract_past_the_people_the_columns_hold_keeps_the_rest_whole() -> None:
    log = PunchLog(CID)
    for i in range(MAX_PEOPLE):
        log.person_bits(f"P{i}")
    p = punch(f"{MON} 08:55", person="one too many", line=1)
    log.append(p)
    assert log.packed[0] == ODD and log[0] is p


@pytest.mark.parametrize("makeup_needs_confirmation", [True, False])
@pytest.mark.parametrize("as_of", [f"{TUE} 09:00", f"{TUE} 18:00", "2025-11-10 18:00"])
def test_the_engine_assesses_a_punch_log_as_the_list_of_its_punches(
    as_of: str, makeup_needs_confirmation: bool
) -> None:
    params = {"personnel.makeup_needs_confirmation": makeup_needs_confirmation}
    rb = rulebook_for(contract(parameters=params), rulebook())
    people = [staff(entered=MON), staff("S02", entered=MON)]
    punches = [*_mixed(), *day_punches(TUE, "09:40", "17:10", person="S02")]
    plain = run(evidence(staff=people, punches=punches), as_of, rb)
    columns = run(evidence(staff=people, punches=PunchLog(CID, punches)), as_of, rb)
    assert columns == plain


def test_the_reader_stores_punches_as_columns_and_reads_back_the_same_times() -> None:
    lines = [
        '{"type":"contract","id":"C1","title":"t","vendor":"v","amount":"1.00",'
        '"start":"2025-01-01","end":"2025-12-31"}',
        '{"type":"staff","contract":"C1","person":"S01","name":"n","on_site":true,'
        '"entered_on":"2025-01-01","verified_on":"2025-01-01","left_on":null}',
        '{"type":"punch","contract":"C1","person":"S01","at":"2025-06-16T08:29:52+08:00"}',
        '{"type":"punch","contract":"C1","person":"S01","at":"2025-06-16T08:29:52+08:00"}',
        '{"type":"punch","contract":"C1","person":"S01","at":"2025-06-16T01:00:00+00:00",'
        '"kind":"makeup","confirmed":true}',
        '{"type":"punch","contract":"C1","person":"S01","at":"2025-06-16T18:00:00+08:00"}',
    ]
    got = read_evidence_log("\n".join(lines).encode())["C1"].punches
    assert isinstance(got, PunchLog)
    assert [(p.at, p.line, p.kind, p.confirmed) for p in got] == [
        (datetime(2025, 6, 16, 8, 29, 52, tzinfo=TZ), 3, PunchKind.NORMAL, False),
        (datetime(2025, 6, 16, 9, 0, tzinfo=TZ), 5, PunchKind.MAKEUP, True),
        (datetime(2025, 6, 16, 18, 0, tzinfo=TZ), 6, PunchKind.NORMAL, False),
    ]
    assert got[1].at.utcoffset() == timedelta(hours=8)
