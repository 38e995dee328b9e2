from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "opsqm.facts.tickets"
    label = "tickets"
    verbose_name = _("Work orders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The board's filter bar caches the contract and unit lists for a minute: a
        # change of either drops them at once (in this process; others within a minute).
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from opsqm.facts.contracts.models import Contract, Unit
        from opsqm.facts.tickets.views.board import clear_filter_bar_cache

        for model in (Contract, Unit):
            post_save.connect(clear_filter_bar_cache, sender=model, dispatch_uid=f"fb-s-{model}")
            post_delete.connect(clear_filter_bar_cache, sender=model, dispatch_uid=f"fb-d-{model}")
        m2m_changed.connect(
            clear_filter_bar_cache, sender=Contract.units.through, dispatch_uid="fb-units"
        )
        # The mail service tells the flow what arrived and when its mail was received
        # (opsqm.infra.mail.hooks): the mail package never imports the flow.
        from opsqm.facts.tickets.mail_rules import handle_inbound, server_time_recorded
        from opsqm.infra.mail.hooks import on_inbound, on_server_time

        on_inbound(handle_inbound)
        on_server_time(server_time_recorded)
