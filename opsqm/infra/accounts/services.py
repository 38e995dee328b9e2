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

from opsqm.infra.accounts.models import AdminRequest, ApiToken, Source, User
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


def _ask(actor: Any, kind: str, user: User, payload: dict[str, Any]) -> AdminRequest:
    """The two-person rule: instead of the change, a pending request that a second,
    different administrator approves (opsqm.infra.accounts.approvals applies it)."""
    target = user if user.pk else None
    pending = AdminRequest.objects.filter(
        state=AdminRequest.State.PENDING, username__iexact=user.username
    )
    if pending.exists():
        raise ValidationError(
            {"username": [_("A request about this account is already waiting for approval.")]}
        )
    with transaction.atomic():
        request = AdminRequest.objects.create(
            kind=kind,
            target=target,
            username=user.username,
            role=user.role,
            payload=payload,
            requested_by=actor,
        )
        log_action(
            "account.request",
            obj=request,
            actor=actor,
            summary=f"{kind} of administrator account {user.username} ({user.role}) asked",
            after={"kind": kind, "username": user.username, "role": user.role},
        )
    return request


def save_new_user(actor: Any, user: User) -> User:
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
) -> Any:
    """The system administrator opens an account (the User).  Its user must change the
    initial password at the first login.  An administrator account is only asked for
    (the AdminRequest): a second administrator approves it."""
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
    if actor is not None and role in ADMIN_ROLES:
        payload = {"full_name": user.full_name, "phone": user.phone, "password": user.password}
        return _ask(actor, AdminRequest.Kind.CREATE, user, payload)
    return save_new_user(actor, user)


class AdminExists(Exception):
    """`opsqm createadmin` when a system administrator is already there."""


def create_first_admin(
    *, username: str, password: str, full_name: str = "", role: str = Role.SYSTEM_ADMIN
) -> User:
    """The first 系统管理员 (or 安全/审计管理员) of a new installation (`opsqm createadmin
    [--role …]`), who chose the password (so no change is forced at the first login).
    Refused once an account of that role exists: later administrator accounts need a
    second administrator's approval (the two-person rule), which the first of each of
    the three roles cannot yet have."""
    if role not in ADMIN_ROLES:
        raise ValidationError({"role": [_("Not an administrator role.")]})
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(role=role)
        names = list(existing.values_list("username", flat=True)[:3])
        if names:
            raise AdminExists(
                _("An administrator of this role already exists (%(names)s).")
                % {"names": ", ".join(names)}
            )
        user: User = create_user(
            None, username=username, password=password, role=role, full_name=full_name
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


def change_role(actor: Any, user: User, role: str, *, vendor: Any = None, unit: Any = None) -> Any:
    """The security administrator changes an account's role: a permission change,
    audited with the account before and after.  Nobody changes their own role.  A move
    into an administrator role is only asked for (the AdminRequest)."""
    _require(actor, Role.SECURITY_ADMIN)
    _not_self(actor, user, _("Nobody may change their own role."))
    vendor = user.vendor if vendor is None and role in VENDOR_ROLES else vendor
    unit = user.unit if unit is None and role == Role.RECIPIENT else unit
    vendor, unit = _scope(role, vendor, unit)
    if role != user.role:
        _keep_one_admin(user, user.role)
    if actor is not None and role in ADMIN_ROLES and role != user.role:
        asked = User(username=user.username, role=role, pk=user.pk)
        return _ask(actor, AdminRequest.Kind.ROLE, asked, {})
    return apply_role(actor, user, role, vendor, unit)


def apply_role(actor: Any, user: User, role: str, vendor: Any, unit: Any) -> User:
    before = snapshot(user)
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

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    return int(ApiToken.objects.filter(user=user).delete()[0])


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


def store_password(
    user: User,
    password: str,
    *,
    must_change: bool,
    action: str,
    actor: Any,
    summary: str,
    cut: bool = False,
    hashed: bool = False,
) -> User:
    """Set a checked password and whether it must be changed at the next login, audited;
    `cut`: also end every session and revoke the API token (an administrator's reset)."""
    with transaction.atomic():
        if hashed:  # an approved request's password travels as its hash
            user.password = password
        else:
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


def reset_password(actor: Any, user: User, password: str) -> Any:
    """The security administrator sets a new password; the user must change it
    at the next login.  An administrator's password is only asked for (the AdminRequest)."""
    _require(actor, Role.SECURITY_ADMIN)
    _not_self(actor, user, _("Change your own password on your password page."))
    _local_password(user, "password")
    _check_password(password, user)
    if actor is not None and user.role in ADMIN_ROLES:
        from django.contrib.auth.hashers import make_password

        asked = User(username=user.username, role=user.role, pk=user.pk)
        return _ask(actor, AdminRequest.Kind.RESET, asked, {"password": make_password(password)})
    return store_password(
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
    return store_password(
        user,
        new_password,
        must_change=False,
        action="account.password_change",
        actor=user,
        summary=f"{user.username} changed their password",
    )


def token_hash(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for the user and its secret (shown once; only its hash is
    kept).  It expires after OPSQM_API_TOKEN_DAYS; an account may hold several."""
    import secrets
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    if not user.is_active:
        raise PermissionDenied(_("Inactive accounts have no API token."))
    name = (name or "").strip()
    if len(name) > 64:
        raise ValidationError({"name": [_("At most 64 characters.")]})
    secret = secrets.token_hex(20)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_hash=token_hash(secret),
            prefix=secret[:6],
            name=name,
            expires=timezone.now() + timedelta(days=settings.OPSQM_API_TOKEN_DAYS),
        )
        log_action(
            "api_token.create",
            obj=user,
            actor=user,
            summary=f"API token {token.prefix}… of {user.username} created",
            after={"token_prefix": token.prefix, "expires": token.expires.isoformat()},
        )
    return token, secret


def revoke_token(user: User, token_id: int) -> bool:
    """The account revokes one of its own tokens (another's is not found)."""
    with transaction.atomic():
        token = ApiToken.objects.filter(user=user, pk=token_id).first()
        if token is None:
            return False
        token.delete()
        log_action(
            "api_token.revoke",
            obj=user,
            actor=user,
            summary=f"API token {token.prefix}… of {user.username} revoked",
            before={"token_prefix": token.prefix},
        )
    return True


def user_for_token(secret: str) -> User | None:
    """The active account a live token belongs to (None: unknown, expired or closed).
    An expired token stays listed for its owner (who sees why it stopped) until revoked."""
    from django.utils import timezone

    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.expires <= now:
        return None
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user if token.user.is_active else None
