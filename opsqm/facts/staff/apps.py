from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "opsqm.facts.staff"
    label = "staff"
    verbose_name = _("Vendor staff")
    default_auto_field = "django.db.models.BigAutoField"
