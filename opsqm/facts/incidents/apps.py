from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "opsqm.facts.incidents"
    label = "incidents"
    verbose_name = _("Incidents and evaluations")
    default_auto_field = "django.db.models.BigAutoField"
