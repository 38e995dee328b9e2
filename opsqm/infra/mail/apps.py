from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "opsqm.infra.mail"
    label = "mail"
    verbose_name = _("Intranet mail")
    default_auto_field = "django.db.models.BigAutoField"
