"""Sign-in through a real OpenLDAP directory (slapd on loopback, StartTLS / LDAPS)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ldap
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from opsqm.infra.accounts import directory as directory_module
from opsqm.infra.accounts import services
from opsqm.infra.accounts.models import Source
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from opsqm.infra.mail.loopback import free_port
from tests.identity import slapd
from tests.identity.conftest import apply_ldap
from tests.scope import PASSWORD, make_user

User = get_user_model()
pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str = slapd.PASSWORD) -> tuple[Client, Any]:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password}, follow=True
    )
    return client, response


def logged_in(client: Client) -> bool:
    return bool(client.get(reverse("home:home")).wsgi_request.user.is_authenticated)


def refusals(reason: str) -> list[Any]:
    return [
        r
        for r in AuditRecord.objects.filter(action="directory.refused")
        if (r.after or {}).get("reason") == reason
    ]


@contextmanager
def membership(server: slapd.Slapd, uid: str, group: str, add: bool) -> Iterator[None]:
    """Add `uid` to (or take it out of) a directory group for the duration."""
    value = [slapd.person_dn(uid).encode()]
    first, then = (ldap.MOD_ADD, ldap.MOD_DELETE) if add else (ldap.MOD_DELETE, ldap.MOD_ADD)
    server.modify(slapd.group_dn(group), [(first, "member", value)])
    try:
        yield
    finally:
        server.modify(slapd.group_dn(group), [(then, "member", value)])


def test_first_sign_in_creates_the_account_with_role_unit_and_particulars(directory: Any):
    client, response = sign_in("li.na")
    assert logged_in(client), response.content.decode()[:500]
    user = User.objects.get(username="li.na")
    assert (user.role, user.unit.name, user.full_name) == (Role.RECIPIENT, slapd.UNIT, "李娜")
    assert user.source == Source.LDAP
    assert user.external_id == slapd.person_dn("li.na")
    assert user.email == "li.na@bureau.test"
    assert not user.has_usable_password() and not user.must_change_password
    created = AuditRecord.objects.get(action="account.create", object_id=str(user.pk))
    assert "first ldap sign-in" in created.summary
    # The second sign-in finds the same account.
    client, _ = sign_in("LI.NA")
    assert logged_in(client)
    assert User.objects.filter(username__iexact="li.na").count() == 1


def test_vendor_comes_from_an_attribute_through_the_mapping_table(directory: Any):
    client, _ = sign_in("chen.jie")
    assert logged_in(client)
    user = User.objects.get(username="chen.jie")
    assert (user.role, user.vendor.name) == (Role.VENDOR_ENGINEER, slapd.VENDOR)


def test_a_vendor_not_known_to_opsqm_is_refused(directory: Any, settings: Any):
    settings.OPSQM_DIRECTORY_MAPS = {"unit": {}, "vendor": {}}  # "vendor-a" names no vendor
    client, response = sign_in("chen.jie")
    assert not logged_in(client)
    assert not User.objects.filter(username="chen.jie").exists()
    assert refusals("no_vendor")
    assert "第一监区" not in response.content.decode()


def test_two_role_groups_are_refused_and_the_security_admin_is_told(directory: Any):
    client, response = sign_in("wang.fang")
    assert not logged_in(client)
    assert not User.objects.filter(username="wang.fang").exists()
    (record,) = refusals("role_conflict")
    assert record.after["roles"] == ["assessor", "service_desk"]
    assert "安全管理员" in response.content.decode()  # told why, in the page's Chinese
    # The security administrator's accounts page lists the refusal.
    security = make_user(Role.SECURITY_ADMIN, "secadmin")
    admin = Client()
    admin.force_login(security)
    page = admin.get(reverse("accounts:users")).content.decode()
    assert "directory-refusals" in page and "wang.fang" in page


def test_no_role_group_is_refused(directory: Any):
    client, _ = sign_in("sun.li")
    assert not logged_in(client)
    assert refusals("no_role") and not User.objects.filter(username="sun.li").exists()


def test_wrong_password_is_refused_and_counts_toward_the_lockout(directory: Any):
    client, _ = sign_in("li.na", "not-the-password")
    assert not logged_in(client)
    assert AuditRecord.objects.filter(action="auth.login_failed").exists()
    assert not User.objects.filter(username="li.na").exists()


def test_disabled_in_the_directory_deactivates_the_account(directory: Any):
    with membership(directory, "zhao.lei", "opsqm-disabled", add=False):
        client, _ = sign_in("zhao.lei")
        assert logged_in(client)
    user = User.objects.get(username="zhao.lei")
    assert user.is_active
    # Back in the "disabled" group: refused, deactivated, the open session ended.
    client2, _ = sign_in("zhao.lei")
    assert not logged_in(client2)
    user.refresh_from_db()
    assert not user.is_active
    assert refusals("disabled")
    assert not logged_in(client)


def test_group_change_moves_the_role_at_the_next_sign_in(directory: Any):
    client, _ = sign_in("zhang.wei")
    assert User.objects.get(username="zhang.wei").role == Role.ASSESSOR
    with (
        membership(directory, "zhang.wei", "opsqm-assessors", add=False),
        membership(directory, "zhang.wei", "opsqm-service-desk", add=True),
    ):
        client, _ = sign_in("zhang.wei")
        assert logged_in(client)
        user = User.objects.get(username="zhang.wei")
        assert user.role == Role.SERVICE_DESK
        change = AuditRecord.objects.get(action="account.role_change", object_id=str(user.pk))
        assert (change.before["role"], change.after["role"]) == ("assessor", "service_desk")


def test_a_second_role_group_refuses_and_ends_the_open_session(directory: Any):
    client, _ = sign_in("zhang.wei")
    assert logged_in(client)
    with membership(directory, "zhang.wei", "opsqm-recipients", add=True):
        other, _ = sign_in("zhang.wei")
        assert not logged_in(other)
        # Never both roles, and not the old one either while the conflict stands.
        assert not logged_in(client)
        assert User.objects.get(username="zhang.wei").role == Role.ASSESSOR
    client, _ = sign_in("zhang.wei")
    assert logged_in(client)


def test_local_administrator_keeps_signing_in_and_is_never_taken_over(directory: Any):
    make_user(Role.SYSTEM_ADMIN, "sysadmin")
    # The directory has a "sysadmin" entry with its own password: it gets nothing.
    client, _ = sign_in("sysadmin", slapd.PASSWORD)
    assert not logged_in(client)
    client, _ = sign_in("sysadmin", PASSWORD)
    assert logged_in(client)
    user = User.objects.get(username="sysadmin")
    assert (user.source, user.role) == (Source.LOCAL, Role.SYSTEM_ADMIN)


def test_break_glass_while_the_directory_is_down(directory: Any, settings: Any):
    make_user(Role.SECURITY_ADMIN, "secadmin")
    dead = f"ldap://127.0.0.1:{free_port()}"
    apply_ldap(settings, directory.env(OPSQM_LDAP_URI=dead))
    client, _ = sign_in("secadmin", PASSWORD)
    assert logged_in(client)
    client, _ = sign_in("li.na")
    assert not logged_in(client)


def test_ldaps_works_and_an_unknown_certificate_is_refused(directory: Any, settings: Any, tmp_path):
    apply_ldap(settings, directory.env(OPSQM_LDAP_URI=directory.tls_uri, OPSQM_LDAP_START_TLS="0"))
    client, _ = sign_in("li.na")
    assert logged_in(client)
    # A CA that did not sign the server's certificate: no sign-in, no plain fallback.
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(slapd._certificates(tmp_path)[0].read_bytes())
    for overrides in (
        {"OPSQM_LDAP_URI": directory.tls_uri, "OPSQM_LDAP_START_TLS": "0"},
        {},
    ):
        apply_ldap(settings, directory.env(OPSQM_LDAP_CA_FILE=str(other_ca), **overrides))
        client, _ = sign_in("zhang.wei")
        assert not logged_in(client)
    assert not User.objects.filter(username="zhang.wei").exists()


def test_sync_deactivates_removed_and_disabled_accounts(directory: Any):
    for uid in ("li.na", "zhang.wei", "chen.jie"):
        assert logged_in(sign_in(uid)[0])
    token, _secret = services.create_token(User.objects.get(username="chen.jie"))
    entry = slapd.person_dn("chen.jie")
    directory.rename(entry, "uid=chen.jie.gone")
    try:
        with membership(directory, "li.na", "opsqm-disabled", add=True):
            report = directory_module.sync_accounts()
    finally:
        directory.rename(slapd.person_dn("chen.jie.gone"), "uid=chen.jie")
    assert report.error == ""
    assert report.checked == 3
    assert sorted(report.deactivated) == ["chen.jie", "li.na"]
    states = dict(User.objects.values_list("username", "is_active"))
    assert states == {"li.na": False, "zhang.wei": True, "chen.jie": False}
    from opsqm.infra.accounts.models import ApiToken

    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_sync_deactivates_nobody_while_the_directory_is_down(directory: Any, settings: Any):
    assert logged_in(sign_in("li.na")[0])
    apply_ldap(settings, directory.env(OPSQM_LDAP_URI=f"ldap://127.0.0.1:{free_port()}"))
    report = directory_module.sync_accounts()
    assert report.error and report.deactivated == []
    assert User.objects.get(username="li.na").is_active


def test_the_sync_command_and_the_worker_job(directory: Any):
    import io

    from django.core.management import call_command

    from opsqm.edges.schedules import tasks

    assert logged_in(sign_in("li.na")[0])
    with membership(directory, "li.na", "opsqm-disabled", add=True):
        out = io.StringIO()
        call_command("directory_sync", stdout=out)
    assert "deactivated li.na" in out.getvalue()
    assert not User.objects.get(username="li.na").is_active
    assert tasks._directory_on()
    assert tasks.directory_sync(None) == {"checked": 0, "deactivated": [], "refused": {}}


def test_a_directory_account_has_no_opsqm_password(directory: Any):
    client, _ = sign_in("zhang.wei")
    user = User.objects.get(username="zhang.wei")
    with pytest.raises(ValidationError, match="局方目录"):
        services.set_password(user, "", "Another-Pass-2026!")
    security = make_user(Role.SECURITY_ADMIN, "secadmin")
    with pytest.raises(ValidationError, match="局方目录"):
        services.reset_password(security, user, "Another-Pass-2026!")
    page = client.post(
        reverse("accounts:password"),
        {"old_password": "x", "password1": "Another-Pass-2026!", "password2": "Another-Pass-2026!"},
    )
    assert "目录" in page.content.decode()


def test_the_account_page_shows_the_source_and_offers_no_password_reset(directory: Any):
    sign_in("li.na")
    user = User.objects.get(username="li.na")
    admin = Client()
    admin.force_login(make_user(Role.SECURITY_ADMIN, "secadmin"))
    page = admin.get(reverse("accounts:user", args=[user.pk])).content.decode()
    assert "目录（LDAP/AD）" in page and slapd.person_dn("li.na") in page
    assert reverse("accounts:user_password", args=[user.pk]) not in page
    assert admin.get(f"/api/v1/users/{user.pk}/").json()["source"] == "ldap"
