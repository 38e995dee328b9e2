"""Objects of issue 6 (incidents, evaluations, praise, rectification, deliveries,
settlement) for the permission matrix: one inside the scope (contract A), one outside
(contract B)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile

from opsqm.infra.core.roles import Role

PDF = b"%PDF-1.4 test"


def add_objects(
    objs: dict[str, Any], users: dict[str, Any], contract_a: Any, contract_b: Any
) -> None:
    from opsqm.derived.settlement.models import SettlementStatement
    from opsqm.facts.contracts.models import SignedAgreement
    from opsqm.facts.incidents.models import (
        CampaignEntry,
        DeterminationStep,
        EvaluationCampaign,
        Incident,
        IncidentEvidence,
        PraiseApplication,
        RectificationNotice,
        ServiceDelay,
        StaffListSubmission,
    )

    at = datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC)
    assessor = users[Role.ASSESSOR]
    campaign = EvaluationCampaign.objects.create(quarter="2025Q2", opened_at=at, opened_by=assessor)
    objs["campaign"] = campaign.pk
    for tag, contract in (("a", contract_a), ("b", contract_b)):
        inc = Incident.objects.create(contract=contract, code=f"SG-{tag}", occurred_at=at)
        inc.report.save("r.pdf", ContentFile(PDF), save=True)
        ev = IncidentEvidence.objects.create(
            incident=inc, kind="user_feedback", note="x", added_at=at, added_by=assessor
        )
        ev.file.save("f.pdf", ContentFile(PDF), save=True)
        step = DeterminationStep.objects.create(
            incident=inc, step=5, level=2, recorded_at=at, recorded_by=assessor
        )
        step.conclusion_scan.save("c.pdf", ContentFile(PDF), save=True)
        app = PraiseApplication.objects.create(
            contract=contract,
            event=f"E-{tag}",
            level="service_unit",
            praised_on=at.date(),
            description="d",
            applied_at=at,
        )
        app.evidence.save("e.pdf", ContentFile(PDF), save=True)
        rect = RectificationNotice.objects.create(
            contract=contract,
            code=f"ZG-{tag}",
            subject="s",
            description="d",
            received_on=at.date(),
            due=at.date() + datetime.timedelta(days=5),
        )
        rect.notice_file.save("n.pdf", ContentFile(PDF), save=True)
        delivery = ServiceDelay.objects.create(
            contract=contract, obligation=f"季度报告 {tag}", due=at.date()
        )
        delivery.delivery_file.save("d.pdf", ContentFile(PDF), save=True)
        staff_list = ServiceDelay.objects.create(
            contract=contract, obligation=f"人员名单 {tag}", kind="staff_list", due=at.date()
        )
        submission = StaffListSubmission.objects.create(
            delivery=staff_list, entries=[{"person": "", "name": "张工"}], submitted_at=at
        )
        submission.file.save("l.pdf", ContentFile(PDF), save=True)
        agreement = SignedAgreement(
            contract=contract, kind="confidentiality", signed_on=at.date(), recorded_at=at
        )
        agreement.scan.save("a.pdf", ContentFile(PDF), save=True)
        st = SettlementStatement.objects.create(contract=contract, created_at=at)
        CampaignEntry.objects.create(
            campaign=campaign, contract=contract, unit=contract.units.first()
        )
        objs.update(
            {
                f"incident_{tag}": inc.pk,
                f"evidence_{tag}": ev.pk,
                f"step_{tag}": step.pk,
                f"praise_app_{tag}": app.pk,
                f"rect_{tag}": rect.pk,
                f"delivery_{tag}": delivery.pk,
                f"staff_list_{tag}": staff_list.pk,
                f"staff_list_sub_{tag}": submission.pk,
                f"settlement_{tag}": st.pk,
            }
        )
