"""Objects of the attendance pages for tests/web/test_permission_matrix.py: an
import batch with a review row and a makeup punch per vendor, a leave request per contract (unit A's
recipient heads unit A), a DB calendar year 2027 with one day."""

from __future__ import annotations

import datetime
from typing import Any

from opsqm.infra.core.roles import Role


def add_objects(
    objs: dict[str, Any], users: dict[str, Any], contract_a: Any, contract_b: Any
) -> None:
    from opsqm.facts.attendance.models import (
        CalendarDay,
        CalendarYear,
        ImportBatch,
        UnitHead,
        UnmatchedPerson,
    )
    from opsqm.facts.staff.models import Leave, Punch, StaffMember

    tz = datetime.UTC
    start = datetime.datetime(2025, 3, 3, 1, tzinfo=tz)
    for tag, contract in (("a", contract_a), ("b", contract_b)):
        batch = ImportBatch.objects.create(
            source="xlsx", status="done", contract=contract, vendor=contract.vendor
        )
        row = UnmatchedPerson.objects.create(
            batch=batch, name="路人", first_at=start, last_at=start, punches=[start.isoformat()]
        )
        person = StaffMember.objects.get(pk=objs[f"staff_{tag}"])
        leave = Leave.objects.create(
            person=person,
            kind="leave",
            start=start,
            end=start + datetime.timedelta(hours=3),
            requested_at=start - datetime.timedelta(days=2),
            pending=True,
            approved=False,
            unit=contract.units.first(),
        )
        makeup = Punch.objects.create(person=person, at=start, kind="makeup", source="dingtalk")
        objs[f"punch_{tag}"] = makeup.pk
        objs[f"batch_{tag}"], objs[f"review_{tag}"], objs[f"leave_{tag}"] = (
            batch.pk,
            row.pk,
            leave.pk,
        )
    recipient = users[Role.RECIPIENT]
    head = UnitHead.objects.create(unit=recipient.unit, user=recipient)
    year = CalendarYear.objects.create(year=2027)
    day = CalendarDay.objects.create(year=year, day=datetime.date(2027, 1, 1), kind="holiday")
    objs["unit_head"], objs["calendar_day"] = head.pk, day.pk
