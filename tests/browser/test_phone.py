"""On a phone (390 × 844) no page is wider than the screen: the work-order tables the
desk, the engineer and the recipient live in (the board, 我的工单, the recipient's home)
become cards that need no sideways scrolling, and every other main page fits the width
(a wide table scrolls inside its own box)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, login, screenshot
from tests.browser.test_roles import assert_fits

pytestmark = pytest.mark.browser

# Each card table: no cell past the right edge of the screen, its box does not scroll,
# the column headings are hidden and each value carries its label.
CARDS = """() => {
  const bad = [];
  const tables = [...document.querySelectorAll("table.data.cards")];
  if (!tables.length) bad.push("no card table");
  for (const t of tables) {
    const wrap = t.closest(".table-wrap");
    if (wrap && wrap.scrollWidth > wrap.clientWidth + 1)
      bad.push(`box scrolls: ${wrap.scrollWidth} > ${wrap.clientWidth}`);
    if (t.querySelector("thead") && t.querySelector("thead").getBoundingClientRect().width > 2)
      bad.push("the column headings show");
    for (const cell of t.querySelectorAll("tbody td")) {
      const r = cell.getBoundingClientRect();
      const text = cell.textContent.trim().slice(0, 40);
      if (r.right > innerWidth + 0.5) bad.push(`cell past the edge: ${text}`);
    }
  }
  return bad;
}"""


def _rows(page: Any) -> Any:
    return page.locator("table.data.cards tbody tr:has(a)")


def check_cards(page: Any, name: str) -> None:
    assert_fits(page)
    assert page.evaluate(CARDS) == [], name
    rows = _rows(page)
    if rows.count():
        first = rows.first
        assert first.is_visible()
        # One row is one card: taller than a table row, as wide as the screen at most.
        box = first.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"] and box["height"] > 60, box
        labels = first.locator("td[data-label]").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
        assert labels not in ("none", '""', "normal"), labels
    screenshot(page, f"{name}-phone")


@pytest.mark.parametrize(
    ("username", "pages"),
    [
        ("desk", ["/", "/tickets/", "/tickets/?status=all"]),
        ("kh_engineer", ["/", "/tickets/mine/"]),
        ("recipient", ["/", "/tickets/unit/"]),
    ],
)
def test_work_order_tables_are_cards_on_a_phone(
    open_page: Any, username: str, pages: list[str]
) -> None:
    page = open_page(PHONE)
    login(page, username)
    for url in pages:
        page.goto(url)
        check_cards(page, f"{username}{url.replace('/', '-').replace('?', '-')}")
    # Some work to see: the demo has open tickets for each of them.
    page.goto(pages[-1])
    assert _rows(page).count() > 0


MAIN_PAGES = {
    "assessor": [
        "/dashboards/",
        "/ledger/",
        "/ledger/C-2025-001/",
        "/contracts/",
        "/staff/",
        "/incidents/",
        "/settlement/",
        "/reports/C-2025-001/",
        "/tickets/at-risk/",
    ],
    "desk": ["/tickets/new/", "/incidents/"],
    "supervisor": ["/", "/ledger/", "/settlement/"],
}


@pytest.mark.parametrize("username", list(MAIN_PAGES))
def test_main_pages_fit_a_phone(open_page: Any, username: str) -> None:
    page = open_page(PHONE)
    login(page, username)
    for url in MAIN_PAGES[username]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert_fits(page)
