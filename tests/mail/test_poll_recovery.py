"""A worker killed mid-poll (kill -9): polling resumes within a minute, no message
lost or stored twice.  Real worker processes on a SQLite file, reading the loopback
Dovecot; the store of each message is slowed down so that the kill lands mid-poll.

The worker's heartbeat refreshes the running poll's lock; a poll whose worker
stopped beating for MAIL_POLL_STALE_SECONDS is given back by any worker's
housekeeping (docs/mail.md, docs/worker.md)."""

from __future__ import annotations

import email.utils
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# argv: seconds to sleep after storing each message, then the worker's arguments.
SLOW_WORKER = (
    "import sys, time, django; django.setup()\n"
    "from opsqm.infra.mail import services\n"
    "store = services.store_inbound\n"
    "def slow(*a, **k):\n"
    "    out = store(*a, **k); time.sleep(float(sys.argv[1])); return out\n"
    "services.store_inbound = slow\n"
    "from django.core.management import call_command\n"
    "call_command('worker', *sys.argv[2:])\n"
)


def _env(mail_server: Any, tmp_path: Path, **extra: str) -> dict[str, str]:
    desk, _vendor = mail_server.fresh_pair()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "OPSQM_VAR_DIR")
    }
    for name, value in mail_server.settings_for(desk).items():
        env[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    env.update(
        OPSQM_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="opsqm.edges.web.settings",
        PYTHONPATH=str(ROOT),
        MAIL_POLL_INTERVAL="3600",  # one poll: the test watches that one
        **extra,
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT
    )
    for i in range(6):
        raw = (
            f"From: eng@vendor.test\r\nTo: {desk.address}\r\nSubject: message {i}\r\n"
            f"Message-ID: {email.utils.make_msgid(domain='vendor.test')}\r\n\r\nbody {i}\r\n"
        ).encode()
        mail_server.lmtp_deliver(raw, desk.address)
    return env


def _worker(env: dict[str, str], *args: str, slow: float = 0.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_WORKER, str(slow), "--poll-interval", "0.2", "-v0", *args],
        env=env,
        cwd=ROOT,
    )


def _db(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(Path(env["OPSQM_VAR_DIR"]) / "opsqm.sqlite3", timeout=30)


def _wait(check: Callable[[], bool], timeout: float, what: str) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.2)
    return time.monotonic() - start


def _poll_job(db: sqlite3.Connection) -> tuple[str, int, str]:
    row = db.execute(
        "SELECT status, attempts, last_error FROM jobs_job WHERE kind = 'mail.poll'"
    ).fetchone()
    return row or ("", 0, "")


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(30)


def _count(db: sqlite3.Connection, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def test_a_poll_killed_mid_way_resumes_without_losing_or_doubling(
    mail_server: Any, tmp_path: Path
) -> None:
    env = _env(mail_server, tmp_path, MAIL_POLL_STALE_SECONDS="3", JOBS_HEARTBEAT_SECONDS="1")
    db = _db(env)
    doomed = _worker(env, slow=1.0)
    stored = "SELECT count(*) FROM mail_inboundmessage"
    _wait(lambda: _count(db, stored) >= 2, 60, "the first worker stores two messages")
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    assert _count(db, stored) < 6, "the poll finished before the kill"
    assert _poll_job(db)[0] == "running"  # left behind by the dead worker

    survivor = _worker(env)
    try:
        took = _wait(lambda: _poll_job(db)[0] == "done", 60, "the poll resumes and finishes")
        assert took < 60
    finally:
        _stop(survivor)
    uids = [r[0] for r in db.execute("SELECT uid FROM mail_inboundmessage ORDER BY uid")]
    assert uids == sorted(set(uids)) and len(uids) == 6, uids  # none lost, none doubled
    payloads = [r[0] for r in db.execute("SELECT payload FROM jobs_job WHERE kind='mail.inbound'")]
    assert len(payloads) == len(set(payloads)) == 6  # each message handed on once
    _status, attempts, error = _poll_job(db)
    assert attempts == 2 and "stopped answering" in error


def test_a_slow_poll_that_beats_is_not_taken_for_lost(mail_server: Any, tmp_path: Path) -> None:
    """The poll outlives MAIL_POLL_STALE_SECONDS while a second worker keeps checking
    for lost jobs: its heartbeat keeps it, and it runs once."""
    env = _env(mail_server, tmp_path, MAIL_POLL_STALE_SECONDS="2", JOBS_HEARTBEAT_SECONDS="1")
    db = _db(env)
    slow = _worker(env, slow=1.2)  # 6 messages: > 7 s, over three stale periods
    watcher = _worker(env, "--kind", "none.such")  # housekeeping only
    try:
        _wait(lambda: _poll_job(db)[0] == "done", 90, "the slow poll finishes")
    finally:
        _stop(slow, watcher)
    status, attempts, error = _poll_job(db)
    assert (status, attempts, error) == ("done", 1, "")
    assert _count(db, "SELECT count(*) FROM mail_inboundmessage") == 6


def test_the_default_settings_resume_a_poll_within_a_minute(settings: Any) -> None:
    from opsqm.infra.jobs.registry import get_handler
    from opsqm.infra.jobs.services import stale_after
    from opsqm.infra.jobs.worker import Worker

    housekeeping = Worker(manage_connections=False).housekeeping_interval
    limit = stale_after(get_handler("mail.poll"))
    assert limit == settings.MAIL_POLL_STALE_SECONDS
    assert limit > settings.JOBS_HEARTBEAT_SECONDS and limit + housekeeping < 60
