"""Sending, polling, threading and delivery confirmation.  See docs/mail.md.

Public API (the work-order flow builds on it):

- `send_message(...) -> message_id` / `queue_message(...)`: SMTP, one OutboundMessage
- `poll_mailbox()`: new messages of the IMAP mailbox, each stored exactly once
- `thread_key(message) -> ticket number | None`
- `confirm_delivery(outbound)`: the server's receive time of a sent message
- `opsqm.infra.mail.hooks.on_inbound(callback)`: subscribe to stored inbound messages
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import mimetypes
import secrets
import smtplib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formatdate, getaddresses
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from opsqm.infra.audit.services import log_action
from opsqm.infra.jobs.services import enqueue
from opsqm.infra.mail import imap
from opsqm.infra.mail.bounces import record_bounce
from opsqm.infra.mail.hooks import callbacks, notify_server_time
from opsqm.infra.mail.models import (
    InboundMessage,
    MailboxState,
    Nature,
    OutboundKind,
    OutboundMessage,
    OutboundStatus,
    ParseStatus,
)
from opsqm.infra.mail.parsing import (
    ParsedMessage,
    normalize_message_id,
    parse_message,
    received_date,
)
from opsqm.infra.mail.subjects import find_thread_ref, ticket_subject

log = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str | None]  # filename, content, content type (None: guess)


class MailSendError(Exception):
    pass


# --------------------------------------------------------------------------- storage


def _store_raw(folder: str, raw: bytes) -> str:
    """Content-addressed file under MEDIA_ROOT/mail/<folder>/: the same bytes are
    written once, whoever stores them."""
    digest = hashlib.sha256(raw).hexdigest()
    name = f"mail/{folder}/{digest[:2]}/{digest}.eml"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(raw))
    return name


# --------------------------------------------------------------------------- sending


def make_message_id(ticket_ref: str = "") -> str:
    """`<20250601T083000.1f2e3d4c5b6a7988.GD-2025-0001@domain>`: unique, and readable
    in a server log."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    local = f"{stamp}.{secrets.token_hex(8)}"
    if ticket_ref:
        local += "." + "".join(c for c in ticket_ref if c.isalnum() or c in "-_")
    return f"<{local}@{settings.MAIL_DOMAIN}>"


def _addresses(values: Iterable[str]) -> list[str]:
    return [addr for _, addr in getaddresses(list(values)) if addr]


def prepare_message(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    kind: str = OutboundKind.OTHER,
    ticket_ref: str = "",
    cc: Sequence[str] = (),
    bcc: Sequence[str] = (),
    in_reply_to: str = "",
    references: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
    html_body: str | None = None,
    from_address: str | None = None,
    reply_to: str | None = None,
    created_by: Any = None,
) -> OutboundMessage:
    """Build the message, give it its Message-ID and store it (status pending).

    Nothing is sent: `deliver` sends.  The Message-ID is known from here on, so a
    caller can record it in the same transaction as its own change."""
    if not to:
        raise ValueError("a message needs at least one recipient")
    sender = from_address or settings.MAIL_FROM
    message_id = make_message_id(ticket_ref)
    full_subject = ticket_subject(ticket_ref, subject) if ticket_ref else " ".join(subject.split())
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = full_subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id
    refs = [r for r in (normalize_message_id(x) for x in references) if r]
    parent = normalize_message_id(in_reply_to)
    if parent:
        msg["In-Reply-To"] = parent
        if parent not in refs:
            refs.append(parent)
    if refs:
        msg["References"] = " ".join(refs)
    if ticket_ref:
        msg["X-OpsQM-Ticket"] = ticket_ref
    msg["X-OpsQM-Kind"] = str(kind)
    msg.set_content(body)
    if html_body is not None:
        msg.add_alternative(html_body, subtype="html")
    for filename, content, ctype in attachments:
        ctype = ctype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)

    recipients = _addresses([*to, *cc, *bcc])
    desk = settings.MAIL_SERVICE_DESK_ADDRESS
    if settings.MAIL_BCC_SERVICE_DESK and desk:
        lowered = {r.lower() for r in recipients}
        if desk.lower() not in lowered:
            recipients.append(desk)  # the service desk's copy: the server's clock
    raw = msg.as_bytes()
    return OutboundMessage.objects.create(
        message_id=message_id,
        ticket_ref=ticket_ref,
        kind=kind,
        from_address=_addresses([sender])[0] if _addresses([sender]) else sender,
        to=list(to),
        cc=list(cc),
        recipients=recipients,
        subject=full_subject,
        in_reply_to=parent,
        references=" ".join(refs),
        raw=_store_raw("outbound", raw),
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )


