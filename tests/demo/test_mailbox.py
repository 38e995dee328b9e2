"""`make run`'s read-only mailbox page on the real loopback mail server: the engineer
reads what arrived in his vendor's intranet mailbox (with the server's receive time),
not another vendor's; a recipient has no mailbox to read; the menu links it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.demo.urls")]

MAIL = (
    "From: servicedesk@bureau.test\r\nTo: {to}\r\nSubject: =?utf-8?B?{subject}?=\r\n"
    "Message-ID: <demo-1@bureau.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "{body}\r\n"
)


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def demo_boxes(mailboxes: Any, vendor_a: Any, settings: Any) -> Any:
    import base64

    vendor_a.intranet_mailbox = mailboxes.vendor_account.address
    vendor_a.save()
    settings.DEMO_MAILBOX_FILE = str(mailboxes.server.passwd_file)
    subject = base64.b64encode("[GD-2026-0042] 执法终端无法开机".encode()).decode()
    raw = MAIL.format(to=vendor_a.intranet_mailbox, subject=subject, body="请尽快处理。")
    mailboxes.server.lmtp_deliver(raw.encode(), vendor_a.intranet_mailbox)
    return mailboxes


def test_the_engineer_reads_his_vendors_mailbox(
    demo_boxes: Any, vendor_engineer: Any, vendor_a: Any
) -> None:
    c = client(vendor_engineer)
    page = c.get("/demo/mailbox/").content.decode()
    assert vendor_a.intranet_mailbox in page
    assert "[GD-2026-0042] 执法终端无法开机" in page
    assert 'href="/demo/mailbox/"' in page  # in the menu
    uid = page.split("&amp;uid=")[1].split('"')[0]
    opened = c.get("/demo/mailbox/", {"box": vendor_a.intranet_mailbox, "uid": uid})
    text = opened.content.decode()
    assert "请尽快处理。" in text and "Received" in text
    # Read-only: the message stays unread for the vendor's own mail client.
    conn = demo_boxes.server.imap(demo_boxes.vendor_account)
    conn.select("INBOX", readonly=True)
    _typ, unseen = conn.search(None, "UNSEEN")
    conn.logout()
    assert unseen[0].split()


def test_others_do_not_read_the_vendors_mailbox(
    demo_boxes: Any, vendor_a: Any, vendor_b: Any, other_vendor_manager: Any, recipient: Any
) -> None:
    vendor_b.intranet_mailbox = demo_boxes.server.fresh_pair()[1].address
    vendor_b.save()
    other = client(other_vendor_manager)
    page = other.get("/demo/mailbox/").content.decode()
    assert vendor_b.intranet_mailbox in page and vendor_a.intranet_mailbox not in page
    assert other.get("/demo/mailbox/", {"box": vendor_a.intranet_mailbox}).status_code == 404
    assert client(recipient).get("/demo/mailbox/").status_code == 403


def test_without_the_demo_setting_there_is_no_mailbox_page(
    vendor_engineer: Any, settings: Any
) -> None:
    settings.DEMO_MAILBOX_FILE = ""
    assert client(vendor_engineer).get("/demo/mailbox/").status_code == 404
