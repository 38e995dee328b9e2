"""Pages: incidents (第十一条–第十四条), quarterly evaluation campaigns (第十五条,
第十九条), praise (第二十条), rectification notices (合同 六(一)2) and contracted
deliveries (合同 十.2).  Views stay thin: the services validate and write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.ledger.services import safe_ledger
from opsqm.facts.contracts.forms import detached
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.viewkit import run_service
from opsqm.facts.incidents import forms, services
from opsqm.facts.incidents.access import (
    BUREAU,
    READERS,
    VENDOR,
    VENDOR_SIDE,
    contract_param,
    scoped,
    scoped_object,
)
from opsqm.facts.incidents.models import (
    CampaignEntry,
    DeterminationStep,
    EvaluationCampaign,
    Incident,
    IncidentEvidence,
    Praise,
    PraiseApplication,
    RectificationNotice,
    ServiceDelay,
)
from opsqm.infra.accounts.roles import Role
from opsqm.infra.core.access import require_role, visible_contracts
from opsqm.infra.core.uploads import serve_protected
from opsqm.pure.assessment.model import TZ

A = Role.ASSESSOR


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _form_page(request: HttpRequest, form: Any, title: str, intro: str = "") -> HttpResponse:
    return render(request, "incidents/form.html", {"form": form, "title": title, "intro": intro})


def _contract_filter(request: HttpRequest, qs: Any) -> tuple[Any, Any, Any]:
    contracts = visible_contracts(request.user).order_by("code")
    contract = None
    if request.GET.get("contract"):
        contract = get_object_or_404(contracts, pk=request.GET["contract"])
        qs = qs.filter(contract=contract)
    return qs, contracts, contract


def report_hours(contract: Contract) -> dict[int, int]:
    from django.conf import settings

    from opsqm.derived.evidence.adapter import model_contract
    from opsqm.derived.ledger.services import default_rulebook
    from opsqm.pure.assessment.rulebook import rulebook_for

    try:
        rb = rulebook_for(
            model_contract(contract), default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK)
        )
        return {lvl: v.report_hours for lvl, v in rb.incident_levels.items()}
    except ValueError:
        return {1: 12, 2: 24, 3: 48}


# --- incidents ---------------------------------------------------------------------


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


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, A)
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
        },
    )


def _ticket_url(pk: int | None) -> str:
    from django.urls import NoReverseMatch

    if pk is None:
        return ""
    try:
        return reverse("tickets:detail", args=[pk])
    except NoReverseMatch:  # the work-order pages come with another issue
        return ""


@login_required
def incident_report(request: HttpRequest, pk: int) -> HttpResponse:
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
def incident_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
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
def incident_evidence(request: HttpRequest, pk: int) -> HttpResponse:
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


def _serve_file(
    request: HttpRequest,
    qs: Any,
    pk: int,
    field: str,
    fields: tuple[str, ...] = (),
    contract: str = "contract",
) -> FileResponse:
    """A stored file of an object in `qs`, for the readers of the object's contract
    (reached by the lookup `contract`); a field not among `fields` (if named) is 404."""
    require_role(request.user, *READERS)
    if fields and field not in fields:
        raise Http404
    qs = qs.filter(**{f"{contract}__in": visible_contracts(request.user)})
    return serve_protected(qs, pk, field)


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


# --- quarterly evaluation campaigns ------------------------------------------------


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
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
def rate(request: HttpRequest) -> HttpResponse:
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


# --- praise ------------------------------------------------------------------------


@login_required
def praise_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    apps = scoped(request.user, PraiseApplication.objects.select_related("contract", "praise"))
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
            "can_apply": _role(request) in VENDOR,
            "can_decide": _role(request) == A,
        },
    )


@login_required
def praise_apply(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *VENDOR)
    contract = contract_param(request.user, request.GET.get("contract"))
    form = forms.PraiseApplyForm(
        request.POST or None, request.FILES or None, instance=PraiseApplication(contract=contract)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.apply_praise(contract, data, request.user))
        if saved is not None:
            messages.success(request, _("Application submitted."))
            return redirect(reverse("incidents:praise") + f"?contract={contract.pk}")
    intro = _(
        "第二十条: one event counts once, at its highest level. A leader's praise is "
        "verified with the leader by the IT department; a service unit's praise needs the "
        "unit's stamped confirmation."
    )
    return _form_page(
        request, form, _("Apply for praise points, %(c)s") % {"c": contract.code}, intro
    )


@login_required
def praise_decide(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- rectification notices ---------------------------------------------------------


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    qs = scoped(request.user, RectificationNotice.objects.select_related("contract"))
    qs, contracts, contract = _contract_filter(request, qs)
    today = timezone.now().astimezone(TZ).date()
    rows = [{"n": n, "overdue": n.overdue(today)} for n in qs]
    return render(
        request,
        "incidents/rectifications.html",
        {
            "rows": rows,
            "contracts": contracts,
            "contract": contract,
            "can_edit": _role(request) == A,
        },
    )


@login_required
def rectification_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, A)
    contract = contract_param(request.user, request.GET.get("contract"))
    form = forms.RectificationForm(
        request.POST or None,
        request.FILES or None,
        instance=RectificationNotice(contract=contract, due=timezone.now().date()),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(
            form,
            lambda: services.issue_rectification(
                contract, d, request.user, track_delivery=d.get("track_delivery", False)
            ),
        )
        if saved is not None:
            messages.success(request, _("Rectification notice %(c)s issued.") % {"c": saved})
            return redirect("incidents:rectification", pk=saved.pk)
    intro = _("合同 六(一)2: the vendor rectifies within 5 days of receiving the notice.")
    return _form_page(
        request, form, _("New rectification notice, %(c)s") % {"c": contract.code}, intro
    )


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    n = scoped_object(request.user, RectificationNotice.objects.select_related("contract"), pk)
    today = timezone.now().astimezone(TZ).date()
    import datetime

    deadline = datetime.datetime.combine(n.due + datetime.timedelta(days=1), datetime.time(0), TZ)
    return render(
        request,
        "incidents/rectification.html",
        {
            "n": n,
            "overdue": n.overdue(today),
            "deadline": deadline,
            "respond_form": forms.RespondForm() if _role(request) in VENDOR_SIDE else None,
            "verify_form": forms.VerifyForm() if _role(request) == A else None,
        },
    )


@login_required
def rectification_respond(request: HttpRequest, pk: int) -> HttpResponse:
    n = scoped_object(request.user, RectificationNotice.objects.all(), pk, *VENDOR_SIDE)
    form = forms.RespondForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, lambda: services.respond_rectification(n, d, request.user))
        if saved is not None:
            messages.success(request, _("Response recorded."))
            return redirect("incidents:rectification", pk=n.pk)
    return _form_page(request, form, _("Rectification %(c)s: response") % {"c": n})


@login_required
def rectification_verify(request: HttpRequest, pk: int) -> HttpResponse:
    n = scoped_object(request.user, RectificationNotice.objects.all(), pk, A)
    form = forms.VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(
            form,
            lambda: services.verify_rectification(
                n, d["decision"] == "accept", d["verification_note"], request.user
            ),
        )
        if saved is not None:
            messages.success(request, _("Verification recorded."))
            return redirect("incidents:rectification", pk=n.pk)
    return _form_page(request, form, _("Rectification %(c)s: verification") % {"c": n})


@login_required
def rectification_file(request: HttpRequest, pk: int, field: str) -> FileResponse:
    fields = ("notice_file", "response_file")
    return _serve_file(request, RectificationNotice.objects.all(), pk, field, fields)


# --- contracted deliveries (D1) ----------------------------------------------------


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    qs = scoped(request.user, ServiceDelay.objects.select_related("contract"))
    qs, contracts, contract = _contract_filter(request, qs)
    deliveries = list(qs.order_by("contract__code", "due", "obligation"))
    ledgers = {}
    for c in {d.contract_id: d.contract for d in deliveries}.values():
        ledgers[c.pk] = safe_ledger(c)[0]
    today = timezone.now().astimezone(TZ).date()
    rows = []
    terminations = []
    for d in deliveries:
        ledger = ledgers.get(d.contract_id)
        item = None
        if ledger is not None:
            item = next((i for i in ledger.items if i.rule == "D1" and i.ref == d.obligation), None)
        days = ((d.delivered or today) - d.due).days
        rows.append({"d": d, "item": item, "days_late": max(days, 0), "open": d.delivered is None})
    for cid, ledger in ledgers.items():
        if ledger is not None and ledger.flags.get("termination_right"):
            terminations.append(next(d.contract for d in deliveries if d.contract_id == cid))
    return render(
        request,
        "incidents/deliveries.html",
        {
            "rows": rows,
            "terminations": terminations,
            "contracts": contracts,
            "contract": contract,
            "can_edit": _role(request) == A,
        },
    )


@login_required
def delivery_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, A)
    if pk:
        delivery = scoped_object(request.user, ServiceDelay.objects.all(), pk, A)
        contract = delivery.contract
        instance = detached(delivery)
    else:
        delivery = None
        contract = contract_param(request.user, request.GET.get("contract"))
        instance = ServiceDelay(contract=contract)
    form = forms.DeliveryForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(
            form,
            lambda: (
                services.update_service_delay(delivery, d)
                if delivery
                else services.record_service_delay(contract, d)
            ),
        )
        if saved is not None:
            messages.success(request, _("Contracted delivery saved."))
            return redirect(reverse("incidents:deliveries") + f"?contract={contract.pk}")
    intro = _(
        "合同 十.2: each 5 days late (or part of 5 days) costs 0.5 per cent of the contract "
        "amount; more than 15 days late gives the bureau the right to terminate."
    )
    return _form_page(request, form, _("Contracted delivery, %(c)s") % {"c": contract.code}, intro)


@login_required
def delivery_file(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_file(request, ServiceDelay.objects.all(), pk, "delivery_file")
