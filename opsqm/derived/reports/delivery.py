"""The worker's side of scheduled reports: produce a run's report with the reports'
own renderers and mail it through the outbound mail service; a failure is written
on the run (shown on the schedule's page) and the job retried with back-off."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsqm.derived.reports import services
from opsqm.derived.reports.models import ReportRun, RunStatus, ScheduledReport
from opsqm.facts.contracts.scoring import model_contract, safe_ledger
from opsqm.infra.audit.services import log_action
from opsqm.infra.jobs import registry
from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.services import retry_delay
from opsqm.infra.mail.models import OutboundKind
from opsqm.infra.mail.services import send_message
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.render_text import render_ledger

SEND_KIND = "reports.send"
ATTEMPTS = 4  # the first try and three retries: 5, 10 and 20 minutes later
RETRY_BASE = 300
RETRY_MAX = 3600

Attachment = tuple[str, bytes, str | None]


class Skip(Exception):
    """The run has nothing to report (its period is not in the contract)."""


def attachments(run: ReportRun) -> list[Attachment]:
    schedule = run.schedule
    contract = schedule.contract
    if schedule.report == ScheduledReport.LEDGER:
        ledger, problem = safe_ledger(contract, run.due_at)
        if ledger is None:
            raise RuntimeError(problem)

        stem = f"考核台账-{contract.code}-{run.period}"
        text = render_ledger(ledger, model_contract(contract)).encode()
        data = json.dumps(ledger_to_dict(ledger), ensure_ascii=False, indent=2).encode()
        return [(f"{stem}.txt", text, "text/plain"), (f"{stem}.json", data, "application/json")]
    attendance = schedule.report == ScheduledReport.ATTENDANCE
    kind, fmt = ("attendance", "xlsx") if attendance else ("quarterly", "pdf")
    if run.period not in services.periods(contract, kind):
        raise Skip(
            _("Period %(period)s is not in contract %(code)s's service period.")
            % {"period": run.period, "code": contract.code}
        )
    body, name, ctype = services.generate(contract, kind, run.period, fmt, now=run.due_at)
    return [(name, body, ctype)]


def _mail(run: ReportRun, files: list[Attachment], to: list[str]) -> str:
    schedule = run.schedule
    contract = schedule.contract
    subject = f"{contract.code} {schedule.get_report_display()} {run.period}"
    body = _(
        "The %(report)s of contract %(code)s (%(title)s) for %(period)s is attached.\n\n"
        "Sent by OpsQM on the schedule the assessor set; the schedule's page lists "
        "every run."
    ) % {
        "report": schedule.get_report_display(),
        "code": contract.code,
        "title": contract.title,
        "period": run.period,
    }
    return send_message(
        to=to, subject=subject, body=body, attachments=files, kind=OutboundKind.OTHER
    )


def deliver_run(run: ReportRun) -> dict[str, Any]:
    to = [u.email for u in run.schedule.recipients.filter(is_active=True) if u.email]
    if not to:
        raise registry.PermanentError(_("No recipient has an e-mail address."))
    with translation.override(settings.LANGUAGE_CODE):
        try:
            files = attachments(run)
        except Skip as exc:
            _finish(run, RunStatus.SKIPPED, "reports.run_skipped", error=str(exc))
            return {"skipped": str(exc)}
        message_id = _mail(run, files, to)
    _finish(run, RunStatus.SENT, "reports.run_sent", message_id=message_id, sent_to=to)
    return {"sent": message_id, "to": to}


def _finish(run: ReportRun, status: str, action: str, error: str = "", **fields: Any) -> None:
    with transaction.atomic():
        ReportRun.objects.filter(pk=run.pk).update(
            status=status,
            finished_at=timezone.now(),
            retry_at=None,
            last_error=error or run.last_error,
            attempts=run.attempts + 1,
            **fields,
        )
        log_action(
            action,
            obj=run,
            summary=f"{run.schedule} {run.period}",
            after={"status": status, "error": error, **fields},
        )


def record_failure(run: ReportRun, job: Job, exc: BaseException) -> None:
    """Write the attempt's error on the run: retried later, or failed for good."""
    final = isinstance(exc, registry.PermanentError) or job.attempts >= job.max_attempts
    now = timezone.now()
    error = f"{exc.__class__.__name__}: {exc}"[:4000]
    retry_at = None
    if not final:
        retry_at = now + datetime.timedelta(
            seconds=retry_delay(job.attempts, registry.get_handler(job.kind))
        )
    with transaction.atomic():
        ReportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED if final else RunStatus.RETRYING,
            attempts=run.attempts + 1,
            last_error=error,
            retry_at=retry_at,
            finished_at=now if final else None,
        )
        log_action(
            "reports.run_failed",
            obj=run,
            summary=f"{run.schedule} {run.period}",
            after={"attempt": run.attempts + 1, "final": final, "error": error},
        )
