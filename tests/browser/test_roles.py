"""Every demo role logs in through the form, sees its own work and its own menu on the
desktop and on a phone, and logs out."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import DESKTOP, PHONE, demo_contracts, login, screenshot

pytestmark = pytest.mark.browser

HOME, CONTRACTS, STAFF, LEDGER = "/", "/contracts/", "/staff/", "/ledger/"
REPLACEMENTS, VENDORS, UNITS = "/staff/replacements/", "/contracts/vendors/", "/contracts/units/"
AUDIT, ACCOUNTS = "/audit/", "/accounts/users/"
PASSWORD, TOKEN = "/accounts/password/", "/accounts/token/"
BUREAU_MENU = [HOME, STAFF, REPLACEMENTS, LEDGER, CONTRACTS, VENDORS, UNITS]
BUSINESS = {CONTRACTS, STAFF, LEDGER, REPLACEMENTS, VENDORS, UNITS}
OWN = {PASSWORD, TOKEN}  # under the user's name, not in the main menu
ADMIN = {AUDIT, ACCOUNTS} | OWN

# username → (entries the main menu has, in this order; entries it must not have).
# Other apps add entries as they grow: the menu must also be exactly what
# opsqm.infra.core.navigation gives the role.
MENUS = {
    "sysadmin": ([HOME, ACCOUNTS], BUSINESS | OWN | {AUDIT}),
    "secadmin": ([HOME, ACCOUNTS], BUSINESS | OWN | {AUDIT}),
    "auditadmin": ([HOME, AUDIT], BUSINESS | OWN | {ACCOUNTS}),
    "assessor": (BUREAU_MENU, ADMIN),
    "desk": (BUREAU_MENU, ADMIN),
    "supervisor": (BUREAU_MENU, ADMIN),
    "kh_manager": (
        [HOME, STAFF, REPLACEMENTS, LEDGER, CONTRACTS],
        ADMIN | {VENDORS, UNITS},
    ),
    "kh_engineer": ([HOME, STAFF, CONTRACTS], ADMIN | {LEDGER, VENDORS, UNITS}),
    "recipient": ([HOME, CONTRACTS], ADMIN | {STAFF, LEDGER, VENDORS, UNITS}),
}
SCORE = re.compile(r"^-?\d{1,3}\.\d{2}$")

FITS = """() => {
  const bad = [];
  const de = document.documentElement;
  if (de.scrollWidth > innerWidth) bad.push(`page is ${de.scrollWidth}px wide in ${innerWidth}px`);
  for (const t of document.querySelectorAll("table")) {
    const wrap = t.closest(".table-wrap");
    if (wrap) {
      const ox = getComputedStyle(wrap).overflowX;
      if (ox !== "auto" && ox !== "scroll") bad.push(`.table-wrap has overflow-x ${ox}`);
    } else if (t.getBoundingClientRect().right > innerWidth + 0.5) {
      bad.push(`table without .table-wrap overflows: ${t.outerHTML.slice(0, 80)}`);
    }
  }
  return bad;
}"""


def menu_hrefs(page: Any) -> list[str]:
    return page.eval_on_selector_all("#mainnav a", "els => els.map(a => a.getAttribute('href'))")


def check_menu(page: Any, username: str) -> None:
    from opsqm.infra.accounts.models import User
    from opsqm.infra.core.navigation import menu_for

    shown = menu_hrefs(page)
    required, forbidden = MENUS[username]
    assert [h for h in shown if h in required] == required, shown
    assert not set(shown) & forbidden, shown
    assert shown == [i.url for i in menu_for(User.objects.get(username=username), "/")]


def assert_fits(page: Any) -> None:
    assert page.evaluate(FITS) == []


def score_cards(page: Any) -> dict[str, str]:
    """Contract code → the score shown on its home card."""
    out = {}
    for card in page.locator(".score-card").all():
        code = card.get_attribute("data-contract")
        link = card.locator(".stat a")
        assert link.get_attribute("href") == f"/ledger/{code}/"
        out[code] = link.inner_text().strip()
    return out


def ticket_rows(page: Any) -> list[dict[str, str]]:
    rows = page.locator("table.tickets tbody tr[data-ticket]")
    return [
        {
            "contract": r.locator("td").nth(1).inner_text().strip(),
            "unit": r.locator("td").nth(2).inner_text().strip(),
            "left": r.locator("[data-deadline]").inner_text().strip(),
        }
        for r in rows.all()
    ]


def check_home(page: Any, username: str) -> None:
    main = page.locator("main")
    if username in ("sysadmin", "secadmin", "auditadmin"):
        links = main.locator("ul.admin-links a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        expected = {
            "sysadmin": [ACCOUNTS],
            "secadmin": [ACCOUNTS, ACCOUNTS + "?status=locked"],
            "auditadmin": [AUDIT],
        }
        assert hrefs == expected[username]
        assert page.locator(".score-card, table.tickets").count() == 0  # no business data
        return
    if username in ("assessor", "supervisor"):
        scores = score_cards(page)
        assert sorted(scores) == demo_contracts()
        assert all(SCORE.match(s) for s in scores.values()), scores
        assert all(0 <= float(s) <= 120 for s in scores.values()), scores
        latest = page.locator(".score-card .latest li")
        if username == "assessor":
            assert latest.count() > 0
            # A deduction is negative and shown in red.
            neg = page.locator(".score-card .latest .points.neg").first
            assert neg.inner_text().startswith("-")
            assert neg.evaluate("e => getComputedStyle(e).color") == "rgb(197, 48, 48)"
        else:
            assert latest.count() == 0
        assert page.locator("table.tickets").count() == 0
        return
    if username == "kh_manager":
        assert list(score_cards(page)) == demo_contracts(vendor="北京凯辉科技有限公司")
    else:
        assert page.locator(".score-card").count() == 0
    rows = ticket_rows(page)
    expected = open_ticket_contracts(username)
    assert {r["contract"] for r in rows} == expected
    if expected:
        assert all(r["left"] for r in rows), "every countdown has started"
    else:  # e.g. the vendor's contract has ended: an explicit empty state
        assert page.locator("table.tickets tbody td.empty").is_visible()
    if username == "recipient":
        assert {r["unit"] for r in rows} == {"清河分局"}


def open_ticket_contracts(username: str) -> set[str]:
    """The contracts with open tickets that `username` may see (from the database)."""
    from opsqm.facts.tickets.models import Ticket
    from opsqm.infra.accounts.models import User

    user = User.objects.get(username=username)
    qs = Ticket.objects.filter(resolved_at__isnull=True)
    if user.vendor_id:
        qs = qs.filter(contract__vendor=user.vendor_id)
    if user.unit_id:
        qs = qs.filter(unit=user.unit_id)
    return set(qs.values_list("contract__code", flat=True))


@pytest.mark.parametrize("username", list(MENUS))
def test_role_home_menu_phone_and_logout(open_page: Any, username: str) -> None:
    page = open_page(DESKTOP)
    login(page, username)
    assert urlparse(page.url).path == HOME
    check_menu(page, username)
    assert page.locator("#mainnav a.active").get_attribute("href") == HOME
    assert page.locator("#mainnav").is_visible()
    assert not page.locator(".nav-toggle").is_visible()
    # The user's own settings open under the name; a click elsewhere closes them.
    own = page.locator(".userbox .navmenu a")
    assert not own.first.is_visible()
    page.locator(".userbox .who").click()
    assert [a.get_attribute("href") for a in own.all()] == [PASSWORD, TOKEN]
    assert all(a.is_visible() for a in own.all())
    page.locator("main h1").click()
    assert not own.first.is_visible()
    check_home(page, username)
    assert_fits(page)
    screenshot(page, f"home-{username}-desktop")

    # The phone: the menu hides behind the ☰ toggle; nothing is wider than the screen.
    page.set_viewport_size(PHONE)  # the media queries apply at once: no reload
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#mainnav").is_visible()
    assert_fits(page)
    screenshot(page, f"home-{username}-phone")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#mainnav").is_visible()
    assert all(a.is_visible() for a in page.locator("#mainnav a").all())
    assert_fits(page)
    if username == "assessor":
        screenshot(page, "home-assessor-phone-menu")
    toggle.click()
    assert not page.locator("#mainnav").is_visible()

    # Log out: back to the login form, and the home page asks to log in again.
    page.locator(".userbox button[type=submit]").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("#id_username").is_visible()
    page.goto("/")
    assert "/accounts/login/" in page.url
