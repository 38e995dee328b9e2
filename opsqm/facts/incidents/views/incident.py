"""Incidents (第十一条–第十四条): the list, registration, the page, the report, the
determination steps, evidence and their files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.forms import detached
from opsqm.facts.incidents import forms, services
from opsqm.facts.incidents.access import READERS, VENDOR_SIDE, contract_param, scoped, scoped_object
from opsqm.facts.incidents.mailing import WRITERS
from opsqm.facts.incidents.models import (
    DeterminationStep,
    ForceMajeure,
    Incident,
    IncidentEvidence,
    Liability,
)
from opsqm.facts.incidents.remedy_models import FM_PREFIX
from opsqm.facts.incidents.timeline import incident_timeline
from opsqm.facts.incidents.views.common import (
    A,
    _contract_filter,
    _form_page,
    _role,
    _serve_file,
    report_hours,
)
from opsqm.facts.incidents.views.notices import mail_rows
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.viewkit import run_service
from opsqm.pure.assessment.model import TZ


def _incident_row(inc: Incident, now: Any) -> dict[str, Any]:
    hours = report_hours(inc.contract)
    proposal = inc.proposal(now)
    return {
        "incident": inc,
        "proposal": proposal,
        "deadline": services.report_deadline(inc, hours, now),
        "pending": inc.level is None,
    }


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    qs = scoped(request.user, Incident.objects.select_related("contract", "contract__vendor"))
    qs, contracts, contract = _contract_filter(request, qs)
    now = timezone.now().astimezone(TZ)
    rows = [_incident_row(i, now) for i in qs.order_by("-occurred_at")]
    return render(
        request,
        "incidents/list.html",
        {
            "rows": rows,
            "contracts": contracts,
            "contract": contract,
            "can_edit": _role(request) == A,
        },
    )


def _pick_contract(request: AuthenticatedRequest) -> HttpResponse:
    """/incidents/new/ without ?contract=: which contract the incident is of, the
    contracts in their service period first."""
    today = timezone.localdate()
    contracts = sorted(
        visible_contracts(request.user).select_related("vendor"),
        key=lambda c: (not c.start <= today <= c.end, -c.start.toordinal(), c.code),
    )
    return render(request, "incidents/pick_contract.html", {"contracts": contracts, "today": today})


@login_required
def incident_create(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, A)
    if not request.GET.get("contract"):
        return _pick_contract(request)
    contract = contract_param(request.user, request.GET.get("contract"))
    form = forms.IncidentForm(request.POST or None, instance=Incident(contract=contract))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.record_incident(contract, data, request.user))
        if saved is not None:
            messages.success(request, _("Incident %(c)s registered.") % {"c": saved})
            return redirect("incidents:detail", pk=saved.pk)
    return _form_page(request, form, _("New incident of %(c)s (第十一条)") % {"c": contract.code})


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.all(), pk, A)
    form = forms.IncidentForm(request.POST or None, instance=detached(inc))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.update_incident(inc, data))
        if saved is not None:
            messages.success(request, _("Incident %(c)s saved.") % {"c": saved})
            return redirect("incidents:detail", pk=inc.pk)
    return _form_page(request, form, _("Edit incident %(c)s") % {"c": inc})


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.select_related("contract"), pk)
    now = timezone.now().astimezone(TZ)
    row = _incident_row(inc, now)
    steps = {s.step: s for s in inc.steps.select_related("recorded_by")}
    step_rows = [
        {"step": value, "label": label, "record": steps.get(value)}
        for value, label in DeterminationStep.Step.choices
    ]
    checklist = services.evidence_checklist(inc)
    for row_ in checklist:
        for ev in row_.items:
            ev.ticket_url = _ticket_url(ev.ticket_id)  # type: ignore[attr-defined]
    role = _role(request)
    return render(
        request,
        "incidents/detail.html",
        {
            **row,
            "inc": inc,
            "hours": report_hours(inc.contract),
            "steps": step_rows,
            "checklist": checklist,
            "can_edit": role == A,
            "can_vendor_side": role in VENDOR_SIDE,
            "liability": Liability.objects.filter(incident=inc).first(),
            "excuse": _excuse(inc),
            "can_mail": role in WRITERS,
            "mails": mail_rows(inc.mails.all()),
            "timeline": incident_timeline(inc),
        },
    )


def _excuse(inc: Incident) -> ForceMajeure | None:
    """The force-majeure decision the incident's `excused` names, if it is one."""
    if not inc.excused.startswith(FM_PREFIX):
        return None
    code = inc.excused[len(FM_PREFIX) :]
    return ForceMajeure.objects.filter(contract=inc.contract, code=code).first()


def _ticket_url(pk: int | None) -> str:
    from django.urls import NoReverseMatch

    if pk is None:
        return ""
    try:
        return reverse("tickets:detail", args=[pk])
    except NoReverseMatch:  # the work-order pages come with another issue
        return ""


@login_required
def incident_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.all(), pk, *VENDOR_SIDE)
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["report"]
        saved = run_service(form, lambda: services.upload_report(inc, f, request.user))
        if saved is not None:
            messages.success(request, _("Analysis report received."))
            return redirect("incidents:detail", pk=inc.pk)
    intro = _(
        "The submission time is the time of this upload (第十三条: 12 / 24 / 48 hours by level)."
    )
    return _form_page(request, form, _("Analysis report of %(c)s") % {"c": inc}, intro)


@login_required
def incident_step(request: AuthenticatedRequest, pk: int, step: int) -> HttpResponse:
    roles = (A,) if step == DeterminationStep.Step.FINAL else VENDOR_SIDE
    inc = scoped_object(request.user, Incident.objects.all(), pk, *roles)
    if step not in DeterminationStep.Step.values:
        raise Http404
    existing = DeterminationStep.objects.filter(incident=inc, step=step).first()
    instance = detached(existing) if existing else DeterminationStep(incident=inc, step=step)
    form = forms.StepForm(request.POST or None, request.FILES or None, instance=instance, step=step)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        saved = run_service(form, lambda: services.record_step(inc, step, data, request.user))
        if saved is not None:
            messages.success(request, _("Step recorded."))
            return redirect("incidents:detail", pk=inc.pk)
    label = DeterminationStep.Step(step).label
    return _form_page(request, form, f"{inc} · 第十四条 {label}")


@login_required
def incident_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.all(), pk, *VENDOR_SIDE)
    form = forms.EvidenceForm(
        request.POST or None,
        request.FILES or None,
        instance=IncidentEvidence(incident=inc),
        contract=inc.contract,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.add_evidence(inc, data, request.user))
        if saved is not None:
            messages.success(request, _("Evidence added."))
            return redirect("incidents:detail", pk=inc.pk)
    return _form_page(request, form, _("Evidence of %(c)s (第十四条六)") % {"c": inc})


@login_required
def incident_file(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_file(request, Incident.objects.all(), pk, "report")


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    qs = IncidentEvidence.objects.all()
    return _serve_file(request, qs, pk, "file", contract="incident__contract")


@login_required
def step_file(request: HttpRequest, pk: int) -> FileResponse:
    qs = DeterminationStep.objects.all()
    return _serve_file(request, qs, pk, "conclusion_scan", contract="incident__contract")
