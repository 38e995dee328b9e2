"""/reports/schedules/: the assessor's scheduled reports, their runs and errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.derived.reports import schedules
from opsqm.derived.reports.forms import ScheduleForm
from opsqm.derived.reports.models import ReportRun, ReportSchedule
from opsqm.facts.contracts.access import visible_contracts
from opsqm.infra.accounts.requests import AuthenticatedRequest
from opsqm.infra.core.access import require_role
from opsqm.infra.core.roles import Role
from opsqm.infra.core.viewkit import post_step, run_service

RUNS_SHOWN = 50


def _schedule(request: AuthenticatedRequest, pk: int) -> ReportSchedule:
    require_role(request.user, Role.ASSESSOR)
    qs = ReportSchedule.objects.filter(contract__in=visible_contracts(request.user))
    return get_object_or_404(qs.select_related("contract", "contract__vendor"), pk=pk)


@login_required
def schedule_list(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    last = ReportRun.objects.filter(schedule=OuterRef("pk")).order_by("-due_at", "-pk")
    rows = (
        ReportSchedule.objects.filter(contract__in=visible_contracts(request.user))
        .select_related("contract")
        .annotate(last_status=Subquery(last.values("status")[:1]))
        .annotate(last_period=Subquery(last.values("period")[:1]))
    )
    return render(request, "reports/schedules.html", {"schedules": rows})


def _form_page(
    request: AuthenticatedRequest, instance: ReportSchedule | None, title: str
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = ScheduleForm(data, user=request.user, instance=instance)
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        people = values.pop("recipients")
        target = instance or ReportSchedule()
        saved = run_service(
            form, lambda: schedules.save_schedule(target, values, people, request.user)
        )
        if saved is not None:
            messages.success(request, _("Schedule saved."))
            return redirect("reports:schedule", pk=saved.pk)
    return render(request, "reports/schedule_form.html", {"form": form, "title": title})


@login_required
def schedule_create(request: AuthenticatedRequest) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    return _form_page(request, None, _("New report schedule"))


@login_required
def schedule_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    return _form_page(request, schedule, _("Change report schedule"))


@login_required
def schedule_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    runs = list(schedule.runs.order_by("-due_at", "-pk")[:RUNS_SHOWN])
    recipients = list(schedule.recipients.order_by("username"))
    return render(
        request,
        "reports/schedule.html",
        {"schedule": schedule, "runs": runs, "recipients": recipients},
    )


@login_required
def schedule_send_now(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    return post_step(
        request,
        lambda: schedules.send_now(schedule, request.user),
        _("The report is being produced and mailed."),
        schedule_url(schedule),
    )


@login_required
def run_retry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ASSESSOR)
    run = get_object_or_404(
        ReportRun.objects.filter(schedule__contract__in=visible_contracts(request.user)), pk=pk
    )
    return post_step(
        request,
        lambda: schedules.retry_run(run, request.user),
        _("The run is tried again."),
        schedule_url(run.schedule),
    )


def schedule_url(schedule: ReportSchedule) -> str:
    return reverse("reports:schedule", args=[schedule.pk])
