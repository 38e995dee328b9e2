"""Accounts: one role per account, the 三员 split of account work, every change
audited, lockout and unlock, own password, API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from tests.scope import PASSWORD, client_for

NEW_PASSWORD = "Brand-New-Pass-2025"

pytestmark = pytest.mark.django_db


def form_login(client: Client, username: str, password: str) -> bool:
    """Log in through the login page (django-axes needs the request)."""
    r = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return r.status_code == 302


def last(action: str) -> AuditRecord:
    rec = AuditRecord.objects.filter(action=action).order_by("-seq").first()
    assert rec is not None, f"no audit record {action}"
    return rec


# --- one role per account ----------------------------------------------------


def test_role_is_one_single_valued_field() -> None:
    field = User._meta.get_field("role")
    assert not field.many_to_many and not field.one_to_many
    assert field.get_internal_type() == "CharField"
    # Groups and per-user permissions are not used to grant anything.
    assert not any(f.name == "roles" for f in User._meta.get_fields())


def test_no_account_can_hold_two_roles(users: dict[str, Any]) -> None:
    u = users[Role.ASSESSOR]
    u.role = "assessor,audit_admin"
    with pytest.raises(ValidationError) as exc:
        u.full_clean()
    assert "role" in exc.value.message_dict
    # Changing the role replaces it: the account never holds the old one as well.
    sec = users[Role.SECURITY_ADMIN]
    u.refresh_from_db()
    services.change_role(sec, u, Role.SUPERVISOR)
    u.refresh_from_db()
    assert u.role == Role.SUPERVISOR
    assert User.objects.filter(pk=u.pk, role=Role.ASSESSOR).count() == 0


def test_vendor_roles_need_a_vendor_in_the_database(vendor_a: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="x", role=Role.VENDOR_ENGINEER)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="y", role=Role.RECIPIENT)


def test_change_role_is_audited_with_before_and_after(users: dict[str, Any], unit_a: Any) -> None:
    sec, target = users[Role.SECURITY_ADMIN], users[Role.SERVICE_DESK]
    services.change_role(sec, target, Role.RECIPIENT, unit=unit_a)
    rec = last("account.role_change")
    assert rec.actor_id == sec.pk and rec.actor_role == Role.SECURITY_ADMIN
    assert rec.object_type == "accounts.user" and rec.object_id == str(target.pk)
    assert rec.before["role"] == Role.SERVICE_DESK and rec.before["unit"] is None
    assert rec.after["role"] == Role.RECIPIENT and rec.after["unit"] == unit_a.pk
    assert ("role", Role.SERVICE_DESK, Role.RECIPIENT) in rec.diff()


def test_only_the_security_admin_changes_roles_and_never_their_own(users: dict[str, Any]) -> None:
    target = users[Role.ASSESSOR]
    for role in Role:
        if role == Role.SECURITY_ADMIN:
            continue
        with pytest.raises(PermissionDenied):
            services.change_role(users[role], target, Role.SUPERVISOR)
    sec = users[Role.SECURITY_ADMIN]
    with pytest.raises(PermissionDenied):
        services.change_role(sec, sec, Role.SYSTEM_ADMIN)


def test_the_last_admin_of_a_role_keeps_it(users: dict[str, Any]) -> None:
    sec, audit_admin = users[Role.SECURITY_ADMIN], users[Role.AUDIT_ADMIN]
    with pytest.raises(ValidationError):
        services.change_role(sec, audit_admin, Role.ASSESSOR)
    with pytest.raises(ValidationError):
        services.deactivate_user(users[Role.SYSTEM_ADMIN], audit_admin)


# --- services ----------------------------------------------------------------


def test_create_user_checks_password_scope_and_audits(users: dict[str, Any], vendor_a: Any) -> None:
    sysadmin = users[Role.SYSTEM_ADMIN]
    with pytest.raises(ValidationError) as exc:
        services.create_user(sysadmin, username="eng2", password="short", role="vendor_engineer")
    assert "password" in exc.value.message_dict or "vendor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_user(
            sysadmin, username="eng2", password=NEW_PASSWORD, role=Role.VENDOR_ENGINEER
        )
    assert set(exc.value.message_dict) == {"vendor"}
    for weak in ("abcdefghij", "1234567890123", "Password123", "Ab1!xyz"):
        with pytest.raises(ValidationError) as exc:
            services.create_user(
                sysadmin, username="eng2", password=weak, role=Role.VENDOR_ENGINEER, vendor=vendor_a
            )
        assert "password" in exc.value.message_dict, weak
    user = services.create_user(
        sysadmin,
        username="eng2",
        password=NEW_PASSWORD,
        role=Role.VENDOR_ENGINEER,
        vendor=vendor_a,
        full_name="李工",
        phone="13800000000",
    )
    assert user.must_change_password and user.check_password(NEW_PASSWORD)
    rec = last("account.create")
    assert rec.after == services.snapshot(user) and "password" not in rec.after
    with pytest.raises(ValidationError) as exc:
        services.create_user(sysadmin, username="ENG2", password=NEW_PASSWORD, role=Role.ASSESSOR)
    assert "username" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.create_user(
            users[Role.SECURITY_ADMIN], username="z", password=NEW_PASSWORD, role=Role.ASSESSOR
        )


def test_vendor_is_dropped_for_non_vendor_roles(users: dict[str, Any], vendor_a: Any) -> None:
    u = services.create_user(
        users[Role.SYSTEM_ADMIN],
        username="desk2",
        password=NEW_PASSWORD,
        role=Role.SERVICE_DESK,
        vendor=vendor_a,
    )
    assert u.vendor is None


def test_deactivate_revokes_token_and_blocks_login(users: dict[str, Any]) -> None:
    from opsqm.infra.accounts.models import ApiToken as Token

    target = users[Role.ASSESSOR]
    services.create_token(target)
    services.deactivate_user(users[Role.SYSTEM_ADMIN], target)
    target.refresh_from_db()
    assert not target.is_active and not Token.objects.filter(user=target).exists()
    assert last("account.deactivate").after == {"is_active": False}
    assert not form_login(Client(), target.username, PASSWORD)
    with pytest.raises(PermissionDenied):
        services.deactivate_user(users[Role.SYSTEM_ADMIN], users[Role.SYSTEM_ADMIN])
    services.reactivate_user(users[Role.SYSTEM_ADMIN], target)
    assert form_login(Client(), target.username, PASSWORD)


def test_update_user_audits_only_real_changes(users: dict[str, Any]) -> None:
    sysadmin, target = users[Role.SYSTEM_ADMIN], users[Role.SUPERVISOR]
    n = AuditRecord.objects.count()
    services.update_user(sysadmin, target, full_name=target.full_name)
    assert AuditRecord.objects.count() == n
    services.update_user(sysadmin, target, phone="010-1234")
    rec = last("account.update")
    assert rec.before["phone"] == "" and rec.after["phone"] == "010-1234"


# --- pages -------------------------------------------------------------------


def test_system_admin_creates_account_through_the_page(users: dict[str, Any], unit_a: Any) -> None:
    c = client_for(users[Role.SYSTEM_ADMIN])
    data = {
        "username": "rec2",
        "full_name": "王警官",
        "phone": "",
        "role": Role.RECIPIENT,
        "unit": unit_a.pk,
        "vendor": "",
        "password1": "short",
        "password2": "short",
    }
    r = c.post(reverse("accounts:user_create"), data)
    assert r.status_code == 200 and not User.objects.filter(username="rec2").exists()
    assert "password1" in r.context["form"].errors
    data.update(password1=NEW_PASSWORD, password2=NEW_PASSWORD, unit="")
    r = c.post(reverse("accounts:user_create"), data)
    assert "unit" in r.context["form"].errors
    data["unit"] = unit_a.pk
    r = c.post(reverse("accounts:user_create"), data)
    user = User.objects.get(username="rec2")
    assert r.status_code == 302 and r["Location"] == reverse("accounts:user", args=[user.pk])
    assert user.unit == unit_a and user.role == Role.RECIPIENT
    assert last("account.create").actor_id == users[Role.SYSTEM_ADMIN].pk


def test_security_admin_changes_role_through_the_page(users: dict[str, Any]) -> None:
    target = users[Role.SUPERVISOR]
    url = reverse("accounts:user_role", args=[target.pk])
    assert client_for(users[Role.SYSTEM_ADMIN]).post(url, {"role": "assessor"}).status_code == 403
    r = client_for(users[Role.SECURITY_ADMIN]).post(url, {"role": "assessor"})
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.ASSESSOR


def test_account_pages_say_what_they_did(users: dict[str, Any]) -> None:
    """Each administrator's page names the account in its message and goes back to
    the account's page; a refusal of the service is said as an error."""
    sys_c, sec_c = client_for(users[Role.SYSTEM_ADMIN]), client_for(users[Role.SECURITY_ADMIN])
    target, audit_admin = users[Role.RECIPIENT], users[Role.AUDIT_ADMIN]

    def said(client: Client, name: str, account: User, data: dict[str, Any]) -> list[tuple]:
        r = client.post(reverse(name, args=[account.pk]), data, follow=True)
        assert r.redirect_chain == [(reverse("accounts:user", args=[account.pk]), 302)]
        return [(m.level_tag, account.username in str(m)) for m in r.context["messages"]]

    edit = {"full_name": "李警官", "phone": "", "unit": target.unit_id or "", "vendor": ""}
    assert said(sys_c, "accounts:user_edit", target, edit) == [("success", True)]
    assert said(sys_c, "accounts:user_deactivate", target, {}) == [("success", True)]
    target.refresh_from_db()
    assert not target.is_active and target.full_name == "李警官"
    assert said(sys_c, "accounts:user_reactivate", target, {}) == [("success", True)]
    target.refresh_from_db()
    assert target.is_active
    # The last audit administrator stays: the refusal is said, the account unchanged.
    assert said(sys_c, "accounts:user_deactivate", audit_admin, {}) == [("error", False)]
    audit_admin.refresh_from_db()
    assert audit_admin.is_active
    password = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert said(sec_c, "accounts:user_password", target, password) == [("success", True)]
    assert said(sec_c, "accounts:user_unlock", target, {}) == [("success", True)]
    role = {"role": Role.ASSESSOR, "vendor": "", "unit": ""}
    assert said(sec_c, "accounts:user_role", target, role) == [("success", True)]
    target.refresh_from_db()
    assert target.role == Role.ASSESSOR and target.must_change_password
    assert last("account.deactivate").after == {"is_active": False}
    assert last("account.reactivate").after == {"is_active": True}


