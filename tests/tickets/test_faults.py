"""The assessor's faults on a ticket (第十七条二–五): recorded and corrected with a reason,
on the timeline, audited, read by the ledger at once; other roles refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.derived.ledger.services import safe_ledger
from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Event, Ticket
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.model import TZ
from tests.factories import create_ticket

pytestmark = pytest.mark.django_db


def _rules(contract: Any, number: str) -> list[str]:
    ledger, problem = safe_ledger(contract)
    assert ledger is not None, problem
    return [i.rule for i in ledger.items if i.ref == number]


@pytest.fixture
def resolved(contract_a: Any, unit_a: Any) -> Any:
    """A clean ticket resolved, signed and archived in contract A's year (T1–T4 are
    read on the resolved ticket)."""

    def at(mo: int, d: int, h: int) -> datetime.datetime:
        return datetime.datetime(2025, mo, d, h, tzinfo=TZ)

    t = create_ticket(
        contract_a,
        {
            "number": "GD-0001",
            "priority": "normal",
            "unit": unit_a,
            "dispatched_at": at(2, 3, 10),
            "acknowledged_at": at(2, 3, 11),
            "resolved_at": at(2, 3, 15),
            "signature": "signed",
            "satisfaction": "satisfied",
            "archive": "ok",
        },
    )
    # Archived by the flow's mail (not a register fact): a corrected T5 goes back to "ok".
    Ticket.objects.filter(pk=t.pk).update(archived_at=at(2, 3, 16))
    t.refresh_from_db()
    return t


def test_forged_recorded_and_corrected(resolved: Any, assessor: Any) -> None:
    t = resolved
    assert "T4" not in _rules(t.contract, t.number)
    services.record_fault(t, user=assessor, fault="forged", present=True, reason="签字笔迹不符")
    t.refresh_from_db()
    assert t.forged
    assert "T4" in _rules(t.contract, t.number)
    ev = Event.objects.filter(ticket=t, action="fault_recorded").get()
    assert "签字笔迹不符" in ev.text
    assert AuditRecord.objects.filter(action="ticket.fault").count() == 1
    with pytest.raises(services.FlowError):
        services.record_fault(t, user=assessor, fault="forged", present=True, reason="again")
    services.record_fault(t, user=assessor, fault="forged", present=False, reason="复核无误")
    t.refresh_from_db()
    assert not t.forged and "T4" not in _rules(t.contract, t.number)


@pytest.mark.parametrize(
    ("fault", "field", "value", "rule"),
    [
        ("steps", "record_steps", False, "T2"),
        ("template", "template_ok", False, "T3"),
        ("archive", "archive", "improper", "T5"),
    ],
)
def test_other_faults(
    resolved: Any, assessor: Any, fault: str, field: str, value: Any, rule: str
) -> None:
    assert rule not in _rules(resolved.contract, resolved.number)
    services.record_fault(resolved, user=assessor, fault=fault, present=True, reason="抽查")
    resolved.refresh_from_db()
    assert getattr(resolved, field) == value
    assert rule in _rules(resolved.contract, resolved.number)
    services.record_fault(resolved, user=assessor, fault=fault, present=False, reason="复核")
    resolved.refresh_from_db()
    assert rule not in _rules(resolved.contract, resolved.number)


def test_reason_and_fault_checked(dispatched: Any, assessor: Any) -> None:
    with pytest.raises(ValidationError) as e:
        services.record_fault(dispatched, user=assessor, fault="forged", present=True, reason=" ")
    assert "reason" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.record_fault(dispatched, user=assessor, fault="nope", present=True, reason="x")
    assert "fault" in e.value.message_dict


def test_page(dispatched: Any, assessor: Any, service_desk: Any, login: Any) -> None:
    url = f"/tickets/{dispatched.pk}/fault/"
    a = login(assessor)
    assert "fault-form" in a.get(f"/tickets/{dispatched.pk}/").content.decode()
    resp = a.post(url, {"fault": "template", "present": "1", "reason": "非统一样式"})
    assert resp.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.template_ok is False
    assert login(service_desk).post(url, {"fault": "forged", "reason": "x"}).status_code == 403
