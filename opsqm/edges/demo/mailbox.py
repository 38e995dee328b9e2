"""`make run`'s read-only look into the loopback mail server's mailboxes, so that the
demo's engineer sees the work order arrive in the vendor's intranet mailbox and the
desk its copies.  Only where OPSQM_DEMO_MAILBOX_FILE names the server's passwd-file
(opsqm/edges/demo/runner.py sets it); production never does."""

from __future__ import annotations

import datetime
import email
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

from opsqm.facts.contracts.models import Vendor
from opsqm.infra.accounts.models import User
from opsqm.infra.core.roles import BUREAU_ROLES, VENDOR_ROLES
from opsqm.infra.mail import imap
from opsqm.infra.mail.loopback import read_accounts

SHOWN = 50  # the newest messages listed


@dataclass(frozen=True)
class Summary:
    uid: int
    received: datetime.datetime | None
    sender: str
    to: str
    subject: str


@dataclass(frozen=True)
class Opened:
    summary: Summary
    headers: list[tuple[str, str]]
    body: str
    attachments: list[str]


def readable_mailboxes(user: User) -> dict[str, str]:
    """Address → password of the mailboxes `user` may read: the bureau's roles all of
    them, a vendor's people their vendor's intranet and manager's mailboxes."""
    accounts = read_accounts(Path(settings.DEMO_MAILBOX_FILE))
    allowed: set[str] = set()
    if user.role in BUREAU_ROLES:
        allowed = set(accounts)
    elif user.role in VENDOR_ROLES and user.vendor_id:
        vendor = Vendor.objects.get(pk=user.vendor_id)
        allowed = {vendor.intranet_mailbox or "", vendor.manager_mailbox}
    return {a: acc.password for a, acc in accounts.items() if a in allowed}


def _account(address: str, password: str) -> imap.ImapAccount:
    return imap.ImapAccount.from_settings(user=address, password=password, mailbox="INBOX")


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _summary(uid: int, received: datetime.datetime | None, msg: EmailMessage) -> Summary:
    return Summary(
        uid=uid,
        received=received,
        sender=str(msg.get("From", "")),
        to=str(msg.get("To", "")),
        subject=str(msg.get("Subject", "")),
    )


def list_messages(address: str, password: str) -> list[Summary]:
    """The newest SHOWN messages of the INBOX, newest first (read-only, \\Seen untouched)."""
    with imap.connect(_account(address, password)) as conn:
        imap.select(conn, "INBOX", readonly=True)
        uids = imap.uids_after(conn, 0)[-SHOWN:]
        dates = imap.internaldates(conn, uids)
        return [
            _summary(uid, dates.get(uid), _parse(imap.fetch_header(conn, uid)))
            for uid in reversed(uids)
        ]


def open_message(address: str, password: str, uid: int) -> Opened | None:
    with imap.connect(_account(address, password)) as conn:
        imap.select(conn, "INBOX", readonly=True)
        raw = imap.fetch_raw(conn, uid)
        if raw is None:
            return None
        received = imap.internaldates(conn, [uid]).get(uid)
    msg = _parse(raw)
    part = msg.get_body(preferencelist=("plain", "html"))
    try:
        body = part.get_content() if part is not None else ""
    except (LookupError, ValueError):
        body = ""
    return Opened(
        summary=_summary(uid, received, msg),
        headers=[(k, str(v)) for k, v in msg.items() if k in {"Received", "Message-ID", "Date"}],
        body=str(body),
        attachments=[a.get_filename() or "—" for a in msg.iter_attachments()],
    )
