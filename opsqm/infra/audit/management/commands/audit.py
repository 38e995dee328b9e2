"""`opsqm audit verify`: walk the audit hash chain, compare its end with the head
anchor, and name every edited, inserted or deleted record.  Exit status 0 when the
chain is intact, 1 otherwise."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.infra.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools.  `audit verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain of the audit log")
        verify.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head written down earlier (an anchor outside the database): "
            "detects removal of the newest records even if the database's own head "
            "anchor was rewritten too",
        )
        verify.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options.get("expect_head"), bool(options.get("json")))

    def verify(self, expect_head: str | None, as_json: bool) -> None:
        report = verify_chain()
        problems = [(p.seq, p.kind, p.detail) for p in report.problems]
        if expect_head:
            seq_text, _, hash_text = expect_head.partition(":")
            try:
                seq = int(seq_text)
            except ValueError as exc:
                raise CommandError("--expect-head takes SEQ:HASH") from exc
            from opsqm.infra.audit.models import AuditRecord

            rec = AuditRecord.objects.filter(seq=seq).first()
            if rec is None:
                problems.append((seq, "deleted", "the expected head record is missing"))
            elif hash_text and rec.hash != hash_text:
                problems.append((seq, "edited", "the expected head has another hash"))
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": not problems,
                        "records": report.count,
                        "head": {"seq": report.head_seq, "hash": report.head_hash},
                        "anchor": {"seq": report.anchor_seq, "hash": report.anchor_hash},
                        "problems": [{"seq": s, "kind": k, "detail": d} for s, k, d in problems],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for seq, kind, detail in problems:
                self.stdout.write(f"#{seq}\t{kind}\t{detail}")
            head = f"#{report.head_seq} {report.head_hash}" if report.head_seq else "(empty)"
            self.stdout.write(f"{report.count} records, head {head}")
            if report.anchor_seq is not None:
                self.stdout.write(f"head anchor #{report.anchor_seq} {report.anchor_hash}")
        if problems:
            raise CommandError(
                f"audit chain broken: {len(problems)} problem(s) in {report.count} records",
                returncode=1,
            )
        if not as_json:
            self.stdout.write(self.style.SUCCESS("audit chain intact"))