def test_user_list_filters(users: dict[str, Any]) -> None:
    c = client_for(users[Role.SECURITY_ADMIN])
    r = c.get(reverse("accounts:users"), {"role": Role.AUDIT_ADMIN})
    assert [u.username for u in r.context["page"]] == ["audit_admin"]
    r = c.get(reverse("accounts:users"), {"q": "vendor"}, HTTP_HX_REQUEST="true")
    assert {u.username for u in r.context["page"]} == {"vendor_manager", "vendor_engineer"}
    assert b"<html" not in r.content  # htmx gets the table only


def test_lockout_after_five_failures_and_unlock(users: dict[str, Any]) -> None:
    target = users[Role.ASSESSOR]
    url = reverse("accounts:login")
    for _ in range(5):
        r = Client().post(url, {"username": target.username, "password": "wrong"})
    assert r.status_code == 429 or "accounts/locked.html" in [t.name for t in r.templates]
    # Locked: even the right password is refused, with the lockout page.
    r = Client().post(url, {"username": target.username, "password": PASSWORD})
    assert "accounts/locked.html" in [t.name for t in r.templates]
    assert services.is_locked(target)
    failed = AuditRecord.objects.filter(action="auth.login_failed", object_id=target.username)
    assert failed.count() >= 5 and all(rec.ip == "127.0.0.1" for rec in failed)
    assert AuditRecord.objects.filter(action="auth.locked_out").exists()
    # The security admin unlocks.
    unlock = reverse("accounts:user_unlock", args=[target.pk])
    assert client_for(users[Role.SYSTEM_ADMIN]).post(unlock).status_code == 403
    assert client_for(users[Role.SECURITY_ADMIN]).post(unlock).status_code == 302
    assert not services.is_locked(target)
    assert last("account.unlock").actor_id == users[Role.SECURITY_ADMIN].pk
    r = Client().post(url, {"username": target.username, "password": PASSWORD})
    assert r.status_code == 302


