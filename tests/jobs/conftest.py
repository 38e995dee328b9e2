from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opsqm.infra.jobs import registry


class Calls:
    def __init__(self) -> None:
        self.seen: list[Any] = []


@pytest.fixture
def handlers() -> Iterator[Calls]:
    """Test job kinds: `t.ok`, `t.boom` (always raises), `t.retry` (asks to retry),
    `t.permanent`, `t.progress`; registered for one test."""
    calls = Calls()

    @registry.job("t.ok")
    def ok(job: Any) -> Any:
        calls.seen.append(("ok", job.pk, job.payload))
        return {"echo": job.payload}

    @registry.job("t.boom", max_attempts=3)
    def boom(job: Any) -> Any:
        calls.seen.append(("boom", job.pk, job.attempts))
        raise RuntimeError("printer on fire")

    @registry.job("t.retry", max_attempts=2)
    def retry(job: Any) -> Any:
        calls.seen.append(("retry", job.pk, job.attempts))
        raise registry.Retry("not yet", after=0)

    @registry.job("t.permanent")
    def permanent(job: Any) -> Any:
        raise registry.PermanentError("no such ticket")

    @registry.job("t.progress")
    def progress(job: Any) -> Any:
        from opsqm.infra.jobs.services import current_job, set_progress

        assert current_job() is job
        set_progress(job, 40, "halfway there")
        calls.seen.append(("progress", job.progress, job.progress_note))
        set_progress(None, 250, "clamped")  # the current job, clamped to 100
        calls.seen.append(("progress", job.progress, job.progress_note))
        return None

    yield calls
    for kind in ("t.ok", "t.boom", "t.retry", "t.permanent", "t.progress"):
        registry.unregister(kind)
