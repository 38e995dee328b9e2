"""The login page: a failed login says so, the fifth failure locks the account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, login, screenshot
from tests.browser.test_roles import assert_fits

pytestmark = pytest.mark.browser


def test_login_page_on_desktop_and_phone(open_page: Any) -> None:
    page = open_page(DESKTOP)
    page.goto("/")
    assert "/accounts/login/" in page.url
    card = page.locator(".login-card")
    assert "运维服务质量管理平台" in card.inner_text()
    assert "北京市监狱管理局" in card.inner_text()
    assert page.locator("#mainnav").count() == 0  # no menu before logging in
    # The card is centred.
    box = card.bounding_box()
    assert abs(box["x"] + box["width"] / 2 - DESKTOP["width"] / 2) < 2
    screenshot(page, "login-desktop")
    page.set_viewport_size(PHONE)
    assert_fits(page)
    screenshot(page, "login-phone")


def test_failed_logins_show_an_error_and_five_lock_the_account(open_page: Any) -> None:
    page = open_page(DESKTOP)
    login(page, "kh_engineer", "wrong-password-1")
    assert "/accounts/login/" in page.url
    assert page.locator("main .errorlist").is_visible()
    assert page.locator("#id_username").input_value() == "kh_engineer"
    screenshot(page, "login-failed-desktop")
    page.watch.allow_status(429)  # the locked page's status (Too Many Requests)
    for n in range(2, 6):
        login(page, "kh_engineer", f"wrong-password-{n}")
    assert page.locator(".locked-card").is_visible()
    # Locked: the right password no longer lets the account in.
    login(page, "kh_engineer")
    assert page.locator(".locked-card").is_visible()
    screenshot(page, "locked-desktop")
    page.goto("/")
    assert "/accounts/login/" in page.url
    # Another account is not affected.
    login(page, "desk")
    assert page.locator("#mainnav").is_visible()
