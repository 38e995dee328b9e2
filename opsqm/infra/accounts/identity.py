"""Accounts whose identity the bureau's directory (LDAP/AD) or single sign-on
platform (OIDC) proves.  Both backends (directory.py, oidc.py) turn what the
directory says about a person into a `Profile` and hand it to `sign_in`, which
applies OpsQM's rules the same way for both:

- one account, one role: the person's groups must map to exactly one role; two
  roles are refused (never both, never a pick) and the security administrator is
  told (an audit record `directory.refused`, listed on the accounts page);
- the unit (service recipients) or vendor (vendor staff) comes from an attribute
  or claim, through the mapping table of the settings, else by its own name;
- the account is made at the first sign-in and follows the directory at each
  later one (role, particulars); the directory saying "disabled" deactivates it;
- an account of another source (a local one, above all the three administrators')
  is never taken over by a directory entry of the same name.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import Source, User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import ADMIN_ROLES, VENDOR_ROLES, Role

REFUSED = "directory.refused"  # the action of _refuse's records


@dataclass(frozen=True)
class Profile:
    """What the directory says about a person at sign-in."""

    source: str  # Source.LDAP or Source.OIDC
    username: str
    external_id: str  # the entry's DN, the OIDC subject
    groups: frozenset[str] = frozenset()
    full_name: str = ""
    phone: str = ""
    email: str = ""
    unit: str = ""  # the attribute's / claim's value, before the mapping table
    vendor: str = ""
    disabled: bool = False


class Refused(Exception):
    """A sign-in OpsQM refuses; `message` is shown to the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def gettext_missing_identity() -> str:
    return _("The sign-on platform did not say who you are (no username or subject).")


def roles_of(groups: Iterable[str], role_groups: Iterable[tuple[str, str]]) -> set[str]:
    """The roles that `groups` give; group names compare without regard to case
    (LDAP DNs and most platforms' group names are case-insensitive)."""
    have = {g.strip().lower() for g in groups}
    return {role for role, group in role_groups if group.strip().lower() in have}


def _refuse(profile: Profile, reason: str, message: str, **details: Any) -> Refused:
    """Record a refused sign-in for the security administrator; the exception to raise."""
    log_action(
        "directory.refused",
        object_type="accounts.user",
        object_id=profile.username[:64],
        actor=None,
        summary=f"{profile.source} sign-in of {profile.username!r} refused: {reason}",
        after={"username": profile.username, "source": profile.source, "reason": reason, **details},
    )
    return Refused(reason, message)


def _lookup(model: Any, kind: str, value: str) -> Any:
    """The unit or vendor named by a directory value (the mapping table first)."""
    if not value:
        return None
    table: dict[str, str] = getattr(settings, "OPSQM_DIRECTORY_MAPS", {}).get(kind, {})
    name = table.get(value, value)
    return model.objects.filter(name=name).first()


def _scope(profile: Profile, role: str) -> tuple[Any, Any]:
    # Read through the foreign keys: the vendors and units are registers of the
    # contracts app, which stands above accounts.
    Vendor = User._meta.get_field("vendor").related_model
    Unit = User._meta.get_field("unit").related_model
    vendor = unit = None
    if role in VENDOR_ROLES:
        vendor = _lookup(Vendor, "vendor", profile.vendor)
        if vendor is None:
            raise _refuse(
                profile,
                "no_vendor",
                _("The directory names no vendor known to OpsQM for your account."),
                vendor=profile.vendor,
            )
    if role == Role.RECIPIENT:
        unit = _lookup(Unit, "unit", profile.unit)
        if unit is None:
            raise _refuse(
                profile,
                "no_unit",
                _("The directory names no unit known to OpsQM for your account."),
                unit=profile.unit,
            )
    return vendor, unit


def _one_role(profile: Profile, role_groups: Iterable[tuple[str, str]]) -> str:
    roles = roles_of(profile.groups, role_groups)
    if not roles:
        raise _refuse(
            profile,
            "no_role",
            _("Your directory groups give you no role in OpsQM. Ask the security administrator."),
        )
    if len(roles) > 1:
        raise _refuse(
            profile,
            "role_conflict",
            _(
                "Your directory groups give you more than one role in OpsQM, and an account "
                "has exactly one. The security administrator has been told."
            ),
            roles=sorted(roles),
        )
    role = roles.pop()
    # The settings refuse such a mapping; this guards a mapping made some other way.
    if role in ADMIN_ROLES:
        raise _refuse(profile, "admin_role", _("Administrator accounts are local accounts."))
    return role


