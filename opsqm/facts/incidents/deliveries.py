"""Contracted deliveries (合同 六, 八; rule D1): their due days — counted by the contract
from a day (signing, a demand, a notice's receipt) or given — and the services that
record, correct and deliver them.  A due day moves only with the bureau's written
agreement (合同 十.1: `remedies.agree_delay`)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.models import ServiceDelay
from opsqm.infra.audit.servicekit import pick, save_audited

DELIVERY_FIELDS = (
    "obligation",
    "kind",
    "clause",
    "basis_on",
    "due",
    "delivered",
    "notes",
    "delivery_file",
)
RECTIFY_DAYS = 5  # 合同 六(一)2
DUE_DAYS = {"staff_list": 1, "replacement": 3, "rectification": RECTIFY_DAYS}  # 合同 六
DUE_CLAUSES = {
    "staff_list": "合同 六(二)1",
    "replacement": "合同 六(二)1",
    "rectification": "合同 六(一)2",
    "acceptance": "合同 八",
}


def due_for(kind: str, basis_on: datetime.date | None) -> datetime.date | None:
    """The due day of a delivery the contract times itself: staff list 1 day after
    signing, replacement 3 days after the demand, rectification 5 days after the
    notice (counted from the next day, 民法典 第二百零一条)."""
    days = DUE_DAYS.get(kind)
    if days is None or basis_on is None:
        return None
    return basis_on + datetime.timedelta(days=days)


def delivery_due(
    kind: str, basis_on: datetime.date | None, due: datetime.date | None
) -> datetime.date:
    """The due day of a contracted delivery: `due` if given, else counted by `due_for`
    from `basis_on`; a ValidationError on `due` if neither.  The service and the
    delivery form both ask this."""
    day = due or due_for(kind, basis_on)
    if day is None:
        raise ValidationError({"due": [_("Give the due date (or the date it is counted from).")]})
    return day


def _delivery_fields(data: Mapping[str, Any], current: ServiceDelay) -> dict[str, Any]:
    fields = pick(data, DELIVERY_FIELDS)
    kind, basis_on = fields.get("kind", ""), fields.get("basis_on")
    if "due" in fields or current.due is None:
        fields["due"] = delivery_due(kind, basis_on, fields.get("due"))
    elif (computed := due_for(kind, basis_on)) is not None:
        fields["due"] = computed  # a change of the day it is counted from moves the due day
    if not fields.get("clause") and fields.get("kind") in DUE_CLAUSES:
        fields["clause"] = DUE_CLAUSES[fields["kind"]]
    return fields


def record_service_delay(contract: Contract, data: Mapping[str, Any]) -> ServiceDelay:
    delivery = ServiceDelay(contract=contract)
    return save_audited(delivery, _delivery_fields(data, delivery), action="service_delay.record")


def update_service_delay(delivery: ServiceDelay, data: Mapping[str, Any]) -> ServiceDelay:
    fields = _delivery_fields(data, delivery)
    # 合同 十.1: only the bureau's written agreement moves it (remedies.agree_delay).
    # A correction of the day it is counted from (the signing day, a notice's receipt
    # at the mail server) is not a delay: the due day that follows from it may move.
    due = fields.get("due", delivery.due)
    follows = due_for(fields.get("kind", delivery.kind), fields.get("basis_on", delivery.basis_on))
    if due != delivery.due and not (
        fields.get("basis_on", delivery.basis_on) != delivery.basis_on and due == follows
    ):
        raise ValidationError(
            {"due": _("The due day moves only with the bureau's written agreement: record it.")}
        )
    return save_audited(delivery, fields, action="service_delay.update")


def record_delivered(
    delivery: ServiceDelay, delivered: datetime.date, file: Any = None
) -> ServiceDelay:
    fields: dict[str, Any] = {"delivered": delivered}
    if file:
        fields["delivery_file"] = file
    return save_audited(delivery, fields, action="service_delay.delivered")
