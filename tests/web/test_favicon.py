"""A favicon: every page links it, and /favicon.ico answers for clients that ask
without reading a page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_pages_link_the_icon_and_favicon_ico_answers(users: Any, login: Any) -> None:
    from opsqm.infra.core.roles import Role

    for page in (Client().get("/accounts/login/"), login(users[Role.SERVICE_DESK]).get("/")):
        html = page.content.decode()
        assert 'rel="icon" href="/static/opsqm/img/favicon.svg"' in html
        assert 'rel="icon" href="/static/opsqm/img/favicon.ico"' in html
    for name in ("favicon.svg", "favicon.ico", "apple-touch-icon.png"):
        assert finders.find(f"opsqm/img/{name}"), name
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file
