"""3. Dispatch: the work order mailed to the vendor (第十条四), and the mail server's
receive times copied onto the ticket once known."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Attachment, Event, Ticket
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services._mail import _mail_body, _vendor_mailbox
from opsqm.facts.tickets.services.common import FlowError, _event, _locked, save_ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot


def dispatch(ticket: Ticket, *, user: User, priority: str | None = None) -> Ticket:
    """Mail the work order to the vendor's intranet mailbox (第十条四).  Its
    `dispatched_at` is the mail server's receive time, recorded when delivery is
    confirmed (the mail service's `on_server_time` hook runs `apply_server_times`);
    until then the ledger does not count it."""
    from opsqm.infra.mail.services import queue_message

    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.dispatch_message_id or ticket.dispatched_at:
            raise FlowError(_("This ticket has been dispatched already."))
        if ticket.phone_resolved_at:
            raise FlowError(_("This ticket was resolved by phone."))
        if ticket.kind == Ticket.Kind.SERVICE and ticket.vendor_called_at is None:
            raise FlowError(_("Phone the vendor first (第九条一)."))
        if priority is not None:
            if priority not in Ticket.Priority.values:
                raise ValidationError({"priority": _("Unknown priority.")})
            ticket.priority = priority
        before = snapshot(ticket)
        files = [
            (a.name, a.file.read(), None)
            for a in ticket.attachments.filter(
                kind__in=[Attachment.Kind.REPORT, Attachment.Kind.SECURITY]
            )
        ]
        outbound = queue_message(
            to=[_vendor_mailbox(ticket)],
            subject=ticket.title or ticket.description[:60],
            body=_mail_body(ticket, "运维工单下发 Work order dispatch"),
            kind="dispatch",
            ticket_ref=ticket.number,
            attachments=files,
            created_by=user,
        )
        now = common.now()
        ticket.dispatch_message = outbound
        ticket.dispatch_requested_at = now
        _event(
            ticket,
            "dispatch_sent",
            now,
            Event.Source.APP,
            outbound.message_id,
            user,
            to=outbound.to,
        )
        save_ticket(ticket, "ticket.dispatch", before=before, actor=user)
    return ticket


_SERVER_FIELDS = (
    ("dispatch_message", "dispatched_at", "dispatch_confirmed"),
    ("resolution_message", "resolved_at", "resolution_confirmed"),
    ("archive_message", "archived_at", "archive_confirmed"),
)


def apply_server_times(ticket: Ticket) -> list[str]:
    """Copy the mail server's receive times of the ticket's dispatch, resolution and
    archive mail onto the ticket, once each (idempotent).  Returns what changed."""
    from opsqm.infra.mail.models import OutboundMessage

    changed: list[str] = []
    with transaction.atomic():
        ticket = _locked(ticket)
        before = snapshot(ticket)
        for fk, field, action in _SERVER_FIELDS:
            msg_id = getattr(ticket, f"{fk}_id")
            if msg_id is None or getattr(ticket, field) is not None:
                continue
            msg = OutboundMessage.objects.filter(pk=msg_id).first()
            if msg is None or msg.server_received_at is None:
                continue
            setattr(ticket, field, msg.server_received_at)
            if field == "archived_at" and ticket.archive == Ticket.Archive.PENDING:
                ticket.archive = Ticket.Archive.OK
            _event(
                ticket,
                action,
                msg.server_received_at,
                Event.Source.SERVER,
                msg.message_id,
                None,
                mailbox=msg.confirmed_mailbox,
                received_header_at=msg.received_header_at,
            )
            changed.append(field)
        if changed:
            save_ticket(
                ticket, "ticket.server_time", before=before, summary=f"{ticket.number} {changed}"
            )
    return changed


def sweep_server_times() -> int:
    """Tickets still waiting for a server time whose mail has it now.  Only a safety
    net: the mail service's `on_server_time` hook gives the ticket its time when it
    is recorded; this catches a hook that failed (tests/tickets/test_mail_rules.py)."""
    from django.db.models import Q

    waiting = Ticket.objects.filter(
        Q(dispatch_message__isnull=False, dispatched_at__isnull=True)
        | Q(resolution_message__isnull=False, resolved_at__isnull=True)
        | Q(archive_message__isnull=False, archived_at__isnull=True)
    ).values_list("pk", flat=True)
    n = 0
    for pk in waiting[:500]:
        if apply_server_times(Ticket(pk=pk)):
            n += 1
    return n
