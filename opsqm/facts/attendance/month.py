"""Seeing attendance: the month grid, the day of one person, the monthly result
(第七条一) and the timeliness of a leave request — statuses from
`opsqm.facts.attendance.status.day_status`, costs from the engine's ledger items."""

from __future__ import annotations

import calendar as pycal
import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from opsqm.facts.attendance.status import DayStatus, day_status
from opsqm.facts.contracts.models import Contract
from opsqm.facts.contracts.rulebooks import contract_rulebook
from opsqm.facts.contracts.scoring import evidence_of, model_contract
from opsqm.facts.staff.models import Leave, StaffMember
from opsqm.pure.assessment import model as m
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.model import TZ, LedgerItem
from opsqm.pure.assessment.rulebook import Rulebook
from opsqm.pure.assessment.rules.personnel import leave_request_deadline
from opsqm.pure.assessment.workcalendar import calendar_for

ATTENDANCE_RULES = ("P3", "P4", "P5")
ZERO = Decimal("0.00")


@dataclass
class Cell:
    day: date
    status: DayStatus
    workday: bool | None  # None: outside the contract period (no calendar asked)
    items: list[LedgerItem] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), ZERO)


@dataclass
class PersonMonth:
    staff: StaffMember
    cells: list[Cell]
    totals: dict[str, Any]


@dataclass
class MonthView:
    contract: Contract
    first: date
    days: list[date]
    rows: list[PersonMonth]
    as_of: datetime
    rulebook: Rulebook
    workdays: dict[date, bool | None]

    @property
    def points(self) -> Decimal:
        return sum((r.totals["points"] for r in self.rows), ZERO)


def _resolve(contract: Contract) -> tuple[m.ContractEvidence, Rulebook]:
    ev = evidence_of(contract)
    return ev, contract_rulebook(ev.contract)


def _items_by_ref(ledger: m.Ledger) -> dict[str, list[LedgerItem]]:
    out: dict[str, list[LedgerItem]] = defaultdict(list)
    for item in ledger.items:
        if item.rule in ATTENDANCE_RULES:
            out[item.ref].append(item)
    return out


def month_evidence(ev: m.ContractEvidence, first: date, last: date) -> m.ContractEvidence:
    """The evidence the attendance rules read for the days [first, last]: the period
    cut to them, their punches and the leaves touching them (records keep their lines).
    P3–P5 judge each person-day on its own, so their items for these days are those
    of the whole evidence — at the cost of one month, not the year."""
    lo, hi = max(ev.contract.start, first), min(ev.contract.end, last)
    start = datetime.combine(lo, time(0), TZ)
    stop = datetime.combine(hi + timedelta(days=1), time(0), TZ)
    return m.ContractEvidence(
        contract=dataclasses.replace(ev.contract, start=lo, end=hi),
        staff=ev.staff,
        replacements=ev.replacements,
        punches=[p for p in ev.punches if start <= p.at < stop],
        leaves=[lv for lv in ev.leaves if lv.start < stop and lv.end > start],
    )


def month_view(contract: Contract, first: date, as_of: datetime) -> MonthView:
    """People × days of the month starting `first`.  Raises CalendarError for a
    working-day question no calendar answers."""
    full, rulebook = _resolve(contract)
    ndays = pycal.monthrange(first.year, first.month)[1]
    days = [first + timedelta(days=i) for i in range(ndays)]
    ev = month_evidence(full, days[0], days[-1])
    by_ref: dict[str, list[LedgerItem]] = {}
    if ev.contract.start <= ev.contract.end:  # the month is within the period
        by_ref = _items_by_ref(assess(ev, as_of.astimezone(TZ), rulebook))
    ev = dataclasses.replace(ev, contract=full.contract)
    cal = calendar_for(rulebook.calendar)
    workdays: dict[date, bool | None] = {
        d: (cal.is_workday(d) if ev.contract.start <= d <= ev.contract.end else None) for d in days
    }
    punches: dict[str, list[m.Punch]] = defaultdict(list)
    for p in ev.punches:
        punches[p.person].append(p)
    leaves: dict[str, list[m.Leave]] = defaultdict(list)
    for lv in ev.leaves:
        leaves[lv.person].append(lv)
    models = {s.person: s for s in StaffMember.objects.filter(contract=contract)}
    rows = []
    for s in ev.staff:
        cells = []
        for d in days:
            st = (
                day_status(
                    d,
                    staff=s,
                    contract=ev.contract,
                    punches=punches[s.person],
                    leaves=leaves[s.person],
                    replacements=ev.replacements,
                    rules=rulebook.personnel,
                    calendar=cal,
                    as_of=as_of,
                )
                if workdays[d] is not None
                else DayStatus(d, ("inactive",))
            )
            cells.append(Cell(d, st, workdays[d], by_ref.get(f"{s.person} {d.isoformat()}", [])))
        if all(c.status.code == "inactive" for c in cells):
            continue
        rows.append(PersonMonth(models[s.person], cells, _totals(cells)))
    return MonthView(contract, first, days, rows, as_of, rulebook, workdays)


