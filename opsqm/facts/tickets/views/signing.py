"""Signing: the recipient signs and rates through their login or a one-time link."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import RECIPIENT, require
from opsqm.facts.tickets.models import Ticket
from opsqm.facts.tickets.views.common import _error_text, _p, _ticket_for
from opsqm.infra.accounts.requests import AuthenticatedRequest


def _png_from_data_url(value: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError({"signature": _("Draw your signature.")})
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except ValueError as exc:
        raise ValidationError({"signature": _("Draw your signature.")}) from exc


def _signing_page(
    request: HttpRequest,
    ticket: Ticket,
    submit: Callable[[bytes, str, str], Any],
    done: Callable[[], HttpResponse],
    **extra: Any,
) -> HttpResponse:
    """The signature pad and the rating; `submit(png, satisfaction, signer_name)`
    calls the service, `done()` answers a signature that was taken."""
    error = ""
    if request.method == "POST":
        try:
            submit(
                _png_from_data_url(_p(request, "signature")),
                _p(request, "satisfaction"),
                _p(request, "signer_name"),
            )
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            return done()
    ctx = {"t": ticket, "error": error, "satisfactions": Ticket.Satisfaction.choices}
    return render(request, "tickets/sign.html", {**ctx, **extra})


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The recipient signs on a phone or tablet, through their login."""
    require(request.user, RECIPIENT)
    ticket = _ticket_for(request, pk)
    user = request.user

    def submit(png: bytes, satisfaction: str, signer_name: str) -> Any:
        return services.sign(
            ticket,
            png=png,
            satisfaction=satisfaction,
            signer_name=signer_name or user.display_name,
            user=user,
            via="login",
        )

    def done() -> HttpResponse:
        messages.success(request, _("Thank you: signed and rated."))
        return redirect("tickets:detail", pk=ticket.pk)

    return _signing_page(request, ticket, submit, done, default_name=user.display_name)


@require_http_methods(["GET", "POST"])
def sign_token(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: no login; valid once, until it expires."""
    try:
        link = services.sign_link_for(token)
    except ValidationError as exc:
        return render(request, "tickets/sign_done.html", {"error": _error_text(exc)}, status=404)

    def submit(png: bytes, satisfaction: str, signer_name: str) -> Any:
        return services.sign_with_link(
            token, png=png, satisfaction=satisfaction, signer_name=signer_name
        )

    def done() -> HttpResponse:
        return render(request, "tickets/sign_done.html", {"t": link.ticket})

    return _signing_page(request, link.ticket, submit, done, anonymous=True)
