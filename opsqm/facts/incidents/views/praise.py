"""Praise (第二十条): the list, the application and the assessor's decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.incidents import forms, services
from opsqm.facts.incidents.access import (
    PRAISE_READERS,
    contract_param,
    praise_levels_for,
    scoped,
    scoped_object,
)
from opsqm.facts.incidents.models import Praise, PraiseApplication
from opsqm.facts.incidents.views.common import A, _contract_filter, _form_page, _role, _serve_file
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.viewkit import run_service


@login_required
def praise_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *PRAISE_READERS)
    apps = scoped(
        request.user, PraiseApplication.objects.select_related("contract", "praise", "unit")
    )
    apps, contracts, contract = _contract_filter(request, apps)
    praises = list(
        scoped(request.user, Praise.objects.select_related("contract")).filter(
            contract__in=[contract] if contract else visible_contracts(request.user)
        )
    )
    counting = services.praise_events(praises)
    points = {"main_leader": 10, "leader_in_charge": 5, "service_unit": 2}
    events: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for p in sorted(praises, key=lambda p: (p.contract.code, p.event, p.at)):
        events.setdefault((p.contract_id, p.event), []).append(
            {"praise": p, "counts": counting.get((p.contract_id, p.event)) is p}
        )
    return render(
        request,
        "incidents/praise.html",
        {
            "applications": apps.order_by("-applied_at"),
            "events": list(events.values()),
            "points": points,
            "contracts": contracts,
            "contract": contract,
            "can_apply": bool(praise_levels_for(request.user)),
            "can_decide": _role(request) == A,
        },
    )


@login_required
def praise_apply(request: AuthenticatedRequest) -> HttpResponse:
    levels = praise_levels_for(request.user)
    require_role(request.user, *PRAISE_READERS)
    if not levels:
        raise PermissionDenied
    contract = contract_param(request.user, request.GET.get("contract"))
    form = forms.PraiseApplyForm(
        request.POST or None,
        request.FILES or None,
        instance=PraiseApplication(contract=contract),
        levels=levels,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.apply_praise(contract, data, request.user))
        if saved is not None:
            messages.success(request, _("Application submitted."))
            return redirect(reverse("incidents:praise") + f"?contract={contract.pk}")
    intro = _(
        "第二十条: one event counts once, at its highest level. A service unit applies for "
        "its own praise, with the application under its seal; the vendor applies for a "
        "leader's praise, which the IT department verifies with the leader."
    )
    return _form_page(
        request, form, _("Apply for praise points, %(c)s") % {"c": contract.code}, intro
    )


@login_required
def praise_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    app = scoped_object(request.user, PraiseApplication.objects.all(), pk, A)
    form = forms.PraiseDecideForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["decision"] == "confirm":
            saved = run_service(form, lambda: services.confirm_praise(app, d, request.user))
        else:
            saved = run_service(
                form, lambda: services.reject_praise(app, d["decision_note"], request.user)
            )
        if saved is not None:
            messages.success(request, _("Decision recorded."))
            return redirect("incidents:praise")
    intro = " · ".join(
        (app.contract.code, app.event, str(app.get_level_display()), str(app.praised_on))
    )
    intro += f" — {app.description}"
    return _form_page(request, form, _("Praise application %(e)s") % {"e": app.event}, intro)


@login_required
def praise_file(request: HttpRequest, pk: int, field: str) -> FileResponse:
    fields = ("evidence", "stamped_scan")
    return _serve_file(request, PraiseApplication.objects.all(), pk, field, fields)
