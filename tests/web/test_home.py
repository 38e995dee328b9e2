"""Home page per role."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from opsqm.infra.core.roles import Role
from tests.factories import create_ticket
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_tickets(contract_a, contract_b, unit_a, unit_b):
    now = timezone.now()
    create_ticket(contract_a, {"number": "GD-A1", "unit": unit_a, "dispatched_at": now})
    create_ticket(contract_b, {"number": "GD-B1", "unit": unit_b, "dispatched_at": now})


def test_every_role_has_a_home(users, login, open_tickets):
    for role in Role:
        assert login(users[role.value]).get("/").status_code == 200


def test_desk_sees_every_open_ticket_with_countdown(service_desk, login, open_tickets):
    html = login(service_desk).get("/").content.decode()
    assert "GD-A1" in html and "GD-B1" in html
    assert html.count("data-deadline=") == 2


def test_vendor_and_recipient_see_only_their_tickets(users, login, open_tickets):
    for role in ("vendor_engineer", "vendor_manager", "recipient"):
        html = login(users[role]).get("/").content.decode()
        assert "GD-A1" in html and "GD-B1" not in html


def test_assessor_and_supervisor_see_scores(users, login, evidence_a):
    for role in ("assessor", "supervisor"):
        html = login(users[role]).get("/").content.decode()
        assert f"/ledger/{evidence_a.code}/" in html


def test_admin_home_has_no_business_data(users, login, open_tickets):
    html = login(users["audit_admin"]).get("/").content.decode()
    assert "GD-A1" not in html


def test_each_role_sees_its_next_steps(users, login, contract_a, unit_a):
    from opsqm.facts.tickets.models import Ticket
    from opsqm.facts.tickets.services import record_intake

    report = record_intake(
        contract_a,
        user=users["service_desk"],
        reporter="王警官",
        unit=unit_a,
        phone="010-1",
        system="终端",
        description="无法登录",
        priority="normal",
        reported_at=timezone.make_aware(datetime.datetime(2025, 6, 2, 10, 0)),
    )
    now = timezone.now()
    dispatched = create_ticket(
        contract_a, {"number": "GD-D1", "unit": unit_a, "dispatched_at": now}
    )
    resolved = create_ticket(
        contract_a,
        {
            "number": "GD-R1",
            "unit": unit_a,
            "dispatched_at": now,
            "acknowledged_at": now,
            "resolved_at": now,
        },
    )
    assert report.status == Ticket.Status.REPORTED
    assert dispatched.status == Ticket.Status.DISPATCHED
    assert resolved.status == Ticket.Status.RESOLVED

    def queues(role):
        html = login(users[role]).get("/").content.decode()
        return {
            status: html[html.index(f'data-status="{status}"') :].split("</section>")[0]
            for status in Ticket.Status.values
            if f'data-status="{status}"' in html
        }

    desk = queues("service_desk")
    assert set(desk) == {"reported", "awaiting_phone"}
    assert f'href="/tickets/{report.pk}/"' in desk["reported"]
    assert "GD-D1" not in desk["reported"] and 'class="badge warn">1</span>' in desk["reported"]
    assert 'class="badge">0</span>' in desk["awaiting_phone"]
    engineer = queues("vendor_engineer")
    assert set(engineer) == {"dispatched"} and "GD-D1" in engineer["dispatched"]
    recipient = queues("recipient")
    assert set(recipient) == {"resolved"} and "GD-R1" in recipient["resolved"]
    # The assessor's home is the scores, not the flow.
    assert queues("assessor") == {}


def test_assessor_and_supervisor_see_their_next_steps(users, login, contract_a, contract_b):
    """Issue 12: each next step a count and links; only the contracts in scope."""
    import datetime

    from opsqm.derived.acceptance.models import AcceptanceFile, Deliverable
    from opsqm.derived.settlement.models import SettlementStatement
    from opsqm.facts.attendance.models import ImportBatch, UnmatchedPerson
    from opsqm.facts.incidents.models import Incident
    from opsqm.facts.staff.models import Punch, StaffMember

    when = datetime.datetime(2025, 3, 3, 9, tzinfo=datetime.UTC)
    inc = Incident.objects.create(contract=contract_a, code="SG-TODO", occurred_at=when)
    batch = ImportBatch.objects.create(source="xlsx", status="done", contract=contract_a)
    UnmatchedPerson.objects.create(batch=batch, name="路人甲", first_at=when, last_at=when)
    person = StaffMember.objects.create(
        contract=contract_a, person="S09", name="赵工", entered_on=datetime.date(2025, 1, 2)
    )
    Punch.objects.create(person=person, at=when, kind="makeup", source="dingtalk")
    Punch.objects.create(person=person, at=when + datetime.timedelta(hours=8), kind="normal")
    late = Deliverable.objects.create(
        contract=contract_a,
        kind="monthly_inspection",
        period="2025-01",
        due=datetime.date(2025, 2, 5),
    )
    html = login(users["assessor"]).get("/").content.decode()
    for key, count in (
        ("determinations", 1),
        ("unmatched", 1),
        ("makeup", 1),
        ("late_deliverables", 1),
        ("settlements", 2),  # both 2025 contracts are over and have no settlement
    ):
        card = html.split(f'data-task="{key}"')[1].split("</section>")[0]
        assert f'<span class="badge warn">{count}</span>' in card, key
    assert f"/incidents/{inc.pk}/" in html and "SG-TODO" in html
    assert f"/attendance/imports/{batch.pk}/" in html
    assert f"/attendance/staff/{person.pk}/2025-03-03/" in html
    assert f"/acceptance/deliverable/{late.pk}/" in html
    assert "/settlement/BJJY-2025-001/" in html
    assert "暂定得分" not in html

    # the supervisor: a settlement, an application and a document waiting
    SettlementStatement.objects.create(contract=contract_a, status="in_review", created_at=when)
    AcceptanceFile.objects.create(contract=contract_b, state="applied", applied_at=when)
    late.state = "under_review"
    late.save()
    html = login(users["supervisor"]).get("/").content.decode()
    for key, link in (
        ("settlements", "/settlement/BJJY-2025-001/"),
        ("applications", "/acceptance/BJJY-2025-002/"),
        ("documents", f"/acceptance/deliverable/{late.pk}/"),
    ):
        card = html.split(f'data-task="{key}"')[1].split("</section>")[0]
        assert '<span class="badge warn">1</span>' in card and link in card, key
    # the recipient has no such list
    assert "data-task=" not in login(users["recipient"]).get("/").content.decode()


def test_the_assessors_latest_items_link_to_what_they_name(users, login, evidence_a):
    """An item names a work order or a person: on the home page as on the ledger page,
    the reference is a link to its page (found for the items shown only)."""
    import re

    from opsqm.derived.ledger.services import ref_links, ref_url, safe_ledger

    ledger, _ = safe_ledger(evidence_a)
    shown = [i for i in ledger.items if i.points or i.fine][-5:]
    expected = {ref_url(ref_links(evidence_a), i.ref) for i in shown} - {None}
    assert expected, "the fixture's latest items name no work order or person"
    html = login(users["assessor"]).get("/").content.decode()
    latest = html[html.index('<ul class="latest">') :]
    latest = latest[: latest.index("</ul>")]
    assert set(re.findall(r'<a href="([^"]+)">', latest)) == expected
