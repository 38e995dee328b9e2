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
