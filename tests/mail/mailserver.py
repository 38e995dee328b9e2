"""A throwaway mail server on loopback for the mail tests.

Dovecot (IMAP + LMTP, from `scripts/install-mail-server.sh`) stores the mail and
stamps INTERNALDATE and a Received header at delivery; an aiosmtpd SMTP server in
this process takes what OpsQM sends and relays it into Dovecot over LMTP, adding
its own Received header like any MTA.  Everything listens on 127.0.0.1, on free
ports, with its configuration, sockets, logs and mail under one temporary folder."""

from __future__ import annotations

import contextlib
import email.utils
import grp
import imaplib
import os
import pwd
import secrets
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "scripts" / "mailserver" / "dovecot.conf.template"
DOMAIN = "bureau.test"
POOL = 200  # mailbox pairs made before start-up


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if (
        found
        and os.path.exists("/usr/lib/dovecot/imap")
        and os.path.exists("/usr/lib/dovecot/lmtp")
    ):
        return found
    return None


def aiosmtpd_available() -> bool:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


@dataclass
class Account:
    address: str
    password: str


@dataclass
class MailServer:
    root: Path
    imap_port: int
    lmtp_port: int
    smtp_port: int
    passwd_file: Path
    log_path: Path
    process: Any = None
    controller: Any = None
    _next: int = 0
    _accounts: dict[str, Account] = field(default_factory=dict)

    host = "127.0.0.1"

    # --------------------------------------------------------------- accounts
    def _write_accounts(self, locals_: list[str]) -> None:
        with self.passwd_file.open("a") as f:
            for local in locals_:
                account = Account(f"{local}@{DOMAIN}", "pw-" + secrets.token_hex(6))
                f.write(f"{account.address}:{{PLAIN}}{account.password}::::::\n")
                self._accounts[account.address] = account

    def add_account(self, local: str) -> Account:
        """The mailbox `local@bureau.test`.  Accounts are written before Dovecot
        starts (POOL of each role): Dovecot notices a changed passwd-file only
        when its modification time moves on a whole second."""
        address = f"{local}@{DOMAIN}"
        if address not in self._accounts:
            time.sleep(1.1)
            self._write_accounts([local])
        return self._accounts[address]

    def fresh_pair(self) -> tuple[Account, Account]:
        """An unused (service desk, vendor) pair of mailboxes."""
        self._next += 1
        return self.add_account(f"servicedesk-{self._next}"), self.add_account(
            f"vendor-{self._next}"
        )

    def imap(self, account: Account) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        conn.login(account.address, account.password)
        return conn

    def settings_for(self, account: Account, mailbox: str = "INBOX") -> dict[str, Any]:
        """Django settings pointing OpsQM at this server as `account`."""
        return {
            "MAIL_SMTP_HOST": self.host,
            "MAIL_SMTP_PORT": self.smtp_port,
            "MAIL_SMTP_USER": "",
            "MAIL_SMTP_PASSWORD": "",
            "MAIL_SMTP_STARTTLS": False,
            "MAIL_SMTP_SSL": False,
            "MAIL_IMAP_HOST": self.host,
            "MAIL_IMAP_PORT": self.imap_port,
            "MAIL_IMAP_USER": account.address,
            "MAIL_IMAP_PASSWORD": account.password,
            "MAIL_IMAP_SSL": False,
            "MAIL_IMAP_STARTTLS": False,
            "MAIL_IMAP_MAILBOX": mailbox,
            "MAIL_IMAP_TIMEOUT": 10,
            "MAIL_FROM": account.address,
            "MAIL_SERVICE_DESK_ADDRESS": account.address,
            "MAIL_DOMAIN": DOMAIN,
        }

    # --------------------------------------------------------------- injecting mail
    def lmtp_deliver(self, raw: bytes, to: str, sender: str = "someone@elsewhere.test") -> None:
        """Deliver raw bytes as the server would (INTERNALDATE = now)."""
        lmtp = smtplib.LMTP(self.host, self.lmtp_port, timeout=10)
        try:
            lmtp.sendmail(sender, [to], raw)
        finally:
            lmtp.quit()

    def append(
        self, account: Account, raw: bytes, when: Any = None, mailbox: str = "INBOX"
    ) -> None:
        """IMAP APPEND with a chosen INTERNALDATE (a migration or a test fixture)."""
        conn = self.imap(account)
        try:
            typ, data = conn.append(
                mailbox, "", imaplib.Time2Internaldate(when or time.time()), raw
            )
            assert typ == "OK", data
        finally:
            conn.logout()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # --------------------------------------------------------------- lifecycle
    def stop(self) -> None:
        if self.controller is not None:
            with contextlib.suppress(Exception):
                self.controller.stop()
            self.controller = None
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None
        shutil.rmtree(self.root, ignore_errors=True)


