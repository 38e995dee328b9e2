from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from opsqm.infra.jobs.models import Job, JobStatus
from opsqm.infra.jobs.services import enqueue


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_due_jobs_and_schedules(handlers: Any) -> None:
    job = enqueue("t.ok", {"n": 1})
    out = io.StringIO()
    call_command("worker", "--once", "--kind", "t.ok", stdout=out)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert "1 job(s) run" in out.getvalue()
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 0
