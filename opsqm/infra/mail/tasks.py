"""The mail's background jobs (registered at start-up by the jobs app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import PermanentError, Retry, job, periodic
from opsqm.infra.mail import imap


@job(
    "mail.poll",
    max_attempts=3,
    retry_base=30,
    stale_after=lambda: float(settings.MAIL_POLL_STALE_SECONDS),
)
def poll(job: Job) -> dict[str, Any]:
    from opsqm.infra.mail.services import poll_mailbox

    if not imap.configured():
        return {"skipped": "MAIL_IMAP_HOST is not set"}
    result = poll_mailbox()
    if result.remaining:
        # A backlog: come back at once rather than at the next tick.
        from opsqm.infra.jobs.services import enqueue

        enqueue("mail.poll", {}, dedupe_key="mail.poll:backlog")
    return {
        "mailbox": result.mailbox,
        "uidvalidity": result.uidvalidity,
        "uidvalidity_changed": result.uidvalidity_changed,
        "new": len(result.new),
        "known": result.known,
        "remaining": result.remaining,
    }


periodic(
    "mail.poll",
    every=lambda: int(settings.MAIL_POLL_INTERVAL),
    enabled=imap.configured,
)


@job("mail.confirm_delivery", max_attempts=10, retry_base=15, retry_max=900)
def confirm_delivery(job: Job) -> dict[str, Any]:
    from opsqm.infra.mail.models import OutboundMessage
    from opsqm.infra.mail.services import confirm_delivery as confirm

    outbound = OutboundMessage.objects.filter(pk=job.payload.get("outbound")).first()
    if outbound is None:
        raise PermanentError("The outbound message no longer exists.")
    if outbound.server_received_at is None:
        confirm(outbound)
    if outbound.server_received_at is None:
        raise Retry(f"{outbound.message_id} is not in the mailbox yet")
    return {
        "message_id": outbound.message_id,
        "server_received_at": outbound.server_received_at.isoformat(),
        "mailbox": outbound.confirmed_mailbox,
    }


@job("mail.send", max_attempts=8, retry_base=30, retry_max=1800)
def send(job: Job) -> dict[str, Any]:
    from opsqm.infra.mail.models import OutboundMessage, OutboundStatus
    from opsqm.infra.mail.services import deliver

    outbound = OutboundMessage.objects.filter(pk=job.payload.get("outbound")).first()
    if outbound is None:
        raise PermanentError("The outbound message no longer exists.")
    try:
        deliver(outbound)
    except Exception:
        if job.attempts >= job.max_attempts:
            OutboundMessage.objects.filter(pk=outbound.pk).update(status=OutboundStatus.FAILED)
        raise
    return {"message_id": outbound.message_id}


@job("mail.inbound", max_attempts=5, retry_base=30)
def inbound(job: Job) -> dict[str, Any]:
    from opsqm.infra.mail.models import InboundMessage
    from opsqm.infra.mail.services import dispatch_inbound

    message = InboundMessage.objects.filter(pk=job.payload.get("inbound")).first()
    if message is None:
        raise PermanentError("The inbound message no longer exists.")
    return {"callbacks": dispatch_inbound(message)}
