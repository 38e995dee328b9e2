"""The attendance status of one person-day, as the engine judges it (P3/P4, spec §2).

Pure: no Django.  It reads the assessment's own types (`Staff`, `Punch`, `Leave`,
`PersonnelRules`, `WorkCalendar`) and asks the engine's own functions
(`opsqm.pure.assessment.rules.personnel`) for the readings it fixes
(docs/architecture.md, "Readings"): minute precision, the required window of a
partial-day leave, an approved leave excusing its hours even when asked late, a
rejected or not-yet-known leave excusing nothing, activity from `entered_on` to the
day before `left_on` or the replacement, a day judged once its 17:30 ≤ as_of, the
minutes late and early.

What a day *costs* is not computed here: pages take the engine's ledger items for
the person-day (ref "S01 2025-11-03").  `tests/attendance/test_status.py` checks
that every day the engine charges P3/P4 has a charged status here and vice versa.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from opsqm.pure.assessment.model import TZ, Contract, Leave, Punch, PunchKind, Replacement, Staff
from opsqm.pure.assessment.rulebook import PersonnelRules
from opsqm.pure.assessment.rules.personnel import (
    assessed_span,
    last_assessed_day,
    late_early,
    leave_day_spans,
    leave_known,
    punch_counts,
    replaced_days,
    required_window,
    workday_minutes,
)
from opsqm.pure.assessment.workcalendar import WorkCalendar

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
class MarkedPunch:
    """A punch of another kind than normal: 外勤, or a 补卡 that counts only once confirmed."""

    at: datetime
    kind: str  # "field" | "makeup"
    counts: bool

    @property
    def label(self) -> str:
        if self.kind == "field":
            return "外勤"
        return "补卡" if self.counts else "补卡（待确认）"


@dataclass(frozen=True, slots=True)
class DayStatus:
    day: date
    codes: tuple[str, ...]  # ("late", "early") when both; else one code
    window: tuple[time, time] | None = None  # the required presence, None if excused
    late_minutes: int = 0
    early_minutes: int = 0
    punches: tuple[datetime, ...] = ()  # the punches that count (spec §3)
    marked: tuple[MarkedPunch, ...] = ()  # field and makeup punches of the day, shown as such
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


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 1440 else time(23, 59)


def _day_punches(
    punches: Iterable[Punch | datetime], day: date, as_of: datetime, rules: PersonnelRules
) -> tuple[list[datetime], tuple[MarkedPunch, ...]]:
    """The day's punches known at as_of that count (sorted), and the field and
    makeup ones among all of them, marked."""
    times, marked = [], []
    for p in punches:
        at = (p if isinstance(p, datetime) else p.at).astimezone(TZ)
        if at.date() != day or at > as_of:
            continue
        counts = isinstance(p, datetime) or punch_counts(p, rules)
        if counts:
            times.append(at)
        if isinstance(p, Punch) and p.kind is not PunchKind.NORMAL:
            marked.append(MarkedPunch(at, p.kind.value, counts))
    return sorted(times), tuple(sorted(marked, key=lambda m: m.at))


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
    ws, we = workday_minutes(rules)
    as_of = as_of.astimezone(TZ)
    assessed_until = last_assessed_day(as_of, rules)
    replaced_on = replaced_days(replacements, as_of).get(staff.person)
    first, last = assessed_span(staff, contract, assessed_until, replaced_on)
    times, marked = _day_punches(punches, day, as_of, rules)
    ordinal = day.toordinal()
    covered = []
    kinds: list[str] = []
    for lv in leaves:
        if not leave_known(lv, as_of):
            continue
        for o, lo, hi in leave_day_spans(lv):
            if o == ordinal:
                covered.append((lo, hi))
                if lv.kind.value not in kinds:
                    kinds.append(lv.kind.value)
    base = {"punches": tuple(times), "leave_kinds": tuple(kinds), "marked": marked}
    if not first <= day <= last:
        # Not judged: before entry, after leaving, outside the period, or not over yet.
        code = "pending" if first <= day and day > assessed_until else "inactive"
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
    late, early = late_early(start, end, first_m, last_m)
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
