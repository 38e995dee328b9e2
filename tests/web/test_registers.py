"""Register pages and API: scope, roles, services with audit, form errors, exports."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import load_workbook

from opsqm.facts.contracts.models import Contract
from opsqm.facts.staff.models import StaffMember
from opsqm.infra.audit.models import AuditRecord
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db

CONTRACT_POST = {
    "code": "C-NEW-1",
    "title": "新合同",
    "amount": "100000.00",
    "final_payment": "25000.00",
    "start": "2026-01-01",
    "end": "2026-12-31",
    "rulebook": "",
    "rulebook_overrides": "",
    "signed_on": "2025-12-20",  # the new-contract page asks for it (十四.3)
}


def test_contract_list_is_scoped(contract_a, contract_b, users, login, other_recipient):
    html = login(users["vendor_manager"]).get("/contracts/").content.decode()
    assert contract_a.code in html and contract_b.code not in html
    html = login(other_recipient).get("/contracts/").content.decode()
    assert contract_b.code in html and contract_a.code not in html
    html = login(users["service_desk"]).get("/contracts/").content.decode()
    assert contract_a.code in html and contract_b.code in html


def test_other_vendors_contract_is_404_and_admins_403(contract_a, contract_b, users, login):
    assert login(users["vendor_manager"]).get(f"/contracts/{contract_b.pk}/").status_code == 404
    assert login(users["vendor_manager"]).get(f"/contracts/{contract_a.pk}/").status_code == 200
    for role in ("system_admin", "security_admin", "audit_admin"):
        client = login(users[role])
        assert client.get("/contracts/").status_code == 403
        assert client.get("/staff/").status_code == 403
        assert client.get(f"/contracts/{contract_a.pk}/").status_code == 403


def test_htmx_filter_returns_rows_only(contract_a, contract_b, assessor, login):
    resp = login(assessor).get("/contracts/", {"q": "002"}, HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert "<html" not in html and contract_b.code in html and contract_a.code not in html


def test_assessor_creates_contract_through_service(vendor_a, unit_a, assessor, login):
    data = {**CONTRACT_POST, "vendor": vendor_a.pk, "units": [unit_a.pk]}
    resp = login(assessor).post("/contracts/new/", data)
    assert resp.status_code == 302
    c = Contract.objects.get(code="C-NEW-1")
    assert list(c.units.all()) == [unit_a]
    rec = AuditRecord.objects.get(action="contract.create")
    assert rec.after["amount"] == "100000.00" and rec.after["units"] == [unit_a.pk]
    assert rec.actor_id == assessor.pk
    # the signing day starts the staff list of 六(二)1 (due the next day)
    from opsqm.facts.incidents.models import ServiceDelay

    d = ServiceDelay.objects.get(contract=c, kind="staff_list")
    assert d.due == datetime.date(2025, 12, 21)


def test_contract_edit_audits_before_and_after(contract_a, assessor, login):
    data = {
        **CONTRACT_POST,
        "code": contract_a.code,
        "vendor": contract_a.vendor_id,
        "bond": "on",
        "units": [u.pk for u in contract_a.units.all()],
    }
    assert login(assessor).post(f"/contracts/{contract_a.pk}/edit/", data).status_code == 302
    rec = AuditRecord.objects.get(action="contract.update")
    assert rec.before["bond"] is False and rec.after["bond"] is True


def test_rulebook_errors_are_form_errors(vendor_a, assessor, login):
    client = login(assessor)
    data = {**CONTRACT_POST, "vendor": vendor_a.pk, "rulebook_overrides": '{"tickets.nope": 1}'}
    resp = client.post("/contracts/new/", data)
    assert resp.status_code == 200
    assert "nope" in resp.content.decode()
    resp = client.post("/contracts/new/", {**data, "rulebook_overrides": "{not json"})
    assert "JSON" in resp.content.decode()
    assert not Contract.objects.filter(code="C-NEW-1").exists()


def test_only_the_assessor_edits_registers(contract_a, users, login):
    for role in ("service_desk", "supervisor", "vendor_manager", "recipient"):
        client = login(users[role])
        assert client.get("/contracts/new/").status_code == 403
        assert client.get(f"/contracts/{contract_a.pk}/edit/").status_code == 403
        assert client.get(f"/staff/new/?contract={contract_a.pk}").status_code == 403


def test_vendor_requires_both_mailboxes(assessor, login):
    resp = login(assessor).post("/contracts/vendors/new/", {"name": "丙公司"})
    assert resp.status_code == 200
    assert resp.content.decode().count('class="errorlist') >= 2


def test_contracts_xlsx_guards_formulas(vendor_a, assessor, login):
    from opsqm.facts.contracts.services import create_contract

    create_contract(
        {
            **{
                k: v
                for k, v in CONTRACT_POST.items()
                if k not in ("rulebook_overrides", "signed_on")
            },
            "title": '=HYPERLINK("http://x")',
            "vendor": vendor_a,
            "start": datetime.date(2026, 1, 1),
            "end": datetime.date(2026, 12, 31),
        }
    )
    resp = login(assessor).get("/contracts/export.xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    titles = [row[1] for row in ws.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in titles


def test_staff_pages_scope_and_verification(evidence_a, contract_b, users, login):
    s1 = evidence_a.staff.get(person="S01")
    html = login(users["vendor_engineer"]).get("/staff/").content.decode()
    assert "S01" in html and "S02" in html
    assert login(users["vendor_engineer"]).get(f"/staff/{s1.pk}/").status_code == 200
    other = StaffMember.objects.create(
        contract=contract_b, person="B01", name="外", entered_on=datetime.date(2025, 1, 1)
    )
    assert login(users["vendor_manager"]).get(f"/staff/{other.pk}/").status_code == 404
    xlsx = login(users["vendor_manager"]).get("/staff/export.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["S01", "S02"]


def test_assessor_records_verification_with_upload(contract_a, assessor, login):
    from opsqm.infra.core.uploads import as_upload  # noqa: F401 (the shared helper exists)

    client = login(assessor)
    pdf = io.BytesIO(b"%PDF-1.4\n%demo\n")
    pdf.name = "degree.pdf"
    pledge = io.BytesIO(b"%PDF-1.4\n%pledge\n")
    pledge.name = "保密承诺书.pdf"
    resp = client.post(
        f"/staff/new/?contract={contract_a.pk}",
        {
            "person": "S09",
            "name": "新人",
            "on_site": "on",
            "entered_on": "2025-06-02",
            "degree_scan": pdf,
            "pledge_scan": pledge,
            "pledge_signed_on": "2025-06-01",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    s = StaffMember.objects.get(person="S09")
    assert s.degree_scan.name.endswith(".pdf")
    bad = io.BytesIO(b"MZ\x90\x00not a pdf")
    bad.name = "scan.pdf"
    resp = client.post(
        f"/staff/{s.pk}/edit/",
        {"person": "S09", "name": "新人", "entered_on": "2025-06-02", "resume": bad},
    )
    assert resp.status_code == 200
    resp = client.post(
        f"/staff/{s.pk}/verify/",
        {"verified_on": "2025-06-02", "id_card_checked": "on", "resume_checked": "on"},
    )
    assert resp.status_code == 200  # the degree/certificate was not checked: form error
    resp = client.post(
        f"/staff/{s.pk}/verify/",
        {
            "verified_on": "2025-06-02",
            "id_card_checked": "on",
            "resume_checked": "on",
            "degree_or_certificate_checked": "on",
        },
    )
    assert resp.status_code == 302
    s.refresh_from_db()
    assert s.verification.verified_by == assessor
    assert AuditRecord.objects.filter(action="staff.verify").exists()
    download = client.get(f"/staff/{s.pk}/files/degree_scan/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_replacement_page_reads_p2(evidence_a, supervisor, login):
    html = login(supervisor).get("/staff/replacements/").content.decode()
    # Notified 2025-02-28 for 2025-03-03: less than 7 days (第六条) → not complied.
    assert "S01" in html and "2025-02-28 10:00" in html
    assert 'class="badge bad"' in html


def test_replacement_form_rejects_other_contracts_staff(evidence_a, contract_b, assessor, login):
    other = StaffMember.objects.create(
        contract=contract_b, person="B01", name="外", entered_on=datetime.date(2025, 1, 1)
    )
    s2 = evidence_a.staff.get(person="S02")
    resp = login(assessor).post(
        f"/staff/replacements/new/?contract={evidence_a.pk}",
        {"person_out": s2.pk, "person_in": other.pk, "replaced_at": "2025-06-01T09:00"},
    )
    assert resp.status_code == 200 and "person_in" in resp.content.decode()


# --- API --------------------------------------------------------------------------


def test_api_scope(contract_a, contract_b, users, login):
    data = login(users["vendor_manager"]).get("/api/v1/contracts/").json()
    assert [c["code"] for c in data["results"]] == [contract_a.code]
    assert (
        login(users["vendor_manager"]).get(f"/api/v1/contracts/{contract_b.pk}/").status_code == 404
    )
    assert login(users["system_admin"]).get("/api/v1/contracts/").status_code == 403
    assert login(users["supervisor"]).get("/api/v1/vendors/").json()["count"] == 2


def test_api_create_through_services_and_errors_name_the_field(vendor_a, users, login):
    client = login(users["assessor"])
    body = {**CONTRACT_POST, "vendor": vendor_a.pk, "rulebook_overrides": {}}
    resp = client.post("/api/v1/contracts/", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert AuditRecord.objects.filter(action="contract.create").count() == 1
    bad = {**body, "code": "C-NEW-2", "rulebook": "no-such-book"}
    resp = client.post("/api/v1/contracts/", bad, content_type="application/json")
    assert resp.status_code == 400 and "rulebook" in resp.json()
    resp = client.post(
        "/api/v1/contracts/",
        {**body, "code": "C-NEW-3", "amount": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 400 and "amount" in resp.json()
    resp = login(users["vendor_manager"]).post(
        "/api/v1/contracts/", {**body, "code": "C-NEW-4"}, content_type="application/json"
    )
    assert resp.status_code == 403


def test_api_staff_and_replacements(evidence_a, contract_b, users, login):
    client = login(users["assessor"])
    resp = client.post(
        "/api/v1/staff/",
        {"contract": evidence_a.pk, "person": "S03", "name": "王工", "entered_on": "2025-07-01"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    s3 = resp.json()["id"]
    s2 = evidence_a.staff.get(person="S02").pk
    resp = client.post(
        "/api/v1/replacements/",
        {
            "contract": evidence_a.pk,
            "person_out": s2,
            "person_in": s3,
            "replaced_at": "2025-07-01T09:00:00+08:00",
            "emergency": True,
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert StaffMember.objects.get(pk=s2).left_on == datetime.date(2025, 7, 1)
    other_mgr_view = login(users["vendor_engineer"]).get("/api/v1/replacements/").json()
    assert other_mgr_view["count"] == 2
    resp = client.post(
        "/api/v1/staff/",
        {"contract": evidence_a.pk, "person": "S03", "name": "重复", "entered_on": "2025-07-01"},
        content_type="application/json",
    )
    assert resp.status_code == 400


def test_page_form_and_api_offer_what_the_service_takes(contract_a, assessor, login):
    """One field list per record: the service's.  The page shows an input for each
    field and the API answers with each (plus its id and read-only extras)."""
    from opsqm.facts.contracts.services import CONTRACT_FIELDS, UNIT_FIELDS, VENDOR_FIELDS
    from opsqm.facts.staff.services import REPLACEMENT_FIELDS

    client = login(assessor)
    pages = {
        f"/contracts/{contract_a.pk}/edit/": (*CONTRACT_FIELDS, "units"),
        "/contracts/vendors/new/": VENDOR_FIELDS,
        "/contracts/units/new/": UNIT_FIELDS,
        f"/staff/replacements/new/?contract={contract_a.pk}": REPLACEMENT_FIELDS,
    }
    for url, fields in pages.items():
        html = client.get(url).content.decode()
        assert all(f'name="{name}"' in html for name in fields), url
    answer = client.get(f"/api/v1/contracts/{contract_a.pk}/").json()
    assert set(answer) == {"id", *CONTRACT_FIELDS, "units", "vendor_name", "agreements"}
    answer = client.get(f"/api/v1/vendors/{contract_a.vendor_id}/").json()
    assert set(answer) == {"id", *VENDOR_FIELDS}


def test_api_vendor_requires_both_mailboxes(assessor, login):
    client = login(assessor)
    resp = client.post("/api/v1/vendors/", {"name": "丙公司"}, content_type="application/json")
    assert resp.status_code == 400
    assert {"intranet_mailbox", "manager_mailbox"} <= set(resp.json())
    body = {"name": "丙公司", "intranet_mailbox": "c@ywxt.local", "manager_mailbox": "m@c.cn"}
    resp = client.post("/api/v1/vendors/", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert AuditRecord.objects.filter(action="vendor.create").count() == 1
