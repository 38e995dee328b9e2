"""`opsqm createadmin`, `opsqm check` and the nightly backup's schedule, in process."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import override

from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import Role

GOOD = "Admin-Pass-2026!ok"


@pytest.fixture
def ready(settings: Any, tmp_path: Path) -> Any:
    """Settings of an installation that `opsqm check` should pass."""
    settings.SECRET_KEY = "s3cr3t-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text("{}")
    settings.MAIL_IMAP_HOST = "mail.bureau.test"
    settings.MAIL_IMAP_USER = "servicedesk"
    settings.MAIL_IMAP_PASSWORD = "pw"
    settings.MAIL_SMTP_HOST = "mail.bureau.test"
    settings.MAIL_FROM = "servicedesk@bureau.test"
    settings.MAIL_SERVICE_DESK_ADDRESS = "servicedesk@bureau.test"
    return settings


def _check() -> tuple[int, list[str]]:
    err = io.StringIO()
    try:
        call_command("check", stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        return exc.returncode, err.getvalue().splitlines()
    return 0, err.getvalue().splitlines()


@pytest.mark.django_db
def test_check_passes_on_a_ready_installation(ready: Any) -> None:
    assert _check() == (0, [])


@pytest.mark.django_db
def test_check_names_each_problem_in_one_line(ready: Any, tmp_path: Path) -> None:
    ready.SECRET_KEY = ready.DEVELOPMENT_SECRET_KEY
    ready.MAIL_IMAP_HOST = ""
    ready.MAIL_SMTP_USER = "only-user"
    ready.MAIL_TLS_CA_FILE = str(tmp_path / "missing-ca.pem")
    locked = tmp_path / "locked"
    locked.write_text("a file where a directory should be")
    ready.MEDIA_ROOT = locked / "uploads"
    (tmp_path / "static" / "staticfiles.json").unlink()
    code, lines = _check()
    assert code == 1
    starts = [line.split(":")[0] for line in lines]
    assert starts == [
        "SECRET_KEY",
        "MAIL_SMTP_USER / MAIL_SMTP_PASSWORD",
        "MAIL_IMAP_HOST",
        "MAIL_TLS_CA_FILE",
        "uploads (OPSQM_VAR_DIR/uploads)",
        "static files",
    ], lines
    assert "set SECRET_KEY in the environment file" in lines[0]


@pytest.mark.django_db
def test_check_reports_unapplied_migrations(ready: Any, monkeypatch: Any) -> None:
    from opsqm.infra.ops import health

    monkeypatch.setattr(health, "pending_migrations", lambda: ["jobs.0002_worker_heartbeat"])
    code, lines = _check()
    assert code == 1
    assert lines == [
        "database: 1 migration(s) not applied (first jobs.0002_worker_heartbeat): "
        "run `opsqm migrate`"
    ]


@pytest.mark.django_db
def test_createadmin_from_a_file_then_refuses_a_second(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text(GOOD + "\n")
    out = io.StringIO()
    call_command("createadmin", "--username", "chief", "--password-file", str(secret), stdout=out)
    user = User.objects.get(username="chief")
    assert user.role == Role.SYSTEM_ADMIN and user.check_password(GOOD)
    assert not user.must_change_password
    from opsqm.infra.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="account.create", object_id=str(user.pk)).exists()
    with pytest.raises(CommandError, match=r"already exists \(chief\)"), override("en"):
        call_command("createadmin", "--username", "other", "--password-file", str(secret))
    with pytest.raises(CommandError, match="该角色的管理员已存在（chief）"), override("zh-hans"):
        call_command("createadmin", "--username", "other", "--password-file", str(secret))
    assert not User.objects.filter(username="other").exists()
    # The first security and audit administrators: there is no second one to approve them.
    for role in ("security_admin", "audit_admin"):
        name = role.split("_")[0] + "chief"
        call_command(
            "createadmin", "--role", role, "--username", name, "--password-file", str(secret)
        )
        assert User.objects.get(username=name).role == role
        with pytest.raises(CommandError, match="already exists"), override("en"):
            call_command(
                "createadmin", "--role", role, "--username", "x" + name,
                "--password-file", str(secret),
            )  # fmt: skip


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("short")
    with pytest.raises(CommandError, match="password: "):
        call_command("createadmin", "--password-file", str(secret))
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createadmin_reads_stdin_and_asks_on_a_terminal(monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))
    call_command("createadmin", "--username", "viastdin", "--password-file", "-")
    assert User.objects.get(username="viastdin").check_password(GOOD)


def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    from opsqm.infra.ops.backup import MANIFEST, rotate

    for day in range(1, 6):
        d = tmp_path / f"opsqm-2026120{day}-020000"
        d.mkdir()
        (d / MANIFEST).write_text("{}")
    (tmp_path / "opsqm-hand-made").mkdir()  # not a backup: left alone
    removed = rotate(tmp_path, 2)
    assert [p.name for p in removed] == [f"opsqm-2026120{d}-020000" for d in (1, 2, 3)]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["opsqm-20261204-020000", "opsqm-20261205-020000", "opsqm-hand-made"]


@pytest.mark.django_db
def test_the_nightly_backup_runs_once_a_day_after_its_hour(
    settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import datetime

    from django.utils import timezone

    from opsqm.infra.jobs.models import Job
    from opsqm.infra.ops import backup, tasks

    settings.OPSQM_BACKUP_DIR = str(tmp_path)
    settings.OPSQM_BACKUP_HOUR = 2
    settings.OPSQM_BACKUP_KEEP = 3
    calls: list[Any] = []

    def fake_nightly(root: Path, keep: int) -> Any:
        calls.append((root, keep))
        made = root / timezone.localtime().strftime(backup.NAME_FORMAT)
        made.mkdir()
        (made / backup.MANIFEST).write_text(json.dumps({}))
        return backup.Outcome(made, {"audit_head": {"seq": 0, "hash": ""}})

    monkeypatch.setattr(backup, "nightly", fake_nightly)
    at = timezone.make_aware(datetime.datetime(2026, 12, 6, 1, 30))
    monkeypatch.setattr(timezone, "localtime", lambda *a: at)
    job = Job(kind="ops.backup", payload={})
    assert tasks.nightly_backup(job) == {"skipped": "before 2:00"}
    at = timezone.make_aware(datetime.datetime(2026, 12, 6, 2, 10))
    assert "path" in tasks.nightly_backup(job)
    assert tasks.nightly_backup(job) == {"skipped": "today's backup exists"}
    assert calls == [(tmp_path, 3)]
