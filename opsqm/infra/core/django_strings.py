"""Django's own strings that its zh_Hans catalogue does not translate yet.

Listed here so that `make messages` keeps them in OpsQM's catalogue, which Django
consults before its own (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # Django 6.1: the empty choice of every drop-down (BLANK_CHOICE_LABEL).
    gettext_noop("- Select an option -"),
)
