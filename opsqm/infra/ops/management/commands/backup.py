"""`opsqm backup --to DIR`: database, uploads and stored mail, audit head, SHA-256 sums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.infra.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup set into a new directory (docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, metavar="DIR", help="a new or empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup(Path(options["to"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = outcome.manifest
        head = m["audit_head"]
        self.stdout.write(
            f"backup written to {outcome.path}: {m['database']['engine']} database, "
            f"{m['files']['files']} file(s) ({m['files']['mail']} stored mail), "
            f"audit head #{head['seq']} {head['hash'][:16]}"
        )
