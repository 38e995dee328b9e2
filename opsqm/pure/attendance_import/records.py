"""Typed rows of a DingTalk import.  Plain frozen data; datetimes are aware (Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

SheetKind = Literal["punches", "daily"]
PunchKindName = Literal["normal", "field", "makeup"]


@dataclass(frozen=True, slots=True)
class DingTalkPunch:
    """One punch.  `row` is the Excel row it came from (1-based; for the open API,
    the item's position, 1-based).  `punched_at` keeps the seconds the source gives
    (raw records may have them, the daily statistics do not)."""

    row: int
    name: str | None
    job_number: str | None
    user_id: str | None
    punched_at: datetime
    result_text: str | None
    source_sheet: str
    kind: PunchKindName = "normal"  # normal | field (外勤) | makeup (补卡): kinds.py


@dataclass(frozen=True, slots=True)
class DingTalkDay:
    """One row of the daily statistics (每日统计)."""

    row: int
    name: str | None
    job_number: str | None
    user_id: str | None
    day: date
    punches: list[datetime]  # the 上班N/下班N times present, in column order
    results: dict[str, str]  # "上班1打卡结果": "正常", "迟到时长": "12", … (non-empty only)
    approvals_text: str | None  # 关联的审批单, as written
    source_sheet: str = ""


@dataclass(frozen=True, slots=True)
class SheetSummary:
    name: str
    kind: SheetKind
    header_rows: tuple[int, ...]  # Excel rows of the header (two for a two-level header)
    columns: dict[str, str]  # canonical field → Excel letter, for the upload page
    data_rows: int  # non-empty rows read
    punches: int
    without_punch: int  # raw rows with 未打卡/缺卡/empty time (no punch to import)


@dataclass(slots=True)
class DingTalkWorkbook:
    """What `read_dingtalk_xlsx` returns.  `punches` holds the punches of every
    sheet, the daily statistics' 上班/下班 times included, so either export feeds
    the same punch evidence."""

    punches: list[DingTalkPunch] = field(default_factory=list)
    days: list[DingTalkDay] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)  # no DingTalk header found
