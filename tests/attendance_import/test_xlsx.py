"""Reading realistic DingTalk exports: title rows, merged headers, synonyms, odd cells."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.dingtalk_fixture import (
    RAW_HEADER,
    DayPunches,
    Person,
    Sheet,
    daily_layout,
    daily_rows,
    raw_rows,
    title_rows,
)
from opsqm.pure.attendance_import import DingTalkImportError, read_dingtalk_xlsx

from .conftest import bj, xlsx

ZHANG = Person("张伟", "KH00101", "0123456789")
LI = Person("李娜", "KH00102", "0987654321")
TITLES = title_rows("原始记录", date(2025, 10, 25), date(2025, 11, 24))


def raw_sheet(rows, header=RAW_HEADER, titles=TITLES, title="原始记录"):
    return Sheet(title, list(header), rows, list(titles))


def two_days():
    return [
        DayPunches(ZHANG, date(2025, 10, 27), time(8, 52, 13), time(17, 31, 2)),
        DayPunches(LI, date(2025, 10, 27), None, time(17, 40, 0)),
    ]


def test_raw_records_with_title_rows(engine):
    book = read_dingtalk_xlsx(xlsx(raw_sheet(raw_rows(two_days()))), engine=engine)
    assert [(p.row, p.name, p.job_number, p.user_id, p.punched_at, p.result_text)
            for p in book.punches] == [
        (4, "张伟", "KH00101", "0123456789", bj(2025, 10, 27, 8, 52, 13), "正常"),
        (5, "张伟", "KH00101", "0123456789", bj(2025, 10, 27, 17, 31, 2), "正常"),
        (7, "李娜", "KH00102", "0987654321", bj(2025, 10, 27, 17, 40), "正常"),
    ]  # fmt: skip
    (sheet,) = book.sheets
    assert (sheet.name, sheet.kind, sheet.header_rows) == ("原始记录", "punches", (3,))
    assert (sheet.data_rows, sheet.punches, sheet.without_punch) == (4, 3, 1)
    assert sheet.columns["punch_time"] == "I"  # 打卡时间, not the scheduled 考勤时间 (H)
    assert all(p.source_sheet == "原始记录" and p.punched_at.utcoffset().seconds == 8 * 3600
               for p in book.punches)  # fmt: skip


def test_daily_statistics_with_merged_two_level_header(engine):
    top, sub = daily_layout(2)
    rows = []
    for row in daily_rows(two_days()):
        # daily_layout(2) has a second shift: insert its four cells after 下班1.
        rows.append([*row[:12], "13:30", "正常", "", "缺卡", *row[12:]])
    rows[0][12 + 4] = "调休 2025-10-27 14:00 至 17:30"
    sheet = Sheet(
        "每日统计", sub, rows, title_rows("每日统计", date(2025, 10, 25), date(2025, 11, 24)), top
    )
    book = read_dingtalk_xlsx(xlsx(sheet), engine=engine)
    zhang, li = book.days
    assert book.sheets[0].header_rows == (3, 4)
    assert (zhang.row, zhang.name, zhang.day) == (5, "张伟", date(2025, 10, 27))
    assert zhang.punches == [bj(2025, 10, 27, 8, 52), bj(2025, 10, 27, 17, 31),
                             bj(2025, 10, 27, 13, 30)]  # fmt: skip
    assert zhang.results["上班1打卡结果"] == "正常"
    assert zhang.results["下班2打卡结果"] == "缺卡"
    assert zhang.results["工作时长"] == "510"
    assert zhang.approvals_text == "调休 2025-10-27 14:00 至 17:30"
    assert li.punches == [bj(2025, 10, 27, 17, 40), bj(2025, 10, 27, 13, 30)]
    assert li.results["上班1打卡结果"] == "缺卡"
    # The daily file feeds the same punch evidence as the raw records.
    assert [(p.row, p.punched_at, p.result_text) for p in book.punches][:3] == [
        (5, bj(2025, 10, 27, 8, 52), "正常"),
        (5, bj(2025, 10, 27, 17, 31), "正常"),
        (5, bj(2025, 10, 27, 13, 30), "正常"),
    ]


def test_group_header_over_ordinary_columns_falls_back_to_sub_header(engine):
    # "考勤结果" merged over 打卡时间/打卡结果, the other headers merged vertically.
    top = ["姓名", "工号", "考勤日期", "考勤结果", None]
    sub = ["姓名", "工号", "考勤日期", "打卡时间", "打卡结果"]
    rows = [["张伟", "KH00101", "2025-10-27", "08:52", "正常"]]
    book = read_dingtalk_xlsx(xlsx(Sheet("原始记录", sub, rows, [], top)), engine=engine)
    assert [(p.row, p.punched_at) for p in book.punches] == [(3, bj(2025, 10, 27, 8, 52))]


def test_synonyms_shuffled_columns_unknown_columns_and_cell_types(engine):
    header = [
        "打卡备注",
        "员工编号",
        "时间戳",
        "用户ID",
        "日期",
        "实际打卡时间",
        "员工姓名",
        "结果",
    ]
    rows = [
        ["", "KH00101", "x", "u1", "2025/10/27", time(8, 52), "张伟", "正常"],
        [
            "",
            1002.0,
            "x",
            "",
            datetime(2025, 10, 27),
            datetime(2025, 10, 27, 17, 31, 5),
            "李娜",
            "",
        ],
        ["", "KH00101", "x", "u1", "20-09-01 星期二", "08:52 (外勤)", "张伟", "正常"],
        ["", "KH00101", "x", "u1", date(2025, 10, 27), "次日 00:30", "张伟", "正常"],
    ]
    book = read_dingtalk_xlsx(xlsx(Sheet("Sheet1", header, rows)), engine=engine)
    assert [(p.name, p.job_number, p.user_id, p.punched_at, p.result_text)
            for p in book.punches] == [
        ("张伟", "KH00101", "u1", bj(2025, 10, 27, 8, 52), "正常"),
        ("李娜", "1002", None, bj(2025, 10, 27, 17, 31, 5), None),
        ("张伟", "KH00101", "u1", bj(2020, 9, 1, 8, 52), "正常"),
        ("张伟", "KH00101", "u1", bj(2025, 10, 28, 0, 30), "正常"),
    ]  # fmt: skip


def test_extra_sheet_without_header_is_skipped(engine):
    notes = Sheet("说明", ["本表由钉钉导出"], [["仅供参考"]])
    staff = Sheet("人员", ["姓名", "工号", "部门"], [["张伟", "KH00101", "运维部"]])
    book = read_dingtalk_xlsx(xlsx(notes, staff, raw_sheet(raw_rows(two_days()))), engine=engine)
    assert book.skipped_sheets == ["说明", "人员"]
    assert len(book.punches) == 3


def test_progress_is_reported(engine):
    records = [DayPunches(ZHANG, date(2025, 10, 27), time(8, 52), time(17, 31))] * 1500
    calls: list[tuple[int, int]] = []
    read_dingtalk_xlsx(xlsx(raw_sheet(raw_rows(records))), engine=engine,
                       progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    rows = 3 + 3000
    assert [done for done, _ in calls] == [1000, 2000, 3000, rows]
    assert all(total >= done for done, total in calls)
    assert calls[0][1] == rows  # the estimate comes from the sheet's dimension
    assert calls[-1] == (rows, rows)


# --- errors ---------------------------------------------------------------------


def issues_of(data: bytes, engine: str) -> list[str]:
    with pytest.raises(DingTalkImportError) as err:
        read_dingtalk_xlsx(data, engine=engine)
    return [str(issue) for issue in err.value.issues]


def test_bad_cells_name_sheet_row_column_and_value_and_nothing_is_returned(engine):
    rows = list(raw_rows(two_days()))
    rows[0][8] = "25:61"  # row 4, column I (打卡时间)
    rows[2][6] = "25-10-27 星期二"  # row 6, column G (考勤日期): wrong weekday
    rows[3][0] = rows[3][3] = rows[3][5] = ""  # row 7: nobody
    assert issues_of(xlsx(raw_sheet(rows)), engine) == [
        "工作表「原始记录」 第 4 行 I 列（打卡时间）：无法识别的时间「25:61」",
        # row 6 has no punch (缺卡): its date is not needed, so not checked
        "工作表「原始记录」 第 7 行 A 列（姓名）：缺少人员（姓名、工号、UserId 均为空）",
    ]
    rows[2][8] = "17:40"
    assert "工作表「原始记录」 第 6 行 G 列（考勤日期）：日期与星期不符「25-10-27 星期二」" in (
        issues_of(xlsx(raw_sheet(rows)), engine)
    )


def test_bad_daily_cell_names_the_flattened_header(engine):
    top, sub = daily_layout(1)
    rows = list(daily_rows(two_days()))
    rows[1][10] = "17:4O"  # a letter O for a zero; title row 1, header 2–3: row 5, column K
    sheet = Sheet("每日统计", sub, rows, ["每日统计"], top)
    assert issues_of(xlsx(sheet), engine) == [
        "工作表「每日统计」 第 5 行 K 列（下班1打卡时间）：无法识别的时间「17:4O」"
    ]


def test_error_carries_structured_fields(engine):
    rows = list(raw_rows(two_days()))
    rows[0][8] = "25:61"
    with pytest.raises(DingTalkImportError) as err:
        read_dingtalk_xlsx(xlsx(raw_sheet(rows)), engine=engine)
    issue = err.value.issues[0]
    assert (issue.sheet, issue.row, issue.column, issue.header, issue.value) == (
        "原始记录", 4, "I", "打卡时间", "25:61"
    )  # fmt: skip


def test_missing_required_column(engine):
    header = [h for h in RAW_HEADER if h != "考勤日期"]
    rows = [row[:6] + row[7:] for row in raw_rows(two_days())]
    assert issues_of(xlsx(raw_sheet(rows, header)), engine) == [
        "工作表「原始记录」 第 3 行：缺少必需列「考勤日期」（可用列名：考勤日期、日期、打卡日期）"
    ]


def test_no_recognisable_header(engine):
    sheet = Sheet("Sheet1", ["编号", "金额"], [[1, 2]])
    assert issues_of(xlsx(sheet), engine) == [
        "未找到钉钉考勤表头（应含 姓名、考勤日期、打卡时间 等列）"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "旧版 .xls"),
        ("姓名,打卡时间\n张伟,08:52\n".encode(), "文件不是有效的 xlsx 工作簿"),
        (b"PK\x05\x06" + bytes(18), "文件不是有效的 xlsx 工作簿"),  # an empty zip
    ],
)
def test_not_an_xlsx(data, message, engine):
    (issue,) = issues_of(data, engine)
    assert message in issue


def test_reads_paths_without_xlsx_suffix_and_file_objects(tmp_path, engine):
    data = xlsx(raw_sheet(raw_rows(two_days())))
    upload = tmp_path / "upload.tmp"
    upload.write_bytes(data)
    assert len(read_dingtalk_xlsx(upload, engine=engine).punches) == 3
    assert len(read_dingtalk_xlsx(io.BytesIO(data), engine=engine).punches) == 3


# --- column order does not matter ------------------------------------------------

RECORDS = [
    DayPunches(ZHANG, date(2025, 10, 27), time(8, 52, 13), time(17, 31)),
    DayPunches(LI, date(2025, 10, 28), time(9, 3), None),
]
EXPECTED = read_dingtalk_xlsx(xlsx(raw_sheet(raw_rows(RECORDS))), engine="openpyxl").punches


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(len(RAW_HEADER))), titles=st.integers(0, 3))
def test_column_order_and_title_rows_do_not_change_the_rows(order, titles, engine):
    header = [RAW_HEADER[i] for i in order]
    rows = [[row[i] for i in order] for row in raw_rows(RECORDS)]
    got = read_dingtalk_xlsx(xlsx(raw_sheet(rows, header, TITLES[:1] * titles)), engine=engine)
    shift = titles - len(TITLES)  # EXPECTED was read with the two standard title rows
    assert [(p.row - shift, p.name, p.punched_at, p.result_text) for p in got.punches] == [
        (p.row, p.name, p.punched_at, p.result_text) for p in EXPECTED
    ]


def test_blank_rows_are_skipped_but_keep_row_numbers_and_progress(engine):
    raw = list(raw_rows(two_days()))
    raw.insert(2, [""] * len(raw[0]))  # sheet row 6: blank
    calls: list[tuple[int, int]] = []
    book = read_dingtalk_xlsx(xlsx(raw_sheet(raw)), engine=engine,
                              progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert [p.row for p in book.punches] == [4, 5, 8]
    assert (book.sheets[0].data_rows, book.sheets[0].without_punch) == (4, 1)
    assert calls[-1] == (3 + 5, 3 + 5)  # the blank row is read too
    top, sub = daily_layout(1)
    daily = list(daily_rows(two_days()))
    daily.insert(1, [""] * len(daily[0]))  # sheet row 6: blank
    titles = title_rows("每日统计", date(2025, 10, 25), date(2025, 11, 24))
    book = read_dingtalk_xlsx(xlsx(Sheet("每日统计", sub, daily, titles, top)), engine=engine)
    assert [(d.row, d.name) for d in book.days] == [(5, "张伟"), (7, "李娜")]
    assert book.sheets[0].data_rows == 2
