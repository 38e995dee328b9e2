"""A complete ticket of contract A as the printed form shows it: dispatched by mail
(server time), acknowledged, extended with the recipient's agreement, resolved,
signed with a drawn signature, archived."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.base import ContentFile

from tests.web.fixtures_registers import at

__all__ = ["phone_ticket", "printed_ticket", "signature_png"]


def signature_png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(img)
    stroke = [(20, 90), (80, 30), (120, 95), (170, 25), (230, 90), (330, 40)]
    draw.line(stroke, fill="navy", width=5)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def printed_ticket(contract_a: Any, unit_a: Any) -> Any:
    from opsqm.facts.tickets.models import Event, Extension, OriginalReport, Ticket
    from opsqm.infra.mail.models import OutboundKind, OutboundMessage

    dispatch = OutboundMessage.objects.create(
        message_id="<d1@opsqm.local>",
        kind=OutboundKind.DISPATCH,
        from_address="servicedesk@opsqm.local",
        subject="[GD-2025-0042] 派单",
        server_received_at=at(2025, 3, 3, 10, 5),
        server_received_source="imap-internaldate",
    )
    t = Ticket(
        contract=contract_a,
        number="GD-2025-0042",
        problem="GD-2025-0042",
        title="监区移动执法终端无法登录",
        unit=unit_a,
        priority="urgent",
        kind="service",
        system="移动执法终端 MT-0815",
        description="三监区两台终端登录时提示“证书无效”，无法进入执法系统。",
        dispatch_message=dispatch,
        dispatched_at=at(2025, 3, 3, 10, 5),
        acknowledged_at=at(2025, 3, 3, 10, 40),
        extended_to=at(2025, 3, 4, 12, 0),
        resolved_at=at(2025, 3, 4, 11, 20),
        archived_at=at(2025, 3, 4, 16, 0),
        archive="ok",
        analysis="终端证书于 3 月 1 日到期，证书自动续期任务因时钟偏差未执行。",
        steps="1. 校正终端时钟；\n2. 手工续签证书并推送；\n3. 修复续期任务的时钟检查。",
        verification="两台终端均可正常登录并完成一次执法记录上传。",
        signature="signed",
        satisfaction="satisfied",
        signer_name="李明",
        signed_at=at(2025, 3, 4, 15, 30),
    )
    png = signature_png()
    t.signature_image.save("sig.png", ContentFile(png), save=False)
    t.signature_sha256 = hashlib.sha256(png).hexdigest()
    t.save()
    OriginalReport.objects.create(
        ticket=t,
        reporter="李明",
        unit_name=unit_a.name,
        phone="010-8888 1234",
        description=t.description,
        reported_at=at(2025, 3, 3, 8, 50),
    )
    for when, source, action in (
        (t.acknowledged_at, "app", "acknowledge"),
        (t.resolved_at, "server", "resolve"),
        (t.archived_at, "server", "archive"),
    ):
        Event.objects.create(ticket=t, at=when, source=source, action=action)
    Extension.objects.create(
        ticket=t,
        requested_to=at(2025, 3, 4, 12, 0),
        reason="需厂商签发新证书，8 小时内无法完成。",
        state="agreed",
        agreed_to=at(2025, 3, 4, 12, 0),
        decided_at=at(2025, 3, 3, 16, 0),
    )
    return Ticket.objects.get(pk=t.pk)


@pytest.fixture
def phone_ticket(contract_a: Any, unit_a: Any) -> Any:
    """Closed on the exception path: the recipient could not sign; the desk called."""
    from opsqm.facts.tickets.models import PhoneCall, Ticket

    t = Ticket.objects.create(
        contract=contract_a,
        number="GD-2025-0043",
        problem="GD-2025-0043",
        title="打印机卡纸",
        unit=unit_a,
        dispatched_at=at(2025, 3, 5, 9, 0),
        resolved_at=at(2025, 3, 5, 11, 0),
        signature="phone_confirmed",
        satisfaction="satisfied",
        no_signature_reason="服务对象在监管区内执勤，无法签字。",
    )
    PhoneCall.objects.create(
        ticket=t,
        purpose="recipient",
        called_at=at(2025, 3, 5, 14, 0),
        person="王强",
        outcome="确认打印机已恢复正常",
    )
    return t
