"""第二十一条's mail beyond work orders: system change notices (升级、维护), incident
instructions and the minutes of 第十四条五, and the copies the vendor's manager
receives (rectification notices, the settlement statement).  Each mail sent is a
`NoticeMail` (its server receive time from the mail service's hook); each message
threaded to one is a `NoticeReply`, counted only when it is a person's mail from the
vendor's registered mailboxes (docs/mail.md).  Imported by models.py."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.textlimits import TEXT, limit_constraints, limited_text

USER = settings.AUTH_USER_MODEL


class ChangeNotice(models.Model):
    """系统变更通知: a planned upgrade or maintenance the vendors concerned are told of."""

    number = models.CharField(_("notice number"), max_length=32, unique=True)
    system = models.CharField(_("system"), max_length=200)
    window_start = models.DateTimeField(_("maintenance window starts"))
    window_end = models.DateTimeField(_("maintenance window ends"))
    impact = limited_text(_("impact"), TEXT)
    contact = models.CharField(_("contact"), max_length=200)
    text = limited_text(_("notice text"), TEXT, blank=True)
    contracts = models.ManyToManyField(
        Contract, verbose_name=_("contracts concerned"), related_name="change_notices"
    )
    written_by = models.ForeignKey(
        USER, verbose_name=_("written by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("system change notice")
        verbose_name_plural = _("system change notices")
        ordering = ("-written_at", "-id")
        constraints = (*limit_constraints("changenotice", {"impact": TEXT, "text": TEXT}),)

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            raise ValidationError(
                {"window_end": gettext("The maintenance window ends after it starts.")}
            )


class NoticeMail(models.Model):
    """One mail of 第二十一条 other than a work order's, sent through the mail service."""

    class Purpose(models.TextChoices):
        CHANGE_NOTICE = "change_notice", _("System change notice")
        INSTRUCTION = "instruction", _("Emergency instruction")
        MINUTES = "minutes", _("Minutes of the final rating (第十四条五)")
        RECTIFICATION = "rectification", _("Copy of a rectification notice")
        SETTLEMENT = "settlement", _("Copy of the settlement statement")

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    # The thread tag of the subject, e.g. "BG-2026-0001": replies are found by it.
    ref = models.CharField(_("thread reference"), max_length=32, db_index=True)
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    change_notice = models.ForeignKey(
        ChangeNotice,
        verbose_name=_("change notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
    )
    rectification = models.ForeignKey(
        "incidents.RectificationNotice",
        verbose_name=_("rectification notice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
    )
    outbound = models.OneToOneField(
        "mail.OutboundMessage",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="notice_mail",
    )
    # The body as sent (composed by OpsQM from checked fields; the raw message is kept
    # by the mail service too).
    text = models.TextField(_("text"), blank=True)
    sent_by = models.ForeignKey(
        USER,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent (application clock)"))
    # The bureau's clock, copied from the mail service when it records it (hook).
    server_received_at = models.DateTimeField(_("server received"), null=True, blank=True)
    # The server time of the first reply that counts (the vendor's own mailbox).
    replied_at = models.DateTimeField(_("vendor replied"), null=True, blank=True)

    class Meta:
        verbose_name = _("mail under 第二十一条")
        verbose_name_plural = _("mail under 第二十一条")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.ref} {self.get_purpose_display()}"


class NoticeReply(models.Model):
    """A message threaded to a NoticeMail; `counted` only for the vendor's own."""

    mail = models.ForeignKey(
        NoticeMail, verbose_name=_("mail"), on_delete=models.CASCADE, related_name="replies"
    )
    inbound = models.OneToOneField(
        "mail.InboundMessage",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="notice_reply",
    )
    counted = models.BooleanField(_("counts"), default=False)
    # Why it does not count: stranger, refused, bounce, auto_reply ("" when it counts).
    reason = models.CharField(_("why it does not count"), max_length=16, blank=True)
    received_at = models.DateTimeField(_("server received"))

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ("received_at", "id")

    def __str__(self) -> str:
        return f"{self.mail.ref} ← {self.inbound.from_address}"
