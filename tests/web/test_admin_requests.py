"""三员 two-person rule: administrator accounts, moves into an administrator role and
resets of an administrator's password wait for a second, different administrator."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from opsqm.infra.accounts import approvals, services
from opsqm.infra.accounts.models import AdminRequest, User
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from tests.scope import client_for

pytestmark = pytest.mark.django_db
PASSWORD = "Second-Admin-Pass-2026!"
SYS, SEC, AUD = Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN


def make_admin(users: dict[str, Any], role: str, name: str) -> User:
    """A second administrator of `role`, through the rule itself."""
    asked = services.create_user(users[SYS], username=name, password=PASSWORD, role=role)
    approvals.approve(users[SEC], asked.pk)
    return User.objects.get(username=name)


def test_an_administrator_account_waits_for_a_second_administrator(users: dict[str, Any]):
    asked = services.create_user(users[SYS], username="sec2", password=PASSWORD, role=SEC)
    assert isinstance(asked, AdminRequest) and asked.state == AdminRequest.State.PENDING
    assert not User.objects.filter(username="sec2").exists()
    assert PASSWORD not in str(asked.payload)  # only the hash travels
    with pytest.raises(PermissionDenied):
        approvals.approve(users[SYS], asked.pk)  # not the one who asked
    with pytest.raises(PermissionDenied):
        approvals.approve(users[AUD], asked.pk)  # no say over accounts
    with pytest.raises(PermissionDenied):
        approvals.approve(users[Role.ASSESSOR], asked.pk)
    done = approvals.approve(users[SEC], asked.pk)
    user = User.objects.get(username="sec2")
    assert user.role == SEC and user.must_change_password and user.check_password(PASSWORD)
    assert done.state == AdminRequest.State.APPROVED and done.decided_by == users[SEC]
    assert done.target == user and done.payload == {}
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["account.request", "account.create", "account.request_approve"]
    with pytest.raises(ValidationError):
        approvals.reject(users[SEC], asked.pk)  # decided already


def test_ordinary_accounts_need_no_second_administrator(users: dict[str, Any]):
    user = services.create_user(
        users[SYS], username="desk2", password=PASSWORD, role=Role.SERVICE_DESK
    )
    assert isinstance(user, User) and user.pk


def test_a_move_into_an_administrator_role_waits(users: dict[str, Any]):
    desk = users[Role.SERVICE_DESK]
    asked = services.change_role(users[SEC], desk, AUD)
    desk.refresh_from_db()
    assert isinstance(asked, AdminRequest) and desk.role == Role.SERVICE_DESK
    with pytest.raises(PermissionDenied):
        approvals.approve(users[SEC], asked.pk)
    approvals.approve(users[SYS], asked.pk)
    desk.refresh_from_db()
    assert desk.role == AUD
    assert AuditRecord.objects.filter(action="account.role_change").exists()


def test_a_rejected_request_changes_nothing(users: dict[str, Any]):
    desk = users[Role.SERVICE_DESK]
    asked = services.change_role(users[SEC], desk, SYS)
    approvals.reject(users[SYS], asked.pk)
    desk.refresh_from_db()
    assert desk.role == Role.SERVICE_DESK
    assert AdminRequest.objects.get().state == AdminRequest.State.REJECTED
    assert AuditRecord.objects.filter(action="account.request_reject").exists()


def test_nobody_approves_a_request_about_their_own_account(users: dict[str, Any]):
    sys2 = make_admin(users, SYS, "sys2")
    asked = services.reset_password(users[SEC], sys2, "Fresh-Admin-Pass-2026!")
    with pytest.raises(PermissionDenied):
        approvals.approve(sys2, asked.pk)
    approvals.approve(users[SYS], asked.pk)
    sys2.refresh_from_db()
    assert sys2.check_password("Fresh-Admin-Pass-2026!") and sys2.must_change_password


def test_an_administrator_password_reset_waits(users: dict[str, Any]):
    target = users[AUD]
    asked = services.reset_password(users[SEC], target, "Fresh-Admin-Pass-2026!")
    target.refresh_from_db()
    assert isinstance(asked, AdminRequest) and not target.check_password("Fresh-Admin-Pass-2026!")
    approvals.approve(users[SYS], asked.pk)
    target.refresh_from_db()
    assert target.check_password("Fresh-Admin-Pass-2026!") and target.must_change_password
    record = AuditRecord.objects.filter(action="account.password_reset").get()
    assert record.after == {"sessions_ended": True, "tokens_revoked": 0}


def test_no_account_holds_two_of_the_three(users: dict[str, Any]):
    """One account, one role: a move of an administrator into another administrator
    role replaces its role; the powers of the old one go with it."""
    sec2 = make_admin(users, SEC, "sec2")
    asked = services.change_role(users[SEC], sec2, AUD)
    approvals.approve(users[SYS], asked.pk)
    sec2.refresh_from_db()
    assert sec2.role == AUD
    User.objects.filter(pk=sec2.pk).update(must_change_password=False)
    assert client_for(sec2).get(reverse("accounts:users")).status_code == 403
    assert client_for(sec2).get(reverse("audit:list")).status_code == 200
    assert not any(f.many_to_many for f in User._meta.get_fields() if f.name == "role")


def test_createadmin_needs_no_second_administrator(users: dict[str, Any], tmp_path: Any):
    User.objects.filter(role=SYS).delete()
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    call_command("createadmin", "--username", "root2", "--password-file", str(secret))
    assert User.objects.get(username="root2").role == SYS
    assert not AdminRequest.objects.exists()


def test_pages_ask_list_and_approve(users: dict[str, Any]):
    r = client_for(users[SYS]).post(
        reverse("accounts:user_create"),
        {"username": "aud2", "password1": PASSWORD, "password2": PASSWORD, "role": AUD},
    )
    assert r.status_code == 302 and r.url == reverse("accounts:requests")
    asked = AdminRequest.objects.get()
    page = client_for(users[SYS]).get(reverse("accounts:requests")).content.decode()
    assert "aud2" in page and reverse("accounts:request_approve", args=[asked.pk]) not in page
    page = client_for(users[SEC]).get(reverse("accounts:requests")).content.decode()
    assert reverse("accounts:request_approve", args=[asked.pk]) in page
    client_for(users[SYS]).post(reverse("accounts:request_approve", args=[asked.pk]))
    assert not User.objects.filter(username="aud2").exists()
    client_for(users[SEC]).post(reverse("accounts:request_approve", args=[asked.pk]))
    assert User.objects.get(username="aud2").role == AUD


def test_the_api_answers_202_with_the_request(users: dict[str, Any]):
    def api(user: User) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {services.create_token(user)[1]}")

    sys_api, sec_api = api(users[SYS]), api(users[SEC])
    r = sys_api.post(
        "/api/v1/users/",
        {"username": "sec2", "password": PASSWORD, "role": SEC},
        content_type="application/json",
    )
    assert r.status_code == 202 and r.json()["state"] == "pending"
    assert "password" not in r.json() and "payload" not in r.json()
    desk = users[Role.SERVICE_DESK]
    r = sec_api.post(
        f"/api/v1/users/{desk.pk}/role/", {"role": SYS}, content_type="application/json"
    )
    assert r.status_code == 202 and r.json()["kind"] == "role"
    r = sec_api.post(
        f"/api/v1/users/{users[AUD].pk}/password/",
        {"password": "Fresh-Admin-Pass-2026!"},
        content_type="application/json",
    )
    assert r.status_code == 202 and r.json()["kind"] == "reset"
    listed = sys_api.get("/api/v1/admin-requests/?state=pending").json()
    ids = (
        [row["id"] for row in listed["results"]]
        if "results" in listed
        else [row["id"] for row in listed]
    )
    assert len(ids) == 3
    first = AdminRequest.objects.get(username="sec2")
    assert sys_api.post(f"/api/v1/admin-requests/{first.pk}/approve/").status_code == 403
    r = sec_api.post(f"/api/v1/admin-requests/{first.pk}/approve/")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert User.objects.get(username="sec2").role == SEC
