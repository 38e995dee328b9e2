"""Settings are strict: no production start without SECRET_KEY, no guessing at a
mistyped yes/no variable; `opsqm --version`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.ops.conftest import OPSQM, ROOT

IMPORT = "import opsqm.edges.web.settings as s; print(s.DEBUG, s.SECRET_KEY[:12])"


def _settings(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "OPSQM_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", IMPORT], env={**base, **env}, capture_output=True, text=True
    )


def test_debug_off_without_secret_key_refuses_to_start(tmp_path) -> None:
    done = _settings(tmp_path)
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in done.stderr


def test_debug_on_runs_with_the_development_key(tmp_path) -> None:
    done = _settings(tmp_path, DEBUG="yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "opsqm-develo"]


def test_a_given_key_is_used(tmp_path) -> None:
    done = _settings(tmp_path, SECRET_KEY="k" * 40, DEBUG="off")
    assert done.stdout.split() == ["False", "k" * 12]


@pytest.mark.parametrize(
    ("name", "value"), [("DEBUG", "ture"), ("OPSQM_SECURE", "y"), ("MAIL_SMTP_STARTTLS", "2")]
)
def test_a_mistyped_boolean_is_an_error_not_false(tmp_path, name: str, value: str) -> None:
    done = _settings(tmp_path, SECRET_KEY="k" * 40, **{name: value})
    assert done.returncode != 0
    assert f"{name}={value!r} is not a yes/no value" in done.stderr


def test_a_bad_number_is_named(tmp_path) -> None:
    done = _settings(tmp_path, SECRET_KEY="k" * 40, OPSQM_BACKUP_KEEP="seven")
    assert "OPSQM_BACKUP_KEEP='seven' is not a whole number" in done.stderr


def test_the_opsqm_command_says_a_bad_setting_in_one_line(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "OPSQM_VAR_DIR": str(tmp_path), "DEBUG": "nope"}
    done = subprocess.run([OPSQM, "migrate"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "opsqm: configuration error: DEBUG='nope' is not a yes/no value: "
        "write 1/0, true/false, yes/no or on/off"
    ]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from opsqm import __version__
    from opsqm.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"opsqm {__version__}"
    assert __version__.count(".") == 2
