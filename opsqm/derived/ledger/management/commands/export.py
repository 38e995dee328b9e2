"""`opsqm export [--contract CODE] [-o FILE]`: the evidence log v1 of the database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.facts.contracts.models import Contract
from opsqm.pure.assessment.evidence_log import write_evidence_log


class Command(BaseCommand):
    help = "Write the evidence log v1 (JSON Lines) of one contract, or of all contracts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contract", action="append", help="contract number (repeatable); all if absent"
        )
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = Contract.objects.select_related("vendor").order_by("code")
        codes = options.get("contract")
        if codes:
            qs = qs.filter(code__in=codes)
            missing = sorted(set(codes) - set(qs.values_list("code", flat=True)))
            if missing:
                raise CommandError(f"unknown contract: {', '.join(missing)}")
        contracts = list(qs)
        # One contract's evidence at a time, written before the next is read: memory
        # stays that of the largest contract, however many there are.
        evidences = (contract_evidence(c) for c in contracts)
        out = options.get("output")
        if out and out != "-":
            with open(out, "wb") as fh:
                n = write_evidence_log(evidences, fh)
            self.stderr.write(f"{n} lines, {len(contracts)} contract(s) → {out}")
        else:
            write_evidence_log(evidences, sys.stdout.buffer)
            sys.stdout.flush()
