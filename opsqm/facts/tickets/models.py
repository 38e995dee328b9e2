"""Work orders (工单): the ticket record of the evidence log v1 (rules T1–T8) and
the flow that produces it (rulebook 第八条–第十条, 第十四条六, 第二十一条).

`Ticket` keeps the facts the engine reads (dispatched_at, acknowledged_at,
extended_to, resolved_at, signature, satisfaction, record_*, template_ok, forged,
archive) plus the flow's own state.  `status` and `deadline` are *derived* from
those facts by `Ticket.fill_derived()` (called by `save()`; code that bulk-creates
tickets calls it itself) and stored only so that the desk's board can filter and
sort on indexed columns.  See docs/tickets.md.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.infra.core.uploads import UploadValidator, upload_to
from opsqm.pure.assessment.rulebook import TicketRules

# 第九条二: 紧急工单 8 小时, 普通工单 24 小时 (the engine reads the rulebook's
# `tickets.sla_hours`; these are the defaults shown before a contract is known).
SLA_HOURS = {"urgent": 8, "normal": 24}

ATTACHMENT_KINDS = ("pdf", "png", "jpeg", "docx", "xlsx", "txt")

# The ticket record of the evidence log v1: the facts rules T1–T8 read, in the order
# `opsqm.derived.evidence.adapter.ticket_records` reads them (registers write the same ones).
EVIDENCE_FIELDS = (
    "number",
    "problem",
    "priority",
    "dispatched_at",
    "acknowledged_at",
    "extended_to",
    "resolved_at",
    "signature",
    "satisfaction",
    "record_analysis",
    "record_steps",
    "record_verification",
    "template_ok",
    "forged",
    "archive",
)

# Statuses with nothing left to do: the board's "open work" is every other status
# (the partial indexes below and `opsqm.facts.tickets.views` use the same list).
CLOSED_STATUSES = ("archived", "phone_resolved")


class Ticket(models.Model):
    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        NORMAL = "normal", _("Normal")

    class Signature(models.TextChoices):
        SIGNED = "signed", _("Signed")
        PHONE_CONFIRMED = "phone_confirmed", _("Confirmed by phone")
        NONE = "none", _("Not signed")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    class Archive(models.TextChoices):
        OK = "ok", _("Archived")
        IMPROPER = "improper", _("Archived improperly")
        PENDING = "pending", _("Not archived yet")

    class Kind(models.TextChoices):
        SERVICE = "service", _("User report")
        SECURITY = "security", _("Security findings")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported to the desk")
        PHONE_RESOLVED = "phone_resolved", _("Resolved by phone")
        DISPATCH_SENT = "dispatch_sent", _("Dispatch sent, awaiting server time")
        DISPATCHED = "dispatched", _("Dispatched")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLUTION_SENT = "resolution_sent", _("Resolution sent, awaiting server time")
        RESOLVED = "resolved", _("Resolved, awaiting confirmation")
        # 第十条 exception path: the engineer noted that the recipient cannot sign; the
        # desk phones the recipient and records the confirmation.
        AWAITING_PHONE = "awaiting_phone", _("Awaiting phone confirmation")
        CLOSED = "closed", _("Confirmed, awaiting archive")
        ARCHIVED = "archived", _("Archived")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="tickets"
    )
    number = models.CharField(_("ticket number"), max_length=32)
    problem = models.CharField(
        _("problem key"),
        max_length=64,
        help_text=_("Tickets about the same problem share a key (第十七条六(二))."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default="normal"
    )
    # The bureau mail server's receive time of the dispatch mail (第十条四); null while
    # the desk has not dispatched it or the server time is not confirmed yet: such a
    # ticket is not evidence yet (the adapter leaves it out).
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    extended_to = models.DateTimeField(_("deadline extended to"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    signature = models.CharField(
        _("signature"), max_length=16, choices=Signature.choices, default="none"
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    record_analysis = models.BooleanField(_("record has problem analysis"), default=True)
    record_steps = models.BooleanField(_("record has resolution steps"), default=True)
    record_verification = models.BooleanField(_("record has verification result"), default=True)
    template_ok = models.BooleanField(_("in the bureau's ticket form"), default=True)
    forged = models.BooleanField(_("forged signature or time"), default=False)
    archive = models.CharField(
        _("archive"), max_length=10, choices=Archive.choices, default="pending"
    )

    # ---- the flow (docs/tickets.md) ---------------------------------------------
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default="service")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default="reported", editable=False
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    system = models.CharField(_("system / terminal"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets_worked",
    )
    # 第九条一: the desk's phone call to the vendor starts the 2-hour window.
    vendor_called_at = models.DateTimeField(_("vendor notified by phone at"), null=True, blank=True)
    phone_resolved_at = models.DateTimeField(_("resolved by phone at"), null=True, blank=True)
    dispatch_message = models.ForeignKey(
        "mail.OutboundMessage",
        verbose_name=_("dispatch mail"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatch_requested_at = models.DateTimeField(
        _("dispatch sent (application clock)"), null=True, blank=True
    )
    # The bureau's single ticket form (统一样式, 第八条).
    analysis = models.TextField(_("problem analysis"), blank=True)
    steps = models.TextField(_("resolution steps"), blank=True)
    verification = models.TextField(_("verification result"), blank=True)
    work_recorded_at = models.DateTimeField(_("work last recorded"), null=True, blank=True)
    resolution_message = models.ForeignKey(
        "mail.OutboundMessage",
        verbose_name=_("resolution mail"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_requested_at = models.DateTimeField(
        _("resolution sent (application clock)"), null=True, blank=True
    )
    # Closure (第十条): the recipient's drawn signature, or the exception path.
    signature_image = models.FileField(
        _("signature image"), upload_to=upload_to("tickets/signatures"), blank=True
    )
    signature_sha256 = models.CharField(_("signature SHA-256"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signer_name = models.CharField(_("signer"), max_length=64, blank=True)
    signed_via = models.CharField(_("signed through"), max_length=8, blank=True)
    no_signature_reason = models.TextField(_("why no signature is possible"), blank=True)
    # When the engineer first noted it: the desk's board lists the oldest first.
    no_signature_at = models.DateTimeField(_("no signature noted at"), null=True, blank=True)
    archive_message = models.ForeignKey(
        "mail.OutboundMessage",
        verbose_name=_("archive mail"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archive_note = models.TextField(_("archive note"), blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = (
            "contract__code",
            "number",
        )
        constraints = (
            models.UniqueConstraint(
                fields=["contract", "number"], name="ticket_number_per_contract"
            ),
        )
        indexes = (
            models.Index(fields=["contract", "resolved_at"], name="ticket_open_idx"),
            models.Index(fields=["deadline", "id"], name="ticket_deadline_idx"),
            models.Index(fields=["status", "deadline"], name="ticket_status_idx"),
            models.Index(fields=["contract", "status", "deadline"], name="ticket_contract_idx"),
            models.Index(fields=["unit", "deadline"], name="ticket_unit_idx"),
            models.Index(fields=["priority", "deadline"], name="ticket_priority_idx"),
            models.Index(fields=["engineer", "deadline"], name="ticket_engineer_idx"),
            models.Index(fields=["number"], name="ticket_number_idx"),
            # PostgreSQL also has `ticket_number_upper_idx` on UPPER(number) for the
            # case-insensitive number lookups (migration 0006, outside the model state).
            # The board's default (open work, by deadline): ~7 % of the tickets, so
            # the page and its count read small partial indexes (docs/benchmarks.md).
            models.Index(
                fields=["deadline", "id"],
                condition=~models.Q(status__in=CLOSED_STATUSES),
                name="ticket_open_deadline_idx",
            ),
            models.Index(
                fields=["contract", "deadline", "id"],
                condition=~models.Q(status__in=CLOSED_STATUSES),
                name="ticket_open_contract_idx",
            ),
        )

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "deadline", "status"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    # ---- derived columns -----------------------------------------------------------
    def compute_deadline(self) -> datetime.datetime | None:
        if self.extended_to is None and self.dispatched_at is not None and self.contract_id:
            return derived_deadline(self, contract_sla_hours(self.contract))
        return derived_deadline(self)

    def compute_status(self) -> str:
        return derived_status(self)

    def fill_derived(self) -> None:
        self.deadline = self.compute_deadline()
        self.status = self.compute_status()


def latest_step(contracts: Any) -> datetime.timedelta:
    """How long after its deadline a ticket of `contracts` may still reach a T6 step:
    the tickets further past it need no reminder or warning any more."""
    from opsqm.pure.assessment.rules.tickets import overdue_steps

    offsets = [
        offset
        for contract in contracts
        for _key, offset in overdue_steps(contract_ticket_rules(contract))
    ]
    return max(offsets, default=datetime.timedelta(0))


@functools.lru_cache(maxsize=64)
def _ticket_rules(rulebook: str, overrides_json: str) -> TicketRules:
    from opsqm.derived.evidence.adapter import model_contract_stub
    from opsqm.derived.ledger.services import default_rulebook
    from opsqm.pure.assessment.rulebook import rulebook_for

    default = default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK)
    try:
        stub = model_contract_stub("", rulebook, json.loads(overrides_json))
        return rulebook_for(stub, default).tickets
    except ValueError:  # a broken override: the ledger page says so; keep the default
        return default.tickets


def contract_sla_hours(contract: Contract) -> dict[str, int]:
    """Hours per priority under the contract's rulebook (the engine's reading)."""
    return dict(contract_ticket_rules(contract).sla_hours)


def contract_ticket_rules(contract: Contract) -> TicketRules:
    """The ticket rules of the contract's rulebook with its overrides (cached)."""
    overrides = json.dumps(contract.rulebook_overrides or {}, sort_keys=True)
    return _ticket_rules(contract.rulebook or "", overrides)


