"""Home page per role."""

from __future__ import annotations

import pytest
from django.utils import timezone

from opsqm.accounts.roles import Role
from opsqm.tickets.services import create_ticket
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
