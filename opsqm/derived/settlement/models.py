"""The year-end settlement statement of a contract (第十九条, 合同 五.5): the engine's
ledger at the period end, reviewed by the supervisor and signed off by the IT
department; frozen at sign-off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract

USER = settings.AUTH_USER_MODEL


class SettlementStatement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("With the supervisor")
        RETURNED = "returned", _("Returned with comments")
        APPROVED = "approved", _("Approved by the supervisor")
        SIGNED = "signed", _("Signed off")

    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="settlement"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="draft")
    created_by = models.ForeignKey(
        USER, verbose_name=_("drafted by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("drafted at"))
    reviewed_by = models.ForeignKey(
        USER,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # The evidence the supervisor approved (sha256 of the contract's export).
    reviewed_evidence_sha256 = models.CharField(max_length=64, blank=True)
    signed_by = models.ForeignKey(
        USER,
        verbose_name=_("signed off by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    # Frozen at sign-off: the ledger (spec §4 JSON), the evidence it came from, the rulebook.
    frozen_ledger = models.JSONField(_("ledger at sign-off"), null=True, blank=True)
    evidence_sha256 = models.CharField(_("evidence export SHA-256"), max_length=64, blank=True)
    rulebook = models.CharField(_("rulebook"), max_length=64, blank=True)
    # 第十二条 compensation (合同 五.5): its total when the supervisor approved (sign-off
    # is refused if it changed) and, at sign-off, the lines and the payable amount.
    reviewed_compensation = models.CharField(max_length=20, blank=True)
    frozen_compensation = models.JSONField(_("compensation at sign-off"), null=True, blank=True)
    # [{"at", "by", "role", "action", "comments"}], oldest first.
    history = models.JSONField(_("history"), default=list, blank=True)

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        ordering = ("contract__code",)

    def __str__(self) -> str:
        return f"{self.contract.code} settlement"

    @property
    def frozen(self) -> bool:
        return self.status == self.Status.SIGNED
