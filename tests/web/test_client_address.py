"""The client address written into the audit log: X-Forwarded-For is believed only
from a configured proxy (OPSQM_TRUSTED_PROXIES), read from the right."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.request_context import client_ip
from tests.scope import PASSWORD

SETTINGS_FILE = Path(settings.PACKAGE_DIR) / "edges" / "web" / "settings.py"
PROXY = "10.0.0.5"


def ip(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(meta)


def test_forged_header_is_ignored_without_trusted_proxies() -> None:
    with override_settings(OPSQM_TRUSTED_PROXIES=[]):
        assert ip("198.51.100.20", "10.9.9.9") == "198.51.100.20"
        assert ip("198.51.100.20", "10.9.9.9, 172.16.0.1") == "198.51.100.20"
        assert ip("198.51.100.20") == "198.51.100.20"


@override_settings(OPSQM_TRUSTED_PROXIES=[PROXY])
def test_forged_header_from_an_untrusted_peer_is_ignored() -> None:
    # A client that reaches the app directly (not through the proxy) claims an address.
    assert ip("198.51.100.20", "10.20.30.40") == "198.51.100.20"
    # …or claims to be the proxy itself.
    assert ip("198.51.100.20", PROXY) == "198.51.100.20"


@override_settings(OPSQM_TRUSTED_PROXIES=[PROXY])
def test_single_proxy() -> None:
    assert ip(PROXY, "203.0.113.7") == "203.0.113.7"
    # The client sent its own X-Forwarded-For; the proxy appended the real peer.
    assert ip(PROXY, "10.20.30.40, 203.0.113.7") == "203.0.113.7"
    assert ip(PROXY, "1.2.3.4,203.0.113.7") == "203.0.113.7"
    # Through the proxy but no header: the proxy is all we know.
    assert ip(PROXY) == PROXY
    assert ip(PROXY, "") == PROXY


@override_settings(OPSQM_TRUSTED_PROXIES=["10.0.0.0/24", "192.168.50.2"])
def test_chained_proxies() -> None:
    # client → 192.168.50.2 (outer proxy) → 10.0.0.7 (inner proxy) → 10.0.0.5 → app
    assert ip(PROXY, "203.0.113.7, 192.168.50.2, 10.0.0.7") == "203.0.113.7"
    # A forged left part stays ignored: the right-most untrusted address is the client.
    assert ip(PROXY, "10.20.30.40, 203.0.113.7, 192.168.50.2, 10.0.0.7") == "203.0.113.7"
    # A client inside a trusted network is still found (every entry trusted: left-most).
    assert ip(PROXY, "10.0.0.99, 10.0.0.7") == "10.0.0.99"
    # Repeated headers arrive joined by commas, in order.
    assert ip(PROXY, "203.0.113.7,192.168.50.2, 10.0.0.7") == "203.0.113.7"


@override_settings(OPSQM_TRUSTED_PROXIES=["10.0.0.0/24", "2001:db8:1::/48"])
def test_odd_entries() -> None:
    # Garbage beyond the proxies: the nearest trusted hop is the best we know.
    assert ip(PROXY, "unknown") == PROXY
    assert ip(PROXY, "203.0.113.7, unknown, 10.0.0.7") == "10.0.0.7"
    # Ports, IPv6, IPv4-mapped IPv6 (a dual-stack listener).
    assert ip(PROXY, "203.0.113.7:51234") == "203.0.113.7"
    assert ip(PROXY, "[2001:db8:9::1]:443") == "2001:db8:9::1"
    assert ip("2001:db8:1::5", "2001:db8:9::1") == "2001:db8:9::1"
    assert ip("::ffff:10.0.0.5", "203.0.113.7") == "203.0.113.7"
    assert ip("::ffff:198.51.100.20", "203.0.113.7") == "198.51.100.20"
    assert ip("", "203.0.113.7") is None


@pytest.mark.django_db
def test_login_records_the_address(users: dict[str, Any]) -> None:
    def login_ip(**meta: str) -> str | None:
        c = Client(**meta)
        r = c.post(reverse("accounts:login"), {"username": "assessor", "password": PASSWORD})
        assert r.status_code == 302
        rec = AuditRecord.objects.filter(action="auth.login").order_by("-seq").first()
        assert rec is not None
        return rec.ip

    forged = {"REMOTE_ADDR": "198.51.100.20", "HTTP_X_FORWARDED_FOR": "10.20.30.40"}
    assert login_ip(**forged) == "198.51.100.20"
    with override_settings(OPSQM_TRUSTED_PROXIES=[PROXY]):
        assert login_ip(**forged) == "198.51.100.20"
        proxied = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.20.30.40, 203.0.113.7"}
        assert login_ip(**proxied) == "203.0.113.7"


@pytest.mark.django_db
@override_settings(OPSQM_TRUSTED_PROXIES=[PROXY])
def test_failed_logins_and_lockout_record_the_same_address(users: dict[str, Any]) -> None:
    c = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.20.30.40, 203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post(reverse("accounts:login"), {"username": "assessor", "password": "wrong"})
    failed = AuditRecord.objects.filter(action="auth.login_failed")
    assert failed.count() >= 1 and {r.ip for r in failed} == {"203.0.113.7"}
    locked = AuditRecord.objects.get(action="auth.locked_out")
    assert locked.ip == "203.0.113.7"


def test_setting_from_the_environment(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("OPSQM_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("OPSQM_TRUSTED_PROXIES", raising=False)
    assert runpy.run_path(str(SETTINGS_FILE))["OPSQM_TRUSTED_PROXIES"] == []
    monkeypatch.setenv("OPSQM_TRUSTED_PROXIES", " 10.0.0.5, 192.168.50.0/24 ,2001:db8::/32,")
    conf = runpy.run_path(str(SETTINGS_FILE))
    assert conf["OPSQM_TRUSTED_PROXIES"] == ["10.0.0.5/32", "192.168.50.0/24", "2001:db8::/32"]
    monkeypatch.setenv("OPSQM_TRUSTED_PROXIES", "proxy.bureau.local")
    with pytest.raises(ValueError):
        runpy.run_path(str(SETTINGS_FILE))
