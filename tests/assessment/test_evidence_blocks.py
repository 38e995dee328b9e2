"""The block reader (a file or bytes read in blocks, canonical punch lines read by
looking up their parts) says exactly what the line-by-line reader says of the same lines."""

from __future__ import annotations

import io

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsqm.pure.assessment.evidence_log import blocks, scan_evidence_log
from opsqm.pure.assessment.evidence_log.issues import EvidenceScan
from opsqm.pure.assessment.evidence_log.reader import _Reader, _scan

CONTRACT = (
    b'{"type":"contract","id":"C1","title":"t","vendor":"v","amount":"100.00",'
    b'"final_payment":"25.00","start":"2025-01-01","end":"2025-12-31","bond":false}'
)


def staff(person: str) -> bytes:
    return orjson.dumps(
        {
            "type": "staff",
            "contract": "C1",
            "person": person,
            "name": "张工",
            "on_site": True,
            "entered_on": "2025-01-01",
            "verified_on": "2025-01-01",
            "left_on": None,
        }
    )


def punch(contract: str, person: str, at: str) -> bytes:
    # The writer's own spelling: the shape the block reader reads by its parts.
    return orjson.dumps({"type": "punch", "contract": contract, "person": person, "at": at})


stamps = st.builds(
    "{}T{:02}:{:02}:{:02}+08:00".format,
    st.sampled_from(["2025-03-03", "2025-03-04", "2025-02-30", "1985-03-03", "2025-13-01"]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
)
persons = st.sampled_from(["S01", "S02", "S\x01", "S\\u0030", "Ω", " ", "S09"])


def ticket(**fields: object) -> bytes:
    base: dict[str, object] = {
        "type": "ticket",
        "contract": "C1",
        "id": "GD-1",
        "problem": "GD-1",
        "priority": "normal",
        "dispatched_at": "2025-03-03T10:12:03+08:00",
        "acknowledged_at": "2025-03-03T10:40:00+08:00",
        "extended_to": None,
        "resolved_at": "2025-03-04T09:00:00+08:00",
        "signature": "signed",
        "satisfaction": "satisfied",
        "record": {"analysis": True, "steps": True, "verification": True},
        "template_ok": True,
        "forged": False,
        "archive": "ok",
    }
    base.update(fields)
    return orjson.dumps({k: v for k, v in base.items() if v is not ...})


good_stamps = st.builds(
    "{}T{:02}:{:02}:{:02}+08:00".format,
    st.sampled_from(["2025-03-03", "2025-03-04"]),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
)
# Mostly valid values, so that many whole lines are valid and take the fast paths.
some_stamps = st.one_of(good_stamps, good_stamps, good_stamps, stamps)
optional_stamps = st.one_of(
    st.none(),
    good_stamps,
    good_stamps,
    some_stamps,
    st.sampled_from(["", "2025-03-03T10:00:00.5+08:00"]),
)


def mostly(good: object, *bad: object) -> st.SearchStrategy[object]:
    return st.sampled_from([good] * (12 * len(bad)) + list(bad))


tickets = st.builds(
    ticket,
    contract=mostly("C1", "C2", " "),
    id=mostly("GD-1", "GD-2", " ", "Ω"),
    problem=mostly("GD-1", "P", "\u3000"),
    priority=mostly("normal", "urgent", "high", "Normal"),
    dispatched_at=some_stamps,
    acknowledged_at=optional_stamps,
    extended_to=optional_stamps,
    resolved_at=optional_stamps,
    signature=mostly("signed", "none", "phone_confirmed", "x"),
    satisfaction=mostly("satisfied", "unsatisfied", None, "", "x"),
    record=st.builds(
        lambda a, s, v: {"analysis": a, "steps": s, "verification": v},  # the writer's order
        mostly(True, 1),
        st.booleans(),
        st.booleans(),
    ),
    template_ok=st.sampled_from([True] * 6 + [False] * 6 + [0]),
    forged=st.booleans(),
    archive=mostly("ok", "pending", "improper", "x"),
    excused=mostly(..., None, "force_majeure:FM-1"),
)
lines = st.one_of(
    tickets,
    st.builds(lambda t: t.replace(b'"id"', b'"id" '), tickets),
    st.builds(punch, st.sampled_from(["C1", "C2"]), persons, stamps),
    st.builds(punch, st.just("C1"), st.just("S01"), st.sampled_from(["2025-03-03T08:00:00Z"])),
    st.builds(
        lambda p: p.replace(b'","', b'", "'), st.builds(punch, st.just("C1"), persons, stamps)
    ),
    st.builds(lambda p: p + b"\r", st.builds(punch, st.just("C1"), persons, stamps)),
    st.builds(lambda p: p[:-3], st.builds(punch, st.just("C1"), persons, stamps)),
    st.sampled_from(
        [
            CONTRACT,
            staff("S01"),
            staff("S02"),
            staff("Ω"),
            b"",
            b"   ",
            b"\r",
            b"[1]",
            b"{bad json",
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03T08:00:00+08:00"}',
            b'{"type":"punch","contract":"C1","person":"S\xff","at":"2025-03-03T09:00:00+08:00"}',
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03T08:00:00+08:00",'
            b'"kind":"makeup","confirmed":true}',
            # A known head and a date or rest in another spelling, or one more byte:
            # the lookups must not take any of them as the canonical line.
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-W10-1T08:00:00+08:00"}',
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03 08:00:00+08:00"}',
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03T08:00:00+0800"}',
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03T08:00:00+08:00"}x',
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03T24:00:00+08:00"}',
            b'{"type":"punch","contract":"C1","person":"S01","at":"2025-03-03T00:00:00+08:00"}',
        ]
    ),
)


def _facts(scan: EvidenceScan) -> tuple[object, ...]:
    return (
        [(i.line, i.field, i.reason) for i in scan.issues],
        {
            cid: (list(ev.punches), ev.staff, [(t, t.line) for t in ev.tickets])
            for cid, ev in scan.evidence.items()
        },
        scan.counts,
        scan.duplicate_punches,
        scan.referenced,
    )


def _by_lines(source: list[bytes]) -> EvidenceScan:
    def read(reader: _Reader) -> None:
        reader.read_lines(source)
        reader.finish()

    return _scan(read)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "BLOCK", 97)  # lines cross block boundaries


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.booleans(), st.lists(lines, max_size=40), st.booleans())
def test_blocks_and_lines_agree(tmp_path_factory, small_blocks, head, log_lines, final_newline):
    if head:  # most punches on the fast paths
        log_lines = [CONTRACT, staff("S01"), staff("Ω"), *log_lines]
    data = b"\n".join(log_lines) + (b"\n" if final_newline else b"")
    # bytes: as data.split(b"\n") gives the lines
    assert _facts(scan_evidence_log(data)) == _facts(_by_lines(data.split(b"\n")))
    # a file: as iterating it gives them (each with its "\n")
    path = tmp_path_factory.mktemp("log") / "e.jsonl"
    path.write_bytes(data)
    assert _facts(scan_evidence_log(path)) == _facts(_by_lines(list(io.BytesIO(data))))


