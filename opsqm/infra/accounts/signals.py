"""Logins, logouts, failed logins and lockouts go to the audit log, with address."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from opsqm.infra.accounts.models import User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.request_context import client_ip


def _ip(request: Any) -> str | None:
    return client_ip(request.META) if request is not None else None


@receiver(user_logged_in, dispatch_uid="opsqm_audit_login")
def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    log_action(
        "auth.login",
        obj=user,
        actor=user,
        ip=_ip(request),
        summary=f"{user.get_username()} logged in",
    )


@receiver(user_logged_out, dispatch_uid="opsqm_audit_logout")
def audit_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is None:  # logging out an anonymous session
        return
    log_action(
        "auth.logout",
        obj=user,
        actor=user,
        ip=_ip(request),
        summary=f"{user.get_username()} logged out",
    )


def _attempted(credentials: dict[str, Any] | None) -> str:
    return str((credentials or {}).get("username") or "")[:150]


@receiver(user_login_failed, dispatch_uid="opsqm_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = _attempted(credentials)
    log_action(
        "auth.login_failed",
        object_type="accounts.user",
        object_id=username[:64],
        actor=None,
        ip=_ip(request),
        summary=f"failed login as {username!r}",
        after={"username": username},
    )


@receiver(user_locked_out, dispatch_uid="opsqm_audit_locked_out")
def audit_locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    name = str(username or "")[:150]
    from django.db import transaction

    from opsqm.infra.accounts.models import User
    from opsqm.infra.accounts.services import cut_off

    with transaction.atomic():
        # A locked account is shut out everywhere at once: its open sessions (perhaps
        # the guesser's, perhaps stolen) end and its API token goes.
        user = User.objects.filter(username=name).first() if name else None
        revoked = cut_off(user) if user is not None else 0
        log_action(
            "auth.locked_out",
            object_type="accounts.user",
            object_id=name[:64],
            actor=None,
            ip=kwargs.get("ip_address") or _ip(request),
            summary=f"account {name!r} locked after repeated failed logins",
            after={"username": name, "sessions_ended": user is not None, "tokens_revoked": revoked},
        )
