"""Work orders (工单): the ticket record of the evidence log v1 (rules T1–T8) and
the flow that produces it (rulebook 第八条–第十条, 第十四条六, 第二十一条).

`Ticket` keeps the facts the engine reads (dispatched_at, acknowledged_at,
extended_to, resolved_at, signature, satisfaction, record_*, template_ok, forged,
archive) plus the flow's own state.  `status` and `deadline` are *derived* from
those facts by `Ticket.fill_derived()` (called by `save()`; code that bulk-creates
tickets calls it itself) and stored only so that the desk's board can filter and
sort on indexed columns.  The flow's other records (original report, attachments,
calls, extensions, findings, events, signing links, reminders) are defined in
`opsqm.facts.tickets.records` and importable from here.  See docs/tickets.md.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.contracts.rulebooks import (
    contract_rulebook,
    default_rulebook,
    model_contract_stub,
)
from opsqm.facts.tickets.records import (
    ATTACHMENT_KINDS,
    EVENT_LABELS,
    Attachment,
    Event,
    Extension,
    Finding,
    OriginalReport,
    PhoneCall,
    Reminder,
    SignLink,
    TicketSequence,
)
from opsqm.infra.core.textlimits import NOTE, TEXT, limit_constraints, limited_text
from opsqm.infra.core.uploads import upload_to
from opsqm.pure.assessment.rulebook import Rulebook, TicketRules, rulebook_for
from opsqm.pure.assessment.rules.sla import ticket_deadline
from opsqm.pure.assessment.workcalendar import calendar_for

# 第九条二: 紧急工单 8 小时, 普通工单 24 小时 (the engine reads the rulebook's
# `tickets.sla_hours`; these are the defaults shown before a contract is known).
SLA_HOURS = {"urgent": 8, "normal": 24}

# The ticket record of the evidence log v1: the facts rules T1–T8 read, in the order
# `opsqm.facts.tickets.evidence.ticket_records` reads them (registers write the same ones).
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
    "excused",
)

# Statuses with nothing left to do: the board's "open work" is every other status
# (the partial indexes below and `opsqm.facts.tickets.views` use the same list).
CLOSED_STATUSES = ("archived", "phone_resolved")


# issue 12: what a person types into a ticket, at most (form, services, database)
TEXT_LIMITS = {
    "description": TEXT,
    "analysis": TEXT,
    "steps": TEXT,
    "verification": TEXT,
    "no_signature_reason": NOTE,
    "archive_note": NOTE,
}


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
    # A security work order's report (第十条四): who tested and the report's own date;
    # blank on a user's report.
    testing_org = models.CharField(_("testing organisation"), max_length=200, blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
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
    description = limited_text(_("description"), TEXT, blank=True)
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
    analysis = limited_text(_("problem analysis"), TEXT, blank=True)
    steps = limited_text(_("resolution steps"), TEXT, blank=True)
    verification = limited_text(_("verification result"), TEXT, blank=True)
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
    no_signature_reason = models.TextField(
        _("why no signature is possible"),
        blank=True,
        max_length=NOTE,
        validators=[MaxLengthValidator(NOTE)],
    )
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
    archive_note = limited_text(_("archive note"), NOTE, blank=True)
    # The decision that excuses it (合同 十一 force majeure, 十.1 agreed delay), e.g.
    # "force_majeure:FM-2026-01"; blank when none (spec §2 `excused`).  Set only
    # through opsqm.facts.incidents.excusal.set_excused (audited).
    excused = models.CharField(_("excused by decision"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = (
            "contract__code",
            "number",
        )
        constraints = (
            # One number names one ticket, whatever the contract: a mail tag, a
            # ledger line and a printout each name one work order (issue 12).
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
            *limit_constraints("ticket", TEXT_LIMITS),
        )
        indexes = (
            models.Index(fields=["contract", "resolved_at"], name="ticket_open_idx"),
            models.Index(fields=["deadline", "id"], name="ticket_deadline_idx"),
            models.Index(fields=["status", "deadline"], name="ticket_status_idx"),
            models.Index(fields=["contract", "status", "deadline"], name="ticket_contract_idx"),
            models.Index(fields=["unit", "deadline"], name="ticket_unit_idx"),
            models.Index(fields=["priority", "deadline"], name="ticket_priority_idx"),
            models.Index(fields=["engineer", "deadline"], name="ticket_engineer_idx"),
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
            # The ledger page lists a contract's excused work orders: a handful among
            # thousands, found without reading the contract's tickets.
            models.Index(
                fields=["contract", "id"],
                condition=~models.Q(excused=""),
                name="ticket_excused_idx",
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
            # The engine's own function, on the contract's clock (natural or business).
            book = contract_deadline_rulebook(self.contract)
            return ticket_deadline(
                self.dispatched_at, self.priority, None, book, calendar_for(book.calendar)
            )
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
def _rulebook(rulebook: str, overrides_json: str) -> Rulebook:
    default = default_rulebook(settings.OPSQM_DEFAULT_RULEBOOK)
    try:
        stub = model_contract_stub("", rulebook, json.loads(overrides_json))
        return rulebook_for(stub, default)
    except ValueError:  # a broken override: the ledger page says so; keep the default
        return default


def contract_deadline_rulebook(contract: Contract) -> Rulebook:
    """The rulebook a ticket deadline of `contract` is computed under (cached); on the
    business clock with the calendar years the assessor declared (read each time)."""
    overrides = json.dumps(contract.rulebook_overrides or {}, sort_keys=True)
    book = _rulebook(contract.rulebook or "", overrides)
    if book.tickets.sla_clock != "business":
        return book
    stub = model_contract_stub(contract.code, contract.rulebook or "", json.loads(overrides))
    try:
        return contract_rulebook(stub)
    except ValueError:
        return book


def contract_sla_hours(contract: Contract) -> dict[str, int]:
    """Hours per priority under the contract's rulebook (the engine's reading)."""
    return dict(contract_ticket_rules(contract).sla_hours)


def contract_ticket_rules(contract: Contract) -> TicketRules:
    """The ticket rules of the contract's rulebook with its overrides (cached)."""
    overrides = json.dumps(contract.rulebook_overrides or {}, sort_keys=True)
    return _rulebook(contract.rulebook or "", overrides).tickets


def derived_deadline(t: Any, sla: dict[str, int] | None = None) -> datetime.datetime | None:
    """The natural-hours deadline (the data migration, and a ticket without contract;
    `compute_deadline` calls the engine's `ticket_deadline`): `extended_to` once agreed, else
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


# The flow's records are defined in `records` and re-exported here.
__all__ = [
    "ATTACHMENT_KINDS",
    "CLOSED_STATUSES",
    "EVENT_LABELS",
    "EVIDENCE_FIELDS",
    "SLA_HOURS",
    "Attachment",
    "Event",
    "Extension",
    "Finding",
    "OriginalReport",
    "PhoneCall",
    "Reminder",
    "SignLink",
    "Ticket",
    "TicketSequence",
    "contract_sla_hours",
    "contract_ticket_rules",
    "derived_deadline",
    "derived_status",
    "latest_step",
]
