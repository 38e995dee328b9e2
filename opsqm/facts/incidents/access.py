"""Who sees and does what on the incident, evaluation, praise, rectification and
delivery pages (on top of `opsqm.infra.core.access`: scope by `visible_contracts`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from opsqm.facts.contracts.access import visible_contracts
from opsqm.infra.accounts.models import User
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import VENDOR_ROLES, Role

# Read the registers: the bureau roles and the vendor's own (scoped).
READERS = (
    Role.ASSESSOR,
    Role.SERVICE_DESK,
    Role.SUPERVISOR,
    Role.VENDOR_MANAGER,
    Role.VENDOR_ENGINEER,
)
BUREAU = (Role.ASSESSOR, Role.SERVICE_DESK, Role.SUPERVISOR)
VENDOR = (Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER)
# The vendor's side of 第十四条 (steps 一–四, the report, the evidence) and the
# answer to a rectification notice.
VENDOR_SIDE = (Role.ASSESSOR, *VENDOR)
# The praise register: its readers, and the units that apply for their own praise.
PRAISE_READERS = (*READERS, Role.RECIPIENT)


def scoped(user: User | AnonymousUser, qs: QuerySet[Any]) -> QuerySet[Any]:
    """`qs` (of objects with a `contract`) limited to the user's contracts."""
    return qs.filter(contract__in=visible_contracts(user))


def scoped_object(user: User | AnonymousUser, qs: QuerySet[Any], pk: Any, *roles: str) -> Any:
    """403 for a role without business, 404 for an object outside the scope."""
    require_role(user, *(roles or READERS))
    return get_object_or_404(scoped(user, qs), pk=pk)


def contract_param(user: User | AnonymousUser, pk: Any) -> Any:
    """`?contract=` in the user's scope (404 otherwise)."""
    return get_object_or_404(visible_contracts(user), pk=pk or 0)


def praise_levels_for(user: User | AnonymousUser) -> tuple[str, ...]:
    """第二十条: the levels `user` may apply for — a service unit's praise by the unit
    itself (its recipient account), a leader's praise by the vendor."""
    role = getattr(user, "role", None)
    if role == Role.RECIPIENT and getattr(user, "unit_id", None):
        return ("service_unit",)
    if role in VENDOR_ROLES:
        return ("main_leader", "leader_in_charge")
    return ()
