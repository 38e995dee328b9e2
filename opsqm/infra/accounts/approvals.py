"""The 三员 two-person rule: a change that gives administrator powers, asked by one
administrator (opsqm.infra.accounts.services makes the AdminRequest instead of the
change), is applied only when a second, different administrator approves it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import AdminRequest, User
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role

# Who decides: the administrators who keep accounts and permissions (the audit
# administrator reads the log of it and has no say over accounts).
DECIDERS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)


def pending() -> QuerySet[AdminRequest]:
    return AdminRequest.objects.filter(state=AdminRequest.State.PENDING).select_related(
        "requested_by", "target"
    )


def _may_decide(actor: Any, request: AdminRequest) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.role not in DECIDERS:
        raise PermissionDenied(_("Your role may not do this."))
    if actor.pk == request.requested_by_id:
        raise PermissionDenied(
            _("A second administrator must approve this, not the one who asked.")
        )
    if actor.pk == request.target_id:
        raise PermissionDenied(_("Nobody approves a request about their own account."))


def _locked(actor: Any, pk: int) -> AdminRequest:
    request = AdminRequest.objects.select_for_update().get(pk=pk)
    _may_decide(actor, request)
    if request.state != AdminRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return request


def _apply(request: AdminRequest) -> User:
    """Make the asked change, in the name of the administrator who asked."""
    asker = request.requested_by
    if request.kind == AdminRequest.Kind.CREATE:
        if User.objects.filter(username__iexact=request.username).exists():
            raise ValidationError(_("An account with this username already exists."))
        user = User(
            username=request.username,
            role=request.role,
            full_name=request.payload.get("full_name", ""),
            phone=request.payload.get("phone", ""),
            password=request.payload["password"],
            must_change_password=True,
        )
        return services.save_new_user(asker, user)
    user = User.objects.select_for_update().get(pk=int(request.target_id or 0))
    if request.kind == AdminRequest.Kind.ROLE:
        return services.apply_role(asker, user, request.role, None, None)
    return services.store_password(
        user,
        request.payload["password"],
        hashed=True,
        must_change=True,
        action="account.password_reset",
        actor=asker,
        summary=f"password of {user.username} reset by an administrator",
        cut=True,
    )


def approve(actor: Any, pk: int) -> AdminRequest:
    """A second administrator approves: the change is made and both are audited."""
    with transaction.atomic():
        request = _locked(actor, pk)
        user = _apply(request)
        request.target = user
        request.state = AdminRequest.State.APPROVED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.payload = {}  # the password hash is not kept once used
        request.save()
        log_action(
            "account.request_approve",
            obj=request,
            actor=actor,
            summary=f"{request.kind} of {request.username} approved",
            after={"kind": request.kind, "username": request.username, "role": request.role},
        )
    return request


def reject(actor: Any, pk: int) -> AdminRequest:
    with transaction.atomic():
        request = _locked(actor, pk)
        request.state = AdminRequest.State.REJECTED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.payload = {}
        request.save()
        log_action(
            "account.request_reject",
            obj=request,
            actor=actor,
            summary=f"{request.kind} of {request.username} rejected",
            after={"kind": request.kind, "username": request.username, "role": request.role},
        )
    return request
