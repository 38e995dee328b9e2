"""Ticket services.  The full work-order flow is a later issue; these keep the
evidence the engine reads (rules T1–T8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsqm.contracts.models import Contract
from opsqm.contracts.servicekit import save_audited
from opsqm.tickets.models import Ticket

TICKET_FIELDS = (
    "number",
    "problem",
    "title",
    "unit",
    "priority",
    "dispatched_at",
    "acknowledged_at",
    "extended_to",
    "resolved_at",
    "signature",
    "satisfaction",
    "record_analysis",
    "record_steps",
    "record_verification",
    "template_ok",
    "forged",
    "archive",
)


def create_ticket(contract: Contract, data: Mapping[str, Any]) -> Ticket:
    fields = {k: data[k] for k in TICKET_FIELDS if k in data}
    fields.setdefault("problem", fields.get("number", ""))
    return save_audited(Ticket(contract=contract), fields, action="ticket.create")


def update_ticket(ticket: Ticket, data: Mapping[str, Any]) -> Ticket:
    fields = {k: data[k] for k in TICKET_FIELDS if k in data}
    return save_audited(ticket, fields, action="ticket.update")
