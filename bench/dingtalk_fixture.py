"""DingTalk-like attendance XLSX files, for the tests and the import benchmark.

Mimics what DingTalk's admin console exports: a title row ("原始记录 统计日期：… 至 …")
and a "报表生成时间" row above the header, dates as "25-10-27 星期一", times as text,
未打卡 rows, and for the daily statistics (每日统计) a two-level header with merged
"上班1" / "下班1" cells over "打卡时间" / "打卡结果".

    write_xlsx(path, [Sheet("原始记录", raw_header, rows, titles=[...])])

`Sheet.top` is the upper header row of a two-level header (None under a merge);
real merges are written unless `write_only` (the streaming writer cannot merge,
and a reader in read-only mode sees a merge exactly as those empty cells).

    .venv/bin/python bench/dingtalk_fixture.py OUT.xlsx [--contracts 50] [--daily]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

import chinese_calendar
from openpyxl import Workbook

WEEKDAY_CN = "一二三四五六日"
RAW_HEADER = [
    "姓名", "考勤组", "部门", "工号", "职位", "UserId", "考勤日期", "考勤时间",
    "打卡时间", "打卡结果", "打卡地址", "打卡备注", "异常打卡原因", "打卡设备",
]  # fmt: skip
DAILY_LEFT = ["姓名", "考勤组", "部门", "工号", "职位", "UserId", "日期", "班次"]
DAILY_RIGHT = [
    "关联的审批单", "出勤天数", "休息天数", "工作时长", "迟到次数", "迟到时长", "严重迟到次数",
    "早退次数", "早退时长", "上班缺卡次数", "下班缺卡次数", "旷工天数", "出差时长", "外出时长",
]  # fmt: skip
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: Iterable[Sequence[Any]]
    titles: list[str] = field(default_factory=list)  # title rows above the header
    top: list[str | None] | None = None  # upper row of a two-level header


@dataclass(frozen=True)
class Person:
    name: str
    job_number: str
    user_id: str
    group: str = "驻场运维"
    dept: str = "运维部"
    title: str = "运维工程师"


def dingtalk_date(day: date) -> str:
    """DingTalk's date text: "25-10-27 星期一"."""
    return f"{day:%y-%m-%d} 星期{WEEKDAY_CN[day.weekday()]}"


def write_xlsx(target: str | Path | IO[bytes], sheets: list[Sheet], write_only: bool = False):
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.title)
        width = len(spec.header)
        for line in spec.titles:
            ws.append([line])
            if not write_only:
                ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                               end_column=width)  # fmt: skip
        if spec.top is not None:
            ws.append(spec.top)
            ws.append([None if spec.top[i] == h else h for i, h in enumerate(spec.header)])
            if not write_only:
                _merge_two_level(ws, spec.top, spec.header)
        else:
            ws.append(spec.header)
        for row in spec.rows:
            ws.append(list(row))
    wb.save(target)


def _merge_two_level(ws, top: list[str | None], header: list[str]) -> None:
    """Vertical merges for single headers, horizontal ones over each group."""
    upper = ws.max_row - 1
    i = 0
    while i < len(top):
        if top[i] is not None and top[i] == header[i]:
            ws.merge_cells(start_row=upper, start_column=i + 1, end_row=upper + 1,
                           end_column=i + 1)  # fmt: skip
            i += 1
            continue
        j = i + 1
        while j < len(top) and top[j] is None:
            j += 1
        if j - i > 1:
            ws.merge_cells(start_row=upper, start_column=i + 1, end_row=upper,
                           end_column=j)  # fmt: skip
        i = j


def daily_layout(shifts: int = 1) -> tuple[list[str | None], list[str]]:
    """(top, sub) rows of a two-level daily-statistics header.  In `sub`, a single
    header repeats its top text (the writer leaves the merged cell below empty)."""
    top: list[str | None] = list(DAILY_LEFT)
    sub: list[str] = list(DAILY_LEFT)
    for n in range(1, shifts + 1):
        for side in ("上班", "下班"):
            top += [f"{side}{n}", None]
            sub += ["打卡时间", "打卡结果"]
    top += DAILY_RIGHT
    sub += DAILY_RIGHT
    return top, sub


