"""`opsqm check`: is this installation fit to run?  Each problem is one line that
names what is wrong and how to put it right (docs/operations.md)."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

# The Debian packages behind each system requirement (deploy/system-packages.txt).
FONT_PACKAGE = "fonts-noto-cjk"
PANGO_PACKAGE = "libpango-1.0-0 libpangoft2-1.0-0"
PG_CLIENT_PACKAGE = "postgresql-client"
NOTO_CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


def check_database() -> list[str]:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return [f"database: cannot connect ({connection.vendor}): {first}"]
    from opsqm.infra.ops.health import pending_migrations

    pending = pending_migrations()
    if pending:
        return [
            f"database: {len(pending)} migration(s) not applied (first {pending[0]}): "
            "run `opsqm migrate`"
        ]
    return []


def check_secret_key() -> list[str]:
    key = settings.SECRET_KEY
    if not key or key == getattr(settings, "DEVELOPMENT_SECRET_KEY", None):
        return ["SECRET_KEY: the development key is in use: set SECRET_KEY in the environment file"]
    if len(key) < 32 or len(set(key)) < 8:
        return ["SECRET_KEY: too short or too simple: use 50 random characters"]
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG: is on: production runs with DEBUG=0")
    return problems


def _address(name: str, value: str) -> list[str]:
    if "@" not in parseaddr(value)[1]:
        return [f"{name}: {value!r} is not a mail address"]
    return []


def check_mail() -> list[str]:
    s = settings
    problems = _address("MAIL_FROM", s.MAIL_FROM)
    if not s.MAIL_SMTP_HOST:
        problems.append("MAIL_SMTP_HOST: empty: OpsQM cannot send dispatch mail")
    if s.MAIL_SMTP_SSL and s.MAIL_SMTP_STARTTLS:
        problems.append("MAIL_SMTP_SSL and MAIL_SMTP_STARTTLS: choose one")
    if bool(s.MAIL_SMTP_USER) != bool(s.MAIL_SMTP_PASSWORD):
        problems.append("MAIL_SMTP_USER / MAIL_SMTP_PASSWORD: set both or neither")
    if not s.MAIL_IMAP_HOST:
        problems.append("MAIL_IMAP_HOST: empty: the service desk's mailbox is not read")
    elif not (s.MAIL_IMAP_USER and s.MAIL_IMAP_PASSWORD):
        problems.append("MAIL_IMAP_USER / MAIL_IMAP_PASSWORD: needed to read the mailbox")
    if s.MAIL_IMAP_SSL and s.MAIL_IMAP_STARTTLS:
        problems.append("MAIL_IMAP_SSL and MAIL_IMAP_STARTTLS: choose one")
    if s.MAIL_TLS_CA_FILE and not Path(s.MAIL_TLS_CA_FILE).is_file():
        problems.append(f"MAIL_TLS_CA_FILE: {s.MAIL_TLS_CA_FILE} does not exist")
    if s.MAIL_BCC_SERVICE_DESK and s.MAIL_SERVICE_DESK_ADDRESS:
        problems += _address("MAIL_SERVICE_DESK_ADDRESS", s.MAIL_SERVICE_DESK_ADDRESS)
    return problems


def _writable(name: str, path: Path) -> list[str]:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".opsqm-check-"):
            pass
    except OSError as exc:
        return [f"{name}: {path} is not writable by {_user()}: {exc.strerror or exc}"]
    return []


def _user() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid {os.geteuid()}"


def check_directories() -> list[str]:
    problems = _writable("OPSQM_VAR_DIR", Path(settings.VAR_DIR))
    problems += _writable("uploads (OPSQM_VAR_DIR/uploads)", Path(settings.MEDIA_ROOT))
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file():
        problems.append(
            f"static files: {settings.STATIC_ROOT} has no collected files: "
            "run `opsqm collectstatic --noinput` or set OPSQM_STATIC_ROOT"
        )
    if settings.OPSQM_BACKUP_DIR:
        problems += _writable("OPSQM_BACKUP_DIR", Path(settings.OPSQM_BACKUP_DIR))
    return problems


def check_system() -> list[str]:
    problems = []
    if not any(Path(f).is_file() for f in NOTO_CJK_FILES) and not _fc_has_cjk():
        problems.append(f"fonts: no Noto CJK font: apt-get install {FONT_PACKAGE}")
    if ctypes.util.find_library("pango-1.0") is None:
        problems.append(f"Pango: not found (PDFs need it): apt-get install {PANGO_PACKAGE}")
    if connection.vendor == "postgresql":
        for tool in ("pg_dump", "pg_restore"):
            if shutil.which(tool) is None:
                problems.append(
                    f"{tool}: not found (backups need it): apt-get install {PG_CLIENT_PACKAGE}"
                )
    return problems


def _fc_has_cjk() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return "Noto" in out.stdout


CHECKS: tuple[Callable[[], list[str]], ...] = (
    check_database,
    check_secret_key,
    check_mail,
    check_directories,
    check_system,
)


def problems() -> list[str]:
    out: list[str] = []
    for check in CHECKS:
        out += check()
    return out
