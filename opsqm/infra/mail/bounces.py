"""Bounces of OpsQM's own mail, and sending a message again.  See docs/mail.md.

A bounce (opsqm.infra.mail.classify) names the message it returns; when that is one
of ours, the message is marked *not delivered* (`OutboundMessage.not_delivered_at`,
the bounce's server time) and the bounce points to it (`InboundMessage.bounced`).
`resend(outbound)` sends the same message again under a new Message-ID."""

from __future__ import annotations

from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from email.utils import formatdate
from typing import Any

from django.db import transaction

from opsqm.infra.audit.services import log_action
from opsqm.infra.jobs.services import enqueue
from opsqm.infra.mail.models import InboundMessage, OutboundMessage, OutboundStatus


def bounced_message(reported_ids: Sequence[str]) -> OutboundMessage | None:
    """The first of `reported_ids` that is a message OpsQM sent."""
    for message_id in reported_ids:
        found = OutboundMessage.objects.filter(message_id=message_id).first()
        if found is not None:
            return found
    return None


def record_bounce(inbound: InboundMessage, reported_ids: Sequence[str]) -> OutboundMessage | None:
    """Link a stored bounce to the message of ours it returns and mark that message
    not delivered (the earliest bounce's server time is kept).  Runs inside the
    caller's transaction (store_inbound)."""
    outbound = bounced_message(reported_ids)
    if outbound is None:
        return None
    inbound.bounced = outbound
    if not inbound.ticket_ref:
        inbound.ticket_ref = outbound.ticket_ref
    at = inbound.server_received_at
    if outbound.not_delivered_at is None or at < outbound.not_delivered_at:
        OutboundMessage.objects.filter(pk=outbound.pk).update(not_delivered_at=at)
        outbound.not_delivered_at = at
        log_action(
            "mail.not_delivered",
            obj=outbound,
            summary=f"{outbound.message_id} returned by {inbound.from_address or '?'}",
            after={
                "not_delivered_at": at,
                "bounce": inbound.message_id,
                "reason": inbound.nature_reason,
                "ticket": outbound.ticket_ref,
            },
        )
    return outbound


def resend(outbound: OutboundMessage, *, user: Any = None) -> OutboundMessage:
    """Send a message again, as it was (recipients, subject, text, attachments and
    threading headers), under a new Message-ID and Date; queued (job `mail.send`).
    The new message records `resend_of`.  Idempotent per bounce: a message that was
    sent again already is not sent a second time (ValueError)."""
    from opsqm.infra.mail.services import _store_raw, make_message_id

    with transaction.atomic():
        original = OutboundMessage.objects.select_for_update().get(pk=outbound.pk)
        if original.resends.exists():
            raise ValueError("this message has been sent again already")
        msg = BytesParser(policy=policy.SMTP).parsebytes(original.raw_bytes())
        message_id = make_message_id(original.ticket_ref)
        del msg["Message-ID"]
        del msg["Date"]
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = message_id
        copy = OutboundMessage.objects.create(
            message_id=message_id,
            ticket_ref=original.ticket_ref,
            kind=original.kind,
            from_address=original.from_address,
            to=original.to,
            cc=original.cc,
            recipients=original.recipients,
            subject=original.subject,
            in_reply_to=original.in_reply_to,
            references=original.references,
            raw=_store_raw("outbound", msg.as_bytes()),
            status=OutboundStatus.PENDING,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            resend_of=original,
        )
        log_action(
            "mail.resent",
            obj=copy,
            actor=user,
            summary=f"{original.message_id} sent again as {message_id}",
            before={"message_id": original.message_id},
            after={"message_id": message_id, "ticket": original.ticket_ref},
        )
        enqueue("mail.send", {"outbound": copy.pk}, dedupe_key=f"mail.send:{copy.pk}")
    return copy
