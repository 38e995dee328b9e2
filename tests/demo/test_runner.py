"""The launcher's choices that need no process: where Dovecot is missing it says so
in one line and points OpsQM at no mail server; its arguments are checked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from opsqm.edges.demo import runner
from opsqm.infra.mail import loopback


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The launcher writes the environment its children inherit: a copy here."""
    copy = {k: v for k, v in os.environ.items() if not k.startswith("MAIL_")}
    copy["OPSQM_VAR_DIR"] = str(tmp_path)
    monkeypatch.setattr(os, "environ", copy)
    return copy


def test_without_dovecot_one_line_and_no_mail_settings(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(loopback, "dovecot_binary", lambda: None)
    launcher = runner.Launcher(runner.parse_args(["--bind=127.0.0.1:18999"]))
    launcher.configure()
    assert "MAIL_IMAP_HOST" not in launcher.env and "MAIL_IMAP_HOST" not in environ
    assert "OPSQM_DEMO_MAILBOX_FILE" not in launcher.env
    launcher.start_mail()  # starts nothing
    assert launcher.mail is None
    launcher.banner()
    lines = [line for line in capsys.readouterr().out.splitlines() if "mail" in line.lower()]
    assert len(lines) == 1 and "Dovecot is not installed" in lines[0]


def test_with_dovecot_the_children_are_pointed_at_the_loopback_server(
    environ: dict[str, str],
) -> None:
    if loopback.missing():
        pytest.skip(loopback.missing() or "")
    launcher = runner.Launcher(runner.parse_args(["--imap-port=0", "--smtp-port=0"]))
    launcher.configure()
    env = launcher.env
    assert env["MAIL_IMAP_HOST"] == env["MAIL_SMTP_HOST"] == "127.0.0.1"
    assert env["MAIL_IMAP_USER"] == env["MAIL_SERVICE_DESK_ADDRESS"] == runner.DESK_ADDRESS
    assert int(env["MAIL_IMAP_PORT"]) > 0 and int(env["MAIL_SMTP_PORT"]) > 0
    # The worker polls often enough for the 30 seconds.
    assert int(env["MAIL_POLL_INTERVAL"]) <= 15
    assert env["OPSQM_DEMO_MAILBOX_FILE"].endswith("mailserver/passwd")


@pytest.mark.parametrize("bind", ["8000", "localhost", ":80", "host:port"])
def test_a_bad_bind_address_is_refused(bind: str, capsys: Any) -> None:
    with pytest.raises(SystemExit):
        runner.parse_args([f"--bind={bind}"])
    assert "--bind must be host:port" in capsys.readouterr().err


def test_a_mail_port_in_use_is_said_plainly(environ: dict[str, str]) -> None:
    if loopback.missing():
        pytest.skip(loopback.missing() or "")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        launcher = runner.Launcher(runner.parse_args([f"--imap-port={port}"]))
        with pytest.raises(SystemExit, match=f"127.0.0.1:{port} .IMAP.*OPSQM_DEMO_IMAP_PORT"):
            launcher.configure()
