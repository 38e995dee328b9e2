"""The acceptance package is assembled in the worker (docs/worker.md)."""

from __future__ import annotations

from typing import Any

from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.registry import PermanentError, job


@job("acceptance.package", max_attempts=2, stale_after=3600)
def build_package(job: Job) -> dict[str, Any]:
    from opsqm.derived.acceptance import services
    from opsqm.derived.acceptance.models import Package
    from opsqm.derived.acceptance.package import assemble
    from opsqm.infra.jobs.services import set_progress

    pkg = (
        Package.objects.select_related("contract__vendor")
        .filter(pk=job.payload.get("package"))
        .first()
    )
    if pkg is None:
        raise PermanentError("the package request is gone")
    set_progress(job, 2, "…")
    try:
        data, files = assemble(pkg, lambda pct, note: set_progress(job, pct, note))
    except Exception as exc:
        if job.attempts >= job.max_attempts:
            services.fail_package(pkg, str(exc)[:200])
        raise
    services.finish_package(pkg, data, files)
    return {"package": pkg.pk, "files": files, "sha256": pkg.sha256}
