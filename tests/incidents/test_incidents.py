"""Incidents: registration, proposal, report deadline, 第十四条 steps, evidence
checklist, and what reaches the ledger and the export."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.derived.evidence.importer import import_evidence
from opsqm.derived.ledger.services import contract_ledger
from opsqm.facts.incidents import services
from opsqm.facts.incidents.models import Incident
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.uploads import as_upload
from opsqm.pure.assessment.evidence_log import read_evidence_log, write_evidence_log
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 report"
HOURS = {1: 12, 2: 24, 3: 48}


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, s, tzinfo=TZ)


@pytest.fixture
def incident(contract_a: Any, assessor: Any) -> Incident:
    return services.record_incident(
        contract_a,
        {
            "code": "SG-01",
            "title": "核心库宕机",
            "occurred_at": at(2025, 4, 1, 14),
            "systems": "执法终端核心库",
            "impact": "全局业务中断",
            "scope": "core_paralysed",
            "restored_at": at(2025, 4, 1, 16, 1),
        },
        assessor,
    )


def _final(incident: Incident, user: Any, level: int = 1) -> None:
    services.record_step(
        incident,
        5,
        {
            "level": level,
            "participants": {"it": "刘晶", "vendor": "汤利斌", "supervisor": "赵强", "experts": ""},
            "conclusion": "经共同评估，定为一级事故。",
        },
        user,
    )


def test_register_proposes_a_level_with_reasons(incident: Incident) -> None:
    p = incident.proposal(at(2025, 4, 2))
    assert p.level == 1  # 2 h 1 min of core paralysis
    assert "超过 2 小时" in p.reasons[0].text
    assert incident.level is None  # pending determination
    assert AuditRecord.objects.filter(action="incident.record").exists()


def test_an_ongoing_outage_is_measured_up_to_now(contract_a: Any, assessor: Any) -> None:
    inc = services.record_incident(
        contract_a,
        {"code": "SG-02", "occurred_at": at(2025, 4, 1, 8), "scope": "partial_function"},
        assessor,
    )
    assert inc.proposal(at(2025, 4, 1, 12)).level is None
    assert inc.proposal(at(2025, 4, 1, 12, 1)).level == 2


def test_report_deadline_by_final_then_proposed_then_strictest(
    incident: Incident, assessor: Any
) -> None:
    assert services.report_deadline(incident, HOURS) == at(2025, 4, 2, 2)  # proposed 1 → 12 h
    incident.scope = "none"
    assert services.report_deadline(incident, HOURS) == at(2025, 4, 2, 2)  # none → strictest
    _final(incident, assessor, level=3)
    incident.refresh_from_db()
    assert services.report_deadline(incident, HOURS) == at(2025, 4, 3, 14)  # final 3 → 48 h


def test_report_upload_sets_reported_at_once(incident: Incident, vendor_manager: Any) -> None:
    services.upload_report(incident, as_upload(PDF, "报告.pdf"), vendor_manager, at(2025, 4, 1, 20))
    incident.refresh_from_db()
    assert incident.reported_at == at(2025, 4, 1, 20)
    services.upload_report(incident, as_upload(PDF, "v2.pdf"), vendor_manager, at(2025, 4, 5))
    incident.refresh_from_db()
    assert incident.reported_at == at(2025, 4, 1, 20)  # the first submission counts


def test_report_upload_refuses_a_disguised_file(incident: Incident, vendor_manager: Any) -> None:
    with pytest.raises(ValidationError):
        services.upload_report(incident, as_upload(b"MZ\x90\x00", "r.pdf"), vendor_manager)


def test_final_rating_needs_participants_and_a_conclusion(
    incident: Incident, assessor: Any, vendor_manager: Any
) -> None:
    with pytest.raises(ValidationError) as e:
        services.record_step(incident, 5, {"level": 1, "participants": {"it": "刘晶"}}, assessor)
    assert set(e.value.message_dict) == {"participants", "conclusion"}
    with pytest.raises(ValidationError):  # the vendor does steps 一–四, not 五
        _final(incident, vendor_manager)
    incident.refresh_from_db()
    assert incident.level is None


def test_steps_are_recorded_and_amended(incident: Incident, vendor_engineer: Any) -> None:
    services.record_step(incident, 1, {"notes": "收集系统日志"}, vendor_engineer)
    services.record_step(incident, 2, {"notes": "初判二级", "level": 2}, vendor_engineer)
    services.record_step(incident, 1, {"notes": "收集系统日志、监控数据"}, vendor_engineer)
    steps = {s.step: s for s in incident.steps.all()}
    assert set(steps) == {1, 2}
    assert steps[1].notes == "收集系统日志、监控数据"
    incident.refresh_from_db()
    assert incident.level is None  # a preliminary level is not the final one


def test_only_a_determined_incident_counts_and_is_exported(
    incident: Incident, assessor: Any, contract_a: Any
) -> None:
    as_of = at(2025, 6, 1)
    assert not [i for i in contract_ledger(contract_a, as_of).items if i.rule in ("I1", "I2")]
    assert contract_evidence(contract_a).incidents == []
    _final(incident, assessor, level=1)
    items = [i for i in contract_ledger(contract_a, as_of).items if i.rule in ("I1", "I2")]
    assert {i.rule for i in items} == {"I1", "I2"}  # and the report was never submitted
    i1 = next(i for i in items if i.rule == "I1")
    assert i1.points == -5 and i1.fine == contract_a.amount * 3 / 100
    [exported] = contract_evidence(contract_a).incidents
    assert (exported.id, exported.level) == ("SG-01", 1)


def test_export_import_round_trip_with_a_pending_incident(
    incident: Incident, assessor: Any, contract_a: Any
) -> None:
    services.record_incident(
        contract_a, {"code": "SG-09", "occurred_at": at(2025, 5, 1), "level": 3}, assessor
    )
    out = io.BytesIO()
    write_evidence_log([contract_evidence(contract_a)], out)
    text = out.getvalue().decode()
    assert '"SG-09"' in text and '"SG-01"' not in text
    result = import_evidence(read_evidence_log(io.StringIO(text)).values())
    assert not result.changed  # importing the export changes nothing
    again = io.BytesIO()
    write_evidence_log([contract_evidence(contract_a)], again)
    assert again.getvalue() == out.getvalue()


def test_evidence_checklist(incident: Incident, vendor_manager: Any, contract_a: Any) -> None:
    from opsqm.facts.tickets.models import Ticket

    ticket = Ticket.objects.create(
        contract=contract_a, number="GD-1", problem="GD-1", dispatched_at=at(2025, 4, 1, 14, 5)
    )
    services.add_evidence(
        incident,
        {"kind": "user_feedback", "file": as_upload(b"caller said...", "feedback.txt")},
        vendor_manager,
    )
    services.add_evidence(
        incident,
        {"kind": "dispatch_mail", "ticket": ticket, "received_at": at(2025, 4, 1, 14, 5, 3)},
        vendor_manager,
    )
    rows = {r.kind: r for r in services.evidence_checklist(incident)}
    assert [k for k, r in rows.items() if r.present] == ["user_feedback", "dispatch_mail"]
    assert not rows["vendor_log"].present and not rows["signed_ticket"].present
    with pytest.raises(ValidationError):
        services.add_evidence(incident, {"kind": "vendor_log"}, vendor_manager)


def test_evidence_ticket_must_be_of_the_contract(
    incident: Incident, vendor_manager: Any, contract_b: Any
) -> None:
    from opsqm.facts.tickets.models import Ticket

    other = Ticket.objects.create(
        contract=contract_b, number="GD-B", problem="GD-B", dispatched_at=at(2025, 4, 1)
    )
    with pytest.raises(ValidationError):
        services.add_evidence(incident, {"kind": "signed_ticket", "ticket": other}, vendor_manager)


def test_pages(incident: Incident, login: Any, assessor: Any, vendor_manager: Any) -> None:
    page = login(vendor_manager).get(f"/incidents/{incident.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "data-deadline" in body and "超过 2 小时" in body
    listing = login(assessor).get("/incidents/").content.decode()
    assert "SG-01" in listing and "data-deadline" in listing


def test_upload_report_through_the_page(
    incident: Incident, login: Any, vendor_manager: Any
) -> None:
    r = login(vendor_manager).post(
        f"/incidents/{incident.pk}/report/", {"report": as_upload(PDF, "r.pdf")}
    )
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.reported_at is not None and incident.report
    got = login(vendor_manager).get(f"/incidents/{incident.pk}/report/file/")
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")


def test_final_rating_through_the_page(incident: Incident, login: Any, assessor: Any) -> None:
    r = login(assessor).post(
        f"/incidents/{incident.pk}/step/5/",
        {
            "level": "2",
            "it": "刘晶",
            "vendor": "汤利斌",
            "supervisor": "赵强",
            "conclusion": "二级",
            "notes": "",
        },
    )
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.level == 2
    assert incident.steps.get(step=5).participants["supervisor"] == "赵强"


def test_register_through_the_page(login: Any, assessor: Any, contract_a: Any) -> None:
    r = login(assessor).post(
        f"/incidents/new/?contract={contract_a.pk}",
        {
            "code": "SG-10",
            "occurred_at": "2025-07-01T09:00",
            "scope": "non_core",
            "human_error": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    inc = Incident.objects.get(code="SG-10")
    assert inc.registered_by == assessor and inc.level is None
