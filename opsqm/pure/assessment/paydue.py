"""Payment deadlines of 合同 五.2 / 五.3 on the attendance work calendar.

五.2: the first payment within 30 working days of signing; the final payment within 30
working days after acceptance (which follows the supervisor's review of the project
materials).  Reading of "签订合同后 30 个工作日之内": the day of signing is not counted;
the deadline is the 30th working day after it.

五.3: "如乙方开具发票时间距付款期限止日不足10个工作日的，付款期限顺延".  Reading: when the
invoice is received with fewer than 10 working days left before the deadline (the day
of receipt not counted, the deadline day counted), the deadline moves to the 10th
working day after receipt; an invoice received after the deadline moves it likewise.
Without an invoice the bureau may refuse to pay and is not in breach, so a payment
without an invoice is never overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from opsqm.pure.assessment.workcalendar import WorkCalendar

PAYMENT_WORKDAYS = 30
INVOICE_WORKDAYS = 10


def add_workdays(cal: WorkCalendar, start: date, n: int) -> date:
    """The n-th working day after `start` (`start` itself not counted)."""
    if n < 1:
        raise ValueError(f"add_workdays needs n >= 1, got {n}")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if cal.is_workday(day):
            left -= 1
    return day


def workdays_between(cal: WorkCalendar, first: date, last: date) -> int:
    """Working days in (first, last]: after `first`, up to and including `last`."""
    if last <= first:
        return 0
    return len(cal.workday_ordinals(first.toordinal() + 1, last.toordinal()))


@dataclass(frozen=True)
class Deadline:
    base: date  # the contractual deadline, 30 working days after the starting day
    due: date  # after 五.3's extension, if any
    extended_by_invoice: bool
    invoice_received: date | None  # the first invoice received, if any


def payment_deadline(cal: WorkCalendar, start: date, invoices: Iterable[date]) -> Deadline:
    """The deadline of a payment counted from `start` (signing or acceptance day).
    `invoices` are the days invoices were received: the first one counts (the bureau
    needs one valid invoice to pay)."""
    base = add_workdays(cal, start, PAYMENT_WORKDAYS)
    received = min(invoices, default=None)
    if received is None:
        return Deadline(base, base, False, None)
    if workdays_between(cal, received, base) < INVOICE_WORKDAYS:
        moved = add_workdays(cal, received, INVOICE_WORKDAYS)
        if moved > base:
            return Deadline(base, moved, True, received)
    return Deadline(base, base, False, received)


def is_overdue(deadline: Deadline, due: Decimal, paid: Decimal, today: date) -> bool:
    """Overdue: an invoice is in, the (extended) deadline is past, not all paid."""
    return deadline.invoice_received is not None and today > deadline.due and paid < due
