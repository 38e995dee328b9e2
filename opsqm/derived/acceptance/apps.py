from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcceptanceConfig(AppConfig):
    name = "opsqm.derived.acceptance"
    label = "acceptance"
    verbose_name = _("Acceptance")
    default_auto_field = "django.db.models.BigAutoField"
