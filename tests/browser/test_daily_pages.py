"""What the desk sees on the daily pages (issue 12): the priority is chosen, never
pre-selected; a refused file brings the form back filled in, naming the file; every
ticket page has 打印工单 (PDF) and Word buttons; 核验打印工单 is in the menu; a favicon."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, login, menu_link, screenshot

pytestmark = pytest.mark.browser


def test_priority_is_chosen_and_a_refused_file_keeps_the_form(open_page: Any) -> None:
    desk = open_page(DESKTOP)
    login(desk, "desk")
    desk.goto("/tickets/new/")
    assert desk.input_value("select[name=priority]") == ""
    desk.select_option("select[name=contract]", index=1)
    expect(desk.locator("#unit-field small")).to_have_count(0)  # narrowed to its units
    desk.select_option("select[name=unit]", index=1)
    desk.fill("input[name=reporter]", "清河分局 王警官")
    desk.fill("input[name=phone]", "010-8888 1234")
    desk.fill("input[name=title]", "执法终端黑屏")
    desk.fill("textarea[name=description]", "开机后黑屏，无法登录")
    # Without a priority the browser does not send the form.
    desk.click("main form button[type=submit]")
    assert desk.url.endswith("/tickets/new/")
    assert desk.eval_on_selector("select[name=priority]", "e => e.validity.valueMissing")
    desk.select_option("select[name=priority]", "urgent")
    desk.set_input_files(
        "input[name=attachments]",
        files=[{"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}],
    )
    desk.click("main form button[type=submit]")
    desk.wait_for_load_state("load")
    assert desk.url.endswith("/tickets/new/")
    assert "setup.exe" in desk.locator(".errorlist").inner_text()
    assert desk.input_value("input[name=reporter]") == "清河分局 王警官"
    assert desk.input_value("input[name=phone]") == "010-8888 1234"
    assert desk.input_value("input[name=title]") == "执法终端黑屏"
    assert desk.input_value("textarea[name=description]") == "开机后黑屏，无法登录"
    assert desk.input_value("select[name=priority]") == "urgent"
    assert desk.input_value("select[name=unit]") != ""
    screenshot(desk, "intake-refused-file")
    icons = desk.locator("link[rel=icon]")
    assert icons.count() == 2
    assert desk.request.get(icons.first.get_attribute("href") or "").ok


def test_every_ticket_page_prints_and_the_verification_page_is_in_the_menu(
    open_page: Any,
) -> None:
    eng = open_page(DESKTOP)
    login(eng, "kh_engineer")
    eng.goto("/tickets/mine/")
    eng.locator("#ticket-rows a[href^='/tickets/']").first.click()
    eng.wait_for_load_state("load")
    pdf = eng.get_by_role("link", name="打印工单（PDF）")
    word = eng.get_by_role("link", name="Word（DOCX）")
    assert pdf.is_visible() and word.is_visible()
    answer = eng.request.get(pdf.get_attribute("href") or "")
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    answer = eng.request.get(word.get_attribute("href") or "")
    assert answer.ok and answer.body()[:2] == b"PK"
    verify = menu_link(eng, "/tickets/verify/")
    assert verify.inner_text().strip() == "核验打印工单"
    verify.click()
    eng.wait_for_url("**/tickets/verify/")


@pytest.mark.parametrize("path", ["/tickets/new/", "/tickets/security/new/"])
def test_choosing_a_contract_narrows_the_units(open_page: Any, path: str) -> None:
    """Issue 12: intake offers the contracts in force, none chosen in advance; choosing
    one replaces the unit list with the units it serves (htmx, no inline script)."""
    from django.utils import timezone

    from opsqm.facts.contracts.models import Contract

    today = timezone.localdate()
    in_force = list(Contract.objects.filter(start__lte=today, end__gte=today).order_by("code"))
    assert len(in_force) >= 2
    desk = open_page(DESKTOP)
    login(desk, "desk")
    desk.goto(path)
    offered = desk.locator("select[name=contract] option:not([value=''])")
    expect(offered).to_have_count(len(in_force))  # an ended contract is not offered
    assert desk.input_value("select[name=contract]") == ""
    units = desk.locator("#unit-field option:not([value=''])")
    for contract in in_force:
        desk.select_option("select[name=contract]", str(contract.pk))
        expect(units).to_have_count(contract.units.count())
        for label in units.all_inner_texts():
            assert label.endswith(f"({contract.code})")
    screenshot(desk, "intake-units-narrowed")
