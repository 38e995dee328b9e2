"""The work-order flow's background work (registered at start-up by the jobs app):
deadline reminders with the server-time safety net.  The inbound-mail and
server-time subscribers are registered in TicketsConfig.ready()."""

from __future__ import annotations

from typing import Any

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import PermanentError, Retry, job, periodic
from opsqm.infra.mail import imap

REMIND_EVERY = 300  # seconds (tickets.remind: every 5 minutes)


@job("tickets.server_times", max_attempts=12, retry_base=15, retry_max=900)
def server_times(job: Job) -> dict[str, Any]:
    """Copy the mail server's receive times onto a ticket; retried until known.

    No longer queued (the mail service's on_server_time hook does this at once); kept
    so that jobs queued before the upgrade still finish."""
    from opsqm.facts.tickets.models import Ticket
    from opsqm.facts.tickets.services import apply_server_times

    ticket = Ticket.objects.filter(pk=job.payload.get("ticket")).first()
    if ticket is None:
        raise PermanentError("The ticket no longer exists.")
    changed = apply_server_times(ticket)
    ticket.refresh_from_db()
    waiting = [
        fk
        for fk, field in (
            ("dispatch_message_id", "dispatched_at"),
            ("resolution_message_id", "resolved_at"),
            ("archive_message_id", "archived_at"),
        )
        if getattr(ticket, fk) and getattr(ticket, field) is None
    ]
    if waiting:
        raise Retry(f"{ticket.number}: no server time yet for {waiting}")
    return {"ticket": ticket.number, "changed": changed}


@job("tickets.remind", max_attempts=3, retry_base=60)
def remind(job: Job) -> dict[str, Any]:
    from opsqm.facts.tickets.manager_copies import copy_managers
    from opsqm.facts.tickets.services import send_reminders, sweep_server_times

    return {
        "reminders": send_reminders(),
        "manager_copies": copy_managers(),
        "server_times": sweep_server_times(),  # the safety net of the on_server_time hook
    }


# Like mail.poll, on only where the bureau's mailbox is configured: without it there
# is no server clock for the flow, and no reminder could be confirmed either.
periodic("tickets.remind", every=REMIND_EVERY, enabled=imap.configured)
