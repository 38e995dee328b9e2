"""Attendance pages: imports and their review list, the month grid and the day of a
person, the monthly result (XLSX), leave requests and decisions, the DB calendar,
heads of unit, and replacement demands.  Views stay thin: services change state,
`opsqm.facts.attendance.month` reads the engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.attendance import forms as f
from opsqm.facts.attendance import services
from opsqm.facts.attendance.makeup import may_confirm
from opsqm.facts.attendance.models import (
    CalendarDay,
    CalendarYear,
    ImportBatch,
    UnitHead,
    UnmatchedPerson,
)
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.staff import services as staff_services
from opsqm.facts.staff.models import Leave, ReplacementDemand, StaffMember
from opsqm.infra.accounts.models import User
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES, Role
from opsqm.infra.core.spreadsheet import XLSX_CONTENT_TYPE
from opsqm.infra.core.viewkit import parse_as_of, post_step, require_business, run_service
from opsqm.pure.assessment.model import RULE_TITLES, TZ
from opsqm.pure.assessment.workcalendar import CalendarError

if TYPE_CHECKING:
    from opsqm.facts.attendance.month import MonthView

DEMAND_ROLES = (Role.ASSESSOR, Role.SERVICE_DESK)


def _as_of(request: HttpRequest) -> datetime:
    try:
        value = parse_as_of(request.GET.get("as_of"))
    except ValueError:
        value = None
    return (value or timezone.now()).astimezone(TZ)


def _role(request: HttpRequest) -> Any:
    return getattr(request.user, "role", None)


def _calendar_problem(request: HttpRequest, exc: CalendarError, title: str) -> HttpResponse:
    """A date no calendar covers: the message, the date and the way to fix it."""
    return render(
        request,
        "attendance/calendar_missing.html",
        {"title": title, "message": str(exc), "day": exc.day},
        status=200,
    )


def _visible_staff(user: User | AnonymousUser) -> Any:
    return StaffMember.objects.filter(contract__in=visible_contracts(user)).select_related(
        "contract"
    )


# --- index ------------------------------------------------------------------------------


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    require_business(request.user)
    today = timezone.localdate()
    # Each contract's month to open: this month, or the nearest one of its period.
    rows = [
        (c, f"{min(max(today, c.start), c.end):%Y-%m}")
        for c in visible_contracts(request.user).select_related("vendor").order_by("code")
    ]
    return render(
        request,
        "attendance/index.html",
        {
            "rows": rows,
            "can_import": services.can_import(request.user),
            "can_manage": _role(request) == Role.ASSESSOR,
            "can_demand": _role(request) in DEMAND_ROLES,
            "is_head": bool(services.heads_units(request.user)),
        },
    )


# --- imports ------------------------------------------------------------------------------


@login_required
def imports(request: AuthenticatedRequest) -> HttpResponse:
    if not services.can_import(request.user):
        raise PermissionDenied
    contracts = visible_contracts(request.user).order_by("code")
    form = f.UploadForm(request.POST or None, request.FILES or None, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = run_service(
            form,
            lambda: services.start_xlsx_import(request.user, data["file"], data["contract"]),
        )
        if batch is not None:
            return redirect("attendance:import_detail", pk=batch.pk)
    batches = services.visible_batches(request.user)[:50]
    return render(request, "attendance/imports.html", {"form": form, "batches": batches})


@login_required
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not services.can_import(request.user):
        raise PermissionDenied
    batch = get_object_or_404(services.visible_batches(request.user), pk=pk)
    staff = StaffMember.objects.filter(
        contract__in=services.batch_contracts(batch).filter(pk__in=visible_contracts(request.user))
    ).select_related("contract")
    earlier = (
        ImportBatch.objects.filter(file_hash=batch.file_hash, pk__lt=batch.pk)
        .exclude(file_hash="")
        .order_by("pk")
        .first()
    )
    if getattr(request, "htmx", False) and request.GET.get("part") == "body":
        template = "attendance/_import_body.html"
    else:
        template = "attendance/import_detail.html"
    return render(
        request,
        template,
        {
            "batch": batch,
            "people": batch.people.select_related("mapped_to"),
            "map_form": f.MapForm(staff=staff.order_by("contract__code", "person")),
            "earlier": earlier,
            "show_progress": _own_job(batch, request.user),
        },
    )


def _post_only(request: HttpRequest) -> HttpResponse | None:
    """After the access checks: an action fetched with GET is 405 (the matrix's
    design: 403/404 first for those who may not do it at all)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _own_job(batch: ImportBatch, user: User | AnonymousUser) -> bool:
    """The progress fragment is its job creator's only (opsqm.infra.jobs.views.progress)."""
    job = batch.job
    return job is not None and job.created_by_id == user.pk


