"""第十七条 ticket rules T1–T8.

Only tickets dispatched by ``as_of`` count.  A ticket is resolved at ``as_of`` only
if its ``resolved_at`` is ≤ ``as_of``; otherwise it is open and its overdue accrues
to ``as_of``.  T1–T4 and an improper archive (T5) judge the closed ticket (its
signature, rating and record only exist at closure), so they wait for resolution;
a ``pending`` archive costs T5 once the result is final, resolved or not.
An excused ticket (force majeure, spec §2) costs no T6 and no T8 and stays out of
T7's order; T1–T5 still judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from opsqm.pure.assessment.model import Archive, LedgerItem, Satisfaction, Signature, Ticket
from opsqm.pure.assessment.rulebook import TicketRules
from opsqm.pure.assessment.rules.context import ZERO, Context, hours_text
from opsqm.pure.assessment.rules.sla import ticket_deadline

_ZERO_SPAN = timedelta(0)


@dataclass(slots=True)
class _Clock:
    """A dispatched ticket's resolution at as_of, deadline and overdue."""

    ticket: Ticket
    resolved: datetime | None  # resolution known at as_of
    deadline: datetime
    overdue: timedelta  # > 0 when late; open tickets run to as_of


def overdue_steps(rules: TicketRules) -> tuple[tuple[str, timedelta], ...]:
    """The instants after a ticket's deadline at which T6 starts to cost more, as
    offsets from the deadline: the deadline, the first step (`overdue_free_below_hours`)
    and the first day step (`overdue_day_hours`).  The keys are stable identifiers
    (stored with the reminders sent); they carry the bureau's 4 h / 24 h in their
    names, the offsets are the contract's own."""
    return (
        ("deadline", timedelta(0)),
        ("overdue4h", timedelta(hours=rules.overdue_free_below_hours)),
        ("overdue24h", timedelta(hours=rules.overdue_day_hours)),
    )


def assess_tickets(ctx: Context) -> list[LedgerItem]:
    tr = ctx.rulebook.tickets
    as_of = ctx.as_of
    # ticket_deadline, inlined for the natural clock (a year of tickets): the
    # dispatch plus the priority's hours, or the agreed extension.
    spans = (
        {k: timedelta(hours=h) for k, h in tr.sla_hours.items()}
        if tr.sla_clock == "natural"
        else None
    )
    limits = _Limits(
        free=timedelta(hours=tr.overdue_free_below_hours),
        day=timedelta(hours=tr.overdue_day_hours),
        ack=timedelta(hours=tr.ack_window_hours),
    )
    final = ctx.final
    items: list[LedgerItem] = []
    runs: list[tuple[Ticket, timedelta]] = []  # T7's tickets: not excused, with their overdue
    for t in sorted(ctx.evidence.tickets, key=_ORDER):
        if t.dispatched_at > as_of:
            continue
        resolved = t.resolved_at if t.resolved_at is not None and t.resolved_at <= as_of else None
        if t.extended_to is not None:
            deadline = t.extended_to
        elif spans is not None:
            deadline = t.dispatched_at + spans[t.priority]
        else:
            deadline = ticket_deadline(
                t.dispatched_at, t.priority, t.extended_to, ctx.rulebook, ctx.calendar
            )
        overdue = (resolved or as_of) - deadline
        clock = None  # made only for the few tickets a rule has to judge
        if (resolved is not None and not _clean(t)) or (t.archive is Archive.PENDING and final):
            clock = _Clock(t, resolved, deadline, overdue)
            items += _record_rules(ctx, clock)
        if t.excused is None:
            if overdue > _ZERO_SPAN:
                clock = clock or _Clock(t, resolved, deadline, overdue)
                items += _overdue_rules(ctx, clock, limits)
            runs.append((t, overdue))
    items += _runs(ctx, runs)
    return items


_ORDER = attrgetter("dispatched_at", "id")


@dataclass(frozen=True, slots=True)
class _Limits:
    """T6's and T8's spans."""

    free: timedelta  # T6: overdue below this costs nothing
    day: timedelta  # T6: one more daily step per full day past this
    ack: timedelta  # T8: acknowledgement window


def _clean(t: Ticket) -> bool:
    """Nothing for T1–T5 to find in a closed ticket (the common case, checked fast)."""
    r = t.record
    return (
        t.signature is not Signature.NONE
        and t.satisfaction is not Satisfaction.UNSATISFIED
        and r.analysis
        and r.steps
        and r.verification
        and t.template_ok
        and not t.forged
        and t.archive is Archive.OK
    )


