"""Excusing a fact: the assessor's decision that a ticket, an incident or a contracted
delivery's delay does not cost (合同 十一 force majeure; 十.1 the bureau's written
agreement to a delay).  The spec's `excused` field (its §2 says what each rule then
spares); the evidence export writes it, the ledger reads it at once.

The force-majeure decision pages call these functions; they live here, above tickets
and incidents, because a decision may name facts of both registers.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.incidents.models import Incident, ServiceDelay
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action

Excusable = TypeVar("Excusable", Ticket, Incident, ServiceDelay)

DECISION_MAX = 120  # the model fields' max_length


def set_excused(
    fact: Excusable, decision: str, *, user: User | None = None, reason: str = ""
) -> Excusable:
    """Mark `fact` excused by `decision` (e.g. "force_majeure:FM-2026-01"), or clear
    the mark with a blank decision.  Audited; unchanged marks write nothing."""
    decision = decision.strip()
    if len(decision) > DECISION_MAX:
        raise ValidationError(
            {"excused": _("The decision reference is longer than %(n)d characters.")
             % {"n": DECISION_MAX}}
        )  # fmt: skip
    model = type(fact)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=fact.pk)
        before = locked.excused
        if before == decision:
            return locked
        locked.excused = decision
        locked.save(update_fields=["excused"])
        log_action(
            "fact.excuse" if decision else "fact.excuse_clear",
            obj=locked,
            summary=f"{locked}: {decision or '-'}",
            before={"excused": before},
            after={"excused": decision, "reason": reason.strip()},
            actor=user,
        )
    return locked


def clear_excused(fact: Excusable, *, user: User | None = None, reason: str = "") -> Excusable:
    """Withdraw the excuse: the fact costs again as the rules say."""
    return set_excused(fact, "", user=user, reason=reason)
