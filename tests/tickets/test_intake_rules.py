"""Issue 12, intake: one number names one ticket across contracts; intake offers and
accepts only the contract in force, the units it serves, the vendor's staff to phone;
a security report names who tested and when, has no phone step, and each finding
keeps its own severity."""

from __future__ import annotations

import dataclasses
import datetime
import email
import email.policy
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from opsqm.facts.contracts.models import Contract, Unit
from opsqm.facts.staff.models import StaffMember
from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import PhoneCall, Ticket
from tests.factories import create_ticket
from tests.tickets.conftest import IN_FORCE, upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _report(contract: Any, desk: Any, **extra: Any) -> Ticket:
    fields = {"reporter": "王警官", "description": "终端黑屏", "priority": "normal"}
    return services.record_intake(contract, user=desk, **(fields | extra))


def _security(contract: Any, desk: Any, **extra: Any) -> Ticket:
    fields: dict[str, Any] = {
        "title": "等保测评报告",
        "report": upload("报告.pdf", PDF),
        "findings": [("弱口令", "high"), ("日志未留存", "low")],
        "testing_org": "北京信息安全测评中心",
        "report_date": timezone.localdate() - datetime.timedelta(days=3),
        "priority": "urgent",
    }
    return services.register_security_report(contract, user=desk, **(fields | extra))


# --- numbers ---------------------------------------------------------------------


