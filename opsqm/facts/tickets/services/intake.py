"""1. Intake: the desk records a user's report, or registers a security report
(第九条一, 第十条)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.facts.contracts.dates import date_errors
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
from opsqm.infra.core.textlimits import length_errors

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
        errors["unit"] = _("Unit: contract %(code)s does not serve %(unit)s.") % {
            "code": contract.code,
            "unit": unit.name,
        }


def contracts_in_force(contracts: QuerySet[Contract], day: datetime.date) -> QuerySet[Contract]:
    """The contracts whose service period contains `day`: the ones intake offers."""
    return contracts.filter(start__lte=day, end__gte=day)


def _check_in_force(contract: Contract, at: datetime.datetime, errors: dict[str, str]) -> None:
    """A report belongs to the contract in force when it was made: an ended (or not yet
    started) contract takes no new work order, whose ledger may be settled."""
    day = timezone.localtime(at).date()
    if not contract.start <= day <= contract.end:
        errors["contract"] = _(
            "Contract: %(code)s is not in force on %(day)s (service period %(start)s – "
            "%(end)s); choose the contract in force."
        ) % {
            "code": contract.code,
            "day": f"{day:%Y-%m-%d}",
            "start": f"{contract.start:%Y-%m-%d}",
            "end": f"{contract.end:%Y-%m-%d}",
        }


def _save_numbered(ticket: Ticket, at: datetime.datetime) -> None:
    """Save a new ticket under the next free number.  The sequence row is locked
    (PostgreSQL), so two desks never draw the same number; where the database cannot
    lock (SQLite) or a number was taken outside the sequence, the unique constraint
    refuses the second and the next number is drawn."""
    for attempt in range(5):
        ticket.number = ticket.problem = next_number(at)
        try:
            with transaction.atomic():
                ticket.save()
            return
        except IntegrityError:
            if attempt == 4 or not Ticket.objects.filter(number=ticket.number).exists():
                raise
            ticket.pk = None


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
    testing_org: str = "",
    report_date: datetime.date | None = None,
) -> Ticket:
    """A new ticket with its number and its original record (`OriginalReport`,
    第十四条六), written once: later edits of the ticket leave it alone."""
    ticket = Ticket(
        contract=contract,
        kind=kind,
        title=title[:200],
        unit=unit,
        priority=priority,
        description=description,
        system=system,
        testing_org=testing_org,
        report_date=report_date,
        created_at=now,
        created_by=_person(user),
        # The bureau's form is filled in OpsQM later: nothing recorded yet.
        record_analysis=False,
        record_steps=False,
        record_verification=False,
    )
    _save_numbered(ticket, reported_at)
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
    priority: str,
    attachments: Sequence[Upload] = (),
) -> Ticket:
    """The desk records a user's report (第九条一).  The original record is its own
    row (`OriginalReport`), written once: later edits of the ticket leave it alone.
    `priority` has no default: it sets the deadline, so every caller chooses it."""
    errors: dict[str, str] = {}
    if not reporter.strip():
        errors["reporter"] = _("Who reported the problem?")
    if not description.strip():
        errors["description"] = _("Describe the problem as the user reported it.")
    _check_unit(contract, unit, errors)
    _check_priority(priority, errors)
    _check_uploads(attachments, "attachments", errors, ATTACHMENT_KINDS)
    errors.update(length_errors(Ticket, {"title": title, "description": description.strip()}))
    now = common.now()
    if reported_at is not None:  # typed: within the contract's time (issue 12)
        errors.update(
            date_errors(
                contract, {"reported_at": reported_at}, labels={"reported_at": _("reported at")}
            )
        )
    reported_at = reported_at or now
    if reported_at > now + datetime.timedelta(minutes=5):
        errors["reported_at"] = _("The report cannot be in the future.")
    if "reported_at" not in errors:
        _check_in_force(contract, reported_at, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ticket = _new_ticket(
            contract,
            user=user,
            kind=Ticket.Kind.SERVICE,
            # the title read from the description's first line, cut to the field's size
            title=title or description.strip().splitlines()[0][:200],
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


def _check_report_source(
    contract: Contract,
    testing_org: str,
    report_date: datetime.date | None,
    received: datetime.date,
    errors: dict[str, str],
) -> None:
    """第十条四: who tested and when the report is dated; a report is dated on or
    before its receipt (its registration here) and within the contract's time."""
    if not testing_org.strip():
        errors["testing_org"] = _("Testing organisation: name who tested or assessed.")
    if report_date is None:
        errors["report_date"] = _("Report date: enter the date printed on the report.")
        return
    dated = date_errors(
        contract, {"report_date": report_date}, labels={"report_date": _("report date")}
    )
    if dated:
        errors.update(dated)
    elif report_date > received:
        errors["report_date"] = _(
            "Report date (%(date)s) is after the report was received (%(received)s)."
        ) % {"date": f"{report_date:%Y-%m-%d}", "received": f"{received:%Y-%m-%d}"}


def register_security_report(
    contract: Contract,
    *,
    user: User,
    title: str,
    report: Upload,
    findings: Sequence[tuple[str, str]],
    testing_org: str,
    report_date: datetime.date | None,
    priority: str,
    unit: Unit | None = None,
) -> Ticket:
    """A test or assessment report (检测报告、整改通知书) registered as a work order
    (第十条): the report file, who tested, its date and its findings, each with its own
    severity (not the ticket's priority); resolved when all are closed.  Registering
    is its receipt: the contract must be in force then."""
    findings = [(d.strip(), s) for d, s in findings if d.strip()]
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Name the report.")
    if not findings:
        errors["findings"] = _("List at least one finding to close.")
    if any(s not in Finding.Severity.values for _d, s in findings):
        errors["findings"] = _("Findings: choose each finding's severity.")
    errors.update(length_errors(Ticket, {"title": title.strip(), "testing_org": testing_org}))
    now = common.now()
    _check_in_force(contract, now, errors)
    _check_report_source(contract, testing_org, report_date, timezone.localtime(now).date(), errors)
    _check_unit(contract, unit, errors)
    _check_priority(priority, errors)
    _check_uploads([report], "report", errors, SECURITY_REPORT_KINDS)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ticket = _new_ticket(
            contract,
            user=user,
            kind=Ticket.Kind.SECURITY,
            title=title.strip(),
            unit=unit,
            priority=priority,
            description="\n".join(f"- {d}" for d, _s in findings),
            reporter=testing_org.strip()[:64],
            reported_at=now,
            now=now,
            testing_org=testing_org.strip(),
            report_date=report_date,
        )
        _attach(ticket, Attachment.Kind.SECURITY, report, user, SECURITY_REPORT_KINDS)
        for d, s in findings:
            Finding.objects.create(ticket=ticket, description=d, severity=s)
        _event(ticket, "security_registered", now, Event.Source.APP, title.strip(), user)
        save_ticket(
            ticket, "ticket.security_register", before=None, summary=ticket.number, actor=user
        )
    return ticket
