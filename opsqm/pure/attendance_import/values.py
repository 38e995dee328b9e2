"""Cell values of DingTalk exports → dates and times.

DingTalk writes most cells as text ("25-10-27 星期一", "08:52", "08:52 (外勤)",
"未打卡"), but a file re-saved in Excel or WPS has real date/time cells; both are
read.  A value that is neither empty, a no-punch marker nor a recognisable
date/time raises `CellError` with a Chinese message: the import then fails rather
than silently dropping a punch (a missing punch costs P3 points).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

# Cells that mean "no punch here".  休息 appears in the daily statistics on rest days.
NO_PUNCH = frozenset({"未打卡", "缺卡", "--", "-", "—", "——", "无", "休息", "/"})

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

_DATE_RE = re.compile(
    r"(?P<y>\d{4}|\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"\s*(?:(?:星期|周|礼拜)(?P<w>[一二三四五六日天]))?"
)
_TIME_RE = re.compile(r"(?P<next>次日)?\s*(?P<h>\d{1,2}):(?P<m>\d{1,2})(?::(?P<s>\d{1,2}))?")
# Excel serial day numbers of 1954…2119: a number in a date column in that range is a date.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000
_EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A cell value that cannot be read; the message is Chinese and user-facing."""


@dataclass(frozen=True, slots=True)
class CellTime:
    """A punch time as a cell gives it: a time of day, plus the date when the cell
    carries one (a datetime cell, "2025-10-27 08:52"), plus 1 for "次日 01:05"."""

    clock: time
    day: date | None = None
    next_day: int = 0

    def on(self, day: date) -> datetime:
        """The naive local datetime of this time on the attendance `day`."""
        base = self.day if self.day is not None else day + timedelta(days=self.next_day)
        return datetime.combine(base, self.clock)


def clean_text(value: object) -> str | None:
    """A cell as stripped text, None when empty.  Whole numbers lose their ".0"
    (a 工号 typed into Excel comes back as 1001.0)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_date(value: object) -> date:
    """A 考勤日期/日期 cell → date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"无法识别的日期「{value}」")
    text = clean_text(value)
    if text is None:
        raise CellError("日期为空")
    result = _date_from_text(text)
    if isinstance(result, str):
        raise CellError(result)
    return result


@lru_cache(maxsize=4096)
def _date_from_text(text: str) -> date | str:
    # Cached: an export repeats the same few hundred dates on every row.  Returns the
    # error message instead of raising so that lru_cache keeps failures too.
    norm = unicodedata.normalize("NFKC", text)
    match = _DATE_RE.match(norm)
    if match is None or norm[match.end() :].strip() not in ("", "00:00", "00:00:00"):
        return f"无法识别的日期「{text}」"
    year = int(match["y"])
    if len(match["y"]) == 2:  # DingTalk's "25-10-27 星期一"
        year += 2000
    try:
        day = date(year, int(match["m"]), int(match["d"]))
    except ValueError:
        return f"不存在的日期「{text}」"
    weekday = match["w"]
    if weekday is not None and WEEKDAYS[weekday] != day.weekday():
        # A mismatch means the date was misread (or mistyped): refuse rather than guess.
        return f"日期与星期不符「{text}」"
    return day


def parse_time(value: object) -> CellTime | None:
    """A 打卡时间 / 上班1打卡时间 cell → CellTime, or None for "no punch"."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.year <= 1900:  # a time-only cell that came back as 1899-12-30 hh:mm
            return CellTime(value.time())
        return CellTime(value.time(), value.date())
    if isinstance(value, time):
        return CellTime(value.replace(tzinfo=None))
    if isinstance(value, timedelta):
        if timedelta(0) <= value < timedelta(days=1):
            return CellTime((datetime.min + value).time())
        raise CellError(f"无法识别的时间「{value}」")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:  # an Excel time serial: fraction of a day
            seconds = round(value * 86400)
            return CellTime(time(seconds // 3600, seconds // 60 % 60, seconds % 60))
        raise CellError(f"无法识别的时间「{value}」")
    text = clean_text(value)
    if text is None or text in NO_PUNCH:
        return None
    result = _time_from_text(text)
    if isinstance(result, str):
        raise CellError(result)
    return result


@lru_cache(maxsize=65536)
def _time_from_text(text: str) -> CellTime | str | None:
    norm = unicodedata.normalize("NFKC", text).strip()
    if norm in NO_PUNCH:
        return None
    day: date | None = None
    date_match = _DATE_RE.match(norm)
    if date_match is not None and date_match["y"] and ":" not in norm[: date_match.end()]:
        found = _date_from_text(date_match[0].strip())
        if isinstance(found, str):
            return f"无法识别的时间「{text}」"
        day = found
        norm = norm[date_match.end() :].lstrip()
    match = _TIME_RE.match(norm)
    if match is None:
        return f"无法识别的时间「{text}」"
    rest = norm[match.end() :]
    if rest[:1].isdigit() or rest[:1] == ":":
        return f"无法识别的时间「{text}」"
    # Whatever follows the time is an annotation DingTalk adds: "(外勤)", "（补卡）".
    hour, minute = int(match["h"]), int(match["m"])
    second = int(match["s"]) if match["s"] else 0
    if hour > 23 or minute > 59 or second > 59 or len(match["m"]) != 2:
        return f"无法识别的时间「{text}」"
    next_day = 1 if match["next"] else 0
    if day is not None and next_day:
        return f"无法识别的时间「{text}」"
    return CellTime(time(hour, minute, second), day, next_day)
