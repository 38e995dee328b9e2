"""assess(): one contract's evidence, an instant and a rulebook → its ledger.

Pure: no clock, no database, no I/O.  Input order does not matter: every rule
walks its evidence in a canonical order or aggregates order-free, and the items
are sorted before they are returned.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from opsqm.pure.assessment.model import (
    FINE_RULES,
    RULE_IDS,
    TZ,
    ContractEvidence,
    Ledger,
    LedgerItem,
)
from opsqm.pure.assessment.rulebook import Rulebook
from opsqm.pure.assessment.rules.context import CENT, ZERO, Context
from opsqm.pure.assessment.rules.delays import assess_delays
from opsqm.pure.assessment.rules.evaluations import assess_evaluations, assess_praise
from opsqm.pure.assessment.rules.incidents import assess_incidents
from opsqm.pure.assessment.rules.personnel import assess_personnel
from opsqm.pure.assessment.rules.tickets import assess_tickets
from opsqm.pure.assessment.rules.tier import assess_tier, settle
from opsqm.pure.assessment.workcalendar import calendar_for

_RULE_ORDER = {rule: i for i, rule in enumerate(RULE_IDS)}


def _sort_key(item: LedgerItem) -> tuple[float, int, str, str, int]:
    when = float("-inf") if item.at is None else item.at.timestamp()
    return (when, _RULE_ORDER[item.rule], item.ref, item.note, item.line)


def assess(evidence: ContractEvidence, as_of: datetime, rulebook: Rulebook) -> Ledger:
    """The ledger of `evidence` at `as_of` under `rulebook`.

    Raises ``CalendarError`` when a workday status is needed for a date no
    calendar source covers, and ``ValueError`` for a naive `as_of`.
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware")
    as_of = as_of.astimezone(TZ)
    contract = evidence.contract
    ctx = Context(
        evidence=evidence,
        as_of=as_of,
        rulebook=rulebook,
        calendar=calendar_for(rulebook.calendar),
        final=as_of >= contract.period_end,
    )
    items = assess_personnel(ctx)
    items += assess_tickets(ctx)
    items += assess_incidents(ctx)
    items += assess_evaluations(ctx)
    items += assess_praise(ctx)
    delay_items, termination = assess_delays(ctx)
    items += delay_items

    totals = _sum_by_rule(items, "points")
    score = (rulebook.base_score + sum(totals.values(), ZERO)).quantize(CENT)
    tier, tier_items = assess_tier(ctx, score)
    items += tier_items
    items.sort(key=_sort_key)

    fine_by_rule = _sum_by_rule(items, "fine")
    fines = {rule: fine_by_rule[rule] for rule in FINE_RULES}
    fines["total"] = sum(fines.values(), ZERO).quantize(CENT)
    return Ledger(
        contract=contract.id,
        as_of=as_of,
        final=ctx.final,
        score=score,
        items=items,
        totals=totals,
        fines=fines,
        tier=tier,
        settlement=settle(contract, fines["total"]),
        flags={"termination_right": termination},
        rulebook=rulebook.name,
    )


def _sum_by_rule(items: list[LedgerItem], attr: str) -> dict[str, Decimal]:
    sums = dict.fromkeys(RULE_IDS, ZERO)
    for item in items:
        sums[item.rule] += getattr(item, attr)
    return {rule: value.quantize(CENT) + 0 for rule, value in sums.items()}  # + 0: no -0.00
