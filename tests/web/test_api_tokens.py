"""API tokens: kept as a hash, expiring, listed and revoked by their owner."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import ApiToken
from opsqm.infra.core.roles import Role

pytestmark = pytest.mark.django_db


def test_only_the_hash_is_stored_and_it_opens_the_api(users: dict[str, Any]) -> None:
    token, secret = services.create_token(users[Role.ASSESSOR])
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        row = cur.fetchone()
    assert row is not None and not any(secret in str(value) for value in row)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").status_code == 200
    # The hash itself is no key.
    hashed = Client(HTTP_AUTHORIZATION=f"Token {token.key_hash}")
    assert hashed.get("/api/v1/me/").status_code == 401


def test_tokens_expire_after_the_configured_days(users: dict[str, Any], settings: Any) -> None:
    settings.OPSQM_API_TOKEN_DAYS = 7
    token, secret = services.create_token(users[Role.ASSESSOR])
    assert timedelta(days=7) - (token.expires - timezone.now()) < timedelta(minutes=1)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    r = client.get("/api/v1/me/")
    assert r.status_code == 401 and r.json()["detail"] == "令牌无效或已过期。"


@pytest.mark.parametrize("value", ["ninety", "0", "-3"])
def test_a_bad_token_lifetime_stops_the_start(value: str) -> None:
    env = dict(os.environ, OPSQM_API_TOKEN_DAYS=value)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "opsqm.edges.web.settings"},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "OPSQM_API_TOKEN_DAYS" in done.stderr


def test_an_account_lists_and_revokes_its_own_tokens_on_the_api(users: dict[str, Any]) -> None:
    mine, secret = services.create_token(users[Role.ASSESSOR], "ci")
    other, _other_secret = services.create_token(users[Role.ASSESSOR])
    theirs, _ = services.create_token(users[Role.SUPERVISOR])
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    listed = client.get("/api/v1/me/tokens/").json()
    assert {t["id"] for t in listed} == {mine.pk, other.pk}
    fields = {"id", "prefix", "name", "created", "expires", "last_used"}
    assert all(set(t) == fields for t in listed)
    assert client.delete(f"/api/v1/me/tokens/{theirs.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert client.delete(f"/api/v1/me/tokens/{other.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=other.pk).exists()
    assert client.delete(f"/api/v1/me/tokens/{mine.pk}/").status_code == 204
    assert client.get("/api/v1/me/tokens/").status_code == 401


def test_the_token_page_is_in_the_user_menu(users: dict[str, Any]) -> None:
    from tests.scope import client_for

    page = client_for(users[Role.RECIPIENT]).get("/").content.decode()
    assert "/accounts/token/" in page
