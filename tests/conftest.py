"""Settings every test starts from."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_ledger_schedule(settings: Any) -> None:
    """The worker's ledger refresh (ledger.keep) is off, so that a test running the
    worker counts its own jobs only; tests of the kept ledgers call it directly."""
    settings.OPSQM_LEDGER_KEEP_SECONDS = 0
