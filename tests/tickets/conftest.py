"""Ticket tests use the shared fixtures of tests/conftest.py (two vendors, units,
contracts, one user of every role, the real mail server of tests/mail) and add a
ticket taken in and a ticket dispatched."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def server_time(ticket: Any, field: str, at: datetime.datetime) -> None:
    """Simulate the mail server's receive time of one of the ticket's messages (the
    real server is used in test_mail_flow.py)."""
    from opsqm.infra.mail.models import OutboundMessage

    ticket.refresh_from_db()
    OutboundMessage.objects.filter(pk=getattr(ticket, f"{field}_id")).update(
        server_received_at=at, server_received_source="imap-internaldate"
    )


# A time inside the shared contracts' service period (2025): intake takes a report
# only for the contract in force when it was made (issue 12).
IN_FORCE = datetime.datetime(
    2025, 6, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)


@pytest.fixture
def contract_now(vendor_a: Any, unit_a: Any) -> Any:
    """A contract of vendor A for unit A in force today (the shared ones ended in 2025):
    what the intake pages offer and a security report's registration needs."""
    from decimal import Decimal

    from django.utils import timezone

    from opsqm.facts.contracts.models import Contract

    today = timezone.localdate()
    c = Contract.objects.create(
        code="BJJY-NOW-001",
        title=f"{unit_a.name}信息化运维服务（续）",
        vendor=vendor_a,
        amount=Decimal("1000000.00"),
        final_payment=Decimal("300000.00"),
        start=today - datetime.timedelta(days=30),
        end=today + datetime.timedelta(days=330),
    )
    c.units.add(unit_a)
    return c


@pytest.fixture
def intake(contract_a: Any, unit_a: Any, service_desk: Any) -> Any:
    from opsqm.facts.tickets import services

    return services.record_intake(
        contract_a,
        user=service_desk,
        reporter="王警官",
        phone="010-1234",
        system="执法终端 T-07",
        description="三监区打印机无法打印",
        unit=unit_a,
        attachments=[upload("photo.png", PNG)],
        reported_at=IN_FORCE,
        priority="normal",
    )


@pytest.fixture
def dispatched(intake: Any, service_desk: Any) -> Any:
    from django.utils import timezone

    from opsqm.facts.tickets import services

    services.log_vendor_call(
        intake, user=service_desk, called_at=timezone.now(), person="李工", outcome="需要上门"
    )
    t = services.dispatch(intake, user=service_desk)
    server_time(t, "dispatch_message", timezone.now() - datetime.timedelta(minutes=1))
    services.apply_server_times(t)
    t.refresh_from_db()
    return t


__all__ = ["io"]
