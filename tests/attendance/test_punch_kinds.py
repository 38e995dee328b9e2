"""补卡 and 外勤 in the database: imported with their kind, shown on the month grid and
the day view, a makeup punch confirmed by the assessor or the unit's head (audited),
counted by the engine only once confirmed, and carried by the evidence export."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.facts.attendance.makeup import confirm_makeup_punch
from opsqm.facts.attendance.models import UnitHead
from opsqm.facts.attendance.services import import_api_records, import_xlsx_now
from opsqm.facts.staff.models import Punch
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.engine import assess
from opsqm.pure.assessment.evidence_log import read_evidence_log, write_evidence_log
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.rulebook import load_rulebook, rulebook_for
from tests.attendance.conftest import raw_row, raw_xlsx

DAY = datetime.date(2025, 3, 4)  # a Tuesday
AS_OF = datetime.datetime(2025, 3, 5, 9, 0, tzinfo=TZ)


def _row(hhmmss: str, result: str, day: datetime.date = DAY) -> list[Any]:
    row = raw_row("张伟", "KH001", "U001", day, hhmmss)
    row[9] = result
    return row


def _import(assessor: Any, contract: Any) -> None:
    """Monday: a normal day.  Tuesday: a 外勤 morning and a 补卡 evening."""
    monday = DAY - datetime.timedelta(days=1)
    rows = [
        _row("08:55:00", "正常", monday),
        _row("17:35:00", "正常", monday),
        _row("08:50:00", "外勤"),
        _row("17:31:00", "补卡审批通过"),
    ]
    batch = import_xlsx_now(assessor, raw_xlsx(rows), "march.xlsx", contract)
    assert batch.new_punches == 4, batch.issues


def _p3_of_day(contract: Any) -> Decimal:
    ev = contract_evidence(contract)
    ledger = assess(ev, AS_OF, rulebook_for(ev.contract, load_rulebook()))
    return sum(
        (i.points for i in ledger.items if i.rule == "P3" and i.ref == f"S01 {DAY}"), Decimal(0)
    )


@pytest.mark.django_db
def test_import_keeps_kinds_and_only_a_confirmed_makeup_counts(
    staff_a: Any, assessor: Any, contract_a: Any
) -> None:
    _import(assessor, contract_a)
    kinds = list(Punch.objects.order_by("at").values_list("kind", "confirmed"))
    assert kinds == [("normal", False)] * 2 + [("field", False), ("makeup", False)]
    assert _p3_of_day(contract_a) == Decimal("-1")  # the 补卡 is the day's second punch

    makeup = Punch.objects.get(kind="makeup")
    confirm_makeup_punch(makeup, assessor)
    assert _p3_of_day(contract_a) == 0
    (rec,) = AuditRecord.objects.filter(action="attendance.makeup.confirm")
    assert rec.actor == assessor and rec.after == {"confirmed": True}

    confirm_makeup_punch(makeup, assessor, confirmed=False)
    assert _p3_of_day(contract_a) == Decimal("-1")
    assert AuditRecord.objects.filter(action="attendance.makeup.withdraw").count() == 1


@pytest.mark.django_db
def test_export_writes_kind_and_confirmed_and_score_agrees(
    staff_a: Any, assessor: Any, contract_a: Any
) -> None:
    _import(assessor, contract_a)
    confirm_makeup_punch(Punch.objects.get(kind="makeup"), assessor)
    out = io.BytesIO()
    write_evidence_log([contract_evidence(contract_a)], out)
    punches = [json.loads(x) for x in out.getvalue().splitlines() if b'"punch"' in x]
    assert [(p.get("kind"), p.get("confirmed")) for p in punches] == [
        (None, None),
        (None, None),
        ("field", False),
        ("makeup", True),
    ]
    back = read_evidence_log(io.BytesIO(out.getvalue()))[contract_a.code]
    assert [(p.kind.value, p.confirmed) for p in back.punches] == [
        ("normal", False),
        ("normal", False),
        ("field", False),
        ("makeup", True),
    ]


@pytest.mark.django_db
def test_the_unit_head_may_confirm_the_vendor_may_not(
    staff_a: Any, assessor: Any, contract_a: Any, recipient: Any, vendor_manager: Any, login: Any
) -> None:
    _import(assessor, contract_a)
    makeup = Punch.objects.get(kind="makeup")
    url = reverse("attendance:punch_confirm", args=[makeup.pk])
    assert login(vendor_manager).post(url).status_code == 403
    assert login(recipient).post(url).status_code == 403  # not the unit's head yet
    UnitHead.objects.create(unit=contract_a.units.get(), user=recipient)
    resp = login(recipient).post(url)
    assert resp.status_code == 302
    makeup.refresh_from_db()
    assert makeup.confirmed and makeup.confirmed_by == recipient
    normal = Punch.objects.filter(kind="normal").first()
    url_normal = reverse("attendance:punch_confirm", args=[normal.pk])
    assert login(assessor).post(url_normal).status_code == 403  # nothing to confirm


@pytest.mark.django_db
def test_month_grid_and_day_view_show_the_kinds(
    staff_a: Any, assessor: Any, contract_a: Any, login: Any
) -> None:
    _import(assessor, contract_a)
    client = login(assessor)
    grid = client.get(reverse("attendance:month", args=[contract_a.pk]) + "?month=2025-03")
    html = grid.content.decode()
    assert "pk-field" in html and "pk-makeup pk-pending" in html
    day = client.get(reverse("attendance:day", args=[staff_a[0].pk, DAY.isoformat()]))
    html = day.content.decode()
    assert "补卡（待确认）" in html and "外勤" in html
    assert reverse("attendance:punch_confirm", args=[Punch.objects.get(kind="makeup").pk]) in html


@pytest.mark.django_db
def test_punches_api_takes_the_kind(staff_a: Any, assessor: Any, contract_a: Any) -> None:
    at = datetime.datetime(2025, 3, 4, 17, 31, tzinfo=TZ).isoformat()
    records = [
        {"userId": "U001", "userCheckTime": at, "kind": "makeup"},
        {"userId": "U001", "userCheckTime": "2025-03-04T08:50:00+08:00", "sourceType": "ATM"},
    ]
    import_api_records(assessor, records, contract_a)
    assert sorted(Punch.objects.values_list("kind", flat=True)) == ["makeup", "normal"]


@pytest.mark.django_db
def test_monthly_result_lists_field_and_pending_makeup_punches(
    staff_a: Any, assessor: Any, contract_a: Any, login: Any
) -> None:
    from openpyxl import load_workbook

    _import(assessor, contract_a)
    url = reverse("attendance:month_xlsx", args=[contract_a.pk]) + "?month=2025-03"
    book = load_workbook(io.BytesIO(login(assessor).get(url).content), read_only=True)
    cells = [str(c) for row in book["逐日明细"].iter_rows(values_only=True) for c in row if c]
    assert "08:50（外勤） 17:31（补卡（待确认））" in cells
