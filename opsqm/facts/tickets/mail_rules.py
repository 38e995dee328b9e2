"""What inbound mail may do to a work order (docs/mail.md, "What may change a ticket").

- A message changes a ticket (acknowledges it; nothing else is taken from mail yet)
  only when it is a person's mail from a mailbox registered for the ticket's vendor:
  its intranet mailbox or its manager's (第二十一条).  Copies of OpsQM's own mail
  give the server times of the dispatch, feedback and archive mail.
- Anything else threaded to a ticket (a stranger, another vendor, a refused message,
  an automatic reply, a bounce) is put on the ticket's timeline, never counted.
- A bounce of the ticket's dispatch, feedback or archive mail marks that message
  "not delivered": the desk sees it on its board and may send it again
  (`resend_undelivered`).  The ticket's times stay those of the first message (the
  desk's copy was received): the vendor not acknowledging is judged by T8 as the
  contract says.

The mail service calls `handle_inbound` (hooks.on_inbound) and `server_time_recorded`
(hooks.on_server_time); TicketsConfig.ready() registers both."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Event, Ticket

# The ticket's own mail a bounce can return, by the ticket's field.
TRACKED_MAIL = ("dispatch_message", "resolution_message", "archive_message")


def vendor_mailboxes(ticket: Ticket) -> set[str]:
    """The mailboxes whose mail counts for `ticket` (第二十一条): its vendor's intranet
    mailbox and its manager's, lower-cased."""
    vendor = ticket.contract.vendor
    return {box.strip().lower() for box in (vendor.intranet_mailbox, vendor.manager_mailbox) if box}


def verdict(ticket: Ticket, message: Any) -> str:
    """ "" when `message` may change `ticket`, else why not (a NOT_COUNTED_REASONS key)."""
    if message.refused:
        return "refused"
    if message.nature != "mail":
        return str(message.nature)
    if (message.from_address or "").lower() not in vendor_mailboxes(ticket):
        return "stranger"
    return ""


def _ticket(ref: str) -> Ticket | None:
    if not ref:
        return None
    return Ticket.objects.filter(number__iexact=ref).order_by("id").first()


def handle_inbound(message: Any) -> str:
    """`on_inbound` subscriber: thread a stored message to its ticket, by the rules
    above.  Idempotent (the mail job may run it again).  Returns what was done."""
    from opsqm.facts.tickets.services import acknowledge_by_mail, apply_server_times

    ticket = _ticket((message.ticket_ref or "").upper())
    if ticket is None:
        return "unknown-ticket" if message.ticket_ref else "unthreaded"
    if message.outbound_id and not message.refused:
        apply_server_times(ticket)
        return "copy"
    if message.bounced_id:
        record_not_delivered(ticket, message)
        return "not-delivered"
    reason = verdict(ticket, message)
    if reason:
        record_not_counted(ticket, message, reason)
        return f"not-counted:{reason}"
    return "ack" if acknowledge_by_mail(ticket, message) else "reply"


def _seen(ticket: Ticket, message: Any) -> bool:
    return ticket.events.filter(data__inbound=message.pk).exists()


def record_not_counted(ticket: Ticket, message: Any, reason: str) -> bool:
    """Put a message that may not change the ticket on its timeline (at its server
    receive time), with why it does not count.  Once per message."""
    from opsqm.facts.tickets.services.common import _event, _locked, save_ticket
    from opsqm.infra.mail.parsing import unreadable_text

    with transaction.atomic():
        ticket = _locked(ticket)
        if _seen(ticket, message):
            return False
        subject = message.subject
        if message.refused:  # never a guess in another character set
            subject = unreadable_text(subject.encode("utf-8", "replace"))
        _event(
            ticket,
            "mail_not_counted",
            message.server_received_at,
            Event.Source.SERVER,
            subject,
            None,
            inbound=message.pk,
            sender=message.from_address,
            message_id=message.message_id,
            reason=reason,
            nature=message.nature,
        )
        save_ticket(
            ticket,
            "ticket.mail_not_counted",
            before=None,
            summary=f"{ticket.number} {message.from_address or '?'}: not counted ({reason})",
        )
    return True


def record_not_delivered(ticket: Ticket, bounce: Any) -> bool:
    """A bounce returned one of the ticket's messages: on the timeline, at the
    bounce's server time, naming the message; the board lists it until it is sent
    again.  Never an acknowledgement.  Once per bounce."""
    from opsqm.facts.tickets.services.common import _event, _locked, save_ticket

    outbound = bounce.bounced
    with transaction.atomic():
        ticket = _locked(ticket)
        if _seen(ticket, bounce):
            return False
        _event(
            ticket,
            "mail_not_delivered",
            bounce.server_received_at,
            Event.Source.SERVER,
            outbound.subject,
            None,
            inbound=bounce.pk,
            sender=bounce.from_address,
            message_id=outbound.message_id,
            kind=outbound.kind,
            reason=bounce.nature_reason,
        )
        save_ticket(
            ticket,
            "ticket.mail_not_delivered",
            before=None,
            summary=f"{ticket.number} {outbound.kind} mail {outbound.message_id} not delivered",
        )
    return True


