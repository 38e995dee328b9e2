"""A mail server on loopback for the mail tests and for `make run`.

Dovecot (IMAP + LMTP, from `scripts/install-mail-server.sh`) stores the mail and
stamps INTERNALDATE and a Received header at delivery; an aiosmtpd SMTP server in
the calling process takes what OpsQM sends and relays it into Dovecot over LMTP,
adding its own Received header like any MTA.  Everything listens on 127.0.0.1.

The mail and the accounts live under `data_dir` (kept between runs when the caller
gives one, as `make run` does under OPSQM_VAR_DIR); Dovecot's sockets and state
live in a short throwaway folder (a UNIX socket path is limited to ~100 bytes).
Never used in production: the bureau's own mail server is the clock there."""

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).with_name("dovecot.conf.template")
DOMAIN = "bureau.test"
HOST = "127.0.0.1"


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


def missing() -> str | None:
    """Why the loopback server cannot start here, or None."""
    if dovecot_binary() is None:
        return "Dovecot is not installed (scripts/install-mail-server.sh, as root)"
    if not aiosmtpd_available():
        return "aiosmtpd is not installed (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on {HOST}:{port}")


@dataclass
class Account:
    address: str
    password: str


def read_accounts(passwd_file: Path) -> dict[str, Account]:
    """The accounts of a Dovecot passwd-file written by this module."""
    accounts: dict[str, Account] = {}
    with contextlib.suppress(FileNotFoundError):
        for line in passwd_file.read_text().splitlines():
            address, _, rest = line.partition(":")
            password = rest.split(":", 1)[0].removeprefix("{PLAIN}")
            if address and password:
                accounts[address] = Account(address, password)
    return accounts


@dataclass
class MailServer:
    data_dir: Path
    run_dir: Path
    imap_port: int
    lmtp_port: int
    smtp_port: int
    keep_data: bool
    process: Any = None
    controller: Any = None
    accounts: dict[str, Account] = field(default_factory=dict)

    host = HOST

    @property
    def passwd_file(self) -> Path:
        return self.data_dir / "passwd"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "dovecot.log"

    # --------------------------------------------------------------- accounts
    def write_accounts(
        self, addresses: Iterable[str], password: str | None = None
    ) -> list[Account]:
        """Add the mailboxes not there yet, with `password` or a new random one each.
        Dovecot notices a changed passwd-file only when its modification time moves
        on a whole second: write them before start-up, or use `add_account`."""
        new = [a for a in dict.fromkeys(addresses) if a and a not in self.accounts]
        with self.passwd_file.open("a") as f:
            for address in new:
                account = Account(address, password or "pw-" + secrets.token_hex(6))
                f.write(f"{address}:{{PLAIN}}{account.password}::::::\n")
                self.accounts[address] = account
        return [self.accounts[a] for a in dict.fromkeys(addresses) if a]

    def add_account(self, address: str) -> Account:
        """One mailbox while the server runs (waits for the next whole second)."""
        if address not in self.accounts:
            time.sleep(1.1)
            self.write_accounts([address])
        return self.accounts[address]

    def imap(self, account: Account) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        conn.login(account.address, account.password)
        return conn

    def settings_for(self, account: Account, mailbox: str = "INBOX") -> dict[str, Any]:
        """Django settings pointing OpsQM at this server, reading `account`'s mailbox
        and sending as it (the service desk's)."""
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
            "MAIL_DOMAIN": account.address.rpartition("@")[2] or DOMAIN,
        }

    def environ_for(self, account: Account) -> dict[str, str]:
        """The same as environment variables (opsqm/edges/web/settings.py reads them)."""
        return {
            name: ("true" if value is True else "false" if value is False else str(value))
            for name, value in self.settings_for(account).items()
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
            if typ != "OK":
                raise RuntimeError(f"IMAP APPEND refused: {data!r}")
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
        shutil.rmtree(self.run_dir, ignore_errors=True)
        if not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)


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
            f"\tby smtp.{DOMAIN} (OpsQM loopback relay) with ESMTP id {secrets.token_hex(6)};"
            f"\r\n\t{email.utils.formatdate(localtime=True)}\r\n"
        ).encode("ascii")
        data = envelope.original_content or envelope.content
        try:
            lmtp = smtplib.LMTP(HOST, self.lmtp_port, timeout=10)
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


