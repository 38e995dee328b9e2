"""Issue 12: ticket numbers unique across contracts.  Migration 0009 renumbers the
duplicates an older database may hold, the same way every time; the sequence gives
distinct numbers to desks recording at the same moment."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0008_text_limits"), ("contracts", "0003_evidenceversion")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema() -> Iterator[Any]:
    """The schema before 0009 (numbers unique per contract); the latest after."""
    apps = _migrate(BEFORE)
    try:
        yield apps
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())


def _duplicates(apps: Any) -> dict[str, Any]:
    Vendor = apps.get_model("contracts", "Vendor")
    Contract = apps.get_model("contracts", "Contract")
    Ticket = apps.get_model("tickets", "Ticket")
    vendor = Vendor.objects.create(name="凯辉")
    made = {}
    for code in ("C-1", "C-2", "C-3"):
        made[code] = Contract.objects.create(
            code=code,
            title=code,
            vendor=vendor,
            amount=Decimal("100.00"),
            final_payment=Decimal("10.00"),
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
        )
    sent = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 0))
    for code in ("C-1", "C-2", "C-3"):  # the demo's old numbers, one per contract
        Ticket.objects.create(
            contract=made[code], number="GD-0001", problem="GD-0001", dispatched_at=sent
        )
    Ticket.objects.create(contract=made["C-2"], number="GD-0002", problem="GD-0002")
    return made


def test_migration_renumbers_duplicates_deterministically(old_schema: Any) -> None:
    from opsqm.facts.tickets.models import Event, Ticket

    made = _duplicates(old_schema)
    old = old_schema.get_model("tickets", "Ticket")
    ids = list(old.objects.filter(number="GD-0001").order_by("id").values_list("id", flat=True))
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())

    numbers = dict(Ticket.objects.values_list("id", "number"))
    assert len(set(numbers.values())) == len(numbers)  # now unique
    # the first keeps its number; the others take the flow's next ones, in id order
    assert [numbers[i] for i in ids] == ["GD-0001", "GD-2025-0001", "GD-2025-0002"]
    assert Ticket.objects.get(number="GD-0002").contract.code == "C-2"
    moved = Event.objects.filter(action="renumbered").order_by("ticket_id")
    assert [(e.ticket_id, e.data["old"], e.data["new"]) for e in moved] == [
        (ids[1], "GD-0001", "GD-2025-0001"),
        (ids[2], "GD-0001", "GD-2025-0002"),
    ]
    # the problem key stays: T7 groups within a contract as before
    assert set(Ticket.objects.filter(id__in=ids).values_list("problem", flat=True)) == {"GD-0001"}
    # kept ledgers of the contracts concerned are recomputed
    from opsqm.facts.contracts.models import EvidenceVersion

    bumped = set(EvidenceVersion.objects.values_list("contract__code", flat=True))
    assert bumped >= {"C-2", "C-3"} and made  # C-1 kept its number


def test_desks_recording_at_once_draw_distinct_numbers(contract_a: Any, service_desk: Any) -> None:
    from opsqm.facts.tickets import services
    from opsqm.facts.tickets.models import Ticket
    from tests.tickets.conftest import IN_FORCE

    if connection.vendor != "postgresql":
        # The in-memory SQLite test database serialises threads on table locks that
        # ignore the busy timeout (and its flush meets the audit anchor's trigger);
        # there the unique constraint is the guard (test_intake_rules.py).
        pytest.skip("concurrent intakes: PostgreSQL (make test-postgres)")

    def record(i: int) -> None:
        services.record_intake(
            contract_a,
            user=service_desk,
            reporter=f"r{i}",
            description=f"d{i}",
            priority="normal",
            reported_at=IN_FORCE,
        )

    assert run_together(6, record) == []
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == 6 and len(set(numbers)) == 6
