"""A system change notice (第二十一条) in a real browser (headless Debian Chromium)
against the live server and the real loopback mail server: the desk writes it (a
window that ends before it starts is refused, naming the field), the vendor's mail
gets its server receive time, and a stranger's reply shows as not counted.

Screenshots: test-artifacts/screenshots/change-notice-*.png."""

from __future__ import annotations

import email.utils
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, login, screenshot

pytestmark = pytest.mark.browser


def test_the_desk_sends_a_change_notice(open_page: Any, mailboxes: Any) -> None:
    from opsqm.facts.contracts.models import Contract, Vendor
    from opsqm.facts.incidents.models import ChangeNotice, NoticeMail
    from opsqm.infra.mail.services import poll_mailbox
    from opsqm.pure.assessment.model import TZ
    from tests.tickets.test_mail_flow import run_jobs

    Vendor.objects.filter(name="北京凯辉科技有限公司").update(
        intranet_mailbox=mailboxes.vendor_account.address
    )
    contract = Contract.objects.get(code="C-2025-001")
    existing = set(ChangeNotice.objects.values_list("pk", flat=True))  # the demo's own
    page = open_page(DESKTOP)
    login(page, "desk")
    page.goto("/incidents/changes/")
    page.click("main a[href$='/incidents/changes/new/']")
    page.fill("#id_system", "执法办案系统")
    page.fill("#id_window_start", "2025-11-08T22:00")
    page.fill("#id_window_end", "2025-11-08T21:00")
    page.fill("#id_impact", "升级期间暂停服务")
    page.fill("#id_contact", "信息化部 王工")
    page.check(f"input[name=contracts][value='{contract.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    assert "维护窗口结束时间" in page.locator("main").inner_text()  # the field named
    assert set(ChangeNotice.objects.values_list("pk", flat=True)) == existing  # none written
    page.fill("#id_window_end", "2025-11-09T02:00")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/incidents/changes/*/")
    notice = ChangeNotice.objects.exclude(pk__in=existing).get()
    mail = NoticeMail.objects.get(change_notice=notice)
    run_jobs()
    stranger = (
        f"From: someone@elsewhere.test\r\nTo: {mailboxes.servicedesk.address}\r\n"
        f"Subject: 回复：[{notice.number}] 收到\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='elsewhere.test')}\r\n"
        f"In-Reply-To: {mail.outbound.message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n收到\r\n"
    ).encode()
    mailboxes.server.lmtp_deliver(stranger, mailboxes.servicedesk.address)
    poll_mailbox()
    run_jobs()
    mail.refresh_from_db()
    assert mail.server_received_at is not None
    page.reload()
    table = page.locator("main table.mails").inner_text()
    assert mail.server_received_at.astimezone(TZ).strftime("%H:%M:%S") in table
    assert "someone@elsewhere.test" in table and "不计入" in table
    screenshot(page, "change-notice-1-detail")
