"""Intake: the desk records a user's report, or registers a security report."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Unit
from opsqm.facts.tickets import services
from opsqm.facts.tickets.access import DESK, require
from opsqm.facts.tickets.models import Finding, Ticket
from opsqm.facts.tickets.views.common import parse_dt
from opsqm.infra.accounts.requests import AuthenticatedRequest


def _choices(request: AuthenticatedRequest, data: Any, refused: bool) -> dict[str, Any]:
    """The contracts intake offers (those in force today), the one chosen (asked for,
    or the only one) and the units to choose from: the chosen contract's, else every
    offered contract's, labelled with it.  A `refused` form keeps its contract even
    if it was not offered (the error says why)."""
    visible = visible_contracts(request.user).order_by("code")
    offered = list(services.contracts_in_force(visible, services.today()).prefetch_related("units"))
    pk = str(data.get("contract") or "")
    chosen = next((c for c in offered if str(c.pk) == pk), None)
    if chosen is None and refused and pk.isdigit():
        chosen = visible.prefetch_related("units").filter(pk=pk).first()
        if chosen is not None:
            offered.append(chosen)
    if chosen is None and len(offered) == 1:
        chosen = offered[0]
    units = [
        (u.pk, f"{u.name} ({c.code})")
        for c in ([chosen] if chosen else offered)
        for u in c.units.all()
    ]
    return {"contracts": offered, "chosen": chosen, "units": units}


def _registration_page(
    request: AuthenticatedRequest,
    template: str,
    register: Callable[[AuthenticatedRequest, Any], Ticket],
    done: str,
    **extra: Any,
) -> HttpResponse:
    """The desk's form that opens a ticket (a user's report, a security report):
    `register(request, contract)` calls the service; `done` names the new number.
    A GET with `?contract=` (what the contract select's htmx request asks) shows the
    form with that contract's units only."""
    require(request.user, DESK)
    errors: dict[str, Any] = {}
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        contract = (
            visible_contracts(request.user).filter(pk=data.get("contract") or 0).first()
            if str(data.get("contract") or "").isdigit()
            else None
        )
        try:
            if contract is None:
                raise ValidationError({"contract": _("Contract: choose the contract.")})
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
            **_choices(request, data, refused=bool(errors)),
            "errors": errors,
            "data": data,
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
        reported_at=_reported_at(p.get("reported_at")),
        unit=_unit(p),
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
        testing_org=p.get("testing_org", ""),
        report_date=_parse_date(p.get("report_date"), "report_date", _("Report date")),
        unit=_unit(p),
        priority=p.get("priority", ""),  # no default: the desk chooses
    )


def _reported_at(value: str | None) -> datetime.datetime | None:
    try:
        return parse_dt(value)
    except ValidationError as exc:
        raise ValidationError(
            {"reported_at": _("Reported at: enter a valid date and time.")}
        ) from exc


def _unit(data: Any) -> Unit | None:
    pk = str(data.get("unit") or "")
    return Unit.objects.filter(pk=pk).first() if pk.isdigit() else None


def _parse_date(value: str | None, field: str, label: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(
            {field: _("%(field)s: enter a date as YYYY-MM-DD.") % {"field": label}}
        ) from exc


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
    # No severity chosen in advance: each finding keeps the one its report gives.
    return typed + [("", "")] * max(1, 5 - len(typed))
