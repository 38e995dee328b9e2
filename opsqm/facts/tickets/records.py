"""The records of a ticket's flow (the ticket itself is in `models`): the number
sequence, the user's original report, attachments, phone calls, extensions, security
findings, the timeline's events, one-time signing links and sent reminders.
Imported by `opsqm.facts.tickets.models`, so they belong to the tickets app and are
importable from there."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.infra.core.uploads import UploadValidator, upload_to

ATTACHMENT_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "txt")


class TicketSequence(models.Model):
    """The last number given per year: `GD-2025-0001` is unique across contracts, so
    that a mail subject's tag names one ticket."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("ticket number sequence")
        verbose_name_plural = _("ticket number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class OriginalReport(models.Model):
    """The user's report as the desk first recorded it (用户反馈原始记录, 第十四条六).
    Written once, never changed: later edits go to the ticket."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="original",
    )
    reporter = models.CharField(_("reporter"), max_length=64)
    unit_name = models.CharField(_("unit"), max_length=128, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    system = models.CharField(_("system / terminal"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    reported_at = models.DateTimeField(_("reported at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("original report")
        verbose_name_plural = _("original reports")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.reporter}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("the original report is immutable evidence (第十四条六)")
        super().save(*args, **kwargs)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Original report")
        SCREENSHOT = "screenshot", _("Screenshot")
        LOG = "log", _("Log")
        FORM = "form", _("Ticket form in another format")
        EXCEPTION = "exception", _("Evidence for a missing signature")
        SECURITY = "security", _("Test or assessment report")
        AGREEMENT = "agreement", _("Written agreement")
        EVIDENCE = "evidence", _("Finding evidence")
        OTHER = "other", _("Other")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(
        _("file"),
        upload_to=upload_to("tickets/attachments"),
        validators=[UploadValidator(*ATTACHMENT_KINDS)],
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.name


class PhoneCall(models.Model):
    """A call the desk made and logged: to the vendor's engineer (第九条一, starts the
    2-hour window) or to the recipient (第十条 exception path, final)."""

    class Purpose(models.TextChoices):
        VENDOR = "vendor", _("Notify the vendor")
        RECIPIENT = "recipient", _("Confirm with the recipient")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    called_at = models.DateTimeField(_("called at"))
    person = models.CharField(_("person called"), max_length=64)
    outcome = models.TextField(_("outcome"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        ordering = ("called_at", "id")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.purpose} {self.called_at:%Y-%m-%d %H:%M}"


class Extension(models.Model):
    """第九条二: a longer deadline, only with the recipient's written agreement and
    the reason noted on the ticket."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        AGREED = "agreed", _("Agreed")
        REFUSED = "refused", _("Refused")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    requested_to = models.DateTimeField(_("new deadline requested"))
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="requested")
    agreed_to = models.DateTimeField(_("new deadline agreed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ("requested_at", "id")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.requested_to:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """A finding of a security test or assessment report registered as a ticket
    (第十条: 检测报告、测试报告、整改通知书 … 视作工单)."""

    class Severity(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    description = models.TextField(_("description"))
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default="medium"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence = models.ForeignKey(
        Attachment,
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.description[:60]


EVENT_LABELS = {
    "reported": _("User reported the problem"),
    "intake_recorded": _("Desk recorded the report"),
    "security_registered": _("Security report registered"),
    "vendor_called": _("Desk phoned the vendor"),
    "phone_resolved": _("Resolved by phone"),
    "dispatch_sent": _("Dispatch mail sent"),
    "dispatch_confirmed": _("Dispatch received by the mail server"),
    "acknowledged": _("Engineer acknowledged"),
    "mail_received": _("Mail received"),
    "work_recorded": _("Ticket form saved"),
    "external_form": _("Form in another format uploaded"),
    "extension_requested": _("Extension requested"),
    "extension_agreed": _("Recipient agreed to the extension"),
    "extension_refused": _("Recipient refused the extension"),
    "finding_closed": _("Finding closed"),
    "resolution_sent": _("Resolution mail sent"),
    "resolution_confirmed": _("Resolution received by the mail server"),
    "sign_link_created": _("Signing link created"),
    "signed": _("Recipient signed and rated"),
    "no_signature": _("Engineer noted why no signature is possible"),
    "phone_confirmed": _("Desk confirmed with the recipient by phone"),
    "archive_sent": _("Signed form mailed to the service desk"),
    "archive_confirmed": _("Archive mail received by the mail server"),
    "archive_improper": _("Marked as archived improperly"),
    "fault_recorded": _("Assessor recorded a fault of the record"),
    "fault_corrected": _("Assessor corrected a fault of the record"),
    "reminder_sent": _("Deadline reminder mailed"),
    "manager_copy_sent": _("Copy mailed to the vendor's manager (T6 step passed)"),
    "mail_not_counted": _("Mail received, not counted"),
    "mail_not_delivered": _("Mail not delivered (bounced)"),
    "mail_resent": _("Mail sent again"),
    "mail_resent_received": _("Mail sent again, received by the mail server"),
    "renumbered": _("Number changed to keep numbers unique across contracts"),
}

# Why mail threaded to a ticket did not count (Event.data["reason"] of
# "mail_not_counted"; opsqm.facts.tickets.mail_rules).
MAIL_NOT_COUNTED = {
    "refused": _("not counted: the message could not be read reliably"),
    "bounce": _("not counted: a bounce (delivery report)"),
    "auto_reply": _("not counted: an automatic reply"),
    "stranger": _("not counted: not from a mailbox registered for the ticket's vendor"),
}


class Event(models.Model):
    """One line of a ticket's timeline: what happened, when, and whose clock says so."""

    class Source(models.TextChoices):
        SERVER = "server", _("mail server receive time")
        APP = "app", _("OpsQM clock")
        TYPED = "typed", _("time recorded by the desk")

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    at = models.DateTimeField(_("time"))
    source = models.CharField(_("time source"), max_length=8, choices=Source.choices)
    action = models.CharField(_("action"), max_length=48)
    text = models.TextField(_("text"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ("at", "id")
        indexes = (models.Index(fields=["ticket", "at"], name="ticket_event_idx"),)

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.at.isoformat()}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))

    @property
    def mail_note(self) -> str:
        """For mail on the timeline: who sent it and, when it did not count, why."""
        data = self.data or {}
        if self.action not in ("mail_received", "mail_not_counted", "mail_not_delivered"):
            return ""
        reason = None
        if self.action == "mail_not_counted":
            reason = MAIL_NOT_COUNTED.get(str(data.get("reason", "")))
        sender = str(data.get("sender", ""))
        return f"{sender} · {reason}" if reason else sender


class SignLink(models.Model):
    """A one-time signing link for the recipient (no login): the URL carries a signed
    token naming this row; it works once and until `expires_at`."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="sign_links",
    )
    nonce = models.CharField(_("nonce"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signing link")
        verbose_name_plural = _("signing links")

    def __str__(self) -> str:
        return f"{self.ticket_id} link {self.pk}"


class Reminder(models.Model):
    """A deadline reminder mailed to the vendor: once per ticket and threshold."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    threshold = models.CharField(_("threshold"), max_length=16)
    due_at = models.DateTimeField(_("threshold instant"))
    message = models.ForeignKey(
        "mail.OutboundMessage",
        verbose_name=_("mail"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = (
            models.UniqueConstraint(fields=["ticket", "threshold"], name="reminder_once"),
        )

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.threshold}"
