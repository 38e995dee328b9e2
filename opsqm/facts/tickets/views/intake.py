"""Intake: the desk records a user's report, or registers a security report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Unit
from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import DESK, require
from opsqm.facts.tickets.models import Finding, Ticket
from opsqm.facts.tickets.views.common import parse_dt
from opsqm.infra.accounts.requests import AuthenticatedRequest


def _registration_page(
    request: AuthenticatedRequest,
    template: str,
    register: Callable[[AuthenticatedRequest, Any], Ticket],
    done: str,
    **extra: Any,
) -> HttpResponse:
    """The desk's form that opens a ticket (a user's report, a security report):
    `register(request, contract)` calls the service; `done` names the new number."""
    require(request.user, DESK)
    contracts = visible_contracts(request.user).order_by("code").prefetch_related("units")
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            contract = get_object_or_404(contracts, pk=request.POST.get("contract") or 0)
            ticket = register(request, contract)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, done % {"n": ticket.number})
            return redirect("tickets:detail", pk=ticket.pk)
    return render(
        request,
        template,
        {
            "contracts": contracts,
            "errors": errors,
            "data": request.POST,
            "priorities": Ticket.Priority.choices,
            **extra,
        },
    )


def _record_intake(request: AuthenticatedRequest, contract: Any) -> Ticket:
    p = request.POST
    return services.record_intake(
        contract,
        user=request.user,
        reporter=p.get("reporter", ""),
        description=p.get("description", ""),
        reported_at=parse_dt(p.get("reported_at")),
        unit=Unit.objects.filter(pk=p.get("unit") or 0).first(),
        phone=p.get("phone", ""),
        system=p.get("system", ""),
        title=p.get("title", ""),
        priority=p.get("priority", ""),  # no default: the desk chooses
        attachments=request.FILES.getlist("attachments"),
    )


def _register_security_report(request: AuthenticatedRequest, contract: Any) -> Ticket:
    p = request.POST
    findings = [
        (d, s)
        for d, s in zip(p.getlist("finding"), p.getlist("severity"), strict=False)
        if d.strip()
    ]
    report = request.FILES.get("report")
    if report is None:
        raise ValidationError({"report": _("Attach the report.")})
    return services.register_security_report(
        contract,
        user=request.user,
        title=p.get("title", ""),
        report=report,
        findings=findings,
        unit=Unit.objects.filter(pk=p.get("unit") or 0).first(),
        priority=p.get("priority", ""),  # no default: the desk chooses
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: AuthenticatedRequest) -> HttpResponse:
    return _registration_page(
        request, "tickets/intake.html", _record_intake, _("Report recorded as %(n)s.")
    )


@login_required
@require_http_methods(["GET", "POST"])
def security_intake(request: AuthenticatedRequest) -> HttpResponse:
    return _registration_page(
        request,
        "tickets/security_intake.html",
        _register_security_report,
        _("Report registered as %(n)s."),
        severities=Finding.Severity.choices,
        rows=_finding_rows(request),
    )


def _finding_rows(request: HttpRequest) -> list[tuple[str, str]]:
    """The findings' rows: what was typed (a refused form comes back filled in), then
    empty rows up to five."""
    typed = list(
        zip(request.POST.getlist("finding"), request.POST.getlist("severity"), strict=False)
    )
    typed = [(d, s) for d, s in typed if d.strip()]
    return typed + [("", "medium")] * max(1, 5 - len(typed))
