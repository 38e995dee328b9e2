"""The fixtures every test folder shares.

- Every test's uploads go to its own temporary directory, and static files need no
  collectstatic manifest (`_test_storage`, autouse; tests/browser overrides it,
  since the demo it serves keeps its files in the session's upload directory).
- Each pytest process (one per xdist worker: `make test` runs `-n auto`) gets its own
  upload directory for the session, under pytest's per-worker temporary directory,
  so nothing a test writes lands in the shared var/ directory of OPSQM_VAR_DIR; the
  same for the audit key (per session) and the audit checkpoint file (per test).
  pytest-django gives each worker its own test database (`test_<name>_gw0`, …), and
  each worker starts its own mail server and live server on free loopback ports.
- Two vendors, two units, two contracts and one user of every role (built by
  tests/scope.py).  Scope: vendor A / unit A / contract A are "inside" the scope
  of the vendor and recipient users; vendor B / unit B / contract B are outside it.
  Tests of every app use these; extend them here rather than building private copies.
- The loopback mail server (tests/mail/mailserver.py: Dovecot and an SMTP relay on
  free ports, under a temporary folder), one per worker, and fresh mailboxes per test.
  Missing binaries skip the mail tests with a message saying how to install them,
  except under CI (CI=true), where they fail: CI must run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from opsqm.infra.core.roles import Role
from tests.mail import mailserver
from tests.scope import (
    client_for,
    make_contract,
    make_unit,
    make_user,
    make_users,
    make_vendor,
)

# --- storage -------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _worker_media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The session's uploads (session fixtures such as the browser tests' demo) in this
    worker's own temporary directory, not in the shared var/uploads."""
    from django.test.utils import override_settings

    audit = tmp_path_factory.mktemp("audit")
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("uploads"),
        OPSQM_AUDIT_KEY_FILE=audit / "audit.key",
        OPSQM_AUDIT_CHECKPOINT_FILE=audit / "audit-checkpoints.jsonl",
    ):
        yield


@pytest.fixture(autouse=True)
def _test_storage(settings: Any, tmp_path: Any) -> None:
    """Uploads of a test go to its own temporary directory; static files need no
    collectstatic manifest.  The audit checkpoints too (a test's records roll back)."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.OPSQM_AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- vendors, units, contracts, users (tests/scope.py) -----------------------------


@pytest.fixture
def vendor_a(db: Any) -> Any:
    return make_vendor("a")


@pytest.fixture
def vendor_b(db: Any) -> Any:
    return make_vendor("b")


@pytest.fixture
def unit_a(db: Any) -> Any:
    return make_unit("a")


@pytest.fixture
def unit_b(db: Any) -> Any:
    return make_unit("b")


@pytest.fixture
def contract_a(vendor_a: Any, unit_a: Any) -> Any:
    return make_contract("a", vendor_a, unit_a)


@pytest.fixture
def contract_b(vendor_b: Any, unit_b: Any) -> Any:
    return make_contract("b", vendor_b, unit_b)


@pytest.fixture
def users(vendor_a: Any, unit_a: Any) -> dict[str, Any]:
    """One user of every role, keyed by the role value (username = role value).
    Vendor roles belong to vendor A, the recipient to unit A."""
    return make_users(vendor_a, unit_a)


@pytest.fixture
def other_vendor_manager(vendor_b: Any) -> Any:
    return make_user(Role.VENDOR_MANAGER, "vendor_manager_b", vendor=vendor_b)


@pytest.fixture
def other_recipient(unit_b: Any) -> Any:
    return make_user(Role.RECIPIENT, "recipient_b", unit=unit_b)


def _role_fixture(role: Role) -> Any:
    @pytest.fixture
    def _fixture(users: dict[str, Any]) -> Any:
        return users[role.value]

    return _fixture


assessor = _role_fixture(Role.ASSESSOR)
service_desk = _role_fixture(Role.SERVICE_DESK)
vendor_manager = _role_fixture(Role.VENDOR_MANAGER)
vendor_engineer = _role_fixture(Role.VENDOR_ENGINEER)
recipient = _role_fixture(Role.RECIPIENT)
supervisor = _role_fixture(Role.SUPERVISOR)
system_admin = _role_fixture(Role.SYSTEM_ADMIN)
security_admin = _role_fixture(Role.SECURITY_ADMIN)
audit_admin = _role_fixture(Role.AUDIT_ADMIN)


@pytest.fixture
def login() -> Any:
    """`login(user)` → a logged-in Client (None → anonymous)."""
    return client_for


# --- the loopback mail server ----------------------------------------------------------

MAIL_INSTALL_HINT = (
    "the mail tests need Dovecot (run scripts/install-mail-server.sh as root) "
    "and aiosmtpd (pip install -e '.[dev]')"
)


def _mail_missing() -> str | None:
    if mailserver.dovecot_binary() is None:
        return "dovecot-imapd/dovecot-lmtpd are not installed"
    if not mailserver.aiosmtpd_available():
        return "aiosmtpd is not installed"
    return None


@pytest.fixture(scope="session")
def mail_server() -> Iterator[mailserver.MailServer]:
    missing = _mail_missing()
    if missing:
        message = f"{missing}: {MAIL_INSTALL_HINT}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = mailserver.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailboxes(mail_server: mailserver.MailServer, settings: Any, tmp_path: Any) -> Any:
    """Fresh service-desk and vendor mailboxes for one test, OpsQM configured to
    send through the test relay and to read the service desk's inbox."""
    desk, vendor = mail_server.fresh_pair()
    for name, value in mail_server.settings_for(desk).items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = tmp_path / "uploads"

    class Boxes:
        server = mail_server
        servicedesk = desk
        vendor_account = vendor

    return Boxes


@pytest.fixture(autouse=True)
def _no_ledger_schedule(settings: Any) -> None:
    """The worker's ledger refresh (ledger.keep) is off, so that a test running the
    worker counts its own jobs only; tests of the kept ledgers call it directly."""
    settings.OPSQM_LEDGER_KEEP_SECONDS = 0
    settings.OPSQM_REPORT_SCHEDULE_SECONDS = 0  # nor the scheduled reports' tick


# --- order -----------------------------------------------------------------------------

# The longest files, longest first.  `--dist loadfile` hands files to the xdist workers in
# collection order, so a two-minute file collected last would run alone at the end; started
# first, the other worker works through the short files meanwhile.
SLOW_FILES = (
    "tests/demo/test_make_run.py",
    "tests/ops/test_bundle.py",
    "tests/ops/test_backup.py",
    "tests/ops/test_multiprocess.py",
    "tests/mail/test_poll_recovery.py",
    "tests/web/test_permission_matrix.py",
    "tests/jobs/test_worker_process.py",
    "tests/browser/test_roles.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(SLOW_FILES)))
