"""Several workers at once: no job runs twice, each schedule tick enqueues once.

Real threads with their own database connections (committed data: transactional
tests).  On PostgreSQL this exercises SELECT … FOR UPDATE SKIP LOCKED; on SQLite
the conditional UPDATE claim."""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from opsqm.infra.jobs import registry
from opsqm.infra.jobs.models import Job, JobStatus, Schedule
from opsqm.infra.jobs.services import claim, enqueue, run_job, run_schedules
from tests.threads import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def counted() -> Iterator[Counter[int]]:
    runs: Counter[int] = Counter()
    lock = threading.Lock()

    @registry.job("t.count")
    def count(job: Any) -> None:
        with lock:
            runs[job.pk] += 1
        time.sleep(0.002)

    yield runs
    registry.unregister("t.count")


def _threads(n: int, target: Any) -> list[BaseException]:
    """Run `target(i)` in n threads at once; on the in-memory SQLite test database
    (table locks that ignore the busy timeout) one after the other instead."""
    errors: list[BaseException] = []
    if connection.vendor == "sqlite":
        for i in range(n):
            target(i)
        return errors
    return run_together(n, target)


def test_two_workers_never_run_the_same_job(counted: Counter[int]) -> None:
    if connection.vendor == "sqlite":
        # The in-memory test database has table locks that ignore the busy timeout;
        # test_worker_process.py runs several worker processes on a SQLite file.
        pytest.skip("thread race on the in-memory SQLite test database; see test_worker_process")
    ids = [enqueue("t.count", {"n": n}).pk for n in range(60)]
    claimed_by: dict[int, list[str]] = {}
    guard = threading.Lock()

    def work(i: int) -> None:
        name = f"worker-{i}"
        while True:
            job = claim(name)
            if job is None:
                return
            with guard:
                claimed_by.setdefault(job.pk, []).append(name)
            run_job(job, name)

    assert _threads(4, work) == []
    assert sorted(counted) == sorted(ids)
    assert set(counted.values()) == {1}, "a job ran twice"
    assert all(len(v) == 1 for v in claimed_by.values())
    assert len({w for v in claimed_by.values() for w in v}) >= 2, "only one worker worked"
    assert Job.objects.filter(status=JobStatus.DONE).count() == 60


def test_a_schedule_tick_is_enqueued_once_across_workers(counted: Counter[int]) -> None:
    registry.periodic("t.every-minute", every=60, kind="t.count", payload={"tick": 1})
    try:
        now = timezone.now()
        made: list[int] = []
        guard = threading.Lock()

        def tick(i: int) -> None:
            jobs = run_schedules(now)
            with guard:
                made.extend(j.pk for j in jobs)

        assert _threads(4, tick) == []
        assert Job.objects.filter(kind="t.count").count() == 1
        assert len(made) == 1
        row = Schedule.objects.get(name="t.every-minute")
        assert row.next_run_at == now + datetime.timedelta(seconds=60)
        # Not due again before the interval…
        assert run_schedules(now + datetime.timedelta(seconds=30)) == []
        # …and when due while the previous run still waits, no second copy piles up.
        again = run_schedules(now + datetime.timedelta(seconds=61))
        assert [j.pk for j in again] == made
        assert Job.objects.filter(kind="t.count").count() == 1
        # Once it ran, the next tick enqueues a new run.
        job = claim("w")
        assert job is not None
        run_job(job, "w")
        nxt = run_schedules(now + datetime.timedelta(seconds=200))
        assert len(nxt) == 1 and nxt[0].pk != made[0]
        assert nxt[0].payload == {"tick": 1}
    finally:
        registry.unregister(schedule="t.every-minute")


def test_disabled_schedule_enqueues_nothing(counted: Counter[int]) -> None:
    registry.periodic("t.off", every=1, kind="t.count", enabled=lambda: False)
    try:
        assert run_schedules() == []
        assert not Schedule.objects.filter(name="t.off").exists()
    finally:
        registry.unregister(schedule="t.off")
