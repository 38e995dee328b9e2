"""valid_until(): the ledger holds, apart from its as_of stamp, until the instant
the engine names (checked at instants inside the span, generated and worked)."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.evidence_log import read_evidence_log
from opsqm.pure.assessment.horizon import valid_until
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.rulebook import load_rulebook

from .test_properties import FAST, RB, START, evidences

WORKED = Path(__file__).resolve().parents[2] / "docs" / "worked-example.jsonl"


def _answer(ev, at, rb, notes=True):
    d = ledger_to_dict(assess(ev, at, rb))
    d.pop("as_of")
    if not notes:
        for item in d["items"]:
            item.pop("note")
    return d


def _holds(ev, as_of, rb, notes=True, probes=(0.25, 0.5, 0.999)):
    until = valid_until(ev, as_of, rb, notes=notes)
    base = _answer(ev, as_of, rb, notes)
    end = until if until is not None else as_of + timedelta(days=400)
    span = end - as_of
    assert span > timedelta(0)
    for f in probes:
        t = as_of + span * f
        assert _answer(ev, t, rb, notes) == base, (as_of, t, until)
    last = end - timedelta(microseconds=1)
    assert _answer(ev, last, rb, notes) == base, (as_of, last, until)
    return until


instants = st.integers(0, 400 * 24 * 60 * 60).map(lambda s: START + timedelta(seconds=s))


@FAST
@given(evidences(), instants)
def test_the_ledger_holds_until_valid_until(ev, as_of):
    _holds(ev, as_of, RB)


@FAST
@given(evidences(), instants)
def test_the_totals_hold_until_valid_until_without_notes(ev, as_of):
    until = _holds(ev, as_of, RB, notes=False)
    full = valid_until(ev, as_of, RB)
    assert until is None or full is None or full <= until


def test_walking_the_worked_example_from_change_to_change():
    ev = next(iter(read_evidence_log(WORKED).values()))
    rb = load_rulebook()
    at = datetime(2025, 10, 24, 12, 0, tzinfo=TZ)
    steps = 0
    while at is not None and steps < 2000:  # the totals: notes move every 36 s
        nxt = _holds(ev, at, rb, notes=False, probes=(0.5,))
        steps += 1
        at = nxt
    assert at is None  # after the period and with every ticket closed: settled for good
    assert steps > 20  # the walk passed through days, deadlines and the period end


def test_a_naive_instant_is_refused():
    ev = next(iter(read_evidence_log(WORKED).values()))
    with pytest.raises(ValueError, match="aware"):
        valid_until(ev, datetime(2026, 1, 1), load_rulebook())
