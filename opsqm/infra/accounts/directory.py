"""Sign-in through the bureau's directory (LDAP / Active Directory), on
django-auth-ldap.

django-auth-ldap finds the person's entry (bound as OPSQM_LDAP_BIND_DN), proves the
password by binding as the entry, and reads its attributes and groups; OpsQM's own
rules (one role, unit/vendor, creation, deactivation) are identity.sign_in's.
`sync_accounts` (the worker, hourly, and `manage.py directory_sync`) asks the
directory about every directory account so that a person removed or disabled
there loses OpsQM too, without waiting for a sign-in that will never come.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django_auth_ldap.backend import LDAPBackend, ldap_error

from opsqm.infra.accounts import identity
from opsqm.infra.accounts.models import Source, User

# Active Directory's userAccountControl flag ACCOUNTDISABLE.
AD_ACCOUNT_DISABLED = 0x2


def _first(attrs: Any, name: str) -> str:
    if not name or not attrs:
        return ""
    values = attrs.get(name) or attrs.get(name.lower()) or []
    return str(values[0]).strip() if values else ""


def _disabled(attrs: Any, groups: set[str], disabled_group: str) -> bool:
    """Whether the directory says the person may no longer sign in: a member of the
    configured "disabled" group, AD's ACCOUNTDISABLE flag, or an OpenLDAP
    password-policy lock."""
    if disabled_group and disabled_group.strip().lower() in groups:
        return True
    uac = _first(attrs, "userAccountControl")
    if uac.isdigit() and int(uac) & AD_ACCOUNT_DISABLED:
        return True
    return bool(_first(attrs, "pwdAccountLockedTime"))


def profile_of(ldap_user: Any, username: str) -> identity.Profile:
    """What the directory entry says, as identity.sign_in wants it."""
    conf = settings.OPSQM_LDAP
    attrs = ldap_user.attrs
    groups = {g.lower() for g in ldap_user.group_dns}
    names = conf["attrs"]
    return identity.Profile(
        source=Source.LDAP,
        username=username,
        external_id=str(ldap_user.dn or ""),
        groups=frozenset(groups),
        full_name=_first(attrs, names["full_name"]),
        phone=_first(attrs, names["phone"]),
        email=_first(attrs, names["email"]),
        unit=_first(attrs, names["unit"]),
        vendor=_first(attrs, names["vendor"]),
        disabled=_disabled(attrs, groups, conf["disabled_group"]),
    )


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap with OpsQM's account rules.  `refusal` keeps the reason of
    the last refused person (for sync_accounts)."""

    refusal: str = ""

    def ldap_to_django_username(self, username: str) -> str:
        # Directory names are case-insensitive; OpsQM's usernames are not.
        return username.strip().lower()

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        # A local account (the three administrators' above all) never asks the
        # directory: it signs in with its local password even while the directory
        # is down, and no directory entry of the same name can stand in for it.
        if (
            username
            and User.objects.filter(username__iexact=username.strip(), source=Source.LOCAL).exists()
        ):
            return None
        return super().authenticate(request, username=username, password=password, **kw)

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        """Called once the directory has proven the password (or, for a sync, has
        found the entry)."""
        try:
            user = identity.sign_in(profile_of(ldap_user, username), _role_groups())
        except identity.Refused as exc:
            self.refusal = exc.reason
            request = getattr(ldap_user, "_request", None)
            if request is not None and hasattr(request, "_messages"):
                messages.error(request, exc.message)
            raise ldap_user.AuthenticationFailed(exc.reason) from exc
        return user, False

    def get_user(self, user_id: int) -> Any:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _role_groups() -> list[tuple[str, str]]:
    return list(settings.OPSQM_LDAP["role_groups"])


@dataclass
class SyncReport:
    checked: int = 0
    deactivated: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    error: str = ""


def sync_accounts() -> SyncReport:
    """Ask the directory about every active directory account: one gone from the
    directory or disabled there is deactivated; one whose groups now give no role or
    two is cut off (sessions ended) until the groups are mended; the others follow
    the directory's role and particulars.  A directory error stops the run before
    anyone is deactivated for it."""
    report = SyncReport()
    if not getattr(settings, "OPSQM_LDAP_ENABLED", False):
        report.error = "no directory configured (OPSQM_LDAP_URI)"
        return report
    errors: list[str] = []

    def on_error(sender: Any, context: str, exception: Exception, **kw: Any) -> None:
        errors.append(f"{context}: {exception}")

    ldap_error.connect(on_error, dispatch_uid="opsqm_directory_sync")
    try:
        for user in User.objects.filter(source=Source.LDAP, is_active=True).order_by("pk"):
            backend = DirectoryBackend()
            found = backend.populate_user(user.username)
            if errors:
                report.error = errors[0]
                break
            report.checked += 1
            user.refresh_from_db()
            if backend.refusal:
                report.refused[user.username] = backend.refusal
                if not user.is_active:
                    report.deactivated.append(user.username)
            elif found is None:
                identity.retire(user, "no longer in the directory")
                report.deactivated.append(user.username)
    finally:
        ldap_error.disconnect(dispatch_uid="opsqm_directory_sync")
    return report
