"""Work orders (工单): the ticket record of the evidence log v1 (rules T1–T8).

Minimal on purpose: the work-order flow (dispatch mail, feedback, closure) is built
on this model later.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.contracts.models import Contract, Unit


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
    dispatched_at = models.DateTimeField(_("dispatched at"))
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
        indexes = (models.Index(fields=["contract", "resolved_at"], name="ticket_open_idx"),)

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
