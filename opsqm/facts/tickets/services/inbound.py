"""Inbound mail: a stored message threaded to its ticket."""

from __future__ import annotations

from typing import Any

from opsqm.facts.tickets.models import Ticket
from opsqm.facts.tickets.services.dispatching import apply_server_times
from opsqm.facts.tickets.services.work import acknowledge_by_mail


def handle_inbound(message: Any) -> str:
    """`on_inbound` subscriber: thread a stored message to its ticket.

    - a copy of our own dispatch/feedback/archive mail: copy its server time;
    - a refused message: nothing here (the desk's refused-mail page lists it);
    - a reply threaded to a ticket: timeline entry; the first one after dispatch
      acknowledges it at the reply's server receive time.
    Idempotent: the mail job may run it again."""
    ref = (message.ticket_ref or "").upper()
    if message.refused:
        return "refused"
    if not ref:
        return "unthreaded"
    ticket = Ticket.objects.filter(number__iexact=ref).order_by("id").first()
    if ticket is None:
        return "unknown-ticket"
    if message.outbound_id:
        apply_server_times(ticket)
        return "copy"
    return "ack" if acknowledge_by_mail(ticket, message) else "reply"
