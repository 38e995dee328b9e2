"""`opsqm audit verify`: walk the audit hash chain (keyed hashes checked with the
audit keys), compare its end with the head anchor and the records with every
checkpoint, and name every edited, inserted or deleted record.  Exit status 0 when
the chain is intact, 1 otherwise.

`opsqm audit init-key` creates the audit key file (else the first record does),
`opsqm audit rotate-key` starts signing with a new key (old keys stay, for
verification), `opsqm audit checkpoint` writes a checkpoint of the head now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.infra.audit.checkpoints import read_checkpoints
from opsqm.infra.audit.keys import AuditKeyError, key_path, load_keys, rotate_key
from opsqm.infra.audit.services import verify_chain, write_checkpoint


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
        verify.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="check the checkpoints of this file (e.g. the lines of the checkpoint "
            "mails) instead of the checkpoint file of the data directory",
        )
        sub.add_parser("init-key", help="create the audit key file if it does not exist")
        sub.add_parser("rotate-key", help="sign new records with a new audit key")
        sub.add_parser("checkpoint", help="write a checkpoint of the head now")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        try:
            if command == "verify":
                self.verify(
                    options.get("expect_head"), bool(options.get("json")), options["checkpoints"]
                )
            elif command == "init-key":
                keys = load_keys(create=True)
                self.stdout.write(f"{key_path()}: {len(keys)} key(s), current {list(keys)[-1]}")
            elif command == "rotate-key":
                self.stdout.write(f"{key_path()}: new records are signed with {rotate_key()}")
            elif command == "checkpoint":
                cp = write_checkpoint()
                self.stdout.write(cp.as_json() if cp else "the audit log is empty")
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from exc

    def verify(self, expect_head: str | None, as_json: bool, checkpoint_file: str | None) -> None:
        checkpoints = None
        if checkpoint_file:
            path = Path(checkpoint_file)
            if not path.is_file():
                raise CommandError(f"--checkpoints: {path} is not a file")
            checkpoints, unreadable = read_checkpoints(path)
            if unreadable:
                raise CommandError(f"--checkpoints: {unreadable[0].detail} in {path}")
        report = verify_chain(checkpoints)
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
