"""Evidence of contract A for the register, evidence and ledger tests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from opsqm.pure.assessment.model import TZ
from tests.factories import create_ticket

__all__ = ["at", "evidence_a"]


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture
def evidence_a(contract_a: Any, unit_a: Any) -> Any:
    """Contract A (2025) with one of every evidence record, through the services."""
    from opsqm.facts.incidents import services as inc
    from opsqm.facts.staff import services as st
    from opsqm.infra.core.uploads import as_upload

    s1 = st.register_staff(
        contract_a,
        {
            "person": "S01",
            "name": "张工",
            "entered_on": datetime.date(2025, 1, 2),
            "pledge_signed_on": datetime.date(2025, 1, 2),
            "pledge_scan": as_upload(b"%PDF-1.4 pledge", "pledge.pdf"),
        },
    )
    st.record_verification(
        s1,
        {
            "verified_on": datetime.date(2025, 1, 2),
            "id_card_checked": True,
            "resume_checked": True,
            "degree_or_certificate_checked": True,
        },
    )
    s2 = st.register_staff(
        contract_a, {"person": "S02", "name": "李工", "entered_on": datetime.date(2025, 3, 3)}
    )
    st.register_replacement(
        contract_a,
        {
            "person_out": s1,
            "person_in": s2,
            "replaced_at": at(2025, 3, 3),
            "notified_at": at(2025, 2, 28, 10),
            "emergency": False,
        },
    )
    st.record_punches(s1, [at(2025, 1, 2, 8, 50), at(2025, 1, 2, 17, 40)], "dingtalk")
    st.record_leave(
        s1,
        {
            "kind": "leave",
            "start": at(2025, 1, 6),
            "end": at(2025, 1, 6, 17, 30),
            "requested_at": at(2025, 1, 6, 8),
        },
    )
    create_ticket(
        contract_a,
        {
            "number": "GD-0001",
            "priority": "normal",
            "unit": unit_a,
            "dispatched_at": at(2025, 2, 3, 10),
            "acknowledged_at": at(2025, 2, 3, 10, 30),
            "resolved_at": at(2025, 2, 5, 10),
            "signature": "signed",
            "satisfaction": "satisfied",
            "archive": "ok",
        },
    )
    create_ticket(
        contract_a,
        {
            "number": "GD-0002",
            "unit": unit_a,
            "priority": "urgent",
            "dispatched_at": at(2025, 12, 30),
        },
    )
    inc.record_incident(
        contract_a, {"code": "SG-01", "level": 2, "occurred_at": at(2025, 4, 1, 14)}
    )
    inc.record_evaluation(
        contract_a, {"quarter": "2025Q1", "unit": unit_a, "result": "unsatisfied"}
    )
    inc.record_praise(contract_a, {"event": "E-1", "level": "service_unit", "at": at(2025, 5, 1)})
    inc.record_praise(contract_a, {"event": "E-1", "level": "main_leader", "at": at(2025, 5, 2)})
    inc.record_service_delay(
        contract_a,
        {
            "obligation": "季度报告 2025Q1",
            "due": datetime.date(2025, 4, 10),
            "delivered": datetime.date(2025, 4, 18),
        },
    )
    return contract_a
