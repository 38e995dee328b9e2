from __future__ import annotations

import pytest

from opsqm.pure.attendance_import import DingTalkImportError, parse_open_api_records

from .conftest import bj

MS_0852 = 1761526320000  # 2025-10-27 08:52:00 +08:00


def test_records_become_punches():
    punches = parse_open_api_records([
        {"userId": "u-01", "userCheckTime": MS_0852, "checkType": "OnDuty",
         "timeResult": "Normal", "locationResult": "Normal", "workDate": 1761494400000},
        {"userId": "u-01", "userCheckTime": str(MS_0852 + 8 * 3600_000 + 39 * 60_000 + 13_000),
         "checkType": "OffDuty", "timeResult": "Normal", "locationResult": "Outside"},
        {"userId": 42, "userCheckTime": "2025-10-27T09:05:00+08:00", "checkType": "OnDuty",
         "timeResult": "Late"},
        {"userId": "u-02", "userCheckTime": "2025-10-27 09:01:00", "timeResult": "Custom"},
    ])  # fmt: skip
    assert [(p.row, p.user_id, p.punched_at, p.result_text, p.name) for p in punches] == [
        (1, "u-01", bj(2025, 10, 27, 8, 52), "上班 正常", None),
        (2, "u-01", bj(2025, 10, 27, 17, 31, 13), "下班 正常 （范围外）", None),
        (3, "42", bj(2025, 10, 27, 9, 5), "上班 迟到", None),
        (4, "u-02", bj(2025, 10, 27, 9, 1), "Custom", None),  # naive ISO = Beijing time
    ]


def test_not_signed_is_no_punch():
    # DingTalk fills a missing punch's userCheckTime with the scheduled time.
    item = {"userId": "u-01", "userCheckTime": MS_0852, "timeResult": "NotSigned"}
    assert parse_open_api_records([item]) == []


def test_errors_name_the_item_and_field_and_nothing_is_returned():
    with pytest.raises(DingTalkImportError) as err:
        parse_open_api_records([
            {"userId": "u-01", "userCheckTime": MS_0852},
            {"userCheckTime": MS_0852},
            {"userId": "u-01", "userCheckTime": 1761526320},  # seconds, not milliseconds
            {"userId": "u-01", "userCheckTime": "昨天"},
            "not an object",
        ])  # fmt: skip
    assert [str(i) for i in err.value.issues] == [
        "第 2 条记录（下标 1） 字段 userId：缺少 userId",
        "第 3 条记录（下标 2） 字段 userCheckTime：无法识别的打卡时间「1761526320」",
        "第 4 条记录（下标 3） 字段 userCheckTime：无法识别的打卡时间「昨天」",
        "第 5 条记录（下标 4）：记录不是 JSON 对象",
    ]
    assert err.value.issues[1].item == 2


def test_kinds_from_source_type_location_or_the_record_itself():
    base = {"userId": "u-01", "userCheckTime": MS_0852, "timeResult": "Normal"}
    punches = parse_open_api_records([
        base,
        {**base, "locationResult": "Outside"},
        {**base, "sourceType": "APPROVE"},
        {**base, "sourceType": "APPROVE", "locationResult": "Outside"},
        {**base, "kind": "field"},
        {**base, "sourceType": "APPROVE", "kind": "normal"},
    ])  # fmt: skip
    assert [p.kind for p in punches] == ["normal", "field", "makeup", "makeup", "field", "normal"]


@pytest.mark.parametrize("kind", ["remote", 3, None])
def test_an_unknown_kind_is_refused_naming_the_item(kind):
    with pytest.raises(DingTalkImportError) as err:
        parse_open_api_records([{"userId": "u-01", "userCheckTime": MS_0852, "kind": kind}])
    assert "kind" in str(err.value)
