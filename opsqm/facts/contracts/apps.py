from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "opsqm.facts.contracts"
    label = "contracts"
    verbose_name = _("Contracts")
    default_auto_field = "django.db.models.BigAutoField"
