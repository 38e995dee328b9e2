"""Punches in the shape of DingTalk's open API (`attendance/list` → `recordresult`).

    {"userId": "0123", "userCheckTime": 1730000000000, "checkType": "OnDuty",
     "timeResult": "Normal", "locationResult": "Normal", "workDate": 1729958400000, …}

`userCheckTime` is a millisecond epoch (an int or a string of digits) or an ISO
8601 string; an ISO string without offset is Beijing time, as DingTalk shows it.
A record with timeResult "NotSigned" is a missing punch: DingTalk fills its
userCheckTime with the scheduled time, so it is no punch and is skipped.

The kind of a punch: `sourceType` "APPROVE" (added by an approval: 补卡) is a makeup
punch, `locationResult` "Outside" (outside the attendance range: 外勤) a field punch;
a record may also say so itself with `"kind": "normal" | "field" | "makeup"`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from opsqm.pure.assessment.model import TZ

from .errors import ImportIssue, IssueCollector, show_value
from .records import DingTalkPunch, PunchKindName

SOURCE = "钉钉接口 attendance/list"
CHECK_TYPES = {"OnDuty": "上班", "OffDuty": "下班"}
TIME_RESULTS = {
    "Normal": "正常",
    "Early": "早退",
    "Late": "迟到",
    "SeriousLate": "严重迟到",
    "Absenteeism": "旷工迟到",
    "NotSigned": "未打卡",
}
LOCATION_RESULTS = {"Normal": "范围内", "Outside": "范围外", "NotSigned": "未打卡"}
# Millisecond epochs of 2000-01-01 … 2100-01-01: anything else is seconds or garbage.
_MS_MIN, _MS_MAX = 946_684_800_000, 4_102_444_800_000


def parse_open_api_records(items: Sequence[object]) -> list[DingTalkPunch]:
    """Punches of `recordresult` items; `DingTalkImportError` names every bad item."""
    issues = IssueCollector()
    punches = []
    for index, item in enumerate(items):

        def bad(field: str, value: object, message: str, index: int = index) -> None:
            shown = None if value is None else show_value(value)
            issues.add(ImportIssue(message, header=field, value=shown, item=index))

        if not isinstance(item, Mapping):
            bad("", item, "记录不是 JSON 对象")
            continue
        if item.get("timeResult") == "NotSigned":
            continue
        user_id = item.get("userId")
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            user_id = str(user_id)
        if not isinstance(user_id, str) or not user_id.strip():
            bad("userId", user_id, "缺少 userId")
            user_id = None
        raw_time = item.get("userCheckTime")
        at = _instant(raw_time)
        if at is None:
            bad("userCheckTime", raw_time, f"无法识别的打卡时间「{show_value(raw_time)}」")
        kind = _kind(item)
        if kind is None:
            bad("kind", item.get("kind"), "打卡类型应为 normal、field 或 makeup")
        if user_id is None or at is None or kind is None:
            continue
        punches.append(
            DingTalkPunch(index + 1, None, None, user_id.strip(), at, _result(item), SOURCE, kind)
        )
    issues.raise_if_any()
    return punches


KINDS: dict[object, PunchKindName] = {"normal": "normal", "field": "field", "makeup": "makeup"}


def _kind(item: Mapping[str, object]) -> PunchKindName | None:
    """The record's kind; None when it names one that does not exist."""
    if "kind" in item:
        given = item["kind"]
        return KINDS.get(given) if isinstance(given, str) else None
    if item.get("sourceType") == "APPROVE":
        return "makeup"
    if item.get("locationResult") == "Outside":
        return "field"
    return "normal"


def _instant(value: object) -> datetime | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not _MS_MIN <= value < _MS_MAX:
            return None
        return datetime.fromtimestamp(value / 1000, TZ)
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return at.replace(tzinfo=TZ) if at.tzinfo is None else at.astimezone(TZ)
    return None


def _result(item: Mapping[str, object]) -> str | None:
    parts = []
    check = item.get("checkType")
    if isinstance(check, str):
        parts.append(CHECK_TYPES.get(check, check))
    outcome = item.get("timeResult")
    if isinstance(outcome, str):
        parts.append(TIME_RESULTS.get(outcome, outcome))
    where = item.get("locationResult")
    if isinstance(where, str) and where != "Normal":
        parts.append(f"（{LOCATION_RESULTS.get(where, where)}）")
    return " ".join(parts) or None
