"""API permission classes.  They ask opsqm.infra.core.access, as the pages do, so a
page and its endpoint give the same answer (403 for a role without business
there; objects outside the user's scope are filtered out of the queryset → 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import BasePermission

from opsqm.infra.core import access


def allow_if(check: Callable[[Any], bool], name: str | None = None) -> type[BasePermission]:
    """A permission class from an access predicate `check(user) -> bool`."""

    def has_permission(self: BasePermission, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and check(request.user))

    cls_name = name or f"Allow_{getattr(check, '__name__', 'check')}"
    return type(cls_name, (BasePermission,), {"has_permission": has_permission})


def has_role(*roles: str) -> type[BasePermission]:
    """A permission class that admits the given roles only."""
    wanted = frozenset(str(r) for r in roles)
    return allow_if(lambda user: user.role in wanted, "HasRole_" + "_".join(sorted(wanted)))


CanViewAccounts = allow_if(access.can_view_accounts, "CanViewAccounts")
CanManageAccounts = allow_if(access.can_manage_accounts, "CanManageAccounts")
CanManagePermissions = allow_if(access.can_manage_permissions, "CanManagePermissions")
CanReadAudit = allow_if(access.can_read_audit, "CanReadAudit")
CanManageRegisters = allow_if(access.can_manage_registers, "CanManageRegisters")


def _as_list(chosen: Any) -> list[type[BasePermission]]:
    if chosen is None:
        return []
    return list(chosen) if isinstance(chosen, list | tuple) else [chosen]


class ActionPermissions(BasePermission):
    """Per-action permission for a ViewSet: the view's `action_permissions` maps
    an action name to a permission class ("*" = the default)."""

    def _classes(self, view: Any) -> list[type[BasePermission]]:
        table: dict[str, Any] = getattr(view, "action_permissions", {})
        chosen = table.get(getattr(view, "action", None) or "", table.get("*"))
        return _as_list(chosen)

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "action", None) is None:
            # A method the route does not take: 405 for a user who may use the
            # route's actions, 403 for the others (as the pages answer).
            actions = set((getattr(view, "action_map", None) or {}).values())
            table: dict[str, Any] = getattr(view, "action_permissions", {})
            checks = [table.get(a, table.get("*")) for a in actions] or [None]
            if any(c is None for c in checks):
                return bool(request.user and request.user.is_authenticated)
            return any(
                all(cls().has_permission(request, view) for cls in _as_list(c)) for c in checks
            )
        classes = self._classes(view)
        if not classes:
            return False  # an action nobody listed: closed
        return all(cls().has_permission(request, view) for cls in classes)
