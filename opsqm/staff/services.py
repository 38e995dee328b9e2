"""Vendor staff services (第五条–第七条).  Pages, the API and the demo call these."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.assessment.model import TZ
from opsqm.audit.services import log_action
from opsqm.contracts.models import Contract
from opsqm.contracts.servicekit import save_audited, snapshot
from opsqm.staff.models import EntryVerification, Leave, Punch, Replacement, StaffMember

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
    "dingtalk_user_id",
    "employee_no",
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


def _pick(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: data[k] for k in fields if k in data}


def register_staff(contract: Contract, data: Mapping[str, Any]) -> StaffMember:
    staff = StaffMember(contract=contract)
    return save_audited(staff, _pick(data, STAFF_FIELDS), action="staff.register")


def update_staff(staff: StaffMember, data: Mapping[str, Any]) -> StaffMember:
    return save_audited(staff, _pick(data, STAFF_FIELDS), action="staff.update")


def record_verification(
    staff: StaffMember, data: Mapping[str, Any], verified_by: Any = None
) -> EntryVerification:
    """第五条: the originals were checked.  One record per person; recording again
    corrects it."""
    fields = _pick(data, VERIFICATION_FIELDS)
    checked = [
        fields.get("id_card_checked"),
        fields.get("resume_checked"),
        fields.get("degree_or_certificate_checked"),
    ]
    if not all(checked):
        raise ValidationError(
            _("第五条 asks for the ID card, the résumé and a degree or professional certificate.")
        )
    try:
        ver = staff.verification
    except EntryVerification.DoesNotExist:
        ver = EntryVerification(staff=staff)
    if verified_by is not None and getattr(verified_by, "is_authenticated", False):
        fields["verified_by"] = verified_by
    return save_audited(ver, fields, action="staff.verify", summary=str(staff))


def _local_date(at: datetime) -> Any:
    return at.astimezone(TZ).date()


def register_replacement(contract: Contract, data: Mapping[str, Any]) -> Replacement:
    """第六条: person_out leaves at replaced_at, person_in takes over.  Sets the
    leaving person's `left_on` (the day of the replacement) if not set."""
    fields = _pick(data, REPLACEMENT_FIELDS)
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
    return rep


def update_replacement(rep: Replacement, data: Mapping[str, Any]) -> Replacement:
    fields = _pick(data, REPLACEMENT_FIELDS)
    for key in ("person_out", "person_in"):
        p = fields.get(key)
        if p is not None and p.contract_id != rep.contract_id:
            raise ValidationError({key: [_("Not a staff member of this contract.")]})
    return save_audited(rep, fields, action="staff.replace.update")


def record_punch(person: StaffMember, at: datetime, source: str = "manual") -> Punch:
    """One attendance punch; the same (person, instant) twice is one punch."""
    existing = Punch.objects.filter(person=person, at=at).first()
    if existing is not None:
        return existing
    return save_audited(Punch(person=person), {"at": at, "source": source}, action="staff.punch")


def record_punches(person: StaffMember, instants: list[datetime], source: str) -> int:
    """Many punches of one person at once (an attendance import): one audit record."""
    with transaction.atomic():
        have = set(
            Punch.objects.filter(person=person, at__in=instants).values_list("at", flat=True)
        )
        new = [Punch(person=person, at=at, source=source) for at in instants if at not in have]
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
    fields = _pick(data, LEAVE_FIELDS)
    if approver is not None:
        fields["approver"] = approver
    leave = Leave(person=person)
    return save_audited(leave, fields, action="staff.leave")


def staff_snapshot(staff: StaffMember) -> dict[str, Any]:
    return snapshot(staff)
