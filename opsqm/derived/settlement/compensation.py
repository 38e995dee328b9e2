"""Compensation deducted at payment (合同 五.5) beside the fines: the direct economic
loss of incidents an operator's error caused (第十二条), as the bureau determined it.

Not a points rule, so not in the engine's ledger: the settlement adds it after the
fines (`opsqm.pure.assessment.remedies.with_compensation`) and freezes the lines and
the result at sign-off, as it freezes the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.remedies import liabilities
from opsqm.pure.assessment.remedies import AfterCompensation, with_compensation


def lines(contract: Contract) -> list[dict[str, Any]]:
    """The liabilities of the contract's incidents, as the statement lists them."""
    return [
        {
            "incident": lb.incident.code,
            "incident_id": lb.incident_id,
            "amount": format(lb.amount, "f"),
            "decided_on": lb.decided_on.isoformat(),
            "decision": lb.decision,
        }
        for lb in liabilities(contract)
    ]


def total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(r["amount"]) for r in rows), Decimal("0.00"))


def apply(ledger: dict[str, Any], rows: list[dict[str, Any]]) -> AfterCompensation:
    """The ledger's settlement block (spec §4) with the compensation deducted too."""
    s = ledger["settlement"]
    return with_compensation(Decimal(s["payable"]), Decimal(s["vendor_owes"]), total(rows))


def frozen(ledger: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What sign-off stores: the lines and the amounts after them."""
    after = apply(ledger, rows)
    return {
        "lines": rows,
        "total": format(after.compensation, "f"),
        "deducted": format(after.deducted, "f"),
        "payable": format(after.payable, "f"),
        "vendor_owes": format(after.vendor_owes, "f"),
    }
