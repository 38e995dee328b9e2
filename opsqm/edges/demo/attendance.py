"""Attendance: DingTalk punches on every workday of the period so far (mostly on
time, the odd slip), one approved leave per contract, and on the seed contract one
month that arrives as a DingTalk export the vendor manager imports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.edges.demo.files import WEEKDAYS_CN, dingtalk_xlsx
from opsqm.edges.demo.story import Story, at, run_jobs, window
from opsqm.facts.contracts.models import Contract
from opsqm.facts.staff import services as staff


def record_punches(
    story: Story, people: list[Any], first: date, last: date, withhold: tuple[date, date] | None
) -> None:
    """Punches on workdays: a good on-site team, with the odd slip a year brings.
    `withhold`: the punches of these days are not recorded here but kept in
    `story.withheld` for the DingTalk export the demo imports."""
    rng = story.rng
    for s in people:
        instants = []
        d = first
        while d <= last:
            active = s.entered_on <= d and (s.left_on is None or d < s.left_on)
            if active and story.cal.is_workday(d):
                roll = rng.random()
                if roll < 0.002:
                    pass  # absent
                elif roll < 0.005:
                    instants.append(at(d, 8, rng.randint(30, 58)))  # forgot to punch out
                else:
                    late = roll > 0.99
                    arrive = (9, rng.randint(5, 50)) if late else (8, rng.randint(30, 58))
                    instants.append(at(d, *arrive))
                    instants.append(at(d, 17, rng.randint(31, 59)))
            d += timedelta(days=1)
        if withhold is not None:
            held = [i for i in instants if withhold[0] <= i.date() <= withhold[1]]
            story.withheld += [(s, i) for i in held]
            instants = [i for i in instants if not withhold[0] <= i.date() <= withhold[1]]
        staff.record_punches(s, instants, "dingtalk")


def record_leave(story: Story, person: Any, first: date) -> None:
    """One approved day of leave, asked three days ahead, on the first workday from
    the period's eleventh day."""
    leave_day = first + timedelta(days=10)
    while not story.cal.is_workday(leave_day):
        leave_day += timedelta(days=1)
    staff.record_leave(
        person,
        {
            "kind": "leave",
            "start": at(leave_day, 9),
            "end": at(leave_day, 17, 30),
            "requested_at": at(leave_day - timedelta(days=3), 15),
            "approved": True,
        },
    )


def import_month(story: Story, contract: Contract) -> tuple[date, date] | None:
    """The calendar month before the one the contract's window ends in (the last
    whole month on record), clipped to the period: the DingTalk export imported."""
    first, last = window(story, contract)
    start = (last.replace(day=1) - timedelta(days=1)).replace(day=1)
    end = last.replace(day=1) - timedelta(days=1)
    start = max(start, first)
    return (start, end) if start <= end else None


def dingtalk_import(story: Story, contract: Contract, month: tuple[date, date]) -> None:
    """The vendor manager uploads the month's DingTalk export (原始记录); the import
    job reads, matches and stores it like the worker.  A colleague who covered
    three days is not on the contract's staff: he lands on the review list.  Two
    punches of the month are 补卡 (DingTalk makeup approvals): the assessor has
    confirmed the first, the second still waits and does not count (spec §3)."""
    from opsqm.facts.attendance import services as attendance
    from opsqm.facts.attendance.makeup import confirm_makeup_punch
    from opsqm.facts.staff.models import Punch, PunchKind

    first, last = month
    rows = _export_rows(story, _export_days(story, month))
    made = at(last + timedelta(days=1), 9)
    data = dingtalk_xlsx(first, last, rows, min(made, story.now))
    upload = SimpleUploadedFile(f"钉钉考勤-原始记录-{first:%Y%m}.xlsx", data)
    attendance.start_xlsx_import(story.users["kh_manager"], upload, contract)
    run_jobs("attendance.import")
    makeups = Punch.objects.filter(person__contract=contract, kind=PunchKind.MAKEUP)
    first_makeup = makeups.order_by("at").first()
    if first_makeup is not None:
        confirm_makeup_punch(first_makeup, story.users["assessor"])


def _export_days(
    story: Story, month: tuple[date, date]
) -> dict[tuple[str, str, date], list[datetime]]:
    """(name, job number, day) → the punches the export lists: the withheld ones and
    three days of a colleague who is not on the contract's staff."""
    rng = story.rng
    first, last = month
    days: dict[tuple[str, str, date], list[datetime]] = {}
    for s, instant in story.withheld:
        days.setdefault((s.name, s.person, instant.date()), []).append(instant)
    workdays = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if story.cal.is_workday(first + timedelta(days=n))
    ]
    for d in workdays[3:6]:
        days[("钱工", "KH09", d)] = [
            at(d, 8, rng.randint(35, 58)),
            at(d, 17, rng.randint(31, 50)),
        ]
    return days


def _export_rows(
    story: Story, days: dict[tuple[str, str, date], list[datetime]]
) -> list[list[Any]]:
    """Two rows a person-day (the 09:00 and the 17:30 shift), as DingTalk lists them."""
    rng = story.rng

    def row(name: str, job: str, d: date, shift: str, instant: datetime | None) -> list[Any]:
        if instant is None:
            shown, result = "", "缺卡"
        else:
            shown = f"{instant:%Y-%m-%d %H:%M}:{rng.randint(0, 59):02d}"
            late = shift == "09:00" and instant.time() > time(9)
            early = shift == "17:30" and instant.time() < time(17, 30)
            result = "迟到" if late else "早退" if early else "正常"
        weekday = f"{d:%y-%m-%d} 星期{WEEKDAYS_CN[d.weekday()]}"
        return [name, "凯辉驻场运维", "运维部", job, "运维工程师", "", weekday, shift,
                shown, result, "北京市监狱管理局", "", "", "手机"]  # fmt: skip

    rows = []
    # The first withheld person's first two whole days: an evening, then a morning 补卡.
    makeup_person = story.withheld[0][0].person if story.withheld else None
    makeups = 0
    for (name, job, d), instants in sorted(days.items(), key=lambda kv: (kv[0][2], kv[0][1])):
        instants.sort()
        morning = row(name, job, d, "09:00", instants[0])
        evening = row(name, job, d, "17:30", instants[1] if len(instants) > 1 else None)
        if makeups < 2 and len(instants) > 1 and job == makeup_person:
            (evening if makeups == 0 else morning)[9] = "补卡审批通过"
            makeups += 1
        rows += [morning, evening]
    return rows
