from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "opsqm.derived.reports"
    label = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The acceptance package (below this app) carries the generated reports.
        from opsqm.derived.acceptance.package import ReportSource, provide_reports
        from opsqm.derived.reports import services

        provide_reports(
            ReportSource(
                periods=services.periods,
                generate=services.generate,
                title=lambda kind: str(services.KINDS[kind].label),
                whole_period=services.ALL,
            )
        )
