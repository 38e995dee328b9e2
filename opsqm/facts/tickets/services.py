"""Work-order services: every state change of a ticket is one of these functions.

Each validates, writes inside one transaction, appends a timeline `Event` (with the
time and whose clock it is) and the audit record (`log_action`).  Pages and the API
call them; nothing else writes a ticket.  See docs/tickets.md for the flow and for
which time is authoritative at each step.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.contracts.servicekit import save_audited, snapshot
from opsqm.facts.tickets.models import (
    ATTACHMENT_KINDS,
    EVIDENCE_FIELDS,
    Attachment,
    Event,
    Extension,
    Finding,
    OriginalReport,
    PhoneCall,
    Reminder,
    SignLink,
    Ticket,
    TicketSequence,
    contract_sla_hours,
    contract_ticket_rules,
    latest_step,
)
from opsqm.infra.audit.services import log_action
from opsqm.infra.core.uploads import validate_upload
from opsqm.pure.assessment.rules.tickets import overdue_steps

# 第九条一: 运维服务公司需在2小时内解决或进入工单处理流程 — counted from the desk's
# phone call to the vendor (第十条四).  A constant of the flow, not a scoring rule: the
# engine never reads it (no rule deducts for the phone window itself).
PHONE_WINDOW = datetime.timedelta(hours=2)
# A one-time signing link is valid this long.
SIGN_LINK_MAX_AGE = datetime.timedelta(hours=72)
SIGN_LINK_SALT = "opsqm.facts.tickets.sign"
# The largest signature image accepted (a drawn signature is a few kB).
SIGNATURE_MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# What a test or assessment report may be (第十条四).
SECURITY_REPORT_KINDS = ("pdf", "docx", "xlsx", "txt")

Upload = Any  # an UploadedFile / File: name, size, read(), seek()

# ----------------------------------------------------------------------- legacy registers

# What a register may set: the evidence facts, and the title and unit shown with them.
TICKET_FIELDS = (*EVIDENCE_FIELDS, "title", "unit")


def create_ticket(contract: Contract, data: Mapping[str, Any]) -> Ticket:
    """A ticket with its facts given (registers, demo, tests): no flow."""
    fields = {k: data[k] for k in TICKET_FIELDS if k in data}
    fields.setdefault("problem", fields.get("number", ""))
    return save_audited(Ticket(contract=contract), fields, action="ticket.create")


def update_ticket(ticket: Ticket, data: Mapping[str, Any]) -> Ticket:
    fields = {k: data[k] for k in TICKET_FIELDS if k in data}
    return save_audited(ticket, fields, action="ticket.update")


# ----------------------------------------------------------------------- helpers


class FlowError(ValidationError):
    """A step that is not possible in the ticket's current state."""


def _now() -> datetime.datetime:
    return timezone.now()


def _person(user: Any) -> Any:
    """The user to record as the author: None for an anonymous visitor (a one-time
    signing link) or a job."""
    return user if getattr(user, "is_authenticated", False) else None


def _event(
    ticket: Ticket,
    action: str,
    at: datetime.datetime,
    source: str,
    text: str = "",
    actor: Any = None,
    **data: Any,
) -> Event:
    from opsqm.facts.contracts.servicekit import jsonable

    return Event.objects.create(
        ticket=ticket,
        action=action,
        at=at,
        source=source,
        text=text,
        actor=_person(actor),
        data=jsonable(data),
    )


