"""/healthz, /metrics, the request id and the one-line log format."""

from __future__ import annotations

import datetime
import logging
import sys
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opsqm.infra.jobs.models import Job, JobStatus, WorkerHeartbeat
from opsqm.infra.jobs.services import beat


def _health(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


@pytest.mark.django_db
def test_healthz_names_each_failing_check(client: Client, settings: Any) -> None:
    settings.MAIL_IMAP_HOST = ""
    code, body = _health(client)
    assert code == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["detail"] == "no worker has ever beaten"

    beat("w1")
    code, body = _health(client)
    assert (code, body["status"], body["failing"]) == (200, "ok", [])
    assert body["checks"]["mail"]["detail"].startswith("mail polling is off")

    old = timezone.now() - datetime.timedelta(minutes=3)
    WorkerHeartbeat.objects.update(beat_at=old)
    settings.MAIL_IMAP_HOST, settings.MAIL_IMAP_USER = "mail.test", "desk"
    Job.objects.create(
        kind="mail.poll",
        status=JobStatus.RUNNING,
        locked_by="gone",
        locked_at=timezone.now() - datetime.timedelta(hours=2),
    )
    code, body = _health(client)
    assert code == 503
    assert body["failing"] == ["worker", "mail", "jobs"]
    assert "last worker heartbeat 180 s ago (limit 120 s)" in body["checks"]["worker"]["detail"]
    assert body["checks"]["mail"]["detail"] == "the mailbox has never been polled successfully"
    assert body["checks"]["jobs"]["detail"].startswith("1 stuck: mail.poll#")


@pytest.mark.django_db
def test_healthz_mail_poll_age_and_overdue_queue(client: Client, settings: Any) -> None:
    from opsqm.infra.mail.models import MailboxState

    beat("w1")
    settings.MAIL_IMAP_HOST, settings.MAIL_IMAP_USER = "mail.test", "desk"
    MailboxState.objects.create(
        mailbox="INBOX", last_polled_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    Job.objects.create(kind="mail.send", run_after=timezone.now() - datetime.timedelta(hours=1))
    code, body = _health(client)
    assert code == 503 and body["failing"] == ["mail", "jobs"]
    assert "(limit 600 s)" in body["checks"]["mail"]["detail"]
    assert "queued and due for over 900 s" in body["checks"]["jobs"]["detail"]
    MailboxState.objects.update(last_polled_at=timezone.now())
    Job.objects.all().delete()
    assert _health(client)[0] == 200


@pytest.mark.django_db
def test_healthz_fails_when_migrations_are_missing(client: Client, monkeypatch: Any) -> None:
    from opsqm.infra.ops import health

    beat("w1")
    monkeypatch.setattr(health, "_all_applied", False)
    monkeypatch.setattr(health, "pending_migrations", lambda: ["jobs.0002_worker_heartbeat"])
    code, body = _health(client)
    assert code == 503 and body["failing"] == ["migrations"]


@pytest.mark.django_db
def test_metrics_only_for_allowed_addresses_or_the_token(settings: Any) -> None:
    settings.OPSQM_METRICS_ALLOWED = ["10.1.0.0/16"]
    settings.OPSQM_METRICS_TOKEN = "t0ken-for-prometheus"
    outsider = Client(REMOTE_ADDR="192.0.2.9")
    assert outsider.get("/metrics").status_code == 403
    assert outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = outsider.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus")
    assert ok.status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200


@pytest.mark.django_db
def test_metrics_content(client: Client) -> None:
    from opsqm.infra.audit.services import log_action
    from opsqm.infra.mail.models import InboundMessage, ParseStatus

    log_action("test.metrics", summary="one")
    log_action("test.metrics", summary="two")
    Job.objects.create(kind="mail.send")
    Job.objects.create(kind="mail.send")
    Job.objects.create(kind="ops.backup", status=JobStatus.FAILED)
    InboundMessage.objects.create(
        mailbox="INBOX",
        uidvalidity=1,
        uid=1,
        server_received_at=timezone.now(),
        raw="mail/x.eml",
        sha256="0" * 64,
        status=ParseStatus.REFUSED,
    )
    beat("w1")
    client.get("/accounts/login/")
    text = client.get("/metrics").content.decode()
    assert 'opsqm_jobs_queued{kind="mail.send"} 2.0' in text
    assert 'opsqm_jobs_failed{kind="ops.backup"} 1.0' in text
    assert "opsqm_audit_chain_length 2.0" in text
    assert "opsqm_mail_refused_total 1.0" in text
    assert "opsqm_worker_heartbeat_age_seconds" in text
    assert 'opsqm_http_requests_total{method="GET",status="200",view="accounts:login"}' in text
    assert 'opsqm_http_request_duration_seconds_bucket{le="0.01",method="GET"' in text


def test_request_id_is_taken_from_the_proxy_or_made(client: Client) -> None:
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged")["X-Request-ID"]
    assert len(made) == 32 and made != given


def test_a_log_record_with_a_traceback_is_one_line() -> None:
    from opsqm.infra.ops.logging import OneLineFormatter, request_id

    fmt = OneLineFormatter("%(levelname)s [%(request_id)s] %(message)s")
    token = request_id.set("abc123def456")
    try:
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            record = logging.LogRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "Internal Server Error: /x",
                None,
                sys.exc_info(),
            )
        line = fmt.format(record)
    finally:
        request_id.reset(token)
    assert "\n" not in line
    assert line.startswith("ERROR [abc123def456] Internal Server Error: /x\\nTraceback")
    assert "ValueError: boom\\nsecond line" in line


@pytest.mark.django_db
def test_pages_show_the_version(client: Client, django_user_model: Any) -> None:
    from opsqm import __version__

    assert f"v{__version__}" in client.get("/accounts/login/").content.decode()
