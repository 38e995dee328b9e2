"""The roles of OpsQM.  An account holds exactly one (等保 2.0 三员分立)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


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


class Account(Protocol):
    """What core reads of a logged-in user.  The accounts app's User model stands
    above core, so core names it by its shape; mypy checks every User passed to
    core against it."""

    @property
    def pk(self) -> int: ...
    @property
    def is_authenticated(self) -> Literal[True]: ...
    @property
    def role(self) -> str: ...
    @property
    def vendor_id(self) -> int | None: ...
    @property
    def unit_id(self) -> int | None: ...


# Who a request is from: an account, or nobody logged in.
Visitor: TypeAlias = "Account | AnonymousUser"
