"""Quarterly evaluation campaigns (第十五条, 第十九条): open, rate, close."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from opsqm.facts.incidents import forms, services
from opsqm.facts.incidents.access import BUREAU
from opsqm.facts.incidents.models import CampaignEntry, EvaluationCampaign
from opsqm.facts.incidents.views.common import A, _role
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.viewkit import run_service


@login_required
def campaigns(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, *BUREAU)
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST":
        require_role(request.user, A)
        if form.is_valid():
            q = form.cleaned_data["quarter"]
            saved = run_service(form, lambda: services.open_campaign(q, request.user))
            if saved is not None:
                messages.success(request, _("Campaign %(q)s opened.") % {"q": q})
                return redirect("incidents:campaign", pk=saved.pk)
    rows = []
    for c in EvaluationCampaign.objects.order_by("-quarter"):
        total = c.entries.count()
        rated = _rated_count(c)
        rows.append({"campaign": c, "total": total, "rated": rated})
    return render(
        request,
        "incidents/campaigns.html",
        {"rows": rows, "form": form, "can_edit": _role(request) == A},
    )


def _rated_count(c: EvaluationCampaign) -> int:
    from opsqm.facts.incidents.models import QuarterlyEvaluation

    rated = set(
        QuarterlyEvaluation.objects.filter(quarter=c.quarter).values_list("contract_id", "unit_id")
    )
    return sum(1 for e in c.entries.values_list("contract_id", "unit_id") if e in rated)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *BUREAU)
    from opsqm.facts.incidents.models import QuarterlyEvaluation

    c = get_object_or_404(EvaluationCampaign, pk=pk)
    evals = {
        (e.contract_id, e.unit_id): e
        for e in QuarterlyEvaluation.objects.filter(quarter=c.quarter).select_related("rated_by")
    }
    entries = c.entries.select_related("contract", "contract__vendor", "unit")
    rows = [{"entry": e, "evaluation": evals.get((e.contract_id, e.unit_id))} for e in entries]
    rated = sum(1 for r in rows if r["evaluation"])
    return render(
        request,
        "incidents/campaign.html",
        {"c": c, "rows": rows, "rated": rated, "can_edit": _role(request) == A},
    )


@login_required
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, A)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    c = get_object_or_404(EvaluationCampaign, pk=pk)
    try:
        services.close_campaign(c)
        messages.success(request, _("Campaign %(q)s closed.") % {"q": c.quarter})
    except Exception as exc:  # ValidationError
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("incidents:campaign", pk=c.pk)


@login_required
def rate(request: AuthenticatedRequest) -> HttpResponse:
    """The recipient's page (phone-friendly): each vendor serving the unit, per open
    campaign; one small form per vendor."""
    require_role(request.user, Role.RECIPIENT)
    entries = (
        CampaignEntry.objects.filter(
            unit=getattr(request.user, "unit_id", None), campaign__status="open"
        )
        .select_related("campaign", "contract", "contract__vendor", "unit")
        .order_by("-campaign__quarter", "contract__vendor__name")
    )
    errors: dict[int, Any] = {}
    if request.method == "POST":
        entry = get_object_or_404(entries, pk=request.POST.get("entry") or 0)
        form = forms.RateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            saved = run_service(
                form, lambda: services.rate(entry, d["result"], d["comments"], request.user)
            )
            if saved is not None:
                messages.success(
                    request,
                    _("Your rating of %(v)s is saved.") % {"v": entry.contract.vendor.name},
                )
                return redirect("incidents:rate")
        errors[entry.pk] = form
    rows = []
    for e in entries:
        ev = services.evaluation_of(e)
        rows.append({"entry": e, "evaluation": ev, "form": errors.get(e.pk)})
    return render(request, "incidents/rate.html", {"rows": rows})
