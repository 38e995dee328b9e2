"""The periods of a contract the deliverables are due for: its quarters and months,
clipped to the service period."""

from __future__ import annotations

import calendar as pycal
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opsqm.facts.contracts.models import Contract


@dataclass(frozen=True)
class Period:
    label: str  # "2025Q4", "2025-11", ""
    first: datetime.date
    last: datetime.date  # clipped to the service period


def quarters(contract: Contract) -> list[Period]:
    """Calendar quarters overlapping the service period, clipped to it (a quarterly
    report covers what of the quarter lies inside the contract)."""
    out: list[Period] = []
    y, q = contract.start.year, (contract.start.month - 1) // 3 + 1
    while True:
        first = datetime.date(y, 3 * q - 2, 1)
        if first > contract.end:
            return out
        last = datetime.date(y, 3 * q, pycal.monthrange(y, 3 * q)[1])
        out.append(Period(f"{y}Q{q}", max(first, contract.start), min(last, contract.end)))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)


def months(contract: Contract) -> list[Period]:
    out: list[Period] = []
    y, mo = contract.start.year, contract.start.month
    while True:
        first = datetime.date(y, mo, 1)
        if first > contract.end:
            return out
        last = datetime.date(y, mo, pycal.monthrange(y, mo)[1])
        out.append(Period(f"{y}-{mo:02d}", max(first, contract.start), min(last, contract.end)))
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)


def period_of(contract: Contract, label: str) -> Period:
    """The quarter, month or (label "") whole service period named by `label`."""
    if not label:
        return Period("", contract.start, contract.end)
    for p in quarters(contract) + months(contract):
        if p.label == label:
            return p
    raise ValidationError(_("No such period in this contract."))
