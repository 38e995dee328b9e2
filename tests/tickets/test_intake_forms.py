"""No silent default that costs points: the desk chooses the priority on intake and on
a security report's registration.  Nothing typed is lost: a refused upload brings the
form back filled in, the message naming the file and why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opsqm.facts.tickets.models import Ticket
from tests.tickets.conftest import PNG

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _priority_select(page: str) -> str:
    found = re.search(r'<select name="priority"[^>]*>.*?</select>', page, re.S)
    assert found, "no priority field"
    return found.group(0)


@pytest.mark.parametrize("path", ["/tickets/new/", "/tickets/security/new/"])
def test_priority_has_no_preselected_value(path: str, service_desk: Any) -> None:
    select = _priority_select(client(service_desk).get(path).content.decode())
    assert "required" in select.split(">")[0]
    assert re.search(r'<option value="">[^<]+</option>', select)
    assert "selected" not in select


def _intake(contract: Any, unit: Any, **extra: Any) -> dict[str, Any]:
    return {
        "contract": contract.pk,
        "unit": unit.pk,
        "reporter": "王警官",
        "phone": "010-1234",
        "system": "执法终端 T-07",
        "title": "终端黑屏",
        "description": "开机后黑屏，无法登录",
        **extra,
    }


def test_intake_without_priority_is_refused_naming_it(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    page = client(service_desk).post("/tickets/new/", _intake(contract_a, unit_a))
    assert page.status_code == 200 and not Ticket.objects.exists()
    text = page.content.decode()
    assert "请选择优先级（紧急或普通）" in text  # the error names the field
    assert 'value="王警官"' in text and "开机后黑屏，无法登录" in text


def test_security_report_without_priority_is_refused(contract_a: Any, service_desk: Any) -> None:
    report = SimpleUploadedFile("检测报告.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    data = {"contract": contract_a.pk, "title": "等保测评报告", "report": report}
    data |= {"finding": ["弱口令"], "severity": ["high"]}
    page = client(service_desk).post("/tickets/security/new/", data)
    assert page.status_code == 200 and not Ticket.objects.exists()
    assert "请选择优先级（紧急或普通）" in page.content.decode()


def test_a_refused_attachment_keeps_what_was_typed_and_names_the_file(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    bad = SimpleUploadedFile("setup.exe", b"MZ\x90\x00 not a photo")
    data = _intake(contract_a, unit_a, priority="urgent", attachments=[bad])
    page = client(service_desk).post("/tickets/new/", data)
    assert page.status_code == 200 and not Ticket.objects.exists()
    text = page.content.decode()
    assert "setup.exe" in text and "不接受" in text  # which file, and why
    for typed in ("王警官", "010-1234", "执法终端 T-07", "终端黑屏"):
        assert f'value="{typed}"' in text
    assert "开机后黑屏，无法登录" in text
    assert re.search(r'<option value="urgent" selected>', text)
    assert re.search(rf'<option value="{unit_a.pk}" selected>', text)


def test_a_refused_security_report_keeps_the_findings(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    bad = SimpleUploadedFile("报告.png", PNG)  # a picture is not a report
    data = {"contract": contract_a.pk, "unit": unit_a.pk, "title": "等保测评报告"}
    data |= {"report": bad, "priority": "normal"}
    data |= {"finding": ["弱口令", "未打补丁"], "severity": ["high", "low"]}
    text = client(service_desk).post("/tickets/security/new/", data).content.decode()
    assert not Ticket.objects.exists()
    assert "报告.png" in text
    assert 'value="弱口令"' in text and 'value="未打补丁"' in text
    assert 'value="等保测评报告"' in text
    assert re.search(r'<option value="low" selected>', text)
    assert re.search(rf'<option value="{unit_a.pk}" selected>', text)


def test_a_refused_screenshot_keeps_the_ticket_form_typed(
    dispatched: Any, vendor_engineer: Any
) -> None:
    c = client(vendor_engineer)
    bad = SimpleUploadedFile("日志.exe", b"MZ\x90\x00")
    data = {"analysis": "证书过期", "steps": "更新证书", "verification": "同步正常"}
    response = c.post(f"/tickets/{dispatched.pk}/work/", {**data, "files": [bad]}, follow=True)
    text = response.content.decode()
    assert "日志.exe" in text  # the message names the file
    dispatched.refresh_from_db()
    assert dispatched.analysis == ""  # nothing half-written
    for typed in data.values():
        assert typed in text  # …and the form shows what was typed
    # Shown once: the next visit shows the ticket's own (empty) form.
    again = c.get(f"/tickets/{dispatched.pk}/").content.decode()
    assert "证书过期" not in again
