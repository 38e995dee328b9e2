"""Payments of 合同 五.2 / 五.3: the schedule, invoices and payments made.

Every change is a service here (validated, in a transaction, audited by
`save_audited`); pages call these.  Deadlines are computed on the contract's work
calendar, the same one attendance uses (`opsqm.pure.assessment.paydue`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.derived.acceptance.models import AcceptanceFile
from opsqm.derived.payments.models import Invoice, Kind, PaymentMade, PaymentPlan, Termination
from opsqm.derived.settlement.models import SettlementStatement
from opsqm.derived.settlement.services import payable as settlement_payable
from opsqm.facts.contracts.dates import check_not_in_future
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.facts.contracts.scoring import model_contract
from opsqm.infra.audit.servicekit import save_audited
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.paydue import Deadline, is_overdue, payment_deadline
from opsqm.pure.assessment.workcalendar import calendar_for

INVOICE_FIELDS = ("kind", "number", "amount", "issued_on", "received_on")
PAYMENT_FIELDS = ("kind", "paid_on", "amount", "note")


def today() -> datetime.date:
    return timezone.now().astimezone(TZ).date()


def _after_signing(contract: Contract, day: datetime.date | None, field_name: str) -> None:
    plan = PaymentPlan.objects.filter(contract=contract).first()
    if plan is None:
        raise ValidationError(_("Record the day the contract was signed first."), code="unsigned")
    if day is not None and day < plan.signed_on:
        raise ValidationError(
            {
                field_name: _("This day is before the contract was signed (%(day)s).")
                % {"day": plan.signed_on.isoformat()}
            }
        )


def set_signed_on(contract: Contract, signed_on: datetime.date) -> PaymentPlan:
    """The signing day (十四.3) the first payment's 30 working days count from."""
    check_not_in_future({"signed_on": signed_on})
    if signed_on > contract.end:
        raise ValidationError(
            {"signed_on": _("The signing day is after the end of the service period.")}
        )
    from opsqm.facts.incidents.stafflist import ensure_staff_list_delivery

    plan = PaymentPlan.objects.filter(contract=contract).first() or PaymentPlan(contract=contract)
    with transaction.atomic():
        plan = save_audited(plan, {"signed_on": signed_on}, action="payments.plan")
        # 合同 六(二)1 counts from the same day: the staff list follows a correction.
        ensure_staff_list_delivery(contract, signed_on)
    return plan


def register_invoice(contract: Contract, data: dict[str, Any]) -> Invoice:
    """An invoice the bureau received for the first or the final payment (五.3)."""
    check_not_in_future(
        {"received_on": data.get("received_on"), "issued_on": data.get("issued_on")}
    )
    _after_signing(contract, data.get("issued_on"), "issued_on")
    if Invoice.objects.filter(contract=contract, number=data.get("number")).exists():
        raise ValidationError({"number": _("This invoice number is already registered.")})
    fields = {k: data.get(k) for k in INVOICE_FIELDS}
    received, issued = fields["received_on"], fields["issued_on"]
    if received and issued and received < issued:
        raise ValidationError({"received_on": _("An invoice cannot arrive before it is issued.")})
    return save_audited(Invoice(contract=contract), fields, action="payments.invoice")


def record_payment(contract: Contract, data: dict[str, Any]) -> PaymentMade:
    """A payment the bureau made."""
    check_not_in_future({"paid_on": data.get("paid_on")})
    _after_signing(contract, data.get("paid_on"), "paid_on")
    fields = {k: data.get(k, "") for k in PAYMENT_FIELDS}
    return save_audited(PaymentMade(contract=contract), fields, action="payments.paid")


@dataclass
class Due:
    kind: str
    label: str
    amount: Decimal | None  # None: the final amount waits for the settlement's sign-off
    counted_from: datetime.date | None
    deadline: Deadline | None
    invoices: list[Invoice] = field(default_factory=list)
    payments: list[PaymentMade] = field(default_factory=list)
    overdue: bool = False
    # 合同 十.2 / 十.3: after a termination the bureau pays nothing more; what was paid
    # comes back (termination.consequence), so nothing outstanding is overdue.
    terminated: bool = False

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))

    @property
    def outstanding(self) -> Decimal | None:
        return None if self.amount is None else max(self.amount - self.paid, Decimal(0))


def _accepted_on(contract: Contract) -> datetime.date | None:
    """The acceptance day: it follows the supervisor's review (合同 八)."""
    f = AcceptanceFile.objects.filter(contract=contract, accepted_at__isnull=False).first()
    return f.accepted_at.astimezone(TZ).date() if f and f.accepted_at else None


def _final_amount(contract: Contract) -> Decimal | None:
    """The final payment less the settlement's fines and compensation (五.5), once
    signed off."""
    st = SettlementStatement.objects.filter(contract=contract).first()
    return None if st is None else settlement_payable(st)


def schedule(contract: Contract, on: datetime.date | None = None) -> list[Due]:
    """What is due, by when, and what was paid, for both payments of 五.2."""
    on = on or today()
    cal = calendar_for(contract_rulebook(model_contract(contract)).calendar)
    plan = PaymentPlan.objects.filter(contract=contract).first()
    invoices = list(Invoice.objects.filter(contract=contract))
    paid = list(PaymentMade.objects.filter(contract=contract))
    terminated = Termination.objects.filter(contract=contract).exists()
    starts = {
        Kind.FIRST: plan.signed_on if plan else None,
        Kind.FINAL: _accepted_on(contract),
    }
    amounts = {
        Kind.FIRST: contract.amount - contract.final_payment,
        Kind.FINAL: _final_amount(contract),
    }
    out = []
    for kind in (Kind.FIRST, Kind.FINAL):
        inv = [i for i in invoices if i.kind == kind]
        start = starts[kind]
        deadline = payment_deadline(cal, start, [i.received_on for i in inv]) if start else None
        due = Due(kind, str(kind.label), amounts[kind], start, deadline, inv)
        due.payments = [p for p in paid if p.kind == kind]
        due.terminated = terminated
        due.overdue = not terminated and bool(
            deadline and due.amount is not None and is_overdue(deadline, due.amount, due.paid, on)
        )
        out.append(due)
    return out


def overdue_payments(
    contracts: Iterable[Contract], on: datetime.date | None = None
) -> list[tuple[Contract, Due]]:
    """(contract, due) for every overdue payment of `contracts`, for the assessor's home."""
    rows: list[tuple[Contract, Due]] = []
    for c in contracts:
        if not PaymentPlan.objects.filter(contract=c).exists():
            continue
        rows.extend((c, d) for d in schedule(c, on) if d.overdue)
    return rows
