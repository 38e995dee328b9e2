"""Evidence log → database, idempotent on natural keys.

Natural keys: contract code; staff (contract, person code); replacement (person out,
person in); punch (person, instant); leave (person, start); ticket (contract,
number); incident (contract, code); evaluation (contract, quarter, unit); praise
(contract, event, level — one event may be praised at several levels, 第二十条);
service delay (contract, obligation).

A record whose key exists is updated when a field differs, else left alone; nothing
is deleted (an import adds and corrects, it never forgets).  The whole import is one
transaction and one audit record with the counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from opsqm.facts.contracts.evidence_version import bump_evidence
from opsqm.facts.contracts.models import Contract, Unit, Vendor
from opsqm.facts.incidents.models import Incident, Praise, QuarterlyEvaluation, ServiceDelay
from opsqm.facts.staff.models import (
    EntryVerification,
    Leave,
    Punch,
    Replacement,
    StaffMember,
    punch_minute,
)
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.audit.services import log_action
from opsqm.pure.assessment import model as m

IMPORTED_REMARK = "Imported from an evidence log"
KINDS = (
    "vendor",
    "unit",
    "contract",
    "staff",
    "verification",
    "replacement",
    "punch",
    "leave",
    "ticket",
    "incident",
    "evaluation",
    "praise",
    "service_delay",
)


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            kind: {
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
            }
            for kind in KINDS
            if self.created[kind] or self.updated[kind] or self.unchanged[kind]
        }


class _Upsert:
    """Compare-and-write of one kind: new objects are bulk-created at `flush`."""

    def __init__(self, kind: str, result: ImportResult) -> None:
        self.kind, self.result = kind, result
        self.new: list[models.Model] = []

    def __call__(
        self, existing: Any, fields: dict[str, Any], make: Callable[[], Any], bulk: bool = True
    ) -> Any:
        if existing is None:
            obj = make()
            for k, v in fields.items():
                setattr(obj, k, v)
            if bulk:
                self.new.append(obj)
            else:
                obj.save()
            self.result.created[self.kind] += 1
            return obj
        diff = [k for k, v in fields.items() if getattr(existing, k) != v]
        if diff:
            for k in diff:
                setattr(existing, k, fields[k])
            if existing.pk is not None:  # else: a repeat within this log, not saved yet
                existing.save(update_fields=diff)
            self.result.updated[self.kind] += 1
        else:
            self.result.unchanged[self.kind] += 1
        return existing

    def flush(self) -> None:
        if self.new:
            for obj in self.new:
                if hasattr(obj, "fill_derived"):  # tickets: stored deadline and status
                    obj.fill_derived()
            type(self.new[0])._default_manager.bulk_create(self.new)
            self.new = []


def import_evidence(evidences: Iterable[m.ContractEvidence], actor: Any = None) -> ImportResult:
    """Store `evidences` (all or nothing) and append one audit record with the counts."""
    result = ImportResult()
    codes = []
    with transaction.atomic():
        for ev in evidences:
            _import_contract(ev, result)
            codes.append(ev.contract.id)
        # bulk_create sends no signals: the evidence versions move here, in the import's transaction
        bump_evidence(Contract.objects.filter(code__in=codes).values_list("pk", flat=True))
        log_action(
            "evidence.import",
            object_type="evidence",
            object_id=",".join(codes)[:64],
            summary=f"{len(codes)} contract(s)",
            after={"contracts": codes, "counts": result.as_dict()},
            actor=actor,
        )
    return result


def _import_contract(ev: m.ContractEvidence, result: ImportResult) -> None:
    """One contract and its facts, kind by kind (each kind's new rows in one batch)."""
    contract = _contract(ev.contract, result)
    staff = _staff(ev, contract, result)
    _replacements(ev, contract, staff, result)
    _punches(ev, contract, staff, result)
    _leaves(ev, contract, staff, result)
    _tickets(ev, contract, result)
    _incidents(ev, contract, result)
    _evaluations(ev, contract, result)
    _praises(ev, contract, result)
    _service_delays(ev, contract, result)


def _contract(c: m.Contract, result: ImportResult) -> Contract:
    vendor = Vendor.objects.filter(name=c.vendor).first()
    if vendor is None:
        vendor = Vendor.objects.create(name=c.vendor)
        result.created["vendor"] += 1
    fields = {
        "title": c.title,
        "vendor": vendor,
        "amount": c.amount,
        "final_payment": c.final_payment,
        "start": c.start,
        "end": c.end,
        "bond": c.bond,
        "rulebook": c.rulebook or "",
        "rulebook_overrides": dict(c.parameters),
    }
    existing = Contract.objects.filter(code=c.id).first()
    contract = _Upsert("contract", result)(
        existing, fields, lambda: Contract(code=c.id), bulk=False
    )
    _check_rulebook(contract)
    return contract


def _staff(
    ev: m.ContractEvidence, contract: Contract, result: ImportResult
) -> dict[str, StaffMember]:
    """The contract's staff and their entry verification (by person code)."""
    staff = {s.person: s for s in StaffMember.objects.filter(contract=contract)}
    verifications = {
        v.staff_id: v for v in EntryVerification.objects.filter(staff__contract=contract)
    }
    up = _Upsert("staff", result)
    for s in ev.staff:
        staff[s.person] = up(
            staff.get(s.person),
            {
                "name": s.name,
                "on_site": s.on_site,
                "entered_on": s.entered_on,
                "left_on": s.left_on,
            },
            partial(StaffMember, contract=contract, person=s.person),
            bulk=False,
        )
    upv = _Upsert("verification", result)
    for s in ev.staff:
        member = staff[s.person]
        ver = verifications.get(member.pk)
        if s.verified_on is None:
            if ver is not None:
                ver.delete()
                result.updated["verification"] += 1
            continue
        upv(
            ver,
            {"verified_on": s.verified_on},
            partial(
                EntryVerification,
                staff=member,
                id_card_checked=True,
                resume_checked=True,
                degree_or_certificate_checked=True,
                remarks=IMPORTED_REMARK,
            ),
        )
    upv.flush()
    return staff


def _person(staff: dict[str, StaffMember], contract: Contract, code: str, what: str) -> StaffMember:
    try:
        return staff[code]
    except KeyError:
        raise ValidationError({what: [f"{contract.code}: unknown staff member {code!r}"]}) from None


def _replacements(
    ev: m.ContractEvidence,
    contract: Contract,
    staff: dict[str, StaffMember],
    result: ImportResult,
) -> None:
    up = _Upsert("replacement", result)
    reps = {
        (r.person_out_id, r.person_in_id): r for r in Replacement.objects.filter(contract=contract)
    }
    for r in ev.replacements:
        out, inn = (
            _person(staff, contract, r.person_out, "person_out"),
            _person(staff, contract, r.person_in, "person_in"),
        )
        reps[(out.pk, inn.pk)] = up(
            reps.get((out.pk, inn.pk)),
            {
                "replaced_at": r.replaced_at,
                "notified_at": r.notified_at,
                "emergency": r.emergency,
                "materials_at": r.materials_at,
            },
            partial(Replacement, contract=contract, person_out=out, person_in=inn),
        )
    up.flush()


def _punches(
    ev: m.ContractEvidence,
    contract: Contract,
    staff: dict[str, StaffMember],
    result: ImportResult,
) -> None:
    have = set(Punch.objects.filter(person__contract=contract).values_list("person_id", "minute"))
    new_punches = []
    for p in ev.punches:
        who = _person(staff, contract, p.person, "person")
        pkey = (who.pk, punch_minute(p.at))
        if pkey in have:
            result.unchanged["punch"] += 1
            continue
        have.add(pkey)
        new_punches.append(
            Punch(
                person=who,
                at=p.at,
                source=Punch.Source.IMPORT,
                kind=p.kind.value,
                confirmed=p.confirmed,
            )
        )
    Punch.objects.bulk_create(new_punches, batch_size=2000)
    result.created["punch"] += len(new_punches)


def _leaves(
    ev: m.ContractEvidence,
    contract: Contract,
    staff: dict[str, StaffMember],
    result: ImportResult,
) -> None:
    up = _Upsert("leave", result)
    leaves = {
        (lv.person_id, lv.start): lv for lv in Leave.objects.filter(person__contract=contract)
    }
    for lv in ev.leaves:
        who = _person(staff, contract, lv.person, "person")
        leaves[(who.pk, lv.start)] = up(
            leaves.get((who.pk, lv.start)),
            {
                "kind": lv.kind.value,
                "end": lv.end,
                "requested_at": lv.requested_at,
                "emergency": lv.emergency,
                "approved": lv.approved,
            },
            partial(Leave, person=who, start=lv.start),
        )
    up.flush()


def _tickets(ev: m.ContractEvidence, contract: Contract, result: ImportResult) -> None:
    up = _Upsert("ticket", result)
    tickets = {t.number: t for t in Ticket.objects.filter(contract=contract)}
    # A number names one ticket across contracts (issue 12): one of another contract's
    # is refused by name, not left to the database's unique constraint.
    taken = sorted(
        Ticket.objects.filter(number__in=[t.id for t in ev.tickets])
        .exclude(contract=contract)
        .values_list("number", "contract__code")
    )
    if taken:
        names = ", ".join(f"{n} ({code})" for n, code in taken[:5])
        raise ValidationError(
            {
                "ticket": [
                    f"{contract.code}: ticket numbers already used by another contract: {names}"
                ]
            }
        )
    for t in ev.tickets:
        tickets[t.id] = up(
            tickets.get(t.id),
            {
                "problem": t.problem,
                "priority": t.priority.value,
                "dispatched_at": t.dispatched_at,
                "acknowledged_at": t.acknowledged_at,
                "extended_to": t.extended_to,
                "resolved_at": t.resolved_at,
                "signature": t.signature.value,
                "satisfaction": t.satisfaction.value if t.satisfaction else "",
                "record_analysis": t.record.analysis,
                "record_steps": t.record.steps,
                "record_verification": t.record.verification,
                "template_ok": t.template_ok,
                "forged": t.forged,
                "archive": t.archive.value,
                "excused": t.excused or "",
            },
            partial(Ticket, contract=contract, number=t.id),
        )
    up.flush()


def _incidents(ev: m.ContractEvidence, contract: Contract, result: ImportResult) -> None:
    up = _Upsert("incident", result)
    incidents = {i.code: i for i in Incident.objects.filter(contract=contract)}
    for i in ev.incidents:
        incidents[i.id] = up(
            incidents.get(i.id),
            {
                "level": i.level,
                "occurred_at": i.occurred_at,
                "reported_at": i.reported_at,
                "excused": i.excused or "",
            },
            partial(Incident, contract=contract, code=i.id),
        )
    up.flush()


def _evaluations(ev: m.ContractEvidence, contract: Contract, result: ImportResult) -> None:
    """A unit that evaluates the vendor is created if new and served by the contract."""
    units = {u.name: u for u in Unit.objects.all()}
    served = set(contract.units.values_list("pk", flat=True))
    up = _Upsert("evaluation", result)
    evals = {
        (e.quarter, e.unit_id): e for e in QuarterlyEvaluation.objects.filter(contract=contract)
    }
    for e in ev.evaluations:
        unit = units.get(e.unit)
        if unit is None:
            unit = units[e.unit] = Unit.objects.create(name=e.unit)
            result.created["unit"] += 1
        if unit.pk not in served:
            contract.units.add(unit)  # a unit that evaluates the vendor is served by it
            served.add(unit.pk)
        key = (e.quarter, unit.pk)
        evals[key] = up(
            evals.get(key),
            {"result": e.result.value},
            partial(QuarterlyEvaluation, contract=contract, quarter=e.quarter, unit=unit),
        )
    up.flush()


def _praises(ev: m.ContractEvidence, contract: Contract, result: ImportResult) -> None:
    up = _Upsert("praise", result)
    praises = {(p.event, p.level): p for p in Praise.objects.filter(contract=contract)}
    for pr in ev.praises:
        key2 = (pr.event, pr.level.value)
        praises[key2] = up(
            praises.get(key2),
            {"at": pr.at},
            partial(Praise, contract=contract, event=pr.event, level=pr.level.value),
        )
    up.flush()


def _service_delays(ev: m.ContractEvidence, contract: Contract, result: ImportResult) -> None:
    up = _Upsert("service_delay", result)
    delays = {d.obligation: d for d in ServiceDelay.objects.filter(contract=contract)}
    for d in ev.service_delays:
        delays[d.obligation] = up(
            delays.get(d.obligation),
            {"due": d.due, "delivered": d.delivered, "excused": d.excused or ""},
            partial(ServiceDelay, contract=contract, obligation=d.obligation),
        )
    up.flush()


def _check_rulebook(contract: Contract) -> None:
    from opsqm.facts.contracts.rulebooks import rulebook_problem

    problem = rulebook_problem(contract.rulebook, contract.rulebook_overrides, contract.code)
    if problem is not None:
        raise ValidationError(problem)
