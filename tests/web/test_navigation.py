from __future__ import annotations

from typing import Any

import pytest

from opsqm.accounts.roles import Role
from opsqm.core.navigation import menu_for


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/staff/replacements/", "/staff/replacements/"),
        ("/staff/12/", "/staff/"),
        ("/contracts/vendors/3/edit/", "/contracts/vendors/"),
        ("/contracts/", "/contracts/"),
        ("/", "/"),
    ],
)
def test_only_the_longest_matching_entry_is_active(
    users: dict[str, Any], path: str, expected: str
) -> None:
    items = menu_for(users[Role.ASSESSOR], path)
    assert [i.url for i in items if i.active] == [expected]


@pytest.mark.django_db
def test_security_admin_home_links_to_locked_accounts(users: dict[str, Any], login: Any) -> None:
    client = login(users[Role.SECURITY_ADMIN])
    body = client.get("/").content.decode()
    assert 'href="/accounts/users/?status=locked"' in body


@pytest.mark.django_db
def test_each_role_sees_its_entries(users: dict[str, Any]) -> None:
    from django.urls import reverse

    def menu(role: str) -> list[str]:
        return [i.url for i in menu_for(users[role], "/")]

    common = ["core:home", "contracts:list"]
    own = ["accounts:password", "accounts:token"]
    engineer = [*common, "tickets:mine", "staff:list", "attendance:index", "incidents:list"]
    engineer += ["incidents:rectifications", "incidents:deliveries", "incidents:praise", *own]
    expected = {
        Role.VENDOR_ENGINEER: engineer,
        Role.RECIPIENT: [*common, "tickets:unit", "attendance:index", "incidents:rate", *own],
        Role.AUDIT_ADMIN: ["core:home", "audit:list", *own],
    }
    for role, names in expected.items():
        assert menu(role) == [reverse(n) for n in names], role
    # The vendor manager: the business pages, not the bureau's registers or evaluations.
    manager = menu(Role.VENDOR_MANAGER)
    for name in ("tickets:board", "ledger:index", "settlement:index", "acceptance:index"):
        assert reverse(name) in manager
    for name in ("contracts:vendors", "incidents:campaigns", "tickets:refused_mail"):
        assert reverse(name) not in manager
    assert reverse("incidents:campaigns") in menu(Role.SUPERVISOR)
