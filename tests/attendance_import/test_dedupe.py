from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsqm.pure.assessment.model import TZ
from opsqm.pure.attendance_import import DingTalkPunch, dedupe_punches, punch_key


def p(row: int, hh: int, mm: int, ss: int = 0, day: int = 27) -> DingTalkPunch:
    return DingTalkPunch(row, "张伟", None, None, datetime(2025, 10, day, hh, mm, ss, tzinfo=TZ),
                         None, "原始记录")  # fmt: skip


def stored(pairs):
    return {(person, row.punched_at) for row, person in pairs}


def test_reimporting_the_same_file_adds_nothing():
    first = dedupe_punches(set(), [(p(4, 8, 52, 13), "S01"), (p(5, 17, 31), "S01")])
    assert len(first) == 2
    assert dedupe_punches(stored(first), [(p(4, 8, 52, 13), "S01"), (p(5, 17, 31), "S01")]) == []


def test_an_overlapping_file_adds_only_what_is_new():
    old = stored([(p(4, 8, 52), "S01"), (p(5, 17, 31), "S01")])
    new = [(p(9, 17, 31), "S01"), (p(10, 8, 50, day=28), "S01"), (p(11, 8, 52), "S02")]
    assert [r.row for r, _ in dedupe_punches(old, new)] == [10, 11]


def test_seconds_do_not_count_but_minutes_do():
    old = stored([(p(4, 8, 52, 13), "S01")])
    new = [(p(5, 8, 52, 0), "S01"), (p(6, 8, 52, 59), "S01"), (p(7, 8, 53, 0), "S01")]
    assert [r.row for r, _ in dedupe_punches(old, new)] == [7]


def test_duplicates_within_one_import_keep_the_first():
    new = [(p(4, 8, 52, 13), "S01"), (p(9, 8, 52), "S01"), (p(5, 17, 31), "S01")]
    assert [r.row for r, _ in dedupe_punches(set(), new)] == [4, 5]


def test_instants_compare_across_offsets():
    utc = datetime(2025, 10, 27, 0, 52, tzinfo=UTC)  # 08:52 in Beijing
    assert dedupe_punches({("S01", utc)}, [(p(4, 8, 52), "S01")]) == []


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        punch_key("S01", datetime(2025, 10, 27, 8, 52))


@given(st.lists(st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
                          st.sampled_from(["S01", "S02"])), max_size=40))  # fmt: skip
def test_dedupe_is_idempotent_and_split_imports_equal_one(items):
    rows = [(p(i, hh, mm, ss), who) for i, (hh, mm, ss, who) in enumerate(items)]
    once = dedupe_punches(set(), rows)
    assert dedupe_punches(stored(once), rows) == []
    half = len(rows) // 2
    first = dedupe_punches(set(), rows[:half])
    second = dedupe_punches(stored(first), rows[half:])
    assert first + second == once
    assert len({punch_key(who, r.punched_at) for r, who in once}) == len(once)
