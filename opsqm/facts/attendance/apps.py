from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "opsqm.facts.attendance"
    label = "attendance"
    verbose_name = _("Attendance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The contracts' rulebooks (below this app) read the declared calendar years here.
        from opsqm.facts.attendance.calendar import db_calendar_years
        from opsqm.facts.contracts.rulebooks import register_calendar_years

        register_calendar_years(db_calendar_years)
