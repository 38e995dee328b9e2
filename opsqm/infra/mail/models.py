"""Mail that OpsQM sent and received, kept as evidence.

The times that count are the mail server's (the bureau's clock, rulebook 第十条 and
第二十一条): `server_received_at` is the IMAP INTERNALDATE of the delivered copy.
See docs/mail.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from opsqm.infra.mail.parsing import describe_refusal


class MailboxState(models.Model):
    """How far a polled mailbox has been read: its UIDVALIDITY and highest UID seen."""

    mailbox = models.CharField(_("mailbox"), max_length=255, unique=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("last UID"), default=0)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    uidvalidity_changed_at = models.DateTimeField(
        _("UIDVALIDITY last changed"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("mailbox state")
        verbose_name_plural = _("mailbox states")

    def __str__(self) -> str:
        return f"{self.mailbox} uidvalidity={self.uidvalidity} last_uid={self.last_uid}"


class OutboundKind(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    ACK = "ack", _("Acknowledgement")
    FEEDBACK = "feedback", _("Feedback")
    CLOSURE = "closure", _("Closure")
    ARCHIVE = "archive", _("Archive")
    # 第二十一条's other mail: system change notices, incident instructions and the
    # minutes of 第十四条五, copies to the vendor's manager.
    CHANGE_NOTICE = "change_notice", _("System change notice")
    INSTRUCTION = "instruction", _("Incident instruction")
    MINUTES = "minutes", _("Determination minutes")
    MANAGER_COPY = "manager_copy", _("Copy to the manager")
    OTHER = "other", _("Other")


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundMessage(models.Model):
    message_id = models.CharField(_("Message-ID"), max_length=512, unique=True)
    ticket_ref = models.CharField(_("work order"), max_length=64, blank=True, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=OutboundKind.choices, default=OutboundKind.OTHER
    )
    from_address = models.CharField(pgettext_lazy("mail header", "from"), max_length=320)
    to = models.JSONField(pgettext_lazy("mail header", "to"), default=list)
    cc = models.JSONField(pgettext_lazy("mail header", "cc"), default=list, blank=True)
    # Every envelope recipient, Bcc included (the Bcc header is never written).
    recipients = models.JSONField(_("envelope recipients"), default=list)
    subject = models.TextField(_("subject"))
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=512, blank=True)
    references = models.TextField(_("References"), blank=True)
    raw = models.FileField(_("raw message"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The application's clock: informational only.
    sent_at = models.DateTimeField(_("sent (application clock)"), null=True, blank=True)
    # The bureau's clock: when the mail server received the delivered copy.
    server_received_at = models.DateTimeField(_("server received"), null=True, blank=True)
    server_received_source = models.CharField(_("source"), max_length=32, blank=True)
    received_header_at = models.DateTimeField(_("Received header time"), null=True, blank=True)
    confirmed_mailbox = models.CharField(_("confirmed in mailbox"), max_length=255, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The server time of the first bounce that reports this message not delivered.
    not_delivered_at = models.DateTimeField(
        _("not delivered (bounce received)"), null=True, blank=True
    )
    # A message sent again after a bounce points to the one it replaces.
    resend_of = models.ForeignKey(
        "self",
        verbose_name=_("sent again for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resends",
    )

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"

    def raw_bytes(self) -> bytes:
        with self.raw.open("rb") as f:
            return bytes(f.read())


class Nature(models.TextChoices):
    """What a received message is (opsqm.infra.mail.classify): only a person's mail
    may change a work order."""

    MAIL = "mail", _("Mail")
    BOUNCE = "bounce", _("Bounce (delivery report)")
    AUTO_REPLY = "auto_reply", _("Automatic reply")


class ParseStatus(models.TextChoices):
    OK = "ok", _("Accepted")
    REFUSED = "refused", _("Refused")


class InboundMessage(models.Model):
    """One message of a polled mailbox, stored once, raw bytes kept whatever they are."""

    mailbox = models.CharField(_("mailbox"), max_length=255)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"))
    uid = models.BigIntegerField(_("UID"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    raw = models.FileField(_("raw message"), max_length=255)
    message_id = models.CharField(_("Message-ID"), max_length=512, blank=True, db_index=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=512, blank=True)
    references = models.TextField(_("References"), blank=True)
    subject = models.TextField(_("subject"), blank=True)
    from_header = models.TextField(pgettext_lazy("mail header", "From"), blank=True)
    from_address = models.CharField(_("sender address"), max_length=320, blank=True)
    to_header = models.TextField(pgettext_lazy("mail header", "To"), blank=True)
    cc_header = models.TextField(pgettext_lazy("mail header", "Cc"), blank=True)
    date_header_raw = models.CharField(_("Date header"), max_length=255, blank=True)
    # What the sender claims: informational only, never a deadline clock.
    date_header = models.DateTimeField(_("date (sender's claim)"), null=True, blank=True)
    # The bureau's clock: IMAP INTERNALDATE, set by the server at delivery.
    server_received_at = models.DateTimeField(_("server received"))
    # Second source: the date of the topmost Received header (added by our server).
    received_header_at = models.DateTimeField(_("Received header time"), null=True, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ParseStatus.choices, default=ParseStatus.OK
    )
    # [{"code": …, "params": {…}, "text": English}]: params are codes and data, shown
    # in the active language by refusal_messages (docs/mail.md).
    refusal = models.JSONField(_("refusal"), default=list, blank=True)
    refusal_note = models.TextField(_("refusal note"), blank=True)
    ticket_ref = models.CharField(_("work order"), max_length=64, blank=True, db_index=True)
    nature = models.CharField(
        _("nature"), max_length=16, choices=Nature.choices, default=Nature.MAIL
    )
    nature_reason = models.CharField(_("recognised by"), max_length=32, blank=True)
    # A bounce: the message of ours it reports not delivered.
    bounced = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("reports not delivered"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounces",
    )
    # Set when this is a copy of a message OpsQM sent (the service desk's Bcc).
    outbound = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("copy of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    fetched_at = models.DateTimeField(_("fetched"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["server_received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="inbound_once_per_uid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mailbox}#{self.uidvalidity}/{self.uid} {self.subject[:40]}"

    @property
    def refused(self) -> bool:
        return self.status == ParseStatus.REFUSED

    @property
    def automatic(self) -> bool:
        """A bounce or an automatic reply: never acknowledges anything."""
        return self.nature != Nature.MAIL

    def refusal_messages(self) -> list[str]:
        """The refusal notes in the active language (docs/mail.md)."""
        return [describe_refusal(note, gettext, pgettext) for note in self.refusal or []]

    def raw_bytes(self) -> bytes:
        with self.raw.open("rb") as f:
            return bytes(f.read())
