"""Every ticket page offers the printed form as PDF and as Word, and the verification
page the printout names (工单 → 核验打印工单) is in the menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("who", ["service_desk", "vendor_engineer", "recipient", "assessor"])
def test_the_ticket_page_has_pdf_and_word_buttons_that_work(
    who: str, dispatched: Any, request: Any
) -> None:
    c = client(request.getfixturevalue(who))
    page = c.get(f"/tickets/{dispatched.pk}/").content.decode()
    bar = re.search(r'<p class="toolbar no-print" id="print-buttons">(.*?)</p>', page, re.S)
    assert bar, "no print buttons"
    links = re.findall(r'href="([^"]+)"', bar.group(1))
    assert f"/tickets/{dispatched.pk}/form.pdf" in links
    assert f"/tickets/{dispatched.pk}/form.docx" in links
    assert "打印工单" in bar.group(1) and "Word" in bar.group(1)
    pdf = c.get(f"/tickets/{dispatched.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = c.get(f"/tickets/{dispatched.pk}/form.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")


@pytest.mark.parametrize("who", ["service_desk", "vendor_engineer", "supervisor"])
def test_the_verification_page_is_in_the_menu(who: str, request: Any) -> None:
    page = client(request.getfixturevalue(who)).get("/").content.decode()
    nav = page[page.index('id="mainnav"') : page.index('class="userbox"')]
    assert 'href="/tickets/verify/"' in nav and "核验打印工单" in nav
