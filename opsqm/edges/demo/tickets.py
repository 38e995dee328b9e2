"""The registered ticket history: about one a workweek over the period so far, each
entered with its facts given (as the registers take them, no flow), ~5 % overdue, a
few unsigned or with an incomplete record; a running contract also has three open
ones (one overdue, two counting down)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from opsqm.edges.demo.story import Story, at
from opsqm.facts.contracts.models import Contract
from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.audit.servicekit import save_audited

TITLES = ["终端无法登录", "数据同步失败", "打印异常", "视频卡顿", "账号权限变更", "网络中断"]


def register_history(
    story: Story, contract: Contract, units: list[Any], first: date, last: date, open_work: bool
) -> None:
    """Without `open_work` the contract gets no registered open tickets (its open
    work comes from the real flow)."""
    rng = story.rng
    d = first
    while d <= last:
        if story.cal.is_workday(d) and rng.random() < 0.2:
            _ticket(story, contract, at(d, rng.randint(9, 16), rng.randint(0, 59)), units)
        d += timedelta(days=1)
    if contract.end >= story.now.date() and open_work:
        for hours_ago in (30, 5, 1):  # open now: one overdue, two counting down
            _ticket(story, contract, story.now - timedelta(hours=hours_ago), units, True)


def _ticket(
    story: Story,
    contract: Contract,
    dispatched: datetime,
    units: list[Any],
    open_: bool = False,
) -> None:
    rng = story.rng
    urgent = rng.random() < 0.2
    sla = 8 if urgent else 24
    roll = rng.random()
    # About one in twenty runs over its deadline.
    took = sla + rng.randint(5, 40) if roll < 0.05 else rng.randint(1, sla - 1)
    resolved = None if open_ else dispatched + timedelta(hours=took, minutes=rng.randint(0, 50))
    # A registered ticket, its facts given (as the registers take them): no flow.
    # Its number comes from the flow's own sequence, so it has the flow's format and is
    # unique across the demo's contracts (a ledger line names one ticket).
    number = services.next_number(dispatched)
    save_audited(
        Ticket(contract=contract),
        {
            "number": number,
            "problem": number,
            "title": rng.choice(TITLES),
            "unit": rng.choice(units),
            "priority": "urgent" if urgent else "normal",
            "dispatched_at": dispatched,
            "acknowledged_at": dispatched + timedelta(minutes=rng.randint(5, 90)),
            "resolved_at": resolved,
            "signature": "none" if resolved and rng.random() < 0.03 else "signed",
            "satisfaction": "" if resolved is None else "satisfied",
            "record_steps": rng.random() > 0.03,
            "archive": "pending" if resolved is None else "ok",
        },
        action="ticket.create",
    )
