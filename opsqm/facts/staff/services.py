"""Vendor staff services (第五条–第七条).  Pages, the API and the demo call these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract
from opsqm.facts.staff.models import (
    EntryVerification,
    Leave,
    Punch,
    Replacement,
    ReplacementDemand,
    StaffMember,
    punch_minute,
)
from opsqm.infra.audit.servicekit import pick, save_audited, snapshot
from opsqm.infra.audit.services import log_action
from opsqm.pure.assessment.model import TZ

# The fields each service takes; the staff forms and the API serializers use these lists.
STAFF_FIELDS = (
    "person",
    "name",
    "on_site",
    "entered_on",
    "left_on",
    "id_number",
    "resume",
    "degree_scan",
    "certificate_scan",
    "pledge_scan",
    "pledge_signed_on",
    "dingtalk_user_id",
    "employee_no",
    "account",
)
VERIFICATION_FIELDS = (
    "verified_on",
    "id_card_checked",
    "resume_checked",
    "degree_or_certificate_checked",
    "remarks",
)
REPLACEMENT_FIELDS = (
    "person_out",
    "person_in",
    "replaced_at",
    "notified_at",
    "emergency",
    "materials_at",
    "reason",
)
LEAVE_FIELDS = ("kind", "start", "end", "requested_at", "emergency", "approved")


def register_staff(contract: Contract, data: Mapping[str, Any]) -> StaffMember:
    staff = StaffMember(contract=contract)
    return save_audited(staff, pick(data, STAFF_FIELDS), action="staff.register")


def update_staff(staff: StaffMember, data: Mapping[str, Any]) -> StaffMember:
    return save_audited(staff, pick(data, STAFF_FIELDS), action="staff.update")


def record_verification(
    staff: StaffMember, data: Mapping[str, Any], verified_by: Any = None
) -> EntryVerification:
    """第五条: the originals were checked.  One record per person; recording again
    corrects it."""
    fields = pick(data, VERIFICATION_FIELDS)
    checked = [
        fields.get("id_card_checked"),
        fields.get("resume_checked"),
        fields.get("degree_or_certificate_checked"),
    ]
    if not all(checked):
        raise ValidationError(
            _("第五条 asks for the ID card, the résumé and a degree or professional certificate.")
        )
    _require_pledge(staff, fields.get("verified_on"))
    try:
        ver = staff.verification
    except EntryVerification.DoesNotExist:
        ver = EntryVerification(staff=staff)
    if verified_by is not None and getattr(verified_by, "is_authenticated", False):
        fields["verified_by"] = verified_by
    return save_audited(ver, fields, action="staff.verify", summary=str(staff))


def _require_pledge(staff: StaffMember, verified_on: Any) -> None:
    """合同 七.2: nobody is verified for entry without the signed 保密承诺书 on file,
    signed by the day of the verification."""
    if not staff.has_pledge:
        raise ValidationError(
            _(
                "%(p)s has no signed confidentiality pledge (保密承诺书, 合同 七.2) on file: "
                "record it on the staff member first."
            )
            % {"p": staff}
        )
    signed = staff.pledge_signed_on
    if verified_on is not None and signed is not None and signed > verified_on:
        raise ValidationError(
            {
                "verified_on": [
                    _("The pledge was signed on %(d)s, after this verification day.")
                    % {"d": signed.isoformat()}
                ]
            }
        )


def _local_date(at: datetime) -> Any:
    return at.astimezone(TZ).date()


def register_replacement(contract: Contract, data: Mapping[str, Any]) -> Replacement:
    """第六条: person_out leaves at replaced_at, person_in takes over.  Sets the
    leaving person's `left_on` (the day of the replacement) if not set."""
    fields = pick(data, REPLACEMENT_FIELDS)
    errors: dict[str, list[str]] = {}
    for key in ("person_out", "person_in"):
        p = fields.get(key)
        if p is not None and p.contract_id != contract.pk:
            errors[key] = [_("Not a staff member of this contract.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rep = save_audited(Replacement(contract=contract), fields, action="staff.replace")
        out = rep.person_out
        if out.left_on is None:
            update_staff(out, {"left_on": _local_date(rep.replaced_at)})
        _fulfil_demands(rep)
    return rep


def update_replacement(rep: Replacement, data: Mapping[str, Any]) -> Replacement:
    fields = pick(data, REPLACEMENT_FIELDS)
    for key in ("person_out", "person_in"):
        p = fields.get(key)
        if p is not None and p.contract_id != rep.contract_id:
            raise ValidationError({key: [_("Not a staff member of this contract.")]})
    return save_audited(rep, fields, action="staff.replace.update")


def record_punch(person: StaffMember, at: datetime, source: str = "manual") -> Punch:
    """One attendance punch; a second punch of the person in the same minute is the
    same punch (minute precision, assessment.md §1)."""
    existing = Punch.objects.filter(person=person, minute=punch_minute(at)).first()
    if existing is not None:
        return existing
    return save_audited(Punch(person=person), {"at": at, "source": source}, action="staff.punch")


def record_punches(person: StaffMember, instants: list[datetime], source: str) -> int:
    """Many punches of one person at once (an attendance import): one audit record."""
    with transaction.atomic():
        have = set(
            Punch.objects.filter(
                person=person, minute__in=[punch_minute(at) for at in instants]
            ).values_list("minute", flat=True)
        )
        new = []
        for at in instants:
            key = punch_minute(at)
            if key not in have:
                have.add(key)
                new.append(Punch(person=person, at=at, source=source))
        Punch.objects.bulk_create(new)
        if new:
            log_action(
                "staff.punches",
                obj=person,
                summary=f"{person}: {len(new)}",
                after={"count": len(new), "source": source},
            )
    return len(new)


def record_leave(person: StaffMember, data: Mapping[str, Any], approver: Any = None) -> Leave:
    fields = pick(data, LEAVE_FIELDS)
    if approver is not None:
        fields["approver"] = approver
    leave = Leave(person=person)
    return save_audited(leave, fields, action="staff.leave")


def staff_snapshot(staff: StaffMember) -> dict[str, Any]:
    return snapshot(staff)


# --- leave requests (第七条二) ----------------------------------------------------


def request_leave(
    person: StaffMember, data: Mapping[str, Any], requested_by: Any, now: datetime | None = None
) -> Leave:
    """A leave or comp-time request, asked of the head of `data["unit"]` (a unit the
    contract serves).  `requested_at` is the server's clock, not a typed time:
    P5 judges it.  Pending until the head decides; it excuses nothing before."""
    from django.utils import timezone

    unit = data.get("unit")
    if unit is None or not person.contract.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": [_("Choose a service unit of this contract.")]})
    if data.get("emergency") and not (data.get("reason") or "").strip():
        raise ValidationError({"reason": [_("An emergency request needs its reason.")]})
    fields = {
        "kind": data.get("kind", Leave.Kind.LEAVE),
        "start": data.get("start"),
        "end": data.get("end"),
        "emergency": bool(data.get("emergency")),
        "reason": data.get("reason") or "",
        "unit": unit,
        "requested_at": now or timezone.now(),
        "pending": True,
        "approved": False,
    }
    if getattr(requested_by, "is_authenticated", False):
        fields["requested_by"] = requested_by
    return save_audited(Leave(person=person), fields, action="staff.leave.request")


def decide_leave(
    leave: Leave, approve: bool, decided_by: Any, note: str = "", now: datetime | None = None
) -> Leave:
    """The head of the unit approves or rejects a pending request."""
    from django.utils import timezone

    if not leave.pending:
        raise ValidationError(_("This request has been decided already."))
    fields: dict[str, Any] = {
        "pending": False,
        "approved": bool(approve),
        "decided_at": now or timezone.now(),
        "decision_note": note,
        "approver": decided_by,
    }
    action = "staff.leave.approve" if approve else "staff.leave.reject"
    return save_audited(leave, fields, action=action)


# --- replacement demands (合同 六(二)1) ------------------------------------------

DEMAND_DAYS = 3


def demand_replacement(
    person: StaffMember,
    reason: str,
    demanded_by: Any,
    demanded_at: datetime | None = None,
) -> ReplacementDemand:
    """The bureau asks for `person` to be replaced; due 3 days (72 h) after the notice."""
    from datetime import timedelta

    from django.utils import timezone

    when = demanded_at or timezone.now()
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the person is to be replaced.")]})
    if ReplacementDemand.objects.filter(person=person, fulfilled_by__isnull=True).exists():
        raise ValidationError(_("A replacement of this person is already demanded."))
    fields = {
        "contract": person.contract,
        "person": person,
        "demanded_at": when,
        "due": when + timedelta(days=DEMAND_DAYS),
        "reason": reason,
        "demanded_by": demanded_by if getattr(demanded_by, "is_authenticated", False) else None,
    }
    return save_audited(ReplacementDemand(), fields, action="staff.replacement.demand")


def _fulfil_demands(rep: Replacement) -> None:
    """A replacement of a person whose replacement was demanded fulfils the demand."""
    for demand in ReplacementDemand.objects.filter(
        person_id=rep.person_out_id, fulfilled_by__isnull=True
    ):
        save_audited(demand, {"fulfilled_by": rep}, action="staff.replacement.demand.fulfil")
