from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "opsqm.derived.ledger"
    label = "ledger"
    verbose_name = _("Assessment ledger")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register pages below (staff, incidents, attendance) ask the contracts layer for
        # a ledger; the evidence it needs is read by the adapter, above them, and the
        # ledger comes from the kept ledgers (docs/ledger.md).
        from opsqm.derived.evidence.adapter import contract_evidence
        from opsqm.derived.ledger.evidence_signals import connect
        from opsqm.derived.ledger.kept import kept_ledger
        from opsqm.facts.contracts.scoring import provide_evidence, provide_kept_ledger

        provide_evidence(contract_evidence)
        provide_kept_ledger(kept_ledger)
        # Evidence writes bump their contract's evidence version.
        connect()