def _save(
    ticket: Ticket,
    action: str,
    *,
    before: dict[str, Any] | None,
    summary: str = "",
    actor: Any = None,
) -> Ticket:
    ticket.save()
    log_action(
        action,
        obj=ticket,
        summary=summary or f"{ticket.number} {action}",
        before=before,
        after=snapshot(ticket),
        actor=_person(actor),
    )
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock (PostgreSQL; SQLite serialises writers)."""
    return Ticket.objects.select_for_update().select_related("contract__vendor").get(pk=ticket.pk)


def _refusal(upload: Upload, exc: ValidationError) -> str:
    """The reason a file was refused, naming the file (the form is shown again)."""
    name = str(getattr(upload, "name", "") or _("the file"))
    return _("%(name)s was refused: %(why)s") % {"name": name, "why": " ".join(exc.messages)}


def _check_uploads(
    uploads: Iterable[Upload], field: str, errors: dict[str, str], kinds: Iterable[str]
) -> None:
    """Refused files, named, under `field`: checked with the other fields, before
    anything is written, so that one answer lists every mistake."""
    refused = []
    for upload in uploads:
        try:
            validate_upload(upload, kinds)
        except ValidationError as exc:
            refused.append(_refusal(upload, exc))
    if refused:
        errors[field] = " ".join(refused)


def _attach(
    ticket: Ticket, kind: str, upload: Upload, user: Any, kinds: Iterable[str] = ATTACHMENT_KINDS
) -> Attachment:
    try:
        validate_upload(upload, kinds)
    except ValidationError as exc:
        raise ValidationError(_refusal(upload, exc)) from exc
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    att = Attachment(
        ticket=ticket,
        kind=kind,
        name=str(getattr(upload, "name", "file"))[-255:],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=_person(user),
    )
    att.file.save(att.name, ContentFile(data), save=False)
    att.save()
    return att


def next_number(at: datetime.datetime | None = None) -> str:
    """`GD-2025-0001`: per year, unique across contracts (a mail tag names one ticket)."""
    year = timezone.localtime(at or _now()).year
    with transaction.atomic():
        seq, _created = TicketSequence.objects.select_for_update().get_or_create(year=year)
        while True:
            seq.last += 1
            number = f"{settings.MAIL_TICKET_PREFIX}-{year}-{seq.last:04d}"
            if not Ticket.objects.filter(number=number).exists():
                break
        seq.save(update_fields=["last"])
    return number


def phone_deadline(ticket: Ticket) -> datetime.datetime | None:
    """第九条一: the end of the vendor's 2 hours from the desk's call."""
    return ticket.vendor_called_at + PHONE_WINDOW if ticket.vendor_called_at else None


# ----------------------------------------------------------------------- 1. intake


def _check_priority(priority: str, errors: dict[str, str]) -> None:
    # No default: the priority sets the deadline (8 h or 24 h), the desk must choose.
    if not priority:
        errors["priority"] = _("Choose the priority (urgent or normal): it sets the deadline.")
    elif priority not in Ticket.Priority.values:
        errors["priority"] = _("Unknown priority.")


def _check_unit(contract: Contract, unit: Unit | None, errors: dict[str, str]) -> None:
    if unit is not None and not contract.units.filter(pk=unit.pk).exists():
        errors["unit"] = _("This contract does not serve that unit.")


def _new_ticket(
    contract: Contract,
    *,
    user: Any,
    kind: str,
    title: str,
    unit: Unit | None,
    priority: str,
    description: str,
    reporter: str,
    reported_at: datetime.datetime,
    now: datetime.datetime,
    phone: str = "",
    system: str = "",
) -> Ticket:
    """A new ticket with its number and its original record (`OriginalReport`,
    第十四条六), written once: later edits of the ticket leave it alone."""
    number = next_number(reported_at)
    ticket = Ticket(
        contract=contract,
        number=number,
        problem=number,
        kind=kind,
        title=title[:200],
        unit=unit,
        priority=priority,
        description=description,
        system=system,
        created_at=now,
        created_by=_person(user),
        # The bureau's form is filled in OpsQM later: nothing recorded yet.
        record_analysis=False,
        record_steps=False,
        record_verification=False,
    )
    ticket.save()
    OriginalReport.objects.create(
        ticket=ticket,
        reporter=reporter,
        unit_name=unit.name if unit else "",
        phone=phone,
        system=system,
        description=description,
        reported_at=reported_at,
        recorded_at=now,
        recorded_by=_person(user),
    )
    return ticket


def record_intake(
    contract: Contract,
    *,
    user: Any,
    reporter: str,
    description: str,
    reported_at: datetime.datetime | None = None,
    unit: Unit | None = None,
    phone: str = "",
    system: str = "",
    title: str = "",
    priority: str = Ticket.Priority.NORMAL,
    attachments: Sequence[Upload] = (),
) -> Ticket:
    """The desk records a user's report (第九条一).  The original record is its own
    row (`OriginalReport`), written once: later edits of the ticket leave it alone."""
    errors: dict[str, str] = {}
    if not reporter.strip():
        errors["reporter"] = _("Who reported the problem?")
    if not description.strip():
        errors["description"] = _("Describe the problem as the user reported it.")
    _check_unit(contract, unit, errors)
    _check_priority(priority, errors)
    _check_uploads(attachments, "attachments", errors, ATTACHMENT_KINDS)
    now = _now()
    reported_at = reported_at or now
    if reported_at > now + datetime.timedelta(minutes=5):
        errors["reported_at"] = _("The report cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ticket = _new_ticket(
            contract,
            user=user,
            kind=Ticket.Kind.SERVICE,
            title=title or description.strip().splitlines()[0],
            unit=unit,
            priority=priority,
            description=description.strip(),
            reporter=reporter.strip(),
            reported_at=reported_at,
            now=now,
            phone=phone.strip(),
            system=system.strip(),
        )
        names = [_attach(ticket, Attachment.Kind.REPORT, f, user).name for f in attachments]
        _event(ticket, "reported", reported_at, Event.Source.TYPED, reporter.strip(), user)
        _event(ticket, "intake_recorded", now, Event.Source.APP, "", user, attachments=names)
        summary = f"{ticket.number} {ticket.title}"
        _save(ticket, "ticket.intake", before=None, summary=summary, actor=user)
    return ticket


def register_security_report(
    contract: Contract,
    *,
    user: Any,
    title: str,
    report: Upload,
    findings: Sequence[tuple[str, str]],
    unit: Unit | None = None,
    priority: str = Ticket.Priority.NORMAL,
) -> Ticket:
    """A test or assessment report (检测报告、整改通知书) registered as a work order
    (第十条): the report file and its findings; resolved when all are closed."""
    findings = [(d.strip(), s) for d, s in findings if d.strip()]
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Name the report.")
    if not findings:
        errors["findings"] = _("List at least one finding to close.")
    if any(s not in Finding.Severity.values for _d, s in findings):
        errors["findings"] = _("Unknown severity.")
    _check_unit(contract, unit, errors)
    _check_priority(priority, errors)
    _check_uploads([report], "report", errors, SECURITY_REPORT_KINDS)
    if errors:
        raise ValidationError(errors)
    now = _now()
    with transaction.atomic():
        ticket = _new_ticket(
            contract,
            user=user,
            kind=Ticket.Kind.SECURITY,
            title=title.strip(),
            unit=unit,
            priority=priority,
            description="\n".join(f"- {d}" for d, _s in findings),
            reporter=title.strip()[:64],
            reported_at=now,
            now=now,
        )
        _attach(ticket, Attachment.Kind.SECURITY, report, user, SECURITY_REPORT_KINDS)
        for d, s in findings:
            Finding.objects.create(ticket=ticket, description=d, severity=s)
        _event(ticket, "security_registered", now, Event.Source.APP, title.strip(), user)
        _save(ticket, "ticket.security_register", before=None, summary=ticket.number, actor=user)
    return ticket


# ----------------------------------------------------------------------- 2. phone


def log_vendor_call(
    ticket: Ticket, *, user: Any, called_at: datetime.datetime, person: str, outcome: str
) -> PhoneCall:
    """The desk's call to the vendor's engineer (第九条一).  The first call starts the
    2-hour window.  Its time is what the desk records (there is no other clock for a
    phone call): source `typed`."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.dispatched_at or ticket.dispatch_message_id or ticket.phone_resolved_at:
            raise FlowError(_("The phone step is over for this ticket."))
        if not person.strip() or not outcome.strip():
            raise ValidationError(_("Record whom you called and what was said."))
        if called_at > _now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("The call cannot be in the future."))
        before = snapshot(ticket)
        call = PhoneCall.objects.create(
            ticket=ticket,
            purpose=PhoneCall.Purpose.VENDOR,
            called_at=called_at,
            person=person.strip(),
            outcome=outcome.strip(),
            recorded_by=user,
        )
        if ticket.vendor_called_at is None or called_at < ticket.vendor_called_at:
            ticket.vendor_called_at = called_at
        _event(
            ticket,
            "vendor_called",
            called_at,
            Event.Source.TYPED,
            person.strip(),
            user,
            outcome=outcome.strip(),
        )
        _save(ticket, "ticket.vendor_called", before=before, actor=user)
    return call


