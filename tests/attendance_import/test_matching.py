from __future__ import annotations

from datetime import datetime

from opsqm.pure.assessment.model import TZ
from opsqm.pure.attendance_import import DingTalkPunch, StaffRef, match_people

AT = datetime(2025, 10, 27, 8, 52, tzinfo=TZ)
STAFF = [
    StaffRef("S01", "张伟", "KH001", "u-01"),
    StaffRef("S02", "李娜", "KH002", None),
    StaffRef("S03", "王芳", None, "u-03"),
    StaffRef("S04", "刘洋", None, None),
    StaffRef("S05", "刘洋", None, None),  # two 刘洋: a name alone cannot tell them apart
]


def punch(row: int, name=None, job=None, uid=None) -> DingTalkPunch:
    return DingTalkPunch(row, name, job, uid, AT, None, "原始记录")


def persons(rows):
    matched, unmatched = match_people(rows, STAFF)
    return [(r.row, p) for r, p in matched], [r.row for r in unmatched]


def test_job_number_first_then_user_id_then_unique_name():
    rows = [
        punch(1, "别名", "KH001"),  # 工号 wins over a different display name
        punch(2, None, None, "u-03"),  # UserId
        punch(3, "李娜"),  # unique name
        punch(4, " 李 娜 "),  # spaces inside and around a name are ignored
        punch(5, "刘洋"),  # ambiguous name: review list
        punch(6, "赵六"),  # nobody
        punch(7, "王芳", "KH999"),  # unknown 工号, falls through to the unique name
        punch(8, None, "ＫＨ００２"),  # full-width 工号
    ]
    assert persons(rows) == (
        [(1, "S01"), (2, "S03"), (3, "S02"), (4, "S02"), (7, "S03"), (8, "S02")],
        [5, 6],
    )


def test_a_contradicting_identifier_refuses_the_match():
    rows = [
        punch(1, "张伟", None, "u-99"),  # same name, another DingTalk account
        punch(2, "李娜", "KH001"),  # 工号 is 张伟's; name not consulted, 工号 consistent
        punch(3, None, "KH001", "u-03"),  # 工号 says 张伟, UserId says 王芳
        punch(4, "王芳", "KH001"),  # 工号 wins over the name
    ]
    assert persons(rows) == ([(2, "S01"), (4, "S01")], [1, 3])


def test_duplicate_job_numbers_in_staff_are_not_used():
    staff = [StaffRef(1, "甲", "KH1"), StaffRef(2, "乙", "KH1")]
    matched, unmatched = match_people([punch(1, "乙", "KH1")], staff)
    assert [(r.row, p) for r, p in matched] == [(1, 2)]  # by the unique name instead
    assert unmatched == []


def test_people_can_be_any_hashable_and_order_is_kept():
    staff = [StaffRef(("contract", 7), "张伟", "KH001")]
    rows = [punch(i, "张伟") for i in range(5)]
    matched, unmatched = match_people(rows, staff)
    assert [r.row for r, _ in matched] == [0, 1, 2, 3, 4]
    assert {p for _, p in matched} == {("contract", 7)}
    assert unmatched == []