def _punches_text(st: DayStatus) -> str:
    """The day's punches for the monthly result: those that count, then each 外勤 or
    补卡 with its kind ("17:35（补卡（待确认））" does not count)."""
    marks = {m.at: m for m in st.marked}
    text = [f"{p:%H:%M}" + (f"（{marks[p].label}）" if p in marks else "") for p in st.punches]
    text += [f"{m.at:%H:%M}（{m.label}）" for m in st.marked if not m.counts]
    return " ".join(text)


def _totals(cells: list[Cell]) -> dict[str, Any]:
    t: dict[str, Any] = {
        "workdays": 0,
        "present": 0,
        "late": 0,
        "late_minutes": 0,
        "early": 0,
        "early_minutes": 0,
        "missing": 0,
        "absent": 0,
        "leave_days": Decimal("0.0"),
        "comp_days": Decimal("0.0"),
        "points": ZERO,
    }
    for c in cells:
        codes = c.status.codes
        t["points"] += c.points
        if c.status.code in ("rest", "inactive", "pending", "off_site"):
            continue
        t["workdays"] += 1
        if codes[0] in ("normal", "late", "early"):
            t["present"] += 1
        if "late" in codes:
            t["late"] += 1
            t["late_minutes"] += c.status.late_minutes
        if "early" in codes:
            t["early"] += 1
            t["early_minutes"] += c.status.early_minutes
        if "missing_punch" in codes:
            t["missing"] += 1
        if "absent" in codes:
            t["absent"] += 1
        share = Decimal("1.0") if codes[0] in ("leave", "comp_time") else Decimal("0.5")
        if c.status.leave_kinds and (codes[0] in ("leave", "comp_time") or c.status.partial_leave):
            key = "comp_days" if c.status.leave_kinds == ("comp_time",) else "leave_days"
            t[key] += share
    return t


# --- the day of one person ---------------------------------------------------------------


@dataclass
class PersonDay:
    staff: StaffMember
    day: date
    status: DayStatus
    workday: bool | None
    items: list[LedgerItem]
    leaves: list[Leave]  # every request touching the day, pending and rejected too
    rulebook: Rulebook

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), ZERO)


def person_day(staff: StaffMember, day: date, as_of: datetime) -> PersonDay:
    ev, rulebook = _resolve(staff.contract)
    ledger = assess(ev, as_of.astimezone(TZ), rulebook)
    cal = calendar_for(rulebook.calendar)
    me = next(s for s in ev.staff if s.person == staff.person)
    in_period = ev.contract.start <= day <= ev.contract.end
    workday = cal.is_workday(day) if in_period else None
    status = (
        day_status(
            day,
            staff=me,
            contract=ev.contract,
            punches=[p for p in ev.punches if p.person == staff.person],
            leaves=[lv for lv in ev.leaves if lv.person == staff.person],
            replacements=ev.replacements,
            rules=rulebook.personnel,
            calendar=cal,
            as_of=as_of,
        )
        if in_period
        else DayStatus(day, ("inactive",))
    )
    start = datetime.combine(day, time(0), TZ)
    leaves = list(
        Leave.objects.filter(person=staff, start__lt=start + timedelta(days=1), end__gt=start)
        .select_related("unit", "approver")
        .order_by("start")
    )
    items = _items_by_ref(ledger).get(f"{staff.person} {day.isoformat()}", [])
    return PersonDay(staff, day, status, workday, items, leaves, rulebook)


