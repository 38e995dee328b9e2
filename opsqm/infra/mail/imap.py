"""A thin layer over imaplib: connect (plain, STARTTLS or IMAPS), select by UID,
fetch INTERNALDATE and raw bytes, search by Message-ID."""

from __future__ import annotations

import datetime
import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from opsqm.infra.mail.parsing import normalize_message_id, parse_internaldate


class ImapError(Exception):
    pass


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str
    mailbox: str = "INBOX"
    ssl: bool = False
    starttls: bool = False
    timeout: float = 30
    ca_file: str = ""

    @classmethod
    def from_settings(cls, **overrides: Any) -> ImapAccount:
        values: dict[str, Any] = {
            "host": settings.MAIL_IMAP_HOST,
            "port": settings.MAIL_IMAP_PORT,
            "user": settings.MAIL_IMAP_USER,
            "password": settings.MAIL_IMAP_PASSWORD,
            "mailbox": settings.MAIL_IMAP_MAILBOX,
            "ssl": settings.MAIL_IMAP_SSL,
            "starttls": settings.MAIL_IMAP_STARTTLS,
            "timeout": settings.MAIL_IMAP_TIMEOUT,
            "ca_file": settings.MAIL_TLS_CA_FILE,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def key(self) -> str:
        """The mailbox's identity in the database: account and folder."""
        return f"{self.user}/{self.mailbox}"[:255]


def configured() -> bool:
    return bool(settings.MAIL_IMAP_HOST and settings.MAIL_IMAP_USER)


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file or None)


def quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ImapError(f"IMAP {what} failed: {typ} {detail}".strip())
    return data


@contextmanager
def connect(account: ImapAccount) -> Iterator[imaplib.IMAP4]:
    conn: imaplib.IMAP4
    if account.ssl:
        conn = imaplib.IMAP4_SSL(
            account.host,
            account.port,
            ssl_context=tls_context(account.ca_file),
            timeout=account.timeout,
        )
    else:
        conn = imaplib.IMAP4(account.host, account.port, timeout=account.timeout)
        if account.starttls:
            conn.starttls(ssl_context=tls_context(account.ca_file))
    try:
        try:
            conn.login(account.user, account.password)
        except imaplib.IMAP4.error as exc:
            raise ImapError(f"IMAP login as {account.user} failed: {exc}") from exc
        yield conn
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


def select(conn: imaplib.IMAP4, mailbox: str, *, readonly: bool = True) -> int:
    """Select a folder; returns its UIDVALIDITY."""
    typ, data = conn.select(quote(mailbox), readonly=readonly)
    _check(typ, data, f"SELECT {mailbox}")
    _, values = conn.response("UIDVALIDITY")
    for value in values or []:
        if value:
            return int(value)
    raise ImapError(f"the server gave no UIDVALIDITY for {mailbox}")


def uids_after(conn: imaplib.IMAP4, last_uid: int) -> list[int]:
    """UIDs greater than `last_uid`, ascending (`n:*` always names the last message,
    even when its UID is below n, hence the filter)."""
    typ, data = conn.uid("SEARCH", f"UID {last_uid + 1}:*")
    _check(typ, data, "UID SEARCH")
    found = {int(x) for chunk in data if chunk for x in chunk.split()}
    return sorted(u for u in found if u > last_uid)


_UID_RE = re.compile(rb"UID (\d+)")


def internaldates(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, datetime.datetime]:
    """INTERNALDATE of each UID (the server's delivery time)."""
    if not uids:
        return {}
    out: dict[int, datetime.datetime] = {}
    for start in range(0, len(uids), 200):
        chunk = ",".join(str(u) for u in uids[start : start + 200])
        typ, data = conn.uid("FETCH", chunk, "(UID INTERNALDATE)")
        _check(typ, data, "UID FETCH INTERNALDATE")
        for line in data:
            blob = (
                b"".join(x for x in line if isinstance(x, bytes))
                if isinstance(line, tuple)
                else line
            )
            if not isinstance(blob, bytes):
                continue
            m = _UID_RE.search(blob)
            when = parse_internaldate(blob)
            if m and when is not None:
                out[int(m.group(1))] = when
    return out


def fetch_raw(conn: imaplib.IMAP4, uid: int) -> bytes | None:
    """The message's exact bytes (BODY.PEEK: the \\Seen flag is left alone)."""
    typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
    _check(typ, data, "UID FETCH BODY")
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def fetch_header(conn: imaplib.IMAP4, uid: int) -> bytes:
    typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])")
    _check(typ, data, "UID FETCH HEADER")
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return b""


def search_message_id(conn: imaplib.IMAP4, message_id: str) -> list[int]:
    """UIDs whose Message-ID header contains `message_id` (servers match substrings;
    callers check the exact value)."""
    wanted = normalize_message_id(message_id)
    if not wanted:
        return []
    typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", quote(wanted))
    _check(typ, data, "UID SEARCH HEADER")
    return sorted({int(x) for chunk in data if chunk for x in chunk.split()})
