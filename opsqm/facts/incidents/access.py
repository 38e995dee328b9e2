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
from opsqm.infra.core.roles import Role

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
