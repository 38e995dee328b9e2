"""`opsqm demo`: a demo bureau that has used OpsQM for a few months, loaded through
the service functions (so the audit log has every record).  Idempotent: does nothing
when the demo contract exists.

The data is built by `opsqm.edges.demo` (one module per app's data, `load` runs them
in order).  The steps of the story happen at their hour: the services' own clock
reads the story's instant while a step runs (`opsqm.edges.demo.story.clock`), and the
bureau's mail server is played by storing the service desk's copy of each mail with a
receive time a few seconds after the send (`opsqm.edges.demo.flow`).  Nothing is
sent.  The audit log keeps its own clock, so its records say when the demo was loaded.
docs/demo.md describes it all.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from opsqm.edges.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from opsqm.edges.demo.contracts import SEED_CONTRACT
from opsqm.edges.demo.load import load
from opsqm.facts.contracts.models import Contract
from opsqm.infra.core.roles import Role

__all__ = ["DEMO_PASSWORD", "Command"]


class Command(BaseCommand):
    help = "Load the demo bureau (contracts, staff, tickets, users of every role)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Contract.objects.filter(code=SEED_CONTRACT).exists():
            self.stdout.write("The demo bureau is already loaded; nothing to do.")
        else:
            with transaction.atomic():
                load()
            self.stdout.write(self.style.SUCCESS("Demo bureau loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, name, _v, _u in ACCOUNTS:
            self.stdout.write(f"  {username:12} {Role(role).label}  {name}")
