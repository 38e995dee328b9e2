"""Reminders: the vendor is mailed before the deadline and before each step at which
T6 costs more (第十七条六(一))."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from opsqm.facts.contracts.models import Contract
from opsqm.facts.tickets.models import Event, Reminder, Ticket, contract_ticket_rules, latest_step
from opsqm.facts.tickets.services import common
from opsqm.facts.tickets.services._mail import _mail_body
from opsqm.facts.tickets.services.common import _event
from opsqm.infra.audit.services import log_action
from opsqm.pure.assessment.rules.tickets import overdue_steps

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

    now = now or common.now()
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
