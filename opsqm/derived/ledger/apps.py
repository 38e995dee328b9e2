from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "opsqm.derived.ledger"
    label = "ledger"
    verbose_name = _("Assessment ledger")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Evidence writes bump their contract's evidence version (kept ledgers).
        from opsqm.derived.ledger.evidence_signals import connect

        connect()
