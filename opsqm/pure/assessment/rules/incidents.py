"""第十八条 incidents (I1) and 第十三条 analysis reports (I2)."""

from __future__ import annotations

from datetime import timedelta

from opsqm.pure.assessment.model import LedgerItem
from opsqm.pure.assessment.rules.context import Context, hours_text


def assess_incidents(ctx: Context) -> list[LedgerItem]:
    rb = ctx.rulebook
    as_of = ctx.as_of
    items = []
    for inc in ctx.evidence.incidents:
        if inc.occurred_at > as_of or inc.excused is not None:
            continue  # not yet; or excused (合同 十一): no I1, no I2
        level = rb.incident_levels.get(inc.level)
        if level is None:
            raise ValueError(f"incident {inc.id}: level {inc.level} is not in the rulebook")
        items.append(
            ctx.item(
                "I1",
                level.points,
                inc.id,
                inc.occurred_at,
                f"{inc.level} 级事故",
                inc.line,
                ctx.fine(level.fine_rate),
            )
        )
        due = inc.occurred_at + timedelta(hours=level.report_hours)
        reported = inc.reported_at if inc.reported_at and inc.reported_at <= as_of else None
        if reported is None and due <= as_of:
            note = f"{level.report_hours} 小时内未提交事故分析报告"
        elif reported is not None and reported > due:
            spent = hours_text(reported - inc.occurred_at)
            note = f"事故后 {spent} 小时提交报告，超过 {level.report_hours} 小时"
        else:
            continue
        items.append(ctx.item("I2", rb.incident_late_report_points, inc.id, due, note, inc.line))
    return items
