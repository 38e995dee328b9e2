"""The worker keeps the ledgers current (docs/ledger.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from opsqm.infra.jobs.registry import job, periodic


@job("ledger.keep", max_attempts=1)
def keep(_job: Any) -> dict[str, int]:
    from opsqm.derived.ledger.kept import refresh_stale

    return {"computed": refresh_stale()}


periodic(
    "ledger.keep",
    every=lambda: settings.OPSQM_LEDGER_KEEP_SECONDS,
    enabled=lambda: settings.OPSQM_LEDGER_KEEP_SECONDS > 0,  # 0: off
)
