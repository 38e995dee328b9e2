"""4. Work: the engineer acknowledges, fills in the bureau's form, asks for more time,
closes findings and reports the problem solved."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Attachment, Event, Extension, Finding, Ticket
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services._mail import (
    _desk_mailbox,
    _form_lines,
    _mail_body,
)
from opsqm.facts.tickets.services.common import (
    FlowError,
    Upload,
    _attach,
    _event,
    _locked,
    save_ticket,
)
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot
from opsqm.infra.audit.services import log_action


def _require_dispatched(ticket: Ticket) -> None:
    if not ticket.dispatch_message_id:
        raise FlowError(_("This ticket has not been dispatched."))
    if ticket.resolution_message_id or ticket.resolved_at:
        raise FlowError(_("This ticket is resolved."))


def acknowledge(ticket: Ticket, *, user: User) -> Ticket:
    """The engineer acknowledges on the page (OpsQM's clock).  By mail: `on_inbound`."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        if ticket.acknowledged_at is not None:
            raise FlowError(_("Already acknowledged."))
        now = common.now()
        before = snapshot(ticket)
        ticket.acknowledged_at = now
        if ticket.engineer_id is None:
            ticket.engineer = user
        _event(ticket, "acknowledged", now, Event.Source.APP, "", user)
        save_ticket(ticket, "ticket.acknowledge", before=before, actor=user)
    return ticket


def acknowledge_by_mail(ticket: Ticket, inbound: Any) -> bool:
    """A reply threaded to the ticket: acknowledged at the reply's server receive
    time, unless acknowledged earlier.  Idempotent (the mail job may run twice)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.events.filter(action="mail_received", data__inbound=inbound.pk).exists():
            return False
        before = snapshot(ticket)
        at = inbound.server_received_at
        first = ticket.acknowledged_at is None and ticket.dispatch_message_id is not None
        if first:
            ticket.acknowledged_at = at
        _event(
            ticket,
            "mail_received",
            at,
            Event.Source.SERVER,
            inbound.subject,
            None,
            inbound=inbound.pk,
            sender=inbound.from_address,
            message_id=inbound.message_id,
            acknowledges=first,
        )
        save_ticket(
            ticket,
            "ticket.mail_received",
            before=before,
            summary=f"{ticket.number} reply from {inbound.from_address}",
        )
    return first


def record_work(
    ticket: Ticket,
    *,
    user: User,
    analysis: str,
    steps: str,
    verification: str,
    attachments: Sequence[tuple[str, Upload]] = (),
) -> Ticket:
    """The bureau's single ticket form (第八条): problem analysis, resolution steps,
    verification result, with screenshots and logs."""
    kinds = {Attachment.Kind.SCREENSHOT, Attachment.Kind.LOG, Attachment.Kind.OTHER}
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        before = snapshot(ticket)
        ticket.analysis, ticket.steps = analysis.strip(), steps.strip()
        ticket.verification = verification.strip()
        ticket.record_analysis = bool(ticket.analysis)
        ticket.record_steps = bool(ticket.steps)
        ticket.record_verification = bool(ticket.verification)
        if not ticket.attachments.filter(kind=Attachment.Kind.FORM).exists():
            ticket.template_ok = True
        now = common.now()
        ticket.work_recorded_at = now
        if ticket.engineer_id is None:
            ticket.engineer = user
        names = []
        for kind, f in attachments:
            if kind not in kinds:
                raise ValidationError(_("Unknown attachment kind."))
            names.append(_attach(ticket, kind, f, user).name)
        _event(
            ticket,
            "work_recorded",
            now,
            Event.Source.APP,
            "",
            user,
            attachments=names,
            complete=ticket.record_analysis and ticket.record_steps and ticket.record_verification,
        )
        save_ticket(ticket, "ticket.record_work", before=before, actor=user)
    return ticket


def upload_external_form(ticket: Ticket, *, user: User, upload: Upload) -> Ticket:
    """A ticket form in another format than the bureau's (第八条 统一样式): kept, and
    the ticket is marked not in the bureau's form (T3)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        before = snapshot(ticket)
        att = _attach(ticket, Attachment.Kind.FORM, upload, user)
        ticket.template_ok = False
        _event(ticket, "external_form", common.now(), Event.Source.APP, att.name, user)
        save_ticket(ticket, "ticket.external_form", before=before, actor=user)
    return ticket


def request_extension(
    ticket: Ticket, *, user: User, requested_to: datetime.datetime, reason: str
) -> Extension:
    """第九条二: the vendor asks; it counts only once the recipient agrees."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        if not reason.strip():
            raise ValidationError({"reason": _("The reason must be noted (第九条二).")})
        current = ticket.deadline or ticket.compute_deadline()
        if current is not None and requested_to <= current:
            raise ValidationError({"requested_to": _("The new deadline must be later.")})
        if ticket.extensions.filter(state=Extension.State.REQUESTED).exists():
            raise FlowError(_("An extension is already waiting for the recipient."))
        ext = Extension.objects.create(
            ticket=ticket, requested_to=requested_to, reason=reason.strip(), requested_by=user
        )
        _event(
            ticket,
            "extension_requested",
            ext.requested_at,
            Event.Source.APP,
            reason.strip(),
            user,
            requested_to=requested_to,
        )
        log_action("ticket.extension_request", obj=ext, summary=ticket.number, after=snapshot(ext))
    return ext


def decide_extension(
    extension: Extension,
    *,
    user: User,
    agree: bool,
    agreed_to: datetime.datetime | None = None,
    note: str = "",
) -> Extension:
    """The service recipient's written agreement (or refusal), recorded on the ticket:
    who, when, the new deadline and the reason (第九条二)."""
    with transaction.atomic():
        ticket = _locked(extension.ticket)
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.state != Extension.State.REQUESTED:
            raise FlowError(_("This request has been decided."))
        if ticket.resolved_at or ticket.resolution_message_id:
            raise FlowError(_("This ticket is resolved."))
        now = common.now()
        ext_before = snapshot(ext)
        ext.state = Extension.State.AGREED if agree else Extension.State.REFUSED
        ext.decided_at, ext.decided_by, ext.decision_note = now, user, note.strip()
        before = snapshot(ticket)
        if agree:
            ext.agreed_to = agreed_to or ext.requested_to
            ticket.extended_to = ext.agreed_to
        ext.save()
        _event(
            ticket,
            "extension_agreed" if agree else "extension_refused",
            now,
            Event.Source.APP,
            ext.reason,
            user,
            agreed_to=ext.agreed_to,
        )
        log_action(
            "ticket.extension_decide",
            obj=ext,
            summary=ticket.number,
            before=ext_before,
            after=snapshot(ext),
        )
        if agree:
            save_ticket(ticket, "ticket.extended", before=before, actor=user)
    return ext


def close_finding(
    finding: Finding, *, user: User, evidence: Upload | None = None, note: str = ""
) -> Finding:
    """Close one finding of a security report; the last one resolves the ticket."""
    with transaction.atomic():
        ticket = _locked(finding.ticket)
        _require_dispatched(ticket)
        f = Finding.objects.select_for_update().get(pk=finding.pk)
        if f.closed_at is not None:
            raise FlowError(_("This finding is closed."))
        if evidence is None and not note.strip():
            raise ValidationError(_("Attach evidence or describe how it was fixed."))
        before = snapshot(f)
        f.closed_at, f.closed_by, f.note = common.now(), user, note.strip()
        if evidence is not None:
            f.evidence = _attach(ticket, Attachment.Kind.EVIDENCE, evidence, user)
        f.save()
        _event(ticket, "finding_closed", f.closed_at, Event.Source.APP, f.description[:200], user)
        log_action(
            "ticket.finding_close", obj=f, summary=ticket.number, before=before, after=snapshot(f)
        )
        if not ticket.findings.filter(closed_at__isnull=True).exists():
            _resolve(ticket, user)
    return f


def _resolve(ticket: Ticket, user: User) -> Ticket:
    from opsqm.infra.mail.services import queue_message

    before = snapshot(ticket)
    lines = _form_lines(ticket)
    if ticket.kind == Ticket.Kind.SECURITY:
        lines += ["", "整改项 Findings:"] + [
            f"- [{f.get_severity_display()}] {f.description}: {f.note or f.evidence or ''}"
            for f in ticket.findings.all()
        ]
    outbound = queue_message(
        to=[_desk_mailbox()],
        cc=[m for m in [ticket.contract.vendor.intranet_mailbox] if m],
        subject=ticket.title,
        body=_mail_body(ticket, "运维工单处理完成反馈 Resolution feedback", lines, ask_reply=False),
        kind="feedback",
        ticket_ref=ticket.number,
        in_reply_to=ticket.dispatch_message.message_id if ticket.dispatch_message else "",
        created_by=user,
    )
    now = common.now()
    ticket.resolution_message = outbound
    ticket.resolution_requested_at = now
    _event(ticket, "resolution_sent", now, Event.Source.APP, outbound.message_id, user)
    save_ticket(ticket, "ticket.resolve", before=before, actor=user)
    return ticket


def resolve(ticket: Ticket, *, user: User) -> Ticket:
    """The engineer reports the problem solved: OpsQM mails the feedback (反馈) to the
    service desk; `resolved_at` is that mail's server receive time (第二十一条三)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        if ticket.kind == Ticket.Kind.SECURITY:
            if ticket.findings.filter(closed_at__isnull=True).exists():
                raise FlowError(_("Close every finding first."))
        elif not (ticket.analysis and ticket.steps and ticket.verification):
            raise FlowError(
                _("Fill in problem analysis, resolution steps and verification result first.")
            )
        return _resolve(ticket, user)
