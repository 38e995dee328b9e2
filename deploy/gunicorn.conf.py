"""gunicorn settings of the OpsQM web service (deploy/systemd/opsqm-web.service)."""

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("OPSQM_BIND", "127.0.0.1:8000")
# Sync workers, one per core (docs/benchmarks.md); nginx buffers slow clients.
workers = int(os.environ.get("OPSQM_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 120
graceful_timeout = 20
# Errors to stderr, i.e. the journal; no access log (nginx keeps it).
errorlog = "-"
accesslog = None
forwarded_allow_ips = os.environ.get("OPSQM_TRUSTED_PROXIES", "127.0.0.1")


def on_starting(server):  # gunicorn hook signature
    """/metrics adds up the request counters of every gunicorn process through files in
    PROMETHEUS_MULTIPROC_DIR (a fresh temporary directory unless the unit names one),
    emptied at each start so a restart begins at zero."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="opsqm-metrics-")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path


def child_exit(server, worker):  # gunicorn hook signature
    """A gone process's request counters stay counted, its live gauges go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
