"""Scheduled reports (issue 15 §3): the assessor's schedules, their dates, and the
worker mailing a due report through the real loopback mail server, a failed run
shown and retried with back-off."""

from __future__ import annotations

import datetime
import email
from email import policy
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opsqm.derived.reports import schedules
from opsqm.derived.reports.models import ReportRun, ReportSchedule, RunStatus
from opsqm.facts.contracts.models import Contract
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.jobs.models import Job, JobStatus
from opsqm.infra.jobs.services import enqueue
from opsqm.infra.jobs.worker import Worker
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)


def test_run_dates_and_periods() -> None:
    assert schedules.next_run("monthly", 5, at(2025, 3, 5, 8)) == at(2025, 4, 5, 8)
    assert schedules.next_run("monthly", 5, at(2025, 3, 5, 7, 59)) == at(2025, 3, 5, 8)
    assert schedules.next_run("monthly", 28, at(2025, 12, 30)) == at(2026, 1, 28, 8)
    assert schedules.next_run("quarterly", 3, at(2025, 2, 1)) == at(2025, 4, 3, 8)
    assert schedules.next_run("quarterly", 3, at(2025, 10, 3, 9)) == at(2026, 1, 3, 8)
    assert schedules.period_for("attendance", at(2026, 1, 5, 8)) == "2025-12"
    assert schedules.period_for("attendance", at(2025, 7, 5, 8)) == "2025-06"
    assert schedules.period_for("quarterly", at(2026, 1, 3, 8)) == "2025Q4"
    assert schedules.period_for("quarterly", at(2025, 7, 3, 8)) == "2025Q2"
    assert schedules.period_for("ledger", at(2025, 7, 3, 8)) == "2025-07-03"


@pytest.fixture
def current(vendor_a: Any, unit_a: Any) -> Contract:
    """A contract in service now (the fixtures' contract A is of 2025)."""
    today = timezone.localdate()
    c = Contract.objects.create(
        code="BJJY-NOW-001",
        title="当前运维服务",
        vendor=vendor_a,
        amount=1000000,
        final_payment=300000,
        start=today - datetime.timedelta(days=200),
        end=today + datetime.timedelta(days=160),
    )
    c.units.add(unit_a)
    return c


def _save(contract: Any, user: Any, people: list[Any], **data: Any) -> ReportSchedule:
    values = {
        "contract": contract,
        "report": "attendance",
        "frequency": "monthly",
        "day": 5,
        "starts_on": contract.start,
        "active": True,
        **data,
    }
    return schedules.save_schedule(ReportSchedule(), values, people, user)


def test_schedule_is_checked_and_field_named(
    current: Any, assessor: Any, vendor_manager: Any, other_vendor_manager: Any, recipient: Any
) -> None:
    assessor.email = "kh@bureau.test"
    assessor.save()
    cases = [
        ({"frequency": "quarterly"}, [assessor], "frequency"),
        ({"report": "quarterly", "frequency": "monthly"}, [assessor], "frequency"),
        ({"day": 31}, [assessor], "day"),
        ({}, [], "recipients"),
        ({}, [vendor_manager], "recipients"),  # no e-mail address
        ({}, [recipient], "recipients"),  # a unit's user gets no reports
        ({"starts_on": current.start - datetime.timedelta(days=1)}, [assessor], "starts_on"),
        ({"starts_on": current.end + datetime.timedelta(days=400)}, [assessor], "starts_on"),
        ({"starts_on": current.end + datetime.timedelta(days=120)}, [assessor], "starts_on"),
    ]
    other_vendor_manager.email = "b@vendor-b.test"
    other_vendor_manager.save()
    cases.append(({}, [other_vendor_manager], "recipients"))  # another vendor's contract
    for data, people, field in cases:
        with pytest.raises(ValidationError) as err:
            _save(current, assessor, people, **data)
        assert field in err.value.message_dict, (data, err.value.message_dict)
    assert not ReportSchedule.objects.exists()
    s = _save(current, assessor, [assessor], day=7)
    assert s.next_run_at is not None and s.next_run_at > timezone.now()
    local = s.next_run_at.astimezone(TZ)
    assert (local.day, local.hour) == (7, 8)
    assert AuditRecord.objects.filter(action="reports.schedule_created").count() == 1


def _run_jobs() -> int:
    Job.objects.filter(status=JobStatus.QUEUED).update(run_after=timezone.now())
    return Worker(name="test", manage_connections=False).run_once()


def _tick() -> None:
    """The periodic tick now (its next turn is minutes away)."""
    enqueue("reports.schedules")
    _run_jobs()
    _run_jobs()


def _due(schedule: ReportSchedule) -> None:
    """Bring the schedule's time: its run was due an hour ago."""
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_run_at=timezone.now() - datetime.timedelta(hours=1)
    )


def _inbox(server: Any, account: Any) -> list[email.message.EmailMessage]:
    conn = server.imap(account)
    conn.select("INBOX", readonly=True)
    _, data = conn.uid("SEARCH", None, "ALL")
    out = []
    for uid in data[0].split():
        _, parts = conn.uid("FETCH", uid, "(RFC822)")
        out.append(email.message_from_bytes(parts[0][1], policy=policy.default))
    conn.logout()
    return out


