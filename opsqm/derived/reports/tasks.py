"""Scheduled reports in the worker (docs/reports.md, docs/worker.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from opsqm.derived.reports.delivery import ATTEMPTS, RETRY_BASE, RETRY_MAX, SEND_KIND
from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import job, periodic


@job("reports.schedules", max_attempts=1)
def start_runs(_job: Any) -> dict[str, int]:
    from opsqm.derived.reports.schedules import start_due_runs

    return {"started": len(start_due_runs())}


@job(SEND_KIND, max_attempts=ATTEMPTS, retry_base=RETRY_BASE, retry_max=RETRY_MAX)
def send_run(job: Job) -> dict[str, Any]:
    from opsqm.derived.reports.delivery import deliver_run, record_failure
    from opsqm.derived.reports.models import ReportRun, RunStatus

    run = ReportRun.objects.select_related("schedule__contract__vendor").get(pk=job.payload["run"])
    if run.status in (RunStatus.SENT, RunStatus.SKIPPED):
        return {"already": run.status}  # a job given back after the work was done
    try:
        return deliver_run(run)
    except Exception as exc:
        record_failure(run, job, exc)
        raise


periodic(
    "reports.schedules",
    every=lambda: settings.OPSQM_REPORT_SCHEDULE_SECONDS,
    enabled=lambda: settings.OPSQM_REPORT_SCHEDULE_SECONDS > 0,  # 0: off
)
