"""Several machines' worth of processes on one PostgreSQL: two web servers (gunicorn)
and two workers (`opsqm worker`), under a bounded mixed load — pages on both web
servers, API writes, an evidence import, outbound mail queued from another process,
inbound mail polled by whichever worker wins.  Afterwards: every job ran as many
times as its attempts say (no job taken twice), every message was sent or stored
exactly once (none twice, none lost), and the audit chain is intact."""

from __future__ import annotations

import collections
import email.utils
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opsqm.infra.mail import loopback
from tests.mail import mailserver
from tests.ops.conftest import OPSQM, ROOT, base_env, opsqm, run

# Slow, and each starts processes of its own: one xdist worker runs them one after another.
pytestmark = [pytest.mark.slow_ops, pytest.mark.xdist_group("ops-processes")]

USERS, INBOUND, OUTBOUND = 12, 16, 12
LOAD_SECONDS = 15


def _env(tmp_path: Path, url: str, server: mailserver.MailServer) -> dict[str, str]:
    desk, vendor = server.fresh_pair()
    env = base_env(tmp_path / "var", url)
    for name, value in server.settings_for(desk).items():
        env[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    # DEBUG: the workers log the claim of a scheduled job (mail polling …) at that level,
    # and the test counts every claim in the logs.
    env.update(MAIL_POLL_INTERVAL="2", LOG_LEVEL="DEBUG", VENDOR=vendor.address)
    env.update(DESK=desk.address, ALLOWED_HOSTS="127.0.0.1")
    return env


def _start(env: dict[str, str], tmp_path: Path) -> tuple[list[Any], list[int], list[Path]]:
    procs, ports, logs = [], [], []
    for i in (1, 2):
        port = loopback.free_port()
        log = tmp_path / f"web{i}.log"
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--access-logfile", "-", "opsqm.edges.web.wsgi:application"],
            env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        ))  # fmt: skip
        ports.append(port)
    for i in (1, 2):
        log = tmp_path / f"worker{i}.log"
        procs.append(subprocess.Popen(
            [OPSQM, "worker", "--name", f"w{i}", "--concurrency", "2", "--poll-interval", "0.2"],
            env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        ))  # fmt: skip
        logs.append(log)
    for port in ports:
        loopback.wait_for_port(port, timeout=60)
    return procs, ports, logs


def _get(url: str, token: str | None = None, data: dict[str, Any] | None = None) -> int:
    headers = {"Authorization": f"Token {token}"} if token else {}
    body = None
    if data is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _load(ports: list[int], token: str, env: dict[str, str], server: Any) -> dict[str, Any]:
    """Bounded mixed load from threads; returns what was sent and every answer's status."""
    answers: collections.Counter[tuple[str, int]] = collections.Counter()
    sent_in: list[str] = []
    deadline = time.monotonic() + LOAD_SECONDS
    desk = server.accounts[env["DESK"]]

    def pages() -> None:
        i = 0
        while time.monotonic() < deadline:
            base = f"http://127.0.0.1:{ports[i % 2]}"
            for path in ("/accounts/login/", "/api/v1/users/", "/api/v1/me/"):
                answers[("page", _get(base + path, token))] += 1
            i += 1

    def api_writes() -> None:
        for i in range(USERS):
            data = {"username": f"load{i}", "password": "Load-Test-2026!x", "role": "assessor"}
            answers[
                ("api", _get(f"http://127.0.0.1:{ports[i % 2]}/api/v1/users/", token, data))
            ] += 1

    def inbound() -> None:
        for i in range(INBOUND):
            mid = email.utils.make_msgid(f"load{i}", "elsewhere.test")
            raw = (f"From: user@elsewhere.test\r\nTo: {env['DESK']}\r\nSubject: 故障 {i}\r\n"
                   f"Message-ID: {mid}\r\n\r\n打印机故障 {i}\r\n").encode()  # fmt: skip
            server.append(desk, raw)
            sent_in.append(mid)
            time.sleep(LOAD_SECONDS / INBOUND / 2)

    threads = [threading.Thread(target=f) for f in (pages, pages, api_writes, inbound)]
    for t in threads:
        t.start()
    queued = run(env, sys.executable, str(ROOT / "tests/ops/multiprocess_script.py"),
                 "queue", str(OUTBOUND), env["VENDOR"])  # fmt: skip
    imported = opsqm(env, "import", str(ROOT / "examples" / "sample-year.jsonl"))
    for t in threads:
        t.join()
    return {"answers": answers, "inbound": sent_in, "queued": queued, "imported": imported}