def _review_row(request: AuthenticatedRequest, pk: int) -> UnmatchedPerson:
    if not services.can_import(request.user):
        raise PermissionDenied
    batches = services.visible_batches(request.user)
    return get_object_or_404(
        UnmatchedPerson.objects.filter(batch__in=batches).select_related("batch"), pk=pk
    )


@login_required
def unmatched_map(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    row = _review_row(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    staff = _visible_staff(request.user)
    form = f.MapForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            n = services.map_unmatched(row, form.cleaned_data["staff"], request.user)
            messages.success(
                request, _("Mapped to %(p)s: %(n)s punches added.") % {"p": row.mapped_to, "n": n}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a staff member."))
    return redirect("attendance:import_detail", pk=row.batch_id)


@login_required
def unmatched_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    row = _review_row(request, pk)
    if (refused := _post_only(request)) is not None:
        return refused
    return post_step(
        request,
        lambda: services.dismiss_unmatched(row, request.user),
        None,
        reverse("attendance:import_detail", args=[row.batch_id]),
        sep=" ",
    )


# --- month grid, result, day -----------------------------------------------------------------


def _month(request: HttpRequest) -> date:
    text = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    try:
        y, mth = (int(x) for x in text.split("-"))
        return date(y, mth, 1)
    except ValueError:
        raise Http404 from None


def _month_view(request: HttpRequest, pk: int) -> MonthView | HttpResponse:
    """The month view of a contract in the user's scope (`?month=YYYY-MM`, `?as_of=`),
    or the calendar problem page when no calendar covers a day of it."""
    require_business(request.user)
    contract = get_object_or_404(visible_contracts(request.user), pk=pk)
    first = _month(request)
    from opsqm.facts.attendance.month import month_view

    try:
        return month_view(contract, first, _as_of(request))
    except CalendarError as exc:
        return _calendar_problem(request, exc, f"{contract.code} {first:%Y-%m}")


@login_required
def month(request: HttpRequest, pk: int) -> HttpResponse:
    view = _month_view(request, pk)
    if isinstance(view, HttpResponse):
        return view
    prev = (view.first - timedelta(days=1)).replace(day=1)
    nxt = (view.first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "attendance/month.html",
        {"view": view, "contract": view.contract, "prev": prev, "next": nxt},
    )


@login_required
def month_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    view = _month_view(request, pk)
    if isinstance(view, HttpResponse):
        return view
    from opsqm.facts.attendance.month import month_xlsx as build

    resp = HttpResponse(build(view), content_type=XLSX_CONTENT_TYPE)
    name = f"attendance-{view.contract.pk}-{view.first:%Y-%m}.xlsx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@login_required
def day(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    require_business(request.user)
    staff = get_object_or_404(_visible_staff(request.user), pk=pk)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    from opsqm.facts.attendance.month import person_day

    try:
        pd = person_day(staff, when, _as_of(request))
    except CalendarError as exc:
        return _calendar_problem(request, exc, f"{staff} {when}")
    items = [(i, RULE_TITLES.get(i.rule, "")) for i in pd.items]
    # Every punch of the day as stored, with its kind; a makeup one with its confirmation.
    stored = [
        (p, may_confirm(request.user, p))
        for p in staff.punches.filter(at__date=when).select_related("confirmed_by")
    ]
    return render(request, "attendance/day.html", {"pd": pd, "items": items, "stored": stored})


# --- leave ------------------------------------------------------------------------------------


def _requestable_staff(user: User) -> Any:
    """Whose leave a user may ask for: an engineer his own records, a manager his staff."""
    qs = StaffMember.objects.filter(contract__in=visible_contracts(user)).select_related("contract")
    if user.role == Role.VENDOR_MANAGER:
        return qs
    if user.role == Role.VENDOR_ENGINEER:
        return qs.filter(account=user)
    return qs.none()


def _visible_leaves(user: User | AnonymousUser) -> Any:
    return Leave.objects.filter(person__contract__in=visible_contracts(user)).select_related(
        "person", "person__contract", "unit", "approver", "requested_by"
    )


def _can_decide(user: User, leave: Leave) -> bool:
    return bool(leave.unit_id and leave.unit_id in services.heads_units(user))


@login_required
def leaves(request: AuthenticatedRequest) -> HttpResponse:
    require_business(request.user)
    qs = _visible_leaves(request.user).order_by("-start")
    if _role(request) == Role.VENDOR_ENGINEER:
        qs = qs.filter(person__account=request.user)
    heads = services.heads_units(request.user)
    pending = qs.filter(pending=True, unit_id__in=heads) if heads else qs.none()
    return render(
        request,
        "attendance/leaves.html",
        {
            "leaves": qs[:200],
            "pending": pending,
            "can_request": _role(request) in VENDOR_ROLES,
        },
    )


@login_required
def leave_create(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, *VENDOR_ROLES)
    staff = _requestable_staff(request.user)
    units = visible_contracts(request.user).values_list("units", flat=True)
    from opsqm.facts.contracts.models import Unit

    form = f.LeaveRequestForm(
        request.POST or None,
        staff=staff,
        units=Unit.objects.filter(pk__in=units),
        initial={"staff": request.GET.get("staff")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form, lambda: staff_services.request_leave(data["staff"], data, request.user)
        )
        if saved is not None:
            messages.success(request, _("Request sent to the head of %(u)s.") % {"u": saved.unit})
            return redirect("attendance:leave_detail", pk=saved.pk)
    return render(request, "attendance/leave_form.html", {"form": form})


@login_required
def leave_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_business(request.user)
    leave = get_object_or_404(_visible_leaves(request.user), pk=pk)
    if _role(request) == Role.VENDOR_ENGINEER and leave.person.account_id != request.user.pk:
        raise Http404
    from opsqm.facts.attendance.month import leave_timeliness

    try:
        timeliness, calendar_message = leave_timeliness(leave), ""
    except CalendarError as exc:
        timeliness, calendar_message = None, str(exc)
    return render(
        request,
        "attendance/leave_detail.html",
        {
            "leave": leave,
            "t": timeliness,
            "calendar_message": calendar_message,
            "can_decide": leave.pending and _can_decide(request.user, leave),
            "form": f.DecideForm(),
        },
    )


@login_required
def leave_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.RECIPIENT)
    leave = get_object_or_404(_visible_leaves(request.user), pk=pk)
    if not _can_decide(request.user, leave):
        raise PermissionDenied
    if (refused := _post_only(request)) is not None:
        return refused
    form = f.DecideForm(request.POST)
    if form.is_valid():
        try:
            staff_services.decide_leave(
                leave,
                form.cleaned_data["decision"] == "approve",
                request.user,
                form.cleaned_data["note"],
            )
            messages.success(request, _("Decision recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("attendance:leave_detail", pk=leave.pk)


# --- calendar ---------------------------------------------------------------------------------


@login_required
def calendar_years(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *BUREAU_ROLES)
    can_edit = _role(request) == Role.ASSESSOR
    form = f.CalendarYearForm(request.POST or None)
    if request.method == "POST":
        require_role(request.user, Role.ASSESSOR)
        if form.is_valid():
            data = form.cleaned_data
            saved = run_service(
                form, lambda: services.add_calendar_year(data["year"], data["notes"])
            )
            if saved is not None:
                return redirect("attendance:calendar_year", year=saved.year)
    from opsqm.facts.attendance.calendar import package_covers

    this_year = timezone.localdate().year
    coverage = [(y, package_covers(y)) for y in range(this_year - 1, this_year + 4)]
    return render(
        request,
        "attendance/calendar.html",
        {
            "years": CalendarYear.objects.prefetch_related("days"),
            "form": form,
            "can_edit": can_edit,
            "coverage": coverage,
            "missing": request.GET.get("missing", ""),
        },
    )


@login_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    require_role(request.user, *BUREAU_ROLES)
    cy = get_object_or_404(CalendarYear, year=year)
    form = f.CalendarDayForm(request.POST or None)
    if request.method == "POST":
        require_role(request.user, Role.ASSESSOR)
        if form.is_valid():
            data = form.cleaned_data
            saved = run_service(
                form,
                lambda: services.add_calendar_day(cy, data["day"], data["kind"], data["name"]),
            )
            if saved is not None:
                return redirect("attendance:calendar_year", year=year)
    return render(
        request,
        "attendance/calendar_year.html",
        {
            "cy": cy,
            "days": cy.days.all(),
            "form": form,
            "can_edit": _role(request) == Role.ASSESSOR,
        },
    )


@login_required
def calendar_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    d = get_object_or_404(CalendarDay.objects.select_related("year"), pk=pk)
    if (refused := _post_only(request)) is not None:
        return refused
    year = d.year.year
    services.remove_calendar_day(d)
    return redirect("attendance:calendar_year", year=year)


# --- heads of unit -----------------------------------------------------------------------------


@login_required
def unit_heads(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    form = f.UnitHeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(form, lambda: services.set_unit_head(data["unit"], data["user"])):
            return redirect("attendance:unit_heads")
    heads = UnitHead.objects.select_related("unit", "user").order_by("unit__name")
    return render(request, "attendance/unit_heads.html", {"heads": heads, "form": form})


@login_required
def unit_head_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    if (refused := _post_only(request)) is not None:
        return refused
    services.remove_unit_head(get_object_or_404(UnitHead, pk=pk))
    return redirect("attendance:unit_heads")


# --- replacement demands (合同 六(二)1) --------------------------------------------------------


@login_required
def demands(request: HttpRequest) -> HttpResponse:
    require_business(request.user)
    now = timezone.now()
    qs = (
        ReplacementDemand.objects.filter(contract__in=visible_contracts(request.user))
        .select_related("contract", "person", "fulfilled_by", "fulfilled_by__person_in")
        .order_by("fulfilled_by", "due")
    )
    rows = []
    for d in qs:
        done_at = d.fulfilled_by.replaced_at if d.fulfilled_by else None
        if done_at is not None:
            state = "ok" if done_at <= d.due else "late"
        else:
            state = "overdue" if now > d.due else "open"
        rows.append({"d": d, "state": state, "done_at": done_at})
    can = _role(request) in DEMAND_ROLES
    form = f.DemandForm(
        request.POST or None, staff=_visible_staff(request.user).filter(left_on__isnull=True)
    )
    if request.method == "POST":
        require_role(request.user, *DEMAND_ROLES)
        if form.is_valid():
            data = form.cleaned_data
            saved = run_service(
                form,
                lambda: staff_services.demand_replacement(
                    data["staff"], data["reason"], request.user
                ),
            )
            if saved is not None:
                messages.success(
                    request,
                    _("Replacement demanded; due %(d)s.")
                    % {"d": timezone.localtime(saved.due).strftime("%Y-%m-%d %H:%M")},
                )
                return redirect(reverse("attendance:demands"))
    return render(
        request, "attendance/demands.html", {"rows": rows, "form": form, "can_demand": can}
    )