def close_by_phone(ticket: Ticket, *, user: Any, note: str) -> Ticket:
    """Fixed within the 2 hours: the desk closes it without a work order; it never
    becomes ticket evidence (no dispatch, nothing for T1–T8 to read)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.kind != Ticket.Kind.SERVICE:
            raise FlowError(_("A security report is always a work order."))
        if ticket.vendor_called_at is None:
            raise FlowError(_("Log the call to the vendor first."))
        if ticket.dispatch_message_id or ticket.phone_resolved_at:
            raise FlowError(_("This ticket can no longer be closed by phone."))
        now = _now()
        before = snapshot(ticket)
        ticket.phone_resolved_at = now
        _event(
            ticket,
            "phone_resolved",
            now,
            Event.Source.APP,
            note.strip(),
            user,
            within_window=now <= (phone_deadline(ticket) or now),
        )
        _save(ticket, "ticket.phone_resolved", before=before, actor=user)
    return ticket


# ----------------------------------------------------------------------- 3. dispatch


def _vendor_mailbox(ticket: Ticket) -> str:
    box = ticket.contract.vendor.intranet_mailbox
    if not box:
        raise FlowError(_("The vendor has no intranet mailbox: the assessor must add it first."))
    return str(box)


def _mail_body(
    ticket: Ticket, heading: str, lines: Sequence[str] = (), *, ask_reply: bool = True
) -> str:
    """The text of a work-order mail: the ticket's facts, then `lines`; mail the
    vendor answers (`ask_reply`: the dispatch, the reminders) ends by saying that a
    reply acknowledges it. The desk's copies (feedback, archive, notices) do not."""
    deadline_hours = contract_sla_hours(ticket.contract).get(ticket.priority, 24)
    parts = [
        heading,
        "",
        f"工单号 Ticket: {ticket.number}",
        f"合同 Contract: {ticket.contract.code}",
        f"单位 Unit: {ticket.unit.name if ticket.unit else '-'}",
        f"优先级 Priority: {ticket.get_priority_display()} ({deadline_hours} h)",
        f"系统/终端 System: {ticket.system or '-'}",
        "",
        ticket.description,
        *lines,
    ]
    if ask_reply:
        parts += [
            "",
            "回复本邮件即确认接收（以市局内网邮箱服务器接收时间为准）。",
            "Reply to this mail to acknowledge it; the bureau mail server's receive time counts.",
        ]
    return "\n".join(parts)


