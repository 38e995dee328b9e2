"""Pages of the remedies: the liability of an incident (第十二条), force-majeure notices
and decisions (合同 十一) and the bureau's written agreement to a later delivery (十.1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.facts.incidents import remedies
from opsqm.facts.incidents import remedy_forms as rf
from opsqm.facts.incidents.access import (
    READERS,
    contract_param,
    scoped,
    scoped_object,
)
from opsqm.facts.incidents.models import (
    DelayAgreement,
    ForceMajeure,
    Incident,
    Liability,
    ServiceDelay,
)
from opsqm.facts.incidents.views.common import A, _contract_filter, _form_page, _role, _serve_file
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.viewkit import run_service

# Who records the vendor's notice and explanation: the assessor, or the vendor itself.
NOTIFIERS = (A, Role.VENDOR_MANAGER)


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None


# --- 第十二条 ----------------------------------------------------------------------


@login_required
def liability_form(request: HttpRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.select_related("contract"), pk, A)
    current = Liability.objects.filter(incident=inc).first()
    form = rf.LiabilityForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if run_service(form, lambda: remedies.record_liability(inc, data, _user(request))):
            messages.success(request, _("Liability recorded."))
            return redirect("incidents:detail", pk=inc.pk)
    intro = _(
        "第十二条: the vendor bears the whole direct economic loss of an incident its "
        "operator's error caused. The settlement deducts it from the payment (合同 五.5)."
    )
    return _form_page(request, form, _("Liability, incident %(c)s") % {"c": inc.code}, intro)


@login_required
def liability_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    inc = scoped_object(request.user, Incident.objects.all(), pk, A)
    liability = get_object_or_404(Liability, incident=inc)
    form = rf.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if run_service(
            form, lambda: remedies.withdraw_liability(liability, reason, _user(request))
        ):
            messages.success(request, _("Liability withdrawn."))
            return redirect("incidents:detail", pk=inc.pk)
    return _form_page(request, form, _("Withdraw the liability of %(c)s") % {"c": inc.code})


@login_required
def liability_file(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_file(
        request, Liability.objects.all(), pk, "evidence", contract="incident__contract"
    )


# --- 合同 十一 ---------------------------------------------------------------------


@login_required
def force_majeure_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    qs = scoped(request.user, ForceMajeure.objects.select_related("contract"))
    qs, contracts, contract = _contract_filter(request, qs)
    today = remedies.today()
    rows = [{"fm": fm, "overdue": fm.explanation_overdue(today)} for fm in qs]
    return render(
        request,
        "incidents/force_majeure_list.html",
        {
            "rows": rows,
            "contracts": contracts,
            "contract": contract,
            "can_record": _role(request) in NOTIFIERS,
        },
    )


@login_required
def force_majeure_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *NOTIFIERS)
    contract = contract_param(request.user, request.GET.get("contract"))
    form = rf.ForceMajeureForm(request.POST or None, instance=ForceMajeure(contract=contract))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        fm = run_service(form, lambda: remedies.record_force_majeure(contract, data))
        if fm is not None:
            messages.success(request, _("Force majeure notice recorded."))
            return redirect("incidents:force_majeure", pk=fm.pk)
    intro = _(
        "合同 十一: the party hit by force majeure notifies the other at once and gives a "
        "written explanation within 5 days of the event."
    )
    return _form_page(request, form, _("Force majeure notice, %(c)s") % {"c": contract.code}, intro)


@login_required
def force_majeure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fm = scoped_object(request.user, ForceMajeure.objects.select_related("contract"), pk)
    role = _role(request)
    explanation = rf.ExplanationForm(prefix="exp")
    decision = rf.DecisionForm(fm, prefix="dec", initial=_decision_initial(fm))
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "explanation":
            require_role(request.user, *NOTIFIERS)
            explanation = rf.ExplanationForm(request.POST, request.FILES, prefix="exp")
            if explanation.is_valid():
                d = explanation.cleaned_data
                if run_service(explanation, lambda: remedies.record_explanation(
                        fm, d["explanation_received_on"], d.get("explanation"))):  # fmt: skip
                    messages.success(request, _("Written explanation recorded."))
                    return redirect("incidents:force_majeure", pk=fm.pk)
        elif which == "decision":
            require_role(request.user, A)
            decision = rf.DecisionForm(fm, request.POST, prefix="dec")
            if decision.is_valid():
                d = dict(decision.cleaned_data)
                if run_service(
                    decision, lambda: remedies.decide_force_majeure(fm, d, _user(request))
                ):
                    messages.success(request, _("Decision recorded."))
                    return redirect("incidents:force_majeure", pk=fm.pk)
        else:
            raise Http404
    return render(
        request,
        "incidents/force_majeure.html",
        {
            "fm": fm,
            "overdue": fm.explanation_overdue(remedies.today()),
            "excused": remedies.excused_facts(fm),
            "explanation_form": explanation if role in NOTIFIERS else None,
            "decision_form": decision if role == A else None,
        },
    )


def _decision_initial(fm: ForceMajeure) -> dict[str, Any]:
    out: dict[str, Any] = {"decided_on": fm.decided_on, "decision": fm.decision}
    out.update({k: [f.pk for f in v] for k, v in remedies.excused_facts(fm).items()})
    return out


@login_required
def force_majeure_by_ref(request: HttpRequest, contract: int) -> HttpResponse:
    """The decision an `excused` reference names (the ticket page links here)."""
    require_role(request.user, *READERS)
    ref = request.GET.get("ref", "")
    if not ref.startswith(remedies.FM_PREFIX):
        raise Http404
    qs = scoped(request.user, ForceMajeure.objects.filter(contract_id=contract))
    fm = get_object_or_404(qs, code=ref[len(remedies.FM_PREFIX) :])
    return redirect("incidents:force_majeure", pk=fm.pk)


@login_required
def force_majeure_file(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_file(request, ForceMajeure.objects.all(), pk, "explanation")


# --- 合同 十.1 ---------------------------------------------------------------------


@login_required
def delay_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = scoped_object(request.user, ServiceDelay.objects.select_related("contract"), pk, A)
    form = rf.DelayAgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if run_service(form, lambda: remedies.agree_delay(delivery, data, _user(request))):
            messages.success(request, _("Agreed delay recorded: the due day moved."))
            return redirect(reverse("incidents:deliveries") + f"?contract={delivery.contract_id}")
    intro = _(
        "合同 十.1: the due day of a contracted delivery moves only with the bureau's written "
        "agreement to the vendor's notice of a delay. Due now: %(due)s."
    ) % {"due": delivery.due.isoformat()}
    return _form_page(request, form, _("Agreed delay: %(d)s") % {"d": delivery.obligation}, intro)


@login_required
def delay_agreement_file(request: HttpRequest, pk: int) -> FileResponse:
    if request.method not in ("GET", "HEAD"):
        raise Http404
    return _serve_file(
        request, DelayAgreement.objects.all(), pk, "document", contract="delivery__contract"
    )
