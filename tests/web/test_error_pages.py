"""Django's 400/403/404/500 pages in Chinese with the site's layout; /incidents/new/
without a contract offers the contracts to choose from instead of a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_404_is_chinese_with_the_menu(assessor: Any, login: Any) -> None:
    resp = login(assessor).get("/no-such-page/")
    html = resp.content.decode()
    assert resp.status_code == 404
    assert "页面不存在" in html and 'class="topbar"' in html and 'id="mainnav"' in html
    assert "Not Found" not in html


def test_403_is_chinese_with_the_menu(recipient: Any, login: Any) -> None:
    resp = login(recipient).get("/incidents/new/")
    html = resp.content.decode()
    assert resp.status_code == 403
    assert "无权访问" in html and 'id="mainnav"' in html


def test_500_and_400_are_chinese() -> None:
    request = RequestFactory().get("/")
    html = defaults.server_error(request).content.decode()
    assert "服务器错误" in html and "opsqm.css" in html
    bad = defaults.bad_request(request, Exception("x"))
    assert bad.status_code == 400 and "请求无效" in bad.content.decode()


def test_new_incident_without_contract_offers_a_picker(
    assessor: Any, contract_a: Any, contract_b: Any, login: Any
) -> None:
    resp = login(assessor).get("/incidents/new/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert f"?contract={contract_a.pk}" in html and f"?contract={contract_b.pk}" in html
    assert login(assessor).get(f"/incidents/new/?contract={contract_a.pk}").status_code == 200
