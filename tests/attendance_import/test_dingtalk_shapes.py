"""DingTalk's exports as they are laid out today (2025): the daily statistics with a
two-row header in both shapes and the older one-row header, 休息 and 请假 days, the
kinds of punch (外勤, 补卡), and a raw file without 打卡时间 refused."""

from __future__ import annotations

from datetime import date

import pytest

from bench.dingtalk_fixture import RAW_HEADER, Sheet, title_rows
from opsqm.pure.attendance_import import DingTalkImportError, read_dingtalk_xlsx

from .conftest import bj, xlsx

TITLES = title_rows("每日统计", date(2025, 11, 3), date(2025, 11, 7))
LEFT = ["姓名", "工号", "部门", "UserId", "日期", "班次"]
RIGHT = ["出勤天数", "工作时长", "关联的审批单"]
LEAVE_GROUP = ["事假", "病假", "调休"]

# One person's week: a normal day, a 外勤 evening, a 补卡 morning, a 请假 day, a 休息 day.
#          date          on       on result       off      off result  事假 病假 调休  approvals
WEEK = [
    ("25-11-03 星期一", "08:52", "正常", "17:35", "正常", "", "", "", ""),
    ("25-11-04 星期二", "08:58", "正常", "18:10", "外勤", "", "", "", ""),
    ("25-11-05 星期三", "09:00", "补卡审批通过", "17:31", "正常", "", "", "", "补卡 11-05"),
    ("25-11-06 星期四", "", "请假", "", "请假", "7.5", "", "", "事假 11-06 09:00 至 17:30"),
    ("25-11-08 星期六", "", "休息", "", "休息", "", "", "", ""),
]  # fmt: skip
SHIFT_NAMES = ["上班1打卡时间", "上班1打卡结果", "下班1打卡时间", "下班1打卡结果"]


def _rows():
    rows = []
    for day, on, on_r, off, off_r, sick, ill, comp, appr in WEEK:
        left = ["张伟", "KH00101", "运维部", "0123456789", day, "正常班 09:00-17:30"]
        rows.append([*left, on, on_r, off, off_r, sick, ill, comp, "1", "510", appr])
    return rows


EXPECTED = [
    (bj(2025, 11, 3, 8, 52), "normal"),
    (bj(2025, 11, 3, 17, 35), "normal"),
    (bj(2025, 11, 4, 8, 58), "normal"),
    (bj(2025, 11, 4, 18, 10), "field"),
    (bj(2025, 11, 5, 9, 0), "makeup"),
    (bj(2025, 11, 5, 17, 31), "normal"),
]


def _punches(sheet: Sheet, engine: str):
    book = read_dingtalk_xlsx(xlsx(sheet), engine=engine)
    return book, [(p.punched_at, p.kind) for p in book.punches]


def test_two_row_header_single_names_merged_vertically_and_a_leave_group(engine):
    """上班1打卡时间 … each merged over both rows; 请假 merged over 事假/病假/调休."""
    top = [*LEFT, *SHIFT_NAMES, "请假", None, None, *RIGHT]
    sub = [*LEFT, *SHIFT_NAMES, *LEAVE_GROUP, *RIGHT]
    book, punches = _punches(Sheet("每日统计", sub, _rows(), TITLES, top), engine)
    assert punches == EXPECTED
    assert book.sheets[0].header_rows == (3, 4)
    leave_day = book.days[3]
    assert (leave_day.day, leave_day.punches) == (date(2025, 11, 6), [])
    assert leave_day.results["请假事假"] == "7.5"
    assert leave_day.results["上班1打卡结果"] == "请假"
    assert book.days[4].punches == []  # 休息


def test_two_row_header_shift_groups_over_time_and_result(engine):
    """上班1 merged over 打卡时间/打卡结果, the single names merged vertically."""
    shifts_top = ["上班1", None, "下班1", None]
    shifts_sub = ["打卡时间", "打卡结果", "打卡时间", "打卡结果"]
    top = [*LEFT, *shifts_top, "请假", None, None, *RIGHT]
    sub = [*LEFT, *shifts_sub, *LEAVE_GROUP, *RIGHT]
    _, punches = _punches(Sheet("每日统计", sub, _rows(), TITLES, top), engine)
    assert punches == EXPECTED


