"""The job queue: enqueue, claim, run, retry, fail, stale locks, progress."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from opsqm.infra.jobs.models import Job, JobStatus
from opsqm.infra.jobs.services import (
    claim,
    enqueue,
    recover_stale,
    retry_delay,
    run_job,
    set_progress,
)
from opsqm.infra.jobs.worker import Worker

pytestmark = pytest.mark.django_db


def _worker() -> Worker:
    return Worker(name="test", manage_connections=False)


def test_enqueue_refuses_an_unknown_kind(handlers: Any) -> None:
    with pytest.raises(ValueError, match="no job handler"):
        enqueue("t.nobody", {})


def test_enqueue_claim_run_done(handlers: Any) -> None:
    job = enqueue("t.ok", {"ticket": "GD-2025-0001"})
    assert job.status == JobStatus.QUEUED and job.attempts == 0
    claimed = claim("w1")
    assert claimed is not None and claimed.pk == job.pk
    assert claimed.status == JobStatus.RUNNING and claimed.locked_by == "w1"
    assert claimed.attempts == 1
    assert claim("w2") is None  # nothing else is due
    assert run_job(claimed, "w1") == JobStatus.DONE
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result == {"echo": {"ticket": "GD-2025-0001"}}
    assert job.progress == 100 and job.finished_at is not None and job.locked_by == ""
    assert handlers.seen == [("ok", job.pk, {"ticket": "GD-2025-0001"})]


def test_jobs_run_in_order_and_not_before_run_after(handlers: Any) -> None:
    later = enqueue("t.ok", {"n": 3}, run_after=timezone.now() + datetime.timedelta(hours=1))
    first = enqueue("t.ok", {"n": 1})
    second = enqueue("t.ok", {"n": 2})
    assert _worker().run_once() == 2
    assert [s[2]["n"] for s in handlers.seen] == [1, 2]
    later.refresh_from_db()
    assert later.status == JobStatus.QUEUED
    assert {first.pk, second.pk} == set(
        Job.objects.filter(status=JobStatus.DONE).values_list("pk", flat=True)
    )


def test_dedupe_key_returns_the_active_job(handlers: Any) -> None:
    a = enqueue("t.ok", {"n": 1}, dedupe_key="report:2025-06")
    b = enqueue("t.ok", {"n": 2}, dedupe_key="report:2025-06")
    assert a.pk == b.pk
    _worker().run_once()
    c = enqueue("t.ok", {"n": 3}, dedupe_key="report:2025-06")  # the first one is done
    assert c.pk != a.pk


def test_a_failing_job_is_retried_with_backoff_then_failed(handlers: Any) -> None:
    job = enqueue("t.boom", {})
    assert job.max_attempts == 3  # from the handler's registration
    before = timezone.now()
    assert run_job(claim("w") or job, "w") == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.attempts == 1 and job.status == JobStatus.QUEUED
    assert "printer on fire" in job.last_error
    assert job.run_after >= before + datetime.timedelta(seconds=retry_delay(1) - 1)
    assert claim("w") is None  # backing off
    for attempt in (2, 3):
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        status = run_job(claim("w") or job, "w")
        assert status == (JobStatus.QUEUED if attempt < 3 else JobStatus.FAILED)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 3 and job.finished_at
    assert [s[2] for s in handlers.seen] == [1, 2, 3]


def test_backoff_grows_and_is_capped(settings: Any) -> None:
    settings.JOBS_RETRY_BASE_SECONDS = 10
    settings.JOBS_RETRY_MAX_SECONDS = 60
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_retry_request_and_permanent_error(handlers: Any) -> None:
    retry = enqueue("t.retry", {})
    permanent = enqueue("t.permanent", {})
    _worker().run_once()  # t.retry asks for after=0: it runs again at once, then fails
    retry.refresh_from_db()
    permanent.refresh_from_db()
    assert retry.status == JobStatus.FAILED and retry.attempts == 2
    assert retry.last_error == "not yet"
    assert permanent.status == JobStatus.FAILED and permanent.attempts == 1
    assert permanent.last_error == "no such ticket"


def test_a_job_without_handler_fails(handlers: Any) -> None:
    job = Job.objects.create(kind="t.gone", payload={})
    _worker().run_once()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "No handler" in job.last_error


def test_progress_is_recorded_and_clamped(handlers: Any) -> None:
    job = enqueue("t.progress", {})
    _worker().run_once()
    assert handlers.seen == [("progress", 40, "halfway there"), ("progress", 100, "clamped")]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100


def test_stale_lock_is_recovered_and_the_lost_worker_cannot_finish(
    handlers: Any, settings: Any
) -> None:
    settings.JOBS_STALE_AFTER_SECONDS = 60
    job = enqueue("t.ok", {})
    lost = claim("w-lost")
    assert lost is not None
    assert recover_stale() == 0  # fresh lock
    Job.objects.filter(pk=job.pk).update(locked_at=timezone.now() - datetime.timedelta(minutes=5))
    assert recover_stale() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "w-lost" in job.last_error
    # Another worker takes it; the lost one wakes up and must not overwrite.
    again = claim("w-new")
    assert again is not None and again.attempts == 2
    run_job(lost, "w-lost")
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.locked_by == "w-new"
    run_job(again, "w-new")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_progress_is_a_heartbeat(handlers: Any, settings: Any) -> None:
    settings.JOBS_STALE_AFTER_SECONDS = 60
    enqueue("t.ok", {})
    job = claim("w")
    assert job is not None
    Job.objects.filter(pk=job.pk).update(locked_at=timezone.now() - datetime.timedelta(minutes=5))
    set_progress(job, 10, "still here")
    assert recover_stale() == 0


def test_stale_job_out_of_attempts_fails(handlers: Any, settings: Any) -> None:
    settings.JOBS_STALE_AFTER_SECONDS = 60
    job = enqueue("t.ok", {}, max_attempts=1)
    claim("w")
    Job.objects.filter(pk=job.pk).update(locked_at=timezone.now() - datetime.timedelta(hours=1))
    assert recover_stale() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_enqueue_keeps_the_creator(handlers: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("creator", password="x", role="assessor")
    job = enqueue("t.ok", {}, created_by=user)
    assert job.created_by == user


def test_a_scheduled_job_is_logged_at_debug_and_any_other_at_info(
    handlers: Any, caplog: Any
) -> None:
    """Polling the mailbox every few seconds must not bury the console of `make run`."""
    import logging

    from opsqm.infra.jobs.services import SCHEDULE_KEY_PREFIX

    enqueue("t.ok", {"n": 1}, dedupe_key=f"{SCHEDULE_KEY_PREFIX}mail.poll")
    worker = _worker()
    with caplog.at_level(logging.DEBUG, logger="opsqm.infra.jobs.worker"):
        assert worker.run_one()
        enqueue("t.ok", {"n": 2})
        assert worker.run_one()
    levels = [r.levelno for r in caplog.records if "running" in r.getMessage()]
    assert levels == [logging.DEBUG, logging.INFO]