def _local(at: datetime.datetime | None) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else "-"


def _form_lines(ticket: Ticket) -> list[str]:
    """The bureau's form (第八条) as the feedback and archive mail quote it."""
    return [
        "",
        "问题分析 Analysis:",
        ticket.analysis or "-",
        "",
        "解决步骤 Steps:",
        ticket.steps or "-",
        "",
        "验证结果 Verification:",
        ticket.verification or "-",
    ]


def _desk_mailbox() -> str:
    """The service desk's mailbox: feedback, archive and notices go there."""
    return str(settings.MAIL_SERVICE_DESK_ADDRESS or settings.MAIL_FROM)


def _watch_server_times(ticket: Ticket, now: datetime.datetime) -> None:
    """Queue the job that copies the server's receive time of the ticket's mail
    (`apply_server_times`, retried with back-off until the time is known)."""
    from opsqm.infra.jobs.services import enqueue

    enqueue(
        "tickets.server_times",
        {"ticket": ticket.pk},
        run_after=now + datetime.timedelta(seconds=5),
        dedupe_key=f"tickets.server_times:{ticket.pk}",
    )


def dispatch(ticket: Ticket, *, user: Any, priority: str | None = None) -> Ticket:
    """Mail the work order to the vendor's intranet mailbox (第十条四).  Its
    `dispatched_at` is the mail server's receive time, recorded when delivery is
    confirmed (`apply_server_times`); until then the ledger does not count it."""
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
        now = _now()
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
        _save(ticket, "ticket.dispatch", before=before, actor=user)
        _watch_server_times(ticket, now)
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
            _save(ticket, "ticket.server_time", before=before, summary=f"{ticket.number} {changed}")
    return changed


