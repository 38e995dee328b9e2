"""Builders for tests: records with their facts given, without the flows.

Production code writes a ticket only through `opsqm.facts.tickets.services` (the flow,
step by step); a test that needs a ticket in a given state, with given times, builds
it here instead (the demo's registered history has its own builder).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsqm.facts.contracts.models import Contract
from opsqm.facts.tickets.models import EVIDENCE_FIELDS, Ticket
from opsqm.infra.audit.servicekit import save_audited

# What a builder may set: the evidence facts, and the title and unit shown with them.
TICKET_FIELDS = (*EVIDENCE_FIELDS, "title", "unit")


def create_ticket(contract: Contract, data: Mapping[str, Any]) -> Ticket:
    """A ticket with its facts given (validated and audited like a register entry)."""
    fields = {k: data[k] for k in TICKET_FIELDS if k in data}
    fields.setdefault("problem", fields.get("number", ""))
    return save_audited(Ticket(contract=contract), fields, action="ticket.create")


def update_ticket(ticket: Ticket, data: Mapping[str, Any]) -> Ticket:
    fields = {k: data[k] for k in TICKET_FIELDS if k in data}
    return save_audited(ticket, fields, action="ticket.update")
