"""The attendance import's background job (registered at start-up by the jobs app)."""

from __future__ import annotations

from typing import Any

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import PermanentError, job


@job("attendance.import", max_attempts=2, stale_after=1800)
def import_attendance(job: Job) -> dict[str, Any]:
    from opsqm.facts.attendance.models import ImportBatch
    from opsqm.facts.attendance.services import run_xlsx_import

    batch = ImportBatch.objects.filter(pk=job.payload.get("batch")).first()
    if batch is None:
        raise PermanentError("the import batch is gone")
    batch = run_xlsx_import(batch, job)
    return {"batch": batch.pk, "status": batch.status, **batch.counts()}
