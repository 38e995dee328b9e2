"""第六条 compliance of replacements, read from the engine's ledger (P1, P2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.facts.contracts.scoring import model_contract
from opsqm.facts.staff.models import Replacement
from opsqm.pure.assessment.model import Ledger
from opsqm.pure.assessment.rulebook import PersonnelRules
from opsqm.pure.assessment.rules.personnel import replacement_deadline


@dataclass
class ReplacementStatus:
    replacement: Replacement
    deadline: datetime  # notice due (non-emergency) or materials due (emergency)
    state: str  # "ok" | "violation" | "open"
    note: str  # the engine's note when it deducted
    newcomer_state: str  # "ok" | "violation" | "open"


def replacement_statuses(
    replacements: list[Replacement], ledgers: dict[int, Ledger | None]
) -> list[ReplacementStatus]:
    """`ledgers`: contract pk → its ledger now (None when it could not be computed)."""
    now = timezone.now()
    rules: dict[int, PersonnelRules] = {}  # each contract's own deadlines (its rulebook)
    out = []
    for r in replacements:
        if r.contract_id not in rules:
            rules[r.contract_id] = contract_rulebook(model_contract(r.contract)).personnel
        deadline = replacement_deadline(r.replaced_at, r.emergency, rules[r.contract_id])
        ledger = ledgers.get(r.contract_id)
        ref = f"{r.person_out.person}→{r.person_in.person}"
        p2 = _find(ledger, "P2", ref)
        p1 = _find(ledger, "P1", r.person_in.person)
        done = (r.materials_at if r.emergency else r.notified_at) is not None
        if p2 is not None:
            state = "violation"
        elif done or deadline <= now:
            state = "ok" if done else "violation"
        else:
            state = "open"
        verified = r.person_in.verified_on
        if p1 is not None:
            newcomer = "violation"
        elif verified is not None and verified <= r.person_in.entered_on:
            newcomer = "ok"
        else:
            newcomer = "open"
        out.append(
            ReplacementStatus(r, deadline, state, p2.note if p2 is not None else "", newcomer)
        )
    return out


def _find(ledger: Ledger | None, rule: str, ref: str) -> Any:
    if ledger is None:
        return None
    for item in ledger.items:
        if item.rule == rule and item.ref == ref:
            return item
    return None
