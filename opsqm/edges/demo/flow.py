"""The ticket flow's steps as the demo's people take them, each at its instant of the
story, and the bureau's mail server played by the demo: the service desk's copy of
each mail is stored through the poller's `store_inbound` with a receive time a few
seconds after the send.  Nothing is sent: the outbox stays queued."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from opsqm.edges.demo.story import Story, clock, run_jobs
from opsqm.facts.contracts.models import Contract
from opsqm.facts.tickets import services as tickets

# The bureau's mail server, played by the demo: the service desk's copies of OpsQM's
# mail are stored as if the poller had fetched them from this mailbox.
DEMO_MAILBOX = "demo-mail-server (no real server)/INBOX"
DEMO_UIDVALIDITY = 1
SERVER_DELAY = timedelta(seconds=3)  # the send → the server's receive time


def intake(
    story: Story, contract: Contract, at: datetime, priority: str = "normal", **fields: Any
) -> Any:
    """The demo's desk records a report; it chooses "normal" unless the story says."""
    with clock(at + timedelta(minutes=2)):
        return tickets.record_intake(
            contract, user=story.users["desk"], reported_at=at, priority=priority, **fields
        )


def call(story: Story, t: Any, at: datetime, person: str, outcome: str) -> None:
    with clock(at):
        tickets.log_vendor_call(
            t, user=story.users["desk"], called_at=at, person=person, outcome=outcome
        )


def dispatch(story: Story, t: Any, at: datetime) -> Any:
    with clock(at):
        t = tickets.dispatch(t, user=story.users["desk"])
    return server(story, t.dispatch_message, at)


def ack(story: Story, t: Any, at: datetime) -> None:
    with clock(at):
        tickets.acknowledge(t, user=story.users["kh_engineer"])


def work(
    story: Story,
    t: Any,
    at: datetime,
    *,
    analysis: str,
    steps: str,
    verification: str,
    attachments: Sequence[tuple[str, Any]] = (),
) -> None:
    with clock(at):
        tickets.record_work(
            t,
            user=story.users["kh_engineer"],
            analysis=analysis,
            steps=steps,
            verification=verification,
            attachments=attachments,
        )


def resolve(story: Story, t: Any, at: datetime) -> Any:
    with clock(at):
        t = tickets.resolve(t, user=story.users["kh_engineer"])
    return server(story, t.resolution_message, at)


def server(story: Story, outbound: Any, sent: datetime) -> Any:
    """The bureau's mail server received `outbound` SERVER_DELAY after it was
    sent: its copy in the service desk's mailbox is stored as the poller stores
    what it fetches, and the inbound-mail job copies the time onto the ticket."""
    from opsqm.facts.tickets.models import Ticket
    from opsqm.infra.mail.services import store_inbound

    story.mail_uid += 1
    store_inbound(
        DEMO_MAILBOX, DEMO_UIDVALIDITY, story.mail_uid, sent + SERVER_DELAY, outbound.raw_bytes()
    )
    run_jobs("mail.inbound")
    return Ticket.objects.get(number=outbound.ticket_ref)
