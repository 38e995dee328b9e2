"""Browser tests: the real app (pytest-django's `live_server`, in a thread against the
test database) driven by headless Debian Chromium through Playwright.

- The demo bureau (`opsqm demo`, ~8 s) is loaded once per session.  On SQLite the
  loaded database is copied aside with SQLite's backup API and copied back before each
  test (milliseconds), since every live-server test flushes the database at its end
  (and the empty database is copied back after it: the audit log's triggers refuse
  SQLite's row-by-row flush); on other engines each test loads the demo again.
- Every page is watched: a request to anything but the live server is aborted and
  fails the test, and so does a console error or an uncaught script error.
- Without Chromium (or the Playwright package) the tests skip, unless CI=true, where
  they fail: scripts/install-system-deps.sh installs Debian's chromium.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

# The live server listens on loopback only (pytest-django's default is "localhost").
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

DEMO_PASSWORD = "Demo-2025!pass"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def _chromium_path() -> str | None:
    return os.environ.get("OPSQM_CHROMIUM") or shutil.which("chromium") or None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; scripts/install-system-deps.sh)")
    pytest.skip(f"{reason}: browser tests skipped (scripts/install-system-deps.sh installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (never a downloaded browser), one per test module.

    Playwright's sync API keeps an asyncio loop in the main thread while it runs,
    which makes Django refuse database work there (restoring and flushing the test
    database between tests); the tests' code is synchronous, so the guard is lifted
    while the browser runs, and only then."""
    path = _chromium_path()
    if path is None:
        _unavailable("Debian's chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (pip install -e '.[dev]')")
    with (
        mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}),
        sync_playwright() as p,
    ):
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _browser_settings(settings: Any) -> None:
    """Static files without a collectstatic manifest; the demo's fast password hashes
    are accepted (the hasher of production stays usable)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = [
        FAST_HASHER,
        *(h for h in settings.PASSWORD_HASHERS if h != FAST_HASHER),
    ]


def _load_demo() -> None:
    from django.core.management import call_command
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        call_command("demo", stdout=io.StringIO())


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    src.backup(dst)


@pytest.fixture(scope="session")
def demo_snapshots(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """(empty, demo): copies of the migrated test database and of the demo bureau on
    SQLite, None on other engines."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield None
        return
    with django_db_blocker.unblock():
        connection.ensure_connection()
        empty = sqlite3.connect(":memory:", check_same_thread=False)
        demo = sqlite3.connect(":memory:", check_same_thread=False)
        _copy(connection.connection, empty)
        _load_demo()
        _copy(connection.connection, demo)
        # Leave the test database as other tests expect it: migrated and empty.
        _copy(empty, connection.connection)
    yield empty, demo
    empty.close()
    demo.close()


@pytest.fixture(scope="session")
def _live_server_started(request: pytest.FixtureRequest) -> None:
    """Start pytest-django's live server with a MEDIA_URL: Django's live-server thread
    parses it once, and OpsQM's MEDIA_URL is None (uploads are served only through
    permission-checked views).  Nothing is served under it."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_URL="/__uploads-not-served__/"):
        request.getfixturevalue("live_server")


@pytest.fixture
def demo(_live_server_started: None, live_server: Any, demo_snapshots: Any) -> Iterator[Any]:
    """The live server over a fresh copy of the demo bureau; yields the server."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    if demo_snapshots is None:
        _load_demo()
        yield live_server
        return  # PostgreSQL's flush truncates: the audit log's triggers do not fire
    empty, loaded = demo_snapshots
    connection.ensure_connection()
    _copy(loaded, connection.connection)
    ContentType.objects.clear_cache()
    yield live_server
    # SQLite's flush deletes row by row, which the audit log's triggers refuse: hand
    # the flush an empty database instead.
    _copy(empty, connection.connection)
    ContentType.objects.clear_cache()


class PageWatch:
    """What a page did that it must not: requests off the live server, console errors."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.allowed_statuses: set[int] = set()
        # Other servers of the test the page may reach (a single sign-on provider).
        self.other_origins: list[str] = []

    def allow_origin(self, origin: str) -> None:
        self.other_origins.append(origin.rstrip("/") + "/")

    def attach(self, context: Any, page: Any) -> None:
        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith((self.base_url + "/", *self.other_origins)):
                r.continue_()
            else:
                self.foreign.append(url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: self._console(page, m))
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))

    def allow_status(self, status: int) -> None:
        """An error status the test expects (Chromium logs it as a console error)."""
        self.allowed_statuses.add(status)

    def _console(self, page: Any, message: Any) -> None:
        if message.type != "error":
            return
        if any(f"status of {s} " in message.text for s in self.allowed_statuses):
            return
        self.errors.append(f"{page.url}: {message.text}")

    def check(self) -> None:
        assert not self.foreign, f"requests off the live server: {self.foreign}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture
def open_page(demo: Any, browser: Any) -> Iterator[Callable[..., Any]]:
    """`open_page(viewport=DESKTOP)` → a watched page in a fresh browser context
    (Chinese locale, Beijing time).  The watch is checked when the test ends."""
    made: list[tuple[Any, PageWatch]] = []

    def make(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            base_url=demo.url,
            viewport=viewport or DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        watch = PageWatch(demo.url)
        watch.attach(context, page)
        page.watch = watch
        made.append((context, watch))
        return page

    yield make
    for context, watch in made:
        context.close()
        watch.check()


def login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")


def demo_contracts(vendor: str | None = None) -> list[str]:
    """The demo's contract codes (three, and the seed's renewal once its year is over)."""
    from opsqm.facts.contracts.models import Contract

    qs = Contract.objects.order_by("code")
    if vendor is not None:
        qs = qs.filter(vendor__name=vendor)
    codes = list(qs.values_list("code", flat=True))
    assert "C-2025-001" in codes if vendor else {"C-2025-001", "C-2026-002"} <= set(codes)
    return codes


def menu_link(page: Any, href: str) -> Any:
    """The main menu's link to `href`, its drop-down opened first where it has one."""
    link = page.locator(f"#mainnav a[href='{href}']")
    group = page.locator("#mainnav .navgroup", has=page.locator(f"a[href='{href}']"))
    if group.count() and not link.is_visible():
        group.locator("[data-navgroup]").click()
    return link


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
