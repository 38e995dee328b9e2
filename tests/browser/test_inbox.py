"""The bell in the header and the inbox in the browser: the desk opens it from the
bell, marks an item read and the bell's count follows (issue 15 §3)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, login, screenshot

pytestmark = pytest.mark.browser


def test_desk_reads_its_inbox_from_the_bell(open_page: Any) -> None:
    page = open_page(DESKTOP)
    login(page, "desk")
    bell = page.locator("#inbox-bell")
    count = bell.locator("[data-inbox-count]")
    expect(count).to_be_visible()
    before = int(count.inner_text())
    assert before >= 1
    bell.click()
    page.wait_for_url("**/inbox/")
    unread = page.locator("li.unread")
    expect(unread.first).to_be_visible()
    item = unread.first.get_attribute("data-item")
    unread.first.locator("button[type=submit]").click()
    expect(page.locator(f'li[data-item="{item}"]')).to_have_class("read")
    if before == 1:
        expect(page.locator("#inbox-bell [data-inbox-count]")).to_have_count(0)
    else:
        expect(page.locator("#inbox-bell [data-inbox-count]")).to_have_text(str(before - 1))
    screenshot(page, "inbox-desk-desktop")
