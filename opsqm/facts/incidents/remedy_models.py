"""The records of the contract's remedies that are not points rules: the loss an
operator's error caused (第十二条), force majeure (合同 十一) and the bureau's written
agreement to a later delivery (合同 十.1).  Imported by `models.py` (the app's model
module), so they live in the `incidents` app; references to its other models are by
name to avoid the import cycle."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.textlimits import NOTE, TEXT, limit_constraints, limited_text
from opsqm.infra.core.uploads import UploadValidator, upload_to

USER = settings.AUTH_USER_MODEL
DOCS = ("pdf", "docx", "png", "jpeg")
EXPLANATION_DAYS = 5  # 十一.1: a written explanation within 5 days of the event
FM_PREFIX = "force_majeure:"


class Liability(models.Model):
    """第十二条: the direct economic loss of an incident an operator's error caused,
    as the bureau determined it; the settlement deducts it from the payment (五.5)."""

    incident = models.OneToOneField(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        related_name="liability",
    )
    amount = models.DecimalField(
        _("direct economic loss (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    decided_on = models.DateField(_("determined on"))
    decision = limited_text(_("the bureau's determination"), TEXT)
    evidence = models.FileField(
        _("evidence of the loss"),
        upload_to=upload_to("incidents/liability"),
        validators=[UploadValidator(*DOCS)],
        blank=True,
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("liability for an operator's error")
        verbose_name_plural = _("liabilities for operators' errors")
        ordering = ("incident__contract__code", "incident__code")
        constraints = (
            *limit_constraints("liability", {"decision": TEXT}),
            models.CheckConstraint(name="liability_amount_not_negative",
                                   condition=models.Q(amount__gte=0)),
        )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.incident} {self.amount}"


class ForceMajeure(models.Model):
    """合同 十一: the vendor's notice (at once), its written explanation (within 5 days of
    the event) and the bureau's decision, which excuses the named tickets, incidents and
    deliveries (their `excused` = "force_majeure:<code>")."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT,
        related_name="force_majeure",
    )  # fmt: skip
    code = models.CharField(_("number"), max_length=32)
    event = limited_text(_("the event"), TEXT)
    occurred_on = models.DateField(_("event occurred on"))
    notified_at = models.DateTimeField(_("vendor's notice received at"))
    explanation_received_on = models.DateField(
        _("written explanation received on"), null=True, blank=True
    )
    explanation = models.FileField(
        _("written explanation"),
        upload_to=upload_to("incidents/force_majeure"),
        validators=[UploadValidator(*DOCS)],
        blank=True,
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision = limited_text(_("the bureau's decision"), NOTE, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("force majeure notice")
        verbose_name_plural = _("force majeure notices")
        ordering = ("contract__code", "-occurred_on", "code")
        constraints = (
            models.UniqueConstraint(fields=["contract", "code"], name="force_majeure_code"),
            *limit_constraints("forcemajeure", {"event": TEXT, "decision": NOTE}),
        )

    def __str__(self) -> str:
        return self.code

    @property
    def reference(self) -> str:
        """What the excused facts carry (the spec's `excused`)."""
        return FM_PREFIX + self.code

    @property
    def explanation_due(self) -> datetime.date:
        return self.occurred_on + datetime.timedelta(days=EXPLANATION_DAYS)

    def explanation_overdue(self, today: datetime.date) -> bool:
        """No explanation by the 5th day after the event, or one received after it."""
        got = self.explanation_received_on
        return got > self.explanation_due if got else today > self.explanation_due

    @property
    def decided(self) -> bool:
        return self.decided_on is not None


class DelayAgreement(models.Model):
    """合同 十.1: the bureau's written agreement to deliver later; the only way a
    contracted delivery's due day moves once recorded."""

    delivery = models.ForeignKey(
        "incidents.ServiceDelay", verbose_name=_("contracted delivery"),
        on_delete=models.PROTECT, related_name="agreements",
    )  # fmt: skip
    requested_on = models.DateField(_("vendor's written notice of the delay on"))
    agreed_on = models.DateField(_("bureau agreed on"))
    previous_due = models.DateField(_("due before"))
    new_due = models.DateField(_("new due day"))
    reason = limited_text(_("reason"), NOTE)
    document = models.FileField(
        _("the bureau's written agreement"),
        upload_to=upload_to("incidents/delay_agreements"),
        validators=[UploadValidator(*DOCS)],
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("agreed delay")
        verbose_name_plural = _("agreed delays")
        ordering = ("delivery", "agreed_on", "pk")
        constraints = (*limit_constraints("delayagreement", {"reason": NOTE}),)

    def __str__(self) -> str:
        return f"{self.delivery}: {self.previous_due} → {self.new_due}"
