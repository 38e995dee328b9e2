"""Excused facts (spec §2 `excused`) in the database: the audited service, the
ledger, the evidence export and import, and the business-hours ticket deadline."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.facts.contracts.scoring import contract_ledger
from opsqm.facts.incidents.excusal import clear_excused, set_excused
from opsqm.facts.incidents.models import Incident, ServiceDelay
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.evidence_log import read_evidence_log
from tests.factories import create_ticket
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)
from tests.web.fixtures_registers import at

pytestmark = pytest.mark.django_db
FM = "force_majeure:FM-2025-01"
AS_OF = at(2026, 1, 20)


def test_excusing_spares_the_rules_and_reaches_the_export(evidence_a, assessor, tmp_path):
    ledger = contract_ledger(evidence_a, AS_OF)
    assert ledger.totals["I1"] < 0 and ledger.fines["D1"] > 0
    assert {i.rule for i in ledger.items if i.ref == "GD-0002"} >= {"T6", "T8"}
    ticket = Ticket.objects.get(number="GD-0002")
    incident = Incident.objects.get(code="SG-01")
    delay = ServiceDelay.objects.get(obligation="季度报告 2025Q1")
    for fact in (ticket, incident, delay):
        set_excused(fact, f"  {FM} ", user=assessor, reason="暴雨停电")
    ledger = contract_ledger(evidence_a, AS_OF)
    assert not {i.rule for i in ledger.items if i.ref == "GD-0002"} & {"T6", "T7", "T8"}
    assert ledger.totals["I1"] == ledger.totals["I2"] == 0 and ledger.fines["D1"] == 0

    records = AuditRecord.objects.filter(action="fact.excuse").order_by("id")
    assert [r.after["excused"] for r in records] == [FM] * 3
    assert records[0].before == {"excused": ""} and records[0].after["reason"] == "暴雨停电"

    path = tmp_path / "out.jsonl"
    call_command("export", "-o", str(path))
    text = path.read_text()
    assert text.count(f'"excused":"{FM}"') == 3
    ev = read_evidence_log(str(path))["BJJY-2025-001"]
    assert ev == contract_evidence(evidence_a)
    assert ev.tickets[1].excused == ev.incidents[0].excused == ev.service_delays[0].excused == FM


def test_an_unchanged_mark_writes_nothing_and_clearing_is_audited(evidence_a, assessor):
    incident = Incident.objects.get(code="SG-01")
    set_excused(incident, FM, user=assessor)
    set_excused(incident, FM, user=assessor)
    assert AuditRecord.objects.filter(action="fact.excuse").count() == 1
    clear_excused(incident, user=assessor, reason="复核后撤销")
    incident.refresh_from_db()
    assert incident.excused == ""
    cleared = AuditRecord.objects.get(action="fact.excuse_clear")
    assert cleared.before == {"excused": FM}
    assert contract_ledger(evidence_a, AS_OF).totals["I1"] < 0


def test_a_too_long_decision_is_refused(evidence_a):
    with pytest.raises(ValidationError, match="120"):
        set_excused(Incident.objects.get(code="SG-01"), "x" * 121)
    assert not AuditRecord.objects.filter(action="fact.excuse").exists()


def test_import_carries_excused_back(evidence_a, tmp_path):
    set_excused(Ticket.objects.get(number="GD-0002"), FM)
    path = tmp_path / "out.jsonl"
    call_command("export", "-o", str(path))
    Ticket.objects.filter(number="GD-0002").update(excused="")
    call_command("import", str(path))
    assert Ticket.objects.get(number="GD-0002").excused == FM


def test_ticket_register_deadline_follows_the_business_clock(contract_a, unit_a):
    contract_a.rulebook_overrides = {"tickets": {"sla_clock": "business"}}
    contract_a.save()
    # Friday 2025-10-10 17:29, before the 调休 Saturday 2025-10-11
    sent = datetime.datetime(2025, 10, 10, 17, 29, tzinfo=at(2025, 1, 1).tzinfo)
    t = create_ticket(
        contract_a, {"number": "GD-9", "priority": "urgent", "unit": unit_a, "dispatched_at": sent}
    )
    assert t.deadline == at(2025, 10, 11, 16, 59)
    ev = contract_evidence(contract_a)
    ledger = contract_ledger(contract_a, at(2025, 10, 13, 9))
    assert [i.at for i in ledger.items if i.rule == "T6"] == [t.deadline]
    assert ev.tickets[0].dispatched_at == sent


def test_the_api_shows_the_decision(evidence_a, assessor):
    from rest_framework.test import APIClient

    set_excused(Incident.objects.get(code="SG-01"), FM)
    set_excused(ServiceDelay.objects.get(obligation="季度报告 2025Q1"), FM)
    api = APIClient()
    api.force_authenticate(assessor)
    incidents = api.get("/api/v1/incidents/").json()
    rows = incidents["results"] if isinstance(incidents, dict) else incidents
    assert [r["excused"] for r in rows] == [FM]
    deliveries = api.get("/api/v1/deliveries/").json()
    rows = deliveries["results"] if isinstance(deliveries, dict) else deliveries
    assert [r["excused"] for r in rows] == [FM]
    tickets = api.get("/api/v1/tickets/").json()
    rows = tickets["results"] if isinstance(tickets, dict) else tickets
    assert {r["number"]: r["excused"] for r in rows} == {"GD-0001": "", "GD-0002": ""}


def test_the_ticket_and_incident_pages_show_the_decision(evidence_a, assessor, login):
    ticket = Ticket.objects.get(number="GD-0002")
    incident = Incident.objects.get(code="SG-01")
    client = login(assessor)
    for url in (f"/tickets/{ticket.pk}/", f"/incidents/{incident.pk}/"):
        assert FM not in client.get(url).content.decode()
    set_excused(ticket, FM)
    set_excused(incident, FM)
    for url in (f"/tickets/{ticket.pk}/", f"/incidents/{incident.pk}/"):
        html = client.get(url).content.decode()
        assert FM in html and "免责" in html
