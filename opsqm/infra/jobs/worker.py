"""The worker loop behind `opsqm worker`: schedules, stale-lock recovery, jobs."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connection

from opsqm.infra.jobs import services
from opsqm.infra.jobs.models import Job
from opsqm.infra.jobs.services import SCHEDULE_KEY_PREFIX

log = logging.getLogger(__name__)


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs due jobs until stopped.

    `concurrency` threads each claim and run one job at a time (each thread has its
    own database connection).  Schedules and stale-lock recovery are checked by
    the first thread at most every `housekeeping_interval` seconds."""

    def __init__(
        self,
        *,
        name: str | None = None,
        concurrency: int = 1,
        poll_interval: float = 1.0,
        kinds: list[str] | None = None,
        housekeeping_interval: float = 5.0,
        manage_connections: bool = True,
        heartbeat: bool | None = None,
    ) -> None:
        self.name = name or default_worker_name()
        self.concurrency = max(1, concurrency)
        self.poll_interval = poll_interval
        self.kinds = kinds or None
        self.housekeeping_interval = housekeeping_interval
        # Close broken or expired connections between jobs, as Django does between
        # requests; off inside tests, which hold the connection in a transaction.
        self.manage_connections = manage_connections
        # While a job runs, a thread refreshes its lock every JOBS_HEARTBEAT_SECONDS
        # (its own connection): a job is taken for lost only when its worker died,
        # so a kind may have a short `stale_after` (mail.poll: docs/worker.md).
        self.heartbeat = manage_connections if heartbeat is None else heartbeat
        self._stop = threading.Event()
        self._last_housekeeping = 0.0
        self.processed = 0
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Finish the running jobs, take no new ones."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def housekeeping(self) -> None:
        self._last_housekeeping = time.monotonic()
        try:
            services.beat(self.name, self.processed)
            services.recover_stale()
            services.run_schedules()
        except Exception:
            log.exception("worker %s: housekeeping failed", self.name)

    def run_one(self, slot: int = 0) -> bool:
        """Claim and run one due job; False when there was none."""
        if self.manage_connections:
            close_old_connections()
        worker_id = f"{self.name}/{slot}"
        job = services.claim(worker_id, self.kinds)
        if job is None:
            return False
        # A periodic job (mail polling every few seconds…) at DEBUG: at INFO it buried
        # everything else on the console of `make run` and in the journal.
        routine = job.dedupe_key.startswith(SCHEDULE_KEY_PREFIX)
        log.log(logging.DEBUG if routine else logging.INFO, "worker %s: running %s", worker_id, job)
        with self._heartbeat(job, worker_id):
            services.run_job(job, worker_id)
        with self._lock:
            self.processed += 1
        if self.manage_connections:
            close_old_connections()
        return True

    @contextmanager
    def _heartbeat(self, job: Job, worker_id: str) -> Iterator[None]:
        if not self.heartbeat:
            yield
            return
        done = threading.Event()
        every = max(0.1, float(settings.JOBS_HEARTBEAT_SECONDS))

        def beat() -> None:
            try:
                while not done.wait(every):
                    services.heartbeat(job, worker_id)
            except Exception:
                log.exception("worker %s: heartbeat of job %s failed", worker_id, job.pk)
            finally:
                connection.close()

        thread = threading.Thread(target=beat, name=f"opsqm-heartbeat-{job.pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def run_once(self) -> int:
        """Housekeeping, then every job due now; returns how many ran."""
        self.housekeeping()
        count = 0
        while not self.stopping and self.run_one():
            count += 1
        return count

    def _loop(self, slot: int) -> None:
        try:
            while not self.stopping:
                if slot == 0 and (
                    time.monotonic() - self._last_housekeeping >= self.housekeeping_interval
                ):
                    self.housekeeping()
                try:
                    ran = self.run_one(slot)
                except Exception:
                    log.exception("worker %s/%s: loop error", self.name, slot)
                    ran = False
                if not ran:
                    self._stop.wait(self.poll_interval)
        finally:
            if self.manage_connections:
                connection.close()

    def run_forever(self) -> None:
        if self.concurrency == 1:
            self._loop(0)
            return
        threads = [
            threading.Thread(target=self._loop, args=(slot,), name=f"opsqm-worker-{slot}")
            for slot in range(self.concurrency)
        ]
        for t in threads:
            t.start()
        # The main thread waits here (it receives the signals and sets the event).
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(timeout=0.5)
