"""Attendance pages end to end: upload → worker → review list; month grid, day view
and monthly result; leave request and decision; DB calendar; replacement demands;
the open-API endpoint."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsqm.facts.attendance.models import CalendarDay, ImportBatch, UnmatchedPerson
from opsqm.facts.staff.models import Leave, Punch
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.jobs.worker import Worker
from opsqm.pure.assessment.model import TZ
from tests.attendance.conftest import raw_row, raw_xlsx
from tests.scope import client_for, make_user

D = datetime.date(2025, 3, 3)  # a Monday


def bj(d: datetime.date, h: int, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(d.year, d.month, d.day, h, mi, tzinfo=TZ)


def _run_jobs() -> None:
    Worker(name="test", manage_connections=False).run_once()


@pytest.mark.django_db
def test_upload_is_read_by_the_worker_with_progress(
    staff_a: Any, vendor_manager: Any, contract_a: Any
) -> None:
    rows = [
        raw_row("张伟", "KH001", "U001", D, "08:50:00"),
        raw_row("张伟", "KH001", "U001", D, "17:31:00"),
        raw_row("路人甲", "", "U999", D, "08:50:00"),
    ]
    c = client_for(vendor_manager)
    upload = SimpleUploadedFile("钉钉.xlsx", raw_xlsx(rows))
    r = c.post(reverse("attendance:imports"), {"contract": contract_a.pk, "file": upload})
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == "queued" and Punch.objects.count() == 0
    page = c.get(r["Location"])
    assert reverse("jobs:progress", args=[batch.job_id]) in page.content.decode()
    _run_jobs()
    batch.refresh_from_db()
    assert batch.status == "done" and batch.new_punches == 2 and batch.unmatched == 1
    assert c.get(reverse("jobs:progress", args=[batch.job_id])).status_code == 200
    body = c.get(r["Location"]).content.decode()
    assert "路人甲" in body and "U999" in body


@pytest.mark.django_db
def test_a_broken_upload_shows_the_parsers_messages(
    staff_a: Any, assessor: Any, contract_a: Any
) -> None:
    rows = [raw_row("张伟", "KH001", "U001", D, "8点50")]
    c = client_for(assessor)
    r = c.post(
        reverse("attendance:imports"),
        {"contract": contract_a.pk, "file": SimpleUploadedFile("x.xlsx", raw_xlsx(rows))},
    )
    _run_jobs()
    body = c.get(r["Location"]).content.decode()
    assert "第 3 行 I 列" in body and Punch.objects.count() == 0


@pytest.mark.django_db
def test_month_grid_day_view_and_result(staff_a: Any, assessor: Any, contract_a: Any) -> None:
    from opsqm.facts.staff import services as st

    s1, s2 = staff_a
    st.record_punches(s1, [bj(D, 9, 12), bj(D, 17, 30)], "dingtalk")  # late 12 min
    st.record_punches(s2, [bj(D, 8, 50)], "dingtalk")  # one punch: 缺卡
    c = client_for(assessor)
    url = reverse("attendance:month", args=[contract_a.pk]) + "?month=2025-03&as_of=2025-03-04"
    body = c.get(url).content.decode()
    assert "迟到" in body and "缺卡" in body and "-0.10" in body and "-1.00" in body
    day = c.get(reverse("attendance:day", args=[s1.pk, "2025-03-03"])).content.decode()
    assert "第十六条四" in body or "第十六条四" in day
    assert "迟到 12 分钟" in day and "09:00" in day and "09:12:00" in day
    xlsx = c.get(reverse("attendance:month_xlsx", args=[contract_a.pk]) + "?month=2025-03")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    name = f"attendance-{contract_a.pk}-2025-03.xlsx"
    assert xlsx["Content-Disposition"] == f'attachment; filename="{name}"'
    assert wb.sheetnames == ["月度汇总", "逐日明细"]
    summary = list(wb["月度汇总"].iter_rows(values_only=True))
    assert summary[1][0] == "人员编号"
    s1_row = next(r for r in summary if r[0] == "S01")
    assert s1_row[4] == 1 and s1_row[5] == 12  # one late arrival, 12 minutes


@pytest.mark.django_db
def test_result_xlsx_guards_formulas(assessor: Any, contract_a: Any) -> None:
    from opsqm.facts.staff.models import StaffMember

    StaffMember.objects.create(contract=contract_a, person="S9", name="=HYPERLINK(1)", entered_on=D)
    xlsx = client_for(assessor).get(
        reverse("attendance:month_xlsx", args=[contract_a.pk]) + "?month=2025-03"
    )
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content))["月度汇总"]
    names = [r[1] for r in ws.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names


@pytest.mark.django_db
def test_other_vendor_gets_404(
    staff_a: Any, other_vendor_manager: Any, contract_a: Any, recipient: Any
) -> None:
    s1, _ = staff_a
    c = client_for(other_vendor_manager)
    assert c.get(reverse("attendance:month", args=[contract_a.pk])).status_code == 404
    assert c.get(reverse("attendance:day", args=[s1.pk, "2025-03-03"])).status_code == 404
    # The unit's recipients read their unit's contracts.
    r = client_for(recipient).get(reverse("attendance:month", args=[contract_a.pk]))
    assert r.status_code == 200


@pytest.mark.django_db
def test_leave_request_and_decision(
    staff_a: Any, vendor_engineer: Any, recipient: Any, assessor: Any, unit_a: Any
) -> None:
    from opsqm.facts.attendance.services import set_unit_head

    s1, _ = staff_a
    s1.account = vendor_engineer
    s1.save()
    set_unit_head(unit_a, recipient)
    eng = client_for(vendor_engineer)
    day = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    r = eng.post(
        reverse("attendance:leave_create"),
        {"staff": s1.pk, "unit": unit_a.pk, "kind": "leave", "day": day, "part": "morning"},
    )
    assert r.status_code == 302, r.content.decode()
    leave = Leave.objects.get()
    assert leave.pending and not leave.approved
    assert (leave.start.astimezone(TZ).hour, leave.end.astimezone(TZ).hour) == (9, 12)
    page = eng.get(r["Location"]).content.decode()
    assert "timely" in page or "及时" in page
    # Only the head of the unit decides.
    url = reverse("attendance:leave_decide", args=[leave.pk])
    assert client_for(assessor).post(url, {"decision": "approve"}).status_code == 403
    head = client_for(recipient)
    assert (
        reverse("attendance:leave_decide", args=[leave.pk])
        in head.get(reverse("attendance:leave_detail", args=[leave.pk])).content.decode()
    )
    assert head.post(url, {"decision": "approve", "note": "同意"}).status_code == 302
    leave.refresh_from_db()
    assert leave.approved and not leave.pending and leave.approver == recipient
    assert AuditRecord.objects.filter(action="staff.leave.approve").exists()


@pytest.mark.django_db
def test_late_request_is_flagged_by_the_engine(staff_a: Any, vendor_manager: Any) -> None:
    from opsqm.facts.staff.services import request_leave

    s1, _ = staff_a
    leave = request_leave(
        s1,
        {
            "unit": s1.contract.units.get(),
            "kind": "comp_time",
            "start": bj(D, 9),
            "end": bj(D, 17, 30),
        },
        vendor_manager,
        now=bj(D, 8),
    )
    page = client_for(vendor_manager).get(reverse("attendance:leave_detail", args=[leave.pk]))
    body = page.content.decode()
    assert "调休未提前 24 小时申请" in body


@pytest.mark.django_db
def test_uncovered_year_shows_the_calendar_message_then_db_calendar_fills_it(
    assessor: Any, contract_a: Any, staff_a: Any
) -> None:
    from opsqm.derived.evidence.adapter import contract_evidence

    contract_a.end = datetime.date(2027, 12, 31)
    contract_a.save()
    c = client_for(assessor)
    url = reverse("attendance:month", args=[contract_a.pk]) + "?month=2027-02&as_of=2027-03-01"
    xlsx_path = reverse("attendance:month_xlsx", args=[contract_a.pk])
    r = c.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert "2027-" in body and reverse("attendance:calendar") in body
    # The month's XLSX result answers the same page, not a 500 or a broken file.
    r = c.get(url.replace(reverse("attendance:month", args=[contract_a.pk]), xlsx_path))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert reverse("attendance:calendar") in r.content.decode()
    before = contract_evidence(contract_a)
    r = c.post(reverse("attendance:calendar"), {"year": 2027, "notes": "国办发明电〔2026〕"})
    assert r.status_code == 302
    r = c.post(
        reverse("attendance:calendar_year", args=[2027]),
        {"day": "2027-02-08", "kind": "holiday", "name": "春节"},
    )
    assert r.status_code == 302
    assert CalendarDay.objects.count() == 1
    body = c.get(url).content.decode()
    assert "缺勤" in body  # the grid is computed now
    # A covered year is refused; the export does not change.
    r = c.post(reverse("attendance:calendar"), {"year": 2025})
    assert r.status_code == 200 and "2025" in r.content.decode()
    assert contract_evidence(contract_a) == before


@pytest.mark.django_db
def test_db_calendar_reaches_the_ledger(assessor: Any, contract_a: Any, staff_a: Any) -> None:
    from opsqm.derived.ledger.services import contract_ledger
    from opsqm.facts.attendance.services import add_calendar_day, add_calendar_year

    contract_a.end = datetime.date(2027, 1, 31)
    contract_a.save()
    cy = add_calendar_year(2027)
    add_calendar_day(cy, datetime.date(2027, 1, 1), "holiday", "元旦")
    ledger = contract_ledger(contract_a, bj(datetime.date(2027, 1, 6), 18))
    refs = {i.ref for i in ledger.items if i.rule == "P3"}
    assert "S01 2027-01-04" in refs and "S01 2027-01-01" not in refs


@pytest.mark.django_db
def test_replacement_demand_deadline_and_fulfilment(
    staff_a: Any, assessor: Any, vendor_manager: Any, contract_a: Any
) -> None:
    from opsqm.facts.staff.models import ReplacementDemand, StaffMember
    from opsqm.facts.staff.services import register_replacement

    s1, _ = staff_a
    c = client_for(assessor)
    r = c.post(reverse("attendance:demands"), {"staff": s1.pk, "reason": "多次迟到"})
    assert r.status_code == 302
    d = ReplacementDemand.objects.get()
    assert d.due - d.demanded_at == datetime.timedelta(days=3)
    assert client_for(vendor_manager).post(reverse("attendance:demands"), {}).status_code == 403
    body = client_for(vendor_manager).get(reverse("attendance:demands")).content.decode()
    assert "多次迟到" in body and "data-deadline" in body
    new = StaffMember.objects.create(contract=contract_a, person="S03", name="新人", entered_on=D)
    register_replacement(
        contract_a,
        {"person_out": s1, "person_in": new, "replaced_at": d.demanded_at, "emergency": True},
    )
    d.refresh_from_db()
    assert d.fulfilled_by is not None
    assert AuditRecord.objects.filter(action="staff.replacement.demand.fulfil").exists()


@pytest.mark.django_db
def test_api_punches(staff_a: Any, vendor_manager: Any, users: Any) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(vendor_manager)
    items = [
        {"userId": "U001", "userCheckTime": "2025-03-03T08:51:20", "checkType": "OnDuty"},
        {"userId": "U001", "userCheckTime": "2025-03-03T17:40:00", "checkType": "OffDuty"},
        {"userId": "NOBODY", "userCheckTime": "2025-03-03T08:00:00", "checkType": "OnDuty"},
    ]
    url = reverse("api:attendance-punches")
    r = api.post(url, items, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["new"] == 2 and r.json()["unmatched"] == 1 and not r.json()["repeated"]
    first = r.json()["batch"]
    batches, people = ImportBatch.objects.count(), UnmatchedPerson.objects.count()
    # The same payload again (a client retrying, keys in another order): no new
    # batch, no new review-list rows, the first batch's answer.
    again = [dict(reversed(list(item.items()))) for item in items]
    r = api.post(url, again, format="json")
    assert r.status_code == 200 and r.json()["batch"] == first and r.json()["repeated"]
    assert (ImportBatch.objects.count(), UnmatchedPerson.objects.count()) == (batches, people)
    # The same punches in another payload: a new batch, all duplicates.
    r = api.post(url, {"records": items[:2]}, format="json")
    assert r.status_code == 201 and r.json()["new"] == 0 and r.json()["duplicates"] == 2
    bad = [items[0], {"userId": "U001", "userCheckTime": "yesterday"}]
    r = api.post(url, bad, format="json")
    assert r.status_code == 400
    (issue,) = r.json()["records"]
    assert issue["index"] == 1 and issue["field"] == "userCheckTime"
    assert Punch.objects.count() == 2
    supervisor = APIClient()
    supervisor.force_authenticate(users["supervisor"])
    assert supervisor.post(url, items, format="json").status_code == 403


@pytest.mark.django_db
def test_unit_heads_page(assessor: Any, recipient: Any, unit_a: Any, unit_b: Any) -> None:
    c = client_for(assessor)
    r = c.post(reverse("attendance:unit_heads"), {"unit": unit_b.pk, "user": recipient.pk})
    assert r.status_code == 200  # a recipient of unit A cannot head unit B
    r = c.post(reverse("attendance:unit_heads"), {"unit": unit_a.pk, "user": recipient.pk})
    assert r.status_code == 302
    other = make_user("recipient", "r2", unit=unit_a)
    assert client_for(other).get(reverse("attendance:unit_heads")).status_code == 403


@pytest.mark.django_db
def test_the_index_opens_each_contract_at_a_month_of_its_period(
    assessor: Any, contract_a: Any, contract_b: Any
) -> None:
    from django.utils import timezone

    # Contract A (2025) is over: its last month; B runs until the end of next year.
    contract_b.start = timezone.localdate() - datetime.timedelta(days=40)
    contract_b.end = timezone.localdate() + datetime.timedelta(days=400)
    contract_b.save()
    body = client_for(assessor).get(reverse("attendance:index")).content.decode()
    assert f'{reverse("attendance:month", args=[contract_a.pk])}?month=2025-12"' in body
    this_month = f"{timezone.localdate():%Y-%m}"
    assert f'{reverse("attendance:month", args=[contract_b.pk])}?month={this_month}"' in body
