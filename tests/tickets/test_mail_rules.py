"""What may change a ticket (issue 15 §1), against the real loopback mail server:
only the vendor's registered mailboxes acknowledge; strangers, other vendors,
automatic replies, bounces and refused mail go on the timeline, never counted; a
bounce marks the ticket's mail "not delivered" and the desk sends it again;
mislabelled Chinese mail is read; the server time reaches the ticket by a hook."""

from __future__ import annotations

import datetime
import email.utils
import html
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opsqm.facts.tickets import mail_rules, services
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.jobs.models import Job, JobStatus
from opsqm.infra.jobs.worker import Worker
from opsqm.infra.mail.hooks import off_server_time, on_server_time
from opsqm.infra.mail.models import InboundMessage, OutboundMessage
from opsqm.infra.mail.services import poll_mailbox
from tests.tickets.conftest import IN_FORCE
from tests.tickets.test_mail_flow import run_jobs

pytestmark = pytest.mark.django_db

MANAGER = "manager-a@bureau.test"


@pytest.fixture
def live(mailboxes: Any, vendor_a: Any, intake: Any, service_desk: Any) -> Any:
    """A ticket dispatched through the real server (its server time recorded)."""
    vendor_a.intranet_mailbox = mailboxes.vendor_account.address
    vendor_a.manager_mailbox = MANAGER
    vendor_a.save()
    services.log_vendor_call(
        intake, user=service_desk, called_at=timezone.now(), person="李工", outcome="需派单"
    )
    ticket = services.dispatch(intake, user=service_desk)
    run_jobs()
    ticket.refresh_from_db()
    assert ticket.dispatched_at is not None
    mailboxes.ticket = ticket
    return mailboxes


def _mail(
    ticket: Ticket,
    sender: str,
    subject: str | None = None,
    headers: str = "",
    body: bytes = "已收到，马上处理。".encode(),
    ctype: str = "text/plain; charset=utf-8",
    subject_raw: bytes | None = None,
) -> bytes:
    parent = ticket.dispatch_message.message_id
    subj = subject_raw or (subject or f"回复：[{ticket.number}] 已收到").encode()
    head = (
        f"From: {sender}\r\nTo: desk@bureau.test\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='x.test')}\r\n"
        f"In-Reply-To: {parent}\r\nReferences: {parent}\r\n{headers}"
        f"Content-Type: {ctype}\r\n"
    ).encode()
    return head + b"Subject: " + subj + b"\r\n\r\n" + body + b"\r\n"


def _deliver(boxes: Any, *raws: bytes) -> list[InboundMessage]:
    for raw in raws:
        boxes.server.lmtp_deliver(raw, boxes.servicedesk.address)
    new = poll_mailbox().new
    run_jobs()
    return [InboundMessage.objects.get(pk=pk) for pk in new]


