"""第十六条 staff rules: P1 verification, P2 replacement, P3–P5 attendance and leave.

Attendance is the hot path (a year of punches per person), so it works on plain
ints: date ordinals and minutes of the local day (seconds dropped, as attendance
exports do).

The public functions of the attendance section (`workday_minutes`,
`last_assessed_day`, `replaced_days`, `assessed_span`, `leave_known`,
`leave_day_spans`, `leave_request_deadline`, `required_window`, `late_early`) are
the engine's readings of a person-day; the attendance pages
(`opsqm.facts.attendance.status`) call them instead of restating them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from opsqm.pure.assessment.model import (
    TZ,
    Contract,
    Leave,
    LedgerItem,
    Punch,
    PunchKind,
    Replacement,
    Staff,
)
from opsqm.pure.assessment.punchlog import CONFIRMED, DAY, KIND_CODE, ODD, WHEN_SHIFT, PunchLog
from opsqm.pure.assessment.rulebook import PersonnelRules
from opsqm.pure.assessment.rules.context import Context

_UTC8 = timedelta(hours=8)
_DAY_M = 1440
_LINE = (1 << 32) - 1


def _local_minute(at: datetime) -> int:
    """Local minutes since 0001-01-01 (seconds dropped)."""
    t = at if at.utcoffset() == _UTC8 else at.astimezone(TZ)
    return t.toordinal() * _DAY_M + t.hour * 60 + t.minute


def _at(day: int, minute: int) -> datetime:
    """Aware datetime of a date ordinal and minute of day."""
    d = date.fromordinal(day)
    return datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=TZ)


def _day_text(day: int) -> str:
    return date.fromordinal(day).isoformat()


def assess_personnel(ctx: Context) -> list[LedgerItem]:
    items = _verification(ctx)
    items += _replacements(ctx)
    items += _attendance(ctx)
    return items


def _verification(ctx: Context) -> list[LedgerItem]:
    """P1: not verified on or before the day of first entry; the newcomer of an
    emergency replacement has until the day of `replaced_at` + N h (第六条), and
    costs nothing before that instant."""
    pr = ctx.rulebook.personnel
    items = []
    start = pr.workday_start
    windows = emergency_verification_windows(ctx.evidence.replacements, pr)
    for s in ctx.evidence.staff:
        if s.entered_on > ctx.as_of_date:
            continue  # not entered yet
        window = windows.get(s.person)
        last_day = s.entered_on if window is None else max(s.entered_on, window.date())
        if window is not None and window > ctx.as_of:
            continue  # the emergency window is still open: P1 not yet due
        if s.verified_on is None or s.verified_on > last_day:
            known = s.verified_on is not None and s.verified_on <= ctx.as_of_date
            when = f"核验于 {s.verified_on.isoformat()}" if known and s.verified_on else "未核验"
            note = f"{s.entered_on.isoformat()} 入场，{when}"
            at = datetime.combine(s.entered_on, start, TZ)
            if window is not None:
                due = last_day.isoformat()
                note = f"紧急更换 {s.entered_on.isoformat()} 入场，须于 {due} 前核验，{when}"
                at = window
            items.append(ctx.item("P1", pr.unverified_points, s.person, at, note, s.line))
    return items


def emergency_verification_windows(
    replacements: Iterable[Replacement], rules: PersonnelRules
) -> dict[str, datetime]:
    """Newcomer of an emergency replacement → the instant their verification window
    closes (`replaced_at` + the emergency hours; the whole day of it counts)."""
    return {
        r.person_in: replacement_deadline(r.replaced_at, True, rules)
        for r in replacements
        if r.emergency
    }


def _replacements(ctx: Context) -> list[LedgerItem]:
    """P2: non-emergency notice later than N days before; emergency materials late."""
    pr = ctx.rulebook.personnel
    as_of = ctx.as_of
    items = []
    for r in ctx.evidence.replacements:
        if r.replaced_at > as_of:
            continue
        ref = f"{r.person_out}→{r.person_in}"
        due = replacement_deadline(r.replaced_at, r.emergency, pr)
        if r.emergency:
            materials = r.materials_at if r.materials_at and r.materials_at <= as_of else None
            if materials is None and due <= as_of:
                note = f"紧急更换，{pr.emergency_materials_hours} 小时内未补交核验材料"
            elif materials is not None and materials > due:
                late = materials - r.replaced_at
                note = f"紧急更换，更换后 {int(late.total_seconds()) // 60} 分钟补交核验材料"
            else:
                continue
        else:
            notice = r.notified_at if r.notified_at and r.notified_at <= as_of else None
            if notice is None:
                note = "更换人员未提前通知"
            elif notice > due:
                ahead = _span_text(r.replaced_at - notice)
                note = f"更换前 {ahead} 通知，不足 {pr.replacement_notice_days} 天"
            else:
                continue
        items.append(ctx.item("P2", pr.replacement_points, ref, r.replaced_at, note, r.line))
    return items


def replacement_deadline(replaced_at: datetime, emergency: bool, rules: PersonnelRules) -> datetime:
    """P2's deadline: the notice is due N days before a planned replacement; after an
    emergency one, the newcomer's verification materials are due within N hours."""
    if emergency:
        return replaced_at + timedelta(hours=rules.emergency_materials_hours)
    return replaced_at - timedelta(days=rules.replacement_notice_days)


