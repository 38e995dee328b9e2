"""2. Phone: the desk's call to the vendor starts the 2-hour window (第九条一); fixed
within it, the ticket is closed by phone and never becomes a work order."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opsqm.facts.contracts.dates import check_dates
from opsqm.facts.staff.models import StaffMember
from opsqm.facts.tickets.models import Event, PhoneCall, Ticket
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services.common import FlowError, _event, _locked, save_ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.servicekit import snapshot
from opsqm.infra.core.textlimits import check_lengths

# 第九条一: 运维服务公司需在2小时内解决或进入工单处理流程 — counted from the desk's
# phone call to the vendor (第十条四).  A constant of the flow, not a scoring rule: the
# engine never reads it (no rule deducts for the phone window itself).
PHONE_WINDOW = datetime.timedelta(hours=2)


def phone_deadline(ticket: Ticket) -> datetime.datetime | None:
    """第九条一: the end of the vendor's 2 hours from the desk's call."""
    return ticket.vendor_called_at + PHONE_WINDOW if ticket.vendor_called_at else None


def staff_to_phone(ticket: Ticket) -> list[StaffMember]:
    """Whom the desk may phone about a ticket: the vendor's staff on the contract who
    have not left (第九条一; the page offers them, a typed name is the fallback)."""
    day = common.today()
    return list(
        ticket.contract.staff.filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .filter(entered_on__lte=day)
        .order_by("person")
    )


def log_vendor_call(
    ticket: Ticket, *, user: User, called_at: datetime.datetime, person: str, outcome: str
) -> PhoneCall:
    """The desk's call to the vendor's engineer (第九条一).  The first call starts the
    2-hour window.  Its time is what the desk records (there is no other clock for a
    phone call): source `typed`."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.dispatched_at or ticket.dispatch_message_id or ticket.phone_resolved_at:
            raise FlowError(_("The phone step is over for this ticket."))
        if ticket.kind == Ticket.Kind.SECURITY:
            # 第十条四: a test or assessment report is a work order at once, no call.
            raise FlowError(_("A security report is dispatched without a phone call."))
        if not person.strip() or not outcome.strip():
            raise ValidationError(_("Record whom you called and what was said."))
        if called_at > common.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("The call cannot be in the future."))
        check_lengths(PhoneCall, {"person": person.strip()})
        # within the contract's time; not ordered against the report's typed time,
        # which the desk may fill in only after the call
        check_dates(ticket.contract, {"called_at": called_at}, labels={"called_at": _("called at")})
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
        save_ticket(ticket, "ticket.vendor_called", before=before, actor=user)
    return call


def close_by_phone(ticket: Ticket, *, user: User, note: str) -> Ticket:
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
        now = common.now()
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
        save_ticket(ticket, "ticket.phone_resolved", before=before, actor=user)
    return ticket