# ----------------------------------------------------------------------- 4. work


def _require_dispatched(ticket: Ticket) -> None:
    if not ticket.dispatch_message_id:
        raise FlowError(_("This ticket has not been dispatched."))
    if ticket.resolution_message_id or ticket.resolved_at:
        raise FlowError(_("This ticket is resolved."))


def acknowledge(ticket: Ticket, *, user: Any) -> Ticket:
    """The engineer acknowledges on the page (OpsQM's clock).  By mail: `on_inbound`."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        if ticket.acknowledged_at is not None:
            raise FlowError(_("Already acknowledged."))
        now = _now()
        before = snapshot(ticket)
        ticket.acknowledged_at = now
        if ticket.engineer_id is None:
            ticket.engineer = user
        _event(ticket, "acknowledged", now, Event.Source.APP, "", user)
        _save(ticket, "ticket.acknowledge", before=before, actor=user)
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
        _save(
            ticket,
            "ticket.mail_received",
            before=before,
            summary=f"{ticket.number} reply from {inbound.from_address}",
        )
    return first


def record_work(
    ticket: Ticket,
    *,
    user: Any,
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
        now = _now()
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
        _save(ticket, "ticket.record_work", before=before, actor=user)
    return ticket


def upload_external_form(ticket: Ticket, *, user: Any, upload: Upload) -> Ticket:
    """A ticket form in another format than the bureau's (第八条 统一样式): kept, and
    the ticket is marked not in the bureau's form (T3)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_dispatched(ticket)
        before = snapshot(ticket)
        att = _attach(ticket, Attachment.Kind.FORM, upload, user)
        ticket.template_ok = False
        _event(ticket, "external_form", _now(), Event.Source.APP, att.name, user)
        _save(ticket, "ticket.external_form", before=before, actor=user)
    return ticket


