"""The job queue lives in the database: no broker, works on SQLite and PostgreSQL.

See docs/worker.md for the design (claiming, retries, stale locks, schedules)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("max attempts"), default=5)
    last_error = models.TextField(_("last error"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_note = models.CharField(_("progress note"), max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    # While queued or running, at most one job holds a given key (partial unique index).
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    locked_by = models.CharField(_("locked by"), max_length=200, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["status", "run_after"], name="job_due"),
            models.Index(fields=["status", "locked_at"], name="job_locked"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(dedupe_key=""),
                name="job_dedupe_key_active",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class Schedule(models.Model):
    """One row per periodic task defined in code (`opsqm.infra.jobs.registry.periodic`).

    Several workers look at the same row; the one whose compare-and-set on
    `next_run_at` succeeds enqueues the run, so each tick runs once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=100)
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"))
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return f"{self.name} every {self.interval_seconds}s"


class WorkerHeartbeat(models.Model):
    """One row per running `opsqm worker`, rewritten at each housekeeping (every few
    seconds): /healthz and /metrics see from it whether any worker is alive."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    beat_at = models.DateTimeField(_("last heartbeat"), default=timezone.now, db_index=True)
    processed = models.PositiveBigIntegerField(_("jobs run"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at}"
