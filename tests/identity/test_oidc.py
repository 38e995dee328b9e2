"""Single sign-on through a real OIDC provider process on loopback (django-oauth-toolkit):
the authorization-code flow with PKCE, the ID token's signature checked against the
provider's published keys, the claims turned into an account by OpsQM's rules."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from opsqm.infra.accounts.models import Source
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from tests.identity import provider as provider_module
from tests.identity.slapd import UNIT, VENDOR
from tests.scope import PASSWORD, make_user

User = get_user_model()
pytestmark = pytest.mark.django_db


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def sso_login(
    username: str, password: str = provider_module.PASSWORD, client: Client | None = None
) -> tuple[Client, Any]:
    """Go through the whole flow: OpsQM → the provider's login page → back to OpsQM's
    callback with a code.  Returns the OpsQM client and the callback's answer."""
    client = client or Client()
    start = client.get(reverse("accounts:sso_start"))
    assert start.status_code == 302, start
    browser = requests.Session()
    url = start["Location"]
    for _ in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.status_code == 200 and 'id="provider-login"' in answer.text:
            answer = browser.post(
                url,
                data={
                    "csrfmiddlewaretoken": _field(answer.text, "csrfmiddlewaretoken"),
                    "username": username,
                    "password": password,
                    "next": html.unescape(_field(answer.text, "next")),
                },
                headers={"Referer": url},
                allow_redirects=False,
                timeout=10,
            )
            if answer.status_code == 200:
                return client, answer  # the provider refused the password
        assert answer.status_code in (301, 302), (
            answer.status_code,
            url,
            re.sub(r"\s+", " ", answer.text)[-1500:],
        )
        url = urljoin(url, answer.headers["Location"])
        if url.startswith("http://testserver/"):
            parts = urlsplit(url)
            return client, client.get(f"{parts.path}?{parts.query}", follow=True)
    raise AssertionError("the flow did not come back to OpsQM")


def logged_in(client: Client) -> bool:
    return bool(client.get(reverse("home:home")).wsgi_request.user.is_authenticated)


def test_login_page_offers_single_sign_on_only_when_configured(sso: Any, settings: Any):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert 'id="sso-login"' in page
    settings.OPSQM_OIDC_ENABLED = False
    assert 'id="sso-login"' not in Client().get(reverse("accounts:login")).content.decode()
    assert Client().get(reverse("accounts:sso_start")).status_code == 404


def test_first_sign_on_creates_the_account_from_the_claims(sso: Any):
    client, answer = sso_login("liu.yang")
    assert logged_in(client), answer.content.decode()[:500]
    user = User.objects.get(username="liu.yang")
    assert (user.role, user.unit.name, user.full_name) == (Role.RECIPIENT, UNIT, "刘洋")
    assert user.source == Source.OIDC and user.external_id  # the provider's subject
    assert user.email == "liu.yang@bureau.test"
    assert not user.has_usable_password()
    # Again: the same account.
    client, _ = sso_login("liu.yang")
    assert logged_in(client)
    assert User.objects.filter(username="liu.yang").count() == 1


def test_vendor_from_a_claim(sso: Any):
    client, _ = sso_login("xu.qing")
    assert logged_in(client)
    user = User.objects.get(username="xu.qing")
    assert (user.role, user.vendor.name) == (Role.VENDOR_MANAGER, VENDOR)


def test_two_roles_are_refused_with_a_notice(sso: Any):
    client, answer = sso_login("wu.gang")
    assert not logged_in(client)
    assert not User.objects.filter(username="wu.gang").exists()
    record = AuditRecord.objects.get(action="directory.refused")
    assert record.after["reason"] == "role_conflict"
    assert record.after["roles"] == ["assessor", "supervisor"]
    assert "安全管理员" in answer.content.decode()  # the message, in the page's Chinese


def test_no_role_is_refused(sso: Any):
    client, _ = sso_login("guest")
    assert not logged_in(client)
    assert AuditRecord.objects.get(action="directory.refused").after["reason"] == "no_role"


def test_wrong_password_at_the_provider_gets_nowhere(sso: Any):
    client, answer = sso_login("zhou.min", "wrong-password")
    assert 'id="provider-error"' in answer.text
    assert not logged_in(client)
    assert not User.objects.filter(username="zhou.min").exists()


def test_group_change_moves_the_role_at_the_next_sign_on(sso: Any):
    client, _ = sso_login("zhou.min")
    assert User.objects.get(username="zhou.min").role == Role.ASSESSOR
    sso.set_groups("zhou.min", ["OpsQM-Supervisors"])
    client, _ = sso_login("zhou.min")
    assert logged_in(client)
    assert User.objects.get(username="zhou.min").role == Role.SUPERVISOR
    # A second role group: refused, and the open session ends.
    sso.set_groups("zhou.min", ["OpsQM-Supervisors", "OpsQM-Assessors"])
    other, _ = sso_login("zhou.min")
    assert not logged_in(other)
    assert not logged_in(client)


def test_a_local_account_is_not_taken_over_by_the_platform(sso: Any):
    make_user(Role.ASSESSOR, "zhou.min")
    client, _ = sso_login("zhou.min")
    assert not logged_in(client)
    assert AuditRecord.objects.get(action="directory.refused").after["reason"] == "name_taken"
    assert User.objects.get(username="zhou.min").source == Source.LOCAL
    # The local password still works.
    response = Client().post(
        reverse("accounts:login"), {"username": "zhou.min", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_a_deactivated_account_cannot_sign_on(sso: Any):
    from opsqm.infra.accounts import services

    client, _ = sso_login("zhou.min")
    user = User.objects.get(username="zhou.min")
    services.deactivate_by_system(user, "test")
    assert not logged_in(client)
    client, _ = sso_login("zhou.min")
    assert not logged_in(client)


def test_a_forged_callback_is_refused(sso: Any):
    client = Client()
    client.get(reverse("accounts:sso_start"))
    answer = client.get(reverse("accounts:sso_callback"), {"code": "made-up", "state": "nope"})
    assert answer.status_code in (302, 400)
    assert not logged_in(client)
