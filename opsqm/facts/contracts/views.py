"""Register pages: contracts, vendors, units."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from opsqm.facts.contracts import services
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.forms import (
    AgreementForm,
    ContractCreateForm,
    ContractForm,
    UnitForm,
    VendorForm,
    detached,
)
from opsqm.facts.contracts.models import Contract, SignedAgreement, Unit, Vendor
from opsqm.infra.accounts.models import User
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import can_manage_registers, require_role
from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES, Role
from opsqm.infra.core.spreadsheet import Money
from opsqm.infra.core.uploads import serve_protected
from opsqm.infra.core.viewkit import require_business, run_service, xlsx_response


def _contracts(request: HttpRequest) -> Any:
    qs = visible_contracts(request.user).prefetch_related("units").order_by("code")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(vendor__name__icontains=q))
    return qs, q


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    require_business(request.user)
    qs, q = _contracts(request)
    ctx = {"contracts": qs, "q": q, "can_edit": can_manage_registers(request.user)}
    if getattr(request, "htmx", False):
        return render(request, "contracts/_rows.html", ctx)
    return render(request, "contracts/list.html", ctx)


@login_required
def contract_export(request: HttpRequest) -> HttpResponse:
    require_business(request.user)
    qs, _q = _contracts(request)
    header = [
        _("Contract number"),
        _("Title"),
        _("Vendor"),
        _("Amount"),
        _("Final payment"),
        _("Start"),
        _("End"),
        _("Performance bond"),
        _("Rulebook"),
        _("Units served"),
    ]
    rows = [
        [
            c.code,
            c.title,
            c.vendor.name,
            Money(c.amount),  # ¥530,000.00 in the workbook, still a number
            Money(c.final_payment) if c.final_payment is not None else None,
            c.start,
            c.end,
            _("yes") if c.bond else _("no"),
            c.rulebook or _("default"),
            "、".join(u.name for u in c.units.all()),
        ]
        for c in qs
    ]
    return xlsx_response("contracts", header, rows)


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_business(request.user)
    contract = get_object_or_404(visible_contracts(request.user), pk=pk)
    staff = contract.staff.select_related("verification").order_by("person")
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "units": contract.units.all(),
            "staff": staff,
            "can_edit": can_manage_registers(request.user),
            "agreements": services.agreements_of(contract),
        },
    )


@login_required
def agreement_form(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """合同 七: record the signed 保密协议 or 廉洁协议 (the assessor)."""
    require_role(request.user, Role.ASSESSOR)
    contract = get_object_or_404(Contract, pk=pk)
    if kind not in SignedAgreement.Kind.values:
        raise Http404
    existing = SignedAgreement.objects.filter(contract=contract, kind=kind).first()
    instance = detached(existing) if existing else SignedAgreement(contract=contract, kind=kind)
    form = AgreementForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form, lambda: services.record_agreement(contract, kind, data, request.user)
        )
        if saved is not None:
            messages.success(request, _("%(a)s recorded.") % {"a": saved.get_kind_display()})
            return redirect("contracts:detail", pk=contract.pk)
    title = f"{contract.code}: {SignedAgreement.Kind(kind).label}"
    return render(request, "registers/form.html", {"form": form, "title": title})


@login_required
def agreement_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    require_business(request.user)
    contract = get_object_or_404(visible_contracts(request.user), pk=pk)
    agreement = get_object_or_404(SignedAgreement, contract=contract, kind=kind)
    return serve_protected(SignedAgreement.objects.all(), agreement.pk, "scan")


def _contract_form(request: HttpRequest, contract: Contract | None) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    instance = detached(contract) if contract else None
    form_class = ContractForm if contract else ContractCreateForm
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        saved = run_service(
            form,
            lambda: (
                services.update_contract(contract, data, units)
                if contract
                else services.create_contract(data, units)
            ),
        )
        if saved is not None:
            messages.success(request, _("Contract %(code)s saved.") % {"code": saved.code})
            return redirect("contracts:detail", pk=saved.pk)
    title = _("Edit contract %(code)s") % {"code": contract.code} if contract else _("New contract")
    return render(request, "registers/form.html", {"form": form, "title": title})


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    return _contract_form(request, None)


@login_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    return _contract_form(request, get_object_or_404(Contract, pk=pk))


# --- vendors ------------------------------------------------------------------


def _visible_vendors(user: User) -> Any:
    qs = Vendor.objects.annotate(n_contracts=Count("contracts")).order_by("name")
    if user.role in BUREAU_ROLES:
        return qs
    if user.role in VENDOR_ROLES and user.vendor_id is not None:
        return qs.filter(pk=user.vendor_id)
    return qs.none()


@login_required
def vendor_list(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, *BUREAU_ROLES, *VENDOR_ROLES)
    return render(
        request,
        "contracts/vendors.html",
        {
            "vendors": _visible_vendors(request.user),
            "can_edit": can_manage_registers(request.user),
        },
    )


@login_required
def vendor_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    vendor = get_object_or_404(Vendor, pk=pk) if pk else None
    form = VendorForm(request.POST or None, instance=detached(vendor) if vendor else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            lambda: (
                services.update_vendor(vendor, data) if vendor else services.create_vendor(data)
            ),
        )
        if saved is not None:
            messages.success(request, _("Vendor %(name)s saved.") % {"name": saved.name})
            return redirect("contracts:vendors")
    title = _("Edit vendor") if vendor else _("New vendor")
    return render(request, "registers/form.html", {"form": form, "title": title})


# --- units --------------------------------------------------------------------


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *BUREAU_ROLES)
    units = Unit.objects.annotate(n_contracts=Count("contracts")).order_by("name")
    return render(
        request,
        "contracts/units.html",
        {"units": units, "can_edit": can_manage_registers(request.user)},
    )


@login_required
def unit_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    form = UnitForm(request.POST or None, instance=detached(unit) if unit else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form, lambda: services.update_unit(unit, data) if unit else services.create_unit(data)
        )
        if saved is not None:
            messages.success(request, _("Unit %(name)s saved.") % {"name": saved.name})
            return redirect("contracts:units")
    title = _("Edit unit") if unit else _("New unit")
    return render(request, "registers/form.html", {"form": form, "title": title})
