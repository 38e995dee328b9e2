"""`opsqm import FILE`: store an evidence log v1, idempotently, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser

from opsqm.derived.evidence.importer import KINDS, import_evidence
from opsqm.pure.assessment.evidence_log import EvidenceLogError, read_evidence_log


class Command(BaseCommand):
    help = "Import an evidence log v1 (JSON Lines): validated first; nothing stored on error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the evidence log (.jsonl)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            evidences = read_evidence_log(path)
        except OSError as exc:
            self.stderr.write(f"{path}: {exc.strerror or exc}")
            raise SystemExit(1) from exc
        except EvidenceLogError as exc:
            for issue in exc.issues:
                self.stderr.write(f"{path}: {issue}")
            self.stderr.write(f"{len(exc.issues)} issue(s); nothing imported.")
            raise SystemExit(1) from exc
        try:
            result = import_evidence(evidences.values())
        except ValidationError as exc:
            for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                for msg in messages:
                    self.stderr.write(f"{path}: {field + ': ' if field else ''}{msg}")
            self.stderr.write("nothing imported.")
            raise SystemExit(1) from exc
        self.stdout.write(f"{'':14} {'created':>8} {'updated':>8} {'unchanged':>10}")
        for kind in KINDS:
            c, u, n = result.created[kind], result.updated[kind], result.unchanged[kind]
            if c or u or n:
                self.stdout.write(f"{kind:14} {c:>8} {u:>8} {n:>10}")
        total_c = sum(result.created.values())
        total_n = sum(result.unchanged.values())
        self.stdout.write(
            f"{len(evidences)} contract(s): {total_c} created, "
            f"{sum(result.updated.values())} updated, {total_n} unchanged."
        )
