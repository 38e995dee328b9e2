"""The accounts app's directory check, hourly in the worker (registered at start-up
by the jobs app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import Retry, job, periodic


def _directory_on() -> bool:
    return bool(getattr(settings, "OPSQM_LDAP_ENABLED", False))


@job("accounts.directory_sync", max_attempts=3, retry_base=300, stale_after=1800)
def directory_sync(job: Job) -> dict[str, Any]:
    from opsqm.infra.accounts.directory import sync_accounts

    if not _directory_on():
        return {"skipped": "OPSQM_LDAP_URI is not set"}
    report = sync_accounts()
    if report.error:
        raise Retry(f"directory unreachable: {report.error}")
    return {
        "checked": report.checked,
        "deactivated": report.deactivated,
        "refused": report.refused,
    }


periodic(
    "accounts.directory_sync",
    every=lambda: int(getattr(settings, "OPSQM_LDAP_SYNC_SECONDS", 3600)),
    enabled=_directory_on,
)
