from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    """The worker's jobs for apps that may not import the job queue themselves (the
    accounts app sits beside opsqm.infra.jobs, not above it): their tasks.py is here."""

    name = "opsqm.edges.schedules"
    label = "schedules"
    verbose_name = _("Schedules")
