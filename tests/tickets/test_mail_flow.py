"""The flow against the real mail server (Dovecot + SMTP relay, tests/mail): the
dispatch time is the server's INTERNALDATE of the delivered copy; a vendor's reply
acknowledges at its own INTERNALDATE; malformed mail is refused and shown to the desk."""

from __future__ import annotations

import email
import email.policy
import email.utils
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Event, Ticket
from opsqm.infra.jobs.models import Job, JobStatus
from opsqm.infra.jobs.worker import Worker
from opsqm.infra.mail.models import InboundMessage, OutboundMessage
from opsqm.infra.mail.services import poll_mailbox

pytestmark = pytest.mark.django_db


def run_jobs(rounds: int = 6) -> None:
    """Run every queued job now (ignoring back-off), as the worker would, until idle."""
    for _ in range(rounds):
        Job.objects.filter(status=JobStatus.QUEUED).update(run_after=timezone.now())
        if not Worker(name="test", manage_connections=False).run_once():
            return


@pytest.fixture
def vendor_box(mailboxes: Any, vendor_a: Any) -> Any:
    vendor_a.intranet_mailbox = mailboxes.vendor_account.address
    vendor_a.save()
    return mailboxes


def _reply(ticket: Ticket, boxes: Any, subject: str | None = None) -> bytes:
    parent = ticket.dispatch_message.message_id
    return (
        f"From: {boxes.vendor_account.address}\r\nTo: {boxes.servicedesk.address}\r\n"
        f"Subject: {subject or '回复：[' + ticket.number + '] 已收到'}\r\n"
        f"Date: Mon, 1 Jan 2001 00:00:00 +0000\r\n"  # the sender's claim: ignored
        f"Message-ID: {email.utils.make_msgid(domain='vendor.test')}\r\n"
        f"In-Reply-To: {parent}\r\nReferences: {parent}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n已收到，马上处理。\r\n"
    ).encode()


def test_dispatch_time_is_the_servers_and_a_reply_acknowledges(
    vendor_box: Any, intake: Any, service_desk: Any
) -> None:
    services.log_vendor_call(
        intake, user=service_desk, called_at=timezone.now(), person="李工", outcome="需派单"
    )
    t = services.dispatch(intake, user=service_desk)
    assert t.dispatched_at is None
    run_jobs()  # mail.send → mail.confirm_delivery → tickets.server_times (+ mail.poll)
    t.refresh_from_db()
    out = OutboundMessage.objects.get(pk=t.dispatch_message_id)
    assert out.status == "sent" and out.server_received_at is not None
    assert t.dispatched_at == out.server_received_at  # INTERNALDATE, not the app clock
    assert t.status == Ticket.Status.DISPATCHED
    # The vendor's mailbox got the work order with the ticket tag.
    conn = vendor_box.server.imap(vendor_box.vendor_account)
    conn.select("INBOX")
    _typ, data = conn.search(None, "ALL")
    assert data[0].split()
    conn.logout()

    vendor_box.server.lmtp_deliver(_reply(t, vendor_box), vendor_box.servicedesk.address)
    poll_mailbox()
    run_jobs()  # mail.inbound → the tickets subscriber
    t.refresh_from_db()
    reply = InboundMessage.objects.get(from_address=vendor_box.vendor_account.address)
    assert reply.ticket_ref == t.number
    assert t.acknowledged_at == reply.server_received_at
    assert t.status == Ticket.Status.ACKNOWLEDGED
    ev = t.events.get(action="mail_received")
    assert ev.source == Event.Source.SERVER and ev.data["acknowledges"] is True
    # The job may run again: nothing happens twice.
    services.handle_inbound(reply)
    assert t.events.filter(action="mail_received").count() == 1


def test_reply_threaded_by_message_id_only(vendor_box: Any, dispatched: Any) -> None:
    run_jobs()
    vendor_box.server.lmtp_deliver(
        _reply(dispatched, vendor_box, subject="Re: 收到"), vendor_box.servicedesk.address
    )
    poll_mailbox()
    run_jobs()
    dispatched.refresh_from_db()
    reply = InboundMessage.objects.get(from_address=vendor_box.vendor_account.address)
    assert reply.ticket_ref == dispatched.number
    assert dispatched.acknowledged_at == reply.server_received_at


