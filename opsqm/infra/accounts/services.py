"""Every change to an account goes through these functions; pages and the API
call them alike.  Each checks who may do it (三员 separation), validates, writes
and appends its audit record in one transaction.

`actor` is the user acting; None means the system itself (console commands,
demo data), which may do everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.infra.accounts.models import Source, User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import ADMIN_ROLES, VENDOR_ROLES, Role

_UNSET: Any = object()


def snapshot(user: User) -> dict[str, Any]:
    """The audited view of an account (never the password)."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "vendor": user.vendor_id,
        "unit": user.unit_id,
        "is_active": user.is_active,
    }


def _require(actor: Any, *roles: str) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or actor.role not in roles:
        raise PermissionDenied(_("Your role may not do this."))


def _not_self(actor: Any, user: User, message: str) -> None:
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(message)


def _scope(role: str, vendor: Any, unit: Any) -> tuple[Any, Any]:
    """The vendor and unit an account of `role` must (and may only) have."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role.")
    if role in VENDOR_ROLES:
        if vendor is None:
            errors["vendor"] = _("A vendor account needs its vendor.")
    else:
        vendor = None
    if role == Role.RECIPIENT:
        if unit is None:
            errors["unit"] = _("A service recipient needs a unit.")
    else:
        unit = None
    if errors:
        raise ValidationError(errors)
    return vendor, unit


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _keep_one_admin(user: User, losing_role: str) -> None:
    """Refuse to leave a 三员 role without any active account."""
    if losing_role not in ADMIN_ROLES:
        return
    others = User.objects.filter(role=losing_role, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationError(
            {"role": _("This is the last active account of its administrator role.")}
        )


def create_user(
    actor: Any,
    *,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    vendor: Any = None,
    unit: Any = None,
) -> User:
    """The system administrator opens an account.  Its user must change the
    initial password at the first login."""
    _require(actor, Role.SYSTEM_ADMIN)
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("This field is required.")]
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            errors["username"] = exc.messages
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("An account with this username already exists.")]
    if errors:
        raise ValidationError(errors)
    vendor, unit = _scope(role, vendor, unit)
    user = User(
        username=username,
        role=role,
        full_name=full_name.strip(),
        phone=phone.strip(),
        vendor=vendor,
        unit=unit,
        must_change_password=True,
    )
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        log_action(
            "account.create",
            obj=user,
            actor=actor,
            summary=f"account {user.username} ({user.role}) created",
            after=snapshot(user),
        )
    return user


class AdminExists(Exception):
    """`opsqm createadmin` when a system administrator is already there."""


def create_first_admin(*, username: str, password: str, full_name: str = "") -> User:
    """The first 系统管理员 of a new installation (`opsqm createadmin`), who chose the
    password (so no change is forced at the first login).  Refused once any system
    administrator account exists: later accounts are opened by that administrator."""
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(role=Role.SYSTEM_ADMIN)
        names = list(existing.values_list("username", flat=True)[:3])
        if names:
            raise AdminExists(
                _("A system administrator already exists (%(names)s).")
                % {"names": ", ".join(names)}
            )
        user = create_user(
            None, username=username, password=password, role=Role.SYSTEM_ADMIN, full_name=full_name
        )
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
    return user


def update_user(
    actor: Any,
    user: User,
    *,
    full_name: str = _UNSET,
    phone: str = _UNSET,
    vendor: Any = _UNSET,
    unit: Any = _UNSET,
) -> User:
    """The system administrator edits an account's particulars (not its role)."""
    _require(actor, Role.SYSTEM_ADMIN)
    before = snapshot(user)
    if full_name is not _UNSET:
        user.full_name = (full_name or "").strip()
    if phone is not _UNSET:
        user.phone = (phone or "").strip()
    new_vendor = user.vendor if vendor is _UNSET else vendor
    new_unit = user.unit if unit is _UNSET else unit
    user.vendor, user.unit = _scope(user.role, new_vendor, new_unit)
    after = snapshot(user)
    if after == before:
        return user
    with transaction.atomic():
        user.save(update_fields=["full_name", "phone", "vendor", "unit"])
        log_action(
            "account.update",
            obj=user,
            actor=actor,
            summary=f"account {user.username} edited",
            before=before,
            after=after,
        )
    return user


def change_role(actor: Any, user: User, role: str, *, vendor: Any = None, unit: Any = None) -> User:
    """The security administrator changes an account's role: a permission change,
    audited with the account before and after.  Nobody changes their own role."""
    _require(actor, Role.SECURITY_ADMIN)
    _not_self(actor, user, _("Nobody may change their own role."))
    before = snapshot(user)
    vendor = user.vendor if vendor is None and role in VENDOR_ROLES else vendor
    unit = user.unit if unit is None and role == Role.RECIPIENT else unit
    vendor, unit = _scope(role, vendor, unit)
    if role != user.role:
        _keep_one_admin(user, user.role)
    user.role, user.vendor, user.unit = role, vendor, unit
    after = snapshot(user)
    if after == before:
        return user
    with transaction.atomic():
        user.save(update_fields=["role", "vendor", "unit"])
        log_action(
            "account.role_change",
            obj=user,
            actor=actor,
            summary=f"role of {user.username}: {before['role']} → {after['role']}",
            before=before,
            after=after,
        )
    return user


def cut_off(user: User) -> int:
    """End every session of the account and revoke its API token(s); the number of
    tokens revoked.  Call inside the transaction of the change that asks for it."""
    from django.db.models import F
    from rest_framework.authtoken.models import Token

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return int(Token.objects.filter(user=user).delete()[0])


