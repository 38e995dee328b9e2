"""The loopback mail server (opsqm/infra/mail/loopback.py) as the mail tests use it:
mail in a temporary folder, POOL pairs of mailboxes made before start-up (Dovecot
re-reads its passwd-file only when its modification time moves on a whole second)."""

from __future__ import annotations

from opsqm.infra.mail import loopback
from opsqm.infra.mail.loopback import Account, aiosmtpd_available, dovecot_binary

__all__ = ["DOMAIN", "POOL", "Account", "MailServer", "aiosmtpd_available", "dovecot_binary"]

DOMAIN = loopback.DOMAIN
POOL = 200  # mailbox pairs made before start-up


class MailServer(loopback.MailServer):
    _next: int = 0

    def fresh_pair(self) -> tuple[Account, Account]:
        """An unused (service desk, vendor) pair of mailboxes."""
        self._next += 1
        return (
            self.add_account(f"servicedesk-{self._next}@{DOMAIN}"),
            self.add_account(f"vendor-{self._next}@{DOMAIN}"),
        )


def start() -> MailServer:
    pool = [
        f"{role}-{i}@{DOMAIN}" for i in range(1, POOL + 1) for role in ("servicedesk", "vendor")
    ]
    server = loopback.start(accounts=pool, server_class=MailServer)
    assert isinstance(server, MailServer)
    return server
