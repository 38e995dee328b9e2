"""The attendance status of one person-day, as the engine judges it (P3/P4, spec §2).

Pure: no Django.  It reads the assessment's own types (`Staff`, `Punch`, `Leave`,
`PersonnelRules`, `WorkCalendar`) and follows the readings the engine fixes
(docs/architecture.md, "Readings"): minute precision, the required window of a
partial-day leave, an approved leave excusing its hours even when asked late, a
rejected or not-yet-known leave excusing nothing, activity from `entered_on` to the
day before `left_on` or the replacement, a day judged once its 17:30 ≤ as_of.

What a day *costs* is not computed here: pages take the engine's ledger items for
the person-day (ref "S01 2025-11-03").  `tests/attendance/test_status.py` checks
that every day the engine charges P3/P4 has a charged status here and vice versa.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from opsqm.assessment.model import TZ, Contract, Leave, Punch, Replacement, Staff
from opsqm.assessment.rulebook import PersonnelRules
from opsqm.assessment.workcalendar import WorkCalendar

# Status codes → the label of the month grid (Chinese: the contract's words).
LABELS = {
    "normal": "正常",
    "late": "迟到",
    "early": "早退",
    "missing_punch": "缺卡",
    "absent": "缺勤",
    "leave": "请假",
    "comp_time": "调休",
    "rest": "休息",
    "inactive": "",
    "pending": "",
    "off_site": "非驻场",
}
CHARGED = frozenset({"late", "early", "missing_punch", "absent"})  # P3 / P4
JUDGED = CHARGED | {"normal", "leave", "comp_time"}


@dataclass(frozen=True, slots=True)
class DayStatus:
    day: date
    codes: tuple[str, ...]  # ("late", "early") when both; else one code
    window: tuple[time, time] | None = None  # the required presence, None if excused
    late_minutes: int = 0
    early_minutes: int = 0
    punches: tuple[datetime, ...] = ()
    leave_kinds: tuple[str, ...] = ()  # kinds of the approved leaves touching the day
    partial_leave: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def code(self) -> str:
        return self.codes[0]

    @property
    def charged(self) -> bool:
        return any(c in CHARGED for c in self.codes)

    @property
    def label(self) -> str:
        return " ".join(LABELS[c] for c in self.codes if LABELS[c])


def _minute(at: datetime) -> tuple[date, int]:
    t = at.astimezone(TZ)
    return t.date(), t.hour * 60 + t.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 1440 else time(23, 59)


def active_days(
    staff: Staff, contract: Contract, replacements: Iterable[Replacement], as_of: datetime
) -> tuple[date, date]:
    """(first, last) day the person is assessed: entered, within the period, before
    leaving (or being replaced), and no later than the last day whose end ≤ as_of
    (minus its end time; the caller compares with the rulebook's workday end)."""
    first = max(staff.entered_on, contract.start)
    last = min(contract.end, as_of.astimezone(TZ).date())
    for r in replacements:
        if r.person_out == staff.person and r.replaced_at <= as_of:
            last = min(last, r.replaced_at.astimezone(TZ).date() - timedelta(days=1))
    if staff.left_on is not None:
        last = min(last, staff.left_on - timedelta(days=1))
    return first, last


def required_window(ws: int, we: int, covered: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """[ws, we] minus the leave intervals: from the first to the last minute left."""
    remaining = [(ws, we)]
    for lo, hi in covered:
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


def day_status(
    day: date,
    *,
    staff: Staff,
    contract: Contract,
    punches: Iterable[Punch | datetime],
    leaves: Iterable[Leave],
    replacements: Iterable[Replacement] = (),
    rules: PersonnelRules,
    calendar: WorkCalendar,
    as_of: datetime,
) -> DayStatus:
    """The status of `staff` on `day`.  `punches` and `leaves` may hold other days'
    records too (they are filtered); they must be the person's own.  May raise
    `CalendarError` for a date no calendar covers."""
    ws = rules.workday_start.hour * 60 + rules.workday_start.minute
    we = rules.workday_end.hour * 60 + rules.workday_end.minute
    as_of = as_of.astimezone(TZ)
    first, last = active_days(staff, contract, replacements, as_of)
    assessed_until = as_of.date()
    if as_of.time() < rules.workday_end:
        assessed_until -= timedelta(days=1)
    times = sorted(
        (p if isinstance(p, datetime) else p.at).astimezone(TZ)
        for p in punches
        if _minute(p if isinstance(p, datetime) else p.at)[0] == day
    )
    times = [t for t in times if t <= as_of]
    known = [lv for lv in leaves if lv.approved and lv.requested_at <= as_of]
    covered = []
    kinds: list[str] = []
    for lv in known:
        span = _engine_span(lv, day)
        if span is not None:
            covered.append(span)
            if lv.kind.value not in kinds:
                kinds.append(lv.kind.value)
    base = {"punches": tuple(times), "leave_kinds": tuple(kinds)}
    if day < first or day > last or day > assessed_until:
        # Not judged: before entry, after leaving, outside the period, or not over yet.
        code = (
            "pending"
            if first <= day <= last or (day > assessed_until and day >= first)
            else "inactive"
        )
        if day > contract.end or (staff.left_on is not None and day >= staff.left_on):
            code = "inactive"
        return DayStatus(day, (code,), **base)  # type: ignore[arg-type]
    if not calendar.is_workday(day):
        return DayStatus(day, ("rest",), **base)  # type: ignore[arg-type]
    if not staff.on_site:
        return DayStatus(day, ("off_site",), **base)  # type: ignore[arg-type]
    window = required_window(ws, we, covered)
    if window is None:
        code = "comp_time" if kinds == ["comp_time"] else "leave"
        return DayStatus(day, (code,), None, **base)  # type: ignore[arg-type]
    start, end = window
    win = (_clock(start), _clock(end))
    partial = bool(covered)
    if not times:
        return DayStatus(day, ("absent",), win, partial_leave=partial, **base)  # type: ignore[arg-type]
    if len(times) < 2:
        return DayStatus(day, ("missing_punch",), win, partial_leave=partial, **base)  # type: ignore[arg-type]
    first_m = times[0].hour * 60 + times[0].minute
    last_m = times[-1].hour * 60 + times[-1].minute
    late = max(0, first_m - start)
    early = max(0, end - last_m)
    codes = tuple(c for c, m in (("late", late), ("early", early)) if m > 0) or ("normal",)
    return DayStatus(
        day,
        codes,
        win,
        late_minutes=late,
        early_minutes=early,
        partial_leave=partial,
        **base,  # type: ignore[arg-type]
    )


def _engine_span(leave: Leave, day: date) -> tuple[int, int] | None:
    """The minutes of `day` a leave covers, read as the engine reads them: both ends
    at minute precision (seconds dropped)."""
    start = leave.start.astimezone(TZ).replace(second=0, microsecond=0)
    end = leave.end.astimezone(TZ).replace(second=0, microsecond=0)
    day_start = datetime.combine(day, time(0), TZ)
    lo = max(start, day_start)
    hi = min(end, day_start + timedelta(days=1))
    if lo >= hi:
        return None
    return int((lo - day_start).total_seconds() // 60), int((hi - day_start).total_seconds() // 60)