def _record_rules(ctx: Context, c: _Clock) -> list[LedgerItem]:
    """T1–T5: the closed ticket's signature, rating, record, form and archive."""
    tr = ctx.rulebook.tickets
    t = c.ticket
    out = []
    if c.resolved is not None:
        at = c.resolved
        unsigned = t.signature == Signature.NONE
        unsatisfied = t.satisfaction == Satisfaction.UNSATISFIED
        if unsigned or unsatisfied:  # once per ticket even if both
            note = (
                "未签字且评价不满意"
                if unsigned and unsatisfied
                else ("未签字" if unsigned else "评价不满意")
            )
            out.append(ctx.item("T1", tr.unsigned_points, t.id, at, note, t.line))
        if not t.record.complete:
            missing = [
                name
                for name, ok in (
                    ("问题分析", t.record.analysis),
                    ("解决步骤", t.record.steps),
                    ("验证结果", t.record.verification),
                )
                if not ok
            ]
            out.append(
                ctx.item("T2", tr.record_points, t.id, at, "缺少" + "、".join(missing), t.line)
            )
        if not t.template_ok:
            out.append(ctx.item("T3", tr.template_points, t.id, at, "工单样式不符", t.line))
        if t.forged:
            out.append(ctx.item("T4", tr.forged_points, t.id, at, "伪造签字或时间记录", t.line))
        if t.archive == Archive.IMPROPER:
            out.append(ctx.item("T5", tr.archive_points, t.id, at, "未按流程归档", t.line))
    if t.archive == Archive.PENDING and ctx.final:
        at = c.resolved or ctx.evidence.contract.period_end
        out.append(ctx.item("T5", tr.archive_points, t.id, at, "期末仍未归档", t.line))
    return out


def _overdue_rules(ctx: Context, c: _Clock, limits: _Limits) -> list[LedgerItem]:
    """T6 overdue points; T8 a late (or missing) acknowledgement of a ticket that ran over."""
    tr = ctx.rulebook.tickets
    t = c.ticket
    out = []
    pts = _overdue_points(ctx, c.overdue, limits)
    state = "" if c.resolved is not None else "（未完成，计至评估时点）"
    if pts != 0:
        note = f"超时 {hours_text(c.overdue)} 小时{state}"
        out.append(ctx.item("T6", pts, t.id, c.deadline, note, t.line))
    ack_due = t.dispatched_at + limits.ack
    ack = t.acknowledged_at if t.acknowledged_at and t.acknowledged_at <= ctx.as_of else None
    if ack is None or ack > ack_due:
        note = (
            "派单邮件未查收，工单超时"
            if ack is None
            else f"派单后 {hours_text(ack - t.dispatched_at)} 小时才查收邮件，工单超时"
        )
        out.append(ctx.item("T8", tr.late_ack_points, t.id, ack_due, note, t.line))
    return out


def _overdue_points(ctx: Context, overdue: timedelta, limits: _Limits) -> Decimal:
    """0 < h < 4 → 0; 4 ≤ h ≤ 24 → −0.2; h > 24 → −0.2 − 0.1 × floor(h / 24)."""
    tr = ctx.rulebook.tickets
    if overdue < limits.free:
        return ZERO
    if overdue <= limits.day:
        return tr.overdue_points
    return tr.overdue_points + tr.overdue_daily_points * (overdue // limits.day)


def _runs(ctx: Context, tickets: list[tuple[Ticket, timedelta]]) -> list[LedgerItem]:
    """T7: consecutive different-problem tickets overdue more than run_over_hours.

    Tickets sharing a ``problem`` key count once, at the first one's dispatch and
    the group's largest overdue.  A group not (yet) over the threshold ends a run.
    """
    tr = ctx.rulebook.tickets
    # problem -> [first ticket, largest overdue, how many] (a list: a year of them)
    groups: dict[str, list[Any]] = {}
    for t, overdue in tickets:  # already in (dispatched_at, id) order
        g = groups.get(t.problem)
        if g is None:
            groups[t.problem] = [t, overdue, 1]
        else:
            g[2] += 1
            if overdue > g[1]:
                g[1] = overdue
    threshold = timedelta(hours=tr.run_over_hours)
    steps = {s.count: s for s in tr.run_steps}
    restart = tr.run_steps[-1].count
    out = []
    run = 0
    for first, overdue, size in groups.values():  # insertion order = first dispatch, then id
        if overdue <= threshold:
            run = 0
            continue
        run += 1
        step = steps.get(run)
        if step is not None:
            note = f"连续第 {run} 单超时超过 {tr.run_over_hours} 小时"
            if size > 1:
                note += f"（同一问题 {first.problem} 共 {size} 单）"
            fine = ctx.fine(step.fine_rate)
            out.append(
                ctx.item("T7", step.points, first.id, first.dispatched_at, note, first.line, fine)
            )
        if run == restart:
            run = 0
    return out