def _existing(profile: Profile) -> User | None:
    user = User.objects.filter(username__iexact=profile.username).first()
    if user is None:
        return None
    if user.source != profile.source:
        raise _refuse(
            profile,
            "name_taken",
            _("An OpsQM account of another kind already has this username."),
            account_source=user.source,
        )
    if profile.source == Source.OIDC and user.external_id != profile.external_id:
        # The platform reused a username for another person (another subject).
        raise _refuse(
            profile,
            "subject_changed",
            _("This username belongs to another person of the sign-on platform."),
        )
    return user


def sign_in(profile: Profile, role_groups: Iterable[tuple[str, str]]) -> User:
    """The OpsQM account of a person the directory has just authenticated: made
    at the first sign-in, brought up to date at each later one.  Raises Refused."""
    user = _existing(profile)
    if profile.disabled:
        if user is not None and user.is_active:
            retire(user, "disabled in the directory")
        raise _refuse(profile, "disabled", _("Your directory account is disabled."))
    if user is not None and not user.is_active:
        raise _refuse(
            profile,
            "inactive",
            _("Your OpsQM account is deactivated. Ask the system administrator."),
        )
    try:
        role = _one_role(profile, role_groups)
        vendor, unit = _scope(profile, role)
    except Refused:
        if user is not None:
            # Whatever it held before, the account may not go on with it: its
            # sessions end now; the next sign-in after the groups are mended works.
            services.cut_off(user)
        raise
    if user is None:
        return _create(profile, role, vendor, unit)
    return _update(user, profile, role, vendor, unit)


def _particulars(profile: Profile) -> dict[str, str]:
    return {
        "full_name": profile.full_name.strip()[:64],
        "phone": profile.phone.strip()[:32],
        "email": profile.email.strip()[:254],
        "external_id": profile.external_id[:255],
    }


def _create(profile: Profile, role: str, vendor: Any, unit: Any) -> User:
    user = User(
        username=profile.username[:150],
        role=role,
        vendor=vendor,
        unit=unit,
        source=profile.source,
        **_particulars(profile),
    )
    user.set_unusable_password()
    with transaction.atomic():
        user.save()
        log_action(
            "account.create",
            obj=user,
            actor=None,
            summary=f"account {user.username} ({role}) created at its first {profile.source} "
            "sign-in",
            after={**services.snapshot(user), "source": user.source},
        )
    return user


def _state(user: User) -> dict[str, Any]:
    return {**services.snapshot(user), "email": user.email, "external_id": user.external_id}


def _update(user: User, profile: Profile, role: str, vendor: Any, unit: Any) -> User:
    """Follow the directory: particulars, and the role and scope its groups give."""
    before = _state(user)
    for name, value in _particulars(profile).items():
        setattr(user, name, value)
    role_changed = role != user.role
    user.role, user.vendor, user.unit = role, vendor, unit
    after = _state(user)
    if after == before:
        return user
    with transaction.atomic():
        user.save()
        log_action(
            "account.role_change" if role_changed else "account.update",
            obj=user,
            actor=None,
            summary=f"account {user.username} brought up to date from the {profile.source} "
            f"directory" + (f": role {before['role']} → {role}" if role_changed else ""),
            before=before,
            after=after,
        )
    return user


def retire(user: User, why: str) -> User:
    """Deactivate an account because its directory says so (ends its sessions,
    revokes its API token)."""
    return services.deactivate_by_system(user, why)


REASONS = {
    "role_conflict": gettext_lazy("groups give more than one role"),
    "no_role": gettext_lazy("groups give no role"),
    "no_unit": gettext_lazy("no known unit"),
    "no_vendor": gettext_lazy("no known vendor"),
    "disabled": gettext_lazy("disabled in the directory"),
    "inactive": gettext_lazy("account deactivated in OpsQM"),
    "name_taken": gettext_lazy("username taken by an account of another kind"),
    "subject_changed": gettext_lazy("username reused for another person"),
    "admin_role": gettext_lazy("administrator role"),
}


@dataclass(frozen=True)
class RefusalNotice:
    at: datetime.datetime
    username: str
    source: str
    reason: str
    roles: list[str]


def recent_refusals(days: int = 30, limit: int = 50) -> list[RefusalNotice]:
    """Refused directory sign-ins, newest first: the security administrator's notices."""
    from opsqm.infra.audit.models import AuditRecord

    since = timezone.now() - datetime.timedelta(days=days)
    records = AuditRecord.objects.filter(action=REFUSED, at__gte=since).order_by("-seq")
    out = []
    for r in records[:limit]:
        after = r.after or {}
        code = str(after.get("reason", ""))
        out.append(
            RefusalNotice(
                at=r.at,
                username=str(after.get("username", "")),
                source=str(after.get("source", "")),
                reason=str(REASONS.get(code, code)),
                roles=[
                    str(Role(x).label) if x in Role.values else x for x in after.get("roles", [])
                ],
            )
        )
    return out