def test_the_database_refuses_one_number_in_two_contracts(contract_a: Any, contract_b: Any) -> None:
    create_ticket(contract_a, {"number": "GD-2025-0007"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(contract=contract_b, number="GD-2025-0007", problem="x")


def test_numbers_have_one_format_and_skip_a_number_taken_outside_the_sequence(
    contract_a: Any, contract_b: Any, service_desk: Any
) -> None:
    first = _report(contract_a, service_desk, reported_at=IN_FORCE)
    assert re.fullmatch(r"GD-2025-\d{4}", first.number)
    seq = int(first.number.rsplit("-", 1)[1])
    # registered history took the next number (the demo, an import)
    create_ticket(contract_b, {"number": f"GD-2025-{seq + 1:04d}"})
    second = _report(contract_b, service_desk, reported_at=IN_FORCE)
    assert second.number == f"GD-2025-{seq + 2:04d}"


def test_the_importer_refuses_a_number_of_another_contract_by_name(
    contract_a: Any, contract_b: Any
) -> None:
    from opsqm.derived.evidence.adapter import contract_evidence
    from opsqm.derived.evidence.importer import import_evidence

    sent = timezone.now() - datetime.timedelta(days=1)
    create_ticket(contract_a, {"number": "GD-0001", "dispatched_at": sent})
    evidence = contract_evidence(contract_a)
    # the same ticket number in an evidence log of contract B
    as_b = dataclasses.replace(
        evidence,
        contract=dataclasses.replace(evidence.contract, id=contract_b.code),
        tickets=[dataclasses.replace(t, contract=contract_b.code) for t in evidence.tickets],
    )
    with pytest.raises(ValidationError, match="GD-0001"):
        import_evidence([as_b])
    assert Ticket.objects.filter(number="GD-0001").count() == 1


# --- intake: the contract in force, its units --------------------------------------


def test_an_ended_contract_is_refused_naming_the_field(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        _report(contract_a, service_desk, unit=unit_a)  # now: contract A ended in 2025
    assert set(exc.value.message_dict) == {"contract"}
    assert contract_a.code in exc.value.message_dict["contract"][0]


def test_a_unit_the_contract_does_not_serve_is_refused(
    contract_now: Any, contract_b: Any, service_desk: Any
) -> None:
    other = contract_b.units.get()
    with pytest.raises(ValidationError) as exc:
        _report(contract_now, service_desk, unit=other)
    assert set(exc.value.message_dict) == {"unit"}
    assert other.name in exc.value.message_dict["unit"][0]


def test_the_priority_has_no_default_in_the_service(contract_now: Any, service_desk: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _report(contract_now, service_desk, priority="")
    assert set(exc.value.message_dict) == {"priority"}
    with pytest.raises(TypeError):  # no default: every caller chooses
        services.record_intake(  # type: ignore[call-arg]
            contract_now, user=service_desk, reporter="王", description="x"
        )


def _options(page: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no {name} field"
    return {
        v: label
        for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
        if v
    }


def test_the_intake_pages_offer_the_contracts_in_force_and_narrow_the_units(
    contract_a: Any, contract_b: Any, contract_now: Any, unit_a: Any, service_desk: Any
) -> None:
    extra = Unit.objects.create(name="第三监狱")
    contract_now.units.add(extra)
    desk = client(service_desk)
    for path in ("/tickets/new/", "/tickets/security/new/"):
        page = desk.get(path).content.decode()
        contracts = _options(page, "contract")
        assert list(contracts) == [str(contract_now.pk)]  # contract A and B ended
        # the only contract in force is chosen, so its units only
        assert set(_options(page, "unit")) == {str(unit_a.pk), str(extra.pk)}
        # the contract select asks the page again for the chosen contract's units
        select = re.search(r'<select name="contract"[^>]*>', page)
        assert select and f'hx-get="{path}"' in select[0] and 'hx-select="#unit-field"' in select[0]
    # a second contract in force (unit B's): none is chosen in advance, every offered
    # contract's units are listed until one is
    other = Contract.objects.create(
        code="BJJY-NOW-002",
        title="第二监狱运维（续）",
        vendor=contract_b.vendor,
        amount=contract_b.amount,
        final_payment=contract_b.final_payment,
        start=contract_now.start,
        end=contract_now.end,
    )
    other.units.add(contract_b.units.get())
    page = desk.get("/tickets/new/").content.decode()
    assert set(_options(page, "contract")) == {str(contract_now.pk), str(other.pk)}
    assert "selected" not in re.search(r'<select name="contract".*?</select>', page, re.S)[0]
    assert len(_options(page, "unit")) == 3
    narrowed = desk.get("/tickets/new/", {"contract": other.pk, "unit": unit_a.pk})
    units = _options(narrowed.content.decode(), "unit")
    assert list(units) == [str(contract_b.units.get().pk)]  # unit A dropped: not other's
    assert units[str(contract_b.units.get().pk)].endswith(f"({other.code})")
    # an ended contract asked for is not offered
    ended = desk.get("/tickets/new/", {"contract": contract_b.pk}).content.decode()
    assert str(contract_b.pk) not in _options(ended, "contract")


def test_the_intake_page_refuses_a_unit_of_another_contract_and_a_missing_contract(
    contract_now: Any, contract_b: Any, service_desk: Any
) -> None:
    desk = client(service_desk)
    data = {"reporter": "王警官", "description": "终端黑屏", "priority": "normal"}
    other = contract_b.units.get()
    page = desk.post("/tickets/new/", data | {"contract": contract_now.pk, "unit": other.pk})
    assert page.status_code == 200 and not Ticket.objects.exists()
    assert f"{other.name}" in page.content.decode() and "不服务" in page.content.decode()
    page = desk.post("/tickets/new/", data)
    assert page.status_code == 200 and not Ticket.objects.exists()
    assert "合同：请选择合同" in page.content.decode()


def test_the_intake_page_names_an_ended_contract(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    data = {"reporter": "王警官", "description": "终端黑屏", "priority": "normal"}
    page = client(service_desk).post("/tickets/new/", data | {"contract": contract_a.pk})
    text = page.content.decode()
    assert not Ticket.objects.exists()
    assert contract_a.code in text and "不在服务期内" in text
    # the refused form keeps the contract it was sent with
    assert re.search(rf'<option value="{contract_a.pk}" selected>', text)


# --- the phone call: the vendor's staff, labelled fields ---------------------------


def test_the_desk_picks_the_engineer_from_the_vendor_staff(
    contract_now: Any, unit_a: Any, service_desk: Any
) -> None:
    today = timezone.localdate()
    StaffMember.objects.create(
        contract=contract_now, person="S01", name="李工", entered_on=today - datetime.timedelta(10)
    )
    StaffMember.objects.create(
        contract=contract_now,
        person="S02",
        name="已离场",
        entered_on=today - datetime.timedelta(20),
        left_on=today - datetime.timedelta(2),
    )
    t = _report(contract_now, service_desk, unit=unit_a)
    desk = client(service_desk)
    page = desk.get(f"/tickets/{t.pk}/").content.decode()
    staff = _options(page, "person")
    assert staff == {"李工": "李工 (S01)"}  # who left is not offered
    # the call's time has a visible label, not only an aria-label
    assert re.search(r'<label>[^<]+<br><input type="datetime-local" name="called_at"', page)
    assert 'name="person_other"' in page  # the typed fallback
    desk.post(f"/tickets/{t.pk}/call/", {"person": "李工", "outcome": "需派单"})
    desk.post(f"/tickets/{t.pk}/call/", {"person": "", "person_other": "厂家 张工", "outcome": "x"})
    assert sorted(PhoneCall.objects.values_list("person", flat=True)) == ["厂家 张工", "李工"]


# --- security reports ------------------------------------------------------------


def test_a_security_report_names_who_tested_and_a_sensible_date(
    contract_now: Any, service_desk: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        _security(contract_now, service_desk, testing_org=" ", report_date=None)
    assert set(exc.value.message_dict) == {"testing_org", "report_date"}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _security(contract_now, service_desk, report_date=tomorrow)
    assert set(exc.value.message_dict) == {"report_date"}  # after its receipt
    before = contract_now.start - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _security(contract_now, service_desk, report_date=before)
    assert set(exc.value.message_dict) == {"report_date"}  # before the contract
    t = _security(contract_now, service_desk)
    assert t.testing_org == "北京信息安全测评中心" and t.report_date is not None
    api = client(service_desk).get(f"/api/v1/tickets/{t.pk}/").json()
    assert api["testing_org"] == "北京信息安全测评中心"
    assert api["report_date"] == f"{t.report_date:%Y-%m-%d}"


def test_a_security_report_has_no_phone_step_and_its_findings_keep_their_severity(
    contract_now: Any, service_desk: Any
) -> None:
    t = _security(contract_now, service_desk)  # urgent, findings high and low
    with pytest.raises(ValidationError):
        services.log_vendor_call(
            t, user=service_desk, called_at=timezone.now(), person="李工", outcome="x"
        )
    page = client(service_desk).get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="phone-card"' not in page and f"/tickets/{t.pk}/call/" not in page
    assert 'id="security-dispatch"' in page and 'value="dispatch"' in page
    assert "北京信息安全测评中心" in page and f"{t.report_date:%Y-%m-%d}" in page
    rows = re.findall(r"<tr><td>(弱口令|日志未留存)</td><td>([^<]+)</td>", page)
    assert rows == [("弱口令", "高"), ("日志未留存", "低")]
    services.dispatch(t, user=service_desk)
    t.refresh_from_db()
    mail = email.message_from_bytes(t.dispatch_message.raw_bytes(), policy=email.policy.default)
    body = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "检测机构 Testing organisation: 北京信息安全测评中心" in body
    assert f"报告日期 Report date: {t.report_date:%Y-%m-%d}" in body
    # each finding with its own severity, whatever the ticket's priority (urgent)
    assert re.search(r"- \[(高|High)\] 弱口令", body) and re.search(
        r"- \[(低|Low)\] 日志未留存", body
    )


def test_the_security_form_preselects_no_severity_nor_priority(service_desk: Any) -> None:
    page = client(service_desk).get("/tickets/security/new/").content.decode()
    for select in re.findall(r'<select name="(?:severity|priority)".*?</select>', page, re.S):
        assert "selected" not in select
    assert 'name="testing_org"' in page and 'type="date" name="report_date"' in page