def _smtp() -> smtplib.SMTP:
    host, port, timeout = (
        settings.MAIL_SMTP_HOST,
        settings.MAIL_SMTP_PORT,
        settings.MAIL_SMTP_TIMEOUT,
    )
    context = imap.tls_context(settings.MAIL_TLS_CA_FILE)
    smtp: smtplib.SMTP
    if settings.MAIL_SMTP_SSL:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if settings.MAIL_SMTP_STARTTLS:
            smtp.starttls(context=context)
    if settings.MAIL_SMTP_USER:
        smtp.login(settings.MAIL_SMTP_USER, settings.MAIL_SMTP_PASSWORD)
    return smtp


def deliver(outbound: OutboundMessage) -> OutboundMessage:
    """Hand a prepared message to the SMTP server; then ask for its delivery time.

    Raises MailSendError when the server refuses it (the message stays pending, so
    a retry sends the same bytes with the same Message-ID)."""
    if outbound.status == OutboundStatus.SENT:
        return outbound
    raw = outbound.raw_bytes()
    try:
        with _smtp() as smtp:
            refused = smtp.sendmail(outbound.from_address, list(outbound.recipients), raw)
    except (smtplib.SMTPException, OSError) as exc:
        OutboundMessage.objects.filter(pk=outbound.pk).update(error=str(exc)[:2000])
        raise MailSendError(f"SMTP {settings.MAIL_SMTP_HOST}: {exc}") from exc
    now = timezone.now()
    error = "; ".join(f"{rcpt}: {code} {msg!r}" for rcpt, (code, msg) in refused.items())
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=outbound.pk).update(
            status=OutboundStatus.SENT, sent_at=now, error=error
        )
        outbound.status, outbound.sent_at, outbound.error = OutboundStatus.SENT, now, error
        log_action(
            "mail.sent",
            obj=outbound,
            summary=f"{outbound.kind} {outbound.subject}",
            after={
                "message_id": outbound.message_id,
                "ticket": outbound.ticket_ref,
                "to": outbound.to,
                "sent_at_app_clock": now,
                "refused": error,
            },
        )
        if imap.configured():
            enqueue(
                "mail.confirm_delivery",
                {"outbound": outbound.pk},
                run_after=now + datetime.timedelta(seconds=2),
                dedupe_key=f"mail.confirm_delivery:{outbound.pk}",
            )
    return outbound


def send_message(**kwargs: Any) -> str:
    """Prepare and send now; returns the Message-ID.  Arguments: `prepare_message`.

    Sending from inside a transaction that may still roll back sends a mail the
    database forgets: prefer `queue_message` there."""
    return deliver(prepare_message(**kwargs)).message_id


def queue_message(**kwargs: Any) -> OutboundMessage:
    """Prepare now, send from the worker (job `mail.send`, retried).  Inside the
    caller's transaction: nothing is sent unless it commits."""
    outbound = prepare_message(**kwargs)
    enqueue("mail.send", {"outbound": outbound.pk}, dedupe_key=f"mail.send:{outbound.pk}")
    return outbound


# --------------------------------------------------------------------------- threading


