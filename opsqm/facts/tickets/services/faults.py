"""The assessor's findings on a ticket's record (第十七条二–五): a forged signature or
time record (T4), a missing key step (T2), the wrong form (T3), an improper archive (T5).
Each is recorded or corrected with a reason; the timeline shows it, the audit log
keeps it, and the ledger reads the ticket's fields at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opsqm.facts.tickets.models import Event, Ticket
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services.common import FlowError, _event, _locked, save_ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot

# fault → (rule, field, value when the fault is present)
FAULTS: dict[str, tuple[str, str, Any]] = {
    "forged": ("T4", "forged", True),
    "analysis": ("T2", "record_analysis", False),
    "steps": ("T2", "record_steps", False),
    "verification": ("T2", "record_verification", False),
    "template": ("T3", "template_ok", False),
    "archive": ("T5", "archive", Ticket.Archive.IMPROPER),
}


def _cleared(ticket: Ticket, field: str, bad: Any) -> Any:
    if field == "archive":
        return Ticket.Archive.OK if ticket.archived_at else Ticket.Archive.PENDING
    return not bad


def record_fault(ticket: Ticket, *, user: User, fault: str, present: bool, reason: str) -> Ticket:
    """Record (`present`) or correct a fault of the ticket's record, with the reason."""
    if fault not in FAULTS:
        raise ValidationError({"fault": _("Unknown fault: %(f)s.") % {"f": fault}})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    rule, field, bad = FAULTS[fault]
    with transaction.atomic():
        ticket = _locked(ticket)
        value = bad if present else _cleared(ticket, field, bad)
        if getattr(ticket, field) == value:
            raise FlowError(_("The ticket already says so."))
        before = snapshot(ticket)
        setattr(ticket, field, value)
        if field == "archive" and present:
            ticket.archive_note = reason.strip()
        action = "fault_recorded" if present else "fault_corrected"
        text = f"{rule} {fault}: {reason.strip()}"
        _event(ticket, action, common.now(), Event.Source.APP, text, user, rule=rule, fault=fault)
        save_ticket(ticket, "ticket.fault", before=before, actor=user, summary=text)
    return ticket
