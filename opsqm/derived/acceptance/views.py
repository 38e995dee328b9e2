"""Acceptance pages: the register matrix and workflow per contract, a deliverable's
versions and reviews, the checklist, the monthly inspections and the packages.
Views stay thin: every change goes through opsqm.derived.acceptance.services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from opsqm.derived.acceptance import services
from opsqm.derived.acceptance.models import (
    AcceptanceFile,
    ChecklistItem,
    Deliverable,
    DeliverableVersion,
    Inspection,
    InspectionResult,
    Kind,
    Package,
)
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.uploads import download_response
from opsqm.infra.core.viewkit import post_step

READERS = (Role.ASSESSOR, Role.SERVICE_DESK, Role.SUPERVISOR, Role.VENDOR_MANAGER)
INSPECTION_READERS = (*READERS, Role.VENDOR_ENGINEER)


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _contract(request: HttpRequest, code: str, roles: tuple[str, ...] = READERS) -> Contract:
    require_role(request.user, *roles)
    return get_object_or_404(visible_contracts(request.user), code=code)


def _scoped(request: HttpRequest, qs: QuerySet[Any], pk: int, roles: tuple[str, ...]) -> Any:
    require_role(request.user, *roles)
    return get_object_or_404(qs.filter(contract__in=visible_contracts(request.user)), pk=pk)


def _act(request: HttpRequest, step: Callable[[], Any], ok: str, back: str) -> HttpResponse:
    """A POST-only step (405 otherwise), after the caller's role and scope checks: the
    service's refusal becomes an error message; back to `back` either way."""
    return post_step(request, step, ok, back)


def _decide(request: HttpRequest, review: Callable[..., Any], ok: str, back: str) -> HttpResponse:
    """The supervisor's review of the application or of a document: approve, or return
    with comments (`review(approve=…, comments=…)` is the service)."""
    return _act(
        request,
        lambda: review(
            approve=request.POST.get("decision") == "approve",
            comments=request.POST.get("comments", ""),
        ),
        ok,
        back,
    )


# ------------------------------------------------------------------ register


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    files = {f.contract_id: f for f in AcceptanceFile.objects.all()}
    rows = [
        {"contract": c, "file": files.get(c.pk)}
        for c in visible_contracts(request.user).order_by("code")
    ]
    return render(request, "acceptance/index.html", {"rows": rows})


def _matrix(contract: Contract) -> tuple[list[dict[str, Any]], list[str], dict[str, int]]:
    """Rows: the 13 documents; columns: their periods (once → one cell)."""
    today = services.today()
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in Kind.values}
    counts = {"missing": 0, "late": 0, "accepted": 0, "total": 0}
    for d in services.deliverables(contract):
        late = services.is_late(d, today)
        by_kind[d.kind].append({"d": d, "late": late, "latest": services.latest_version(d)})
        if d.optional and d.state == Deliverable.State.MISSING:
            continue
        counts["total"] += 1
        counts["late"] += int(late)
        counts["missing"] += int(d.state == Deliverable.State.MISSING)
        counts["accepted"] += int(d.state == Deliverable.State.ACCEPTED)
    rows = [{"kind": k, "label": Kind(k).label, "cells": by_kind[k]} for k in Kind.values]
    return rows, [], counts


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    contract = _contract(request, code)
    file = services.ensure_register(contract)
    rows, _cols, counts = _matrix(contract)
    try:
        settlement_url = reverse("settlement:detail", args=[contract.code])
    except NoReverseMatch:  # pragma: no cover - the settlement app is optional
        settlement_url = ""
    role = _role(request)
    packages = list(Package.objects.filter(contract=contract).select_related("job")[:5])
    return render(
        request,
        "acceptance/detail.html",
        {
            "contract": contract,
            "file": file,
            "rows": rows,
            "counts": counts,
            "events": file.events.select_related("by"),
            "packages": packages,
            "settlement_url": settlement_url,
            "role": role,
            "is_vendor": role == Role.VENDOR_MANAGER,
            "is_supervisor": role == Role.SUPERVISOR,
            "is_assessor": role == Role.ASSESSOR,
            "can_package": role in services.PACKAGERS,
            "period_over": services.today() > contract.end,
        },
    )


