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
