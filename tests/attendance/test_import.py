"""DingTalk import into the database: matching, review list, dedupe, refusal."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from opsqm.facts.attendance.models import ImportBatch, UnmatchedPerson
from opsqm.facts.attendance.services import dismiss_unmatched, import_xlsx_now, map_unmatched
from opsqm.facts.staff.models import Punch
from opsqm.infra.audit.models import AuditRecord
from tests.attendance.conftest import raw_row, raw_xlsx

D1 = datetime.date(2025, 3, 3)
D2 = datetime.date(2025, 3, 4)


def _rows(day: datetime.date) -> list[list[Any]]:
    return [
        raw_row("张伟", "KH001", "U001", day, "08:51:10"),
        raw_row("张伟", "KH001", "U001", day, "17:35:02"),
        raw_row("李娜", "", "U002", day, "08:40:00"),  # by name
        raw_row("李娜", "", "U002", day, "17:40:00"),
        raw_row("赵敏", "KH777", "U777", day, "08:59:00"),  # nobody: review list
        raw_row("赵敏", "KH777", "U777", day, ""),  # 缺卡: no punch
    ]


@pytest.mark.django_db
def test_import_matches_stores_and_reimport_adds_nothing(
    staff_a: Any, assessor: Any, contract_a: Any
) -> None:
    data = raw_xlsx(_rows(D1))
    b1 = import_xlsx_now(assessor, data, "march.xlsx", contract_a)
    assert b1.status == ImportBatch.Status.DONE
    assert b1.counts() == {
        "rows": 6, "punches": 5, "matched": 4, "new": 4, "duplicates": 0, "unmatched": 1,
    }  # fmt: skip
    assert Punch.objects.count() == 4
    assert sorted(p.at.second for p in Punch.objects.filter(person=staff_a[0])) == [2, 10]
    (review,) = b1.people.all()
    assert (review.name, review.job_number, review.user_id) == ("赵敏", "KH777", "U777")
    (rec,) = AuditRecord.objects.filter(action="attendance.import")
    assert rec.actor == assessor and rec.object_id == str(b1.pk)
    assert rec.after == {**b1.counts(), "file_hash": b1.file_hash, "source": "xlsx"}
    assert b1.finished_at is not None and b1.issues == []

    b2 = import_xlsx_now(assessor, data, "march.xlsx", contract_a)
    assert b2.file_hash == b1.file_hash
    assert (b2.new_punches, b2.duplicates) == (0, 4)
    assert Punch.objects.count() == 4

    # Overlap: day 1 again (seconds differ: the same minute) and day 2 new.
    rows = _rows(D1) + _rows(D2)
    rows[0] = raw_row("张伟", "KH001", "U001", D1, "08:51:59")
    b3 = import_xlsx_now(assessor, raw_xlsx(rows), "march2.xlsx", contract_a)
    assert (b3.new_punches, b3.duplicates) == (4, 4)
    assert Punch.objects.count() == 8


@pytest.mark.django_db
def test_broken_file_stores_nothing(staff_a: Any, assessor: Any, contract_a: Any) -> None:
    rows = _rows(D1)
    rows[3] = raw_row("李娜", "", "U002", D1, "25:61:00")
    batch = import_xlsx_now(assessor, raw_xlsx(rows), "bad.xlsx", contract_a)
    assert batch.status == ImportBatch.Status.REFUSED
    assert Punch.objects.count() == 0 and not batch.people.exists()
    (issue,) = batch.issues
    assert issue["row"] == 6 and issue["column"] == "I"
    assert "第 6 行 I 列" in issue["message"]
    (rec,) = AuditRecord.objects.filter(action="attendance.import.refused")
    assert rec.actor == assessor and rec.object_id == str(batch.pk)
    assert rec.after == {"problems": 1, "file_hash": batch.file_hash}
    assert batch.finished_at is not None


@pytest.mark.django_db
def test_mapping_is_remembered(staff_a: Any, assessor: Any, contract_a: Any) -> None:
    _s1, s2 = staff_a
    data = raw_xlsx(_rows(D1))
    batch = import_xlsx_now(assessor, data, "a.xlsx", contract_a)
    review = batch.people.get()
    assert map_unmatched(review, s2, assessor) == 1
    s2.refresh_from_db()
    assert (s2.employee_no, s2.dingtalk_user_id) == ("KH777", "U777")
    review.refresh_from_db()
    assert review.state == UnmatchedPerson.State.MAPPED
    # Next import: 赵敏's row now matches 李娜's record (S02) by 工号; 李娜's own rows
    # (UserId U002, not S02's U777) go to review.
    again = import_xlsx_now(assessor, data, "a.xlsx", contract_a)
    assert again.unmatched == 2
    assert {p.name for p in again.people.all()} == {"李娜"}
    dismiss_unmatched(again.people.get(), assessor)
    assert again.people.get().state == "dismissed"


@pytest.mark.django_db
def test_vendor_scope_matches_only_own_contracts(
    staff_a: Any, staff_b: Any, vendor_manager: Any
) -> None:
    rows = [raw_row("王强", "KH901", "", D1, "08:50:00"), raw_row("张伟", "KH001", "", D1, "08:50")]
    batch = import_xlsx_now(vendor_manager, raw_xlsx(rows), "v.xlsx")
    assert (batch.matched, batch.unmatched) == (1, 1)
    assert not Punch.objects.filter(person=staff_b).exists()