def _users() -> dict[str, Any]:
    """Who the Dovecot processes run as: Debian's dovenull/dovecot/mail as root,
    oneself otherwise (Dovecot runs unprivileged on ports above 1024)."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("mail")
        return {
            "LOGIN_USER": "dovenull",
            "INTERNAL_USER": "dovecot",
            "INTERNAL_GROUP": "dovecot",
            "MAIL_UID": mail.pw_uid,
            "MAIL_GID": mail.pw_gid,
        }
    me = pwd.getpwuid(os.geteuid())
    return {
        "LOGIN_USER": me.pw_name,
        "INTERNAL_USER": me.pw_name,
        "INTERNAL_GROUP": grp.getgrgid(os.getegid()).gr_name,
        "MAIL_UID": me.pw_uid,
        "MAIL_GID": me.pw_gid,
    }


class RelayHandler:
    """aiosmtpd handler: stamp a Received header, relay to Dovecot over LMTP."""

    def __init__(self, lmtp_port: int) -> None:
        self.lmtp_port = lmtp_port

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = (
            f"Received: from {session.host_name or 'unknown'} ([{session.peer[0]}])\r\n"
            f"\tby smtp.{DOMAIN} (OpsQM test relay) with ESMTP id {secrets.token_hex(6)};\r\n"
            f"\t{email.utils.formatdate(localtime=True)}\r\n"
        ).encode("ascii")
        data = envelope.original_content or envelope.content
        try:
            lmtp = smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=10)
            try:
                refused = lmtp.sendmail(envelope.mail_from, envelope.rcpt_tos, stamp + data)
            finally:
                lmtp.quit()
        except smtplib.SMTPRecipientsRefused as exc:
            return f"550 relay refused: {exc.recipients}"
        except (smtplib.SMTPException, OSError) as exc:
            return f"451 relay failed: {exc}"
        if refused:
            return f"250 OK, some refused: {sorted(refused)}"
        return "250 OK"


def start() -> MailServer:
    dovecot = dovecot_binary()
    if dovecot is None:
        raise RuntimeError("dovecot is not installed (scripts/install-mail-server.sh)")
    root = Path(tempfile.mkdtemp(prefix="opsqm-mail-"))
    # Dovecot's unprivileged processes must reach their sockets under base_dir.
    root.chmod(0o755)
    users = _users()
    mail_dir, base_dir, state_dir = root / "mail", root / "run", root / "state"
    for d in (mail_dir, base_dir, state_dir):
        d.mkdir()
    os.chown(mail_dir, users["MAIL_UID"], users["MAIL_GID"])
    passwd = root / "passwd"
    passwd.write_text("")
    passwd.chmod(0o644)
    server = MailServer(
        root=root,
        imap_port=free_port(),
        lmtp_port=free_port(),
        smtp_port=free_port(),
        passwd_file=passwd,
        log_path=root / "dovecot.log",
    )
    values = {
        **users,
        "BASE_DIR": base_dir,
        "STATE_DIR": state_dir,
        "INSTANCE": root.name,
        "LOG_PATH": server.log_path,
        "HOSTNAME": f"mail.{DOMAIN}",
        "DOMAIN": DOMAIN,
        "MAIL_DIR": mail_dir,
        "PASSWD_FILE": passwd,
        "IMAP_PORT": server.imap_port,
        "LMTP_PORT": server.lmtp_port,
    }
    conf = TEMPLATE.read_text()
    for name, value in values.items():
        conf = conf.replace("{{" + name + "}}", str(value))
    assert "{{" not in conf, "unfilled placeholder in the Dovecot template"
    server._write_accounts(
        [f"{role}-{i}" for i in range(1, POOL + 1) for role in ("servicedesk", "vendor")]
    )
    conf_path = root / "dovecot.conf"
    conf_path.write_text(conf)
    server.process = subprocess.Popen(
        [dovecot, "-F", "-c", str(conf_path)],
        stdout=subprocess.DEVNULL,
        stderr=open(root / "dovecot.stderr", "wb"),  # noqa: SIM115
    )
    try:
        wait_for_port(server.imap_port)
        wait_for_port(server.lmtp_port)
        from aiosmtpd.controller import Controller

        server.controller = Controller(
            RelayHandler(server.lmtp_port), hostname="127.0.0.1", port=server.smtp_port
        )
        server.controller.start()
    except Exception:
        stderr = (root / "dovecot.stderr").read_text(errors="replace")
        log = server.log_tail()
        server.stop()
        raise RuntimeError(f"the test mail server did not start:\n{stderr}\n{log}") from None
    return server
