"""`opsqm verify-package PACKAGE.zip`: check an acceptance package against its
manifest (no database needed: opsqm.derived.acceptance.manifest is pure Python)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.derived.acceptance.manifest import verify_zip


class Command(BaseCommand):
    help = "Check an acceptance package ZIP against its manifest.sha256 and manifest.json."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_zip(options["package"])
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"{len(report.lines())} problem(s) in {options['package']}", returncode=1
            )
        self.stdout.write(f"OK: {report.checked} files match the manifest")
