"""/api/v1/: token and session auth, the users and audit endpoints, the OpenAPI
document and its offline docs, and 4xx JSON (never 500) on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from tests.web.test_audit import drop_triggers, raw

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Brand-New-Pass-2025"


def api(user: Any = None) -> Client:
    """A client authenticated by token (no session, no CSRF)."""
    if user is None:
        return Client()
    token = services.create_token(user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_me_with_token_and_without(users: dict[str, Any]) -> None:
    r = api(users[Role.VENDOR_MANAGER]).get("/api/v1/me/")
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "vendor_manager" and body["role"] == Role.VENDOR_MANAGER
    assert body["vendor"] == users[Role.VENDOR_MANAGER].vendor_id
    r = Client().get("/api/v1/me/")
    assert r.status_code == 401 and "detail" in r.json()
    r = Client(HTTP_AUTHORIZATION="Token nonsense").get("/api/v1/me/")
    assert r.status_code == 401


def test_revoked_or_deactivated_token_stops_working(users: dict[str, Any]) -> None:
    user = users[Role.ASSESSOR]
    c = api(user)
    assert c.get("/api/v1/me/").status_code == 200
    services.revoke_token(user)
    assert c.get("/api/v1/me/").status_code == 401


def test_session_auth_needs_csrf_for_writes(users: dict[str, Any]) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(users[Role.SYSTEM_ADMIN])
    assert c.get("/api/v1/users/").status_code == 200
    r = c.post("/api/v1/users/", {}, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


@pytest.mark.parametrize(
    ("role", "status"),
    [(r, 200 if r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN) else 403) for r in Role],
)
def test_user_list_permissions(users: dict[str, Any], role: Role, status: int) -> None:
    assert api(users[role]).get("/api/v1/users/").status_code == status


def test_system_admin_creates_and_edits_users(users: dict[str, Any], vendor_a: Any) -> None:
    c = api(users[Role.SYSTEM_ADMIN])
    r = c.post(
        "/api/v1/users/",
        {
            "username": "eng9",
            "password": NEW_PASSWORD,
            "role": Role.VENDOR_ENGINEER,
            "vendor": vendor_a.pk,
            "full_name": "赵工",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    uid = r.json()["id"]
    assert r.json()["must_change_password"] is True and "password" not in r.json()
    assert AuditRecord.objects.filter(action="account.create", object_id=str(uid)).exists()
    audit = AuditRecord.objects.get(action="account.create", object_id=str(uid))
    assert audit.actor_id == users[Role.SYSTEM_ADMIN].pk  # token user, not anonymous
    r = c.patch(f"/api/v1/users/{uid}/", {"phone": "123"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["phone"] == "123"
    r = c.post(f"/api/v1/users/{uid}/deactivate/")
    assert r.status_code == 200 and r.json()["is_active"] is False
    # No deletion through the API.
    assert c.delete(f"/api/v1/users/{uid}/").status_code == 405
    # The system admin may not change roles.
    r = c.post(f"/api/v1/users/{uid}/role/", {"role": "assessor"}, content_type="application/json")
    assert r.status_code == 403


def test_security_admin_role_unlock_password(users: dict[str, Any]) -> None:
    c = api(users[Role.SECURITY_ADMIN])
    target = users[Role.SUPERVISOR]
    r = c.post(
        f"/api/v1/users/{target.pk}/role/", {"role": "assessor"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["role"] == "assessor"
    r = c.post(f"/api/v1/users/{target.pk}/unlock/")
    assert r.status_code == 200 and r.json() == {"cleared_attempts": 0}
    r = c.post(
        f"/api/v1/users/{target.pk}/password/", {"password": "x"}, content_type="application/json"
    )
    assert r.status_code == 400 and "password" in r.json()
    r = c.post(
        f"/api/v1/users/{target.pk}/password/",
        {"password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 204
    r = c.post("/api/v1/users/", {"username": "q"}, content_type="application/json")
    assert r.status_code == 403


def test_own_password_via_api(users: dict[str, Any]) -> None:
    from tests.scope import PASSWORD

    c = api(users[Role.RECIPIENT])
    r = c.post(
        "/api/v1/me/password/",
        {"old_password": "bad", "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 400 and "old_password" in r.json()
    r = c.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "password": NEW_PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert User.objects.get(pk=users[Role.RECIPIENT].pk).check_password(NEW_PASSWORD)


# --- bad input: 4xx JSON naming the field --------------------------------------


def test_malformed_json(users: dict[str, Any]) -> None:
    r = api(users[Role.SYSTEM_ADMIN]).post(
        "/api/v1/users/", "{not json", content_type="application/json"
    )
    assert r.status_code == 400 and "JSON" in r.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "a", "password": NEW_PASSWORD, "role": "king"}, "role"),
        ({"username": "a", "password": NEW_PASSWORD, "role": "vendor_engineer"}, "vendor"),
        ({"username": "a", "password": NEW_PASSWORD, "role": "recipient", "unit": 99999}, "unit"),
        ({"username": "a", "password": NEW_PASSWORD, "role": "recipient", "unit": "x"}, "unit"),
        ({"username": ["a"], "password": NEW_PASSWORD, "role": "assessor"}, "username"),
        ({"username": "a b/c", "password": NEW_PASSWORD, "role": "assessor"}, "username"),
        ({"username": "a", "password": 123, "role": "assessor"}, "password"),
        ({"password": NEW_PASSWORD, "role": "assessor"}, "username"),
        (
            {"username": "a", "password": NEW_PASSWORD, "role": "assessor", "phone": "9" * 40},
            "phone",
        ),
    ],
)
def test_wrong_types_name_the_field(users: dict[str, Any], payload: Any, field: str) -> None:
    r = api(users[Role.SYSTEM_ADMIN]).post(
        "/api/v1/users/", payload, content_type="application/json"
    )
    assert r.status_code == 400, r.content
    assert field in r.json()


def test_body_that_is_not_an_object(users: dict[str, Any]) -> None:
    r = api(users[Role.SYSTEM_ADMIN]).post(
        "/api/v1/users/", [1, 2], content_type="application/json"
    )
    assert r.status_code == 400


def test_unknown_ids_are_404_json(users: dict[str, Any]) -> None:
    c = api(users[Role.SECURITY_ADMIN])
    for url in ("/api/v1/users/99999/", "/api/v1/users/abc/"):
        r = c.get(url)
        assert r.status_code == 404 and "detail" in r.json()
    r = c.post("/api/v1/users/99999/unlock/")
    assert r.status_code == 404
    r = api(users[Role.AUDIT_ADMIN]).get("/api/v1/audit/99999/")
    assert r.status_code == 404 and "detail" in r.json()


# --- audit ---------------------------------------------------------------------


def test_audit_endpoint(users: dict[str, Any]) -> None:
    services.change_role(users[Role.SECURITY_ADMIN], users[Role.SUPERVISOR], Role.ASSESSOR)
    c = api(users[Role.AUDIT_ADMIN])
    r = c.get("/api/v1/audit/", {"action": "account.role_change"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 1 and results[0]["after"]["role"] == "assessor"
    seq = results[0]["seq"]
    assert c.get(f"/api/v1/audit/{seq}/").json()["hash"] == results[0]["hash"]
    r = c.get("/api/v1/audit/", {"date_from": "2025-13-45"})
    assert r.status_code == 400 and "date_from" in r.json()
    r = c.get("/api/v1/audit/verify/")
    assert r.status_code == 200 and r.json()["ok"] is True
    # The anchor outside the chain is reported, and it names the newest record.
    report = r.json()
    head = (report["head_seq"], report["head_hash"])
    assert (report["anchor_seq"], report["anchor_hash"]) == head
    drop_triggers()  # as someone with the database's owner rights would
    raw("DELETE FROM audit_auditrecord WHERE seq = %s", [report["head_seq"]])
    r = c.get("/api/v1/audit/verify/").json()
    assert r["ok"] is False and r["anchor_seq"] == report["head_seq"]
    assert {"seq": report["head_seq"], "kind": "deleted"}.items() <= r["problems"][-1].items()
    # Read-only.
    assert c.post("/api/v1/audit/", {}, content_type="application/json").status_code == 405
    assert c.delete(f"/api/v1/audit/{seq}/").status_code == 405
    for role in Role:
        if role != Role.AUDIT_ADMIN:
            assert api(users[role]).get("/api/v1/audit/").status_code == 403


# --- schema and docs -------------------------------------------------------------


def test_schema_and_offline_docs(users: dict[str, Any]) -> None:
    c = Client()
    c.force_login(users[Role.ASSESSOR])
    r = c.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/users/" in schema["paths"] and "/api/v1/me/" in schema["paths"]
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = c.get(url).content.decode()
        assert "drf_spectacular_sidecar" in html
        assert "cdn" not in html.lower() and "https://" not in html
        # The Content-Security-Policy allows no inline script: Swagger UI's set-up
        # comes from a URL of its own.
        assert "<script>" not in html, url
    setup = c.get("/api/v1/docs/?script=")
    assert setup.status_code == 200 and b"SwaggerUIBundle" in setup.content
    assert Client().get("/api/v1/schema/").status_code == 401
