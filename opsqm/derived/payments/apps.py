from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "opsqm.derived.payments"
    label = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opsqm.derived.payments.services import set_signed_on
        from opsqm.facts.contracts.signing import on_signed

        # A contract registered with its signing day has its payment plan at once.
        on_signed(set_signed_on)
