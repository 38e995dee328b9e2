"""Confirming a makeup punch (补卡, spec §3).

The vendor runs DingTalk and compiles its results itself (第七条一), so a punch added
afterwards by a DingTalk approval is the vendor's word until the bureau confirms it:
the IT department (assessor), or the head of a unit the contract serves.  Until then
the engine does not count it.  Confirming and withdrawing are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.attendance.services import heads_units
from opsqm.facts.staff.models import Punch, PunchKind
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role


def may_confirm(user: Any, punch: Punch) -> bool:
    """The assessor, or a head of a unit that the punch's contract serves."""
    if not user.is_authenticated or punch.kind != PunchKind.MAKEUP:
        return False
    if user.role == Role.ASSESSOR:
        return True
    units = heads_units(user)  # the same heads who decide the unit's leave
    return bool(units) and punch.person.contract.units.filter(pk__in=units).exists()


def confirm_makeup_punch(punch: Punch, user: Any, *, confirmed: bool = True) -> Punch:
    """Confirm a makeup punch (it then counts for P3/P4), or withdraw the confirmation."""
    if punch.kind != PunchKind.MAKEUP:
        raise ValidationError(_("Only a makeup punch (补卡) needs the bureau's confirmation."))
    if not may_confirm(user, punch):
        raise PermissionDenied(
            _("Only the IT department or the unit's head confirms a makeup punch.")
        )
    with transaction.atomic():
        locked = Punch.objects.select_for_update().get(pk=punch.pk)
        if locked.confirmed == confirmed:
            raise ValidationError(
                _("This makeup punch is already confirmed.")
                if confirmed
                else _("This makeup punch is not confirmed.")
            )
        before = {"confirmed": locked.confirmed}
        locked.confirmed = confirmed
        locked.confirmed_by = user if confirmed else None
        locked.confirmed_at = timezone.now() if confirmed else None
        locked.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])
        log_action(
            "attendance.makeup.confirm" if confirmed else "attendance.makeup.withdraw",
            obj=locked,
            summary=f"{locked}",
            before=before,
            after={"confirmed": confirmed},
            actor=user,
        )
    return locked