def test_malformed_mail_is_refused_and_listed_for_the_desk(
    vendor_box: Any, service_desk: Any
) -> None:
    bad = b"From: \xff\xfe broken\r\nSubject: =?x-unknown?B?5L2g?=\r\n\r\n\xff\xfe\r\n"
    vendor_box.server.lmtp_deliver(bad, vendor_box.servicedesk.address)
    poll_mailbox()
    run_jobs()  # the subscriber sees it and does nothing: no crash
    msg = InboundMessage.objects.get()
    assert msg.refused and msg.raw_bytes().endswith(bad)
    c = Client()
    c.force_login(service_desk)
    page = c.get("/tickets/refused-mail/").content.decode()
    assert msg.refusal_messages()[0] in page
    assert "refused-mail" in c.get("/tickets/").content.decode()


def test_archive_time_is_the_servers(
    vendor_box: Any, dispatched: Any, vendor_engineer: Any, recipient: Any
) -> None:
    from tests.tickets.conftest import PNG

    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    run_jobs()
    dispatched.refresh_from_db()
    assert dispatched.resolved_at == dispatched.resolution_message.server_received_at
    services.sign(dispatched, png=PNG, satisfaction="satisfied", signer_name="王", user=recipient)
    run_jobs()
    dispatched.refresh_from_db()
    archive = dispatched.archive_message
    assert archive.server_received_at is not None
    assert dispatched.archived_at == archive.server_received_at and dispatched.archive == "ok"
    assert b"signature.png" in archive.raw_bytes()


def test_encoded_nul_is_refused_not_a_crash(vendor_box: Any) -> None:
    """NUL must not stop the poll (PostgreSQL text and jsonb cannot hold it): the
    message is kept, refused, with a note naming where the NUL was.  (A raw NUL byte
    never arrives: Dovecot rewrites it on delivery; tests/mail/test_parsing.py covers it.)"""
    bad = b"From: a@vendor.test\r\nSubject: =?utf-8?B?AAAA?=\r\n\r\nx\r\n"
    vendor_box.server.lmtp_deliver(bad, vendor_box.servicedesk.address)
    poll_mailbox()
    msg = InboundMessage.objects.get()
    assert msg.status == "refused"
    assert "\x00" not in msg.subject
    notes = msg.refusal_messages()
    assert any("NUL" in note for note in notes), notes


def test_the_desk_is_notified_by_mail_when_no_signature_is_possible(
    vendor_box: Any, dispatched: Any, vendor_engineer: Any
) -> None:
    """第十条 exception path: the engineer's note reaches the service desk's mailbox
    on the real server, threaded to the ticket's feedback mail, with whom to phone."""
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    run_jobs()
    services.record_no_signature(dispatched, user=vendor_engineer, reason="涉密区域无法带入平板")
    run_jobs()  # mail.send → mail.confirm_delivery
    dispatched.refresh_from_db()
    assert dispatched.status == Ticket.Status.AWAITING_PHONE
    notice_id = dispatched.events.get(action="no_signature").data["notice"]
    notice = OutboundMessage.objects.get(message_id=notice_id)
    assert notice.status == "sent" and notice.server_received_at is not None
    assert notice.to == [vendor_box.servicedesk.address]
    # Delivered once to the desk's mailbox (its own copy is not a second message).
    conn = vendor_box.server.imap(vendor_box.servicedesk)
    conn.select("INBOX", readonly=True)
    _typ, data = conn.uid("SEARCH", None, "HEADER", "Message-ID", notice_id)  # type: ignore[arg-type]
    [uid] = data[0].split()
    _typ, fetched = conn.uid("FETCH", uid, "(BODY.PEEK[])")
    conn.logout()
    raw = next(part[1] for part in fetched if isinstance(part, tuple))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert f"[{dispatched.number}]" in str(msg["Subject"])
    assert msg["In-Reply-To"] == dispatched.resolution_message.message_id
    body = msg.get_body().get_content()  # type: ignore[union-attr]
    assert "涉密区域无法带入平板" in body and "王警官 · 010-1234" in body
    # Polled back, it is our own copy: nothing happens to the ticket.
    poll_mailbox()
    run_jobs()
    dispatched.refresh_from_db()
    assert dispatched.status == Ticket.Status.AWAITING_PHONE
    assert not dispatched.events.filter(action="mail_received").exists()
