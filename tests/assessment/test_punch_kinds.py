"""Punch kinds (spec §3): field punches count, a makeup punch (补卡) only once confirmed."""

import io
from decimal import Decimal

import pytest

from opsqm.pure.assessment.evidence_log import EvidenceLogError, read_evidence_log
from opsqm.pure.assessment.model import PunchKind
from opsqm.pure.assessment.rulebook import rulebook_for

from .factories import contract, evidence, punch, rulebook, run, staff

MON = "2025-11-03"


def _day(late_punch):
    ev = evidence(staff=[staff(entered=MON)], punches=[punch(f"{MON} 08:55"), late_punch])
    return ev


def test_field_punch_counts_as_a_punch():
    ledger = run(_day(punch(f"{MON} 17:35", kind="field")), f"{MON} 18:00")
    assert ledger.totals["P3"] == 0


def test_unconfirmed_makeup_punch_does_not_count():
    ledger = run(_day(punch(f"{MON} 17:35", kind="makeup")), f"{MON} 18:00")
    assert ledger.totals["P3"] == Decimal("-1")


def test_confirmed_makeup_punch_counts():
    ledger = run(_day(punch(f"{MON} 17:35", kind="makeup", confirmed=True)), f"{MON} 18:00")
    assert ledger.totals["P3"] == 0


def test_unconfirmed_makeup_counts_where_the_rulebook_does_not_ask_confirmation():
    rb = rulebook_for(
        contract(parameters={"personnel.makeup_needs_confirmation": False}), rulebook()
    )
    ledger = run(_day(punch(f"{MON} 17:35", kind="makeup")), f"{MON} 18:00", rb)
    assert ledger.totals["P3"] == 0


def test_an_unconfirmed_makeup_punch_is_not_a_late_arrival_either():
    # Only the makeup punch is early; P4 reads the first counted punch (08:55, on time).
    ev = evidence(
        staff=[staff(entered=MON)],
        punches=[
            punch(f"{MON} 10:30"),
            punch(f"{MON} 08:40", kind="makeup"),
            punch(f"{MON} 17:35"),
        ],
    )
    assert run(ev, f"{MON} 18:00").totals["P4"] < 0
    ev.punches[1].confirmed = True
    assert run(ev, f"{MON} 18:00").totals["P4"] == 0


CONTRACT = (
    '{"type":"contract","id":"C1","title":"t","vendor":"v","amount":"100.00",'
    '"final_payment":"25.00","start":"2025-10-25","end":"2026-10-24"}\n'
    '{"type":"staff","contract":"C1","person":"S01","name":"n","on_site":true,'
    '"entered_on":"2025-10-25","verified_on":"2025-10-25","left_on":null}\n'
)


def _read(punch_line: str):
    return read_evidence_log(io.BytesIO((CONTRACT + punch_line + "\n").encode()))


@pytest.mark.parametrize(
    ("extra", "kind", "confirmed"),
    [
        ("", PunchKind.NORMAL, False),
        (',"kind":"field"', PunchKind.FIELD, False),
        (',"kind":"makeup","confirmed":true', PunchKind.MAKEUP, True),
        (',"confirmed":false,"kind":"makeup"', PunchKind.MAKEUP, False),
    ],
)
def test_the_log_reads_kind_and_confirmed(extra, kind, confirmed):
    log = _read(
        '{"type":"punch","contract":"C1","person":"S01","at":"2025-11-03T08:55:00+08:00"'
        + extra
        + "}"
    )
    (p,) = log["C1"].punches
    assert (p.kind, p.confirmed) == (kind, confirmed)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (',"kind":"remote"', "kind"),
        (',"kind":["makeup"]', "kind"),
        (',"confirmed":"yes"', "confirmed"),
    ],
)
def test_a_bad_kind_or_confirmed_is_refused_naming_the_field(extra, field):
    with pytest.raises(EvidenceLogError) as exc:
        _read(
            '{"type":"punch","contract":"C1","person":"S01","at":"2025-11-03T08:55:00+08:00"'
            + extra
            + "}"
        )
    assert f"field {field}" in str(exc.value)


def test_the_writer_writes_kind_and_confirmed_of_field_and_makeup_punches():
    from opsqm.pure.assessment.evidence_log import write_evidence_log

    ev = evidence(
        staff=[staff(entered=MON)],
        punches=[
            punch(f"{MON} 08:55"),
            punch(f"{MON} 12:00", kind="field"),
            punch(f"{MON} 17:35", kind="makeup", confirmed=True),
        ],
    )
    out = io.BytesIO()
    write_evidence_log([ev], out)
    lines = [x for x in out.getvalue().decode().splitlines() if '"punch"' in x]
    assert '"kind"' not in lines[0]
    assert '"kind":"field","confirmed":false' in lines[1]
    assert '"kind":"makeup","confirmed":true' in lines[2]
    back = read_evidence_log(io.BytesIO(out.getvalue()))
    assert [(p.kind, p.confirmed) for p in back[ev.contract.id].punches] == [
        (p.kind, p.confirmed) for p in ev.punches
    ]
