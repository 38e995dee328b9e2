"""Vendor staff register pages: staff per contract, entry verification, replacements."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.forms import detached
from opsqm.facts.contracts.scoring import safe_ledger
from opsqm.facts.staff import services
from opsqm.facts.staff.compliance import replacement_statuses
from opsqm.facts.staff.forms import ReplacementForm, StaffForm, VerificationForm
from opsqm.facts.staff.models import Replacement, StaffMember
from opsqm.infra.accounts.models import User
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import can_manage_registers, require_role
from opsqm.infra.core.roles import VENDOR_ROLES, Role
from opsqm.infra.core.uploads import serve_protected
from opsqm.infra.core.viewkit import require_business, run_service, xlsx_response

FILE_FIELDS = ("resume", "degree_scan", "certificate_scan", "pledge_scan")
# The résumé and certificate scans are personal documents, for the assessor (who checks
# the qualifications) and the vendor (who supplied them); the bureau's other roles see
# the staff's names and roles only.
DOCUMENT_READERS = frozenset({Role.ASSESSOR, *VENDOR_ROLES})


def can_see_documents(user: User | AnonymousUser) -> bool:
    return getattr(user, "role", None) in DOCUMENT_READERS


def _visible_staff(user: User | AnonymousUser) -> Any:
    return StaffMember.objects.filter(contract__in=visible_contracts(user)).select_related(
        "contract", "verification"
    )


def _filtered(request: HttpRequest) -> tuple[Any, Any, Any]:
    require_business(request.user)
    contracts = visible_contracts(request.user).order_by("code")
    qs = _visible_staff(request.user).order_by("contract__code", "person")
    contract = None
    if request.GET.get("contract"):
        contract = get_object_or_404(contracts, pk=request.GET["contract"])
        qs = qs.filter(contract=contract)
    if request.GET.get("on_site") == "1":
        qs = qs.filter(on_site=True)
    if request.GET.get("active") == "1":
        qs = qs.filter(left_on__isnull=True)
    if request.GET.get("no_pledge") == "1":  # 合同 七.2: who has no signed 保密承诺书
        qs = qs.filter(Q(pledge_scan="") | Q(pledge_signed_on__isnull=True))
    return qs, contracts, contract


def _mask(user: User, id_number: str) -> str:
    if not id_number or user.role == Role.ASSESSOR:
        return id_number
    return id_number[:4] + "*" * max(len(id_number) - 8, 0) + id_number[-4:]


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    qs, contracts, contract = _filtered(request)
    ctx = {
        "staff": qs,
        "contracts": contracts,
        "contract": contract,
        "can_edit": can_manage_registers(request.user),
        "params": request.GET.urlencode(),
    }
    if getattr(request, "htmx", False):
        return render(request, "staff/_rows.html", ctx)
    return render(request, "staff/list.html", ctx)


@login_required
def staff_export(request: AuthenticatedRequest) -> HttpResponse:
    qs, _c, _k = _filtered(request)
    header = [
        _("Contract"),
        _("Code"),
        _("Name"),
        _("On site"),
        _("First day"),
        _("Left"),
        _("Verified on"),
        _("Pledge signed on"),
        _("ID card number"),
    ]
    rows = [
        [
            s.contract.code,
            s.person,
            s.name,
            _("yes") if s.on_site else _("no"),
            s.entered_on,
            s.left_on,
            s.verified_on,
            s.pledge_signed_on if s.has_pledge else None,
            _mask(request.user, s.id_number),
        ]
        for s in qs
    ]
    return xlsx_response("staff", header, rows)


@login_required
def staff_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_business(request.user)
    staff = get_object_or_404(_visible_staff(request.user), pk=pk)
    all_reps = Replacement.objects.filter(contract=staff.contract).select_related(
        "person_out", "person_in", "person_in__verification"
    )
    reps = [r for r in all_reps if staff.pk in (r.person_out_id, r.person_in_id)]
    ledger = safe_ledger(staff.contract)[0] if reps else None
    return render(
        request,
        "staff/detail.html",
        {
            "s": staff,
            "verification": getattr(staff, "verification", None),
            "id_number": _mask(request.user, staff.id_number),
            "statuses": replacement_statuses(reps, {staff.contract_id: ledger}),
            "can_edit": can_manage_registers(request.user),
            "files": [(f, getattr(staff, f)) for f in FILE_FIELDS if getattr(staff, f)],
            "can_see_documents": can_see_documents(request.user),
        },
    )


@login_required
def staff_file(request: HttpRequest, pk: int, field: str) -> FileResponse:
    require_business(request.user)
    if not can_see_documents(request.user):
        raise PermissionDenied
    if field not in FILE_FIELDS:
        raise Http404
    return serve_protected(_visible_staff(request.user), pk, field)


@login_required
def staff_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    staff = get_object_or_404(StaffMember, pk=pk) if pk else None
    if staff is not None:
        contract = staff.contract
    else:
        contract = get_object_or_404(
            visible_contracts(request.user), pk=request.GET.get("contract") or 0
        )
    form = StaffForm(
        request.POST or None,
        request.FILES or None,
        instance=detached(staff) if staff else StaffMember(contract=contract),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            lambda: (
                services.update_staff(staff, data)
                if staff
                else services.register_staff(contract, data)
            ),
        )
        if saved is not None:
            messages.success(request, _("Staff member %(p)s saved.") % {"p": saved})
            return redirect("staff:detail", pk=saved.pk)
    title = (
        _("Edit staff member %(p)s") % {"p": staff}
        if staff
        else _("New staff member of %(c)s") % {"c": contract.code}
    )
    return render(request, "registers/form.html", {"form": form, "title": title})


@login_required
def staff_verify(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    staff = get_object_or_404(StaffMember, pk=pk)
    existing = getattr(staff, "verification", None)
    form = VerificationForm(
        request.POST or None,
        instance=detached(existing) if existing else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.record_verification(staff, data, request.user))
        if saved is not None:
            messages.success(request, _("Entry verification recorded."))
            return redirect("staff:detail", pk=staff.pk)
    title = _("Entry verification of %(p)s (第五条)") % {"p": staff}
    return render(request, "registers/form.html", {"form": form, "title": title})


@login_required
def replacement_list(request: HttpRequest) -> HttpResponse:
    require_business(request.user)
    contracts = visible_contracts(request.user).order_by("code")
    qs = Replacement.objects.filter(contract__in=contracts).select_related(
        "contract", "person_out", "person_in", "person_in__verification"
    )
    contract = None
    if request.GET.get("contract"):
        contract = get_object_or_404(contracts, pk=request.GET["contract"])
        qs = qs.filter(contract=contract)
    reps = list(qs.order_by("-replaced_at"))
    ledgers = {
        cid: safe_ledger(reps_c)[0]
        for cid, reps_c in {r.contract_id: r.contract for r in reps}.items()
    }
    return render(
        request,
        "staff/replacements.html",
        {
            "statuses": replacement_statuses(reps, ledgers),
            "contracts": contracts,
            "contract": contract,
            "can_edit": can_manage_registers(request.user),
        },
    )


@login_required
def replacement_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    contract = get_object_or_404(
        visible_contracts(request.user), pk=request.GET.get("contract") or 0
    )
    form = ReplacementForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: services.register_replacement(contract, data))
        if saved is not None:
            messages.success(request, _("Replacement registered."))
            return redirect(f"{_url('staff:replacements')}?contract={contract.pk}")
    title = _("Replacement of staff, %(c)s (第六条)") % {"c": contract.code}
    return render(request, "registers/form.html", {"form": form, "title": title})


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
