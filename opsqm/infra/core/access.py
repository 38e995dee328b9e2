"""Who may see and do what: the one place pages and the API ask.

Designed answers: a role that never uses a page gets 403; an object outside the
user's scope (another vendor's contract, another unit's ticket) gets 404, so that
its existence does not leak.  The three administrators (三员) see no business data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from opsqm.infra.core.roles import ADMIN_ROLES, BUREAU_ROLES, VENDOR_ROLES, Role, Visitor

M = TypeVar("M", bound=Model)


def require_role(user: Visitor, *roles: str) -> None:
    """403 unless the user holds one of `roles`."""
    if not user.is_authenticated or user.role not in roles:
        raise PermissionDenied


def in_scope(user: Visitor, qs: QuerySet[M], *, vendor: str, unit: str) -> QuerySet[M]:
    """`qs` narrowed to the user's scope: everything for the bureau's roles, the rows
    whose `vendor` lookup is the user's vendor for vendor roles, those whose `unit`
    lookup is the user's unit for a recipient, nothing for the administrators."""
    if not user.is_authenticated or user.role in ADMIN_ROLES:
        return qs.none()
    if user.role in BUREAU_ROLES:
        return qs
    if user.role in VENDOR_ROLES:
        return qs.filter(**{vendor: user.vendor_id})
    if user.role == Role.RECIPIENT:
        return qs.filter(**{unit: user.unit_id})
    return qs.none()


def can_manage_registers(user: Visitor) -> bool:
    """Contracts, vendors, units: kept by the IT department (信息技术处)."""
    return bool(user.is_authenticated and user.role == Role.ASSESSOR)


# ---------------------------------------------------------------------------
# Accounts and audit (三员): who administers what.

ACCOUNT_VIEWERS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})


def can_view_accounts(user: Visitor) -> bool:
    """The account list: the system and the security administrator."""
    return bool(user.is_authenticated and user.role in ACCOUNT_VIEWERS)


def can_manage_accounts(user: Visitor) -> bool:
    """Open, edit, deactivate accounts: the system administrator (系统管理员)."""
    return bool(user.is_authenticated and user.role == Role.SYSTEM_ADMIN)


def can_manage_permissions(user: Visitor) -> bool:
    """Roles, unlocking, password resets: the security administrator (安全管理员)."""
    return bool(user.is_authenticated and user.role == Role.SECURITY_ADMIN)


def can_read_audit(user: Visitor) -> bool:
    """The audit log: the audit administrator (审计管理员) only."""
    return bool(user.is_authenticated and user.role == Role.AUDIT_ADMIN)


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: anonymous → login page, other roles → 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate
