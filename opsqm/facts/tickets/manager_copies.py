"""第二十一条: the vendor manager's mailbox is part of the contract and gets a copy of
each work order that passes a T6 step (the deadline, then the contract's 4 h and 24 h
overdue steps; `overdue_steps`).  Run by the periodic `tickets.remind` job; once per
ticket and step (a `Reminder` row keyed "m:<step>"), threaded to the dispatch mail."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from opsqm.facts.contracts.models import Contract
from opsqm.facts.tickets.models import Event, Reminder, Ticket, latest_step
from opsqm.infra.audit.services import log_action

PREFIX = "m:"  # Reminder.threshold of a manager's copy: "m:overdue4h"
# A step passed longer ago than this is not copied any more (a worker that was down
# for a day copies the step a ticket is at, not every step it passed meanwhile).
CATCH_UP = datetime.timedelta(hours=6)


def _passed_step(ticket: Ticket, now: datetime.datetime) -> tuple[str, datetime.datetime] | None:
    """The latest T6 step `ticket` has passed by `now`, if within CATCH_UP."""
    from opsqm.facts.tickets.services.reminders import reminder_thresholds

    passed = [(key, at) for key, at in reminder_thresholds(ticket) if at <= now]
    if not passed:
        return None
    key, at = passed[-1]
    return (key, at) if now - at <= CATCH_UP else None


def copy_managers(now: datetime.datetime | None = None) -> int:
    """Mail the manager a copy of each open work order that passed a T6 step; returns
    how many were sent.  Idempotent (the unique reminder row decides)."""
    from opsqm.facts.tickets.services import common
    from opsqm.facts.tickets.services._mail import _mail_body
    from opsqm.facts.tickets.services.common import _event
    from opsqm.facts.tickets.services.reminders import _step_text
    from opsqm.infra.mail.services import queue_message

    now = now or common.now()
    qs = Ticket.objects.filter(
        resolved_at__isnull=True,
        resolution_message__isnull=True,
        deadline__isnull=False,
        deadline__lte=now,
        deadline__gt=now - latest_step(Contract.objects.all()) - CATCH_UP,
    ).select_related("contract__vendor", "unit", "dispatch_message")
    sent = 0
    for ticket in qs.iterator():
        box = ticket.contract.vendor.manager_mailbox
        step = _passed_step(ticket, now)
        if not box or step is None:
            continue
        key, instant = step
        try:
            with transaction.atomic():
                row = Reminder.objects.create(ticket=ticket, threshold=PREFIX + key, due_at=instant)
                heading = "工单超时抄送项目经理 Copy to the vendor's manager: " + _step_text(
                    ticket, instant
                )
                row.message = queue_message(
                    to=[box],
                    subject=ticket.title,
                    body=_mail_body(ticket, heading, ask_reply=False),
                    kind="other",
                    ticket_ref=ticket.number,
                    in_reply_to=ticket.dispatch_message.message_id
                    if ticket.dispatch_message
                    else "",
                )
                row.save(update_fields=["message"])
                _event(
                    ticket,
                    "manager_copy_sent",
                    now,
                    Event.Source.APP,
                    key,
                    None,
                    to=box,
                    threshold=instant,
                    message_id=row.message.message_id,
                )
                log_action(
                    "ticket.manager_copy", obj=ticket, summary=f"{ticket.number} {key} → {box}"
                )
            sent += 1
        except IntegrityError:
            continue  # copied before (another worker, or an earlier run)
    return sent