def thread_key(message: Any) -> str | None:
    """The work order (or other registered thread, `subjects.register_thread_prefix`)
    a message belongs to: the subject's tag first, then its In-Reply-To and
    References (newest first) matched against the Message-IDs of mail OpsQM sent, or
    of inbound mail already threaded."""
    number = find_thread_ref(getattr(message, "subject", "") or "")
    if number:
        return number
    parents: list[str] = []
    irt = normalize_message_id(getattr(message, "in_reply_to", "") or "")
    if irt:
        parents.append(irt)
    refs = getattr(message, "references", "") or ""
    ref_list = refs.split() if isinstance(refs, str) else list(refs)
    parents += [r for r in reversed(ref_list) if r not in parents]
    own_pk = getattr(message, "pk", None) if isinstance(message, InboundMessage) else None
    for parent in parents:
        ref = (
            OutboundMessage.objects.filter(message_id=parent)
            .exclude(ticket_ref="")
            .values_list("ticket_ref", flat=True)
            .first()
        )
        if ref:
            return str(ref)
        earlier = InboundMessage.objects.filter(message_id=parent).exclude(ticket_ref="")
        if own_pk is not None:
            earlier = earlier.exclude(pk=own_pk)
        ref = earlier.values_list("ticket_ref", flat=True).first()
        if ref:
            return str(ref)
    return None


# --------------------------------------------------------------------------- receiving


@dataclass
class PollResult:
    mailbox: str
    uidvalidity: int
    uidvalidity_changed: bool = False
    new: list[int] = field(default_factory=list)  # InboundMessage ids stored now
    known: int = 0  # already stored (renumbered or fetched by another poller)
    remaining: int = 0  # left for the next poll (batch limit)


def _record_server_time(
    outbound: OutboundMessage, at: datetime.datetime, received: datetime.datetime | None, key: str
) -> bool:
    """Keep the earliest server receive time of an outbound message's copies."""
    if outbound.server_received_at is not None and outbound.server_received_at <= at:
        return False
    now = timezone.now()
    OutboundMessage.objects.filter(pk=outbound.pk).update(
        server_received_at=at,
        server_received_source="imap-internaldate",
        received_header_at=received,
        confirmed_mailbox=key,
        confirmed_at=now,
    )
    before = outbound.server_received_at
    outbound.server_received_at = at
    outbound.server_received_source = "imap-internaldate"
    outbound.received_header_at = received
    outbound.confirmed_mailbox = key
    outbound.confirmed_at = now
    log_action(
        "mail.delivery_confirmed",
        obj=outbound,
        summary=f"{outbound.message_id} received by the server at {at.isoformat()}",
        before={"server_received_at": before},
        after={
            "server_received_at": at,
            "received_header_at": received,
            "mailbox": key,
            "ticket": outbound.ticket_ref,
        },
    )
    # The work-order flow gets the time now (hooks.on_server_time), not by polling.
    notify_server_time(outbound)
    return True


def store_inbound(
    mailbox: str,
    uidvalidity: int,
    uid: int,
    server_received_at: datetime.datetime,
    raw: bytes,
) -> tuple[InboundMessage, bool]:
    """Store one fetched message exactly once; returns (message, created).

    Never raises on the message's content: unreadable mail is stored refused, with
    its raw bytes.  A message already stored under an earlier UIDVALIDITY (the
    server renumbered the folder) is recognised by its SHA-256 and only given its
    new coordinates; the receive time of its first sighting is kept."""
    existing = InboundMessage.objects.filter(
        mailbox=mailbox, uidvalidity=uidvalidity, uid=uid
    ).first()
    if existing is not None:
        return existing, False
    digest = hashlib.sha256(raw).hexdigest()
    same = _renumbered(mailbox, uidvalidity, uid, digest)
    if same is not None:
        return same, False
    parsed = parse_message(
        raw,
        max_attachment_bytes=settings.MAIL_MAX_ATTACHMENT_BYTES,
        own_domain=settings.MAIL_DOMAIN,
    )
    name = _store_raw("inbound", raw)
    try:
        with transaction.atomic():
            where = (mailbox, uidvalidity, uid)
            msg = _inbound_row(where, raw, digest, name, parsed, server_received_at)
            msg.save()
            _thread(msg, parsed, mailbox)
            _log_received(msg)
            enqueue("mail.inbound", {"inbound": msg.pk}, dedupe_key=f"mail.inbound:{msg.pk}")
    except IntegrityError:
        # Another poller stored it between our check and our insert.
        return InboundMessage.objects.get(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid), False
    return msg, True