def _report(env: dict[str, str]) -> dict[str, Any]:
    script = str(ROOT / "tests/ops/multiprocess_script.py")
    return json.loads(run(env, sys.executable, script, "report").stdout)


def _settled(env: dict[str, str], sent_in: list[str]) -> dict[str, Any]:
    """Wait (bounded) until the queue has done its work: every message in and out."""
    give_up = time.monotonic() + 150
    while True:
        report = _report(env)
        busy = [j for j in report["jobs"] if j[2] in ("queued", "running") and j[1] != "mail.poll"]
        sent = all(status == "sent" for _, status in report["outbound"])
        if not busy and sent and set(sent_in) <= set(report["inbound"]):
            return report
        if time.monotonic() > give_up:
            pytest.fail(f"the queue did not settle: {busy[:10]} {report['outbound'][:5]}")
        time.sleep(1)


def _vendor_message_ids(server: Any, address: str) -> list[str]:
    conn = server.imap(server.accounts[address])
    try:
        conn.select("INBOX")
        _, data = conn.search(None, "ALL")
        ids = []
        for num in data[0].split():
            _, parts = conn.fetch(num, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            ids.append(parts[0][1].decode().split(":", 1)[1].strip())
        return ids
    finally:
        conn.logout()


def test_two_web_and_two_worker_processes_on_one_postgresql(
    tmp_path: Path,
    pg_databases: Callable[[], str],
    mail_server: mailserver.MailServer,
) -> None:
    env = _env(tmp_path, pg_databases(), mail_server)
    opsqm(env, "migrate", "-v0")
    opsqm({**env, "OPSQM_STATIC_COMPRESS": "0"}, "collectstatic", "--noinput", "-v0")
    (tmp_path / "pw").write_text("Bureau-Admin-2026!x\n")
    opsqm(env, "createadmin", "--username", "chief", "--password-file", str(tmp_path / "pw"))
    token = run(env, sys.executable, str(ROOT / "tests/ops/multiprocess_script.py"), "token")
    token = token.stdout.strip()
    procs, ports, logs = _start(env, tmp_path)
    try:
        load = _load(ports, token, env, mail_server)
        report = _settled(env, load["inbound"])
        health = urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/healthz", timeout=30)
        assert json.load(health)["status"] == "ok"
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)

    answers = load["answers"]
    assert answers[("api", 201)] == USERS, answers
    assert {status for (kind, status) in answers if kind == "page"} == {200}, answers
    assert report["users"] == USERS + 1

    # No job taken twice: each claim is one "running" line in one worker's log.
    claims: collections.Counter[int] = collections.Counter()
    by_worker: dict[str, int] = collections.Counter()
    for log in logs:
        for worker, job_id in re.findall(r"worker (w\d)/\d: running [\w.]+#(\d+)", log.read_text()):
            claims[int(job_id)] += 1
            by_worker[worker] += 1
    for job_id, kind, status, attempts in report["jobs"]:
        if status == "done":
            assert claims[job_id] == attempts, f"job {kind}#{job_id}: {claims[job_id]} claims"
    assert set(by_worker) == {"w1", "w2"}, "both workers took jobs"

    # No mail twice, none lost: every inbound message stored once (the outbound's Bcc
    # copies to the service desk too), every outbound message delivered once.
    stored = collections.Counter(report["inbound"])
    assert [m for m, n in stored.items() if n > 1] == []
    outbound = [mid for mid, _ in report["outbound"]]
    assert len(outbound) == OUTBOUND
    assert set(stored) == set(load["inbound"]) | set(outbound)
    delivered = collections.Counter(_vendor_message_ids(mail_server, env["VENDOR"]))
    assert delivered == collections.Counter(outbound)

    verified = opsqm(env, "audit", "verify")
    assert "audit chain intact" in verified.stdout
