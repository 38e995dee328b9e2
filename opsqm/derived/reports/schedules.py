"""Scheduled reports: the assessor's schedules (which report of which contract, to
whom, on which day) and the runs the worker makes of them.  docs/reports.md.

A schedule runs at 08:00 Beijing time on its day of each month (monthly) or of
January, April, July and October (quarterly).  A run reports on the period just
closed: the previous month's attendance result, the previous quarter's report; the
ledger summary is the ledger as it stands at the run."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.reports.models import (
    Frequency,
    ReportRun,
    ReportSchedule,
    RunStatus,
    ScheduledReport,
)
from opsqm.facts.contracts.access import visible_contracts
from opsqm.facts.contracts.dates import check_dates
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.roles import Role
from opsqm.infra.jobs.services import enqueue
from opsqm.pure.assessment.model import TZ

RUN_HOUR = 8  # Beijing time: the mail is there when the office opens
# The last run of a schedule falls at most this long after the contract's end (the
# last quarter's report is sent in the month after it).
AFTER_END = datetime.timedelta(days=100)
# Who may receive a scheduled report: the roles that read the reports pages.
RECEIVERS = (Role.ASSESSOR, Role.SERVICE_DESK, Role.SUPERVISOR, Role.VENDOR_MANAGER)
# What each report may be scheduled as.
FREQUENCIES: dict[str, tuple[str, ...]] = {
    ScheduledReport.ATTENDANCE: (Frequency.MONTHLY,),
    ScheduledReport.QUARTERLY: (Frequency.QUARTERLY,),
    ScheduledReport.LEDGER: (Frequency.MONTHLY, Frequency.QUARTERLY),
}
FIELDS = ("report", "frequency", "day", "starts_on", "active")


# --------------------------------------------------------------------------- dates


def _months(frequency: str) -> tuple[int, ...]:
    return (1, 4, 7, 10) if frequency == Frequency.QUARTERLY else tuple(range(1, 13))


def next_run(frequency: str, day: int, after: datetime.datetime) -> datetime.datetime:
    """The first run instant strictly after `after`."""
    local = after.astimezone(TZ)
    y, m = local.year, local.month
    while True:
        if m in _months(frequency):
            at = datetime.datetime(y, m, day, RUN_HOUR, tzinfo=TZ)
            if at > after:
                return at
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def first_run(
    schedule: ReportSchedule, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """The schedule's first run on or after its start day and after now; None when
    that falls past the contract's reporting (its end and a quarter more)."""
    now = now or timezone.now()
    start = datetime.datetime.combine(schedule.starts_on, datetime.time(), tzinfo=TZ)
    at = next_run(schedule.frequency, schedule.day, max(start - datetime.timedelta(seconds=1), now))
    return _within(schedule, at)


def _within(schedule: ReportSchedule, at: datetime.datetime) -> datetime.datetime | None:
    return at if at.astimezone(TZ).date() <= schedule.contract.end + AFTER_END else None


def _previous_month(day: datetime.date) -> str:
    first = day.replace(day=1) - datetime.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def _previous_quarter(day: datetime.date) -> str:
    q = (day.month - 1) // 3 + 1
    return f"{day.year - 1}Q4" if q == 1 else f"{day.year}Q{q - 1}"


def period_for(report: str, due: datetime.datetime) -> str:
    """The period a run due at `due` reports on."""
    day = due.astimezone(TZ).date()
    if report == ScheduledReport.ATTENDANCE:
        return _previous_month(day)
    if report == ScheduledReport.QUARTERLY:
        return _previous_quarter(day)
    return day.isoformat()  # the ledger as it stands at the run


# --------------------------------------------------------------------------- the schedules


def _check(schedule: ReportSchedule, recipients: list[Any]) -> None:
    errors: dict[str, Any] = {}
    allowed = FREQUENCIES.get(schedule.report, ())
    if schedule.report and schedule.frequency not in allowed:
        errors["frequency"] = _("The %(report)s can be sent only: %(allowed)s.") % {
            "report": schedule.get_report_display(),
            "allowed": ", ".join(str(Frequency(f).label) for f in allowed),
        }
    if not recipients:
        errors["recipients"] = _("Choose at least one recipient.")
    for user in recipients:
        problem = _recipient_problem(user, schedule)
        if problem:
            errors.setdefault("recipients", problem)
    if errors:
        raise ValidationError(errors)
    check_dates(
        schedule.contract,
        {"starts_on": schedule.starts_on},
        labels={"starts_on": str(ReportSchedule._meta.get_field("starts_on").verbose_name)},
    )
    if schedule.active and first_run(schedule) is None:
        raise ValidationError(
            {
                "starts_on": _("No run would fall before the contract's reporting ends (%(end)s).")
                % {"end": (schedule.contract.end + AFTER_END).isoformat()}
            }
        )


