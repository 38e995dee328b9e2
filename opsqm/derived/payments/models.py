"""Payments of 合同 五: the signing day the schedule counts from, invoices, payments made.

The amounts due and the deadlines are computed (`services.schedule`), never stored: the
first payment is the contract amount less the final payment (75 %), the final payment is
the settlement's payable amount once signed off (五.5)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.textlimits import NOTE, limit_constraints, limited_text
from opsqm.infra.core.uploads import UploadValidator, upload_to


class Kind(models.TextChoices):
    FIRST = "first", _("first payment (75 %)")
    FINAL = "final", _("final payment")


class PaymentPlan(models.Model):
    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="payment_plan"
    )
    # 十四.3: the contract takes effect on the later of the two signatures.
    signed_on = models.DateField(_("contract signed on"))

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")

    def __str__(self) -> str:
        return f"{self.contract.code} {self.signed_on.isoformat()}"


class Invoice(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("payment"), max_length=8, choices=Kind.choices)
    number = models.CharField(_("invoice number"), max_length=64)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    issued_on = models.DateField(_("issued on"))
    received_on = models.DateField(_("received on"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ("received_on", "number")
        constraints = (
            models.UniqueConstraint(fields=("contract", "number"), name="invoice_number_unique"),
            models.CheckConstraint(
                name="invoice_received_after_issue",
                condition=models.Q(received_on__gte=models.F("issued_on")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.contract.code} {self.number}"


class PaymentMade(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments_made"
    )
    kind = models.CharField(_("payment"), max_length=8, choices=Kind.choices)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment made")
        verbose_name_plural = _("payments made")
        ordering = ("paid_on", "pk")

    def __str__(self) -> str:
        return f"{self.contract.code} {self.kind} {self.paid_on.isoformat()} {self.amount}"


class Termination(models.Model):
    """合同 十.2 / 十.3: the bureau's termination of the contract.  Its consequence
    (refund, 30 % or the actual loss, the refund deadline) is computed
    (`termination.consequence`), never stored."""

    class Grounds(models.TextChoices):
        DELAY = "delay_over_15", _("a contracted service more than 15 days late (合同 十.2)")
        FAILURE = "service_failure", _("service or 第二节 requirements not met (合同 十.3)")

    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="termination"
    )
    grounds = models.CharField(_("grounds"), max_length=16, choices=Grounds.choices)
    notice_on = models.DateField(_("termination notice issued on"))
    received_on = models.DateField(_("notice received by the vendor on"))
    reason = limited_text(_("reason"), NOTE)
    actual_loss = models.DecimalField(
        _("actual loss determined (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_(
            "Leave empty when the loss cannot be computed: 30 per cent of the amount applies."
        ),
    )
    notice = models.FileField(
        _("termination notice (scan)"),
        upload_to=upload_to("payments/termination"),
        validators=[UploadValidator("pdf", "docx", "png", "jpeg")],
        blank=True,
    )

    class Meta:
        verbose_name = _("termination")
        verbose_name_plural = _("terminations")
        constraints = (
            *limit_constraints("termination", {"reason": NOTE}),
            models.CheckConstraint(
                name="termination_received_after_notice",
                condition=models.Q(received_on__gte=models.F("notice_on")),
            ),
        )

    def __str__(self) -> str:
        return f"{self.contract.code} {self.grounds} {self.notice_on.isoformat()}"