def test_a_due_schedule_is_mailed_by_the_worker(
    mailboxes: Any, settings: Any, current: Any, assessor: Any, vendor_manager: Any
) -> None:
    settings.OPSQM_REPORT_SCHEDULE_SECONDS = 300
    vendor_manager.email = mailboxes.vendor_account.address
    vendor_manager.save()
    schedule = _save(current, assessor, [vendor_manager])
    _run_jobs()  # the worker's periodic tick: nothing due yet
    assert Job.objects.filter(kind="reports.schedules", status=JobStatus.DONE).count() == 1
    assert not ReportRun.objects.exists()
    _due(schedule)
    _tick()  # the tick makes the run, and the run is sent
    run = ReportRun.objects.get()
    assert run.status == RunStatus.SENT, run.last_error
    assert run.sent_to == [mailboxes.vendor_account.address]
    schedule.refresh_from_db()
    assert schedule.next_run_at is not None and schedule.next_run_at > timezone.now()
    mails = _inbox(mailboxes.server, mailboxes.vendor_account)
    assert len(mails) == 1 and mails[0]["Message-ID"] == run.message_id
    names = [p.get_filename() for p in mails[0].iter_attachments()]
    assert names == [f"考勤结果-{current.code}-{run.period}.xlsx"]
    assert current.code in str(mails[0]["Subject"])
    # the tick again: nothing more is due, nothing sent twice
    _tick()
    assert ReportRun.objects.count() == 1


def test_a_failed_run_is_shown_and_retried_with_back_off(
    mailboxes: Any, settings: Any, current: Any, assessor: Any, login: Any
) -> None:
    assessor.email = mailboxes.vendor_account.address
    assessor.save()
    schedule = _save(current, assessor, [assessor], report="ledger", frequency="quarterly")
    good_port = settings.MAIL_SMTP_PORT
    settings.MAIL_SMTP_PORT = 1  # nothing listens: the SMTP server is down
    run = schedules.send_now(schedule, assessor)
    _run_jobs()
    run.refresh_from_db()
    assert run.status == RunStatus.RETRYING and run.attempts == 1
    assert "SMTP" in run.last_error and run.retry_at is not None
    job = Job.objects.get(pk=run.job_id)
    assert job.status == JobStatus.QUEUED and job.run_after > timezone.now()
    # back-off: 5 minutes, then 10
    assert 290 <= (job.run_after - timezone.now()).total_seconds() <= 300
    page = login(assessor).get(f"/reports/schedules/{schedule.pk}/").content.decode()
    assert "Failed, will be retried" in page or "失败" in page
    assert "SMTP" in page
    _run_jobs()
    job.refresh_from_db()
    assert 590 <= (job.run_after - timezone.now()).total_seconds() <= 600
    for _ in range(2):  # the last attempts
        _run_jobs()
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.attempts == 4
    assert job.status == JobStatus.FAILED
    # the server is back; the assessor tries the run again
    settings.MAIL_SMTP_PORT = good_port
    response = login(assessor).post(f"/reports/schedules/runs/{run.pk}/retry/")
    assert response.status_code == 302
    _run_jobs()
    run.refresh_from_db()
    assert run.status == RunStatus.SENT, run.last_error
    mails = _inbox(mailboxes.server, mailboxes.vendor_account)
    names = [p.get_filename() for p in mails[0].iter_attachments()]
    assert names == [f"考核台账-{current.code}-{run.period}.{x}" for x in ("txt", "json")]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"reports.run_failed", "reports.run_retried", "reports.run_sent"} <= actions


def test_assessor_manages_schedules_by_page_and_api(
    current: Any, assessor: Any, vendor_manager: Any, login: Any
) -> None:
    vendor_manager.email = "manager@vendor-a.test"
    vendor_manager.save()
    client = login(assessor)
    assert client.get("/reports/schedules/new/").status_code == 200
    form = {
        "contract": current.pk,
        "report": "quarterly",
        "frequency": "quarterly",
        "day": 3,
        "starts_on": (current.start - datetime.timedelta(days=3)).isoformat(),
        "recipients": [vendor_manager.pk],
        "active": "on",
    }
    page = client.post("/reports/schedules/new/", form)
    assert page.status_code == 200 and not ReportSchedule.objects.exists()
    assert "before the contract" in page.content.decode() or "服务期" in page.content.decode()
    form["starts_on"] = current.start.isoformat()
    response = client.post("/reports/schedules/new/", form)
    schedule = ReportSchedule.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{schedule.pk}/")
    listing = client.get("/reports/schedules/").content.decode()
    assert f'data-schedule="{schedule.pk}"' in listing
    # the API: the same service, the same errors keyed by field
    body = {
        "contract": current.code,
        "report": "attendance",
        "frequency": "quarterly",
        "day": 10,
        "starts_on": current.start.isoformat(),
        "recipients": [vendor_manager.username],
    }
    bad = client.post("/api/v1/report-schedules/", body, content_type="application/json")
    assert bad.status_code == 400 and "frequency" in bad.json()
    body["frequency"] = "monthly"
    made = client.post("/api/v1/report-schedules/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["next_run_at"] and made.json()["runs"] == []
    paused = client.patch(
        f"/api/v1/report-schedules/{pk}/", {"active": False}, content_type="application/json"
    )
    assert paused.status_code == 200 and paused.json()["next_run_at"] is None
    started = client.post(f"/api/v1/report-schedules/{pk}/send-now/")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    assert login(vendor_manager).get("/api/v1/report-schedules/").status_code == 403
