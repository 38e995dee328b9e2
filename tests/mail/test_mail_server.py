"""OpsQM against a real mail server on loopback (Dovecot IMAP/LMTP + SMTP relay)."""

from __future__ import annotations

import datetime
import email.utils
import imaplib
from typing import Any

import pytest
from django.utils import timezone

from opsqm.infra.jobs.models import Job, JobStatus
from opsqm.infra.jobs.worker import Worker
from opsqm.infra.mail import hooks
from opsqm.infra.mail.imap import ImapAccount
from opsqm.infra.mail.models import InboundMessage, OutboundKind, OutboundMessage, ParseStatus
from opsqm.infra.mail.services import (
    confirm_delivery,
    poll_mailbox,
    queue_message,
    send_message,
    thread_key,
)

pytestmark = pytest.mark.django_db


def _run_jobs(kind: str | None = None) -> int:
    """Run every queued job now (ignoring back-off), like a worker would."""
    qs = Job.objects.filter(status=JobStatus.QUEUED)
    if kind:
        qs = qs.filter(kind=kind)
    qs.update(run_after=timezone.now())
    return Worker(name="test", kinds=[kind] if kind else None, manage_connections=False).run_once()


def _raw(subject: str, *, sender: str, to: str, extra: str = "", date: str | None = None) -> bytes:
    date = date or email.utils.formatdate(localtime=True)
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='vendor.test')}\r\n{extra}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n已处理。\r\n"
    ).encode()


def _dispatch(boxes: Any, **kw: Any) -> OutboundMessage:
    message_id = send_message(
        to=[boxes.vendor_account.address],
        subject="打印机无法打印",
        body="第一监狱三监区打印机故障，请处理。",
        kind=OutboundKind.DISPATCH,
        ticket_ref="GD-2025-0001",
        **kw,
    )
    return OutboundMessage.objects.get(message_id=message_id)


def test_send_then_poll_stores_exactly_once(mailboxes: Any) -> None:
    out = _dispatch(mailboxes)
    assert out.subject == "[GD-2025-0001] 打印机无法打印"
    assert out.message_id.endswith("@bureau.test>") and out.sent_at is not None
    first = poll_mailbox()
    assert len(first.new) == 1 and first.known == 0  # the service desk's Bcc copy
    msg = InboundMessage.objects.get(pk=first.new[0])
    assert msg.message_id == out.message_id and msg.outbound == out
    assert msg.ticket_ref == "GD-2025-0001" and msg.status == ParseStatus.OK
    assert msg.raw_bytes().endswith(out.raw_bytes())  # the server only prepends headers
    out.refresh_from_db()
    assert out.server_received_at == msg.server_received_at  # the bureau's clock
    assert out.confirmed_mailbox == msg.mailbox
    again = poll_mailbox()
    assert again.new == [] and again.known == 0
    assert InboundMessage.objects.count() == 1
    # Polling again from scratch (state lost) still stores nothing twice.
    from opsqm.infra.mail.models import MailboxState

    MailboxState.objects.all().update(last_uid=0)
    assert poll_mailbox().new == []
    assert InboundMessage.objects.count() == 1


def test_internaldate_is_the_clock_not_the_date_header(mailboxes: Any) -> None:
    forged = "Mon, 01 Jan 2024 08:00:00 +0800"
    raw = _raw(
        "[GD-2025-0001] 已修复",
        sender=mailboxes.vendor_account.address,
        to=mailboxes.servicedesk.address,
        date=forged,
    )
    before = timezone.now().replace(microsecond=0)
    mailboxes.server.lmtp_deliver(raw, mailboxes.servicedesk.address)
    after = timezone.now()
    msg = InboundMessage.objects.get(pk=poll_mailbox().new[0])
    assert msg.date_header == email.utils.parsedate_to_datetime(forged)
    assert before <= msg.server_received_at <= after + datetime.timedelta(seconds=1)
    assert msg.server_received_at != msg.date_header
    # The second source: the Received header the server added at delivery.
    assert msg.received_header_at is not None
    assert abs(msg.received_header_at - msg.server_received_at) <= datetime.timedelta(seconds=2)


