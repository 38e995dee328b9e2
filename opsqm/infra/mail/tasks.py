"""The mail's background jobs (registered at start-up by the jobs app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.infra.audit.services import write_checkpoint
from opsqm.infra.core.roles import Role
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


# --------------------------------------------------------------------------- audit
# `audit.checkpoint` lives here: it mails the checkpoint to the audit administrators,
# and the mail sits above both the audit log and the accounts (pyproject's layers).


def audit_admin_addresses() -> list[str]:
    from opsqm.infra.accounts.models import User

    rows = User.objects.filter(role=Role.AUDIT_ADMIN, is_active=True).exclude(email="")
    return sorted(set(rows.values_list("email", flat=True)))


@job("audit.checkpoint", max_attempts=3, retry_base=60)
def audit_checkpoint(job: Job) -> dict[str, Any]:
    """Append a checkpoint of the audit chain's head to the checkpoint file and mail
    the same line to the audit administrators (their server's receive time dates
    it: a second copy outside the database and outside this host)."""
    from opsqm.infra.mail.services import queue_message

    cp = write_checkpoint()
    if cp is None:
        return {"skipped": "the audit log is empty"}
    to = audit_admin_addresses()
    if to:
        body = "\n".join(
            [
                _("A checkpoint of the OpsQM audit chain. Keep this mail: `opsqm audit verify "
                  "--checkpoints FILE` checks the log against the lines of such mails."),
                "",
                cp.as_json(),
            ]
        )  # fmt: skip
        with transaction.atomic():
            queue_message(
                to=to, subject=_("Audit checkpoint #%(seq)s") % {"seq": cp.seq}, body=body
            )
    return {"seq": cp.seq, "hash": cp.hash, "at": cp.at, "mailed_to": to}


def _log_started() -> bool:
    from opsqm.infra.audit.services import read_anchor

    return read_anchor() is not None  # an empty log has nothing to checkpoint


periodic(
    "audit.checkpoint",
    every=lambda: int(settings.OPSQM_AUDIT_CHECKPOINT_SECONDS),
    enabled=_log_started,
)
