"""Enqueue, claim, run, retry and schedule jobs.  See docs/worker.md."""

from __future__ import annotations

import datetime
import logging
import traceback
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from opsqm.infra.jobs import registry
from opsqm.infra.jobs.models import ACTIVE_STATUSES, Job, JobStatus, Schedule, WorkerHeartbeat

log = logging.getLogger(__name__)
# The dedupe key of a job a schedule enqueued (`run_schedules`): `schedule:<name>`.
SCHEDULE_KEY_PREFIX = "schedule:"

_current_job: ContextVar[Job | None] = ContextVar("opsqm_current_job", default=None)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def retry_delay(attempts: int, spec: registry.HandlerSpec | None = None) -> float:
    """Seconds to wait before attempt `attempts + 1`: exponential, capped."""
    base = (spec.retry_base if spec and spec.retry_base is not None else None) or _setting(
        "JOBS_RETRY_BASE_SECONDS", 10
    )
    cap = (spec.retry_max if spec and spec.retry_max is not None else None) or _setting(
        "JOBS_RETRY_MAX_SECONDS", 3600
    )
    return float(min(base * 2 ** max(0, attempts - 1), cap))


def stale_after(spec: registry.HandlerSpec | None) -> float:
    """Seconds without a heartbeat after which a running job of `spec`'s kind is
    taken for lost (the kind's `stale_after`, a number or a callable)."""
    if spec is not None and spec.stale_after is not None:
        value = spec.stale_after
        return float(value() if callable(value) else value)
    return _setting("JOBS_STALE_AFTER_SECONDS", 15 * 60)


def heartbeat(job: Job, worker_id: str) -> bool:
    """Refresh the lock of a job this worker still holds (the worker's heartbeat
    thread calls it while the job runs); False once the lock is lost."""
    return bool(
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, locked_by=worker_id).update(
            locked_at=timezone.now()
        )
    )


def _json(value: Any) -> Any:
    """What a JSON column will store: reject what it cannot."""
    import json

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    run_after: datetime.datetime | None = None,
    dedupe_key: str | None = None,
    *,
    max_attempts: int | None = None,
    created_by: Any = None,
) -> Job:
    """Queue a job of a registered `kind`.

    With `dedupe_key`, a job with the same key that is still queued or running is
    returned instead of a new one.  Inside the caller's transaction the job appears
    only if that transaction commits."""
    spec = registry.get_handler(kind)
    if spec is None:
        raise ValueError(f"no job handler is registered for {kind!r}")
    fields: dict[str, Any] = {
        "kind": kind,
        "payload": _json(payload or {}),
        "run_after": run_after or timezone.now(),
        "dedupe_key": dedupe_key or "",
        "max_attempts": max_attempts or spec.max_attempts,
        "created_by": created_by if getattr(created_by, "is_authenticated", False) else None,
    }
    if not dedupe_key:
        return Job.objects.create(**fields)
    for _ in range(3):
        existing = Job.objects.filter(dedupe_key=dedupe_key, status__in=ACTIVE_STATUSES).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Job.objects.create(**fields)
        except IntegrityError:
            continue  # another process queued it first: return theirs
    raise RuntimeError(f"could not enqueue {kind!r} with dedupe key {dedupe_key!r}")


def claim(worker_id: str, kinds: list[str] | None = None) -> Job | None:
    """Take the next due job for `worker_id`, or None.

    PostgreSQL (and any database with SKIP LOCKED): the oldest due row is locked
    with `SELECT … FOR UPDATE SKIP LOCKED` and marked running in one transaction,
    so concurrent workers pass over each other's rows.  SQLite: a conditional
    `UPDATE … WHERE id = ? AND status = 'queued'`; a worker whose update changes
    no row lost the race and tries the next candidate."""
    now = timezone.now()
    due = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now)
    if kinds:
        due = due.filter(kind__in=kinds)
    due = due.order_by("run_after", "id")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = due.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            job.status = JobStatus.RUNNING
            job.locked_by = worker_id
            job.locked_at = now
            job.started_at = now
            job.attempts += 1
            job.save(update_fields=["status", "locked_by", "locked_at", "started_at", "attempts"])
            return job
    for pk in due.values_list("pk", flat=True)[:20]:
        won = Job.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            locked_by=worker_id,
            locked_at=now,
            started_at=now,
            attempts=F("attempts") + 1,
        )
        if won:
            return Job.objects.get(pk=pk)
    return None


def current_job() -> Job | None:
    """The job the calling code runs in, if any (for progress reports deep down)."""
    return _current_job.get()


def set_progress(job: Job | None, pct: float, note: str = "") -> None:
    """Record how far a running job is (0–100) and what it is doing.

    Also refreshes the job's lock (a heartbeat), so a long job that reports
    progress is not taken for lost.  Written at once (outside any transaction of
    the handler only if the handler opened none)."""
    job = job or current_job()
    if job is None:
        return
    value = max(0, min(100, int(pct)))
    note = str(note)[:200]
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(progress=value, progress_note=note, locked_at=now)
    job.progress, job.progress_note, job.locked_at = value, note, now


def _finish(job: Job, worker_id: str, **fields: Any) -> bool:
    """Write the outcome if this worker still holds the job's lock."""
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, locked_by=worker_id).update(
        **fields
    )
    if not updated:
        log.warning("job %s: lock lost before it finished; outcome dropped", job.pk)
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    return True