def test_appended_message_keeps_its_chosen_internaldate(mailboxes: Any) -> None:
    when = datetime.datetime(
        2025, 6, 3, 9, 15, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    raw = _raw("migrated", sender="a@vendor.test", to=mailboxes.servicedesk.address)
    mailboxes.server.append(mailboxes.servicedesk, raw, when)
    msg = InboundMessage.objects.get(pk=poll_mailbox().new[0])
    assert msg.server_received_at == when
    assert msg.raw_bytes() == raw


def test_replies_are_threaded_by_tag_then_by_in_reply_to(mailboxes: Any) -> None:
    out = _dispatch(mailboxes)
    vendor, desk = mailboxes.vendor_account.address, mailboxes.servicedesk.address
    deliver = mailboxes.server.lmtp_deliver
    deliver(_raw("回复：【GD-2025-0001】收到", sender=vendor, to=desk), desk)
    deliver(
        _raw("Re: printer", sender=vendor, to=desk, extra=f"In-Reply-To: {out.message_id}\r\n"),
        desk,
    )
    deliver(
        _raw(
            "more news",
            sender=vendor,
            to=desk,
            extra=f"References: <x@elsewhere> {out.message_id}\r\n  <y@elsewhere>\r\n",
        ),
        desk,
    )
    deliver(_raw("unrelated", sender=vendor, to=desk), desk)
    poll_mailbox()
    by_subject = {m.subject: m for m in InboundMessage.objects.filter(outbound__isnull=True)}
    assert by_subject["回复：【GD-2025-0001】收到"].ticket_ref == "GD-2025-0001"
    assert by_subject["Re: printer"].ticket_ref == "GD-2025-0001"
    assert by_subject["more news"].ticket_ref == "GD-2025-0001"
    assert by_subject["unrelated"].ticket_ref == ""
    assert thread_key(by_subject["Re: printer"]) == "GD-2025-0001"
    assert thread_key(by_subject["unrelated"]) is None
    # A reply to the vendor's reply threads through the stored inbound message.
    reply = by_subject["Re: printer"]
    deliver(
        _raw(
            "Re: Re: printer", sender=vendor, to=desk, extra=f"In-Reply-To: {reply.message_id}\r\n"
        ),
        desk,
    )
    msg = InboundMessage.objects.get(pk=poll_mailbox().new[0])
    assert msg.ticket_ref == "GD-2025-0001"


MALFORMED = {
    # GBK bytes then 0xFF: neither UTF-8 nor GB 18030 (plain GBK is read: test_mail_rules).
    "bad header bytes": b"From: a@vendor.test\r\nSubject: \xb4\xf2\xd3\xa1\xff\r\n\r\nbody\r\n",
    "no from": b"Subject: who sent this\r\nDate: Tue, 03 Jun 2025 09:15:02 +0800\r\n\r\nbody\r\n",
    "broken mime": (
        b"From: a@vendor.test\r\nSubject: cut\r\n"
        b"Content-Type: multipart/mixed; boundary=ZZ\r\n\r\nno boundary ever\r\n"
    ),
    "bad base64": (
        b"From: a@vendor.test\r\nSubject: pdf\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=a.pdf\r\n\r\n@@@@@\r\n--B--\r\n"
    ),
    "unknown charset": (
        b"From: a@vendor.test\r\nSubject: x\r\nContent-Type: text/plain; charset=x-martian\r\n\r\n"
        b"\x01\x02\r\n"
    ),
}


def test_malformed_messages_are_refused_kept_and_do_not_stop_the_poll(mailboxes: Any) -> None:
    when = datetime.datetime(2025, 6, 3, 9, 0, tzinfo=datetime.UTC)
    for raw in MALFORMED.values():
        mailboxes.server.append(mailboxes.servicedesk, raw, when)
    good = _raw("[GD-2025-0002] fine", sender="a@vendor.test", to=mailboxes.servicedesk.address)
    mailboxes.server.append(mailboxes.servicedesk, good, when)
    result = poll_mailbox()
    assert len(result.new) == len(MALFORMED) + 1
    stored = {m.raw_bytes(): m for m in InboundMessage.objects.all()}
    for name, raw in MALFORMED.items():
        msg = stored[raw]  # raw kept, byte for byte
        assert msg.status == ParseStatus.REFUSED, name
        assert msg.refusal_note, name
        assert msg.refusal_messages(), name
        assert msg.server_received_at == when
    assert stored[good].status == ParseStatus.OK
    assert stored[good].ticket_ref == "GD-2025-0002"


def test_oversized_attachment_is_refused(mailboxes: Any, settings: Any) -> None:
    settings.MAIL_MAX_ATTACHMENT_BYTES = 10_000
    send_message(
        to=[mailboxes.servicedesk.address],
        subject="整改报告",
        body="见附件",
        ticket_ref="GD-2025-0003",
        kind=OutboundKind.FEEDBACK,
        attachments=[("报告.pdf", b"%PDF-" + b"x" * 20_000, "application/pdf")],
    )
    msg = InboundMessage.objects.get(pk=poll_mailbox().new[0])
    assert msg.status == ParseStatus.REFUSED
    assert [n["code"] for n in msg.refusal] == ["attachment_too_large"]
    assert "报告.pdf" in msg.refusal_note and "9.8 KiB" in msg.refusal_note
    assert msg.attachments[0]["size"] == 20_005
    assert msg.size == len(msg.raw_bytes()) > 20_000


def test_uidvalidity_change_stores_nothing_twice(mailboxes: Any, settings: Any) -> None:
    settings.MAIL_IMAP_MAILBOX = "Tickets"
    server, desk = mailboxes.server, mailboxes.servicedesk
    conn = server.imap(desk)
    assert conn.create("Tickets")[0] == "OK"
    conn.logout()
    raws = [
        _raw(f"[GD-2025-00{n}] m{n}", sender="a@vendor.test", to=desk.address) for n in (10, 11)
    ]
    for raw in raws:
        server.append(desk, raw, mailbox="Tickets")
    first = poll_mailbox()
    assert len(first.new) == 2 and not first.uidvalidity_changed
    # The folder is rebuilt (restore, migration): same mail, new UIDVALIDITY, UIDs from 1.
    conn = server.imap(desk)
    assert conn.delete("Tickets")[0] == "OK"
    assert conn.create("Tickets")[0] == "OK"
    conn.logout()
    for raw in [*raws, _raw("[GD-2025-0012] new", sender="a@vendor.test", to=desk.address)]:
        server.append(desk, raw, mailbox="Tickets")
    second = poll_mailbox()
    assert second.uidvalidity_changed and second.uidvalidity != first.uidvalidity
    assert len(second.new) == 1 and second.known == 2
    assert InboundMessage.objects.count() == 3
    assert set(InboundMessage.objects.values_list("uidvalidity", flat=True)) == {second.uidvalidity}
    assert poll_mailbox().new == []


def test_confirm_delivery_reads_the_recipients_internaldate(mailboxes: Any, settings: Any) -> None:
    settings.MAIL_BCC_SERVICE_DESK = False
    out = _dispatch(mailboxes)
    assert out.server_received_at is None
    vendor = mailboxes.vendor_account
    account = ImapAccount.from_settings(user=vendor.address, password=vendor.password)
    at = confirm_delivery(out, account)
    conn = mailboxes.server.imap(vendor)
    conn.select("INBOX", readonly=True)
    _, data = conn.uid("FETCH", "1:*", "(INTERNALDATE)")
    conn.logout()
    expected = datetime.datetime(*imaplib.Internaldate2tuple(data[0])[:6]).astimezone()
    assert at is not None and at == expected
    out.refresh_from_db()
    assert out.server_received_at == at and out.confirmed_mailbox == account.key
    assert out.received_header_at is not None
    # Unknown Message-ID: nothing found, nothing recorded.
    ghost = OutboundMessage.objects.create(
        message_id="<ghost@bureau.test>", from_address="x@bureau.test", subject="-"
    )
    assert confirm_delivery(ghost, account) is None


def test_worker_sends_confirms_and_notifies_subscribers(mailboxes: Any) -> None:
    seen: list[tuple[int, str]] = []

    def subscriber(msg: InboundMessage) -> None:
        seen.append((msg.pk, msg.ticket_ref))

    hooks.on_inbound(subscriber)
    try:
        out = queue_message(
            to=[mailboxes.vendor_account.address],
            subject="请处理",
            body="…",
            ticket_ref="GD-2025-0004",
            kind=OutboundKind.DISPATCH,
        )
        assert out.sent_at is None
        _run_jobs("mail.send")
        out.refresh_from_db()
        assert out.status == "sent"
        _run_jobs("mail.confirm_delivery")
        out.refresh_from_db()
        assert out.server_received_at is not None
        job = Job.objects.get(kind="mail.confirm_delivery")
        assert job.status == JobStatus.DONE
        recorded = datetime.datetime.fromisoformat(job.result["server_received_at"])
        assert recorded == out.server_received_at
        # mail.poll is a periodic job of the worker once IMAP is configured.
        assert _run_jobs() >= 1
        assert Job.objects.filter(kind="mail.poll", status=JobStatus.DONE).exists()
        assert len(seen) == 1 and seen[0][1] == "GD-2025-0004"
        _run_jobs()
        assert len(seen) == 1  # once per message
    finally:
        hooks.off_inbound(subscriber)


def test_failing_subscriber_is_retried(mailboxes: Any) -> None:
    calls: list[int] = []

    def flaky(msg: InboundMessage) -> None:
        calls.append(msg.pk)
        if len(calls) == 1:
            raise RuntimeError("ticket service down")

    hooks.on_inbound(flaky)
    try:
        desk = mailboxes.servicedesk.address
        mailboxes.server.lmtp_deliver(_raw("hello", sender="a@vendor.test", to=desk), desk)
        poll_mailbox()
        _run_jobs("mail.inbound")
        job = Job.objects.get(kind="mail.inbound")
        assert job.status == JobStatus.QUEUED and "ticket service down" in job.last_error
        _run_jobs("mail.inbound")
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and len(calls) == 2
    finally:
        hooks.off_inbound(flaky)


def test_audit_records_the_mail(mailboxes: Any) -> None:
    from opsqm.infra.audit.models import AuditRecord

    out = _dispatch(mailboxes)
    poll_mailbox()
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["mail.sent", "mail.delivery_confirmed", "mail.received"]
    sent = AuditRecord.objects.get(action="mail.sent")
    assert sent.object_id == str(out.pk) and sent.after["message_id"] == out.message_id
