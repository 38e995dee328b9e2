"""Contracted deliveries (合同 十.2, D1): the register and its files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.forms import detached
from opsqm.facts.contracts.scoring import safe_ledger
from opsqm.facts.incidents import forms, services
from opsqm.facts.incidents.access import READERS, contract_param, scoped, scoped_object
from opsqm.facts.incidents.models import ServiceDelay
from opsqm.facts.incidents.views.common import A, _contract_filter, _form_page, _role, _serve_file
from opsqm.infra.core.access import require_role
from opsqm.infra.core.viewkit import run_service
from opsqm.pure.assessment.model import TZ


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    qs = scoped(
        request.user,
        ServiceDelay.objects.select_related("contract").prefetch_related("agreements"),
    )
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
