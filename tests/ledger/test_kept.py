"""Kept ledgers (docs/ledger.md): equal to `opsqm score` on the export at every
instant, reused while they hold, recomputed when evidence or time moves them."""

from __future__ import annotations

import contextlib
import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from opsqm.cli import main as cli_main
from opsqm.derived.ledger import kept as kept_mod
from opsqm.derived.ledger.kept import kept_ledger, kept_summaries, refresh_stale
from opsqm.derived.ledger.models import KeptLedger
from opsqm.facts.contracts.evidence_version import evidence_versions
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import TZ
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, tzinfo=TZ)


def _score(path: Any, when: datetime.datetime) -> dict[str, Any]:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    with contextlib.redirect_stdout(out):
        code = cli_main(["score", str(path), "--as-of", when.isoformat(), "--json"])
        out.flush()
    assert code in (0, None)
    [ledger] = json.loads(raw.getvalue())
    return ledger


@pytest.fixture
def open_ticket(evidence_a: Any, unit_a: Any) -> Any:
    """A ticket left open: its overdue accrues with time alone."""
    from tests.factories import create_ticket

    return create_ticket(
        evidence_a,
        {
            "number": "GD-0009",
            "priority": "urgent",
            "unit": unit_a,
            "dispatched_at": at(2025, 4, 1, 9),
        },
    )


class Counting:
    """Counts the engine runs of kept-ledger computations."""

    def __init__(self, monkeypatch: Any) -> None:
        self.calls = 0
        real = kept_mod.compute

        def compute(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(kept_mod, "compute", compute)


def _instants() -> list[datetime.datetime]:
    """Instants across days, a workday's 17:30, the open ticket's overdue steps (4 h,
    24 h, each further day) and the period end — with no new evidence in between."""
    out = [at(2025, 4, 1, 9) + datetime.timedelta(minutes=37 * k) for k in range(0, 200, 7)]
    out += [at(2025, 4, 2, 17, 29), at(2025, 4, 2, 17, 30), at(2025, 4, 2, 17, 31)]
    out += [at(2025, 4, 3, 9) + datetime.timedelta(hours=11 * k) for k in range(12)]
    out += [at(2025, 12, 31, 23, 59), at(2026, 1, 1), at(2026, 1, 1, 0, 1), at(2026, 3, 1)]
    return sorted(out)


def test_kept_ledger_equals_score_on_the_export_at_every_instant(
    evidence_a: Any, open_ticket: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    path = tmp_path / "a.jsonl"
    call_command("export", "--contract", evidence_a.code, "-o", str(path))
    counting = Counting(monkeypatch)
    instants = _instants()
    for when in instants:
        ledger, problem = kept_ledger(evidence_a, when)
        assert problem == "" and ledger is not None
        expected = _score(path, when)
        assert ledger_to_dict(ledger) == expected, when
        rows, _n = kept_summaries([evidence_a], when)
        head = rows[evidence_a.pk].summary["head"]
        assert (head["score"], head["tier"], head["final"]) == (
            expected["score"],
            expected["tier"],
            expected["final"],
        )
        assert head["fines_total"] == expected["fines"]["total"]
    # Time alone moved the answer at some instants only: the kept one served the rest.
    assert 0 < counting.calls < len(instants)


def test_figures_hold_while_the_notes_move(
    evidence_a: Any, open_ticket: Any, monkeypatch: Any
) -> None:
    """An open ticket's overdue hours change its note every 36 s, not its points:
    the bureau's figures are computed once for the whole day step."""
    counting = Counting(monkeypatch)
    start = at(2025, 4, 2, 9, 0)
    for k in range(20):
        kept_summaries([evidence_a], start + datetime.timedelta(minutes=k))
    assert counting.calls == 1


def test_new_evidence_makes_the_kept_ledger_stale(evidence_a: Any, monkeypatch: Any) -> None:
    from opsqm.facts.incidents import services as inc

    when = at(2025, 9, 30, 12)
    before, _ = kept_ledger(evidence_a, when)
    version = evidence_versions([evidence_a.pk])[evidence_a.pk]
    inc.record_incident(evidence_a, {"code": "SG-9", "level": 1, "occurred_at": at(2025, 6, 1)})
    assert evidence_versions([evidence_a.pk])[evidence_a.pk] > version
    after, _ = kept_ledger(evidence_a, when)
    assert before is not None and after is not None
    assert after.score < before.score
    assert any(i.ref == "SG-9" for i in after.items)


def test_the_bump_is_in_the_writing_transaction(evidence_a: Any) -> None:
    from opsqm.facts.incidents import services as inc

    version = evidence_versions([evidence_a.pk])[evidence_a.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        inc.record_incident(evidence_a, {"code": "SG-8", "level": 2, "occurred_at": at(2025, 6, 1)})
        assert evidence_versions([evidence_a.pk])[evidence_a.pk] == version + 1
        raise RuntimeError("roll back")
    assert evidence_versions([evidence_a.pk])[evidence_a.pk] == version


def test_an_explicit_past_instant_is_not_kept(evidence_a: Any) -> None:
    now = at(2025, 9, 30, 12)
    kept_ledger(evidence_a, now)
    kept_ledger(evidence_a, at(2025, 3, 1), keep=False)
    assert KeptLedger.objects.get(contract=evidence_a).as_of == now


def test_a_calendar_change_makes_every_kept_ledger_stale(evidence_a: Any, contract_b: Any) -> None:
    from opsqm.facts.attendance.models import CalendarYear

    before = evidence_versions([evidence_a.pk, contract_b.pk])
    CalendarYear.objects.create(year=2031)
    after = evidence_versions([evidence_a.pk, contract_b.pk])
    assert all(after[k] == before[k] + 1 for k in before)


def test_the_worker_recomputes_only_what_no_longer_holds(
    evidence_a: Any, contract_b: Any, monkeypatch: Any
) -> None:
    from opsqm.facts.incidents import services as inc

    when = at(2026, 3, 1, 1)  # both periods over
    assert refresh_stale(when) == 2
    assert refresh_stale(when + datetime.timedelta(hours=1)) == 0
    inc.record_incident(contract_b, {"code": "SG-7", "level": 3, "occurred_at": at(2025, 6, 1)})
    assert refresh_stale(when + datetime.timedelta(hours=2)) == 1
    # Contract A has a delivery still late: one more day late at midnight, B holds.
    assert refresh_stale(at(2026, 3, 2, 0, 1)) == 1


def test_a_kept_row_read_in_part_gives_the_same_figures(evidence_a: Any) -> None:
    """The bureau's list reads only each summary's head, the dashboards only the rows'
    identities until their cache misses: what they read is the stored answer."""
    from opsqm.derived.ledger.kept import figures

    when = at(2025, 9, 30, 12)
    full, computed = kept_summaries([evidence_a], when)
    assert computed == 1
    head, computed = kept_summaries([evidence_a], when, read="head")
    assert computed == 0 and head[evidence_a.pk].summary == {
        "head": full[evidence_a.pk].summary["head"]
    }
    assert figures(head[evidence_a.pk].summary) == figures(full[evidence_a.pk].summary)
    bare, computed = kept_summaries([evidence_a], when, read="none")
    assert computed == 0 and "summary" in bare[evidence_a.pk].get_deferred_fields()
    assert bare[evidence_a.pk].computed_at == full[evidence_a.pk].computed_at
    with pytest.raises(ValueError, match="read must be"):
        kept_summaries([evidence_a], when, read="ledger")
