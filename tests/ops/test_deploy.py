"""deploy/, the Dockerfile and compose.yaml say what the code does: every setting in
the env template, the image compose runs is the one the Dockerfile builds, the units
are hardened.  (No docker engine here: the files are checked, not run.)"""

from __future__ import annotations

import re
import subprocess

import yaml

from opsqm import __version__
from tests.ops.conftest import ROOT

SETTINGS = ROOT / "opsqm" / "edges" / "web" / "settings.py"


def _settings_variables() -> set[str]:
    text = SETTINGS.read_text()
    return set(re.findall(r'(?:env(?:bool|int|list)|os\.environ\.get)\(\s*"([A-Z_]+)"', text))


def test_the_env_template_lists_every_variable_the_settings_read() -> None:
    template = (ROOT / "deploy" / "opsqm.env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", template, flags=re.MULTILINE))
    read = _settings_variables()
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "MAIL_IMAP_HOST"} <= read
    assert read - listed == set(), "add these to deploy/opsqm.env.example"
    assert listed - read == set(), "the template names variables OpsQM does not read"
    assert re.search(r"^SECRET_KEY=$", template, flags=re.MULTILINE)  # never a shipped key
    assert re.search(r"^DEBUG=0$", template, flags=re.MULTILINE)


def _dockerfile_stages() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    return re.findall(r"^FROM (\S+)(?: AS (\S+))?", text, flags=re.MULTILINE)


def test_the_dockerfile_builds_a_non_root_debian_python_image_with_fonts_and_pango() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = _dockerfile_stages()
    assert all(re.fullmatch(r"python:3\.1[3-9]-slim-(trixie|forky)", base) for base, _ in stages)
    final = text.rsplit("\nFROM ", 1)[1]
    users = re.findall(r"^USER (\S+)", final, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    for package in ("libpango-1.0-0", "fonts-noto-cjk", "postgresql-client"):
        assert package in final
    assert f'org.opencontainers.image.version="{__version__}"' in text
    assert f"opsqm:{__version__}" in text
    assert "--require-hashes -r requirements/opsqm.lock" in text


def test_compose_runs_the_image_the_dockerfile_builds() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    built = {s["image"] for s in services.values() if "build" in s}
    assert built == {f"opsqm:{__version__}"}
    assert all(s["build"] == "." for s in services.values() if "build" in s)
    ours = {n for n, s in services.items() if s.get("image", "").startswith("opsqm:")}
    assert {s["image"] for n, s in services.items() if n in ours} <= built
    commands = {n: services[n]["command"] for n in ours}
    web = [n for n, c in commands.items() if c[0] == "gunicorn"]
    workers = [n for n, c in commands.items() if c[:2] == ["opsqm", "worker"]]
    assert len(web) == 2 and len(workers) == 2
    assert services["db"]["image"].startswith("postgres:")
    assert services["nginx"]["image"].startswith("nginx:")
    for name in web + workers:
        assert "db:5432" in services[name]["environment"]["DATABASE_URL"]
    conf = (ROOT / "deploy" / "nginx" / "compose.conf").read_text()
    assert all(f"server {n}:8000;" in conf for n in web)


def test_the_systemd_units_restart_and_are_hardened() -> None:
    for unit in ("opsqm-web.service", "opsqm-worker.service"):
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        for line in (
            "User=opsqm",
            "Restart=on-failure",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "EnvironmentFile=/etc/opsqm/opsqm.env",
        ):
            assert line in text.splitlines(), f"{unit}: {line}"
    web = (ROOT / "deploy" / "systemd" / "opsqm-web.service").read_text()
    assert "gunicorn --config /opt/opsqm/share/deploy/gunicorn.conf.py" in web


def test_the_nginx_site_has_tls_buffering_upload_size_and_static() -> None:
    text = (ROOT / "deploy" / "nginx" / "opsqm.conf").read_text()
    for needle in (
        "listen 443 ssl",
        "ssl_certificate ",
        "proxy_buffering on",
        "client_max_body_size 25m",
        "location /static/",
        "alias /opt/opsqm/static/",
        "proxy_set_header X-Request-ID $request_id",
    ):
        assert needle in text


def test_the_scripts_parse() -> None:
    subprocess.run(["sh", "-n", str(ROOT / "deploy" / "install.sh")], check=True)
    subprocess.run(["bash", "-n", str(ROOT / "scripts" / "build-bundle.sh")], check=True)


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    lock = (ROOT / "requirements" / "opsqm.lock").read_text()
    pins = re.findall(r"^([a-z0-9][a-z0-9._-]*)==\S+", lock, flags=re.MULTILINE)
    assert {"django", "weasyprint", "psycopg", "gunicorn", "prometheus-client"} <= set(pins)
    blocks = re.split(r"\n(?=[a-z0-9])", lock.split("\n", 1)[1] if lock.startswith("#") else lock)
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)


def test_every_dependency_of_pyproject_is_in_the_lock() -> None:
    """A dependency added to pyproject.toml without `make lock` would be missing from the
    offline bundle."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {re.split(r"[\[<>=;! ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    lock = (ROOT / "requirements" / "opsqm.lock").read_text()
    pinned = {m.lower() for m in re.findall(r"^([A-Za-z0-9._-]+)==", lock, flags=re.MULTILINE)}
    assert wanted - pinned == set(), "run `make lock`"