def request_extension(
    ticket: Ticket, *, user: Any, requested_to: datetime.datetime, reason: str
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
    user: Any,
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
        now = _now()
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
            _save(ticket, "ticket.extended", before=before, actor=user)
    return ext


def close_finding(
    finding: Finding, *, user: Any, evidence: Upload | None = None, note: str = ""
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
        f.closed_at, f.closed_by, f.note = _now(), user, note.strip()
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


def _resolve(ticket: Ticket, user: Any) -> Ticket:
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
    now = _now()
    ticket.resolution_message = outbound
    ticket.resolution_requested_at = now
    _event(ticket, "resolution_sent", now, Event.Source.APP, outbound.message_id, user)
    _save(ticket, "ticket.resolve", before=before, actor=user)
    _watch_server_times(ticket, now)
    return ticket


def resolve(ticket: Ticket, *, user: Any) -> Ticket:
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


# ----------------------------------------------------------------------- 5. closure


def _check_png(data: bytes) -> None:
    if not data.startswith(PNG_MAGIC) or len(data) > SIGNATURE_MAX_BYTES or len(data) < 67:
        raise ValidationError({"signature": _("The signature is not a PNG drawing.")})


def _require_closable(ticket: Ticket) -> None:
    if not (ticket.resolution_message_id or ticket.resolved_at):
        raise FlowError(_("The engineer has not resolved this ticket yet."))
    if ticket.signature != Ticket.Signature.NONE:
        raise FlowError(_("This ticket is confirmed already: one problem, one rating."))


def sign(
    ticket: Ticket,
    *,
    png: bytes,
    satisfaction: str,
    signer_name: str,
    user: Any = None,
    via: str = "login",
) -> Ticket:
    """The recipient signs (drawn on a phone or tablet) and rates: one ticket, one
    rating (第八条).  Then OpsQM mails the signed form to the service desk (第十条)."""
    if satisfaction not in Ticket.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Rate the service.")})
    if not signer_name.strip():
        raise ValidationError({"signer_name": _("Write your name.")})
    _check_png(png)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        now = _now()
        before = snapshot(ticket)
        digest = hashlib.sha256(png).hexdigest()
        ticket.signature_image.save(f"{ticket.number}.png", ContentFile(png), save=False)
        ticket.signature_sha256 = digest
        ticket.signature = Ticket.Signature.SIGNED
        ticket.satisfaction = satisfaction
        ticket.signed_at = now
        ticket.signed_by = _person(user)
        ticket.signer_name = signer_name.strip()[:64]
        ticket.signed_via = via
        _event(
            ticket,
            "signed",
            now,
            Event.Source.APP,
            signer_name.strip(),
            user,
            satisfaction=satisfaction,
            sha256=digest,
            via=via,
        )
        _save(ticket, "ticket.sign", before=before, actor=user)
        _send_archive(ticket, user)
    return ticket


def create_sign_link(ticket: Ticket, *, user: Any) -> str:
    """A one-time signing link (signed token, expiring, single use, no login)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        nonce = secrets.token_urlsafe(24)
        link = SignLink.objects.create(
            ticket=ticket,
            nonce=nonce,
            expires_at=_now() + SIGN_LINK_MAX_AGE,
            created_by=user,
        )
        _event(
            ticket,
            "sign_link_created",
            link.created_at,
            Event.Source.APP,
            "",
            user,
            expires_at=link.expires_at,
        )
        log_action(
            "ticket.sign_link",
            obj=link,
            summary=ticket.number,
            after={"ticket": ticket.number, "expires_at": link.expires_at},
        )
    return signing.dumps({"n": nonce}, salt=SIGN_LINK_SALT)


def sign_link_for(token: str) -> SignLink:
    """The link a token names, if still usable; else ValidationError."""
    try:
        data = signing.loads(token, salt=SIGN_LINK_SALT, max_age=SIGN_LINK_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(_("This signing link is not valid.")) from exc
    link = (
        SignLink.objects.select_related("ticket__contract", "ticket__unit")
        .filter(nonce=str(data.get("n", "")))
        .first()
    )
    if link is None:
        raise ValidationError(_("This signing link is not valid."))
    if link.used_at is not None:
        raise ValidationError(_("This signing link has been used."))
    if link.expires_at <= _now():
        raise ValidationError(_("This signing link has expired."))
    return link


def sign_with_link(token: str, *, png: bytes, satisfaction: str, signer_name: str) -> Ticket:
    with transaction.atomic():
        link = sign_link_for(token)
        used = SignLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=_now())
        if not used:
            raise ValidationError(_("This signing link has been used."))
        return sign(
            link.ticket, png=png, satisfaction=satisfaction, signer_name=signer_name, via="link"
        )


def record_no_signature(
    ticket: Ticket, *, user: Any, reason: str, evidence: Sequence[Upload] = ()
) -> Ticket:
    """第十条 exception: the recipient cannot sign; the engineer notes why (with other
    evidence), for the desk to confirm by phone.  The ticket is then *awaiting phone
    confirmation* on the desk's board, and the desk's mailbox gets a notice."""
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        if not reason.strip():
            raise ValidationError({"reason": _("Say why no signature is possible.")})
        now = _now()
        before = snapshot(ticket)
        ticket.no_signature_reason = reason.strip()
        ticket.no_signature_at = ticket.no_signature_at or now
        names = [_attach(ticket, Attachment.Kind.EXCEPTION, f, user).name for f in evidence]
        notice = _notify_desk_no_signature(ticket, user, names)
        _event(
            ticket,
            "no_signature",
            now,
            Event.Source.APP,
            reason.strip(),
            user,
            evidence=names,
            notice=notice.message_id,
        )
        _save(ticket, "ticket.no_signature", before=before, actor=user)
    return ticket


def _notify_desk_no_signature(ticket: Ticket, user: Any, evidence: Sequence[str]) -> Any:
    """The desk's intranet mail notice (sent by the worker if the transaction commits):
    whom to phone, why there is no signature, and the ticket's times."""
    from opsqm.infra.mail.services import queue_message

    original = OriginalReport.objects.filter(ticket=ticket).first()
    contact = " · ".join(x for x in (original.reporter, original.phone) if x) if original else ""
    resolved = (
        f"{_local(ticket.resolved_at)}（邮件服务器接收时间 mail server receive time）"
        if ticket.resolved_at
        else "已发送，等待服务器时间 sent, awaiting the server's time"
    )
    lines = [
        "",
        f"未签字原因 Why no signature: {ticket.no_signature_reason}",
        f"记录人 Noted by: {getattr(user, 'display_name', '') or '-'}",
        f"证据 Evidence: {', '.join(evidence) or '-'}",
        f"报告人 Reporter: {contact or '-'}",
        f"处理时限 Deadline: {_local(ticket.deadline)}",
        f"反馈时间 Resolved: {resolved}",
        "",
        "请电话联系服务对象确认，并在 OpsQM 工单页记录确认结果（第十条）；"
        "确认前本工单按未签字计（第十七条一）。",
        "Phone the service recipient and record the confirmation on the ticket's page "
        "in OpsQM (第十条); until then the ticket counts as unsigned (第十七条一).",
    ]
    return queue_message(
        to=[_desk_mailbox()],
        subject=ticket.title,
        body=_mail_body(
            ticket,
            "待电话确认：服务对象无法签字 Awaiting phone confirmation: no signature possible",
            lines,
            ask_reply=False,
        ),
        kind="other",
        ticket_ref=ticket.number,
        in_reply_to=ticket.resolution_message.message_id if ticket.resolution_message else "",
        created_by=user,
    )


def confirm_by_phone(
    ticket: Ticket,
    *,
    user: Any,
    called_at: datetime.datetime,
    person: str,
    outcome: str,
    satisfaction: str,
) -> Ticket:
    """The desk phones the recipient and records the confirmation; it is final
    (第十条): signature = phone_confirmed."""
    if satisfaction not in Ticket.Satisfaction.values:
        raise ValidationError({"satisfaction": _("Record the recipient's rating.")})
    if not person.strip() or not outcome.strip():
        raise ValidationError(_("Record whom you called and what was said."))
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_closable(ticket)
        if not ticket.no_signature_reason:
            raise FlowError(_("The engineer has not noted why no signature is possible."))
        before = snapshot(ticket)
        PhoneCall.objects.create(
            ticket=ticket,
            purpose=PhoneCall.Purpose.RECIPIENT,
            called_at=called_at,
            person=person.strip(),
            outcome=outcome.strip(),
            recorded_by=user,
        )
        ticket.signature = Ticket.Signature.PHONE_CONFIRMED
        ticket.satisfaction = satisfaction
        ticket.signed_at = called_at
        ticket.signer_name = person.strip()[:64]
        ticket.signed_via = "phone"
        _event(
            ticket,
            "phone_confirmed",
            called_at,
            Event.Source.TYPED,
            outcome.strip(),
            user,
            person=person.strip(),
            satisfaction=satisfaction,
        )
        _save(ticket, "ticket.phone_confirm", before=before, actor=user)
        _send_archive(ticket, user)
    return ticket


# ----------------------------------------------------------------------- 6. archive


def _send_archive(ticket: Ticket, user: Any) -> None:
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
    now = _now()
    ticket.archive_message = outbound
    _event(ticket, "archive_sent", now, Event.Source.APP, outbound.message_id, user)
    _save(ticket, "ticket.archive_sent", before=before, actor=user)
    _watch_server_times(ticket, now)


def mark_improper_archive(ticket: Ticket, *, user: Any, reason: str) -> Ticket:
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
        _event(ticket, "archive_improper", _now(), Event.Source.APP, reason.strip(), user)
        _save(ticket, "ticket.archive_improper", before=before, actor=user)
    return ticket


# ----------------------------------------------------------------------- 9. inbound mail


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


# ----------------------------------------------------------------------- 8. reminders


REMINDER_LEAD = datetime.timedelta(hours=1)


def reminder_thresholds(ticket: Ticket) -> list[tuple[str, datetime.datetime]]:
    """The instants the vendor is warned about: the deadline, then the steps at which
    T6 costs more (第十七条六(一); 4 h and 24 h overdue in the bureau's rulebook,
    the contract's own numbers where it overrides them)."""
    if ticket.deadline is None:
        return []
    steps = overdue_steps(contract_ticket_rules(ticket.contract))
    return [(key, ticket.deadline + offset) for key, offset in steps]


def _step_text(ticket: Ticket, instant: datetime.datetime) -> str:
    assert ticket.deadline is not None
    hours = int((instant - ticket.deadline).total_seconds()) // 3600
    return "到期 deadline" if hours == 0 else f"超时 {hours} 小时 {hours} h overdue"


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Mail the vendor before a threshold passes, once per ticket and threshold."""
    from opsqm.infra.mail.services import queue_message

    now = now or _now()
    sent = 0
    horizon = now + REMINDER_LEAD
    qs = Ticket.objects.filter(
        resolved_at__isnull=True,
        resolution_message__isnull=True,
        deadline__isnull=False,
        deadline__lte=horizon,
        deadline__gt=now - latest_step(Contract.objects.all()) - REMINDER_LEAD,
    ).select_related("contract__vendor", "unit")
    for ticket in qs.iterator():
        box = ticket.contract.vendor.intranet_mailbox
        if not box:
            continue
        for key, instant in reminder_thresholds(ticket):
            if not (now < instant <= horizon):
                continue
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(ticket=ticket, threshold=key, due_at=instant)
                    reminder.message = queue_message(
                        to=[box],
                        subject=ticket.title,
                        body=_mail_body(
                            ticket,
                            f"工单时限提醒 Deadline reminder: {_step_text(ticket, instant)} "
                            f"{timezone.localtime(instant):%Y-%m-%d %H:%M}",
                        ),
                        kind="other",
                        ticket_ref=ticket.number,
                        in_reply_to=(
                            ticket.dispatch_message.message_id if ticket.dispatch_message else ""
                        ),
                    )
                    reminder.save(update_fields=["message"])
                    _event(
                        ticket, "reminder_sent", now, Event.Source.APP, key, None, threshold=instant
                    )
                    log_action("ticket.reminder", obj=ticket, summary=f"{ticket.number} {key}")
                sent += 1
            except IntegrityError:
                continue  # sent before (another worker, or an earlier run)
    return sent


def sweep_server_times() -> int:
    """Tickets still waiting for a server time whose mail has it now (safety net for
    a confirmation that arrived while no job watched)."""
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
