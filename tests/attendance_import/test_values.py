from datetime import date, datetime, time, timedelta

import pytest

from opsqm.pure.attendance_import.values import (
    CellError,
    CellTime,
    clean_text,
    parse_date,
    parse_time,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20-09-01 星期二", date(2020, 9, 1)),
        ("25-10-27 星期一", date(2025, 10, 27)),
        ("2025-10-27 星期一", date(2025, 10, 27)),
        ("2025/10/27", date(2025, 10, 27)),
        ("2025-10-27", date(2025, 10, 27)),
        ("2025年10月27日", date(2025, 10, 27)),
        (" 2025-10-27 00:00:00 ", date(2025, 10, 27)),
        ("２０２５－１０－２７", date(2025, 10, 27)),  # full-width digits
        (datetime(2025, 10, 27, 0, 0), date(2025, 10, 27)),
        (date(2025, 10, 27), date(2025, 10, 27)),
        (45957, date(2025, 10, 27)),  # an Excel serial
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-13-01", "不存在的日期「2025-13-01」"),
        ("25-10-27 星期二", "日期与星期不符「25-10-27 星期二」"),
        ("明天", "无法识别的日期「明天」"),
        ("2025-10-27 08:52", "无法识别的日期「2025-10-27 08:52」"),
        (None, "日期为空"),
        (12.5, "无法识别的日期「12.5」"),
    ],
)
def test_bad_dates(value, message):
    with pytest.raises(CellError) as err:
        parse_date(value)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08:52", CellTime(time(8, 52))),
        ("8:05", CellTime(time(8, 5))),
        ("08:52:13", CellTime(time(8, 52, 13))),
        ("08:52 (外勤)", CellTime(time(8, 52))),
        ("08:52（补卡）", CellTime(time(8, 52))),
        ("次日 01:05", CellTime(time(1, 5), None, 1)),
        ("2025-10-27 08:52:13", CellTime(time(8, 52, 13), date(2025, 10, 27))),
        ("25-10-27 星期一 17:31", CellTime(time(17, 31), date(2025, 10, 27))),
        (time(8, 52), CellTime(time(8, 52))),
        (datetime(2025, 10, 27, 8, 52, 13), CellTime(time(8, 52, 13), date(2025, 10, 27))),
        (datetime(1899, 12, 30, 8, 52), CellTime(time(8, 52))),
        (timedelta(hours=8, minutes=52), CellTime(time(8, 52))),
        (0.5, CellTime(time(12, 0))),
    ],
)
def test_times(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", "未打卡", "缺卡", "--", "-", "休息"])
def test_no_punch(value):
    assert parse_time(value) is None


@pytest.mark.parametrize("value", ["25:61", "08:60", "24:00", "0852", "08:5", "08:523", "迟到", 3])
def test_bad_times(value):
    with pytest.raises(CellError, match="无法识别的时间"):
        parse_time(value)


def test_next_day_and_dated_times_land_on_the_right_day():
    assert CellTime(time(1, 5), None, 1).on(date(2025, 10, 27)) == datetime(2025, 10, 28, 1, 5)
    dated = CellTime(time(8, 52), date(2025, 10, 28))
    assert dated.on(date(2025, 10, 27)) == datetime(2025, 10, 28, 8, 52)


def test_clean_text_drops_excel_float_tails():
    assert clean_text(1001.0) == "1001"
    assert clean_text("  KH001 ") == "KH001"
    assert clean_text("") is None
