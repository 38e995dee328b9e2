"""The kept ledger of a contract (docs/ledger.md): the engine's answer stored with
the evidence version it was computed from and the instants until which it holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opsqm.facts.contracts.models import Contract


class KeptLedger(models.Model):
    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, primary_key=True, related_name="kept_ledger"
    )
    evidence_version = models.PositiveBigIntegerField()
    # The configured default rulebook it was computed under (settings may change).
    rulebook = models.CharField(max_length=64)
    as_of = models.DateTimeField()
    # The whole ledger holds in [as_of, until); the figures (summary) in
    # [as_of, summary_until).  None: until new evidence.
    until = models.DateTimeField(null=True)
    summary_until = models.DateTimeField(null=True)
    ledger = models.JSONField(null=True)  # ledger_to_dict; None with a problem
    summary = models.JSONField(null=True)  # what the bureau's pages read
    problem = models.TextField(blank=True)  # why there is no ledger (a calendar gap…)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kept ledger")
        verbose_name_plural = _("kept ledgers")

    def __str__(self) -> str:
        return f"{self.contract_id}@{self.evidence_version} {self.as_of:%Y-%m-%d %H:%M}"
