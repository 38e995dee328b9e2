"""Inbound mail: a stored message threaded to its ticket, by the rules of
`opsqm.facts.tickets.mail_rules` (docs/mail.md, "What may change a ticket")."""

from __future__ import annotations

from typing import Any


def handle_inbound(message: Any) -> str:
    """`on_inbound` subscriber: `mail_rules.handle_inbound`."""
    from opsqm.facts.tickets.mail_rules import handle_inbound as handle

    return handle(message)
