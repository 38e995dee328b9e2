"""The whole work-order flow in a real browser (headless Debian Chromium) against the
live server, with the real loopback mail server (tests/mail) as the clock:

desk: records the user's report, logs the call to the vendor, dispatches by mail →
the worker sends it and reads the server's INTERNALDATE (dispatched_at);
engineer: acknowledges, fills the bureau's form, resolves (feedback mail, server time);
recipient: draws the signature with mouse moves on the canvas, rates, submits →
the signed form is mailed to the desk and archived at its server time.

Screenshots: test-artifacts/screenshots/ticket-flow-*.png.  Without Chromium or
Dovecot the test skips (fails under CI=true)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

pytestmark = pytest.mark.browser


def run_jobs() -> None:
    from tests.tickets.test_mail_flow import run_jobs as run

    run()


def test_ticket_flow_desk_engineer_recipient(
    open_page: Any,
    mailboxes: Any,
) -> None:
    from opsqm.facts.contracts.models import Vendor
    from opsqm.facts.tickets.models import Ticket

    Vendor.objects.filter(name="北京凯辉科技有限公司").update(
        intranet_mailbox=mailboxes.vendor_account.address
    )

    # --- the service desk: intake, phone call, dispatch
    desk = open_page(DESKTOP)
    login(desk, "desk")
    desk.goto("/tickets/new/")
    code = _in_force()  # intake offers the contract in force: the seed or its renewal
    desk.select_option("select[name=contract]", label=f"{code} {_title(code)}")
    # the unit list narrows to the chosen contract's units (htmx) before one is picked
    units = desk.locator("#unit-field option:not([value=''])")
    expect(units).to_have_count(_unit_count(code))
    desk.select_option("select[name=unit]", label=f"清河分局 ({code})")
    desk.fill("input[name=reporter]", "清河分局 王警官")
    desk.fill("input[name=phone]", "010-8888 1234")
    desk.fill("input[name=system]", "移动执法终端 T-07")
    desk.fill("textarea[name=description]", "移动执法终端无法同步数据")
    desk.select_option("select[name=priority]", "normal")  # no default: the desk chooses
    desk.click("main form button[type=submit]")
    desk.wait_for_url("**/tickets/*/")
    ticket = Ticket.objects.get(title="移动执法终端无法同步数据")
    desk.select_option("select[name=person]", index=1)  # the vendor's engineer
    desk.fill("input[name=outcome]", "远程未能解决")
    desk.click("form[action$='/call/'] button")
    desk.wait_for_selector("[data-deadline]")  # the 2-hour countdown
    screenshot(desk, "ticket-flow-1-intake")
    desk.click("button[value=dispatch]")
    desk.wait_for_load_state("load")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DISPATCH_SENT and ticket.dispatched_at is None
    run_jobs()  # the worker: SMTP, then the server's INTERNALDATE of the desk's copy
    ticket.refresh_from_db()
    assert ticket.dispatched_at == ticket.dispatch_message.server_received_at
    desk.reload()
    assert desk.locator("#timeline tr[data-action=dispatch_confirmed]").count() == 1
    screenshot(desk, "ticket-flow-2-dispatched")

    # --- the vendor's engineer: acknowledge, the bureau's form, resolve
    eng = open_page(DESKTOP)
    login(eng, "kh_engineer")
    eng.goto(f"/tickets/mine/?q={ticket.number}")
    eng.click(f"text={ticket.number}")
    eng.click("button[value=ack]")
    eng.wait_for_load_state("load")
    eng.fill("textarea[name=analysis]", "终端证书过期导致同步失败")
    eng.fill("textarea[name=steps]", "更新证书并重启同步服务")
    eng.fill("textarea[name=verification]", "同步成功，数据一致")
    eng.click("button[value=work]")
    eng.wait_for_load_state("load")
    eng.click("button[value=resolve]")
    eng.wait_for_load_state("load")
    screenshot(eng, "ticket-flow-3-resolved")
    run_jobs()
    ticket.refresh_from_db()
    assert ticket.acknowledged_at is not None and ticket.record_steps
    assert ticket.resolved_at == ticket.resolution_message.server_received_at

    # --- the desk: a one-time signing link with its QR code, copied with a click
    desk.reload()
    desk.click("form[action$='/sign-link/'] button")
    desk.wait_for_load_state("load")
    assert desk.locator(".sign-link-qr svg").is_visible()
    assert desk.locator("#sign-link-expires").is_visible()
    desk.click("button[data-copy=sign-link]")
    desk.wait_for_function(
        "document.querySelector('button[data-copy=sign-link]').textContent.trim() === '已复制'"
    )

    # --- the service recipient, on a phone: draw the signature, rate, submit
    rec = open_page(PHONE)
    login(rec, "recipient")
    rec.goto(f"/tickets/{ticket.pk}/sign/")
    rec.check("input[name=satisfaction][value=satisfied]")
    rec.click("button[data-signature-submit]")  # an empty pad: "please sign first"
    warning = rec.locator("[data-signature-empty]")
    assert warning.is_visible()
    pad = rec.locator("canvas[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    rec.mouse.move(x + 20, y + 120)
    rec.mouse.down()
    for i in range(1, 30):
        rec.mouse.move(x + 20 + i * 10, y + 120 + (25 if i % 2 else -25), steps=2)
    rec.mouse.up()
    assert warning.is_hidden()  # the stroke cleared the warning
    screenshot(rec, "ticket-flow-4-signature")
    rec.click("button[data-signature-submit]")
    rec.wait_for_url(f"**/tickets/{ticket.pk}/")
    ticket.refresh_from_db()
    assert ticket.signature == "signed" and ticket.satisfaction == "satisfied"
    assert ticket.signature_image.size > 1000  # a real drawing, not an empty canvas
    run_jobs()
    ticket.refresh_from_db()
    assert ticket.archive == "ok" and ticket.archived_at is not None
    assert ticket.status == Ticket.Status.ARCHIVED
    desk.reload()
    screenshot(desk, "ticket-flow-5-archived")


def _in_force() -> str:
    import datetime

    return "C-2026-004" if datetime.date.today() >= datetime.date(2026, 10, 25) else "C-2025-001"


def _unit_count(code: str) -> int:
    from opsqm.facts.contracts.models import Contract

    return Contract.objects.get(code=code).units.count()


def _title(code: str) -> str:
    from opsqm.facts.contracts.models import Contract

    return str(Contract.objects.get(code=code).title)
