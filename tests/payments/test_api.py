"""/api/v1/ of payments, termination and the remedies: reads in scope (another
vendor's contract 404), writes by the assessor through the services (others 403),
service errors as 400 keyed by field."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opsqm.derived.payments import services
from opsqm.facts.incidents import services as inc
from opsqm.facts.incidents.models import ServiceDelay
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts import services as accounts
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.model import TZ
from tests.factories import create_ticket

pytestmark = pytest.mark.django_db
D = datetime.date
JSON = "application/json"


def api(user: Any) -> Client:
    _token, secret = accounts.create_token(user)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def test_payments_read_and_write(
    contract_a: Any, contract_b: Any, assessor: Any, vendor_manager: Any, recipient: Any
) -> None:
    services.set_signed_on(contract_a, D(2025, 1, 6))
    a, m = api(assessor), api(vendor_manager)
    invoice = {
        "contract": contract_a.code,
        "kind": "first",
        "number": "FP-1",
        "amount": "700000.00",
        "issued_on": "2025-01-20",
        "received_on": "2025-01-21",
    }
    assert m.post("/api/v1/invoices/", invoice, content_type=JSON).status_code == 403
    r = a.post("/api/v1/invoices/", invoice, content_type=JSON)
    assert r.status_code == 201 and r.json()["number"] == "FP-1"
    r = a.post("/api/v1/invoices/", invoice, content_type=JSON)
    assert r.status_code == 400 and "number" in r.json()  # the service's check
    r = a.post("/api/v1/invoices/", invoice | {"contract": "NOPE"}, content_type=JSON)
    assert r.status_code == 404
    paid = {
        "contract": contract_a.code,
        "kind": "first",
        "paid_on": "2025-02-10",
        "amount": "700000.00",
    }
    assert a.post("/api/v1/payments/", paid, content_type=JSON).status_code == 201
    assert AuditRecord.objects.filter(action="payments.paid").count() == 1
    r = m.get(f"/api/v1/payment-schedules/{contract_a.code}/")
    assert r.status_code == 200
    first = r.json()["payments"][0]
    assert (first["kind"], first["amount"], first["paid"], first["outstanding"]) == (
        "first",
        "700000.00",
        "700000.00",
        "0.00",
    )
    assert r.json()["signed_on"] == "2025-01-06"
    assert m.get(f"/api/v1/payment-schedules/{contract_b.code}/").status_code == 404
    assert [x["contract"] for x in m.get("/api/v1/payment-schedules/").json()["results"]] == [
        contract_a.code
    ]
    assert m.get("/api/v1/invoices/").json()["count"] == 1
    assert api(recipient).get("/api/v1/invoices/").status_code == 403


def test_termination_api(contract_a: Any, assessor: Any, vendor_manager: Any) -> None:
    inc.record_service_delay(contract_a, {"obligation": "人员名单", "due": D(2025, 3, 1)})
    body = {
        "contract": contract_a.code,
        "grounds": "delay_over_15",
        "notice_on": "2025-03-20",
        "received_on": "2025-03-21",
        "reason": "逾期",
    }
    assert (
        api(vendor_manager).post("/api/v1/terminations/", body, content_type=JSON).status_code
        == 403
    )
    r = api(assessor).post(
        "/api/v1/terminations/", body | {"notice_on": "2025-03-10"}, content_type=JSON
    )
    assert r.status_code == 400 and "grounds" in r.json()
    r = api(assessor).post("/api/v1/terminations/", body, content_type=JSON)
    assert r.status_code == 201
    c = r.json()["consequence"]
    assert (c["penalty"], c["total"], c["refund_due"]) == ("300000.00", "300000.00", "2025-04-21")
    assert api(vendor_manager).get("/api/v1/terminations/").json()["count"] == 1


def test_remedies_api(contract_a: Any, contract_b: Any, assessor: Any, vendor_manager: Any) -> None:
    incident = inc.record_incident(
        contract_a,
        {
            "code": "SG-1",
            "level": 3,
            "occurred_at": datetime.datetime(2025, 6, 2, 9, tzinfo=TZ),
            "human_error": "wrong_command",
        },
    )
    other = inc.record_incident(
        contract_b,
        {"code": "SG-B", "level": 3, "occurred_at": datetime.datetime(2025, 6, 2, 9, tzinfo=TZ)},
    )
    a, m = api(assessor), api(vendor_manager)
    body = {
        "incident": incident.pk,
        "amount": "9000.00",
        "decided_on": "2025-06-20",
        "decision": "认定",
    }
    assert m.post("/api/v1/liabilities/", body, content_type=JSON).status_code == 403
    assert a.post("/api/v1/liabilities/", body, content_type=JSON).status_code == 201
    assert m.get("/api/v1/liabilities/").json()["results"][0]["amount"] == "9000.00"
    r = a.post("/api/v1/liabilities/", body | {"incident": other.pk}, content_type=JSON)
    assert r.status_code == 400  # contract B's incident has no operator error
    ticket = create_ticket(
        contract_a,
        {
            "number": "GD-9",
            "priority": "urgent",
            "dispatched_at": datetime.datetime(2025, 7, 1, 10, tzinfo=TZ),
        },
    )
    fm = {
        "contract": contract_a.code,
        "code": "FM-1",
        "event": "暴雨",
        "occurred_on": "2025-07-01",
        "notified_at": "2025-07-01T12:00:00+08:00",
    }
    r = m.post("/api/v1/force-majeure/", fm, content_type=JSON)
    assert r.status_code == 201 and r.json()["explanation_due"] == "2025-07-06"
    pk = r.json()["id"]
    decision = {"decided_on": "2025-07-10", "decision": "认定", "tickets": [ticket.pk]}
    assert (
        m.post(f"/api/v1/force-majeure/{pk}/decision/", decision, content_type=JSON).status_code
        == 403
    )
    r = a.post(f"/api/v1/force-majeure/{pk}/decision/", decision, content_type=JSON)
    assert r.status_code == 200 and r.json()["excused"]["tickets"] == [ticket.pk]
    assert Ticket.objects.get(pk=ticket.pk).excused == "force_majeure:FM-1"
    r = a.post(
        f"/api/v1/force-majeure/{pk}/decision/",
        decision | {"incidents": [other.pk]},
        content_type=JSON,
    )
    assert r.status_code == 400 and "incidents" in r.json()
    r = m.post(
        f"/api/v1/force-majeure/{pk}/explanation/",
        {"explanation_received_on": "2025-07-03"},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["explanation_overdue"] is False
    delivery = inc.record_service_delay(contract_a, {"obligation": "季报", "due": D(2025, 7, 10)})
    doc = SimpleUploadedFile("agree.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    r = a.post(
        "/api/v1/delay-agreements/",
        {
            "delivery": delivery.pk,
            "requested_on": "2025-07-02",
            "agreed_on": "2025-07-03",
            "new_due": "2025-07-20",
            "reason": "同意",
            "document": doc,
        },
    )
    assert r.status_code == 201 and r.json()["previous_due"] == "2025-07-10"
    assert ServiceDelay.objects.get(pk=delivery.pk).due == D(2025, 7, 20)
    assert api(vendor_manager).get("/api/v1/delay-agreements/").json()["count"] == 1
    assert Decimal(m.get("/api/v1/liabilities/").json()["results"][0]["amount"]) == Decimal(9000)
