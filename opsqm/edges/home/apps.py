from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The home page: each role's first things, read from the work orders and the
    ledgers (so it stands above them, not in core)."""

    name = "opsqm.edges.home"
    label = "home"
    verbose_name = _("Home")