def _span_text(span: timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    days, rest = divmod(minutes, _DAY_M)
    hours, mins = divmod(rest, 60)
    return f"{days} 天 {hours} 小时 {mins} 分" if days else f"{hours} 小时 {mins} 分"


# --- attendance -----------------------------------------------------------------


@dataclass(slots=True)
class _Active:
    """A staff record's assessed days (date ordinals, inclusive)."""

    staff: Staff
    first: int  # date ordinals, inclusive
    last: int


def workday_minutes(rules: PersonnelRules) -> tuple[int, int]:
    """The workday's start and end as minutes of the local day (09:00–17:30: 540, 1050)."""
    return (
        rules.workday_start.hour * 60 + rules.workday_start.minute,
        rules.workday_end.hour * 60 + rules.workday_end.minute,
    )


def last_assessed_day(as_of: datetime, rules: PersonnelRules) -> date:
    """The last day judged at `as_of`: the last whose workday end (17:30) ≤ as_of."""
    local = as_of.astimezone(TZ)
    day = local.date()
    if local.time() < rules.workday_end:
        day -= timedelta(days=1)
    return day


def replaced_days(replacements: Iterable[Replacement], as_of: datetime) -> dict[str, date]:
    """Outgoing person → the local day of their earliest replacement at or before
    `as_of` (spec: a replacement ends the outgoing person's activity)."""
    out: dict[str, date] = {}
    for r in replacements:
        if r.replaced_at <= as_of:
            day = r.replaced_at.astimezone(TZ).date()
            out[r.person_out] = min(day, out.get(r.person_out, day))
    return out


def assessed_span(
    staff: Staff, contract: Contract, last_assessed: date, replaced_on: date | None
) -> tuple[date, date]:
    """(first, last) day a staff record is assessed, empty when first > last: from
    entry, within the contract period, up to `last_assessed` and the day before
    leaving or being replaced (`replaced_on`, from `replaced_days`)."""
    first = max(staff.entered_on, contract.start)
    last = min(contract.end, last_assessed)
    for left in (staff.left_on, replaced_on):
        if left is not None:
            last = min(last, left - timedelta(days=1))
    return first, last


def _active_ranges(ctx: Context) -> list[_Active]:
    """Each staff record's assessed days: active, within the period, 17:30 ≤ as_of."""
    contract = ctx.evidence.contract
    last_assessed = last_assessed_day(ctx.as_of, ctx.rulebook.personnel)
    replaced_on = replaced_days(ctx.evidence.replacements, ctx.as_of)
    out = []
    for s in ctx.evidence.staff:
        first, last = assessed_span(s, contract, last_assessed, replaced_on.get(s.person))
        if first <= last:
            out.append(_Active(s, first.toordinal(), last.toordinal()))
    return out


def leave_known(leave: Leave, as_of: datetime) -> bool:
    """Does the leave excuse its hours at `as_of`?  Approved and requested by then
    (even late: lateness costs P5 instead); a rejected or later one excuses nothing."""
    return leave.approved and leave.requested_at <= as_of


def leave_day_spans(leave: Leave) -> Iterator[tuple[int, int, int]]:
    """(date ordinal, start minute, end minute) of each local day a leave touches,
    both ends at minute precision (seconds dropped)."""
    start = _local_minute(leave.start)
    end = _local_minute(leave.end)
    for day in range(start // _DAY_M, (end - 1) // _DAY_M + 1):
        base = day * _DAY_M
        lo, hi = max(start, base) - base, min(end, base + _DAY_M) - base
        if lo < hi:
            yield day, lo, hi


def leave_request_deadline(start: datetime, emergency: bool, rules: PersonnelRules) -> datetime:
    """The latest timely request for a leave starting at `start` (P5): the notice
    hours before it, or for an emergency leave the hours after it."""
    if emergency:
        return start + timedelta(hours=rules.leave_emergency_hours)
    return start - timedelta(hours=rules.leave_notice_hours)


def required_window(ws: int, we: int, leaves: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """The required presence window of a day (minutes): [ws, we] minus the leave
    intervals, from the first to the last minute left; None when nothing is left."""
    remaining = [(ws, we)]
    for lo, hi in leaves:
        nxt = []
        for a, b in remaining:
            if hi <= a or lo >= b:
                nxt.append((a, b))
                continue
            if a < lo:
                nxt.append((a, lo))
            if hi < b:
                nxt.append((hi, b))
        remaining = nxt
    if not remaining:
        return None
    return min(a for a, _ in remaining), max(b for _, b in remaining)


def late_early(start: int, end: int, first: int, last: int) -> tuple[int, int]:
    """Minutes late and early (0 when on time) of a day whose first and last punch
    are at minutes `first` and `last`, against the required window [start, end]."""
    return (first - start if first > start else 0, end - last if end > last else 0)


def _attendance(ctx: Context) -> list[LedgerItem]:
    pr = ctx.rulebook.personnel
    ws, we = workday_minutes(pr)
    active = _active_ranges(ctx)
    if not active:
        return []
    days = _punch_days(ctx)
    excused, late_leave = _leave_days(ctx, ws, we)
    items: list[LedgerItem] = []
    for a in active:
        _person_days(ctx, a, (ws, we), days, excused.get(a.staff.person), late_leave, items)
    return items


_MAKEUP = PunchKind.MAKEUP
_MAKEUP_CODE = KIND_CODE[_MAKEUP]


def punch_counts(p: Punch, pr: PersonnelRules) -> bool:
    """Whether a punch is one for P3/P4 (spec §3): normal and field punches are; a
    makeup punch (补卡) only once the bureau confirmed it, where the rulebook asks so."""
    return p.kind is not _MAKEUP or p.confirmed or not pr.makeup_needs_confirmation


def _punch_days(ctx: Context) -> dict[str, dict[int, list[int]]]:
    """One pass over the punches: person → day → [first, last, count], where a punch
    is the int (minute of day << 32 | line) so that min/max also settle ties (and
    the order of the punches does not matter).  Evidence times normally carry
    Asia/Shanghai or +08:00: their wall-clock fields are local time and need no
    conversion."""
    days: dict[str, dict[int, list[int]]] = {}
    punches = ctx.evidence.punches
    if isinstance(punches, PunchLog):
        _log_days(ctx, punches, days)
        punches = list(punches.odd.values())
    for p in punches:
        _add_punch(ctx, p, days)
    return days


def _add_punch(ctx: Context, p: Punch, days: dict[str, dict[int, list[int]]]) -> None:
    if p.kind is _MAKEUP and not punch_counts(p, ctx.rulebook.personnel):
        return
    t = p.at
    if t.tzinfo is not TZ and t.utcoffset() != _UTC8:
        t = t.astimezone(TZ)
    as_of = ctx.as_of
    day = t.toordinal()
    if day >= as_of.toordinal() and (day > as_of.toordinal() or t > as_of):
        return
    person_days = days.get(p.person)
    if person_days is None:
        person_days = days[p.person] = {}
    _add(person_days, day, (t.hour * 60 + t.minute) << 32 | p.line)


def _add(days: dict[int, list[int]], day: int, v: int) -> None:
    g = days.get(day)
    if g is None:
        days[day] = [v, v, 1]
    else:
        g[2] += 1
        if v < g[0]:
            g[0] = v
        elif v > g[1]:
            g[1] = v


def _log_days(ctx: Context, log: PunchLog, days: dict[str, dict[int, list[int]]]) -> None:
    """_add_punch on the punch log's columns (the hot loop: a year of punches), with
    no Punch or datetime made; the punches kept whole (`log.odd`) are left to the
    caller."""
    as_of = ctx.as_of  # in TZ; a punch in the columns is on a whole second
    as_of_when = as_of.toordinal() * DAY + as_of.hour * 3600 + as_of.minute * 60 + as_of.second
    # The largest packed value whose `when` is at or before as_of: one comparison a
    # punch on the packed int itself.
    as_of_max = (as_of_when + 1 << WHEN_SHIFT) - 1
    skip_makeup = ctx.rulebook.personnel.makeup_needs_confirmation
    by_index = [days.setdefault(person, {}) for person in log.persons]
    # The day of the last punch, as [start, start + DAY): a log is mostly in time
    # order, so a punch usually shares its day with the one before and costs two
    # comparisons instead of a division of a large `when` (its minute is then a
    # division of a small int).
    day = lo = hi = 0
    for v, line in zip(log.packed, log.line, strict=True):
        f = v & 255  # 0: a normal punch; else field, makeup, or kept whole (`odd`)
        if f and (f == ODD or (f & 3 == _MAKEUP_CODE and skip_makeup and not f & CONFIRMED)):
            continue
        if v > as_of_max:  # after as_of: not yet a fact
            continue
        when = v >> WHEN_SHIFT
        if not lo <= when < hi:
            day = when // DAY
            lo = day * DAY
            hi = lo + DAY
        person_days = by_index[v >> 8 & 0xFFFF]
        v = ((when - lo) // 60) << 32 | line
        g = person_days.get(day)
        if g is None:
            person_days[day] = [v, v, 1]
        else:
            g[2] += 1
            if v < g[0]:
                g[0] = v
            elif v > g[1]:
                g[1] = v


def _leave_days(
    ctx: Context, ws: int, we: int
) -> tuple[dict[str, dict[int, list[tuple[int, int]]]], dict[str, dict[int, Leave]]]:
    """Approved leaves known at as_of excuse their hours; late ones cost P5 instead.
    A rejected leave excuses nothing and costs nothing by itself.
    person → day → …, so that people without leave cost one lookup, not one a day."""
    pr = ctx.rulebook.personnel
    excused: dict[str, dict[int, list[tuple[int, int]]]] = {}
    late_leave: dict[str, dict[int, Leave]] = {}
    for lv in sorted(ctx.evidence.leaves, key=lambda x: (x.person, x.start, x.end, x.line)):
        if not leave_known(lv, ctx.as_of):
            continue
        late = lv.requested_at > leave_request_deadline(lv.start, lv.emergency, pr)
        for day, lo, hi in leave_day_spans(lv):
            excused.setdefault(lv.person, {}).setdefault(day, []).append((lo, hi))
            if late and lo < we and hi > ws:
                late_leave.setdefault(lv.person, {}).setdefault(day, lv)
    return excused, late_leave


def _person_days(
    ctx: Context,
    a: _Active,
    workday: tuple[int, int],
    days: dict[str, dict[int, list[int]]],
    leave_days: dict[int, list[tuple[int, int]]] | None,
    late_leave: dict[str, dict[int, Leave]],
    items: list[LedgerItem],
) -> None:
    """One person's workdays in their active range: P5 for a late leave, P3 for a day
    without two punches, P4 for each late start and early end."""
    pr = ctx.rulebook.personnel
    ws, we = workday
    person = a.staff.person
    late_days = late_leave.get(person)
    if not (a.staff.on_site or late_days):
        return  # nothing to judge: do not ask the calendar about these days
    workdays = ctx.calendar.workday_ordinals(a.first, a.last)
    if late_days:
        for o in workdays:
            found = late_days.get(o)
            if found is not None:
                items.append(_p5_item(ctx, found, o, ws))
    if not a.staff.on_site:
        return
    get = days.get(person, {}).get
    no_leave: dict[int, list[tuple[int, int]]] = {}
    leave_get = (leave_days or no_leave).get
    # A day's first punch at or before ws and last at or after we, as packed ints.
    on_time, to_the_end = ws << 32 | _LINE, we << 32
    for day in workdays:
        hours = leave_get(day)
        if hours is None:
            g = get(day)
            if g is not None and g[2] > 1 and g[0] <= on_time and g[1] >= to_the_end:
                continue  # the usual day: two punches or more, in time
            start, end = ws, we
        else:
            window = required_window(ws, we, hours)
            if window is None:
                continue
            start, end = window
            g = get(day)
        if g is None or g[2] < 2:
            text = "缺勤（无打卡）" if g is None else "未打卡（仅 1 次打卡）"
            line = 0 if g is None else g[0] & _LINE
            where = f"{person} {_day_text(day)}"
            items.append(ctx.item("P3", pr.absence_points, where, _at(day, start), text, line))
            continue
        # late_early(start, end, first, last), inlined: a year of person-days
        first, last = g[0] >> 32, g[1] >> 32
        late_m = first - start if first > start else 0
        early = end - last if end > last else 0
        if late_m:
            points = _late_points(ctx, late_m)
            where = f"{person} {_day_text(day)}"
            text = f"迟到 {late_m} 分钟"
            items.append(ctx.item("P4", points, where, _at(day, start), text, g[0] & _LINE))
        if early:
            points = _late_points(ctx, early)
            where = f"{person} {_day_text(day)}"
            text = f"早退 {early} 分钟"
            items.append(ctx.item("P4", points, where, _at(day, end), text, g[1] & _LINE))


def _late_points(ctx: Context, minutes: int) -> Decimal:
    pr = ctx.rulebook.personnel
    if minutes < pr.late_gap_from_minutes:
        return pr.late_minor_points
    if minutes <= pr.late_major_over_minutes:
        return pr.late_gap_points
    return pr.late_major_points


def _p5_item(ctx: Context, lv: Leave, day: int, ws: int) -> LedgerItem:
    pr = ctx.rulebook.personnel
    kind = "调休" if lv.kind.value == "comp_time" else "请假"
    if lv.emergency:
        rule = f"突发{kind}，开始后 {pr.leave_emergency_hours} 小时后才申请"
    else:
        rule = f"{kind}未提前 {pr.leave_notice_hours} 小时申请"
    requested = lv.requested_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    return ctx.item(
        "P5",
        pr.leave_points,
        f"{lv.person} {_day_text(day)}",
        _at(day, ws),
        f"{rule}（申请于 {requested}）",
        lv.line,
    )
