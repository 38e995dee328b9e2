"""/metrics: request counts and latencies (this process, or every gunicorn process
when PROMETHEUS_MULTIPROC_DIR is set), and figures read from the database at each
scrape (job queue, mail, audit chain), which are the same whichever process answers."""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "opsqm_http_requests_total", "HTTP requests answered", ["method", "view", "status"]
)
LATENCY = Histogram(
    "opsqm_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, view, str(status)).inc()
    LATENCY.labels(method, view).observe(seconds)


class DatabaseCollector(Collector):
    """Read at scrape time; a database error leaves these out (healthz reports it)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db import DatabaseError

        try:
            yield from self._collect()
        except DatabaseError:
            return

    def _collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count

        from opsqm.infra.audit.models import AuditHead
        from opsqm.infra.jobs.models import Job, JobStatus
        from opsqm.infra.mail.models import InboundMessage, ParseStatus
        from opsqm.infra.ops import health

        depth = GaugeMetricFamily("opsqm_jobs_queued", "Jobs waiting in the queue", labels=["kind"])
        failed = GaugeMetricFamily(
            "opsqm_jobs_failed", "Jobs that failed for good", labels=["kind"]
        )
        running = GaugeMetricFamily("opsqm_jobs_running", "Jobs running now", labels=["kind"])
        by = {JobStatus.QUEUED: depth, JobStatus.FAILED: failed, JobStatus.RUNNING: running}
        rows = (
            Job.objects.filter(status__in=list(by))
            .values_list("status", "kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        for status, kind, n in rows:
            by[JobStatus(status)].add_metric([kind], n)
        yield from by.values()
        for name, doc, age in (
            (
                "opsqm_mail_poll_age_seconds",
                "Seconds since the last successful mail poll",
                health.mail_poll_age(),
            ),
            (
                "opsqm_worker_heartbeat_age_seconds",
                "Seconds since a worker last beat",
                health.worker_age(),
            ),
        ):
            if age is not None:
                yield GaugeMetricFamily(name, doc, value=age)
        refused = InboundMessage.objects.filter(status=ParseStatus.REFUSED).count()
        yield GaugeMetricFamily(
            "opsqm_mail_refused_total",
            "Inbound messages refused (stored, not taken)",
            value=refused,
        )
        head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
        yield GaugeMetricFamily(
            "opsqm_audit_chain_length", "Records in the audit hash chain", value=head or 0
        )


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
