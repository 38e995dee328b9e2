"""The nightly backup, run by `opsqm worker` when OPSQM_BACKUP_DIR is set.

The schedule looks every ten minutes; the first look after OPSQM_BACKUP_HOUR (local
time) on a day without a backup makes one, then the oldest beyond OPSQM_BACKUP_KEEP
are removed.  A worker that was down at that hour catches up when it returns."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import job, periodic
from opsqm.infra.ops import backup

log = logging.getLogger(__name__)


def _enabled() -> bool:
    return bool(settings.OPSQM_BACKUP_DIR)


@job("ops.backup", max_attempts=2, retry_base=600, stale_after=6 * 3600)
def nightly_backup(job: Job) -> dict[str, Any]:
    if not _enabled():
        return {"skipped": "OPSQM_BACKUP_DIR is not set"}
    root = Path(settings.OPSQM_BACKUP_DIR)
    now = timezone.localtime()
    if now.hour < settings.OPSQM_BACKUP_HOUR and not job.payload.get("now"):
        return {"skipped": f"before {settings.OPSQM_BACKUP_HOUR}:00"}
    today = now.strftime("opsqm-%Y%m%d-")
    if not job.payload.get("now") and any(root.glob(f"{today}*/{backup.MANIFEST}")):
        return {"skipped": "today's backup exists"}
    root.mkdir(parents=True, exist_ok=True)
    outcome = backup.nightly(root, settings.OPSQM_BACKUP_KEEP)
    log.info("nightly backup written to %s", outcome.path)
    return {"path": str(outcome.path), "audit_head": outcome.manifest["audit_head"]}


periodic("ops.backup", every=600, enabled=_enabled)
