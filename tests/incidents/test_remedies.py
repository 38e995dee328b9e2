"""The remedies on the incident side: liability for an operator's error (第十二条),
force majeure with its notice, explanation and decision (合同 十一), and the bureau's
written agreement that alone moves a delivery's due day (合同 十.1)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from opsqm.facts.contracts.scoring import contract_ledger
from opsqm.facts.incidents import remedies
from opsqm.facts.incidents import services as inc
from opsqm.facts.incidents.models import ForceMajeure, Incident, ServiceDelay
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.audit.models import AuditRecord
from tests.web.fixtures_registers import *  # noqa: F403  (fixtures)
from tests.web.fixtures_registers import at

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = at(2026, 1, 20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _operator_error(contract: Any) -> Incident:
    return inc.record_incident(
        contract,
        {
            "code": "SG-09",
            "level": 3,
            "occurred_at": at(2025, 6, 2, 9),
            "human_error": "wrong_command",
        },
    )


# --- 第十二条 ----------------------------------------------------------------------


def test_liability_needs_an_operator_error_and_a_sane_determination(
    evidence_a: Any, assessor: Any
) -> None:
    plain = Incident.objects.get(code="SG-01")
    data = {"amount": Decimal("12000.00"), "decided_on": D(2025, 6, 20), "decision": "局信息处认定"}
    with translation.override("en"), pytest.raises(ValidationError, match="operator"):
        remedies.record_liability(plain, data, assessor)
    incident = _operator_error(evidence_a)
    for bad, field in (
        ({"amount": Decimal("-1")}, "amount"),
        ({"decided_on": D(2025, 6, 1)}, "decided_on"),  # before the incident
        ({"decided_on": D(2099, 1, 1)}, "decided_on"),  # in the future
        ({"decision": " "}, "decision"),
    ):
        with pytest.raises(ValidationError) as exc:
            remedies.record_liability(incident, data | bad, assessor)
        assert field in exc.value.message_dict
    lb = remedies.record_liability(incident, data | {"evidence": pdf()}, assessor)
    assert lb.amount == Decimal("12000.00") and lb.evidence.name
    remedies.record_liability(incident, data | {"amount": Decimal("15000.00")}, assessor)
    lb.refresh_from_db()
    assert lb.amount == Decimal("15000.00") and lb.evidence.name  # a correction keeps the scan
    records = AuditRecord.objects.filter(action="incident.liability").order_by("id")
    assert [r.after["amount"] for r in records] == ["12000.00", "15000.00"]
    assert records[1].before["amount"] == "12000.00"
    remedies.withdraw_liability(lb, "复议撤销", assessor)
    assert remedies.liabilities(evidence_a) == []
    assert AuditRecord.objects.get(action="incident.liability_withdraw").after == {
        "reason": "复议撤销"
    }


def test_liability_pages(evidence_a: Any, assessor: Any, vendor_manager: Any, client: Any) -> None:
    incident = _operator_error(evidence_a)
    url = reverse("incidents:liability", args=[incident.pk])
    client.force_login(vendor_manager)
    assert client.get(url).status_code == 403
    client.force_login(assessor)
    r = client.post(
        url,
        {
            "amount": "8000.00",
            "decided_on": "2025-06-30",
            "decision": "直接损失",
            "evidence": pdf(),
        },
    )
    assert r.status_code == 302
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "8,000.00" in page and "直接损失" in page
    client.force_login(vendor_manager)
    lb = incident.liability
    assert client.get(reverse("incidents:liability_file", args=[lb.pk])).status_code == 200


# --- 合同 十一 ---------------------------------------------------------------------


def _fm(contract: Any, **extra: Any) -> ForceMajeure:
    data = {
        "code": "FM-2025-01",
        "event": "暴雨致机房停电",
        "occurred_on": D(2025, 12, 29),
        "notified_at": at(2025, 12, 29, 11),
    } | extra
    return remedies.record_force_majeure(contract, data)


def test_notice_dates_are_checked(evidence_a: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _fm(evidence_a, notified_at=at(2025, 12, 28, 11))
    assert list(exc.value.message_dict) == ["notified_at"]  # before the event
    with pytest.raises(ValidationError) as exc:
        _fm(evidence_a, occurred_on=D(2024, 12, 1), notified_at=at(2024, 12, 1, 12))
    assert "occurred_on" in exc.value.message_dict  # before the service period
    _fm(evidence_a)
    with pytest.raises(ValidationError) as exc:
        _fm(evidence_a)
    assert list(exc.value.message_dict) == ["code"]


def test_the_written_explanation_is_due_in_5_days(evidence_a: Any) -> None:
    fm = _fm(evidence_a)
    assert fm.explanation_due == D(2026, 1, 3)
    assert not fm.explanation_overdue(D(2026, 1, 3))
    assert fm.explanation_overdue(D(2026, 1, 4))
    assert remedies.explanations_overdue([evidence_a]) == [fm]  # today is long after
    with pytest.raises(ValidationError):
        remedies.record_explanation(fm, D(2025, 12, 1))  # before the event
    remedies.record_explanation(fm, D(2026, 1, 5), pdf())
    fm.refresh_from_db()
    assert fm.explanation_overdue(D(2026, 1, 5))  # received, but late
    assert remedies.explanations_overdue([evidence_a]) == []
    assert AuditRecord.objects.filter(action="force_majeure.explanation").exists()


def test_the_decision_excuses_a_ticket_and_the_ledger_drops_it_at_once(
    evidence_a: Any, assessor: Any, contract_b: Any
) -> None:
    ticket = Ticket.objects.get(number="GD-0002")
    assert {i.rule for i in contract_ledger(evidence_a, AS_OF).items if i.ref == "GD-0002"} >= {
        "T6"
    }
    fm = _fm(evidence_a)
    decision = {"decided_on": D(2026, 1, 6), "decision": "认定为不可抗力", "tickets": [ticket]}
    remedies.decide_force_majeure(fm, decision, assessor)
    ticket.refresh_from_db()
    assert ticket.excused == "force_majeure:FM-2025-01"
    ledger = contract_ledger(evidence_a, AS_OF)
    assert not {i.rule for i in ledger.items if i.ref == "GD-0002"} & {"T6", "T7", "T8"}
    assert remedies.excused_rows(evidence_a)[0]["decision"] == fm
    # a revised decision naming nothing: the ticket costs again
    remedies.decide_force_majeure(
        fm, decision | {"tickets": [], "decision": "复核：不予认定"}, assessor
    )
    ticket.refresh_from_db()
    assert ticket.excused == ""
    assert {i.rule for i in contract_ledger(evidence_a, AS_OF).items if i.ref == "GD-0002"} >= {
        "T6"
    }
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    assert actions.count("force_majeure.decide") == 2 and "fact.excuse_clear" in actions


def test_a_decision_names_only_its_own_contract_and_is_dated_sensibly(
    evidence_a: Any, assessor: Any, contract_b: Any
) -> None:
    fm = _fm(evidence_a)
    other = inc.record_incident(
        contract_b, {"code": "SG-B", "level": 3, "occurred_at": at(2025, 12, 29, 9)}
    )
    base = {"decided_on": D(2026, 1, 6), "decision": "认定"}
    with pytest.raises(ValidationError) as exc:
        remedies.decide_force_majeure(fm, base | {"incidents": [other]}, assessor)
    assert list(exc.value.message_dict) == ["incidents"]
    with pytest.raises(ValidationError) as exc:
        remedies.decide_force_majeure(fm, base | {"decided_on": D(2025, 12, 1)}, assessor)
    assert list(exc.value.message_dict) == ["decided_on"]
    assert not ForceMajeure.objects.get(pk=fm.pk).decided


def test_force_majeure_pages(
    evidence_a: Any, assessor: Any, vendor_manager: Any, recipient: Any, client: Any
) -> None:
    client.force_login(vendor_manager)
    url = reverse("incidents:force_majeure_create") + f"?contract={evidence_a.pk}"
    r = client.post(
        url,
        {
            "code": "FM-1",
            "event": "地震",
            "occurred_on": "2025-12-29",
            "notified_at": "2025-12-29T12:00",
        },
    )
    assert r.status_code == 302
    fm = ForceMajeure.objects.get(code="FM-1")
    page = reverse("incidents:force_majeure", args=[fm.pk])
    r = client.post(page, {"form": "decision", "dec-decided_on": "2026-01-06", "dec-decision": "x"})
    assert r.status_code == 403  # the vendor does not decide
    client.force_login(assessor)
    ticket = Ticket.objects.get(number="GD-0002")
    delay = ServiceDelay.objects.get(obligation="季度报告 2025Q1")
    r = client.post(
        page,
        {
            "form": "decision",
            "dec-decided_on": "2026-01-06",
            "dec-decision": "认定不可抗力",
            "dec-tickets": [ticket.pk],
        },
    )
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert ticket.excused == "force_majeure:FM-1"
    text = client.get(reverse("ledger:detail", args=[evidence_a.code])).content.decode()
    assert "force_majeure:FM-1" in text and "认定不可抗力" in text
    assert client.get(reverse("incidents:force_majeure_list")).status_code == 200
    ref = reverse("incidents:force_majeure_ref", args=[evidence_a.pk]) + "?ref=force_majeure:FM-1"
    assert client.get(ref)["Location"] == page
    assert delay.excused == ""
    client.force_login(recipient)
    assert client.get(page).status_code == 403


# --- 合同 十.1 ---------------------------------------------------------------------


def test_only_a_written_agreement_moves_the_due_day(evidence_a: Any, assessor: Any) -> None:
    delay = ServiceDelay.objects.get(obligation="季度报告 2025Q1")
    with pytest.raises(ValidationError) as exc:
        inc.update_service_delay(delay, {"due": D(2025, 4, 20)})
    assert list(exc.value.message_dict) == ["due"]
    data = {
        "requested_on": D(2025, 4, 5),
        "agreed_on": D(2025, 4, 7),
        "new_due": D(2025, 4, 20),
        "reason": "等待局方提供数据",
    }
    with pytest.raises(ValidationError) as exc:
        remedies.agree_delay(delay, data, assessor)
    assert list(exc.value.message_dict) == ["document"]
    with pytest.raises(ValidationError) as exc:
        remedies.agree_delay(
            delay, data | {"agreed_on": D(2025, 4, 1), "document": pdf()}, assessor
        )
    assert list(exc.value.message_dict) == ["agreed_on"]  # before the vendor's notice
    with pytest.raises(ValidationError) as exc:
        remedies.agree_delay(delay, data | {"new_due": D(2025, 4, 9), "document": pdf()}, assessor)
    assert list(exc.value.message_dict) == ["new_due"]
    assert contract_ledger(evidence_a, AS_OF).fines["D1"] > 0
    agreement = remedies.agree_delay(delay, data | {"document": pdf()}, assessor)
    delay.refresh_from_db()
    assert (delay.due, agreement.previous_due) == (D(2025, 4, 20), D(2025, 4, 10))
    assert contract_ledger(evidence_a, AS_OF).fines["D1"] == 0  # delivered on the 18th
    moved = AuditRecord.objects.get(action="service_delay.due_moved")
    assert (moved.before["due"], moved.after["due"]) == ("2025-04-10", "2025-04-20")
    assert AuditRecord.objects.filter(action="service_delay.agree").exists()


def test_agreement_page(evidence_a: Any, assessor: Any, client: Any) -> None:
    delay = ServiceDelay.objects.get(obligation="季度报告 2025Q1")
    client.force_login(assessor)
    url = reverse("incidents:delay_agreement", args=[delay.pk])
    r = client.post(
        url,
        {
            "requested_on": "2025-04-05",
            "agreed_on": "2025-04-07",
            "new_due": "2025-04-20",
            "reason": "同意延期",
            "document": pdf(),
        },
    )
    assert r.status_code == 302
    page = client.get(
        reverse("incidents:deliveries") + f"?contract={evidence_a.pk}"
    ).content.decode()
    assert "2025-04-20" in page and "2025-04-10" in page
