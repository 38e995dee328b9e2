"""The deliverables register, the supervisor's reviews and the acceptance workflow
(合同 八, 五.2), with its access answers and audit records."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from opsqm.derived.acceptance import services
from opsqm.derived.acceptance.models import AcceptanceFile, Deliverable, Kind
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% test document\n"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_register_lists_every_document_of_the_contract(contract_a: Any) -> None:
    services.ensure_register(contract_a)
    rows = Deliverable.objects.filter(contract=contract_a)
    kinds = {d.kind for d in rows}
    assert kinds == set(Kind.values)  # the 13 documents of 合同 八
    quarterly = rows.filter(kind=Kind.QUARTERLY_REPORT).order_by("due")
    assert [d.period for d in quarterly] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert quarterly[0].due == datetime.date(2025, 4, 10)  # 10 days after the quarter
    months = rows.filter(kind=Kind.MONTHLY_INSPECTION)
    assert months.count() == 12
    assert rows.get(kind=Kind.MONTHLY_INSPECTION, period="2025-02").due == datetime.date(2025, 3, 5)
    assert rows.get(kind=Kind.DATA_DICTIONARY).due == datetime.date(2026, 1, 10)
    # Idempotent.
    services.ensure_register(contract_a)
    assert Deliverable.objects.filter(contract=contract_a).count() == rows.count()


def test_due_days_are_configurable_per_contract_and_audited(contract_a: Any, users: Any) -> None:
    services.set_due_days(
        contract_a, users[Role.ASSESSOR], report_due_days=20, inspection_due_days=3
    )
    d = Deliverable.objects.get(contract=contract_a, kind=Kind.QUARTERLY_REPORT, period="2025Q1")
    assert d.due == datetime.date(2025, 4, 20)
    assert AuditRecord.objects.filter(action="acceptance.due_days").exists()
    with pytest.raises(ValidationError):
        services.set_due_days(
            contract_a, users[Role.VENDOR_MANAGER], report_due_days=1, inspection_due_days=1
        )


def test_versions_are_kept_with_hash_and_the_supervisor_reviews(
    contract_a: Any, users: Any
) -> None:
    vm, sup = users[Role.VENDOR_MANAGER], users[Role.SUPERVISOR]
    d = services.deliverable_for(contract_a, Kind.DATA_DICTIONARY)
    assert d.state == "missing" and services.is_late(d)  # the period is over
    v1 = services.upload_version(d, vm, pdf("数据字典.pdf"))
    v2 = services.upload_version(d, vm, pdf("数据字典-2.pdf"), "修订")
    assert (v1.number, v2.number) == (1, 2)
    assert v2.sha256 == hashlib.sha256(PDF).hexdigest() and v2.uploaded_by == vm
    assert v1.file.name.startswith("acceptance/deliverables/")
    d.refresh_from_db()
    assert d.state == "uploaded" and services.is_late(d)  # uploaded after its due date
    # A renamed executable is refused by the upload validator.
    with pytest.raises(ValidationError):
        services.upload_version(d, vm, SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
    services.submit_for_review(d, vm)
    with pytest.raises(ValidationError):  # returning needs comments
        services.review_deliverable(d, sup, approve=False, comments=" ")
    services.review_deliverable(d, sup, approve=False, comments="缺字段说明")
    d.refresh_from_db()
    assert d.state == "returned"
    v3 = services.upload_version(d, vm, pdf())
    services.review_deliverable(d, sup, approve=True, comments="")
    d.refresh_from_db()
    assert d.state == "accepted" and d.accepted_version == v3
    assert d.versions.count() == 3
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"acceptance.version", "acceptance.submit", "acceptance.review"} <= actions


def _complete_register(contract: Any, users: Any) -> None:
    vm = users[Role.VENDOR_MANAGER]
    for d in services.deliverables(contract):
        if not d.optional:
            services.upload_version(d, vm, pdf())


def test_the_acceptance_workflow(contract_a: Any, users: Any) -> None:
    vm, sup, it = users[Role.VENDOR_MANAGER], users[Role.SUPERVISOR], users[Role.ASSESSOR]
    services.ensure_register(contract_a)
    with pytest.raises(ValidationError, match="26"):
        services.apply_for_acceptance(contract_a, vm)
    _complete_register(contract_a, users)
    services.apply_for_acceptance(contract_a, vm)
    assert not Deliverable.objects.filter(contract=contract_a, state="uploaded").exists()
    with pytest.raises(ValidationError):  # documents not reviewed yet
        services.review_application(contract_a, sup, approve=True, comments="")
    services.review_application(contract_a, sup, approve=False, comments="季度报告不完整")
    assert AcceptanceFile.objects.get(contract=contract_a).state == "returned"
    with pytest.raises(ValidationError):
        services.accept(contract_a, it)
    services.apply_for_acceptance(contract_a, vm)
    for d in Deliverable.objects.filter(contract=contract_a, state="under_review"):
        services.review_deliverable(d, sup, approve=True, comments="")
    services.review_application(contract_a, sup, approve=True, comments="")
    services.accept(contract_a, it)
    assert services.is_accepted(contract_a)
    f = AcceptanceFile.objects.get(contract=contract_a)
    assert [e.action for e in f.events.all()] == ["apply", "review", "apply", "review", "accept"]
    assert AuditRecord.objects.filter(action="acceptance.accept", actor_role="assessor").exists()
    # Closed: no more versions.
    with pytest.raises(ValidationError):
        services.upload_version(
            services.deliverable_for(contract_a, Kind.DATA_DICTIONARY), vm, pdf()
        )


def test_pages_scope_and_roles(contract_a: Any, contract_b: Any, users: Any) -> None:
    vm = client_for(users[Role.VENDOR_MANAGER])
    page = vm.get(reverse("acceptance:detail", args=[contract_a.code]))
    assert page.status_code == 200
    assert "数据字典".encode() in page.content or b"Data dictionary" in page.content
    assert vm.get(reverse("acceptance:detail", args=[contract_b.code])).status_code == 404
    d_b = services.deliverable_for(contract_b, Kind.DATA_DICTIONARY)
    assert vm.post(reverse("acceptance:upload", args=[d_b.pk]), {"file": pdf()}).status_code == 404
    d_a = services.deliverable_for(contract_a, Kind.DATA_DICTIONARY)
    r = vm.post(reverse("acceptance:upload", args=[d_a.pk]), {"file": pdf(), "note": "初稿"})
    assert r.status_code == 302 and d_a.versions.count() == 1
    v = d_a.versions.get()
    got = vm.get(reverse("acceptance:version_file", args=[v.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert (
        client_for(users[Role.RECIPIENT])
        .get(reverse("acceptance:detail", args=[contract_a.code]))
        .status_code
        == 403
    )
    sup = client_for(users[Role.SUPERVISOR])
    r = sup.post(reverse("acceptance:review_document", args=[d_a.pk]), {"decision": "approve"})
    assert r.status_code == 302
    d_a.refresh_from_db()
    assert d_a.state == "accepted"
