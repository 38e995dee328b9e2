"""The month grid assesses one month: its attendance items are those the whole
evidence gives for the month's days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from opsqm.facts.attendance.month import month_evidence
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.evidence_log import read_evidence_log
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.rulebook import load_rulebook

WORKED = Path(__file__).resolve().parents[2] / "docs" / "worked-example.jsonl"


def _attendance(ledger, first: date, last: date) -> list:
    return [
        i
        for i in ledger.items
        if i.rule in ("P3", "P4", "P5") and first <= date.fromisoformat(i.ref.split()[1]) <= last
    ]


@pytest.mark.parametrize("as_of", ["2025-11-06T12:00", "2025-12-20T18:00", "2026-10-25T00:00"])
def test_one_months_items_equal_the_whole_years(as_of: str) -> None:
    ev = next(iter(read_evidence_log(WORKED).values()))
    rb = load_rulebook()
    when = datetime.fromisoformat(as_of).replace(tzinfo=TZ)
    whole = assess(ev, when, rb)
    first = date(2025, 10, 1)
    seen = 0
    while first <= ev.contract.end:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        part = month_evidence(ev, first, last)
        assert len(part.punches) <= len(ev.punches)
        month = assess(part, when, rb) if part.contract.start <= part.contract.end else None
        expected = _attendance(whole, first, last)
        got = _attendance(month, first, last) if month else []
        assert got == expected, first
        seen += len(expected)
        first = last + timedelta(days=1)
    assert seen > 0
