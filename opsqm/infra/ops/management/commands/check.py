"""`opsqm check`: Django's system checks, then the installation's settings and
environment (opsqm.infra.ops.checks), one line per problem; exit 1 on any."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import check as django_check

from opsqm.infra.ops.checks import problems


class Command(django_check.Command):
    help = (
        "Check the installation: Django's system checks, then the database (reachable, "
        "migrated), SECRET_KEY, mail settings, the data directory, fonts and Pango."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--code-only",
            action="store_true",
            help="only Django's system checks (what `django-admin check` does)",
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        if options["code_only"]:
            return
        found = problems()
        for line in found:
            self.stderr.write(line)
        if found:
            raise CommandError(f"{len(found)} problem(s): OpsQM is not ready", returncode=1)
        self.stdout.write("OpsQM installation: no problem found")
