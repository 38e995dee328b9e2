"""The loopback mail server of the mail tests (see tests/mail/mailserver.py).

Missing binaries skip these tests with a message saying how to install them,
except under CI (CI=true), where they fail: CI must run them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.mail import mailserver

INSTALL_HINT = (
    "the mail tests need Dovecot (run scripts/install-mail-server.sh as root) "
    "and aiosmtpd (pip install -e '.[dev]')"
)


def _missing() -> str | None:
    if mailserver.dovecot_binary() is None:
        return "dovecot-imapd/dovecot-lmtpd are not installed"
    if not mailserver.aiosmtpd_available():
        return "aiosmtpd is not installed"
    return None


@pytest.fixture(scope="session")
def mail_server() -> Iterator[mailserver.MailServer]:
    missing = _missing()
    if missing:
        message = f"{missing}: {INSTALL_HINT}"
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
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
