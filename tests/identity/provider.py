"""Start the test OIDC provider (tests/identity/oidc_provider) as a subprocess on a
free loopback port, with its own folder: SQLite database, RSA key, people file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.identity.oidc_provider.serve import CLIENT_ID, CLIENT_SECRET
from tests.identity.slapd import UNIT, VENDOR
from tests.mail.mailserver import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Platform-2026!"


def _person(name: str, groups: list[str], **claims: str) -> dict[str, Any]:
    return {"password": PASSWORD, "claims": {"name": name, "groups": groups, **claims}}


PEOPLE: dict[str, dict[str, Any]] = {
    "liu.yang": _person("刘洋", ["OpsQM-Recipients"], unit=UNIT, email="liu.yang@bureau.test"),
    "zhou.min": _person("周敏", ["OpsQM-Assessors"]),
    "wu.gang": _person("吴刚", ["OpsQM-Assessors", "OpsQM-Supervisors"]),  # two roles
    "xu.qing": _person("徐青", ["OpsQM-Vendor-Managers"], company=VENDOR),
    "guest": _person("访客", ["Everyone"]),
}
ROLE_GROUPS = (
    "recipient=OpsQM-Recipients;assessor=OpsQM-Assessors;supervisor=OpsQM-Supervisors;"
    "vendor_manager=OpsQM-Vendor-Managers"
)


def _signing_key() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass
class Provider:
    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **overrides: str) -> dict[str, str]:
        """OpsQM's environment variables for this provider."""
        env = {
            "OPSQM_OIDC_CLIENT_ID": CLIENT_ID,
            "OPSQM_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OPSQM_OIDC_AUTHORIZATION_ENDPOINT": f"{self.url}/o/authorize/",
            "OPSQM_OIDC_TOKEN_ENDPOINT": f"{self.url}/o/token/",
            "OPSQM_OIDC_USERINFO_ENDPOINT": f"{self.url}/o/userinfo/",
            "OPSQM_OIDC_JWKS_ENDPOINT": f"{self.url}/o/.well-known/jwks.json",
            "OPSQM_OIDC_ROLE_GROUPS": ROLE_GROUPS,
            "OPSQM_OIDC_UNIT_CLAIM": "unit",
            "OPSQM_OIDC_VENDOR_CLAIM": "company",
        }
        env.update(overrides)
        return env

    def set_groups(self, username: str, groups: list[str]) -> None:
        path = self.root / "people.json"
        people = json.loads(path.read_text(encoding="utf-8"))
        people[username]["claims"]["groups"] = groups
        path.write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")

    def reset(self) -> None:
        (self.root / "people.json").write_text(json.dumps(PEOPLE, ensure_ascii=False), "utf-8")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if os.environ.get("OPSQM_KEEP_PROVIDER_LOG"):
            print((self.root / "provider.log").read_text())
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Provider:
    root = Path(tempfile.mkdtemp(prefix="opsqm-oidc-"))
    (root / "signing-key.pem").write_bytes(_signing_key())
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PROVIDER_DIR": str(root),
        "DJANGO_SETTINGS_MODULE": "tests.identity.oidc_provider.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    provider = Provider(root, port, None)  # type: ignore[arg-type]
    provider.reset()
    log = (root / "provider.log").open("wb")
    provider.process = subprocess.Popen(
        [sys.executable, "-m", "tests.identity.oidc_provider.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout=60)
    except RuntimeError:
        provider.process.kill()
        raise RuntimeError(
            f"the OIDC provider did not start: {(root / 'provider.log').read_text()}"
        ) from None
    return provider
