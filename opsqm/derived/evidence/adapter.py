"""The database ⇄ the assessment model (``opsqm.pure.assessment.model``).

`contract_evidence` builds exactly the records `opsqm export` writes, so the ledger
of a page equals `opsqm score` on the export.  Lists are in a natural, pk-free order
(person code, time, number…) so that an export, imported into another database and
exported again, is byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.scoring import model_contract, number_lines
from opsqm.pure.assessment import model as m


def contract_evidence(contract: Contract) -> m.ContractEvidence:
    """Everything the database holds about `contract`, as the engine reads it
    (one query per evidence type)."""
    from opsqm.facts.incidents.models import Praise, QuarterlyEvaluation
    from opsqm.facts.staff.models import Leave, Replacement, StaffMember
    from opsqm.facts.tickets.evidence import ticket_records
    from opsqm.facts.tickets.models import Ticket

    if not hasattr(contract, "_state") or "vendor" not in contract._state.fields_cache:
        contract = Contract.objects.select_related("vendor").get(pk=contract.pk)
    cid = contract.code
    ev = m.ContractEvidence(contract=model_contract(contract))

    staff = StaffMember.objects.filter(contract=contract).order_by("person")
    for s, name, on_site, entered, left, verified in staff.values_list(
        "person", "name", "on_site", "entered_on", "left_on", "verification__verified_on"
    ):
        ev.staff.append(m.Staff(cid, s, name, on_site, entered, verified, left))

    reps = Replacement.objects.filter(contract=contract).order_by(
        "replaced_at", "person_out__person", "person_in__person"
    )
    for out, inn, at, notified, emergency, materials in reps.values_list(
        "person_out__person",
        "person_in__person",
        "replaced_at",
        "notified_at",
        "emergency",
        "materials_at",
    ):
        ev.replacements.append(
            m.Replacement(cid, out, inn, _tz(at), _tzn(notified), emergency, _tzn(materials))
        )

    ev.punches = _punches(contract, cid)

    leaves = Leave.objects.filter(person__contract=contract).order_by("person__person", "start")
    for p, kind, start, end, requested, emergency, approved in leaves.values_list(
        "person__person", "kind", "start", "end", "requested_at", "emergency", "approved"
    ):
        ev.leaves.append(
            m.Leave(
                cid,
                p,
                m.LeaveKind(kind),
                _tz(start),
                _tz(end),
                _tz(requested),
                emergency,
                approved,
            )
        )

    ev.tickets = ticket_records(cid, Ticket.objects.filter(contract=contract))

    ev.incidents = _incidents(contract, cid)

    evals = QuarterlyEvaluation.objects.filter(contract=contract).order_by("quarter", "unit__name")
    for quarter, unit, result in evals.values_list("quarter", "unit__name", "result"):
        ev.evaluations.append(m.Evaluation(cid, quarter, unit, m.EvaluationResult(result)))

    praises = Praise.objects.filter(contract=contract).order_by("at", "event", "level")
    for event, plevel, at in praises.values_list("event", "level", "at"):
        ev.praises.append(m.Praise(cid, event, m.PraiseLevel(plevel), _tz(at)))

    ev.service_delays = _service_delays(contract, cid)
    number_lines(ev)
    return ev


def _incidents(contract: Contract, cid: str) -> list[m.Incident]:
    """Only determined incidents (第十四条五 final level) are evidence: one pending
    determination neither counts (I1/I2) nor is exported (docs/incidents.md)."""
    from opsqm.facts.incidents.models import Incident

    incidents = Incident.objects.filter(contract=contract, level__isnull=False).order_by("code")
    return [
        m.Incident(cid, code, level or 0, _tz(occurred), _tzn(reported), excused or None)
        for code, level, occurred, reported, excused in incidents.values_list(
            "code", "level", "occurred_at", "reported_at", "excused"
        )
    ]


def _service_delays(contract: Contract, cid: str) -> list[m.ServiceDelay]:
    from opsqm.facts.incidents.models import ServiceDelay

    delays = ServiceDelay.objects.filter(contract=contract).order_by("due", "obligation")
    return [
        m.ServiceDelay(cid, obligation, due, delivered, excused or None)
        for obligation, due, delivered, excused in delays.values_list(
            "obligation", "due", "delivered", "excused"
        )
    ]


def all_evidence(contracts: Iterable[Contract] | None = None) -> list[m.ContractEvidence]:
    if contracts is None:
        contracts = Contract.objects.select_related("vendor").order_by("code")
    return [contract_evidence(c) for c in contracts]


def _punches(contract: Contract, cid: str) -> list[m.Punch]:
    from opsqm.facts.staff.models import Punch

    rows = Punch.objects.filter(person__contract=contract).order_by("person__person", "at")
    return [
        m.Punch(cid, p, _tz(at), 0, m.PunchKind(kind), confirmed)
        for p, at, kind, confirmed in rows.values_list("person__person", "at", "kind", "confirmed")
    ]


def _tz(value: Any) -> Any:
    return value.astimezone(m.TZ)


def _tzn(value: Any) -> Any:
    return None if value is None else value.astimezone(m.TZ)
