"""第十九条 annual tier (A1) and the settlement of fines against the final payment."""

from __future__ import annotations

from decimal import Decimal

from opsqm.pure.assessment.model import Contract, LedgerItem, Settlement
from opsqm.pure.assessment.rules.context import ZERO, Context, money, percent


def assess_tier(ctx: Context, score: Decimal) -> tuple[str, list[LedgerItem]]:
    """The tier of the score as it stands; the A1 fine only on final results."""
    tier = ctx.rulebook.tier_for(score)
    if not ctx.final or tier.fine_rate == 0:
        return tier.name, []
    note = f"年度得分 {score}，罚款合同金额 {percent(tier.fine_rate)}"
    at = ctx.evidence.contract.period_end
    return tier.name, [ctx.item("A1", ZERO, "年度考核", at, note, fine=ctx.fine(tier.fine_rate))]


def settle(contract: Contract, fines: Decimal) -> Settlement:
    """Fines come off the final payment; a shortfall is owed by the vendor (合同 五.5).

    With a performance bond nothing is deducted: the fines are claimed from the
    guarantor instead (第十九条).
    """
    final_payment = money(contract.final_payment)
    if contract.bond:
        return Settlement(final_payment, ZERO, final_payment, ZERO, money(fines))
    deducted = min(fines, final_payment)
    return Settlement(
        final_payment=final_payment,
        deducted=money(deducted),
        payable=money(final_payment - deducted),
        vendor_owes=money(fines - deducted),
        bond_claim=ZERO,
    )