def test_a_canonical_punch_reads_as_the_same_punch_from_blocks_and_lines():
    data = b"\n".join(
        [
            CONTRACT,
            staff("S01"),
            punch("C1", "S01", "2025-03-03T08:00:00+08:00"),  # generic while its date is new
            punch("C1", "S01", "2025-03-03T17:31:02+08:00"),  # judged: its parts kept
            punch("C1", "S01", "2025-03-03T08:00:00+08:00"),  # a duplicate, out of order
            punch("C1", "S01", "2025-03-03T12:00:00+08:00"),  # out of order, kept
            punch("C1", "S01", "2025-03-03T17:31:09+08:00"),  # known head and date, new rest
            punch("C1", "S01", "2025-03-03T17:31:09+08:00"),  # all three known: a duplicate
        ]
    )
    by_blocks, by_lines = scan_evidence_log(data), _by_lines(data.split(b"\n"))
    assert _facts(by_blocks) == _facts(by_lines)
    assert by_blocks.duplicate_punches == 2
    ps = by_blocks.evidence["C1"].punches
    assert [(p.at.hour, p.at.minute, p.at.second, p.line) for p in ps] == [
        (8, 0, 0, 3),
        (17, 31, 2, 4),
        (12, 0, 0, 6),
        (17, 31, 9, 7),
    ]