def _desk(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_only_the_vendors_mailboxes_acknowledge(
    live: Any, vendor_b: Any, service_desk: Any
) -> None:
    t = live.ticket
    stranger, other_vendor, manager = _deliver(
        live,
        _mail(t, "someone@elsewhere.test"),
        _mail(t, str(vendor_b.intranet_mailbox)),
        _mail(t, f"张经理 <{MANAGER.upper()}>"),  # the address, whatever its case
    )
    t.refresh_from_db()
    assert t.acknowledged_at == manager.server_received_at
    assert t.events.get(action="mail_received").data["inbound"] == manager.pk
    reasons = {
        e.data["inbound"]: e.data["reason"] for e in t.events.filter(action="mail_not_counted")
    }
    assert reasons == {stranger.pk: "stranger", other_vendor.pk: "stranger"}
    page = _desk(service_desk).get(f"/tickets/{t.pk}/").content.decode()
    assert "someone@elsewhere.test" in page and "不计入" in page  # "not counted"
    # The mail job may run again: nothing happens twice.
    for msg in (stranger, manager):
        mail_rules.handle_inbound(msg)
    assert t.events.filter(action__in=["mail_received", "mail_not_counted"]).count() == 3


AUTO_REPLIES = {
    "auto-submitted": ("Auto-Submitted: auto-replied\r\n", None),
    "x-autoreply": ("X-Autoreply: yes\r\n", None),
    "x-auto-response-suppress": ("X-Auto-Response-Suppress: All\r\n", None),
    "precedence": ("Precedence: bulk\r\n", None),
    "auto-subject": ("", "自动回复：[{n}] 我正在休假"),
    "auto-subject-en": ("", "Out of Office: [{n}] away until Monday"),
}


def test_automatic_replies_never_acknowledge(live: Any) -> None:
    t = live.ticket
    vendor = live.vendor_account.address
    raws = [
        _mail(t, vendor, subject.format(n=t.number) if subject else None, headers)
        for headers, subject in AUTO_REPLIES.values()
    ]
    stored = _deliver(live, *raws)
    assert [m.nature_reason for m in stored] == [k.removesuffix("-en") for k in AUTO_REPLIES]
    assert {m.nature for m in stored} == {"auto_reply"}
    t.refresh_from_db()
    assert t.acknowledged_at is None
    assert t.events.filter(action="mail_not_counted", data__reason="auto_reply").count() == 6
    # "Auto-Submitted: no" is a person's mail: it acknowledges.
    [person] = _deliver(live, _mail(t, vendor, headers="Auto-Submitted: no\r\n"))
    t.refresh_from_db()
    assert person.nature == "mail" and t.acknowledged_at == person.server_received_at


def _dsn(ticket: Ticket, desk: str) -> bytes:
    """An RFC 3464 report as Postfix writes it (the returned headers attached)."""
    mid = ticket.dispatch_message.message_id
    return (
        f"From: MAILER-DAEMON@mail.bureau.test (Mail Delivery System)\r\nTo: {desk}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='mail.bureau.test')}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain\r\n\r\nmailbox full\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.bureau.test\r\n\r\n"
        "Final-Recipient: rfc822; vendor@bureau.test\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n"
        f"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {mid}\r\n"
        f"Subject: [{ticket.number}] x\r\n\r\n--R--\r\n"
    ).encode()


def test_a_bounced_dispatch_is_not_delivered_shown_and_sent_again(
    live: Any, service_desk: Any
) -> None:
    t = live.ticket
    [bounce] = _deliver(live, _dsn(t, live.servicedesk.address))
    original = OutboundMessage.objects.get(pk=t.dispatch_message_id)
    original.refresh_from_db()
    assert bounce.nature == "bounce" and bounce.bounced_id == original.pk
    assert original.not_delivered_at == bounce.server_received_at
    t.refresh_from_db()
    assert t.acknowledged_at is None
    assert t.events.get(action="mail_not_delivered").data["message_id"] == original.message_id
    desk = _desk(service_desk)
    board = desk.get("/tickets/").content.decode()
    assert 'id="not-delivered"' in board
    assert f'data-message="{html.escape(original.message_id)}"' in board
    r = desk.post(f"/tickets/{t.pk}/resend/{original.pk}/")
    assert r.status_code == 302
    again = OutboundMessage.objects.get(resend_of=original)
    run_jobs()
    again.refresh_from_db()
    assert again.status == "sent" and again.server_received_at is not None
    assert again.to == original.to and again.message_id != original.message_id
    assert _parts(again.raw_bytes()) == _parts(original.raw_bytes())  # text, attachments
    ev = t.events.get(action="mail_resent_received")
    assert ev.at == again.server_received_at
    assert 'id="not-delivered"' not in desk.get("/tickets/").content.decode()
    # Sent again once per bounce.
    assert desk.post(f"/tickets/{t.pk}/resend/{original.pk}/").status_code == 302
    assert OutboundMessage.objects.filter(resend_of=original).count() == 1
    # The vendor's mailbox got the work order twice: the first copy bounced on its way
    # in the real world; here the server delivered both.
    conn = live.server.imap(live.vendor_account)
    conn.select("INBOX", readonly=True)
    _typ, data = conn.search(None, "ALL")
    conn.logout()
    assert len(data[0].split()) == 2


def _parts(raw: bytes) -> list[Any]:
    msg = email.message_from_bytes(raw)
    return [(p.get_content_type(), p.get_payload(decode=True)) for p in msg.walk()]


def _bounce_styles(t: Ticket, desk: str) -> dict[str, bytes]:
    mid = t.dispatch_message.message_id
    returned = f"Message-ID: {mid}\r\nSubject: [{t.number}] x\r\nFrom: {desk}\r\n\r\nwork order\r\n"
    return {
        "exchange": (
            f"From: Microsoft Outlook <{desk}>\r\nTo: {desk}\r\n"
            f"Subject: Undeliverable: [{t.number}] x\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="E"\r\n\r\n'
            "--E\r\nContent-Type: text/plain\r\n\r\nDelivery has failed.\r\n"
            f"--E\r\nContent-Type: message/rfc822\r\n\r\n{returned}--E--\r\n"
        ).encode(),
        "notes": (
            f"From: Notes Mail Router <router@bureau.test>\r\nTo: {desk}\r\n"
            "Subject: DELIVERY FAILURE: User vendor not listed\r\n"
            "Content-Type: text/plain\r\n\r\n"
            f"Your message\r\n  Subject: [{t.number}] x\r\n  Message-ID: {mid}\r\n"
            "was not delivered.\r\n"
        ).encode(),
        "chinese": (
            f"From: 系统管理员 <admin@bureau.test>\r\nTo: {desk}\r\n"
            f"Subject: =?utf-8?B?5pyq6YCB6L6+77ya?= [{t.number}] x\r\n"  # 未送达：
            f"In-Reply-To: {mid}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + "邮件无法投递。\r\n"
        ).encode(),
        "postmaster": (
            f"From: postmaster@bureau.test\r\nTo: {desk}\r\nSubject: Mail system notice\r\n"
            f"References: {mid}\r\nContent-Type: text/plain\r\n\r\nquota exceeded\r\n"
        ).encode(),
    }


def test_bounce_styles_are_recognised_and_never_acknowledge(live: Any) -> None:
    t = live.ticket
    styles = _bounce_styles(t, live.servicedesk.address)
    stored = _deliver(live, *styles.values())
    reasons = ["bounce-subject", "bounce-subject", "bounce-subject", "daemon-sender"]
    assert [m.nature_reason for m in stored] == reasons
    assert all(m.nature == "bounce" and m.bounced_id == t.dispatch_message_id for m in stored)
    t.refresh_from_db()
    assert t.acknowledged_at is None
    assert t.events.filter(action="mail_not_delivered").count() == 4


def test_t8_is_judged_when_only_a_bounce_and_an_auto_reply_came(live: Any) -> None:
    from opsqm.facts.tickets.costs import ticket_costs

    t = live.ticket
    _deliver(
        live,
        _dsn(t, live.servicedesk.address),
        _mail(t, live.vendor_account.address, headers="Auto-Submitted: auto-replied\r\n"),
    )
    # Dispatched 30 h ago: overdue; the vendor never acknowledged (第十七条六(三)).
    at = timezone.now() - datetime.timedelta(hours=30)
    Ticket.objects.filter(pk=t.pk).update(dispatched_at=at)
    t.refresh_from_db()
    t.fill_derived()
    t.save()
    [t8] = [i for i in ticket_costs(t).items if i.rule == "T8"]
    assert t8.points == Decimal("-0.5")
    # Acknowledged within the window instead: no T8 (the test can tell the difference).
    Ticket.objects.filter(pk=t.pk).update(acknowledged_at=at + datetime.timedelta(hours=1))
    t.refresh_from_db()
    assert not [i for i in ticket_costs(t).items if i.rule == "T8"]


def test_server_times_reach_the_ticket_by_the_hook_not_by_a_job(
    live: Any, contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    """The dispatch fixture's ticket got its time with no tickets.server_times job;
    with the hook off, the periodic sweep (the safety net) still catches up."""
    assert live.ticket.dispatched_at is not None
    assert not Job.objects.filter(kind="tickets.server_times").exists()

    def mail_jobs() -> None:
        for _ in range(4):
            Job.objects.filter(status=JobStatus.QUEUED).update(run_after=timezone.now())
            Worker(
                name="t", manage_connections=False, kinds=["mail.send", "mail.confirm_delivery"]
            ).run_once()

    second = services.record_intake(
        contract_a,
        user=service_desk,
        reporter="赵",
        phone="1",
        description="网络中断",
        unit=unit_a,
        priority="normal",
        reported_at=IN_FORCE,
    )
    services.log_vendor_call(
        second, user=service_desk, called_at=timezone.now(), person="李工", outcome="派单"
    )
    off_server_time(mail_rules.server_time_recorded)
    try:
        second = services.dispatch(second, user=service_desk)
        mail_jobs()
        second.refresh_from_db()
        assert second.dispatch_message.server_received_at is not None
        assert second.dispatched_at is None  # nobody told the ticket
        assert services.sweep_server_times() == 1
    finally:
        on_server_time(mail_rules.server_time_recorded)
    second.refresh_from_db()
    assert second.dispatched_at == second.dispatch_message.server_received_at
    assert services.sweep_server_times() == 0


GBK_ONLY = "王镕堃"  # 镕 and 堃 are in GBK, not in GB 2312


def test_mislabelled_chinese_mail_is_read_and_refused_mail_is_never_mojibake(
    live: Any, service_desk: Any
) -> None:
    import base64

    t = live.ticket
    vendor = live.vendor_account.address
    subject = f"回复：[{t.number}] {GBK_ONLY}"
    encoded = base64.b64encode(subject.encode("gbk")).decode()
    labelled, unlabelled, raw_header, broken = _deliver(
        live,
        _mail(
            t,
            vendor,
            subject_raw=f"=?gb2312?B?{encoded}?=".encode(),
            body=GBK_ONLY.encode("gbk"),
            ctype="text/plain; charset=gb2312",
        ),
        _mail(t, vendor, body=GBK_ONLY.encode("gbk"), ctype="text/plain"),
        _mail(t, vendor, subject_raw=subject.encode("gbk")),
        _mail(t, vendor, subject_raw=f"[{t.number}] ".encode() + "打印".encode("gbk") + b"\xff"),
    )
    for msg in (labelled, unlabelled, raw_header):
        assert msg.status == "ok", msg.refusal
    assert labelled.subject == subject and labelled.body_text.strip() == GBK_ONLY
    assert unlabelled.body_text.strip() == GBK_ONLY and raw_header.subject == subject
    assert broken.refused and broken.subject == f"[{t.number}] \ufffd"
    mojibake = ("打印".encode("gbk") + b"\xff").decode("latin-1")
    page = _desk(service_desk).get("/tickets/refused-mail/").content.decode()
    assert f"[{t.number}] \ufffd" in page and mojibake not in page
    t.refresh_from_db()
    # The first readable one acknowledged; the refused one is on the timeline only.
    assert t.acknowledged_at == labelled.server_received_at
    assert t.events.get(data__inbound=broken.pk).data["reason"] == "refused"


def test_the_manager_gets_a_copy_of_a_work_order_that_passes_a_t6_step(
    live: Any, mail_server: Any, vendor_a: Any
) -> None:
    """第二十一条: the manager's mailbox (a real one here) gets the work order once per
    T6 step passed, threaded to the dispatch; a step not reached sends nothing."""
    from opsqm.facts.tickets.manager_copies import copy_managers

    _desk_box, manager = mail_server.fresh_pair()
    vendor_a.manager_mailbox = manager.address
    vendor_a.save()
    t = live.ticket
    assert copy_managers() == 0  # dispatched just now: no step passed
    # Dispatched 28 h ago: the 24 h normal-priority deadline passed 4 h ago.
    Ticket.objects.filter(pk=t.pk).update(
        dispatched_at=timezone.now() - datetime.timedelta(hours=28, minutes=1)
    )
    t.refresh_from_db()
    t.fill_derived()
    t.save()
    assert copy_managers() == 1
    assert copy_managers() == 0  # once per step
    run_jobs()
    ev = t.events.get(action="manager_copy_sent")
    assert ev.text == "overdue4h" and ev.data["to"] == manager.address
    copy = OutboundMessage.objects.get(message_id=ev.data["message_id"])
    assert copy.status == "sent" and copy.in_reply_to == t.dispatch_message.message_id
    conn = mail_server.imap(manager)
    conn.select("INBOX", readonly=True)
    _typ, data = conn.search(None, "ALL")
    [num] = data[0].split()
    _typ, fetched = conn.fetch(num, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    conn.logout()
    header = next(p[1] for p in fetched if isinstance(p, tuple)).decode()
    assert f"[{t.number}]" in header
