"""Browser tests: the real app (pytest-django's `live_server`, in a thread against the
test database) driven by headless Debian Chromium through Playwright.

- The demo bureau (`opsqm demo`, ~8 s) is loaded once per pytest process (one per
  xdist worker) and snapshotted, and the snapshot restored before each test, since
  every live-server test flushes the database at its end (and the empty database is
  restored after it: the audit log's triggers refuse SQLite's row-by-row flush).
  SQLite: copies by its backup API; PostgreSQL: copies of the tables in a schema of
  the worker's test database.
- Each worker has its own live server on a free loopback port, its own test
  database and its own upload directory (tests/conftest.py).
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
def _test_storage() -> None:
    """Not tests/conftest.py's upload directory per test: the demo served here keeps
    its files in the session's upload directory (static files: `_browser_settings`)."""


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


class SqliteSnapshot:
    """A copy of the whole test database, by SQLite's backup API (milliseconds)."""

    def __init__(self, connection: Any) -> None:
        self.copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.ensure_connection()
        connection.connection.backup(self.copy)

    def restore(self, connection: Any) -> None:
        connection.ensure_connection()
        self.copy.backup(connection.connection)

    def drop(self, connection: Any) -> None:
        self.copy.close()


class PostgresSnapshot:
    """A copy of every table in a schema of its own in the worker's test database;
    restored by TRUNCATE (no row triggers fire: the audit log's refuse deletes) and
    INSERT … SELECT, the sequences set past the copied rows.  A fraction of a
    second, where loading the demo again takes many."""

    def __init__(self, connection: Any, name: str) -> None:
        self.schema = f"opsqm_snapshot_{name}"
        self.tables = sorted(connection.introspection.django_table_names(only_existing=True))
        with connection.cursor() as c:
            c.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE; CREATE SCHEMA {self.schema}")
            for t in self.tables:
                c.execute(f'CREATE TABLE {self.schema}."{t}" AS TABLE public."{t}"')

    def restore(self, connection: Any) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import transaction

        quoted = ", ".join(f'public."{t}"' for t in self.tables)
        with transaction.atomic(), connection.cursor() as c:
            c.execute(f"TRUNCATE {quoted}")
            for t in self.tables:
                c.execute(f'INSERT INTO public."{t}" SELECT * FROM {self.schema}."{t}"')
            for sql in connection.ops.sequence_reset_sql(
                no_style(), apps.get_models(include_auto_created=True)
            ):
                c.execute(sql)

    def drop(self, connection: Any) -> None:
        with connection.cursor() as c:
            c.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


def _snapshot(connection: Any, name: str) -> Any:
    if connection.vendor == "sqlite":
        return SqliteSnapshot(connection)
    if connection.vendor == "postgresql":
        return PostgresSnapshot(connection, name)
    return None  # another engine: the demo is loaded for each test


@pytest.fixture(scope="session")
def demo_snapshots(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """(empty, demo): snapshots of the migrated test database and of the demo bureau
    (`opsqm demo`, seconds), taken once per pytest process; None on engines without
    a snapshot."""
    from django.db import connection

    with django_db_blocker.unblock():
        empty = _snapshot(connection, "empty")
        if empty is None:
            yield None
            return
        _load_demo()
        demo = _snapshot(connection, "demo")
        # Leave the test database as other tests expect it: migrated and empty.
        empty.restore(connection)
    yield empty, demo
    with django_db_blocker.unblock():
        empty.drop(connection)
        demo.drop(connection)


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
        return
    empty, loaded = demo_snapshots
    loaded.restore(connection)
    ContentType.objects.clear_cache()
    yield live_server
    # SQLite's flush deletes row by row, which the audit log's triggers refuse: hand
    # the flush an empty database instead.
    empty.restore(connection)
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
