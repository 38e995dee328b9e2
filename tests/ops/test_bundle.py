"""The offline bundle: `make bundle`'s script builds it, and it installs and runs in a
network namespace with no network at all (`unshare -n`: only a loopback): install.sh
with pip --no-index, `opsqm migrate` on a fresh database, `opsqm check`, the first
administrator, and gunicorn serving a page and its static file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from opsqm import __version__
from tests.ops.conftest import ROOT

# Slow, and each starts processes of its own: one xdist worker runs them one after another.
pytestmark = [pytest.mark.slow_ops, pytest.mark.xdist_group("ops-processes")]

INSIDE = r"""
set -eu
ip link set lo up
# No route out: the namespace has nothing but the loopback.
"$BASEPY" -c 'import socket as s, sys; c = s.socket(); c.settimeout(2)
sys.exit(c.connect_ex(("192.0.2.1", 80)) == 0)'
"$BUNDLE/install.sh" --prefix "$PREFIX" --python "$BASEPY"
# gunicorn is reached directly over plain http here, with no TLS proxy in front: the
# template's OPSQM_SECURE=1 would redirect every page to https.
printf 'MAIL_IMAP_PASSWORD=secret\nALLOWED_HOSTS=127.0.0.1\n' >>"$PREFIX/etc/opsqm.env"
printf 'SECURE_SSL_REDIRECT=0\n' >>"$PREFIX/etc/opsqm.env"
"$PREFIX/bin/opsqm" --version
"$PREFIX/bin/opsqm" migrate -v0
"$PREFIX/bin/opsqm" check
printf 'Admin-Offline-2026!x\n' >"$PREFIX/pw"
"$PREFIX/bin/opsqm" createadmin --username chief --password-file "$PREFIX/pw"
set -a; . "$PREFIX/etc/opsqm.env"; set +a
"$PREFIX/venv/bin/gunicorn" --config "$PREFIX/share/deploy/gunicorn.conf.py" \
  --bind 127.0.0.1:8765 --workers 1 opsqm.edges.web.wsgi:application 2>"$PREFIX/web.log" &
WEB=$!
trap 'kill $WEB 2>/dev/null || true' EXIT
"$PREFIX/venv/bin/python" - <<'PY'
import os, re, time, urllib.error, urllib.request
deadline = time.monotonic() + 120
while True:
    try:
        page = urllib.request.urlopen("http://127.0.0.1:8765/accounts/login/", timeout=30)
        break
    except urllib.error.HTTPError:
        raise
    except OSError as exc:
        if time.monotonic() > deadline:
            raise SystemExit(f"no page: {exc}: " + open(os.environ["PREFIX"] + "/web.log").read())
        time.sleep(0.3)
body = page.read().decode()
print("PAGE", page.status, "v" + body.split('class="version">v', 1)[1].split("<", 1)[0])
css = re.search(r'href="(/static/opsqm/css/opsqm\.[0-9a-f]+\.css)"', body).group(1)
print("STATIC", urllib.request.urlopen("http://127.0.0.1:8765" + css, timeout=5).status)
metrics = urllib.request.urlopen("http://127.0.0.1:8765/metrics", timeout=30).read().decode()
print("METRICS", [m for m in metrics.splitlines() if "_total" in m and "accounts:login" in m])
PY
"""


def _unshare_works() -> str | None:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "unshare or ip is not installed"
    done = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    return None if done.returncode == 0 else f"unshare -n is not permitted: {done.stderr.strip()}"


def test_the_bundle_installs_and_serves_without_network(tmp_path: Path) -> None:
    problem = _unshare_works()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPSQM_", "DATABASE_URL", "DJ"))
    }
    built = subprocess.run(
        [str(ROOT / "scripts" / "build-bundle.sh")],
        env={**env, "PY": sys.executable, "OPSQM_BUNDLE_OUT": str(tmp_path / "dist")},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    (archive,) = (tmp_path / "dist").iterdir()
    assert re.fullmatch(
        rf"opsqm-offline-{re.escape(__version__)}-{tag}-linux_\w+\.tar\.gz", archive.name
    )
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    (bundle,) = (tmp_path / "unpacked").iterdir()
    wheels = {p.name.split("-")[0].lower() for p in (bundle / "wheels").iterdir()}
    assert {"opsqm", "django", "weasyprint", "psycopg_binary", "gunicorn"} <= wheels
    assert (bundle / "static" / "staticfiles.json").is_file()
    assert (bundle / "deploy" / "systemd" / "opsqm-web.service").is_file()

    inside = subprocess.run(
        ["unshare", "-n", "sh", "-c", INSIDE],
        env={
            "PATH": os.environ["PATH"],
            "BUNDLE": str(bundle),
            "PREFIX": str(tmp_path / "opt"),
            "BASEPY": getattr(sys, "_base_executable", sys.executable),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = inside.stdout
    assert inside.returncode == 0, out[-3000:] + inside.stderr[-3000:]
    assert f"opsqm {__version__}" in out
    assert "OpsQM installation: no problem found" in out
    assert "system administrator chief created" in out
    assert f"PAGE 200 v{__version__}" in out
    assert "STATIC 200" in out
    # /metrics through gunicorn.conf.py's multiprocess directory: the login page counted.
    assert 'opsqm_http_requests_total{method="GET",status="200",view="accounts:login"} 1.0' in out


def test_install_names_the_missing_system_packages(tmp_path: Path) -> None:
    """Without the right Python (here: one that is not the bundle's), install.sh stops
    at once and names the Debian package, before touching anything."""
    bundle = tmp_path / "b"
    bundle.mkdir()
    shutil.copy2(ROOT / "deploy" / "install.sh", bundle / "install.sh")
    (bundle / "VERSION").write_text(__version__)
    (bundle / "PYTHON_TAG").write_text("cp399")
    done = subprocess.run(
        [str(bundle / "install.sh"), "--prefix", str(tmp_path / "opt")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "missing: python3 (Python 3.99" in done.stderr
    assert "apt-get install python3" in done.stderr
    assert not (tmp_path / "opt" / "venv").exists()
