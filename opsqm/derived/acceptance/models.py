"""The acceptance of a contract (合同 八, 五.2): the deliverables register with its
uploaded versions and the supervisor's reviews, the acceptance workflow, the monthly
inspections and the assembled acceptance packages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.uploads import UploadValidator, upload_to

USER = settings.AUTH_USER_MODEL

DELIVERABLE_UPLOAD_KINDS = ("pdf", "docx", "xlsx", "png", "jpeg")
PHOTO_KINDS = ("jpeg", "png")


class Kind(models.TextChoices):
    """The documents of 合同 八, in the contract's order."""

    ANNUAL_SUMMARY = "annual_summary", _("Annual project summary report")
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly report")
    WORK_ORDERS = "work_orders", _("Work orders")
    MONTHLY_INSPECTION = "monthly_inspection", _("Monthly inspection record")
    SOFTWARE_UPGRADE = "software_upgrade", _("Software upgrade records (if any)")
    DATA_DICTIONARY = "data_dictionary", _("Data dictionary")
    BACKUP_CHECK = "backup_check", _("Database backup check records")
    BACKUP_CONFIG = "backup_config", _("Database backup configuration table")
    RECOVERY_TEST = "recovery_test", _("Data recovery test report")
    DATA_STATEMENT = "data_statement", _("Data situation statement")
    RISK_ASSESSMENT = "risk_assessment", _("Data risk assessment report")
    PATCH_RECORDS = "patch_records", _("Vulnerability patch maintenance records")
    SECURITY_TRAINING = "security_training", _("Cyber-security training records")


class Frequency(models.TextChoices):
    ONCE = "once", _("once, before acceptance")
    QUARTERLY = "quarterly", _("each quarter")
    MONTHLY = "monthly", _("each month")
    PERIOD_END = "period_end", _("at the period end")


# kind → how often; SOFTWARE_UPGRADE is optional ("如有").
FREQUENCY: dict[str, str] = {
    Kind.ANNUAL_SUMMARY: Frequency.PERIOD_END,
    Kind.QUARTERLY_REPORT: Frequency.QUARTERLY,
    Kind.MONTHLY_INSPECTION: Frequency.MONTHLY,
}
OPTIONAL_KINDS = frozenset({Kind.SOFTWARE_UPGRADE})


class AcceptanceFile(models.Model):
    """Per contract: the due-date settings and the state of the acceptance workflow."""

    class State(models.TextChoices):
        OPEN = "open", _("Collecting deliverables")
        APPLIED = "applied", _("Applied for acceptance")
        RETURNED = "returned", _("Returned by the supervisor")
        REVIEWED = "reviewed", _("Approved by the supervisor")
        ACCEPTED = "accepted", _("Accepted by the IT department")

    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="acceptance"
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("days after a quarter or the period ends that its report is due"), default=10
    )
    inspection_due_days = models.PositiveSmallIntegerField(
        _("days after a month ends that its inspection record is due"), default=5
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")
    comments = models.TextField(_("supervisor's comments"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        USER,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("acceptance file")
        verbose_name_plural = _("acceptance files")

    def __str__(self) -> str:
        return f"{self.contract.code} {self.state}"


class AcceptanceEvent(models.Model):
    """The workflow's history: who did what, when, with which comments."""

    file = models.ForeignKey(AcceptanceFile, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    role = models.CharField(_("role"), max_length=20, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class Deliverable(models.Model):
    """One document owed under 合同 八 (for a periodic one: one row per period)."""

    class State(models.TextChoices):
        MISSING = "missing", _("Missing")
        UPLOADED = "uploaded", _("Uploaded")
        UNDER_REVIEW = "under_review", _("Under review")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="deliverables"
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=10, blank=True)  # 2025Q4, 2025-11, ""
    due = models.DateField(_("due"))
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default="missing")
    accepted_version = models.ForeignKey(
        "DeliverableVersion",
        verbose_name=_("accepted version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ("contract", "due", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("contract", "kind", "period"), name="acceptance_deliverable_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}".strip()

    @property
    def optional(self) -> bool:
        return self.kind in OPTIONAL_KINDS


class DeliverableVersion(models.Model):
    """An uploaded (or generated) file of a deliverable; every version is kept."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded")
        GENERATED = "generated", _("generated by OpsQM")

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(
        _("file"),
        upload_to=upload_to("acceptance/deliverables"),
        validators=[UploadValidator(*DELIVERABLE_UPLOAD_KINDS)],
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default="upload")
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ("deliverable", "number")
        constraints = [
            models.UniqueConstraint(
                fields=("deliverable", "number"), name="acceptance_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.name}"


class Review(models.Model):
    """The supervisor's decision on one version of a deliverable."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(DeliverableVersion, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField(_("approved"))
    comments = models.TextField(_("comments"), blank=True)
    at = models.DateTimeField(_("reviewed at"))
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{'✓' if self.approved else '✗'} v{self.version_id}"


class ChecklistItem(models.Model):
    """One point of the contract's monthly inspection (editable by the assessor)."""

    class Group(models.TextChoices):
        TERMINALS = "terminals", _("Terminals")
        APP_VERSIONS = "app_versions", _("App versions")
        SERVER = "server", _("Server")
        DATABASE = "database", _("Database")
        BACKUPS = "backups", _("Backups")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="checklist")
    group = models.CharField(_("group"), max_length=14, choices=Group.choices)
    text = models.CharField(_("check"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ("contract", "order", "id")

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """The monthly inspection of a contract (月度巡检记录)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("In progress")
        DONE = "done", _("Completed")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="inspections")
    month = models.DateField(_("month"))  # first day
    state = models.CharField(_("state"), max_length=6, choices=State.choices, default="draft")
    inspector = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    summary = models.TextField(_("findings and remarks"), blank=True)

    class Meta:
        ordering = ("contract", "-month")
        constraints = [
            models.UniqueConstraint(
                fields=("contract", "month"), name="acceptance_inspection_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.month:%Y-%m}"


class InspectionResult(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "", _("not checked")
        OK = "ok", _("OK")
        ISSUE = "issue", _("Issue")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("group"), max_length=14, choices=ChecklistItem.Group.choices)
    text = models.CharField(_("check"), max_length=300)  # as it read on the day
    outcome = models.CharField(_("result"), max_length=6, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    photo = models.FileField(
        _("photo"),
        upload_to=upload_to("acceptance/inspections"),
        validators=[UploadValidator(*PHOTO_KINDS)],
        blank=True,
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("inspection", "item__order", "id")

    def __str__(self) -> str:
        return self.text


class Package(models.Model):
    """An assembled acceptance package (ZIP with index and manifests)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Being assembled")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="packages")
    state = models.CharField(_("state"), max_length=6, choices=State.choices, default="queued")
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(_("file"), upload_to=upload_to("acceptance/packages"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    files = models.PositiveIntegerField(_("files"), default=0)
    created_at = models.DateTimeField(_("requested at"))
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.contract.code} {self.created_at:%Y-%m-%d %H:%M}"
