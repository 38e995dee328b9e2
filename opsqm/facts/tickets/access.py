"""Who sees and works which ticket (the policy of `opsqm.infra.core.access`, for tickets).

- service desk: creates, dispatches, closes — every ticket;
- assessor, supervisor: read every ticket;
- vendor manager / engineer: the tickets of their vendor's contracts, and work them;
- service recipient: the tickets of their own unit; signs, rates, agrees to extensions;
- the three administrators: no business data (403).
Out of scope → 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.core.access import in_scope, require_role
from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES, Role

DESK = frozenset({Role.SERVICE_DESK})
VENDOR = VENDOR_ROLES
RECIPIENT = frozenset({Role.RECIPIENT})
READERS = BUREAU_ROLES | VENDOR_ROLES | {Role.RECIPIENT}


def visible_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    return in_scope(user, Ticket.objects.all(), vendor="contract__vendor_id", unit="unit_id")


def require(user: User | AnonymousUser, roles: frozenset[str]) -> None:
    """403 unless the user holds one of `roles`."""
    require_role(user, *roles)


def is_desk(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.role == Role.SERVICE_DESK)


def is_vendor(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.role in VENDOR_ROLES)


def is_recipient(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.role == Role.RECIPIENT)
