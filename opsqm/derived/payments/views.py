"""Payment pages: the schedule of a contract (with the assessor's forms) and the panel
the contract and settlement pages load (htmx; those apps sit below this one)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.derived.payments import services
from opsqm.derived.payments.models import Invoice, PaymentMade, PaymentPlan
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
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
            "dues": services.schedule(contract),
            "forms": bound if can_edit else None,
            "title": _("Payments"),
        },
    )


@login_required
def panel(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    return render(
        request,
        "payments/_panel.html",
        {"contract": contract, "dues": services.schedule(contract)},
    )
