"""Money the contract owes outside the points rules: compensation for an operator's
error (第十二条, deducted at payment under 合同 五.5) and the consequence of a
termination (合同 十.2, 十.3).  Plain Decimal arithmetic; the web side supplies the
records and the work calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from opsqm.pure.assessment.paydue import add_workdays
from opsqm.pure.assessment.workcalendar import WorkCalendar

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PENALTY_RATE = Decimal("0.30")  # 十.2 违约金 / 十.3 loss that cannot be computed
REFUND_WORKDAYS = 20  # 十.3: refund within 20 working days of receiving the notice

DELAY = "delay_over_15"  # 十.2: a contracted service more than 15 days late
FAILURE = "service_failure"  # 十.3: the service or 第二节 not met


@dataclass(frozen=True)
class AfterCompensation:
    """The settlement's payable amount once the compensation is deducted too."""

    compensation: Decimal  # the total the bureau determined (第十二条)
    deducted: Decimal  # the part taken from what remained payable
    payable: Decimal
    vendor_owes: Decimal  # the fines' shortfall plus the compensation not covered


def with_compensation(
    payable: Decimal, vendor_owes: Decimal, compensation: Decimal
) -> AfterCompensation:
    """Deduct `compensation` from the payable amount left after the fines (五.5);
    what it cannot cover the vendor owes, beside any shortfall of the fines."""
    if compensation < 0:
        raise ValueError("compensation cannot be negative")
    deducted = min(payable, compensation)
    return AfterCompensation(
        compensation=compensation.quantize(CENT),
        deducted=deducted.quantize(CENT),
        payable=(payable - deducted).quantize(CENT),
        vendor_owes=(vendor_owes + compensation - deducted).quantize(CENT),
    )


@dataclass(frozen=True)
class TerminationConsequence:
    grounds: str
    refund: Decimal  # every amount the bureau has paid
    penalty: Decimal  # 30 % of the contract amount
    actual_loss: Decimal | None  # as the bureau recorded it, if it did
    damages: Decimal  # what the vendor pays besides the refund
    damages_basis: str  # "penalty" or "actual_loss"
    total: Decimal
    refund_due: date | None  # 20 working days after the notice was received


def termination_consequence(
    grounds: str,
    amount: Decimal,
    paid: Decimal,
    actual_loss: Decimal | None,
    received_on: date | None,
    cal: WorkCalendar,
) -> TerminationConsequence:
    """十.2: refund of everything paid and a penalty of 30 % of the contract amount;
    a recorded actual loss replaces the penalty only when higher (the penalty is the
    floor the contract fixes).  十.3: refund, and the actual loss; only when it cannot
    be computed (none recorded) 30 % of the contract amount.  The refund is due on the
    20th working day after the vendor received the notice (十.3; 十.2 names no period
    and OpsQM applies the same one)."""
    if grounds not in (DELAY, FAILURE):
        raise ValueError(f"unknown grounds {grounds!r}")
    penalty = (amount * PENALTY_RATE).quantize(CENT)
    if actual_loss is None:
        damages, basis = penalty, "penalty"
    elif grounds == FAILURE or actual_loss > penalty:
        damages, basis = actual_loss.quantize(CENT), "actual_loss"
    else:
        damages, basis = penalty, "penalty"
    due = add_workdays(cal, received_on, REFUND_WORKDAYS) if received_on else None
    refund = paid.quantize(CENT)
    return TerminationConsequence(
        grounds, refund, penalty, actual_loss, damages, basis, refund + damages, due
    )