def _renumbered(mailbox: str, uidvalidity: int, uid: int, digest: str) -> InboundMessage | None:
    """The message stored before under other coordinates (same SHA-256), moved to the
    new UIDVALIDITY and UID; None if it is new."""
    same = InboundMessage.objects.filter(mailbox=mailbox, sha256=digest).order_by("id").first()
    if same is not None and same.uidvalidity != uidvalidity:
        InboundMessage.objects.filter(pk=same.pk).update(uidvalidity=uidvalidity, uid=uid)
        same.uidvalidity, same.uid = uidvalidity, uid
    return same


def _inbound_row(
    where: tuple[str, int, int],
    raw: bytes,
    digest: str,
    name: str,
    parsed: ParsedMessage,
    server_received_at: datetime.datetime,
) -> InboundMessage:
    """The row of a new message: where it is (mailbox, UIDVALIDITY, UID), the stored
    raw file, the server's receive time and what the parser read (refused if it could
    not read it)."""
    mailbox, uidvalidity, uid = where
    return InboundMessage(
        mailbox=mailbox,
        uidvalidity=uidvalidity,
        uid=uid,
        sha256=digest,
        size=len(raw),
        raw=name,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        subject=parsed.subject,
        from_header=parsed.from_header,
        from_address=parsed.from_address,
        to_header=parsed.to_header,
        cc_header=parsed.cc_header,
        date_header_raw=parsed.date_header_raw,
        date_header=parsed.date_header,
        server_received_at=server_received_at,
        received_header_at=parsed.received_header_at,
        body_text=parsed.body_text,
        attachments=parsed.attachments,
        status=ParseStatus.REFUSED if parsed.refused else ParseStatus.OK,
        refusal=parsed.notes,
        refusal_note=parsed.refusal_note,
        nature=parsed.nature,
        nature_reason=parsed.nature_reason,
    )


def _thread(msg: InboundMessage, parsed: ParsedMessage, mailbox: str) -> None:
    """The ticket a message belongs to; a copy of our own mail also gives that mail
    its server receive time; a bounce marks the mail of ours it returns not delivered."""
    server_received_at = msg.server_received_at
    msg.ticket_ref = thread_key(msg) or ""
    if msg.nature == Nature.BOUNCE:
        record_bounce(msg, parsed.reported_ids)
    if parsed.message_id:
        own = OutboundMessage.objects.filter(message_id=parsed.message_id).first()
        if own is not None:
            msg.outbound = own
            if not msg.ticket_ref:
                msg.ticket_ref = own.ticket_ref
            _record_server_time(own, server_received_at, parsed.received_header_at, mailbox)
    msg.save(update_fields=["ticket_ref", "outbound", "bounced"])


def _log_received(msg: InboundMessage) -> None:
    log_action(
        "mail.received",
        obj=msg,
        summary=f"{msg.from_address or '?'}: {msg.subject}",
        after={
            "mailbox": msg.mailbox,
            "uidvalidity": msg.uidvalidity,
            "uid": msg.uid,
            "message_id": msg.message_id,
            "sha256": msg.sha256,
            "server_received_at": msg.server_received_at,
            "status": msg.status,
            "refusal": msg.refusal_note,
            "nature": msg.nature,
            "bounced": msg.bounced.message_id if msg.bounced else "",
            "ticket": msg.ticket_ref,
        },
    )


