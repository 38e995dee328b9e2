"""Single sign-on in the browser: OpsQM's login page → the identity platform's own
login page (the test OIDC provider process, tests/identity/oidc_provider) → back in
OpsQM, logged in with the role the platform's groups give."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, screenshot
from tests.identity import provider as provider_module
from tests.identity.conftest import apply_oidc, oidc_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_sign_on_through_the_platforms_page(
    open_page: Any,
    oidc_server: Any,  # noqa: F811
    settings: Any,
) -> None:
    from opsqm.infra.accounts.models import Source, User
    from opsqm.infra.core.roles import Role

    apply_oidc(settings, oidc_server.env())
    page = open_page(DESKTOP)
    page.watch.allow_origin(oidc_server.url)
    page.goto("/accounts/login/")
    screenshot(page, "login-with-sso")
    page.click("#sso-login")
    page.wait_for_selector("#provider-login")
    assert page.url.startswith(oidc_server.url + "/login/")
    page.fill("#provider-username", "zhou.min")
    page.fill("#provider-password", provider_module.PASSWORD)
    page.click("#provider-submit")
    page.wait_for_url(lambda url: url.startswith(page.watch.base_url) and "/accounts/" not in url)
    assert page.locator("#mainnav").count() == 1  # logged in: the menu is there
    user = User.objects.get(username="zhou.min")
    assert (user.source, user.role, user.full_name) == (Source.OIDC, Role.ASSESSOR, "周敏")
    assert "周敏" in page.content()
    screenshot(page, "home-after-sso")
