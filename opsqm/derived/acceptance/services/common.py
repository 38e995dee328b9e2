"""What the acceptance steps share: the role check, the author, the clock, the
vendor's own contract and the file's event."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.models import AcceptanceEvent, AcceptanceFile
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import Role


def _need(user: User, *roles: str) -> None:
    if getattr(user, "role", None) not in roles:
        raise ValidationError(_("Your role cannot take this step."))


def _actor(user: User | None) -> User | None:
    return user if getattr(user, "is_authenticated", False) else None


def now() -> datetime.datetime:
    """The steps' clock.  Every step reads the time here (`common.now()`, never a
    copy imported by name), so the demo can play a story by patching this one function."""
    return timezone.now()


def _contract_of_vendor(user: User, contract: Contract) -> None:
    if getattr(user, "role", None) in (Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER) and (
        contract.vendor_id != user.vendor_id
    ):
        raise ValidationError(_("This contract is not your company's."))


def _file_event(file: AcceptanceFile, user: User, action: str, comments: str = "") -> None:
    AcceptanceEvent.objects.create(
        file=file,
        action=action,
        at=now(),
        by=_actor(user),
        role=str(getattr(user, "role", "") or ""),
        comments=comments,
    )
