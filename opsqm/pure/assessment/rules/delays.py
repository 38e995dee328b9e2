"""合同 十.2 late delivery of a contracted service (D1) and the termination flag."""

from __future__ import annotations

from datetime import timedelta

from opsqm.pure.assessment.model import LedgerItem
from opsqm.pure.assessment.rules.context import ZERO, Context, local_midnight, percent


def assess_delays(ctx: Context) -> tuple[list[LedgerItem], bool]:
    """D1 items, and whether some delivery is late beyond the termination threshold."""
    rb = ctx.rulebook
    today = ctx.as_of_date
    items = []
    termination = False
    for d in ctx.evidence.service_delays:
        if d.excused is not None:
            continue  # excused (十一 / 十.1 agreed in writing): no D1, no termination right
        delivered = d.delivered if d.delivered is not None and d.delivered <= today else None
        days = ((delivered or today) - d.due).days
        if days <= 0:
            continue
        periods = -(-days // rb.delay_period_days)  # 不满5天按5天计算
        rate = rb.delay_rate_per_period * periods
        state = f"{delivered.isoformat()} 交付" if delivered else "尚未交付"
        pct = percent(rb.delay_rate_per_period)
        note = f"逾期 {days} 天（{state}），{periods} × {pct} = {percent(rate)}"
        if days > rb.delay_termination_over_days:
            termination = True
            note += f"；逾期超过 {rb.delay_termination_over_days} 天，甲方有权解除合同"
        at = local_midnight(d.due + timedelta(days=1))
        items.append(ctx.item("D1", ZERO, d.obligation, at, note, d.line, ctx.fine(rate)))
    return items, termination
