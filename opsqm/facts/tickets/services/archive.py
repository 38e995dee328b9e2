"""6. Archive: the signed form mailed to the service desk (第十条), and the desk's mark
for an improper archive (第十七条五)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Event, Ticket
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services._mail import (
    _desk_mailbox,
    _form_lines,
    _mail_body,
)
from opsqm.facts.tickets.services.common import FlowError, _event, _locked, save_ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot


def _send_archive(ticket: Ticket, user: User | None) -> None:
    """The signed form to the service-desk mailbox (第十条); archived once the mail
    server has received it (`apply_server_times`)."""
    from opsqm.infra.mail.services import queue_message

    files: list[tuple[str, bytes, str | None]] = []
    if ticket.signature_image:
        ticket.signature_image.open("rb")
        files.append((f"{ticket.number}-signature.png", ticket.signature_image.read(), "image/png"))
        ticket.signature_image.close()
    lines = [
        *_form_lines(ticket),
        "",
        f"确认 Confirmation: {ticket.get_signature_display()} · {ticket.signer_name}",
        f"评价 Rating: {ticket.get_satisfaction_display()}",
    ]
    if ticket.signature_sha256:
        lines.append(f"签名 SHA-256: {ticket.signature_sha256}")
    if ticket.no_signature_reason:
        lines.append(f"未签字原因 Reason: {ticket.no_signature_reason}")
    outbound = queue_message(
        to=[_desk_mailbox()],
        subject=ticket.title,
        body=_mail_body(
            ticket, "工单闭环归档 Signed work order for the archive", lines, ask_reply=False
        ),
        kind="archive",
        ticket_ref=ticket.number,
        attachments=files,
        created_by=user,
    )
    before = snapshot(ticket)
    now = common.now()
    ticket.archive_message = outbound
    _event(ticket, "archive_sent", now, Event.Source.APP, outbound.message_id, user)
    save_ticket(ticket, "ticket.archive_sent", before=before, actor=user)


def mark_improper_archive(ticket: Ticket, *, user: User, reason: str) -> Ticket:
    """The desk marks a ticket archived improperly (第十七条五), with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.dispatched_at is None:
            raise FlowError(_("Only a dispatched work order is archived."))
        if ticket.archive == Ticket.Archive.IMPROPER:
            raise FlowError(_("Already marked."))
        before = snapshot(ticket)
        ticket.archive = Ticket.Archive.IMPROPER
        ticket.archive_note = reason.strip()
        _event(ticket, "archive_improper", common.now(), Event.Source.APP, reason.strip(), user)
        save_ticket(ticket, "ticket.archive_improper", before=before, actor=user)
    return ticket
