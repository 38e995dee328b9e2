from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "opsqm.derived.ledger"
    label = "ledger"
    verbose_name = _("Assessment ledger")
    default_auto_field = "django.db.models.BigAutoField"