def people(contracts: int, per_contract: int, seed: int = 7) -> list[Person]:
    rng = random.Random(seed)
    out, names = [], set()
    for c in range(contracts):
        for p in range(per_contract):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            while name in names:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            names.add(name)
            out.append(Person(name, f"KH{c + 1:03d}{p + 1:02d}", f"{rng.randrange(10**15):015d}"))
    return out


def workdays(start: date, days: int) -> list[date]:
    return [
        start + timedelta(days=i)
        for i in range(days)
        if chinese_calendar.is_workday(start + timedelta(days=i))
    ]


@dataclass(frozen=True)
class DayPunches:
    person: Person
    day: date
    on: time | None  # None: 未打卡
    off: time | None


def year_of_punches(staff: list[Person], days: list[date], seed: int = 7) -> Iterator[DayPunches]:
    rng = random.Random(seed)
    for day in days:
        for person in staff:
            r = rng.random()
            on = time(8, rng.randint(25, 59), rng.randint(0, 59))
            if rng.random() < 0.01:
                on = time(9, rng.randint(1, 59), rng.randint(0, 59))
            off = time(17, rng.randint(30, 59), rng.randint(0, 59))
            yield DayPunches(person, day, None if r < 0.003 else on, None if r < 0.008 else off)


def raw_rows(records: Iterable[DayPunches]) -> Iterator[list[Any]]:
    """Rows in RAW_HEADER order, two per person-day, DingTalk-style text."""
    for rec in records:
        p = rec.person
        for scheduled, at in (("09:00", rec.on), ("17:30", rec.off)):
            if at is None:
                shown, result = "", "缺卡"
            else:
                shown = f"{rec.day:%Y-%m-%d} {at:%H:%M:%S}"
                late = scheduled == "09:00" and at > time(9, 0, 59)
                result = "迟到" if late else "正常"
            yield [p.name, p.group, p.dept, p.job_number, p.title, p.user_id,
                   dingtalk_date(rec.day), scheduled, shown, result,
                   "北京市西城区", "", "", "考勤机"]  # fmt: skip


def daily_rows(records: Iterable[DayPunches]) -> Iterator[list[Any]]:
    """Rows in daily_layout(1) order, one per person-day."""
    for rec in records:
        p = rec.person
        on = rec.on.strftime("%H:%M") if rec.on else "未打卡"
        off = rec.off.strftime("%H:%M") if rec.off else "未打卡"
        late = rec.on is not None and rec.on > time(9, 0, 59)
        yield [p.name, p.group, p.dept, p.job_number, p.title, p.user_id,
               dingtalk_date(rec.day), "正常班 09:00-17:30",
               on, "迟到" if late else ("正常" if rec.on else "缺卡"),
               off, "正常" if rec.off else "缺卡",
               "", 1, 0, "510", int(late), "5" if late else "0", 0, 0, "0",
               int(rec.on is None), int(rec.off is None), 0, 0, 0]  # fmt: skip


def title_rows(kind: str, start: date, end: date) -> list[str]:
    made = datetime(2025, 11, 25, 9, 30)
    return [
        f"{kind} 统计日期：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        f"报表生成时间：{made:%Y-%m-%d %H:%M}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--contracts", type=int, default=50)
    parser.add_argument("--people", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--daily", action="store_true", help="每日统计 instead of 原始记录")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_year(args.out, args.contracts, args.people, args.days, args.daily, args.seed)


def write_year(out: Path, contracts: int, per: int, days: int, daily: bool, seed: int = 7) -> int:
    """Write one export of a year; returns the number of data rows."""
    start = date(2025, 10, 25)
    staff = people(contracts, per, seed)
    records = list(year_of_punches(staff, workdays(start, days), seed))
    end = start + timedelta(days=days - 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    if daily:
        top, sub = daily_layout(1)
        sheet = Sheet("每日统计", sub, daily_rows(records), title_rows("每日统计", start, end), top)
        n = len(records)
    else:
        sheet = Sheet("原始记录", RAW_HEADER, raw_rows(records), title_rows("原始记录", start, end))
        n = 2 * len(records)
    write_xlsx(out, [sheet], write_only=True)
    return n


if __name__ == "__main__":
    main()