def poll_mailbox(
    account: imap.ImapAccount | None = None, *, batch: int | None = None
) -> PollResult:
    """Fetch the mailbox's messages not seen yet, by UID, and store each once.

    Safe to run again at any time (nothing new: nothing stored), and from several
    processes (the unique (mailbox, UIDVALIDITY, UID) constraint decides)."""
    account = account or imap.ImapAccount.from_settings()
    batch = batch or settings.MAIL_POLL_BATCH
    key = account.key
    with imap.connect(account) as conn:
        uidvalidity = imap.select(conn, account.mailbox)
        state, _ = MailboxState.objects.get_or_create(mailbox=key)
        result = PollResult(mailbox=key, uidvalidity=uidvalidity)
        if state.uidvalidity != uidvalidity:
            if state.uidvalidity is not None:
                log.warning(
                    "mailbox %s: UIDVALIDITY %s → %s; reading it again from the start",
                    key,
                    state.uidvalidity,
                    uidvalidity,
                )
                result.uidvalidity_changed = True
                state.uidvalidity_changed_at = timezone.now()
            state.uidvalidity = uidvalidity
            state.last_uid = 0
            state.save()
        uids = imap.uids_after(conn, state.last_uid)
        result.remaining = max(0, len(uids) - batch)
        uids = uids[:batch]
        dates = imap.internaldates(conn, uids)
        for uid in uids:
            raw = imap.fetch_raw(conn, uid)
            if raw is None:  # expunged meanwhile
                continue
            received = dates.get(uid)
            if received is None:
                header_time = received_date(
                    BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Received")
                )
                received = header_time or timezone.now()
                log.warning("mailbox %s uid %s: no INTERNALDATE; using %s", key, uid, received)
            msg, created = store_inbound(key, uidvalidity, uid, received, raw)
            if created:
                result.new.append(msg.pk)
            else:
                result.known += 1
            MailboxState.objects.filter(pk=state.pk, last_uid__lt=uid).update(last_uid=uid)
        MailboxState.objects.filter(pk=state.pk).update(last_polled_at=timezone.now())
    return result


def dispatch_inbound(message: InboundMessage) -> int:
    """Run the `on_inbound` callbacks for one stored message; returns how many ran."""
    count = 0
    for callback in callbacks():
        callback(message)
        count += 1
    return count


# --------------------------------------------------------------------------- delivery


def confirm_delivery(
    outbound: OutboundMessage, account: imap.ImapAccount | None = None
) -> datetime.datetime | None:
    """The server's receive time of a sent message, read back from a mailbox it was
    delivered to (by default the service desk's, which gets a Bcc copy; pass the
    vendor's account to read theirs).  Finds the copy with IMAP SEARCH HEADER
    Message-ID, records its INTERNALDATE and returns it; None while not delivered.

    Rulebook 第十条: 工单下发时间以市局内网邮箱服务器接收时间为准."""
    account = account or imap.ImapAccount.from_settings()
    found: list[tuple[datetime.datetime, datetime.datetime | None]] = []
    with imap.connect(account) as conn:
        imap.select(conn, account.mailbox)
        uids = imap.search_message_id(conn, outbound.message_id)
        dates = imap.internaldates(conn, uids)
        for uid in uids:
            header = BytesHeaderParser(policy=policy.compat32).parsebytes(
                imap.fetch_header(conn, uid)
            )
            if normalize_message_id(str(header.get("Message-ID", ""))) != outbound.message_id:
                continue
            if uid in dates:
                found.append((dates[uid], received_date(str(header.get("Received", "")))))
    if not found:
        return outbound.server_received_at
    at, received = min(found, key=lambda pair: pair[0])
    with transaction.atomic():
        _record_server_time(outbound, at, received, account.key)
    return outbound.server_received_at
