"""`opsqm worker` as real processes on a SQLite file (the embedded deployment):
several workers share the queue without running a job twice; SIGTERM lets the
running job finish."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_WORKER = (
    "import sys, django; django.setup(); import tests.jobs.sample_tasks; "
    "from django.core.management import call_command; call_command('worker', *sys.argv[1:])"
)
ENQUEUE = (
    "import sys, json, django; django.setup(); import tests.jobs.sample_tasks; "
    "from opsqm.infra.jobs.services import enqueue; "
    "[enqueue('sample.record', json.loads(sys.argv[1])) for _ in range(int(sys.argv[2]))]"
)


def _env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "OPSQM_VAR_DIR")
    }
    env.update(
        OPSQM_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="opsqm.edges.web.settings",
        PYTHONPATH=str(ROOT),
        OPSQM_LEDGER_KEEP_SECONDS="0",  # the workers run this test's jobs only
        OPSQM_REPORT_SCHEDULE_SECONDS="0",  # nor the scheduled reports' tick
    )
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once for the module (migrating takes seconds)."""
    var = tmp_path_factory.mktemp("var")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        env=_env(var),
        check=True,
        cwd=ROOT,
    )
    return var / "opsqm.sqlite3"


@pytest.fixture
def var_dir(migrated: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of processes on their own copy of the migrated database."""
    (tmp_path / "var").mkdir()
    src, dst = sqlite3.connect(migrated), sqlite3.connect(tmp_path / "var" / "opsqm.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    return _env(tmp_path / "var")


def _py(env: dict[str, str], code: str, *args: str, **kw: Any) -> Any:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=ROOT, **kw)


def test_several_worker_processes_share_the_queue(var_dir: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    assert _py(var_dir, ENQUEUE, f'{{"log": "{log}", "sleep": 0.01}}', "40").wait(60) == 0
    workers = [_py(var_dir, RUN_WORKER, "--once", "-v0") for _ in range(3)]
    assert [w.wait(120) for w in workers] == [0, 0, 0]
    lines = log.read_text().split()
    job_ids = lines[0::2]
    assert len(job_ids) == 40 and len(set(job_ids)) == 40, "a job ran twice"
    db = sqlite3.connect(Path(var_dir["OPSQM_VAR_DIR"]) / "opsqm.sqlite3")
    assert db.execute("SELECT status, count(*) FROM jobs_job GROUP BY status").fetchall() == [
        ("done", 40)
    ]


def test_sigterm_lets_the_running_job_finish(var_dir: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    assert _py(var_dir, ENQUEUE, f'{{"log": "{log}", "sleep": 1.5}}', "2").wait(60) == 0
    worker = _py(
        var_dir,
        RUN_WORKER,
        "--poll-interval",
        "0.1",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (log.exists() and log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert log.exists(), "the worker never started the job"
    worker.send_signal(signal.SIGTERM)
    out, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, out
    assert "stopped; 1 job(s) run" in out
    db = sqlite3.connect(Path(var_dir["OPSQM_VAR_DIR"]) / "opsqm.sqlite3")
    statuses = sorted(r[0] for r in db.execute("SELECT status FROM jobs_job"))
    assert statuses == ["done", "queued"]  # the running one finished, the next waits
