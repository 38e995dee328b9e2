"""`make run` as a whole: the launcher of scripts/run-demo.sh (opsqm/edges/demo/runner.py)
starts the web server, one worker and the loopback mail server on free ports over a
temporary data directory; a new work order goes from intake to archive through the
browser's forms, the real worker and the real mail server; SIGTERM stops it all; a
second start keeps the data.

Slow (the demo bureau is loaded: about a minute on a busy machine), so bounded."""

from __future__ import annotations

import base64
import datetime
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opsqm.infra.mail import loopback
from tests.tickets.conftest import PNG

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 420  # migrate + the demo load on a loaded 2-core machine
SERVER_TIME_WITHIN = 30  # the promise for a dispatched work order


def _missing() -> str | None:
    why = loopback.missing()
    if why and os.environ.get("CI", "").lower() == "true":
        pytest.fail(why, pytrace=False)
    return why


class Run:
    """One `make run`: its output collected by a thread, its ports known."""

    def __init__(self, var_dir: Path) -> None:
        self.port = loopback.free_port()
        self.imap_port = loopback.free_port()
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite in var
        env.update(OPSQM_VAR_DIR=str(var_dir), OPSQM_WORKERS="1", PYTHONUNBUFFERED="1")
        command = [
            sys.executable, "-m", "opsqm.edges.demo.runner",
            f"--bind=127.0.0.1:{self.port}", f"--imap-port={self.imap_port}",
            "--smtp-port=0", "--lmtp-port=0",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith("Stop with Ctrl-C"):
                self.ready.set()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready.is_set():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.5)
        loopback.wait_for_port(self.port, timeout=60)

    def text(self) -> str:
        return "".join(self.output[-80:])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


class Browser:
    """A user's session: cookies, the CSRF token, English pages."""

    def __init__(self, port: int, username: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.get("/accounts/login/")
        url, _page = self.post(
            "/accounts/login/", {"username": username, "password": "Demo-2025!pass"}
        )
        assert "/accounts/login/" not in url, f"{username} could not log in"

    def _open(self, request: urllib.request.Request) -> tuple[str, str]:
        request.add_header("Accept-Language", "en")
        with self.opener.open(request, timeout=60) as response:
            return response.geturl(), response.read().decode()

    def get(self, path: str) -> str:
        return self._open(urllib.request.Request(self.base + path))[1]

    def post(self, path: str, data: dict[str, str]) -> tuple[str, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Referer", self.base + path)
        return self._open(request)


def _option(page: str, text: str) -> str:
    found = re.search(r'<option value="(\d+)"[^>]*>' + re.escape(text), page)
    assert found, f"no option {text!r}"
    return found.group(1)


def _until(what: str, read: Any, pattern: str, within: float) -> tuple[float, str]:
    """Read the page until `pattern` appears; how long it took and the page."""
    start = time.monotonic()
    while True:
        page = read()
        if re.search(pattern, page, re.S):
            return time.monotonic() - start, page
        assert time.monotonic() - start < within, f"{what}: not within {within} s"
        time.sleep(1)


def _server_time(row: str) -> str:
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    return rf'<th>{row}</th><td>[^<]*?{stamp} <small class="muted">mail server receive time'


@pytest.fixture
def var_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: Dovecot's mail processes (another user under root) must
    # reach the Maildir, and pytest's base folder is private.
    path = Path(tempfile.mkdtemp(prefix="opsqm-make-run-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_new_work_order_goes_from_intake_to_archive_on_make_run(var_dir: Path) -> None:
    why = _missing()
    if why:
        pytest.skip(why)
    run = Run(var_dir)
    try:
        run.wait_ready()
        assert "== mail: loopback server" in run.text()
        number, pk = _intake_to_archive(run)
    finally:
        code = run.stop()
    assert code == 0, run.text()
    # Every process it started is gone: the web server and the mail server answer no more.
    assert not _answers(run.port) and not _answers(run.imap_port), run.text()

    # A second `make run` keeps the data (and the mail): the work order is archived.
    again = Run(var_dir)
    try:
        again.wait_ready()
        page = Browser(again.port, "desk").get(f"/tickets/{pk}/")
        assert number in page and re.search(_server_time("Archive.*?"), page, re.S)
        assert "Demo bureau loaded." not in again.text()
    finally:
        assert again.stop() == 0, again.text()


def _see_the_countdown_run(user: Browser, path: str) -> None:
    """In Chromium, with the user's session: the deadline counts down on the page."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Debian's chromium is not installed (scripts/install-system-deps.sh)")
        return  # the rest of the flow is still worth checking
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.add_cookies(
                [{"name": c.name, "value": c.value or "", "url": user.base} for c in user.jar]
            )
            page = context.new_page()
            page.goto(user.base + path)
            countdown = page.locator("#ticket [data-deadline]").first
            before = countdown.inner_text()
            # The page ticks once a second; a loaded CI machine may starve a tick or two,
            # so wait (up to 15 s) for the text to move on rather than sampling once.
            expect(countdown).not_to_have_text(before, timeout=15_000)
            after = countdown.inner_text()
        finally:
            browser.close()
    assert before.startswith("剩余") and before != after, (before, after)


def _intake_to_archive(run: Run) -> tuple[str, str]:
    desk = Browser(run.port, "desk")
    # The demo's recent work is on the seed contract, or on its renewal once that began.
    renewed = datetime.date.today() >= datetime.date(2026, 10, 25)
    contract = "C-2026-004" if renewed else "C-2025-001"
    form = desk.get("/tickets/new/")
    url, page = desk.post(
        "/tickets/new/",
        {
            "contract": _option(form, contract),
            "unit": _option(form, f"清河分局 ({contract})"),
            "reporter": "王警官",
            "phone": "010-1234",
            "system": "执法终端 T-99",
            "title": "make run 测试工单",
            "description": "执法终端无法开机",
            "priority": "normal",
        },
    )
    pk = re.search(r"/tickets/(\d+)/$", url)
    assert pk, page
    ticket = f"/tickets/{pk.group(1)}/"
    number = re.search(r"<h1>(\S+) ", page).group(1)  # type: ignore[union-attr]
    desk.post(ticket + "call/", {"person": "张工", "outcome": "需派单"})
    desk.post(ticket + "dispatch/", {"priority": ""})
    took, page = _until(
        "dispatch time", lambda: desk.get(ticket), _server_time("Dispatched"), SERVER_TIME_WITHIN
    )
    assert took < SERVER_TIME_WITHIN
    assert re.search(r'<span data-deadline="\d{4}-', page), "no countdown"
    _see_the_countdown_run(desk, ticket)

    engineer = Browser(run.port, "kh_engineer")
    assert number in engineer.get("/tickets/mine/")
    # The work order arrived in the vendor's intranet mailbox (read-only demo page).
    _until("vendor mailbox", lambda: engineer.get("/demo/mailbox/"), re.escape(number), 30)
    engineer.post(ticket + "acknowledge/", {})
    engineer.post(
        ticket + "work/", {"analysis": "电源故障", "steps": "更换电源", "verification": "开机正常"}
    )
    engineer.post(ticket + "resolve/", {})
    _until("resolution time", lambda: engineer.get(ticket), _server_time("Resolved"), 60)

    recipient = Browser(run.port, "recipient")
    signature = "data:image/png;base64," + base64.b64encode(PNG).decode()
    recipient.post(
        ticket + "sign/",
        {"signature": signature, "satisfaction": "satisfied", "signer_name": "陈科长"},
    )
    _until("archive time", lambda: desk.get(ticket), _server_time("Archive.*?"), 60)
    return number, pk.group(1)
