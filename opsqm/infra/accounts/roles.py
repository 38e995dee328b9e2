"""The roles now live in `opsqm.infra.core.roles` (below every app that asks about
them); this name stays for imports not yet moved."""

from opsqm.infra.core.roles import ADMIN_ROLES, BUREAU_ROLES, VENDOR_ROLES, Role

__all__ = ["ADMIN_ROLES", "BUREAU_ROLES", "VENDOR_ROLES", "Role"]