def test_two_row_header_without_title_rows(engine):
    top = [*LEFT, *SHIFT_NAMES, "请假", None, None, *RIGHT]
    sub = [*LEFT, *SHIFT_NAMES, *LEAVE_GROUP, *RIGHT]
    book, punches = _punches(Sheet("每日统计", sub, _rows(), [], top), engine)
    assert punches == EXPECTED
    assert book.sheets[0].header_rows == (1, 2)


def test_older_one_row_header_still_read(engine):
    header = [*LEFT, *SHIFT_NAMES, "事假(小时)", "病假(小时)", "调休(小时)", *RIGHT]
    _, punches = _punches(Sheet("每日统计", header, _rows(), TITLES), engine)
    assert punches == EXPECTED


def test_only_punch_time_cells_are_punches(engine):
    """A 班次 with times, a 工作时长 and an approval's times are never punches."""
    header = [*LEFT, *SHIFT_NAMES, "事假", "病假", "调休", *RIGHT]
    rows = [row for row in _rows() if row[4].startswith("25-11-06")]  # the leave day
    book, punches = _punches(Sheet("每日统计", header, rows, TITLES), engine)
    assert punches == []
    assert book.sheets[0].without_punch == 1


def _raw(rows, header=RAW_HEADER):
    return Sheet(
        "原始记录", list(header), rows, title_rows("原始记录", date(2025, 11, 3), date(2025, 11, 7))
    )


def _raw_row(day, scheduled, punched, result, remark=""):
    return ["张伟", "运维组", "运维部", "KH00101", "工程师", "0123456789",
            day, scheduled, punched, result, "北京市西城区", remark, "", "手机"]  # fmt: skip


def test_raw_records_tell_field_and_makeup_punches(engine):
    rows = [
        _raw_row("25-11-04 星期二", "09:00", "2025-11-04 08:58:00", "正常"),
        _raw_row("25-11-04 星期二", "17:30", "2025-11-04 18:10:00", "外勤"),
        _raw_row("25-11-05 星期三", "09:00", "2025-11-05 09:00:00", "补卡审批通过"),
        _raw_row("25-11-05 星期三", "17:30", "2025-11-05 17:31:00", "正常"),
    ]
    _, punches = _punches(_raw(rows), engine)
    assert [k for _, k in punches] == ["normal", "field", "makeup", "normal"]


def test_an_annotation_in_the_time_cell_tells_the_kind(engine):
    rows = [
        _raw_row("25-11-04 星期二", "09:00", "2025-11-04 08:58（补卡）", "正常"),
        _raw_row("25-11-04 星期二", "17:30", "2025-11-04 18:10 (外勤)", "正常"),
    ]
    _, punches = _punches(_raw(rows), engine)
    assert punches == [(bj(2025, 11, 4, 8, 58), "makeup"), (bj(2025, 11, 4, 18, 10), "field")]


def test_raw_file_without_punch_time_is_refused_never_read_from_the_schedule(engine):
    header = [h for h in RAW_HEADER if h != "打卡时间"]
    rows = [[c for i, c in enumerate(_raw_row("25-11-04 星期二", "09:00", "x", "正常")) if i != 8]]
    with pytest.raises(DingTalkImportError) as exc:
        read_dingtalk_xlsx(xlsx(_raw(rows, header)), engine=engine)
    text = str(exc.value)
    assert "打卡时间" in text and "考勤时间" in text  # names the missing column and why


def test_daily_statistics_with_only_scheduled_times_is_refused(engine):
    header = [*LEFT, "上班1考勤时间", "上班1打卡结果", "下班1考勤时间", "下班1打卡结果", *RIGHT]
    rows = [["张伟", "KH00101", "运维部", "0123456789", "25-11-03 星期一", "正常班",
             "09:00", "正常", "17:30", "正常", "1", "510", ""]]  # fmt: skip
    with pytest.raises(DingTalkImportError) as exc:
        read_dingtalk_xlsx(xlsx(Sheet("每日统计", header, rows, TITLES)), engine=engine)
    assert "打卡时间" in str(exc.value)
