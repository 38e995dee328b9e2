"""1. Intake: the desk records a user's report, or registers a security report
(第九条一, 第十条)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.tickets.models import (
    ATTACHMENT_KINDS,
    Attachment,
    Event,
    Finding,
    OriginalReport,
    Ticket,
)
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services.common import (
    Upload,
    _attach,
    _check_uploads,
    _event,
    _person,
    next_number,
    save_ticket,
)
from opsqm.infra.accounts.models import User

# What a test or assessment report may be (第十条四).
SECURITY_REPORT_KINDS = ("pdf", "docx", "xlsx", "txt")


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
    user: User,
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
    user: User,
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
    now = common.now()
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
        save_ticket(ticket, "ticket.intake", before=None, summary=summary, actor=user)
    return ticket


def register_security_report(
    contract: Contract,
    *,
    user: User,
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
    now = common.now()
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
        save_ticket(
            ticket, "ticket.security_register", before=None, summary=ticket.number, actor=user
        )
    return ticket