def _set_active(actor: Any, user: User, active: bool, why: str = "") -> User:
    """Open or close an account, audited; a closed account loses its sessions and
    API token."""
    verb = "reactivate" if active else "deactivate"
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            cut_off(user)
        log_action(
            f"account.{verb}",
            obj=user,
            actor=actor,
            summary=f"account {user.username} {verb}d" + (f": {why}" if why else ""),
            before={"is_active": not active},
            after={"is_active": active},
        )
    return user


def deactivate_by_system(user: User, why: str) -> User:
    """OpsQM itself closes an account (its directory says the person is gone)."""
    if not user.is_active:
        return user
    return _set_active(None, user, False, why)


def deactivate_user(actor: Any, user: User) -> User:
    """The system administrator closes an account (never deleted: the audit log
    and the records it made keep pointing at it).  Its API token goes too."""
    _require(actor, Role.SYSTEM_ADMIN)
    _not_self(actor, user, _("You cannot deactivate your own account."))
    if not user.is_active:
        return user
    _keep_one_admin(user, user.role)
    return _set_active(actor, user, False)


def reactivate_user(actor: Any, user: User) -> User:
    _require(actor, Role.SYSTEM_ADMIN)
    if user.is_active:
        return user
    return _set_active(actor, user, True)


def locked_usernames() -> set[str]:
    """Usernames locked by django-axes (failed logins at or over the limit)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum

    rows = (
        AccessAttempt.objects.values("username")
        .annotate(n=Sum("failures_since_start"))
        .filter(n__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {r["username"] for r in rows if r["username"]}


def is_locked(user: User) -> bool:
    return user.username in locked_usernames()


def unlock_user(actor: Any, user: User) -> int:
    """The security administrator clears an account's failed logins (django-axes)."""
    _require(actor, Role.SECURITY_ADMIN)
    from axes.utils import reset

    with transaction.atomic():
        count = reset(username=user.username)
        log_action(
            "account.unlock",
            obj=user,
            actor=actor,
            summary=f"account {user.username} unlocked ({count} failed-login records cleared)",
            after={"cleared_attempts": count},
        )
    return count


def _store_password(
    user: User,
    password: str,
    *,
    must_change: bool,
    action: str,
    actor: Any,
    summary: str,
    cut: bool = False,
) -> User:
    """Set a checked password and whether it must be changed at the next login, audited;
    `cut`: also end every session and revoke the API token (an administrator's reset)."""
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = must_change
        user.save(update_fields=["password", "must_change_password"])
        revoked = cut_off(user) if cut else 0
        log_action(
            action,
            obj=user,
            actor=actor,
            summary=summary,
            after={"sessions_ended": True, "tokens_revoked": revoked} if cut else None,
        )
    return user


def _local_password(user: User, field: str) -> None:
    """Directory and single sign-on accounts have no OpsQM password to set."""
    if user.source != Source.LOCAL:
        raise ValidationError(
            {
                field: [
                    _(
                        "This account signs in through the bureau's directory; "
                        "its password is set there."
                    )
                ]
            }
        )


def reset_password(actor: Any, user: User, password: str) -> User:
    """The security administrator sets a new password; the user must change it
    at the next login."""
    _require(actor, Role.SECURITY_ADMIN)
    _not_self(actor, user, _("Change your own password on your password page."))
    _local_password(user, "password")
    _check_password(password, user)
    return _store_password(
        user,
        password,
        must_change=True,
        action="account.password_reset",
        actor=actor,
        summary=f"password of {user.username} reset by an administrator",
        cut=True,
    )


def _count_failure(user: User) -> None:
    """A wrong current password is a failed login (django-axes counts it toward the
    lockout, the audit log records it): otherwise the password form of a stolen session
    would let anyone guess the password without limit."""
    from django.contrib.auth.signals import user_login_failed

    from opsqm.infra.core.request_context import current

    context = current.get()
    request = getattr(context, "request", None) if context is not None else None
    if request is None:
        return  # not a web or API request (a console command): nothing to lock out
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )


def set_password(user: User, old_password: str, new_password: str) -> User:
    """A user changes their own password (the old one is asked again)."""
    _local_password(user, "old_password")
    if not user.check_password(old_password or ""):
        _count_failure(user)
        raise ValidationError({"old_password": [_("The current password is not correct.")]})
    if old_password == new_password:
        raise ValidationError(
            {"password": [_("The new password must differ from the current one.")]}
        )
    _check_password(new_password, user)
    return _store_password(
        user,
        new_password,
        must_change=False,
        action="account.password_change",
        actor=user,
        summary=f"{user.username} changed their password",
    )


def create_token(user: User) -> Any:
    """A new API token for the user (replacing any previous one)."""
    from rest_framework.authtoken.models import Token

    if not user.is_active:
        raise PermissionDenied(_("Inactive accounts have no API token."))
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
        log_action(
            "api_token.create",
            obj=user,
            actor=user,
            summary=f"API token of {user.username} {'replaced' if replaced else 'created'}",
            after={"token_prefix": token.key[:6]},
        )
    return token


def revoke_token(user: User) -> bool:
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        deleted = Token.objects.filter(user=user).delete()[0] > 0
        if deleted:
            log_action(
                "api_token.revoke",
                obj=user,
                actor=user,
                summary=f"API token of {user.username} revoked",
            )
    return deleted
