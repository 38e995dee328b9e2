from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "opsqm.facts.incidents"
    label = "incidents"
    verbose_name = _("Incidents and evaluations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opsqm.facts.contracts.signing import on_signed
        from opsqm.facts.incidents import rectification
        from opsqm.facts.incidents.mailing import PREFIXES, handle_inbound, server_time_recorded
        from opsqm.facts.incidents.stafflist import ensure_staff_list_delivery
        from opsqm.infra.mail.hooks import on_inbound, on_server_time
        from opsqm.infra.mail.subjects import register_thread_prefix

        # 第二十一条's other mail (change notices, instructions, manager copies): the
        # mail service recognises their subject tags and tells us their server times
        # and replies (opsqm.infra.mail.hooks); it never imports this app.
        for prefix in PREFIXES.values():
            register_thread_prefix(prefix)
        on_inbound(handle_inbound)
        # 合同 六(二)1: the staff list is due 1 day after signing.
        on_signed(ensure_staff_list_delivery)
        # 合同 六(一)2 with 第二十一条三: a mailed notice is received at the server's time.
        on_server_time(rectification.server_time_recorded)
        on_server_time(server_time_recorded)
