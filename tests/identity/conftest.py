"""The identity tests' real servers on loopback: OpenLDAP's slapd (tests/identity/
slapd.py) and an OIDC provider built on django-oauth-toolkit (tests/identity/
oidc_provider/), each started once per test session.

Missing binaries skip these tests with a message saying how to install them, except
under CI (CI=true), where they fail: CI must run them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from opsqm.infra.accounts import identity_settings
from tests.identity import slapd


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: these tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def slapd_server() -> Iterator[slapd.Slapd]:
    if slapd.slapd_binary() is None:
        _unavailable("slapd is not installed: run scripts/install-system-deps.sh as root")
    server = slapd.start()
    try:
        yield server
    finally:
        server.stop()


def apply_ldap(settings: Any, env: dict[str, str]) -> None:
    """Configure OpsQM as the environment `env` would (the settings module's code)."""
    values = identity_settings.ldap_settings(env)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.OPSQM_LDAP_ENABLED = bool(values)
    settings.OPSQM_DIRECTORY_MAPS = identity_settings.scope_maps(env)
    settings.AUTHENTICATION_BACKENDS = identity_settings.backends(
        bool(values), getattr(settings, "OPSQM_OIDC_ENABLED", False)
    )


@pytest.fixture
def directory(slapd_server: slapd.Slapd, settings: Any, db: Any) -> slapd.Slapd:
    """OpsQM pointed at the test directory (StartTLS), with its unit and vendor."""
    from opsqm.facts.contracts.models import Unit, Vendor

    apply_ldap(settings, slapd_server.env())
    Unit.objects.create(name=slapd.UNIT)
    Vendor.objects.create(name=slapd.VENDOR, intranet_mailbox="om@vendor.test")
    return slapd_server


@pytest.fixture(scope="session")
def oidc_server() -> Iterator[Any]:
    try:
        import oauth2_provider  # noqa: F401
    except ImportError:
        _unavailable("django-oauth-toolkit is not installed (pip install -e '.[dev]')")
    from tests.identity import provider

    server = provider.start()
    try:
        yield server
    finally:
        server.stop()


def apply_oidc(settings: Any, env: dict[str, str]) -> None:
    values = identity_settings.oidc_settings(env)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.OPSQM_OIDC_ENABLED = bool(values)
    settings.OPSQM_DIRECTORY_MAPS = identity_settings.scope_maps(env)
    settings.AUTHENTICATION_BACKENDS = identity_settings.backends(
        getattr(settings, "OPSQM_LDAP_ENABLED", False), bool(values)
    )


@pytest.fixture
def sso(oidc_server: Any, settings: Any, db: Any) -> Iterator[Any]:
    """OpsQM pointed at the test OIDC provider, with its unit and vendor; the
    provider's people file is put back afterwards."""
    from opsqm.facts.contracts.models import Unit, Vendor

    apply_oidc(settings, oidc_server.env())
    Unit.objects.create(name=slapd.UNIT)
    Vendor.objects.create(name=slapd.VENDOR, intranet_mailbox="om@vendor.test")
    yield oidc_server
    oidc_server.reset()
