"""Every save or delete of an evidence model bumps its contract's evidence version,
inside the transaction of the write (signals run in it).  Writes that send no
signals (bulk_create, queryset.update) call `bump_evidence` themselves; a test walks
the models and the source to keep both true."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from opsqm.facts.contracts.evidence_version import bump_all_evidence, bump_evidence


def _own(instance: Any) -> Iterable[int | None]:
    return [instance.contract_id]


def _contract(instance: Any) -> Iterable[int | None]:
    return [instance.pk]


def _via_person(field: str) -> Callable[[Any], Iterable[int | None]]:
    def contracts(instance: Any) -> Iterable[int | None]:
        from opsqm.facts.staff.models import StaffMember

        cached = instance._state.fields_cache.get(field)
        if cached is not None:
            return [cached.contract_id]
        pk = getattr(instance, f"{field}_id")
        return StaffMember.objects.filter(pk=pk).values_list("contract_id", flat=True)

    return contracts


def _vendor(instance: Any) -> Iterable[int | None]:
    from opsqm.facts.contracts.models import Contract

    return Contract.objects.filter(vendor_id=instance.pk).values_list("pk", flat=True)


def _unit(instance: Any) -> Iterable[int | None]:
    from opsqm.facts.incidents.models import QuarterlyEvaluation

    return QuarterlyEvaluation.objects.filter(unit_id=instance.pk).values_list(
        "contract_id", flat=True
    )


def evidence_models() -> dict[type[Model], Callable[[Any], Iterable[int | None]] | None]:
    """Each model whose rows reach `opsqm.derived.evidence.adapter.contract_evidence` (or
    the rulebook it is assessed under) → the contracts a row of it belongs to; None:
    every contract (the calendar years)."""
    from opsqm.facts.attendance.models import CalendarDay, CalendarYear
    from opsqm.facts.contracts.models import Contract, Unit, Vendor
    from opsqm.facts.incidents.models import (
        Incident,
        Praise,
        QuarterlyEvaluation,
        ServiceDelay,
    )
    from opsqm.facts.staff.models import (
        EntryVerification,
        Leave,
        Punch,
        Replacement,
        StaffMember,
    )
    from opsqm.facts.tickets.models import Ticket

    return {
        Contract: _contract,
        Vendor: _vendor,  # its name is in the contract record
        Unit: _unit,  # its name is in the evaluation records
        StaffMember: _own,
        EntryVerification: _via_person("staff"),
        Replacement: _own,
        Punch: _via_person("person"),
        Leave: _via_person("person"),
        Ticket: _own,
        Incident: _own,
        QuarterlyEvaluation: _own,
        Praise: _own,
        ServiceDelay: _own,
        CalendarYear: None,
        CalendarDay: None,
    }


def _receiver(contracts: Callable[[Any], Iterable[int | None]] | None) -> Callable[..., None]:
    def bump(sender: Any, instance: Any, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return  # fixture loading: the rows come with their own state
        if contracts is None:
            bump_all_evidence()
        else:
            bump_evidence(contracts(instance))

    return bump


def connect() -> None:
    for model, contracts in evidence_models().items():
        receiver = _receiver(contracts)
        uid = f"evidence-version-{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
