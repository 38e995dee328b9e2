"""The desk sees mail that did not count, in a real browser (headless Debian Chromium)
against the live server and the real loopback mail server (tests/mail): a bounced
dispatch is listed as *not delivered* on the board and sent again with its button;
refused mail is listed with a subject that is never mojibake; a stranger's reply is
on the ticket's timeline, not counted.

Screenshots: test-artifacts/screenshots/mail-states-*.png."""

from __future__ import annotations

import email.utils
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, login, screenshot

pytestmark = pytest.mark.browser


def _dispatched(boxes: Any) -> Any:
    from django.utils import timezone

    from opsqm.facts.contracts.models import Contract, Vendor
    from opsqm.facts.tickets import services
    from opsqm.infra.accounts.models import User
    from tests.tickets.test_mail_flow import run_jobs

    Vendor.objects.filter(name="北京凯辉科技有限公司").update(
        intranet_mailbox=boxes.vendor_account.address
    )
    # the vendor's contract in force today (the seed, or its renewal once it ended)
    today = timezone.localdate()
    contract = Contract.objects.get(
        vendor__name="北京凯辉科技有限公司", start__lte=today, end__gte=today
    )
    desk = User.objects.get(username="desk")
    ticket = services.record_intake(
        contract,
        user=desk,
        reporter="清河分局 王警官",
        description="移动执法终端无法同步数据",
        unit=contract.units.first(),
        priority="normal",
    )
    services.log_vendor_call(
        ticket, user=desk, called_at=timezone.now(), person="张工", outcome="需派单"
    )
    ticket = services.dispatch(ticket, user=desk)
    run_jobs()
    ticket.refresh_from_db()
    assert ticket.dispatched_at is not None
    return ticket


def _inject(boxes: Any, ticket: Any) -> None:
    from opsqm.infra.mail.services import poll_mailbox
    from tests.tickets.test_mail_flow import run_jobs

    mid = ticket.dispatch_message.message_id
    desk = boxes.servicedesk.address
    bounce = (
        f"From: MAILER-DAEMON@mail.bureau.test\r\nTo: {desk}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain\r\n\r\nmailbox full\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n"
        "Final-Recipient: rfc822; v@bureau.test\r\nAction: failed\r\n\r\n"
        f"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {mid}\r\n\r\n--R--\r\n"
    ).encode()
    stranger = (
        f"From: someone@elsewhere.test\r\nTo: {desk}\r\nSubject: 回复：[{ticket.number}] 收到\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='elsewhere.test')}\r\n"
        f"In-Reply-To: {mid}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n收到\r\n"
    ).encode()
    refused = (
        f"From: {boxes.vendor_account.address}\r\nTo: {desk}\r\n"
        f"Subject: [{ticket.number}] ".encode()
        + "打印".encode("gbk")
        + b"\xff\r\n\r\nx\r\n"
    )
    for raw in (bounce, stranger, refused):
        boxes.server.lmtp_deliver(raw, desk)
    poll_mailbox()
    run_jobs()


def test_the_desk_sees_not_delivered_and_refused_mail(
    open_page: Any,
    mailboxes: Any,
) -> None:
    from opsqm.infra.mail.models import OutboundMessage
    from tests.tickets.test_mail_flow import run_jobs

    ticket = _dispatched(mailboxes)
    _inject(mailboxes, ticket)

    page = open_page(DESKTOP)
    login(page, "desk")
    page.goto("/tickets/")
    row = page.locator(f"#not-delivered tr[data-ticket='{ticket.number}']")
    assert row.count() == 1
    assert row.locator(".badge").is_visible()
    screenshot(page, "mail-states-1-board")

    # Refused mail: the readable part of the subject, no guess in another charset.
    page.click("main a[href$='/tickets/refused-mail/']")
    page.wait_for_url("**/tickets/refused-mail/")
    text = page.locator("main").inner_text()
    assert f"[{ticket.number}] \ufffd" in text
    assert ("打印".encode("gbk") + b"\xff").decode("latin-1") not in text
    screenshot(page, "mail-states-2-refused")

    # The ticket's timeline: the bounce and the stranger's reply, neither counted.
    page.goto(f"/tickets/{ticket.pk}/")
    assert page.locator("#timeline tr[data-action=mail_not_delivered]").count() == 1
    stranger = page.locator("#timeline tr[data-action=mail_not_counted]")
    assert stranger.count() == 2  # the stranger's reply and the refused message
    assert "someone@elsewhere.test" in stranger.first.inner_text()
    assert page.locator("#timeline tr[data-action=mail_received]").count() == 0
    screenshot(page, "mail-states-3-timeline")

    # Send it again from the board.
    page.goto("/tickets/")
    page.click(f"#not-delivered tr[data-ticket='{ticket.number}'] button[type=submit]")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    again = OutboundMessage.objects.get(resend_of=ticket.dispatch_message)
    run_jobs()
    again.refresh_from_db()
    assert again.server_received_at is not None
    page.reload()
    assert page.locator("#timeline tr[data-action=mail_resent_received]").count() == 1
    page.goto("/tickets/")
    assert page.locator("#not-delivered").count() == 0
    screenshot(page, "mail-states-4-sent-again")
