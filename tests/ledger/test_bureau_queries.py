"""The bureau's pages read kept ledgers: the same number of queries for 3 contracts
as for 30 (docs/ledger.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsqm.derived.ledger.kept import refresh_stale
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db


def _add_contracts(vendor: Any, unit: Any, first: int, last: int) -> None:
    from opsqm.facts.contracts.models import Contract
    from opsqm.facts.tickets.models import Ticket

    for n in range(first, last):
        c = Contract.objects.create(
            code=f"BJJY-2025-{n:03d}",
            title=f"合同 {n}",
            vendor=vendor,
            amount=Decimal("100000.00"),
            final_payment=Decimal("30000.00"),
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
        )
        c.units.add(unit)
        Ticket.objects.create(
            contract=c,
            number=f"GD-{n}",
            problem=f"GD-{n}",
            priority="normal",
            dispatched_at=datetime.datetime(2025, 3, 3, 9, tzinfo=TZ),
            resolved_at=datetime.datetime(2025, 3, 5, 9, tzinfo=TZ),
            signature="signed",
            archive="ok",
        )


def _queries(client: Any, url: str) -> int:
    client.get(url)  # the session and anything a first request sets up
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/ledger/", "/dashboards/"])
def test_bureau_pages_do_not_grow_with_contracts(
    url: str, vendor_a: Any, unit_a: Any, assessor: Any, login: Any
) -> None:
    client = login(assessor)
    _add_contracts(vendor_a, unit_a, 1, 4)
    refresh_stale()  # the worker
    few = _queries(client, url)
    body = client.get(url).content.decode()
    assert "BJJY-2025-003" in body
    _add_contracts(vendor_a, unit_a, 4, 31)
    refresh_stale()
    many = _queries(client, url)
    assert "BJJY-2025-030" in client.get(url).content.decode()
    assert many == few
    assert few <= 14
