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
        ChangeNotice,
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
        change = ChangeNotice.objects.create(
            number=f"BG-2025-000{1 if tag == 'a' else 2}",
            system="s",
            window_start=at,
            window_end=at + datetime.timedelta(hours=2),
            impact="i",
            contact="c",
            written_at=at,
        )
        change.contracts.add(contract)
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
                f"change_{tag}": change.pk,
            }
        )
        _remedies(objs, tag, contract, inc, delivery)


def _remedies(objs: dict[str, Any], tag: str, contract: Any, inc: Any, delivery: Any) -> None:
    """Issue 16: liability, force majeure, an agreed delay, a termination, an invoice
    and a payment, each with its file where it has one."""
    from decimal import Decimal

    from opsqm.derived.payments.models import Invoice, PaymentMade, Termination
    from opsqm.facts.incidents.models import DelayAgreement, ForceMajeure, Liability

    day = datetime.date(2025, 6, 1)
    lb = Liability.objects.create(incident=inc, amount=Decimal(1), decided_on=day, decision="d")
    lb.evidence.save("l.pdf", ContentFile(PDF), save=True)
    fm = ForceMajeure.objects.create(
        contract=contract, code=f"FM-{tag}", event="e", occurred_on=day,
        notified_at=datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC),
    )  # fmt: skip
    fm.explanation.save("x.pdf", ContentFile(PDF), save=True)
    agreement = DelayAgreement(
        delivery=delivery, requested_on=day, agreed_on=day, previous_due=day,
        new_due=day + datetime.timedelta(days=5), reason="r",
    )  # fmt: skip
    agreement.document.save("a.pdf", ContentFile(PDF), save=True)
    t = Termination.objects.create(
        contract=contract, grounds="service_failure", notice_on=day, received_on=day, reason="r"
    )
    t.notice.save("t.pdf", ContentFile(PDF), save=True)
    invoice = Invoice.objects.create(
        contract=contract, kind="first", number=f"FP-{tag}", amount=Decimal(1),
        issued_on=day, received_on=day,
    )  # fmt: skip
    paid = PaymentMade.objects.create(
        contract=contract, kind="first", paid_on=day, amount=Decimal(1)
    )
    objs.update(
        {
            f"liability_{tag}": lb.pk,
            f"fm_{tag}": fm.pk,
            f"agreement_{tag}": agreement.pk,
            f"termination_{tag}": t.pk,
            f"invoice_{tag}": invoice.pk,
            f"payment_{tag}": paid.pk,
        }
    )
