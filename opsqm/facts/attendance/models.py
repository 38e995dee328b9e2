"""Attendance: DingTalk import batches and their review list, the DB calendar
years fed into every rulebook, and the heads of service units who decide leave.

Punches, leave and replacements themselves are `opsqm.facts.staff` models (evidence).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.staff.models import StaffMember
from opsqm.infra.core.uploads import UploadValidator, upload_to


class ImportBatch(models.Model):
    """One DingTalk import: an uploaded XLSX (parsed by the worker) or one API call."""

    class Source(models.TextChoices):
        XLSX = "xlsx", _("XLSX upload")
        API = "api", _("Open API")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Reading")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    # The contract whose staff rows are matched against; blank: every contract the
    # uploader may see (a vendor's console exports all its people at once).
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vendor = models.ForeignKey(
        "contracts.Vendor",
        verbose_name=_("vendor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(
        _("file"),
        upload_to=upload_to("attendance/imports"),
        blank=True,
        validators=[UploadValidator("xlsx")],
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_hash = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    punches = models.PositiveIntegerField(_("punches read"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    new_punches = models.PositiveIntegerField(_("new punches"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    unmatched = models.PositiveIntegerField(_("unmatched"), default=0)
    issues = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name or self.get_source_display()}"

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "punches": self.punches,
            "matched": self.matched,
            "new": self.new_punches,
            "duplicates": self.duplicates,
            "unmatched": self.unmatched,
        }


class UnmatchedPerson(models.Model):
    """The punches of one person in a batch that matched nobody: the review list.
    Mapping it to a staff member stores the punches and remembers the identifiers
    on that staff member for the next imports."""

    class State(models.TextChoices):
        OPEN = "open", _("To review")
        MAPPED = "mapped", _("Mapped")
        DISMISSED = "dismissed", _("Dismissed")

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="people"
    )
    name = models.CharField(_("name"), max_length=64, blank=True)
    job_number = models.CharField(_("employee number"), max_length=64, blank=True)
    user_id = models.CharField(_("DingTalk userId"), max_length=64, blank=True)
    first_row = models.PositiveIntegerField(_("first row"), default=0)
    first_at = models.DateTimeField(_("first punch"))
    last_at = models.DateTimeField(_("last punch"))
    punches = models.JSONField(_("punches"), default=list)  # ISO instants
    # ISO instant → "field" / "makeup" for the punches of another kind than normal
    kinds = models.JSONField(_("kinds of punch"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="open")
    mapped_to = models.ForeignKey(
        StaffMember,
        verbose_name=_("mapped to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("unmatched person")
        verbose_name_plural = _("unmatched people")
        ordering = ("batch", "first_row")

    def __str__(self) -> str:
        return " / ".join(x for x in (self.name, self.job_number, self.user_id) if x)


class CalendarYear(models.Model):
    """A year the calendar package does not cover, declared in full by the assessor:
    Monday–Friday are workdays except its holidays, weekends rest except its
    make-up workdays.  Fed into every contract's rulebook as `calendar.years.YYYY`."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    notes = models.TextField(_("source (State Council notice)"), blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ("year",)

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no work)")
        WORKDAY = "workday", _("Make-up workday")

    year = models.ForeignKey(
        CalendarYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ("day",)

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class UnitHead(models.Model):
    """第七条二 服务单位负责人: a service-recipient account that decides the leave
    of the staff serving its unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("head of unit")
        verbose_name_plural = _("heads of unit")
        constraints = (models.UniqueConstraint(fields=["unit", "user"], name="unit_head_once"),)

    def __str__(self) -> str:
        return f"{self.unit}: {self.user}"
