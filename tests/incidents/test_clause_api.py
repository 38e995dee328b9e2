"""/api/v1/ writes of issue 16 §2: a contract's agreements (合同 七), a staff member's
pledge (附件二), a submitted staff list (六(二)1) and a rectification notice's mail
(六(一)2, 第二十一条三).  Each write calls the page's service (its audit record), refuses
a bad date or input naming the field, answers 403 to a role the page refuses and 404
outside the scope."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from opsqm.facts.contracts.models import SignedAgreement
from opsqm.facts.incidents import services
from opsqm.facts.incidents.models import RectificationNotice, ServiceDelay
from opsqm.facts.incidents.stafflist import ensure_staff_list_delivery
from opsqm.facts.staff import services as staff
from opsqm.infra.accounts import services as accounts
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.uploads import as_upload
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 scan"
D = datetime.date


def api(user: Any) -> Client:
    _token, secret = accounts.create_token(user)
    return Client(HTTP_AUTHORIZATION=f"Token {secret}")


def scan() -> Any:
    return as_upload(PDF, "扫描件.pdf")


def actions(name: str) -> int:
    return AuditRecord.objects.filter(action=name).count()


def test_an_agreement_is_recorded_through_the_api(
    contract_a: Any, contract_b: Any, assessor: Any, vendor_manager: Any
) -> None:
    url = f"/api/v1/contracts/{contract_a.pk}/agreements/"
    body = {"kind": "integrity", "signed_on": "2025-01-03"}
    assert api(vendor_manager).post(url, {**body, "scan": scan()}).status_code == 403
    a = api(assessor)
    r = a.post(url, {**body, "signed_on": "2099-01-03", "scan": scan()})
    assert r.status_code == 400 and list(r.json()) == ["signed_on"]
    r = a.post(url, {"kind": "integrity", "signed_on": "2025-01-03"})  # no scan
    assert r.status_code == 400 and "scan" in r.json()
    assert actions("contract.agreement") == 0
    r = a.post(url, {**body, "scan": scan()})
    assert r.status_code == 200 and [x["kind"] for x in r.json()] == ["integrity"]
    assert r.json()[0]["signed_on"] == "2025-01-03" and "scan" not in r.json()[0]
    assert actions("contract.agreement") == 1
    # a correction of the day keeps the scan
    r = a.post(url, {"kind": "integrity", "signed_on": "2025-01-04"})
    assert r.status_code == 200 and actions("contract.agreement") == 2
    got = SignedAgreement.objects.get(contract=contract_a)
    assert got.signed_on == D(2025, 1, 4) and got.scan.read() == PDF
    # the vendor reads it, on its own contract only
    m = api(vendor_manager)
    assert m.get(url).json()[0]["signed_on"] == "2025-01-04"
    assert m.get(f"/api/v1/contracts/{contract_a.pk}/").json()["agreements"]["integrity"]
    assert m.get(f"/api/v1/contracts/{contract_b.pk}/agreements/").status_code == 404


def test_a_pledge_is_recorded_through_the_api(
    contract_a: Any, assessor: Any, vendor_manager: Any
) -> None:
    p = staff.register_staff(
        contract_a, {"person": "P01", "name": "张工", "entered_on": D(2025, 1, 1)}
    )
    url = f"/api/v1/staff/{p.pk}/pledge/"
    body = {"pledge_signed_on": "2025-01-02"}
    assert api(vendor_manager).post(url, {**body, "pledge_scan": scan()}).status_code == 403
    a = api(assessor)
    r = a.post(url, {"pledge_signed_on": "2099-01-02", "pledge_scan": scan()})
    assert r.status_code == 400 and list(r.json()) == ["pledge_signed_on"]
    r = a.post(url, {"pledge_signed_on": "2025-01-02"})  # no scan on file yet
    assert r.status_code == 400 and "pledge_scan" in r.json()
    assert actions("staff.update") == 0
    r = a.post(url, {**body, "pledge_scan": scan()})
    assert r.status_code == 200
    assert (r.json()["has_pledge"], r.json()["pledge_signed_on"]) == (True, "2025-01-02")
    assert actions("staff.update") == 1
    # now the entry verification may be recorded (合同 七.2)
    checks = {
        "id_card_checked": True,
        "resume_checked": True,
        "degree_or_certificate_checked": True,
    }
    p.refresh_from_db()
    staff.record_verification(p, {"verified_on": D(2025, 1, 3), **checks}, assessor)
    assert api(assessor).post("/api/v1/staff/999999/pledge/", {}).status_code == 404


def test_a_staff_list_is_submitted_through_the_api(
    contract_a: Any,
    contract_b: Any,
    assessor: Any,
    vendor_manager: Any,
    service_desk: Any,
) -> None:
    staff.register_staff(contract_a, {"person": "P01", "name": "张工", "entered_on": D(2025, 1, 1)})
    staff.register_staff(contract_a, {"person": "P02", "name": "李工", "entered_on": D(2025, 1, 1)})
    d = ensure_staff_list_delivery(contract_a, D(2024, 12, 28))
    other = ensure_staff_list_delivery(contract_b, D(2024, 12, 28))
    url = f"/api/v1/deliveries/{d.pk}/staff-list/"
    m = api(vendor_manager)
    assert m.get(url).json() == {
        "submitted_at": None, "entries": [], "agrees": None, "listed_only": [],
        "registered_only": [], "matched": [],
    }  # fmt: skip
    assert api(service_desk).post(url, {"lines": "P01 张工"}).status_code == 403
    assert m.post(f"/api/v1/deliveries/{other.pk}/staff-list/", {"lines": "x"}).status_code == 404
    r = m.post(url, {"lines": "  "})
    assert r.status_code == 400 and list(r.json()) == ["lines"]
    assert actions("service_delay.staff_list") == 0
    r = m.post(url, {"lines": "P01 张工 138\n赵工"})
    assert r.status_code == 201
    got = r.json()
    assert (got["agrees"], got["matched"], got["registered_only"]) == (
        False,
        [{"person": "P01", "name": "张工"}],
        [{"person": "P02", "name": "李工"}],
    )
    assert [e["name"] for e in got["listed_only"]] == ["赵工"]
    assert actions("service_delay.staff_list") == 1
    d.refresh_from_db()
    assert d.delivered is not None  # the first list delivers the delivery
    assert m.get(url).json()["submitted_at"] == got["submitted_at"]
    # a delivery that is not the staff list has no list
    plain = services.record_service_delay(
        contract_a, {"obligation": "季报", "basis_on": D(2025, 3, 31), "due": D(2025, 4, 10)}
    )
    assert plain.kind != ServiceDelay.Kind.STAFF_LIST
    assert (
        m.post(f"/api/v1/deliveries/{plain.pk}/staff-list/", {"lines": "张工"}).status_code == 404
    )


def test_a_rectification_is_linked_to_its_mail_through_the_api(
    contract_a: Any, contract_b: Any, assessor: Any, vendor_manager: Any
) -> None:
    from opsqm.infra.mail.services import prepare_message

    paper = {"code": "ZG-5", "subject": "s", "description": "d"}
    n = services.issue_rectification(contract_a, {**paper, "received_on": D(2025, 3, 1)}, assessor)
    sent = prepare_message(to=[contract_a.vendor.intranet_mailbox], subject="整改", body="d")
    sent.server_received_at = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
    sent.save()
    url = f"/api/v1/rectifications/{n.pk}/mail/"
    assert api(vendor_manager).post(url, {"message_id": sent.message_id}).status_code == 403
    a = api(assessor)
    r = a.post(url, {"message_id": "<nothing@here>"}, content_type="application/json")
    assert r.status_code == 400 and list(r.json()) == ["message_id"]
    r = a.post(url, {"message_id": sent.message_id}, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["mail"], r.json()["received_on"], r.json()["due"]) == (
        sent.message_id,
        "2025-03-03",
        "2025-03-08",
    )
    assert actions("rectification.mail") == 1
    assert RectificationNotice.objects.get(pk=n.pk).mail == sent
    # another vendor's notice: outside the vendor's scope, and not the vendor's mail
    nb = services.issue_rectification(
        contract_b, {**paper, "code": "ZG-6", "received_on": D(2025, 3, 1)}, assessor
    )
    r = a.post(f"/api/v1/rectifications/{nb.pk}/mail/", {"message_id": sent.message_id})
    assert r.status_code == 400 and "message_id" in r.json()


def test_the_incident_api_lists_its_liability_and_its_mails(
    contract_a: Any, assessor: Any, service_desk: Any, vendor_manager: Any
) -> None:
    from decimal import Decimal

    from opsqm.facts.incidents import mailing, remedies

    incident = services.record_incident(
        contract_a,
        {
            "code": "SG-09",
            "level": 3,
            "occurred_at": datetime.datetime(2025, 6, 2, 9, tzinfo=TZ),
            "human_error": "wrong_command",
        },
    )
    url = f"/api/v1/incidents/{incident.pk}/"
    m = api(vendor_manager)
    assert (m.get(url).json()["liability"], m.get(url).json()["mails"]) == (None, [])
    data = {"amount": Decimal("8600.00"), "decided_on": D(2025, 6, 20), "decision": "认定"}
    remedies.record_liability(incident, data, assessor)
    mail = mailing.send_instruction(incident, "切换备用节点", service_desk)
    got = m.get(url).json()
    assert got["liability"] == {"amount": "8600.00", "decided_on": "2025-06-20"}
    assert [(x["kind"], x["server_received_at"]) for x in got["mails"]] == [("instruction", None)]
    assert got["mails"][0]["sent"] == mail.created_at.astimezone(TZ).isoformat()
    mail.outbound.server_received_at = datetime.datetime(2025, 6, 2, 9, 30, 3, tzinfo=TZ)
    mail.outbound.save()
    mailing.server_time_recorded(mail.outbound)
    got = m.get("/api/v1/incidents/").json()["results"][0]["mails"][0]
    assert got["server_received_at"] == "2025-06-02T09:30:03+08:00"
