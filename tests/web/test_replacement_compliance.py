"""第六条 on the replacement register: the deadline each replacement is held to is its
contract's own (rulebook and overrides), the same one the engine's P2 applies."""

from __future__ import annotations

from typing import Any

import pytest

from opsqm.derived.ledger.services import contract_ledger
from opsqm.facts.staff.compliance import replacement_statuses
from opsqm.facts.staff.models import Replacement
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)
from tests.web.fixtures_registers import at

pytestmark = pytest.mark.django_db


def statuses(contract: Any) -> list[Any]:
    reps = list(Replacement.objects.filter(contract=contract).select_related("contract"))
    return replacement_statuses(reps, {contract.pk: contract_ledger(contract, at(2025, 12, 31))})


def test_the_default_notice_is_seven_days(evidence_a: Any, contract_a: Any) -> None:
    # Notified on 2025-02-28 for 2025-03-03: three days ahead, not seven.
    [s] = statuses(contract_a)
    assert s.deadline == at(2025, 2, 24)
    assert s.state == "violation" and "不足 7 天" in s.note


def test_a_contract_with_a_shorter_notice_is_held_to_it(evidence_a: Any, contract_a: Any) -> None:
    contract_a.rulebook_overrides = {"personnel": {"replacement_notice_days": 2}}
    contract_a.save()
    [s] = statuses(contract_a)
    assert s.deadline == at(2025, 3, 1)
    assert s.state == "ok" and s.note == ""
