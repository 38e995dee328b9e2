"""The ticket page's actions: each a POST that calls one service and says what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import DESK, RECIPIENT, VENDOR, require
from opsqm.facts.tickets.models import Extension, Finding, Ticket
from opsqm.facts.tickets.views.common import _p, _ticket_for, keep_draft, parse_dt
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.roles import Role
from opsqm.infra.core.viewkit import post_step

Action = Callable[[AuthenticatedRequest, Ticket], Any]


def _action(roles: frozenset[str], run: Action, done: str) -> Callable[..., HttpResponse]:
    """A POST-only ticket action: wrong role 403, out of scope 404, GET 405."""

    @login_required
    def view(request: AuthenticatedRequest, pk: int, **kw: Any) -> HttpResponse:
        require(request.user, roles)
        ticket = _ticket_for(request, pk)
        request.ticket_kwargs = kw  # type: ignore[attr-defined]
        back = reverse("tickets:detail", args=[ticket.pk])

        def step() -> Any:
            try:
                return run(request, ticket)
            except ValidationError:
                keep_draft(request, ticket)  # the page shows the form as it was sent
                raise

        return post_step(request, step, done, back, sep=" ")

    return view


def _vendor_call(request: AuthenticatedRequest, t: Ticket) -> Any:
    return services.log_vendor_call(
        t,
        user=request.user,
        called_at=parse_dt(_p(request, "called_at")) or timezone.now(),
        # the vendor's engineer picked from its staff; a typed name only when not listed
        person=_p(request, "person").strip() or _p(request, "person_other"),
        outcome=_p(request, "outcome"),
    )


def _work(request: AuthenticatedRequest, t: Ticket) -> Any:
    files = [(_p(request, "attachment_kind") or "other", f) for f in request.FILES.getlist("files")]
    return services.record_work(
        t,
        user=request.user,
        analysis=_p(request, "analysis"),
        steps=_p(request, "steps"),
        verification=_p(request, "verification"),
        attachments=files,
    )


def _form_upload(request: AuthenticatedRequest, t: Ticket) -> Any:
    f = request.FILES.get("form")
    if f is None:
        raise ValidationError(_("Choose a file."))
    return services.upload_external_form(t, user=request.user, upload=f)


def _extension(request: AuthenticatedRequest, t: Ticket) -> Any:
    to = parse_dt(_p(request, "requested_to"))
    if to is None:
        raise ValidationError(_("Give the new deadline."))
    return services.request_extension(
        t, user=request.user, requested_to=to, reason=_p(request, "reason")
    )


def _extension_decide(request: AuthenticatedRequest, t: Ticket) -> Any:
    ext = get_object_or_404(Extension, pk=request.ticket_kwargs["ext"], ticket=t)  # type: ignore[attr-defined]
    return services.decide_extension(
        ext,
        user=request.user,
        agree=_p(request, "decision") == "agree",
        agreed_to=parse_dt(_p(request, "agreed_to")),
        note=_p(request, "note"),
    )


def _finding_close(request: AuthenticatedRequest, t: Ticket) -> Any:
    f = get_object_or_404(Finding, pk=request.ticket_kwargs["finding"], ticket=t)  # type: ignore[attr-defined]
    return services.close_finding(
        f, user=request.user, evidence=request.FILES.get("evidence"), note=_p(request, "note")
    )


def _no_signature(request: AuthenticatedRequest, t: Ticket) -> Any:
    return services.record_no_signature(
        t,
        user=request.user,
        reason=_p(request, "reason"),
        evidence=request.FILES.getlist("evidence"),
    )


def _phone_confirm(request: AuthenticatedRequest, t: Ticket) -> Any:
    return services.confirm_by_phone(
        t,
        user=request.user,
        called_at=parse_dt(_p(request, "called_at")) or timezone.now(),
        person=_p(request, "person"),
        outcome=_p(request, "outcome"),
        satisfaction=_p(request, "satisfaction"),
    )


def _sign_link(request: AuthenticatedRequest, t: Ticket) -> Any:
    token = services.create_sign_link(t, user=request.user)
    url = request.build_absolute_uri(reverse("tickets:sign_token", args=[token]))
    request.session[f"sign_link_{t.pk}"] = url
    return url


vendor_call = _action(DESK, _vendor_call, _("Call recorded."))
phone_resolve = _action(
    DESK,
    lambda r, t: services.close_by_phone(t, user=r.user, note=_p(r, "note")),
    _("Closed: resolved by phone, no work order."),
)
dispatch = _action(
    DESK,
    lambda r, t: services.dispatch(t, user=r.user, priority=_p(r, "priority") or None),
    _("Work order mailed; the dispatch time is the mail server's receive time."),
)
acknowledge = _action(VENDOR, lambda r, t: services.acknowledge(t, user=r.user), _("Acknowledged."))
work = _action(VENDOR, _work, _("Ticket form saved."))
form_upload = _action(VENDOR, _form_upload, _("Form uploaded."))
extension_request = _action(VENDOR, _extension, _("Extension requested from the recipient."))
extension_decide = _action(RECIPIENT, _extension_decide, _("Decision recorded."))
finding_close = _action(VENDOR, _finding_close, _("Finding closed."))
resolve = _action(
    VENDOR, lambda r, t: services.resolve(t, user=r.user), _("Resolution mailed to the desk.")
)
no_signature = _action(
    VENDOR, _no_signature, _("Noted: the desk is notified by mail and will phone the recipient.")
)
phone_confirm = _action(DESK, _phone_confirm, _("Confirmation recorded."))
sign_link = _action(DESK, _sign_link, _("One-time signing link created."))
improper = _action(
    DESK,
    lambda r, t: services.mark_improper_archive(t, user=r.user, reason=_p(r, "reason")),
    _("Marked as archived improperly."),
)
fault = _action(
    frozenset({Role.ASSESSOR}),
    lambda r, t: services.record_fault(
        t,
        user=r.user,
        fault=_p(r, "fault"),
        present=_p(r, "present") != "0",
        reason=_p(r, "reason"),
    ),
    _("Recorded on the ticket; the ledger reads it at once."),
)
