"""The roles of OpsQM.  An account holds exactly one (等保 2.0 三员分立)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ASSESSOR = "assessor", _("IT department (assessor)")
    SERVICE_DESK = "service_desk", _("Service desk")
    VENDOR_MANAGER = "vendor_manager", _("Vendor manager")
    VENDOR_ENGINEER = "vendor_engineer", _("Vendor engineer")
    RECIPIENT = "recipient", _("Service recipient")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


VENDOR_ROLES = frozenset({Role.VENDOR_MANAGER, Role.VENDOR_ENGINEER})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Bureau-side roles that see every contract's business data.
BUREAU_ROLES = frozenset({Role.ASSESSOR, Role.SERVICE_DESK, Role.SUPERVISOR})
