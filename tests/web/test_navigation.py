from __future__ import annotations

from typing import Any

import pytest

from opsqm.infra.core.navigation import menu_for
from opsqm.infra.core.roles import Role


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

    engineer = ["home:home", "tickets:mine", "tickets_print:verify", "staff:list"]
    engineer += ["attendance:index", "incidents:list"]
    engineer += ["incidents:rectifications", "incidents:changes", "incidents:deliveries"]
    engineer += ["incidents:force_majeure_list", "incidents:praise"]
    engineer += ["contracts:list"]
    recipient = ["home:home", "tickets:unit", "attendance:index", "incidents:rate"]
    expected = {
        Role.VENDOR_ENGINEER: engineer,
        Role.RECIPIENT: [*recipient, "contracts:list"],
        Role.AUDIT_ADMIN: ["home:home", "audit:list"],
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


@pytest.mark.django_db
def test_entries_are_grouped_by_topic_and_a_lone_entry_stands_alone(
    users: dict[str, Any],
) -> None:
    from django.utils import translation

    from opsqm.infra.core.navigation import menu_groups

    def bar(role: str) -> list[tuple[str | None, list[str]]]:
        groups = menu_groups(menu_for(users[role], "/incidents/praise/"))
        with translation.override("en"):
            return [(str(g.label) if g.label else None, [i.url for i in g.items]) for g in groups]

    desk = bar(Role.SERVICE_DESK)
    assert desk[0] == (None, ["/"])
    assert desk[1] == (
        "Work orders",
        ["/tickets/", "/tickets/refused-mail/", "/tickets/verify/"],
    )
    assert ("Registers", ["/contracts/", "/contracts/vendors/", "/contracts/units/"]) in desk
    # Every entry once, in menu order.
    assert [u for _, urls in desk for u in urls] == [
        i.url for i in menu_for(users[Role.SERVICE_DESK], "/")
    ]
    # The recipient has one entry per topic: plain links, no drop-downs.
    assert all(label is None for label, _ in bar(Role.RECIPIENT))
    # The group of the page is the active one.
    groups = menu_groups(menu_for(users[Role.ASSESSOR], "/incidents/praise/"))
    with translation.override("en"):
        assert [str(g.label) for g in groups if g.active] == ["Incidents & evaluation"]


@pytest.mark.django_db
def test_password_and_token_are_under_the_user_name(users: dict[str, Any], login: Any) -> None:
    body = login(users[Role.VENDOR_ENGINEER]).get("/").content.decode()
    nav = body[body.index('id="mainnav"') : body.index('class="userbox"')]
    userbox = body[body.index('class="userbox"') :]
    for href in ('href="/accounts/password/"', 'href="/accounts/token/"'):
        assert href not in nav
        assert href in userbox


@pytest.mark.django_db
def test_the_written_menu_is_the_roles_menu_in_the_pages_language(users: dict[str, Any]) -> None:
    """`menu_html` is kept per role, language and active entry: what it writes must be
    `menu_for`'s entries, the page's own marked, in the language of the request."""
    import re

    from django.utils import translation

    from opsqm.infra.core.navigation import menu_html

    desk = users[Role.SERVICE_DESK]
    with translation.override("zh-hans"):
        html = menu_html(desk, "/staff/replacements/")
        assert html is menu_html(desk, "/staff/replacements/")  # kept
        expected = [i.url for i in menu_for(desk, "/staff/replacements/")]
        assert re.findall(r'<a href="([^"]+)"', html) == expected
        assert '<a href="/staff/replacements/" class="active" aria-current="page">' in html
        assert '<a href="/staff/">' in html and "人员更换" in html
        assert html.count('class="navgroup active"') == 1
    with translation.override("en"):
        english = menu_html(desk, "/staff/replacements/")
        assert "Replacements" in english and english != html
    with translation.override("zh-hans"):
        assert 'class="active"' not in menu_html(users[Role.RECIPIENT], "/staff/replacements/")
