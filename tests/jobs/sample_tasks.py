"""Handlers for the worker-process tests (imported by the child processes)."""

from __future__ import annotations

import os
import time
from typing import Any

from opsqm.infra.jobs.registry import job


@job("sample.record")
def record(job: Any) -> dict[str, Any]:
    with open(job.payload["log"], "a") as f:
        f.write(f"{job.pk} {os.getpid()}\n")
    time.sleep(float(job.payload.get("sleep", 0)))
    return {"pid": os.getpid()}