def undelivered_messages() -> Any:
    """The dispatch, feedback and archive mail a bounce reports not delivered and that
    has not been sent again: what the desk's board lists."""
    from opsqm.infra.mail.models import OutboundMessage

    return OutboundMessage.objects.filter(
        not_delivered_at__isnull=False,
        kind__in=("dispatch", "feedback", "archive"),
        resends__isnull=True,
    ).order_by("-not_delivered_at", "-id")


def undelivered(ticket_numbers: Any) -> Any:
    """The undelivered mail (`undelivered_messages`) of these tickets."""
    return undelivered_messages().filter(ticket_ref__in=list(ticket_numbers))


# Undelivered messages looked at per query when matching them to the visible tickets.
_UNDELIVERED_BATCH = 200


def undelivered_rows(tickets: Any, limit: int = 50) -> list[tuple[Any, Ticket]]:
    """(message, ticket) for the board: the undelivered mail of `tickets` (a
    queryset the user may see), newest bounce first, at most `limit`.

    Two plain queries (the messages, then their tickets by number) rather than one
    with a correlated subquery per column: building that one cost the board about
    1.3 ms of Python a request; a second batch is read only when the first holds
    fewer than `limit` messages of visible tickets."""
    from django.db.models.functions import Upper

    rows: list[tuple[Any, Ticket]] = []
    messages = undelivered_messages().defer("raw")
    start = 0
    while len(rows) < limit:
        batch = list(messages[start : start + _UNDELIVERED_BATCH])
        if not batch:
            break
        refs = {m.ticket_ref.upper() for m in batch}
        seen: dict[str, tuple[int, str]] = {}
        found = (
            tickets.annotate(upper=Upper("number"))
            .filter(upper__in=refs)
            .order_by("pk")
            .values_list("upper", "pk", "number")
        )
        for upper, pk, number in found:
            seen.setdefault(upper, (pk, number))
        for m in batch:
            if (hit := seen.get(m.ticket_ref.upper())) is not None:
                rows.append((m, Ticket(pk=hit[0], number=hit[1])))
        if len(batch) < _UNDELIVERED_BATCH:
            break
        start += _UNDELIVERED_BATCH
    return rows[:limit]


def resend_undelivered(ticket: Ticket, outbound: Any, *, user: Any) -> Any:
    """The desk sends a not-delivered message of the ticket again (same recipients,
    text and attachments; a new Message-ID); on the timeline.  Its server time, when
    known, is on the timeline too (`server_time_recorded`)."""
    from opsqm.facts.tickets.services import common
    from opsqm.facts.tickets.services.common import FlowError, _event, _locked, save_ticket
    from opsqm.infra.mail.bounces import resend

    if outbound.ticket_ref.upper() != ticket.number.upper():
        raise FlowError(_("This message is not one of this ticket's."))
    if outbound.not_delivered_at is None:
        raise FlowError(_("This message was delivered: nothing to send again."))
    with transaction.atomic():
        ticket = _locked(ticket)
        try:
            copy = resend(outbound, user=user)
        except ValueError as exc:
            raise FlowError(_("This message has been sent again already.")) from exc
        _event(
            ticket,
            "mail_resent",
            common.now(),
            Event.Source.APP,
            copy.subject,
            user,
            message_id=copy.message_id,
            resend_of=outbound.message_id,
            kind=outbound.kind,
        )
        save_ticket(ticket, "ticket.mail_resent", before=None, actor=user)
    return copy


def server_time_recorded(outbound: Any) -> None:
    """`on_server_time` subscriber: the mail server's receive time of one of a
    ticket's messages is known — on the ticket at once (no job polls for it)."""
    from opsqm.facts.tickets.services import apply_server_times
    from opsqm.facts.tickets.services.common import _event, _locked

    ticket = _ticket((outbound.ticket_ref or "").upper())
    if ticket is None:
        return
    if any(getattr(ticket, f"{fk}_id") == outbound.pk for fk in TRACKED_MAIL):
        apply_server_times(ticket)
    elif outbound.resend_of_id is not None:
        with transaction.atomic():
            ticket = _locked(ticket)
            if ticket.events.filter(
                action="mail_resent_received", data__message_id=outbound.message_id
            ).exists():
                return
            _event(
                ticket,
                "mail_resent_received",
                outbound.server_received_at,
                Event.Source.SERVER,
                outbound.subject,
                None,
                message_id=outbound.message_id,
                mailbox=outbound.confirmed_mailbox,
            )