def test_login_logout_audited_with_address(users: dict[str, Any]) -> None:
    c = Client(REMOTE_ADDR="10.1.2.3")
    r = c.post(reverse("accounts:login"), {"username": "assessor", "password": PASSWORD})
    assert r.status_code == 302
    rec = last("auth.login")
    assert rec.actor_name == "assessor" and rec.ip == "10.1.2.3"
    c.post(reverse("accounts:logout"))
    rec = last("auth.logout")
    assert rec.actor_name == "assessor" and rec.ip == "10.1.2.3"


def test_password_reset_forces_own_change(users: dict[str, Any]) -> None:
    target = users[Role.RECIPIENT]
    sec = client_for(users[Role.SECURITY_ADMIN])
    url = reverse("accounts:user_password", args=[target.pk])
    r = sec.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 302
    assert last("account.password_reset").object_id == str(target.pk)
    c = Client()
    assert form_login(c, target.username, NEW_PASSWORD)
    r = c.get(reverse("home:home"))
    assert r.status_code == 302 and r["Location"] == reverse("accounts:password")
    r = c.post(
        reverse("accounts:password"),
        {"old_password": NEW_PASSWORD, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert r.status_code == 302
    target.refresh_from_db()
    assert not target.must_change_password and target.check_password(PASSWORD)
    assert c.get(reverse("home:home")).status_code == 200  # session survived the change
    assert last("account.password_change").actor_id == target.pk


def test_own_password_needs_the_current_one(users: dict[str, Any]) -> None:
    c = client_for(users[Role.SUPERVISOR])
    r = c.post(
        reverse("accounts:password"),
        {"old_password": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert r.status_code == 200 and "old_password" in r.context["form"].errors


def test_token_page_creates_and_revokes(users: dict[str, Any]) -> None:
    from opsqm.infra.accounts.models import ApiToken
    from opsqm.infra.accounts.services import token_hash

    user = users[Role.VENDOR_MANAGER]
    c = client_for(user)
    r = c.post(reverse("accounts:token"), {"action": "create", "name": "ci"})
    token = ApiToken.objects.get(user=user)
    secret = r.context["new_key"]
    assert secret in r.content.decode() and token.name == "ci"
    # Only the hash is stored: no column of the row holds the secret.
    assert token.key_hash == token_hash(secret) and secret not in str(vars(token))
    assert last("api_token.create").after["token_prefix"] == secret[:6]
    assert secret not in c.get(reverse("accounts:token")).content.decode()
    c.post(reverse("accounts:token"), {"action": "create"})
    assert ApiToken.objects.filter(user=user).count() == 2
    c.post(reverse("accounts:token"), {"action": "revoke", "token": token.pk})
    assert (
        list(ApiToken.objects.filter(user=user)) != []
        and not ApiToken.objects.filter(pk=token.pk).exists()
    )
    assert last("api_token.revoke").actor_id == user.pk
