"""valid_until(): until when a ledger holds without new evidence.

The engine's answer at `as_of` changes with time alone only at known instants: a
fact of the log becoming known (a dispatch, a resolution, a punch, a request…), a
ticket's deadline and its overdue steps, a workday's end (17:30) adding a day to
the attendance rules, a report or materials deadline, a quarter's end, a delivery
day, the end of the period.  `valid_until` returns the first such instant after
`as_of`, so that `assess(evidence, t, rulebook)` equals `assess(evidence, as_of,
rulebook)` — apart from its `as_of` stamp — for every t in [as_of, valid_until).

It may answer earlier than the true next change (never later): a kept ledger is
then recomputed once for nothing, never shown stale.  Each step below mirrors one
comparison with `as_of` in `opsqm.pure.assessment.rules`; a test walks instants
between `as_of` and the answer and checks the ledger does not move.

`notes=False` ignores what changes only the text of an item (an open ticket's
overdue hours, which move every 36 seconds once it costs points): the score,
totals, fines, tier and item counts hold until that answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from opsqm.pure.assessment.model import TZ, ContractEvidence, EvaluationResult
from opsqm.pure.assessment.rulebook import Rulebook
from opsqm.pure.assessment.rules.evaluations import quarter_over
from opsqm.pure.assessment.rules.personnel import last_assessed_day, replacement_deadline

_EPS = timedelta(microseconds=1)  # "> threshold" changes just after the threshold
_NOTE_STEP = timedelta(seconds=36)  # hours_text shows 1/100 hour


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ)


class _Next:
    """The earliest instant after `as_of` offered."""

    def __init__(self, as_of: datetime) -> None:
        self.as_of = as_of
        self.best: datetime | None = None

    def offer(self, at: datetime | None) -> None:
        if at is not None and at > self.as_of and (self.best is None or at < self.best):
            self.best = at

    def offer_all(self, instants: Iterable[datetime | None]) -> None:
        for at in instants:
            self.offer(at)


def valid_until(
    evidence: ContractEvidence, as_of: datetime, rulebook: Rulebook, *, notes: bool = True
) -> datetime | None:
    """The first instant after `as_of` at which the ledger may differ (None: never,
    without new evidence).  `as_of` must be aware."""
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware")
    nxt = _Next(as_of.astimezone(TZ))
    nxt.offer(evidence.contract.period_end)  # final results, A1, pending archives (T5)
    _tickets(evidence, rulebook, nxt, notes)
    _personnel(evidence, rulebook, nxt)
    _attendance(evidence, rulebook, nxt)
    _incidents_and_others(evidence, rulebook, nxt)
    return nxt.best


def _tickets(ev: ContractEvidence, rb: Rulebook, nxt: _Next, notes: bool) -> None:
    tr = rb.tickets
    as_of = nxt.as_of
    sla = {k: timedelta(hours=h) for k, h in tr.sla_hours.items()}
    free = timedelta(hours=tr.overdue_free_below_hours)
    day = timedelta(hours=tr.overdue_day_hours)
    run = timedelta(hours=tr.run_over_hours)
    for t in ev.tickets:
        if t.dispatched_at > as_of:
            nxt.offer(t.dispatched_at)  # nothing of it counts before
            continue
        nxt.offer(t.acknowledged_at)
        if t.resolved_at is not None and t.resolved_at <= as_of:
            continue  # closed: its clock stopped
        nxt.offer(t.resolved_at)
        deadline = t.extended_to or t.dispatched_at + sla[t.priority]
        overdue = as_of - deadline
        steps = [deadline + _EPS, deadline + free, deadline + day + _EPS, deadline + run + _EPS]
        if overdue >= day:
            steps.append(deadline + day * (overdue // day + 1))
        if notes and overdue >= free:
            steps.append(deadline + _NOTE_STEP * (overdue // _NOTE_STEP + 1))
        nxt.offer_all(steps)


def _personnel(ev: ContractEvidence, rb: Rulebook, nxt: _Next) -> None:
    """P1 (entry and verification days) and P2 (replacement, notice, materials)."""
    pr = rb.personnel
    today = nxt.as_of.date()
    for s in ev.staff:
        for day in (s.entered_on, s.verified_on):
            if day is not None and day > today:
                nxt.offer(_midnight(day))
    for r in ev.replacements:
        nxt.offer_all((r.replaced_at, r.notified_at, r.materials_at))
        if r.emergency:
            nxt.offer(replacement_deadline(r.replaced_at, True, pr))


def _attendance(ev: ContractEvidence, rb: Rulebook, nxt: _Next) -> None:
    """P3–P5: the next workday end adds a day; a later punch or leave request counts
    once it is known and its day is judged."""
    pr = rb.personnel
    end = ev.contract.end
    as_of = nxt.as_of
    next_day = last_assessed_day(as_of, pr) + timedelta(days=1)
    if next_day <= end and (ev.staff or ev.punches):
        nxt.offer(datetime.combine(next_day, pr.workday_end, TZ))
    for lv in ev.leaves:
        nxt.offer(lv.requested_at)
    best = nxt.best
    for p in ev.punches:
        at = p.at
        if at <= as_of or (best is not None and at >= best):
            continue  # known already, or later than an earlier change anyway
        local = at.astimezone(TZ)
        if local.date() > end:
            continue  # a day the period never judges
        judged = datetime.combine(local.date(), pr.workday_end, TZ)
        nxt.offer(max(local, judged))
        best = nxt.best


def _incidents_and_others(ev: ContractEvidence, rb: Rulebook, nxt: _Next) -> None:
    """I1/I2, Q1, R1 and D1."""
    as_of = nxt.as_of
    for inc in ev.incidents:
        nxt.offer(inc.occurred_at)
        nxt.offer(inc.reported_at)
        level = rb.incident_levels.get(inc.level)
        if level is not None:
            nxt.offer(inc.occurred_at + timedelta(hours=level.report_hours))
    for e in ev.evaluations:
        if e.result == EvaluationResult.UNSATISFIED:
            nxt.offer(_midnight(quarter_over(e.quarter)))
    for p in ev.praises:
        nxt.offer(p.at)
    today = as_of.date()
    for d in ev.service_delays:
        if d.delivered is not None and d.delivered <= today:
            continue  # delivered: its delay is fixed
        if d.delivered is not None:
            nxt.offer(_midnight(d.delivered))
        # undelivered at as_of: one more day late at every midnight from due + 1 on
        nxt.offer(_midnight(max(today, d.due) + timedelta(days=1)))
