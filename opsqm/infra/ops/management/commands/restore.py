"""`opsqm restore --from DIR [--force]`: check the set, restore, verify the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.infra.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup set into an empty database and data directory; the SHA-256 sums "
        "are checked first and the audit chain is verified against the recorded head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="src", required=True, metavar="DIR")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the existing database and uploads (they are lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = restore(Path(options["src"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in outcome.problems:
            self.stderr.write(line)
        if outcome.problems:
            raise CommandError(
                f"restored, but the audit chain does not match the backup: "
                f"{len(outcome.problems)} problem(s)",
                returncode=1,
            )
        head = outcome.manifest["audit_head"]
        self.stdout.write(
            f"restored from {outcome.path} (OpsQM {outcome.manifest['opsqm_version']}, "
            f"{outcome.manifest['created_at']}); audit chain intact up to #{head['seq']}"
        )