# --- timeliness of a leave request (P5, computed by the engine) ---------------------------


@dataclass
class Timeliness:
    timely: bool
    deadline: datetime  # the latest request time that would be timely
    notes: list[str]  # the engine's P5 notes when not timely


def leave_timeliness(leave: Leave) -> Timeliness:
    """Would this request cost P5 if approved?  Asked of the engine: the leave,
    approved, alone in a copy of its contract, assessed after its end.  May raise
    CalendarError."""
    contract = model_contract(leave.person.contract)
    rulebook = contract_rulebook(contract)
    start = leave.start.astimezone(TZ)
    end = leave.end.astimezone(TZ)
    first, last = start.date(), end.date()
    probe = m.Contract(
        contract.id, "", "", Decimal(1), Decimal(0), first, last, parameters=contract.parameters
    )
    ev = m.ContractEvidence(contract=probe)
    ev.staff.append(m.Staff(probe.id, "X", "", False, first, first))
    ev.leaves.append(
        m.Leave(
            probe.id,
            "X",
            m.LeaveKind(leave.kind),
            start,
            end,
            leave.requested_at.astimezone(TZ),
            leave.emergency,
            True,
        )
    )
    as_of = max(datetime.combine(last + timedelta(days=1), time(0), TZ), leave.requested_at)
    ledger = assess(ev, as_of, rulebook)
    notes = [f"{i.ref}: {i.note}" for i in ledger.items if i.rule == "P5"]
    deadline = leave_request_deadline(start, leave.emergency, rulebook.personnel)
    return Timeliness(not notes, deadline, notes)


# --- the monthly result as XLSX (第七条一) ------------------------------------------------

SUMMARY_HEADER = [
    "人员编号", "姓名", "应出勤天数", "出勤天数", "迟到次数", "迟到分钟", "早退次数", "早退分钟",
    "缺卡次数", "缺勤天数", "请假天数", "调休天数", "考勤扣分",
]  # fmt: skip
DAYS_HEADER = [
    "人员编号", "姓名", "日期", "工作日", "考勤状态", "应在岗时段", "打卡", "迟到分钟", "早退分钟",
    "扣分", "依据",
]  # fmt: skip


def month_xlsx(view: MonthView) -> bytes:
    """Two sheets: 月度汇总 (one row a person) and 逐日明细 (one row a person-day).
    Every cell goes through `opsqm.infra.core.spreadsheet.xlsx_row` (formula-injection guard)."""
    from opsqm.infra.core.spreadsheet import xlsx_workbook

    title = f"{view.contract.code} {view.contract.title} {view.first:%Y-%m} 考勤结果"
    summary: list[list[Any]] = [SUMMARY_HEADER]
    for r in view.rows:
        t = r.totals
        summary.append(
            [
                r.staff.person,
                r.staff.name,
                t["workdays"],
                t["present"],
                t["late"],
                t["late_minutes"],
                t["early"],
                t["early_minutes"],
                t["missing"],
                t["absent"],
                t["leave_days"],
                t["comp_days"],
                t["points"],
            ]
        )
    daily = []
    for r in view.rows:
        for c in r.cells:
            st = c.status
            if st.code == "inactive":
                continue
            window = f"{st.window[0]:%H:%M}–{st.window[1]:%H:%M}" if st.window else ""
            daily.append(
                [
                    r.staff.person,
                    r.staff.name,
                    c.day,
                    "是" if c.workday else "否",
                    st.label,
                    window,
                    _punches_text(st),
                    st.late_minutes or "",
                    st.early_minutes or "",
                    c.points if c.items else "",
                    "；".join(f"{i.rule} {i.clause} {i.note}" for i in c.items),
                ]
            )
    return xlsx_workbook([("月度汇总", [title], summary), ("逐日明细", DAYS_HEADER, daily)])
