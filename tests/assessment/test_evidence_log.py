"""The evidence log v1 reader, validator and writer (spec §3)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsqm.pure.assessment.evidence_log import (
    MAX_ISSUES,
    EvidenceIssue,
    EvidenceLogError,
    read_evidence_log,
    scan_evidence_log,
    validate_evidence_log,
    write_evidence_log,
)
from opsqm.pure.assessment.evidence_log.fast import _fast_ticket
from opsqm.pure.assessment.evidence_log.reader import _Reader
from opsqm.pure.assessment.model import TZ, Archive, Priority, Signature

# The example lines of spec §3, verbatim.
SPEC_EXAMPLE = """\
{"type":"contract","id":"C-2025-001","title":"移动执法终端软件运维","vendor":"北京凯辉科技有限公司","amount":"530000.00","final_payment":"132500.00","start":"2025-10-25","end":"2026-10-24","bond":false}
{"type":"staff","contract":"C-2025-001","person":"S01","name":"张工","on_site":true,"entered_on":"2025-10-25","verified_on":"2025-10-25","left_on":null}
{"type":"replacement","contract":"C-2025-001","person_out":"S01","person_in":"S02","replaced_at":"2026-03-02T09:00:00+08:00","notified_at":"2026-02-20T10:00:00+08:00","emergency":false,"materials_at":null}
{"type":"punch","contract":"C-2025-001","person":"S01","at":"2025-10-27T08:52:00+08:00"}
{"type":"leave","contract":"C-2025-001","person":"S01","kind":"leave","start":"2025-11-03T09:00:00+08:00","end":"2025-11-03T17:30:00+08:00","requested_at":"2025-10-31T15:00:00+08:00","emergency":false,"approved":true}
{"type":"ticket","contract":"C-2025-001","id":"GD-0001","problem":"GD-0001","priority":"normal","dispatched_at":"2025-11-05T10:12:03+08:00","acknowledged_at":"2025-11-05T10:40:00+08:00","extended_to":null,"resolved_at":"2025-11-06T09:00:00+08:00","signature":"signed","satisfaction":"satisfied","record":{"analysis":true,"steps":true,"verification":true},"template_ok":true,"forged":false,"archive":"ok"}
{"type":"incident","contract":"C-2025-001","id":"SG-01","level":2,"occurred_at":"2026-01-10T14:00:00+08:00","reported_at":"2026-01-11T10:00:00+08:00"}
{"type":"evaluation","contract":"C-2025-001","quarter":"2026Q1","unit":"清河分局","result":"unsatisfied"}
{"type":"praise","contract":"C-2025-001","event":"E-07","level":"service_unit","at":"2026-05-20T00:00:00+08:00"}
{"type":"service_delay","contract":"C-2025-001","obligation":"季度报告 2026Q1","due":"2026-04-10","delivered":"2026-04-18"}
"""  # noqa: E501
SPEC_LINES = [orjson.loads(line) for line in SPEC_EXAMPLE.splitlines()]
C = "C-2025-001"


def line(type_: str, /, **changes: object) -> dict:
    """The spec example line of `type_`, with fields changed (value ... = delete)."""
    base = dict(next(x for x in SPEC_LINES if x["type"] == type_))
    for key, value in changes.items():
        if value is ...:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def log(*lines: dict | str) -> bytes:
    return b"".join((x.encode() if isinstance(x, str) else orjson.dumps(x)) + b"\n" for x in lines)


CONTRACT = line("contract")
STAFF = line("staff")


def only_issue(*lines: dict | str) -> EvidenceIssue:
    issues = validate_evidence_log(log(*lines))
    assert len(issues) == 1, issues
    return issues[0]


# --- what reads -------------------------------------------------------------------


def test_spec_example_reads_into_the_model():
    ev = read_evidence_log(SPEC_EXAMPLE.encode())
    assert list(ev) == [C]
    e = ev[C]
    assert e.contract.amount == Decimal("530000.00") and e.contract.bond is False
    assert e.contract.line == 1
    assert [len(getattr(e, f)) for f in ("staff", "replacements", "punches", "leaves")] == [1] * 4
    assert [len(getattr(e, f)) for f in ("tickets", "incidents", "evaluations")] == [1] * 3
    assert len(e.praises) == len(e.service_delays) == 1
    t = e.tickets[0]
    assert t.priority is Priority.NORMAL and t.signature is Signature.SIGNED
    assert t.archive is Archive.OK and t.line == 6
    assert t.dispatched_at == datetime(2025, 11, 5, 10, 12, 3, tzinfo=TZ)
    assert t.dispatched_at.tzinfo is TZ


def test_spec_example_round_trips_byte_for_byte():
    out = io.BytesIO()
    write_evidence_log(read_evidence_log(SPEC_EXAMPLE.encode()).values(), out)
    assert out.getvalue().decode() == SPEC_EXAMPLE


def test_sample_year_example_is_valid():
    sample = Path(__file__).parents[2] / "examples" / "sample-year.jsonl"
    ev = read_evidence_log(sample)
    assert list(ev) == ["C-2025-001", "C-2025-002"]
    assert ev["C-2025-001"].contract.vendor == "北京凯辉科技有限公司"


def test_sources_path_bytes_and_lines_agree(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_bytes(SPEC_EXAMPLE.encode())
    by_path = read_evidence_log(path)
    assert read_evidence_log(str(path)) == by_path
    assert read_evidence_log(SPEC_EXAMPLE.encode()) == by_path
    assert read_evidence_log(SPEC_EXAMPLE.splitlines()) == by_path
    assert read_evidence_log([x.encode() for x in SPEC_EXAMPLE.splitlines()]) == by_path


def test_a_bom_and_blank_lines_are_ignored_and_lines_still_count(tmp_path):
    data = b"\xef\xbb\xbf" + log(CONTRACT, "", "   ", STAFF) + b"\r\n"
    path = tmp_path / "bom.jsonl"
    path.write_bytes(data)
    for source in (data, path):
        ev = read_evidence_log(source)
        assert ev[C].staff[0].line == 4


def test_timestamps_are_converted_to_shanghai():
    punch = line("punch", at="2025-10-27T00:52:00Z")
    p = read_evidence_log(log(CONTRACT, STAFF, punch))[C].punches[0]
    assert p.at.tzinfo is TZ
    assert (p.at.hour, p.at.minute) == (8, 52)


def test_unknown_fields_are_ignored():
    ev = read_evidence_log(log(line("contract", note="备注", x={"y": 1}), line("staff", extra=[1])))
    assert ev[C].staff[0].person == "S01"


def test_optional_contract_fields_map_to_the_model():
    c = line("contract", rulebook="beijing-prison-2025", parameters={"tickets.ack_window_hours": 2})
    contract = read_evidence_log(log(c))[C].contract
    assert contract.rulebook == "beijing-prison-2025"
    assert contract.parameters == {"tickets.ack_window_hours": 2}


def test_optional_fields_take_the_model_defaults():
    t = line("ticket")
    for key in ("acknowledged_at", "extended_to", "resolved_at", "signature", "satisfaction"):
        del t[key]
    for key in ("record", "template_ok", "forged", "archive"):
        del t[key]
    ticket = read_evidence_log(log(CONTRACT, t))[C].tickets[0]
    assert ticket.signature is Signature.NONE and ticket.archive is Archive.PENDING
    assert ticket.resolved_at is None and ticket.record.complete


def test_contracts_come_in_order_of_definition_and_may_follow_their_references():
    other = line("contract", id="C-2")
    ev = read_evidence_log(log(line("punch"), STAFF, other, CONTRACT))
    assert list(ev) == ["C-2", C]
    assert ev[C].punches[0].line == 1


def test_a_duplicate_punch_is_one_fact():
    punch = line("punch")
    scan = scan_evidence_log(log(CONTRACT, STAFF, punch, punch, line("punch", at=punch["at"])))
    assert not scan.issues
    assert len(scan.evidence[C].punches) == 1
    assert scan.duplicate_punches == 2
    assert scan.counts["punch"] == 3


def test_duplicate_punches_out_of_order_and_across_spellings_are_merged():
    at = ["2025-10-27T08:52:00+08:00", "2025-10-27T17:40:00+08:00", "2025-10-27T00:52:00Z"]
    punches = [line("punch", at=a) for a in (*at, at[0], at[1])]
    ev = read_evidence_log(log(CONTRACT, STAFF, *punches))
    assert len(ev[C].punches) == 2


def test_different_persons_punching_at_the_same_instant_are_two_facts():
    s02 = line("staff", person="S02")
    ev = read_evidence_log(log(CONTRACT, STAFF, s02, line("punch"), line("punch", person="S02")))
    assert [p.person for p in ev[C].punches] == ["S01", "S02"]


def test_persons_and_contract_ids_are_shared_strings():
    ev = read_evidence_log(
        log(CONTRACT, STAFF, line("punch"), line("punch", at="2025-10-28T08:50:00+08:00"))
    )
    a, b = ev[C].punches
    assert a.person is b.person is ev[C].staff[0].person
    assert a.contract is ev[C].contract.id


# --- what is refused: each case names the line and the field -------------------------

BAD_CASES = [
    # (lines after contract+staff, line, field, words in the reason)
    ("{not json", 3, "", "invalid JSON"),
    ("[1, 2]", 3, "", "not a JSON object"),
    ({"contract": C}, 3, "type", "missing field type; expected one of contract, staff"),
    ({"type": "bogus"}, 3, "type", 'unknown type "bogus"; expected one of contract'),
    (line("ticket", dispatched_at=...), 3, "dispatched_at", "missing required field"),
    (line("ticket", priority=None), 3, "priority", "null is not allowed"),
    (line("staff", person="S09", on_site="yes"), 3, "on_site", "expected true or false"),
    (line("ticket", forged=1), 3, "forged", "expected true or false"),
    (line("ticket", record={"analysis": 1}), 3, "record.analysis", "true or false"),
    (line("ticket", priority="high"), 3, "priority", "expected one of urgent, normal"),
    (line("ticket", archive="done"), 3, "archive", "ok, improper, pending"),
    (line("leave", kind="sick"), 3, "kind", "expected one of leave, comp_time"),
    (line("praise", level="mayor"), 3, "level", "main_leader, leader_in_charge, service_unit"),
    (line("evaluation", result="ok"), 3, "result", "satisfied, unsatisfied"),
    (line("punch", at="2025-10-27T08:52:00"), 3, "at", "naive timestamp"),
    (line("punch", at="2025-10-27"), 3, "at", "expected date and time"),
    (line("punch", at="yesterday"), 3, "at", "malformed timestamp"),
    (line("punch", at="2025-10-27T08:52+08+08:00"), 3, "at", "malformed timestamp"),
    (line("ticket", resolved_at="2025-11-06T09:00+08+08:00"), 3, "resolved_at", "malformed"),
    (line("punch", at=20251027), 3, "at", "wrong type"),
    (line("staff", person="S09", entered_on="2025/10/25"), 3, "entered_on", "YYYY-MM-DD"),
    (line("staff", person="S09", entered_on="20251025"), 3, "entered_on", "YYYY-MM-DD"),
    (line("staff", person="S09", entered_on="2025-02-30"), 3, "entered_on", "malformed date"),
    (
        line("contract", id="C-9", amount=530000.0),
        3,
        "amount",
        'string of a decimal, e.g. "530000.00"',
    ),
    (line("contract", id="C-9", amount=530000), 3, "amount", "wrong type"),
    (line("contract", id="C-9", amount="5.3E5"), 3, "amount", "malformed decimal"),
    (line("contract", id="C-9", amount="NaN"), 3, "amount", "malformed decimal"),
    (line("contract", id="C-9", amount="-1.00"), 3, "amount", "negative"),
    (line("contract", id="C-9", final_payment="600000.00"), 3, "final_payment", "exceeds amount"),
    (line("contract", id="C-9", start="2026-10-25"), 3, "end", "before its start"),
    (
        line("ticket", resolved_at="2025-11-05T09:00:00+08:00"),
        3,
        "resolved_at",
        "before dispatched_at",
    ),
    (line("leave", end="2025-11-03T09:00:00+08:00"), 3, "end", "at or before its start"),
    (line("incident", level=4), 3, "level", "expected 1, 2 or 3"),
    (line("incident", level=True), 3, "level", "the integer 1, 2 or 3"),
    (line("incident", level="2"), 3, "level", "the integer 1, 2 or 3"),
    (line("evaluation", quarter="2026-Q1"), 3, "quarter", "e.g. 2026Q1"),
    (line("evaluation", quarter="2026Q5"), 3, "quarter", "2026Q1"),
    (line("ticket", id=""), 3, "id", "non-empty string"),
    (line("punch", contract=7), 3, "contract", "wrong type"),
    (line("punch", person="S77"), 3, "person", 'staff "S77" is not defined in contract'),
    (line("leave", person="S77"), 3, "person", "not defined"),
    (line("replacement", person_out="S77"), 3, "person_out", "not defined"),
    (line("punch", contract="C-404"), 3, "contract", 'contract "C-404" is never defined'),
    (line("contract"), 3, "id", "duplicate contract"),
    (line("staff"), 3, "person", 'duplicate staff "S01"'),
]


@pytest.mark.parametrize(("bad", "lineno", "field", "words"), BAD_CASES)
def test_a_bad_line_is_named_with_its_field_and_reason(bad, lineno, field, words):
    issue = only_issue(CONTRACT, STAFF, bad)
    assert (issue.line, issue.field) == (lineno, field)
    assert words in issue.reason
    assert str(lineno) in str(issue)


@pytest.mark.parametrize("kind", ["ticket", "incident"])
def test_duplicate_ids_within_a_contract(kind):
    first = line(kind)
    issue = only_issue(CONTRACT, first, first)
    assert (issue.line, issue.field) == (3, "id")
    assert "first on line 2" in issue.reason


def test_the_same_ids_in_two_contracts_are_fine():
    c2 = line("contract", id="C-2")
    lines = [CONTRACT, c2, line("ticket"), line("ticket", contract="C-2"), line("staff")]
    assert not validate_evidence_log(log(*lines, line("staff", contract="C-2")))


def test_replacement_person_in_may_be_new_but_person_out_may_not():
    # The spec's own example replaces S01 by S02 without a staff line for S02.
    assert not validate_evidence_log(log(CONTRACT, STAFF, line("replacement")))


def test_references_to_a_bad_contract_line_are_not_reported_again():
    issues = validate_evidence_log(log(line("contract", amount=1.5), line("ticket")))
    assert [(i.line, i.field) for i in issues] == [(1, "amount")]


def test_every_bad_line_is_reported_not_just_the_first():
    bad = [line("ticket", id=f"G{i}", priority="high") for i in range(3)]
    issues = validate_evidence_log(log(CONTRACT, *bad, "oops", line("punch", person="S9")))
    assert [(i.line, i.field) for i in issues] == [
        (2, "priority"),
        (3, "priority"),
        (4, "priority"),
        (5, ""),
        (6, "person"),
    ]


def test_every_bad_field_of_a_line_is_reported():
    issues = validate_evidence_log(log(CONTRACT, line("ticket", priority="x", archive="y")))
    assert {i.field for i in issues} == {"priority", "archive"}


def test_references_to_an_undefined_contract_are_reported_at_each_line():
    lines = [line("staff", contract="C-X"), line("punch", contract="C-X")]
    issues = validate_evidence_log(log(CONTRACT, *lines))
    assert [(i.line, i.field) for i in issues] == [(2, "contract"), (3, "contract")]


def test_issues_are_capped_with_a_summary():
    bad = ["{"] * (MAX_ISSUES + 500)
    issues = validate_evidence_log(log(*bad))
    assert len(issues) == MAX_ISSUES + 1
    assert issues[-1].line == 0 and "500 more" in issues[-1].reason


def test_read_raises_with_all_issues():
    with pytest.raises(EvidenceLogError) as exc:
        read_evidence_log(log(CONTRACT, "x", "y"))
    assert isinstance(exc.value, ValueError)
    assert [i.line for i in exc.value.issues] == [2, 3]
    assert "line 2" in str(exc.value)


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        read_evidence_log(tmp_path / "nope.jsonl")


# --- writer ---------------------------------------------------------------------------


def test_write_then_read_is_identity_for_the_sample_year():
    sample = Path(__file__).parents[2] / "examples" / "sample-year.jsonl"
    ev = read_evidence_log(sample)
    out = io.BytesIO()
    n = write_evidence_log(ev.values(), out)
    assert n == sum(1 for x in sample.read_bytes().splitlines() if x.strip())
    assert read_evidence_log(out.getvalue()) == ev


def test_writer_spells_values_canonically():
    ev = read_evidence_log(log(line("contract", amount="530000.5", parameters={"a": 1}), STAFF))
    out = io.BytesIO()
    write_evidence_log(ev.values(), out)
    first = orjson.loads(out.getvalue().splitlines()[0])
    assert first["amount"] == "530000.5" and first["start"] == "2025-10-25"
    assert first["parameters"] == {"a": 1}


stamps = st.datetimes(
    min_value=datetime(1995, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(TZ)
).map(lambda d: d.replace(microsecond=0))
optional_stamp = st.none() | stamps
booleans = st.booleans()


@st.composite
def ticket_lines(draw):
    t = line("ticket")
    t["id"] = draw(st.text(min_size=1, max_size=6).filter(str.strip))
    t["priority"] = draw(st.sampled_from(["urgent", "normal"]))
    d = draw(stamps)
    t["dispatched_at"] = d.isoformat()
    for key in ("acknowledged_at", "extended_to"):
        x = draw(optional_stamp)
        t[key] = None if x is None else x.isoformat()
    r = draw(optional_stamp)
    t["resolved_at"] = None if r is None or r < d else r.isoformat()
    t["signature"] = draw(st.sampled_from(["signed", "phone_confirmed", "none"]))
    t["satisfaction"] = draw(st.sampled_from(["satisfied", "unsatisfied", None]))
    t["record"] = {k: draw(booleans) for k in ("analysis", "steps", "verification")}
    t["template_ok"], t["forged"] = draw(booleans), draw(booleans)
    t["archive"] = draw(st.sampled_from(["ok", "improper", "pending"]))
    return t


@settings(max_examples=150, deadline=None)
@given(st.lists(ticket_lines(), max_size=6, unique_by=lambda t: t["id"]))
def test_tickets_round_trip_and_fast_path_equals_generic_path(tickets):
    data = log(CONTRACT, *tickets)
    ev = read_evidence_log(data)
    out = io.BytesIO()
    write_evidence_log(ev.values(), out)
    assert read_evidence_log(out.getvalue()) == ev
    for t, parsed in zip(tickets, ev[C].tickets, strict=True):
        fast = _fast_ticket(t, parsed.line)
        assert fast is not None and fast == parsed
        reader = _Reader()
        reader.generic(parsed.line, "ticket", t)
        assert reader.buckets[C].ev.tickets == [parsed]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.none(),
        st.booleans(),
        st.lists(st.integers(0, 9), max_size=2),
        stamps.map(lambda d: d.isoformat()),
        stamps.map(lambda d: d.isoformat().replace("T", " ")),
    )
)
def test_punch_fast_path_and_generic_path_agree_on_any_at(at):
    """Contract and staff first (fast path) or last (generic path): same verdict and value."""
    punch = line("punch", at=at)
    fast = scan_evidence_log(log(CONTRACT, STAFF, punch))
    generic = scan_evidence_log(log(punch, CONTRACT, STAFF))
    assert [(i.field, i.reason) for i in fast.issues] == [
        (i.field, i.reason) for i in generic.issues
    ]
    if not fast.issues:
        assert fast.evidence[C].punches[0].at == generic.evidence[C].punches[0].at
        assert fast.evidence[C].punches[0].at.tzinfo is TZ
