"""The main pages with the demo bureau: contracts, a contract, staff, the ledger (on
screen, on a phone and printed), the desk's live countdowns and the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    demo_contracts,
    login,
    menu_link,
    screenshot,
)
from tests.browser.test_roles import assert_fits

pytestmark = pytest.mark.browser

MONEY = re.compile(r"^-?¥\d{1,3}(,\d{3})*\.\d{2}$")
POINTS = re.compile(r"^[+-]?\d+\.\d{2}$")


def texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def test_assessor_registers_and_ledger(open_page: Any) -> None:
    page = open_page(DESKTOP)
    login(page, "assessor")

    # Contracts: every contract, money with ¥ and thousands separators; live search.
    menu_link(page, "/contracts/").click()
    page.wait_for_url("**/contracts/")
    assert page.title().startswith(page.locator("h1").inner_text().strip())
    rows = page.locator("#contract-rows tr")
    assert texts(page, "#contract-rows tr td:first-child") == demo_contracts()
    amounts = texts(page, "#contract-rows td.num")
    assert amounts[0] == "¥530,000.00" and all(MONEY.match(a) for a in amounts), amounts
    screenshot(page, "contracts-assessor-desktop")
    page.fill("input[name=q]", "凯辉")
    kaihui = len(demo_contracts(vendor="北京凯辉科技有限公司"))  # the seed, and its renewal
    # Locator waits, not wait_for_function: the pages' CSP (script-src 'self') refuses eval.
    expect(rows).to_have_count(kaihui)
    assert rows.first.locator("td").first.inner_text() == "C-2025-001"

    # One contract: its vendor, money, units and staff; a way back to the list.
    rows.first.locator("a").click()
    page.wait_for_url("**/contracts/*/")
    assert page.locator("h1").inner_text().startswith("C-2025-001")
    facts = page.locator("table.facts")
    assert "北京凯辉科技有限公司" in facts.inner_text()
    assert "¥530,000.00" in facts.inner_text() and "¥132,500.00" in facts.inner_text()
    assert "清河分局" in facts.inner_text()
    staff_codes = texts(page, "table.staff tbody td:first-child")
    assert staff_codes[:3] == ["KH01", "KH02", "KH03"]
    # KH03 was verified two days late: a red badge.
    assert page.locator("table.staff tbody tr").nth(2).locator(".badge.bad").count() == 1
    assert page.locator("a.back[href='/contracts/']").is_visible()
    screenshot(page, "contract-C-2025-001-desktop")

    # Staff: all contracts, then one contract through the (htmx) filter.
    menu_link(page, "/staff/").click()
    page.wait_for_url("**/staff/")
    contracts = set(texts(page, "#staff-rows td:first-child"))
    assert contracts == set(demo_contracts())
    page.select_option("select[name=contract]", label="C-2025-001 移动执法终端软件运维")
    page.wait_for_url(re.compile(r"contract="))
    others = page.locator("#staff-rows td:first-child").filter(has_not_text="C-2025-001")
    expect(others).to_have_count(0)
    screenshot(page, "staff-assessor-desktop")

    # The ledger of C-2025-001: score, fines, settlement, items grouped by rule.
    page.goto("/ledger/C-2025-001/")
    assert "C-2025-001" in page.locator("h1").inner_text()
    assert re.match(r"^-?\d+\.\d{2}$", page.locator(".ledger-score .stat").inner_text().strip())
    assert MONEY.match(page.locator(".ledger-fines .stat").inner_text().strip())
    settlement = texts(page, ".ledger-settlement td.num")
    assert len(settlement) == 5 and all(MONEY.match(s) for s in settlement), settlement
    assert page.locator(".ledger-group").count() > 3
    points = texts(page, ".ledger-group td.points")
    assert points and all(POINTS.match(p) for p in points), points[:5]
    neg = page.locator(".ledger-group td.points.neg").first
    assert neg.evaluate("e => getComputedStyle(e).color") == "rgb(197, 48, 48)"
    assert page.locator("a.back").is_visible()
    screenshot(page, "ledger-C-2025-001-desktop")

    # Printed on A4: no menu, no toolbar; the @page rule is there.
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator("form.toolbar").is_visible()
    assert page.locator(".ledger-group").first.is_visible()
    page_rules = page.evaluate(
        """() => [...document.styleSheets].flatMap(s => [...s.cssRules])
             .filter(r => r instanceof CSSPageRule).map(r => r.cssText)"""
    )
    assert any("a4" in r.lower() and "15mm" in r for r in page_rules), page_rules
    screenshot(page, "ledger-C-2025-001-print")
    page.pdf(path=str(SCREENSHOTS / "ledger-C-2025-001-print.pdf"), prefer_css_page_size=True)
    page.emulate_media(media="screen")

    # On a phone every one of these pages fits the screen width.
    page.set_viewport_size(PHONE)
    for url in (
        "/contracts/",
        "/staff/",
        "/ledger/",
        "/ledger/C-2025-001/",
        "/staff/replacements/",
    ):
        page.goto(url)
        assert_fits(page)
    screenshot(page, "replacements-assessor-phone")
    page.goto("/ledger/C-2025-001/")
    screenshot(page, "ledger-C-2025-001-phone")


def test_desk_countdown_runs_and_tickets_are_cards_on_a_phone(open_page: Any) -> None:
    page = open_page(PHONE)
    login(page, "desk")
    countdown = page.locator("table.tickets [data-deadline]").first
    before = countdown.inner_text()
    assert re.search(r"\d+:\d{2}:\d{2}$", before), before
    page.wait_for_timeout(1500)
    assert countdown.inner_text() != before
    # The late ticket's countdown is red, the others are not.
    assert page.locator("table.tickets [data-deadline].late").count() >= 1
    # On the phone each ticket is a card: nothing to scroll sideways, in the table's box
    # or on the page (tests/browser/test_phone.py walks the other work-order lists).
    scrolled = page.eval_on_selector(
        "table.tickets",
        """t => { const w = t.closest('.table-wrap'); w.scrollLeft = 200;
                  return [w.scrollWidth > w.clientWidth + 1, w.scrollLeft > 0]; }""",
    )
    assert scrolled == [False, False]
    assert_fits(page)


def test_audit_admin_reaches_the_audit_log(open_page: Any) -> None:
    page = open_page(DESKTOP)
    login(page, "auditadmin")
    page.locator("main a[href='/audit/']").click()
    page.wait_for_url("**/audit/")
    actions = texts(page, "#audit-table tbody td:nth-child(5)")
    assert "auth.login" in " ".join(actions) or len(actions) > 10, actions[:5]
    page.locator("button[hx-get='/audit/verify/']").click()
    page.locator("#verify-report .badge.ok").wait_for()
    screenshot(page, "audit-auditadmin-desktop")