def _recipient_problem(user: Any, schedule: ReportSchedule) -> str:
    name = user.display_name if hasattr(user, "display_name") else user.username
    if not user.is_active or user.role not in RECEIVERS:
        return _("%(name)s may not receive reports.") % {"name": name}
    if not user.email:
        return _("%(name)s has no e-mail address.") % {"name": name}
    if not visible_contracts(user).filter(pk=schedule.contract_id).exists():
        return _("%(name)s may not see contract %(code)s.") % {
            "name": name,
            "code": schedule.contract.code,
        }
    return ""


def _state(schedule: ReportSchedule) -> dict[str, Any]:
    return {
        "contract": schedule.contract.code,
        **{f: str(getattr(schedule, f)) for f in FIELDS},
        "recipients": sorted(u.username for u in schedule.recipients.all()) if schedule.pk else [],
        "next_run_at": schedule.next_run_at,
    }


@transaction.atomic
def save_schedule(
    schedule: ReportSchedule, data: dict[str, Any], recipients: Iterable[Any], user: Any
) -> ReportSchedule:
    """Create (`schedule` unsaved) or change a schedule; the next run follows."""
    before = _state(schedule) if schedule.pk else None
    for name, value in data.items():
        if name in (*FIELDS, "contract"):
            setattr(schedule, name, value)
    people = list(recipients)
    schedule.full_clean(exclude=["recipients", "created_by", "next_run_at"])
    _check(schedule, people)
    schedule.next_run_at = first_run(schedule) if schedule.active else None
    created = schedule.pk is None
    if created:
        schedule.created_by = user
    schedule.save()
    schedule.recipients.set(people)
    log_action(
        "reports.schedule_created" if created else "reports.schedule_changed",
        obj=schedule,
        summary=str(schedule),
        before=before,
        after=_state(schedule),
    )
    return schedule


# --------------------------------------------------------------------------- the runs


def _start(run: ReportRun) -> ReportRun:
    """Queue the run's job (in the caller's transaction)."""
    from opsqm.derived.reports.delivery import ATTEMPTS, SEND_KIND

    run.job = enqueue(
        SEND_KIND, {"run": run.pk}, dedupe_key=f"{SEND_KIND}:{run.pk}", max_attempts=ATTEMPTS
    )
    run.save(update_fields=["job"])
    return run


def _new_run(schedule: ReportSchedule, due: datetime.datetime) -> ReportRun:
    run = ReportRun.objects.create(
        schedule=schedule, due_at=due, period=period_for(schedule.report, due)
    )
    log_action(
        "reports.run_started",
        obj=run,
        summary=f"{schedule} {run.period}",
        after={"schedule": schedule.pk, "due_at": due, "period": run.period},
    )
    return _start(run)


def start_due_runs(now: datetime.datetime | None = None) -> list[ReportRun]:
    """The worker's tick: a run for each schedule whose time has come.  After a long
    pause of the worker only the latest missed run is made (a stale month is not
    worth a mail); compare-and-set on `next_run_at` makes each run once."""
    now = now or timezone.now()
    runs = []
    due = ReportSchedule.objects.filter(active=True, next_run_at__lte=now).select_related(
        "contract"
    )
    for schedule in due:
        assert schedule.next_run_at is not None  # filtered
        at = schedule.next_run_at
        while (later := next_run(schedule.frequency, schedule.day, at)) <= now:
            at = later
        following = _within(schedule, next_run(schedule.frequency, schedule.day, at))
        with transaction.atomic():
            won = ReportSchedule.objects.filter(
                pk=schedule.pk, next_run_at=schedule.next_run_at
            ).update(next_run_at=following)
            if won:
                runs.append(_new_run(schedule, at))
    return runs


@transaction.atomic
def send_now(schedule: ReportSchedule, user: Any) -> ReportRun:
    """A run outside the calendar (the assessor's "send now"): the period the next
    scheduled run would report on is not yet closed, so it reports as of now."""
    now = timezone.now()
    if ReportRun.objects.filter(schedule=schedule, due_at=now).exists():
        raise ValidationError(_("A run of this schedule was just started."))
    return _new_run(schedule, now)


@transaction.atomic
def retry_run(run: ReportRun, user: Any) -> ReportRun:
    """Try a failed run again (the automatic retries are spent)."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.FAILED:
        raise ValidationError(_("Only a failed run can be tried again."))
    before = {"status": run.status, "attempts": run.attempts, "last_error": run.last_error}
    run.status, run.retry_at = RunStatus.QUEUED, None
    run.save(update_fields=["status", "retry_at"])
    log_action("reports.run_retried", obj=run, summary=str(run), before=before,
               after={"status": run.status})  # fmt: skip
    return _start(run)
