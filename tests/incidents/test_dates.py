"""Issue 12: every typed date is checked against the contract's period and its order;
the error names the field, on the page as through the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.facts.contracts.dates import date_errors
from opsqm.facts.incidents import services
from opsqm.facts.incidents.models import Incident
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, h: int = 9) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def test_the_helper_names_the_field_and_the_bound(contract_a: Any) -> None:
    # contract A runs 2025-01-01 … 2025-12-31
    errors = date_errors(
        contract_a,
        {"occurred_at": at(2024, 12, 31), "due": datetime.date(2027, 1, 2), "x": None},
        labels={"occurred_at": "发生时间"},
    )
    assert "发生时间" in errors["occurred_at"] and "2024-12-31 09:00" in errors["occurred_at"]
    assert "2025-01-01" in errors["occurred_at"]
    assert "2025-12-31" in errors["due"] and set(errors) == {"occurred_at", "due"}
    # a year after the end is still a late record, not a typing mistake
    assert date_errors(contract_a, {"d": datetime.date(2026, 12, 31)}) == {}
    order = date_errors(
        contract_a,
        {"a": at(2025, 3, 2), "b": at(2025, 3, 1)},
        labels={"a": "A", "b": "B"},
        order=[("a", "b")],
    )
    assert list(order) == ["b"] and "B" in order["b"] and "A" in order["b"]


def test_incident_restored_before_it_occurred_is_refused(contract_a: Any, assessor: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.record_incident(
            contract_a,
            {"code": "SG-X", "occurred_at": at(2025, 4, 2), "restored_at": at(2025, 4, 1)},
            assessor,
        )
    assert set(exc.value.message_dict) == {"restored_at"}
    with pytest.raises(ValidationError) as exc:
        services.record_incident(contract_a, {"code": "SG-Y", "occurred_at": at(2031, 4, 2)})
    assert set(exc.value.message_dict) == {"occurred_at"}
    assert not Incident.objects.exists()


def test_the_page_shows_the_field_error(login: Any, assessor: Any, contract_a: Any) -> None:
    r = login(assessor).post(
        f"/incidents/new/?contract={contract_a.pk}",
        {"code": "SG-10", "occurred_at": "2024-07-01T09:00", "scope": "non_core"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "2024-07-01 09:00" in html and "2025-01-01" in html
    assert not Incident.objects.filter(code="SG-10").exists()


def test_leave_and_ticket_intake_are_checked(contract_a: Any, users: Any, unit_a: Any) -> None:
    from opsqm.facts.staff import services as st
    from opsqm.facts.tickets.services import record_intake

    s1 = st.register_staff(
        contract_a, {"person": "S01", "name": "张工", "entered_on": datetime.date(2025, 1, 2)}
    )
    with pytest.raises(ValidationError) as exc:
        st.record_leave(
            s1,
            {
                "kind": "leave",
                "start": at(2025, 1, 6, 17),
                "end": at(2025, 1, 6, 9),
                "requested_at": at(2025, 1, 6, 8),
            },
        )
    assert "end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record_intake(
            contract_a,
            user=users["service_desk"],
            reporter="王警官",
            description="打印机卡纸",
            unit=unit_a,
            reported_at=at(2024, 6, 1),
            priority="normal",
        )
    assert set(exc.value.message_dict) == {"reported_at"}


def test_incident_texts_have_a_maximum(contract_a: Any, assessor: Any) -> None:
    """Issue 12: the service refuses a text beyond its maximum, naming the field;
    the database refuses it too."""
    from django.db import IntegrityError, transaction

    from opsqm.facts.incidents.models import RectificationNotice
    from opsqm.infra.core.textlimits import TEXT

    with pytest.raises(ValidationError) as exc:
        services.record_incident(
            contract_a, {"code": "SG-Z", "occurred_at": at(2025, 4, 2), "impact": "影" * (TEXT + 1)}
        )
    assert set(exc.value.message_dict) == {"impact"}
    inc = services.record_incident(contract_a, {"code": "SG-Z", "occurred_at": at(2025, 4, 2)})
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=inc.pk).update(impact="x" * (TEXT + 1))
    field = RectificationNotice._meta.get_field("response")
    assert field.max_length == TEXT and field.formfield().widget.attrs["maxlength"] == str(TEXT)