def derived_deadline(t: Any, sla: dict[str, int] | None = None) -> datetime.datetime | None:
    """The engine's deadline (natural-hours clock): `extended_to` once agreed, else
    the server's dispatch time + 8 h / 24 h (第九条二).  Plain attribute reads, so the
    data migration can use it on historical models."""
    if t.extended_to is not None:
        return t.extended_to
    if t.dispatched_at is None:
        return None
    hours = (sla or SLA_HOURS).get(t.priority, 24)
    return t.dispatched_at + datetime.timedelta(hours=hours)


def derived_status(t: Any) -> str:
    S = Ticket.Status
    if t.signature == "none" and t.no_signature_reason:
        # The desk's next step whatever else is pending (第十条): phone the recipient.
        return S.AWAITING_PHONE
    if t.dispatched_at is None:
        if t.phone_resolved_at is not None:
            return S.PHONE_RESOLVED
        return S.DISPATCH_SENT if t.dispatch_message_id else S.REPORTED
    if t.resolved_at is None:
        if t.resolution_message_id:
            return S.RESOLUTION_SENT
        return S.ACKNOWLEDGED if t.acknowledged_at else S.DISPATCHED
    if t.archive == "ok":
        return S.ARCHIVED
    if t.signature != "none" and t.satisfaction:
        return S.CLOSED
    return S.RESOLVED


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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="original"
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="attachments"
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="calls"
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="extensions"
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="findings"
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
    "reminder_sent": _("Deadline reminder mailed"),
    "manager_copy_sent": _("Copy mailed to the vendor's manager (T6 step passed)"),
    "mail_not_counted": _("Mail received, not counted"),
    "mail_not_delivered": _("Mail not delivered (bounced)"),
    "mail_resent": _("Mail sent again"),
    "mail_resent_received": _("Mail sent again, received by the mail server"),
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="events"
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="sign_links"
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
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="reminders"
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
