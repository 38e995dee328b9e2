from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "opsqm.infra.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every installed app may define its job handlers and periodic schedules in
        # `<app>/tasks.py`; importing them here registers them in every process (web
        # and worker alike), so `enqueue` can check a kind and the worker can run it.
        autodiscover_modules("tasks")
