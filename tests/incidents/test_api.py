"""/api/v1/ read endpoints of issue 6: scope and content."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from opsqm.facts.incidents import services
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_incidents_show_proposal_and_pending(
    contract_a: Any, contract_b: Any, assessor: Any, vendor_manager: Any
) -> None:
    at = datetime.datetime(2025, 4, 1, 8, tzinfo=TZ)
    services.record_incident(
        contract_a,
        {"code": "SG-A", "occurred_at": at, "scope": "non_core", "video_conference_fault": True},
        assessor,
    )
    services.record_incident(contract_b, {"code": "SG-B", "occurred_at": at, "level": 2}, assessor)
    mine = _api(vendor_manager).get("/api/v1/incidents/").json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert [r["code"] for r in rows] == ["SG-A"]  # another vendor's incident is not listed
    [a] = rows
    assert a["pending_determination"] and a["level"] is None
    assert a["proposal"]["level"] == 3
    assert a["proposal"]["reasons"][-1]["clause"] == "第十一条(三)4"
    assert a["report_due"] == "2025-04-03T08:00:00+08:00"  # proposed level 3: 48 h
    everything = _api(assessor).get("/api/v1/incidents/?contract=BJJY-2025-002").json()
    rows = everything["results"] if isinstance(everything, dict) else everything
    assert [r["code"] for r in rows] == ["SG-B"]


def test_settlement_statements(contract_a: Any, assessor: Any, supervisor: Any) -> None:
    from opsqm.derived.settlement import services as settlement

    st = settlement.create_statement(contract_a, assessor)
    settlement.submit(st, assessor)
    settlement.review(st, supervisor, True, "")
    settlement.sign_off(st, assessor)
    got = _api(supervisor).get(f"/api/v1/settlements/{st.pk}/").json()
    assert got["status"] == "signed" and got["contract"] == "BJJY-2025-001"
    assert got["frozen_ledger"]["as_of"] == "2026-01-01T00:00:00+08:00"
    assert got["evidence_sha256"] == st.evidence_sha256
