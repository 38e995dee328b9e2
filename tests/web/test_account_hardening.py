"""Issue 14 §2: holes closed around accounts.

- a forced password change (new account, administrator reset) holds on the API too;
- a password reset, a lock and a deactivation end the account's sessions and revoke
  its API token;
- wrong current passwords on the password-change page and endpoint count toward the
  lockout;
- the password policy refuses the username, forwards or backwards, in any case.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import ApiToken
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from tests.scope import PASSWORD, client_for

NEW_PASSWORD = "Brand-New-Pass-2026!"


def token_client(user: Any) -> tuple[Client, str]:
    key = services.create_token(user)[1]
    return Client(HTTP_AUTHORIZATION=f"Token {key}"), key


def password_login(username: str, password: str) -> Client:
    c = Client()
    c.post(reverse("accounts:login"), {"username": username, "password": password})
    return c


def logged_in(c: Client) -> bool:
    return bool(c.get(reverse("home:home")).wsgi_request.user.is_authenticated)


@pytest.mark.django_db
def test_forced_password_change_holds_on_the_api(users: dict[str, Any]) -> None:
    user = users[Role.ASSESSOR]
    user.must_change_password = True
    user.save()
    api, _key = token_client(user)
    session_api = client_for(user)
    for c in (api, session_api):
        r = c.get("/api/v1/vendors/")
        assert r.status_code == 403
        assert "/api/v1/me/password/" in r.json()["detail"]
        assert c.get("/api/v1/me/").status_code == 200  # may see who it is
    r = api.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert api.get("/api/v1/vendors/").status_code == 200


@pytest.mark.django_db
def test_password_reset_ends_sessions_and_revokes_the_token(users: dict[str, Any]) -> None:
    target = users[Role.RECIPIENT]
    browser = password_login(target.username, PASSWORD)
    assert logged_in(browser)
    api, key = token_client(target)
    services.reset_password(users[Role.SECURITY_ADMIN], target, NEW_PASSWORD)
    assert not logged_in(browser)
    assert not ApiToken.objects.filter(key_hash=services.token_hash(key)).exists()
    assert api.get("/api/v1/me/").status_code == 401
    record = AuditRecord.objects.get(action="account.password_reset")
    assert record.after == {"sessions_ended": True, "tokens_revoked": 1}


@pytest.mark.django_db
def test_deactivation_ends_sessions_and_revokes_the_token(users: dict[str, Any]) -> None:
    target = users[Role.SERVICE_DESK]
    browser = password_login(target.username, PASSWORD)
    api, key = token_client(target)
    services.deactivate_user(users[Role.SYSTEM_ADMIN], target)
    assert not logged_in(browser)
    assert api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(key_hash=services.token_hash(key)).exists()


@pytest.mark.django_db
def test_a_lock_ends_sessions_and_revokes_the_token(users: dict[str, Any]) -> None:
    target = users[Role.SUPERVISOR]
    browser = password_login(target.username, PASSWORD)
    api, key = token_client(target)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_login(target.username, "wrong-password")
    assert services.is_locked(target)
    assert not logged_in(browser)
    assert api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(key_hash=services.token_hash(key)).exists()
    locked = AuditRecord.objects.get(action="auth.locked_out")
    assert locked.after["sessions_ended"] is True and locked.after["tokens_revoked"] == 1


@pytest.mark.django_db
def test_wrong_current_passwords_on_the_api_lock_the_account(users: dict[str, Any]) -> None:
    target = users[Role.VENDOR_ENGINEER]
    api, _key = token_client(target)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = api.post(
            "/api/v1/me/password/",
            {"old_password": "a-guess", "password": NEW_PASSWORD},
            content_type="application/json",
        )
        assert r.status_code == 400
    assert not services.is_locked(target)
    r = api.post(
        "/api/v1/me/password/",
        {"old_password": "a-guess", "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert r.status_code in (400, 403, 429)
    assert services.is_locked(target)
    assert api.get("/api/v1/me/").status_code == 401  # the token went with the lock
    # Even the right current password no longer helps: the login is locked too.
    assert not logged_in(password_login(target.username, PASSWORD))
    assert AuditRecord.objects.filter(action="auth.login_failed").count() >= 5


@pytest.mark.django_db
def test_wrong_current_passwords_on_the_page_count_too(users: dict[str, Any]) -> None:
    target = users[Role.VENDOR_MANAGER]
    browser = password_login(target.username, PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post(
            reverse("accounts:password"),
            {"old_password": "a-guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert services.is_locked(target)
    assert not logged_in(browser)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["Xx-Assessor-2026!", "9#ROSSESSA-long", "pre-aSsEsSoR-post-1", "rOsSeSsA!2026xyz"],
)
def test_password_may_not_contain_the_username(users: dict[str, Any], password: str) -> None:
    user = users[Role.ASSESSOR]  # username "assessor"
    with pytest.raises(ValidationError) as exc:
        services.reset_password(users[Role.SECURITY_ADMIN], user, password)
    assert "password" in exc.value.message_dict


@pytest.mark.django_db
def test_a_password_without_the_username_passes(users: dict[str, Any]) -> None:
    user = users[Role.ASSESSOR]
    services.reset_password(users[Role.SECURITY_ADMIN], user, "Assess-Or-2026!x")
    assert user.check_password("Assess-Or-2026!x")


def test_short_usernames_do_not_forbid_letters() -> None:
    from types import SimpleNamespace

    from opsqm.infra.accounts.validators import UsernameInPasswordValidator

    validator = UsernameInPasswordValidator()
    validator.validate("Ab-Long-Pass-2026", SimpleNamespace(username="ab"))  # no error
    with pytest.raises(ValidationError):
        validator.validate("xx-ABC-2026", SimpleNamespace(username="cba"))
