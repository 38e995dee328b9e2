"""The ledger as the JSON object of spec §4 (decimals as 2-place strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from opsqm.pure.assessment.model import FINE_RULES, RULE_IDS, TZ, Ledger, LedgerItem, Settlement

_CENT = Decimal("0.01")


def dec(value: Decimal) -> str:
    """Two places, never "-0.00"."""
    q = value.quantize(_CENT)
    return "0.00" if q == 0 else format(q, "f")


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(TZ).isoformat()


def item_to_dict(item: LedgerItem) -> dict[str, Any]:
    return {
        "rule": item.rule,
        "clause": item.clause,
        "points": dec(item.points),
        "fine": dec(item.fine),
        "ref": item.ref,
        "at": iso(item.at),
        "note": item.note,
        "line": item.line,
    }


def ledger_to_dict(ledger: Ledger) -> dict[str, Any]:
    s = ledger.settlement
    return {
        "contract": ledger.contract,
        "as_of": iso(ledger.as_of),
        "final": ledger.final,
        "score": dec(ledger.score),
        "items": [item_to_dict(i) for i in ledger.items],
        "totals": {rule: dec(ledger.totals.get(rule, Decimal(0))) for rule in RULE_IDS},
        "fines": {k: dec(ledger.fines.get(k, Decimal(0))) for k in (*FINE_RULES, "total")},
        "tier": ledger.tier,
        "settlement": {
            "final_payment": dec(s.final_payment),
            "deducted": dec(s.deducted),
            "payable": dec(s.payable),
            "vendor_owes": dec(s.vendor_owes),
            "bond_claim": dec(s.bond_claim),
        },
        "flags": {"termination_right": bool(ledger.flags.get("termination_right", False))},
    }


def ledger_from_dict(data: dict[str, Any], rulebook: str = "") -> Ledger:
    """The inverse of `ledger_to_dict` (a kept ledger read back): equal figures,
    decimals at two places."""
    s = data["settlement"]
    return Ledger(
        contract=data["contract"],
        as_of=datetime.fromisoformat(data["as_of"]).astimezone(TZ),
        final=data["final"],
        score=Decimal(data["score"]),
        items=[
            LedgerItem(
                rule=i["rule"],
                clause=i["clause"],
                points=Decimal(i["points"]),
                fine=Decimal(i["fine"]),
                ref=i["ref"],
                at=None if i["at"] is None else datetime.fromisoformat(i["at"]).astimezone(TZ),
                note=i["note"],
                line=i["line"],
            )
            for i in data["items"]
        ],
        totals={k: Decimal(v) for k, v in data["totals"].items()},
        fines={k: Decimal(v) for k, v in data["fines"].items()},
        tier=data["tier"],
        settlement=Settlement(*(Decimal(s[k]) for k in _SETTLEMENT)),
        flags=dict(data["flags"]),
        rulebook=rulebook,
    )


_SETTLEMENT = ("final_payment", "deducted", "payable", "vendor_owes", "bond_claim")
