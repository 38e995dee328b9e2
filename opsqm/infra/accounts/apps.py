from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "opsqm.infra.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opsqm.infra.accounts import signals  # noqa: F401  (connects the audit receivers)
