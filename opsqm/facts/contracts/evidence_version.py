"""The evidence version of a contract: bumped in the transaction that changes its
evidence, read to tell whether a kept ledger is current (docs/ledger.md).

Saves and deletes of the evidence models bump it through signals (connected by
the ledger app); writes that send no signals — bulk_create, queryset.update —
call `bump_evidence` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from opsqm.facts.contracts.models import Contract, EvidenceVersion


def bump_evidence(contract_ids: Iterable[int | None]) -> None:
    """Move the evidence version of these contracts (one statement; the caller's
    transaction keeps it with the change)."""
    ids = sorted({int(i) for i in contract_ids if i is not None})
    if not ids:
        return
    table = connection.ops.quote_name(EvidenceVersion._meta.db_table)
    rows = ", ".join(["(%s, 1)"] * len(ids))
    # An upsert: the row appears with the contract's first change.  Sorted ids: two
    # transactions bumping the same contracts lock their rows in the same order.
    sql = (
        f"INSERT INTO {table} (contract_id, version) VALUES {rows} "
        f"ON CONFLICT (contract_id) DO UPDATE SET version = {table}.version + 1"
    )
    with connection.cursor() as cur:
        cur.execute(sql, ids)


def bump_all_evidence() -> None:
    """Every contract's evidence changed (the calendar years the engine reads)."""
    bump_evidence(Contract.objects.values_list("pk", flat=True))


def evidence_versions(contract_ids: Iterable[int]) -> dict[int, int]:
    """Contract pk → its evidence version (0 before any change was recorded)."""
    ids = list(contract_ids)
    found = dict(
        EvidenceVersion.objects.filter(contract_id__in=ids).values_list("contract_id", "version")
    )
    return {i: found.get(i, 0) for i in ids}