@login_required
def settings_view(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, (Role.ASSESSOR,))

    def step() -> None:
        try:
            report = int(request.POST.get("report_due_days", ""))
            inspection = int(request.POST.get("inspection_due_days", ""))
        except ValueError as exc:
            raise ValidationError(_("Enter whole numbers of days.")) from exc
        services.set_due_days(
            contract, request.user, report_due_days=report, inspection_due_days=inspection
        )

    return _act(request, step, _("Due dates updated."), reverse("acceptance:detail", args=[code]))


@login_required
def apply(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, (Role.VENDOR_MANAGER,))
    return _act(
        request,
        lambda: services.apply_for_acceptance(contract, request.user),
        _("Acceptance applied for; the supervisor reviews the documents."),
        reverse("acceptance:detail", args=[code]),
    )


@login_required
def review_application(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, (Role.SUPERVISOR,))
    return _decide(
        request,
        partial(services.review_application, contract, request.user),
        _("Application reviewed."),
        reverse("acceptance:detail", args=[code]),
    )


@login_required
def accept(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, (Role.ASSESSOR,))
    return _act(
        request,
        lambda: services.accept(contract, request.user),
        _("The project is accepted."),
        reverse("acceptance:detail", args=[code]),
    )


@login_required
def package(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, services.PACKAGERS)
    return _act(
        request,
        lambda: services.request_package(contract, request.user),
        _("The package is being assembled."),
        reverse("acceptance:detail", args=[code]) + "#packages",
    )


@login_required
def package_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    pkg = _scoped(request, Package.objects.select_related("contract"), pk, READERS)
    return download_response(
        pkg.file, f"验收资料包-{pkg.contract.code}-{pkg.created_at:%Y%m%d-%H%M}.zip"
    )


# ------------------------------------------------------------------ deliverables


def _deliverable(request: HttpRequest, pk: int, roles: tuple[str, ...] = READERS) -> Deliverable:
    d: Deliverable = _scoped(
        request, Deliverable.objects.select_related("contract__vendor"), pk, roles
    )
    return d


@login_required
def deliverable(request: HttpRequest, pk: int) -> HttpResponse:
    d = _deliverable(request, pk)
    role = _role(request)
    return render(
        request,
        "acceptance/deliverable.html",
        {
            "d": d,
            "contract": d.contract,
            "versions": d.versions.select_related("uploaded_by"),
            "reviews": d.reviews.select_related("by", "version"),
            "late": services.is_late(d),
            "file": services.acceptance_file(d.contract),
            "is_vendor": role == Role.VENDOR_MANAGER,
            "is_supervisor": role == Role.SUPERVISOR,
        },
    )


@login_required
def upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    d = _deliverable(request, pk, (Role.VENDOR_MANAGER,))

    def step() -> None:
        f = request.FILES.get("file")
        if f is None:
            raise ValidationError(_("Choose a file."))
        services.upload_version(d, request.user, f, request.POST.get("note", ""))

    return _act(request, step, _("Version uploaded."), reverse("acceptance:deliverable", args=[pk]))


@login_required
def submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    d = _deliverable(request, pk, (Role.VENDOR_MANAGER,))
    return _act(
        request,
        lambda: services.submit_for_review(d, request.user),
        _("Sent to the supervisor."),
        reverse("acceptance:deliverable", args=[pk]),
    )


@login_required
def review_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    d = _deliverable(request, pk, (Role.SUPERVISOR,))
    return _decide(
        request,
        partial(services.review_deliverable, d, request.user),
        _("Review recorded."),
        reverse("acceptance:deliverable", args=[pk]),
    )


@login_required
def version_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_role(request.user, *READERS)
    v = get_object_or_404(
        DeliverableVersion.objects.filter(
            deliverable__contract__in=visible_contracts(request.user)
        ),
        pk=pk,
    )
    return download_response(v.file, v.name)


# ------------------------------------------------------------------ checklist