def _prepare_data_dir(data_dir: Path | None, users: dict[str, Any]) -> tuple[Path, bool]:
    keep = data_dir is not None
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="opsqm-mail-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    # Dovecot's mail processes (another user when run as root) must reach the Maildir.
    data_dir.chmod(0o755)
    mail_dir = data_dir / "mail"
    mail_dir.mkdir(exist_ok=True)
    os.chown(mail_dir, users["MAIL_UID"], users["MAIL_GID"])
    passwd = data_dir / "passwd"
    passwd.touch()
    passwd.chmod(0o644)
    return data_dir, keep


def _configuration(server: MailServer, users: dict[str, Any]) -> Path:
    base_dir, state_dir = server.run_dir / "run", server.run_dir / "state"
    base_dir.mkdir()
    state_dir.mkdir()
    values = {
        **users,
        "BASE_DIR": base_dir,
        "STATE_DIR": state_dir,
        "INSTANCE": server.run_dir.name,
        "LOG_PATH": server.log_path,
        "HOSTNAME": f"mail.{DOMAIN}",
        "DOMAIN": DOMAIN,
        "MAIL_DIR": server.data_dir / "mail",
        "PASSWD_FILE": server.passwd_file,
        "IMAP_PORT": server.imap_port,
        "LMTP_PORT": server.lmtp_port,
    }
    conf = TEMPLATE.read_text()
    for name, value in values.items():
        conf = conf.replace("{{" + name + "}}", str(value))
    if "{{" in conf:
        raise RuntimeError("unfilled placeholder in the Dovecot template")
    conf_path = server.run_dir / "dovecot.conf"
    conf_path.write_text(conf)
    return conf_path


def start(
    data_dir: Path | None = None,
    *,
    accounts: Iterable[str] = (),
    password: str | None = None,
    imap_port: int = 0,
    lmtp_port: int = 0,
    smtp_port: int = 0,
    server_class: type[MailServer] = MailServer,
) -> MailServer:
    """Start Dovecot and the SMTP relay with `accounts` (addresses) ready.  A port
    of 0 takes a free one.  Without `data_dir` the mail goes to a temporary folder
    removed by `stop()`; with it, the mail and the passwords stay for the next run."""
    dovecot = dovecot_binary()
    if dovecot is None:
        raise RuntimeError("dovecot is not installed (scripts/install-mail-server.sh)")
    users = _users()
    data_dir, keep = _prepare_data_dir(data_dir, users)
    run_dir = Path(tempfile.mkdtemp(prefix="opsqm-dovecot-"))
    # Dovecot's unprivileged processes must reach their sockets under base_dir.
    run_dir.chmod(0o755)
    server = server_class(
        data_dir=data_dir,
        run_dir=run_dir,
        imap_port=imap_port or free_port(),
        lmtp_port=lmtp_port or free_port(),
        smtp_port=smtp_port or free_port(),
        keep_data=keep,
        accounts=read_accounts(data_dir / "passwd"),
    )
    server.write_accounts(accounts, password)
    conf_path = _configuration(server, users)
    stderr_path = run_dir / "dovecot.stderr"
    with stderr_path.open("wb") as stderr:
        server.process = subprocess.Popen(
            [dovecot, "-F", "-c", str(conf_path)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # stopped by stop(), not by the terminal's Ctrl-C
        )
    try:
        wait_for_port(server.imap_port)
        wait_for_port(server.lmtp_port)
        from aiosmtpd.controller import Controller

        server.controller = Controller(
            RelayHandler(server.lmtp_port), hostname=HOST, port=server.smtp_port
        )
        server.controller.start()
    except Exception:
        detail = stderr_path.read_text(errors="replace") + "\n" + server.log_tail()
        server.stop()
        raise RuntimeError(f"the loopback mail server did not start:\n{detail}") from None
    return server