def run_job(job: Job, worker_id: str) -> str:
    """Run a claimed job's handler and record the outcome; returns the new status."""
    spec = registry.get_handler(job.kind)
    now = timezone.now
    if spec is None:
        _finish(
            job,
            worker_id,
            status=JobStatus.FAILED,
            last_error=f"No handler is registered for {job.kind!r}.",
            finished_at=now(),
            locked_by="",
        )
        return JobStatus.FAILED
    token = _current_job.set(job)
    try:
        result = spec.func(job)
    except registry.PermanentError as exc:
        _finish(
            job,
            worker_id,
            status=JobStatus.FAILED,
            last_error=str(exc) or exc.__class__.__name__,
            finished_at=now(),
            locked_by="",
        )
        return JobStatus.FAILED
    except Exception as exc:
        if isinstance(exc, registry.Retry):
            error = str(exc) or "retry requested"
            delay = exc.after if exc.after is not None else retry_delay(job.attempts, spec)
        else:
            error = "".join(traceback.format_exception(exc))[-4000:]
            delay = retry_delay(job.attempts, spec)
            log.warning("job %s (%s) attempt %s failed: %s", job.pk, job.kind, job.attempts, exc)
        if job.attempts >= job.max_attempts:
            _finish(
                job,
                worker_id,
                status=JobStatus.FAILED,
                last_error=error,
                finished_at=now(),
                locked_by="",
            )
            return JobStatus.FAILED
        _finish(
            job,
            worker_id,
            status=JobStatus.QUEUED,
            last_error=error,
            run_after=now() + datetime.timedelta(seconds=delay),
            locked_by="",
            locked_at=None,
        )
        return JobStatus.QUEUED
    finally:
        _current_job.reset(token)
    try:
        stored = _json(result)
    except (TypeError, ValueError):
        stored = {"repr": repr(result)[:2000]}
    _finish(
        job,
        worker_id,
        status=JobStatus.DONE,
        result=stored,
        progress=100,
        finished_at=now(),
        locked_by="",
    )
    return JobStatus.DONE


def recover_stale(now: datetime.datetime | None = None) -> int:
    """Give back jobs whose worker vanished (killed, machine lost) mid-run.

    A running job whose lock is older than its kind's `stale_after` is queued again,
    or failed when it has used all its attempts.  Compare-and-set on `locked_at`,
    so two workers recovering at once act once, and a job that just reported
    progress is left alone."""
    now = now or timezone.now()
    recovered = 0
    running = Job.objects.filter(status=JobStatus.RUNNING).values_list(
        "pk", "kind", "locked_at", "locked_by", "attempts", "max_attempts"
    )
    for pk, kind, locked_at, locked_by, attempts, max_attempts in running:
        limit = stale_after(registry.get_handler(kind))
        if locked_at is not None and now - locked_at < datetime.timedelta(seconds=limit):
            continue
        note = f"The worker {locked_by or '?'} stopped answering (lock taken at {locked_at})."
        same = Job.objects.filter(pk=pk, status=JobStatus.RUNNING, locked_at=locked_at)
        if attempts >= max_attempts:
            done = same.update(
                status=JobStatus.FAILED, last_error=note, finished_at=now, locked_by=""
            )
        else:
            done = same.update(
                status=JobStatus.QUEUED,
                last_error=note,
                run_after=now,
                locked_by="",
                locked_at=None,
            )
        recovered += done
        if done:
            log.warning("job %s (%s): %s", pk, kind, note)
    return recovered


def run_schedules(now: datetime.datetime | None = None) -> list[Job]:
    """Enqueue the periodic tasks that are due; safe to call from every worker.

    Each schedule's row is advanced with a compare-and-set on `next_run_at`: of
    several workers seeing the same due row, exactly one wins and enqueues.  The
    job also carries the dedupe key `schedule:<name>`, so a run still queued or
    running is not doubled when the previous one is slow."""
    now = now or timezone.now()
    queued: list[Job] = []
    for spec in registry.periodics():
        if not spec.is_enabled():
            continue
        interval = spec.interval()
        row = Schedule.objects.filter(name=spec.name).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Schedule.objects.create(
                        name=spec.name,
                        kind=spec.kind,
                        interval_seconds=interval,
                        next_run_at=now,
                    )
            except IntegrityError:
                row = Schedule.objects.get(name=spec.name)
        if row.interval_seconds != interval or row.kind != spec.kind:
            sooner = min(row.next_run_at, now + datetime.timedelta(seconds=interval))
            Schedule.objects.filter(pk=row.pk).update(
                interval_seconds=interval, kind=spec.kind, next_run_at=sooner
            )
            row.interval_seconds, row.kind, row.next_run_at = interval, spec.kind, sooner
        if row.next_run_at > now:
            continue
        with transaction.atomic():
            won = Schedule.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=now + datetime.timedelta(seconds=interval), last_run_at=now
            )
            if not won:
                continue
            job = enqueue(spec.kind, spec.payload, dedupe_key=f"{SCHEDULE_KEY_PREFIX}{spec.name}")
            Schedule.objects.filter(pk=row.pk).update(last_job=job)
        queued.append(job)
    return queued


def beat(worker_name: str, processed: int = 0) -> None:
    """Record that `worker_name` is alive (its housekeeping calls this).  Rows of
    workers silent for a day are dropped, so restarts do not pile up."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=worker_name).update(
        beat_at=now, processed=processed
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            name=worker_name, defaults={"started_at": now, "beat_at": now, "processed": processed}
        )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - datetime.timedelta(days=1)).delete()