@login_required
def checklist(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, (Role.ASSESSOR,))
    if request.method == "POST":
        item_pk = request.POST.get("item")
        item = get_object_or_404(ChecklistItem, pk=item_pk, contract=contract) if item_pk else None

        def step() -> None:
            try:
                order = int(request.POST.get("order") or 0)
            except ValueError as exc:
                raise ValidationError(_("Enter a whole number.")) from exc
            services.save_checklist_item(
                contract,
                request.user,
                item=item,
                group=request.POST.get("group", ""),
                text=request.POST.get("text", ""),
                order=order,
                active=request.POST.get("active", "on") == "on",
            )

        return _act(
            request, step, _("Checklist saved."), reverse("acceptance:checklist", args=[code])
        )
    items = services.ensure_checklist(contract)
    return render(
        request,
        "acceptance/checklist.html",
        {"contract": contract, "items": items, "groups": ChecklistItem.Group.choices},
    )


# ------------------------------------------------------------------ inspections


@login_required
def inspections(request: AuthenticatedRequest, code: str) -> HttpResponse:
    contract = _contract(request, code, INSPECTION_READERS)
    role = _role(request)
    if request.method == "POST":
        require_role(request.user, *services.INSPECTORS)
        try:
            month = datetime.date.fromisoformat(request.POST.get("month", "") + "-01")
            insp = services.start_inspection(contract, month, request.user)
            return redirect("acceptance:inspection", pk=insp.pk)
        except (ValueError, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text or _("Choose a month."))
            return redirect("acceptance:inspections", code=code)
    return render(
        request,
        "acceptance/inspections.html",
        {
            "contract": contract,
            "inspections": contract.inspections.select_related("inspector"),
            "can_record": role in services.INSPECTORS,
            "this_month": f"{services.today():%Y-%m}",
        },
    )


def _inspection(
    request: HttpRequest, pk: int, roles: tuple[str, ...] = INSPECTION_READERS
) -> Inspection:
    qs = Inspection.objects.select_related("contract__vendor", "inspector")
    insp: Inspection = _scoped(request, qs, pk, roles)
    return insp


@login_required
def inspection(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk)
    role = _role(request)
    if request.method == "POST":
        require_role(request.user, *services.INSPECTORS)
        result = get_object_or_404(InspectionResult, pk=request.POST.get("result"), inspection=insp)
        return _act(
            request,
            lambda: services.record_result(
                result,
                request.user,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
                photo=request.FILES.get("photo"),
            ),
            _("Saved."),
            reverse("acceptance:inspection", args=[pk]) + f"#r{result.pk}",
        )
    results = list(insp.results.select_related("ticket"))
    groups: dict[str, list[InspectionResult]] = {}
    for r in results:
        groups.setdefault(str(r.get_group_display()), []).append(r)
    return render(
        request,
        "acceptance/inspection.html",
        {
            "insp": insp,
            "contract": insp.contract,
            "groups": groups,
            "open": sum(1 for r in results if not r.outcome),
            "can_record": role in services.INSPECTORS and insp.state == Inspection.State.DRAFT,
            "can_ticket": role == Role.SERVICE_DESK,
        },
    )


@login_required
def inspection_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk, services.INSPECTORS)
    return _act(
        request,
        lambda: services.complete_inspection(
            insp, request.user, summary=request.POST.get("summary", "")
        ),
        _("Inspection completed; its record is a version of the month's deliverable."),
        reverse("acceptance:inspection", args=[pk]),
    )


@login_required
def inspection_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from opsqm.derived.acceptance.printing import inspection_pdf as render_inspection

    insp = _inspection(request, pk)
    response = HttpResponse(render_inspection(insp), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            False, f"月度巡检记录-{insp.contract.code}-{insp.month:%Y-%m}.pdf"
        )
        or ""
    )
    return response


@login_required
def result_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_role(request.user, *INSPECTION_READERS)
    result = get_object_or_404(
        InspectionResult.objects.filter(inspection__contract__in=visible_contracts(request.user)),
        pk=pk,
    )
    return download_response(result.photo)


@login_required
def result_ticket(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.SERVICE_DESK)
    result = get_object_or_404(
        InspectionResult.objects.filter(
            inspection__contract__in=visible_contracts(request.user)
        ).select_related("inspection__contract", "inspection__inspector"),
        pk=pk,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = reverse("acceptance:inspection", args=[result.inspection_id])
    try:
        ticket = services.open_ticket(result, request.user)
        messages.success(request, _("Work order %(n)s opened.") % {"n": ticket.number})
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect(back)
