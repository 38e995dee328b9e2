"""Payment pages: the schedule of a contract (with the assessor's forms) and the panel
the contract and settlement pages load (htmx; those apps sit below this one)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.derived.payments import services, termination
from opsqm.derived.payments.models import Invoice, PaymentMade, PaymentPlan, Termination
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.uploads import serve_protected
from opsqm.infra.core.viewkit import run_service

READERS = (Role.ASSESSOR, Role.SUPERVISOR, Role.SERVICE_DESK, Role.VENDOR_MANAGER)
DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.ModelForm):
    class Meta:
        model = PaymentPlan
        fields = ("signed_on",)
        widgets = {"signed_on": DATE}


class InvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = services.INVOICE_FIELDS
        widgets = {"issued_on": DATE, "received_on": DATE}


class PaymentForm(forms.ModelForm):
    class Meta:
        model = PaymentMade
        fields = services.PAYMENT_FIELDS
        widgets = {"paid_on": DATE}


class TerminationForm(forms.ModelForm):
    class Meta:
        model = Termination
        fields = termination.TERMINATION_FIELDS
        widgets = {
            "notice_on": DATE,
            "received_on": DATE,
            "reason": forms.Textarea(attrs={"rows": 3}),
            "notice": forms.FileInput,
        }


FORMS = {
    "plan": (PlanForm, lambda c, d: services.set_signed_on(c, d["signed_on"])),
    "invoice": (InvoiceForm, services.register_invoice),
    "payment": (PaymentForm, services.record_payment),
}
SAVED = gettext_lazy("Saved.")


def _contract(request: HttpRequest, code: str) -> Contract:
    require_role(request.user, *READERS)
    return get_object_or_404(visible_contracts(request.user), code=code)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    can_edit = getattr(request.user, "role", "") == Role.ASSESSOR
    bound = {name: cls(prefix=name) for name, (cls, _call) in FORMS.items()}
    if request.method == "POST":
        require_role(request.user, Role.ASSESSOR)
        name = request.POST.get("form", "")
        if name in FORMS:
            cls, call = FORMS[name]
            form = cls(request.POST, prefix=name)
            bound[name] = form
            if form.is_valid() and run_service(
                form, lambda: call(contract, dict(form.cleaned_data))
            ):
                messages.success(request, str(SAVED))
                return redirect("payments:detail", code=contract.code)
    plan = PaymentPlan.objects.filter(contract=contract).first()
    return render(
        request,
        "payments/detail.html",
        {
            "contract": contract,
            "plan": plan,
            **_panel_context(contract),
            "forms": bound if can_edit else None,
            "title": _("Payments"),
        },
    )


def _panel_context(contract: Contract) -> dict[str, Any]:
    return {
        "contract": contract,
        "dues": services.schedule(contract),
        "termination": Termination.objects.filter(contract=contract).first(),
        "consequence": termination.consequence(contract),
    }


@login_required
def panel(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    return render(request, "payments/_panel.html", _panel_context(contract))


@login_required
def terminate(request: HttpRequest, code: str) -> HttpResponse:
    """Record (or correct) the bureau's termination (合同 十.2, 十.3): the assessor."""
    require_role(request.user, Role.ASSESSOR)
    contract = _contract(request, code)
    current = Termination.objects.filter(contract=contract).first()
    form = TerminationForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if run_service(form, lambda: termination.record_termination(contract, data)):
            messages.success(request, str(SAVED))
            return redirect("payments:detail", code=contract.code)
    right = termination.delays_over_15(contract, services.today())
    return render(
        request,
        "payments/terminate.html",
        {"contract": contract, "form": form, "right": right, "title": _("Termination")},
    )


@login_required
def termination_file(request: HttpRequest, code: str) -> FileResponse:
    contract = _contract(request, code)
    t = get_object_or_404(Termination, contract=contract)
    return serve_protected(Termination.objects.filter(contract=contract), t.pk, "notice")
