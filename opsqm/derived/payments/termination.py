"""Termination of the contract (合同 十.2, 十.3): the record (`record_termination`,
audited) and its consequence (`consequence`): refund of everything paid, the 30 %
penalty or the actual loss, and the refund deadline on the attendance work calendar.

Here, above the settlement, because the refund is the payments made."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opsqm.derived.payments.models import PaymentMade, Termination
from opsqm.derived.payments.services import today
from opsqm.facts.contracts.dates import check_dates
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.facts.contracts.scoring import model_contract
from opsqm.facts.incidents.models import ServiceDelay
from opsqm.infra.audit.servicekit import pick, save_audited
from opsqm.pure.assessment.remedies import TerminationConsequence, termination_consequence
from opsqm.pure.assessment.workcalendar import calendar_for

TERMINATION_FIELDS = ("grounds", "notice_on", "received_on", "reason", "actual_loss", "notice")
DELAY_DAYS = 15  # 十.2: "逾期超过15天"


def delays_over_15(contract: Contract, on: datetime.date) -> list[ServiceDelay]:
    """Deliveries more than 15 days late on `on` and not excused: the right of 十.2
    (the engine's D1 sets `termination_right` by the same measure)."""
    out = []
    for d in ServiceDelay.objects.filter(contract=contract, excused="", due__lt=on):
        end = d.delivered if d.delivered and d.delivered <= on else on
        if (end - d.due).days > DELAY_DAYS:
            out.append(d)
    return out


def record_termination(contract: Contract, data: dict[str, Any]) -> Termination:
    """Record (or correct) the bureau's termination.  The grounds of 十.2 need a
    delivery more than 15 days late on the notice day; 十.3's is the assessor's
    finding, stated in the reason."""
    fields = pick(data, TERMINATION_FIELDS)
    notice_on, received_on = fields.get("notice_on"), fields.get("received_on")
    labels = {"notice_on": _("termination notice issued on"),
              "received_on": _("notice received by the vendor on")}  # fmt: skip
    check_dates(contract, {"notice_on": notice_on, "received_on": received_on}, labels=labels,
                order=(("notice_on", "received_on"),))  # fmt: skip
    for name in ("notice_on", "received_on"):
        if fields.get(name) and fields[name] > today():
            raise ValidationError({name: _("This day is in the future.")})
    if notice_on and notice_on > contract.end:
        raise ValidationError({"notice_on": _("The service period had ended on that day.")})
    if not str(fields.get("reason", "")).strip():
        raise ValidationError({"reason": _("State the grounds in the reason.")})
    grounds = fields.get("grounds")
    if (
        grounds == Termination.Grounds.DELAY
        and notice_on
        and not delays_over_15(contract, notice_on)
    ):
        msg = _(
            "No contracted delivery was more than 15 days late on the notice day "
            "(合同 十.2): no right to terminate on these grounds."
        )
        raise ValidationError({"grounds": msg})
    current = Termination.objects.filter(contract=contract).first()
    if current is not None and not fields.get("notice"):
        fields.pop("notice", None)  # a correction keeps the scan already filed
    return save_audited(
        current or Termination(contract=contract), fields, action="contract.termination",
        summary=f"{contract.code}: {fields.get('grounds')} {notice_on}",
    )  # fmt: skip


def paid(contract: Contract) -> Decimal:
    return sum((p.amount for p in PaymentMade.objects.filter(contract=contract)), Decimal("0.00"))


def consequence(contract: Contract) -> TerminationConsequence | None:
    """What the vendor owes after a recorded termination; None without one."""
    t = Termination.objects.filter(contract=contract).first()
    if t is None:
        return None
    cal = calendar_for(contract_rulebook(model_contract(contract)).calendar)
    return termination_consequence(
        t.grounds, contract.amount, paid(contract), t.actual_loss, t.received_on, cal
    )
