"""Payments, liability and force majeure on the seed contract (docs/payments.md,
docs/contract.md): the signing day, the first payment's invoice and payment; SG-03, an
operator's wrong command, with the direct loss the bureau determined (第十二条, deducted
at settlement); the July rainstorm notified at once, explained in writing within 5 days
and excused by the bureau's decision for the quarterly report it delayed (合同 十一)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.derived.payments import services as payments
from opsqm.edges.demo.files import pdf
from opsqm.edges.demo.story import Story, at
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents import remedies
from opsqm.facts.incidents import services as incidents
from opsqm.facts.incidents.models import ServiceDelay
from opsqm.facts.tickets.models import Ticket


def _scan(name: str, *lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(["OpsQM demo document", *lines]))


def record_payments(seed: Contract) -> None:
    """Signed 2025-10-29 (the seed text); the first payment invoiced and paid in time."""
    payments.set_signed_on(seed, date(2025, 10, 29))
    payments.register_invoice(
        seed,
        {
            "kind": "first",
            "number": "11002512345678",
            "amount": seed.amount - seed.final_payment,
            "issued_on": date(2025, 11, 18),
            "received_on": date(2025, 11, 20),
        },
    )
    payments.record_payment(
        seed,
        {
            "kind": "first",
            "paid_on": date(2025, 12, 5),
            "amount": seed.amount - seed.final_payment,
            "note": "国库集中支付",
        },
    )


def record_liability(story: Story, seed: Contract) -> None:
    incident = incidents.record_incident(
        seed,
        {
            "code": "SG-03",
            "title": "误执行批量删除脚本致终端配置丢失",
            "level": 3,
            "occurred_at": at(date(2026, 8, 18), 10),
            "reported_at": at(date(2026, 8, 19), 16),
            "restored_at": at(date(2026, 8, 18), 13),
            "systems": "移动执法终端配置管理",
            "impact": "部分终端配置丢失，经重新下发恢复",
            "scope": "partial_function",
            "human_error": "wrong_command",
        },
    )
    remedies.record_liability(
        incident,
        {
            "amount": Decimal("8600.00"),
            "decided_on": date(2026, 9, 2),
            "decision": (
                "经信息技术处认定：运维人员误执行脚本，终端配置恢复所需的外协服务费 8,600 元"
                "为直接经济损失，由运维服务公司承担（第十二条），结算时从付款中扣除（合同 五.5）。"
            ),
            "evidence": _scan("SG-03-损失认定.pdf", "SG-03 direct loss: 8600.00"),
        },
        story.users["assessor"],
    )


def record_force_majeure(story: Story, seed: Contract) -> None:
    """The rainstorm of 5 July 2026: the quarterly report due on the 10th was delivered
    on the 18th; the bureau excuses it and the tickets dispatched that day."""
    fm = remedies.record_force_majeure(
        seed,
        {
            "code": "FM-2026-01",
            "event": "7月5日特大暴雨，机房所在园区断电断网，运维人员无法到岗",
            "occurred_on": date(2026, 7, 5),
            "notified_at": at(date(2026, 7, 5), 9, 40),
        },
    )
    remedies.record_explanation(
        fm, date(2026, 7, 8), _scan("FM-2026-01-说明.pdf", "FM-2026-01 written explanation")
    )
    day = at(date(2026, 7, 5), 0)
    tickets = list(
        Ticket.objects.filter(
            contract=seed, dispatched_at__gte=day, dispatched_at__lt=day + timedelta(days=1)
        ).order_by("pk")[:2]
    )
    remedies.decide_force_majeure(
        fm,
        {
            "decided_on": date(2026, 7, 15),
            "decision": (
                "经核实属不可抗力（合同 十一）：季度报告 2026Q2 延期交付"
                "及当日派发工单的超时不予扣分、不计违约金。"
            ),
            "deliveries": [ServiceDelay.objects.get(contract=seed, obligation="季度报告 2026Q2")],
            "tickets": tickets,
        },
        story.users["assessor"],
    )


def record_remedies(story: Story, seed: Contract) -> None:
    record_payments(seed)
    record_liability(story, seed)
    record_force_majeure(story, seed)
