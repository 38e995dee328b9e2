"""`manage.py directory_sync`: ask the directory about every directory account now
(the worker does it hourly): deactivate those gone or disabled there, follow role
changes, cut off those whose groups now give no role or two."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opsqm.infra.accounts.directory import sync_accounts


class Command(BaseCommand):
    help = "Check every directory (LDAP/AD) account against the directory now."

    def handle(self, *args: Any, **options: Any) -> None:
        report = sync_accounts()
        if report.error:
            raise CommandError(f"directory check stopped, nobody deactivated: {report.error}")
        self.stdout.write(f"checked {report.checked} directory account(s)")
        for name in report.deactivated:
            self.stdout.write(f"deactivated {name}")
        for name, reason in report.refused.items():
            self.stdout.write(f"refused {name}: {reason}")
