"""Scheduled reports (issue 15 §3): who gets which report of which contract, when;
and each run the worker made of a schedule, with its outcome (docs/reports.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User
from opsqm.infra.jobs.models import Job

USER = settings.AUTH_USER_MODEL


class ScheduledReport(models.TextChoices):
    ATTENDANCE = "attendance", _("Monthly attendance result")
    QUARTERLY = "quarterly", _("Quarterly report")
    LEDGER = "ledger", _("Ledger summary")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly (January, April, July, October)")


class ReportSchedule(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.CharField(_("report"), max_length=16, choices=ScheduledReport.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    # 1–28: every month has the day
    day = models.PositiveSmallIntegerField(
        _("day of the month"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    starts_on = models.DateField(_("first run on or after"))
    recipients = models.ManyToManyField(User, verbose_name=_("recipients"), related_name="+")
    active = models.BooleanField(_("active"), default=True)
    # The next instant the worker sends it; None when paused or past the contract.
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ("contract__code", "report", "pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day__gte=1, day__lte=28), name="report_schedule_day_1_28"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.get_report_display()} ({self.get_frequency_display()})"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Failed, will be retried")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class ReportRun(models.Model):
    schedule = models.ForeignKey(
        ReportSchedule, verbose_name=_("schedule"), on_delete=models.PROTECT, related_name="runs"
    )
    due_at = models.DateTimeField(_("due"))
    period = models.CharField(_("period"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    job = models.ForeignKey(
        Job,
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True)
    sent_to = models.JSONField(_("sent to"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ("-due_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="report_run_once_per_due")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period} ({self.status})"
