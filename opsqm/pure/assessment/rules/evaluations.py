"""第十九条 quarterly evaluations (Q1) and 第二十条 praise (R1)."""

from __future__ import annotations

import re
from datetime import date

from opsqm.pure.assessment.model import EvaluationResult, LedgerItem, Praise
from opsqm.pure.assessment.rules.context import Context, local_midnight

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_over(quarter: str) -> date:
    """The first day after a quarter such as "2026Q1" (→ 2026-04-01)."""
    m = _QUARTER.match(quarter)
    if m is None:
        raise ValueError(f"quarter {quarter!r} is not like 2026Q1")
    year, q = int(m.group(1)), int(m.group(2))
    return date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)


def assess_evaluations(ctx: Context) -> list[LedgerItem]:
    """Q1: an unsatisfied quarter counts once the quarter is over at as_of."""
    points = ctx.rulebook.evaluation_unsatisfied_points
    items = []
    for ev in ctx.evidence.evaluations:
        if ev.result != EvaluationResult.UNSATISFIED:
            continue
        over = local_midnight(quarter_over(ev.quarter))
        if over > ctx.as_of:
            continue
        items.append(
            ctx.item("Q1", points, f"{ev.quarter} {ev.unit}", over, "季度考评不满意", ev.line)
        )
    return items


_LEVEL_TEXT = {
    "main_leader": "市局主要领导表扬",
    "leader_in_charge": "市局主管领导表扬",
    "service_unit": "服务对象单位表扬",
}


def assess_praise(ctx: Context) -> list[LedgerItem]:
    """R1: one event counts once, at its highest level (then the earliest record)."""
    points = ctx.rulebook.praise_points
    best: dict[str, Praise] = {}
    for p in ctx.evidence.praises:
        if p.at > ctx.as_of:
            continue
        cur = best.get(p.event)
        key = (-points[p.level], p.at, p.line)
        if cur is None or key < (-points[cur.level], cur.at, cur.line):
            best[p.event] = p
    return [
        ctx.item("R1", points[p.level], p.event, p.at, _LEVEL_TEXT[p.level], p.line)
        for p in best.values()
    ]
