"""The checks behind /healthz: each answers (ok, detail) and never raises."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    detail: str


def pending_migrations() -> list[str]:
    """`app.name` of every migration not applied to the database."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return True, connection.vendor


# Reading the migration graph costs ~0.1 s: once everything is applied, a process does
# not look again (new migrations come with new code, i.e. a restart).
_all_applied = False


def check_migrations() -> tuple[bool, str]:
    global _all_applied
    if _all_applied:
        return True, "all applied"
    pending = pending_migrations()
    if pending:
        more = " …" if len(pending) > 5 else ""
        return False, f"{len(pending)} not applied: {', '.join(pending[:5])}{more}"
    _all_applied = True
    return True, "all applied"


def _age(then: datetime.datetime | None) -> float | None:
    return None if then is None else (timezone.now() - then).total_seconds()


def worker_age() -> float | None:
    from django.db.models import Max

    from opsqm.infra.jobs.models import WorkerHeartbeat

    return _age(WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"])


def check_worker() -> tuple[bool, str]:
    age = worker_age()
    limit = settings.OPSQM_HEALTH_WORKER_MAX_AGE
    if age is None:
        return False, "no worker has ever beaten"
    if age > limit:
        return False, f"last worker heartbeat {age:.0f} s ago (limit {limit} s)"
    return True, f"last heartbeat {age:.0f} s ago"


def mail_poll_age() -> float | None:
    from django.db.models import Max

    from opsqm.infra.mail.models import MailboxState

    return _age(MailboxState.objects.aggregate(last=Max("last_polled_at"))["last"])


def check_mail() -> tuple[bool, str]:
    from opsqm.infra.mail import imap

    if not imap.configured():
        return True, "mail polling is off (MAIL_IMAP_HOST is empty)"
    age = mail_poll_age()
    limit = settings.OPSQM_HEALTH_MAIL_MAX_AGE
    if age is None:
        return False, "the mailbox has never been polled successfully"
    if age > limit:
        return False, f"last successful mail poll {age:.0f} s ago (limit {limit} s)"
    return True, f"last successful poll {age:.0f} s ago"


def stuck_jobs() -> list[str]:
    """Running jobs whose lock outlived their kind's limit (nobody recovered them),
    and queued jobs due for longer than OPSQM_HEALTH_QUEUE_MAX_LAG (nobody takes them)."""
    from opsqm.infra.jobs import registry
    from opsqm.infra.jobs.models import Job, JobStatus
    from opsqm.infra.jobs.services import stale_after

    now = timezone.now()
    stuck = []
    running = Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", "kind", "locked_at")
    for pk, kind, locked_at in running:
        limit = stale_after(registry.get_handler(kind))
        if locked_at is None or (now - locked_at).total_seconds() > limit * 2:
            stuck.append(f"{kind}#{pk} running since {locked_at}")
    lag = datetime.timedelta(seconds=settings.OPSQM_HEALTH_QUEUE_MAX_LAG)
    waiting = Job.objects.filter(status=JobStatus.QUEUED, run_after__lt=now - lag)
    for pk, kind in waiting.values_list("pk", "kind")[:20]:
        stuck.append(f"{kind}#{pk} queued and due for over {lag.total_seconds():.0f} s")
    return stuck


def check_jobs() -> tuple[bool, str]:
    stuck = stuck_jobs()
    if stuck:
        return False, f"{len(stuck)} stuck: " + "; ".join(stuck[:5])
    return True, "none stuck"


CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "mail": check_mail,
    "jobs": check_jobs,
}


def run_checks() -> list[Result]:
    """Every check; once the database fails, the others (which need it) are failed too."""
    results: list[Result] = []
    for name, check in CHECKS.items():
        if results and not results[0].ok:
            results.append(Result(name, False, "not checked: the database does not answer"))
            continue
        try:
            ok, detail = check()
        except DatabaseError as exc:
            ok, detail = False, f"database error: {str(exc).strip().splitlines()[0][:200]}"
        except Exception as exc:
            ok, detail = False, f"{type(exc).__name__}: {str(exc)[:200]}"
        results.append(Result(name, ok, detail))
    return results


def as_json(results: list[Result]) -> dict[str, Any]:
    from opsqm import __version__

    return {
        "status": "ok" if all(r.ok for r in results) else "fail",
        "version": __version__,
        "failing": [r.name for r in results if not r.ok],
        "checks": {r.name: {"ok": r.ok, "detail": r.detail} for r in results},
    }
