"""Issue 16 §2: the agreements of 合同 七 and the staff pledges (附件二) before entry
verification; the staff list of 六(二)1 as a delivery and its comparison with the
register; who applies for praise (第二十条); a rectification notice received at its
mail's server time (六(一)2, 第二十一条三)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from opsqm.facts.contracts import services as contracts
from opsqm.facts.contracts.models import SignedAgreement
from opsqm.facts.incidents import services
from opsqm.facts.incidents.models import PraiseApplication, RectificationNotice, ServiceDelay
from opsqm.facts.incidents.rectification import (
    link_rectification_mail,
    send_rectification,
)
from opsqm.facts.incidents.stafflist import (
    compare_staff_list,
    staff_list_delivery,
    submit_staff_list,
)
from opsqm.facts.staff import services as staff
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.uploads import as_upload
from opsqm.infra.mail.hooks import notify_server_time
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 scan"
CHECKS = {"id_card_checked": True, "resume_checked": True, "degree_or_certificate_checked": True}


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, mo, d, h, mi, tzinfo=TZ)


def actions(name: str) -> int:
    return AuditRecord.objects.filter(action=name).count()


# --- 合同 七: the agreements ---------------------------------------------------------


def test_an_agreement_is_recorded_with_its_scan_and_a_sensible_day(
    contract_a: Any, assessor: Any
) -> None:
    with pytest.raises(ValidationError) as e:  # no scan
        contracts.record_agreement(
            contract_a, "confidentiality", {"signed_on": datetime.date(2025, 1, 2)}, assessor
        )
    assert "scan" in e.value.message_dict
    with pytest.raises(ValidationError) as e:  # after the period
        contracts.record_agreement(
            contract_a,
            "integrity",
            {"signed_on": datetime.date(2026, 1, 2), "scan": as_upload(PDF, "廉洁.pdf")},
            assessor,
        )
    assert "2025-12-31" in e.value.message_dict["signed_on"][0]  # names the period's end
    with pytest.raises(ValidationError) as e:  # not a scan
        contracts.record_agreement(
            contract_a,
            "integrity",
            {"signed_on": datetime.date(2025, 1, 2), "scan": as_upload(b"MZ\x90\x00", "a.pdf")},
            assessor,
        )
    assert "scan" in e.value.message_dict
    a = contracts.record_agreement(
        contract_a,
        "confidentiality",
        {"signed_on": datetime.date(2024, 12, 20), "scan": as_upload(PDF, "保密.pdf")},
        assessor,
    )
    assert a.recorded_by == assessor and actions("contract.agreement") == 1
    # recording again corrects the day and keeps the scan
    contracts.record_agreement(
        contract_a, "confidentiality", {"signed_on": datetime.date(2024, 12, 21)}, assessor
    )
    a.refresh_from_db()
    assert a.signed_on == datetime.date(2024, 12, 21) and a.scan
    assert SignedAgreement.objects.filter(contract=contract_a).count() == 1
    kinds = [(k, rec is not None) for k, _l, rec in contracts.agreements_of(contract_a)]
    assert kinds == [("confidentiality", True), ("integrity", False)]


def test_agreement_pages(contract_a: Any, assessor: Any, vendor_manager: Any, login: Any) -> None:
    url = f"/contracts/{contract_a.pk}/agreements/confidentiality/"
    assert login(vendor_manager).get(url).status_code == 403
    r = login(assessor).post(
        url, {"signed_on": "2025-01-03", "scan": as_upload(PDF, "保密协议.pdf")}
    )
    assert r.status_code == 302
    page = login(vendor_manager).get(f"/contracts/{contract_a.pk}/").content.decode()
    assert "2025-01-03" in page
    got = login(vendor_manager).get(f"{url}file/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    r = login(assessor).post(url, {"signed_on": "2099-01-01"})  # in the future: form error
    assert r.status_code == 200 and "2099-01-01" in r.content.decode()
    assert SignedAgreement.objects.get(contract=contract_a).signed_on == datetime.date(2025, 1, 3)


# --- 附件二: the pledge before entry verification ---------------------------------------


def _person(contract: Any, code: str = "P01", name: str = "张工", **extra: Any) -> Any:
    data = {"person": code, "name": name, "entered_on": datetime.date(2025, 1, 1), **extra}
    return staff.register_staff(contract, data)


def test_entry_verification_needs_the_signed_pledge(contract_a: Any, assessor: Any) -> None:
    p = _person(contract_a)
    with pytest.raises(ValidationError) as e:
        staff.record_verification(p, {"verified_on": datetime.date(2025, 1, 1), **CHECKS})
    assert "保密承诺书" in str(e.value)
    with pytest.raises(ValidationError) as e:  # a day without its scan
        staff.update_staff(p, {"pledge_signed_on": datetime.date(2025, 1, 1)})
    assert "pledge_scan" in e.value.message_dict
    p.refresh_from_db()
    with pytest.raises(ValidationError) as e:  # a day in the future
        staff.update_staff(
            p,
            {"pledge_signed_on": timezone.localdate() + datetime.timedelta(days=3),
             "pledge_scan": as_upload(PDF, "承诺书.pdf")},
        )  # fmt: skip
    assert "pledge_signed_on" in e.value.message_dict
    p.refresh_from_db()
    staff.update_staff(
        p, {"pledge_signed_on": datetime.date(2025, 1, 2), "pledge_scan": as_upload(PDF, "p.pdf")}
    )
    with pytest.raises(ValidationError) as e:  # verified before the pledge was signed
        staff.record_verification(p, {"verified_on": datetime.date(2025, 1, 1), **CHECKS})
    assert "verified_on" in e.value.message_dict
    v = staff.record_verification(p, {"verified_on": datetime.date(2025, 1, 2), **CHECKS})
    assert v.verified_on == datetime.date(2025, 1, 2)


def test_the_verification_page_says_the_pledge_is_missing(
    contract_a: Any, assessor: Any, login: Any
) -> None:
    p = _person(contract_a)
    r = login(assessor).post(
        f"/staff/{p.pk}/verify/",
        {"verified_on": "2025-01-01", **{k: "on" for k in CHECKS}},
    )
    assert r.status_code == 200 and "保密承诺书" in r.content.decode()


def test_the_register_shows_who_lacks_a_pledge(
    contract_a: Any, assessor: Any, service_desk: Any, login: Any
) -> None:
    _person(contract_a, "P01", "张工")
    _person(
        contract_a,
        "P02",
        "李工",
        pledge_signed_on=datetime.date(2025, 1, 1),
        pledge_scan=as_upload(PDF, "p.pdf"),
    )
    page = login(service_desk).get(f"/staff/?contract={contract_a.pk}&no_pledge=1")
    body = page.content.decode()
    assert "张工" in body and "李工" not in body
    full = login(service_desk).get(f"/staff/?contract={contract_a.pk}").content.decode()
    assert "no pledge" in full or "无保密承诺书" in full


# --- 合同 六(二)1: the staff list ---------------------------------------------------------


def _register(vendor: Any, unit: Any, signed_on: datetime.date | None) -> Any:
    data: dict[str, Any] = {
        "code": "C-7",
        "title": "t",
        "vendor": vendor,
        "amount": "100000.00",
        "final_payment": "25000.00",
        "start": datetime.date(2025, 1, 1),
        "end": datetime.date(2025, 12, 31),
    }
    if signed_on:
        data["signed_on"] = signed_on
    return contracts.create_contract(data, [unit])


def test_registering_a_contract_creates_the_staff_list_delivery(vendor_a: Any, unit_a: Any) -> None:
    c = _register(vendor_a, unit_a, datetime.date(2024, 12, 28))
    d = staff_list_delivery(c)
    assert d is not None and (d.kind, d.basis_on, d.due) == (
        "staff_list",
        datetime.date(2024, 12, 28),
        datetime.date(2024, 12, 29),
    )
    assert d.clause == "合同 六(二)1"
    assert c.payment_plan.signed_on == datetime.date(2024, 12, 28)  # one signing day
    # a correction of the signing day moves it, and creates no second one
    from opsqm.derived.payments.services import set_signed_on

    set_signed_on(c, datetime.date(2024, 12, 30))
    d.refresh_from_db()
    assert d.due == datetime.date(2024, 12, 31)
    assert ServiceDelay.objects.filter(contract=c, kind="staff_list").count() == 1


def test_without_a_signing_day_there_is_no_delivery_yet(vendor_a: Any, unit_a: Any) -> None:
    assert staff_list_delivery(_register(vendor_a, unit_a, None)) is None


def test_a_signing_day_in_the_future_is_refused(vendor_a: Any, unit_a: Any) -> None:
    with pytest.raises(ValidationError) as e:
        _register(vendor_a, unit_a, timezone.localdate() + datetime.timedelta(days=2))
    assert "signed_on" in e.value.message_dict


def _workbook(rows: list[list[str]]) -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return as_upload(buf.getvalue(), "名单.xlsx")


def test_the_submitted_list_is_compared_with_the_register(
    vendor_a: Any, unit_a: Any, vendor_manager: Any
) -> None:
    c = _register(vendor_a, unit_a, datetime.date(2024, 12, 28))
    _person(c, "P01", "张工")
    _person(c, "P02", "李工")
    gone = _person(c, "P03", "王工")
    staff.update_staff(gone, {"left_on": datetime.date(2025, 1, 1)})
    d = staff_list_delivery(c)
    assert d is not None
    sub = submit_staff_list(
        d,
        {"file": _workbook([["驻场人员名单"], ["编号", "姓名", "电话"], ["P01", "张工", "138"],
                            ["", "赵工", "139"]])},
        vendor_manager,
        at(2025, 1, 2, 10),
    )  # fmt: skip
    d.refresh_from_db()
    assert d.delivered == datetime.date(2025, 1, 2)  # the first submission delivers it
    cmp = compare_staff_list(sub)
    assert [s.person for _e, s in cmp.matched] == ["P01"]
    assert [e["name"] for e in cmp.listed_only] == ["赵工"]
    assert [s.person for s in cmp.registered_only] == ["P02"]  # P03 had left
    assert not cmp.agrees
    # a corrected list (typed from a scan) does not move the delivered day
    again = submit_staff_list(d, {"lines": "P01 张工\nP02 李工"}, vendor_manager, at(2025, 1, 5))
    d.refresh_from_db()
    assert d.delivered == datetime.date(2025, 1, 2) and compare_staff_list(again).agrees
    with pytest.raises(ValidationError):
        submit_staff_list(d, {"lines": "  "}, vendor_manager)


def test_staff_list_pages(
    vendor_a: Any, unit_a: Any, vendor_manager: Any, assessor: Any, login: Any, users: Any
) -> None:
    c = _register(vendor_a, unit_a, datetime.date(2024, 12, 28))
    _person(c, "P01", "张工")
    d = staff_list_delivery(c)
    assert d is not None
    url = f"/incidents/deliveries/{d.pk}/staff-list/"
    r = login(vendor_manager).post(url, {"lines": "P01 张工\n钱工"})
    assert r.status_code == 302
    page = login(assessor).get(url).content.decode()
    assert "钱工" in page
    assert login(users["recipient"]).get(url).status_code == 403
    assert login(users["service_desk"]).post(url, {"lines": "x"}).status_code == 403
    api = login(assessor).get(f"/api/v1/deliveries/{d.pk}/staff-list/").json()
    assert [e["name"] for e in api["listed_only"]] == ["钱工"]


# --- 第二十条: who applies for praise --------------------------------------------------


def _praise(contract: Any, user: Any, level: str, scan: bool = True) -> PraiseApplication:
    data: dict[str, Any] = {
        "event": "E-5",
        "level": level,
        "praised_on": datetime.date(2025, 5, 1),
        "description": "保障",
    }
    if scan:
        data["stamped_scan"] = as_upload(PDF, "盖章.pdf")
    return services.apply_praise(contract, data, user)


@pytest.mark.parametrize(
    ("role", "level", "allowed"),
    [
        ("recipient", "service_unit", True),
        ("recipient", "main_leader", False),
        ("recipient", "leader_in_charge", False),
        ("vendor_manager", "service_unit", False),
        ("vendor_engineer", "service_unit", False),
        ("vendor_manager", "main_leader", True),
        ("vendor_engineer", "leader_in_charge", True),
        ("assessor", "main_leader", False),
        ("service_desk", "service_unit", False),
    ],
)
def test_who_may_apply_for_what(
    contract_a: Any, users: Any, role: str, level: str, allowed: bool
) -> None:
    if allowed:
        assert _praise(contract_a, users[role], level).status == "applied"
    else:
        with pytest.raises(ValidationError) as e:
            _praise(contract_a, users[role], level)
        assert "level" in e.value.message_dict


def test_a_unit_applies_only_with_its_seal_and_for_its_own_contract(
    contract_a: Any, contract_b: Any, recipient: Any
) -> None:
    with pytest.raises(ValidationError) as e:
        _praise(contract_a, recipient, "service_unit", scan=False)
    assert "stamped_scan" in e.value.message_dict
    with pytest.raises(ValidationError):
        _praise(contract_b, recipient, "service_unit")  # B does not serve unit A


def test_the_praise_pages_by_role(
    contract_a: Any, recipient: Any, vendor_manager: Any, login: Any
) -> None:
    url = f"/incidents/praise/apply/?contract={contract_a.pk}"
    form = login(recipient).get(url).content.decode()
    assert 'value="service_unit"' in form and 'value="main_leader"' not in form
    vform = login(vendor_manager).get(url).content.decode()
    assert 'value="main_leader"' in vform and 'value="service_unit"' not in vform
    r = login(recipient).post(
        url,
        {
            "event": "E-8",
            "level": "service_unit",
            "praised_on": "2025-05-03",
            "description": "及时",
            "stamped_scan": as_upload(PDF, "章.pdf"),
        },
    )
    assert r.status_code == 302
    assert PraiseApplication.objects.get(event="E-8").unit == recipient.unit
    assert login(recipient).get("/incidents/praise/").status_code == 200


# --- 合同 六(一)2: the notice's mail starts the 5 days -------------------------------------


def _mailed(contract: Any, user: Any, track: bool = False) -> RectificationNotice:
    return send_rectification(
        contract,
        {"code": "ZG-9", "subject": "巡检", "description": "补齐巡检记录"},
        user,
        track_delivery=track,
    )


def test_a_mailed_notice_is_due_five_days_after_the_servers_receive_time(
    contract_a: Any, assessor: Any
) -> None:
    n = _mailed(contract_a, assessor, track=True)
    assert n.mail is not None and n.mail.to == [contract_a.vendor.intranet_mailbox]
    assert (n.received_on, n.due, n.delivery) == (None, None, None)
    assert not n.overdue(datetime.date(2030, 1, 1))  # not received: not running
    outbound = n.mail
    outbound.server_received_at = at(2025, 3, 10, 23, 50)  # late evening, Beijing time
    outbound.save()
    assert notify_server_time(outbound) >= 1
    n.refresh_from_db()
    assert n.received_at == at(2025, 3, 10, 23, 50)
    assert (n.received_on, n.due) == (datetime.date(2025, 3, 10), datetime.date(2025, 3, 15))
    assert n.delivery is not None and n.delivery.due == datetime.date(2025, 3, 15)
    assert actions("rectification.received") == 1
    notify_server_time(outbound)  # idempotent
    assert actions("rectification.received") == 1


def test_a_notice_is_linked_to_a_mail_sent_to_the_vendor(contract_a: Any, assessor: Any) -> None:
    from opsqm.infra.mail.services import prepare_message

    paper = {"code": "ZG-3", "subject": "s", "description": "d"}
    n = services.issue_rectification(
        contract_a, {**paper, "received_on": datetime.date(2025, 3, 1)}, assessor
    )
    elsewhere = prepare_message(to=["someone@else.example"], subject="x", body="y")
    with pytest.raises(ValidationError):
        link_rectification_mail(n, elsewhere.message_id, assessor)
    with pytest.raises(ValidationError):
        link_rectification_mail(n, "<nothing@here>", assessor)
    sent = prepare_message(to=[contract_a.vendor.intranet_mailbox], subject="整改", body="d")
    sent.server_received_at = at(2025, 3, 3, 9)
    sent.save()
    link_rectification_mail(n, sent.message_id, assessor)
    n.refresh_from_db()
    assert (n.mail, n.received_on, n.due) == (
        sent,
        datetime.date(2025, 3, 3),
        datetime.date(2025, 3, 8),
    )


def test_the_mail_is_linked_on_the_notice_page(
    contract_a: Any, assessor: Any, vendor_manager: Any, login: Any
) -> None:
    from opsqm.infra.mail.services import prepare_message

    paper = {"code": "ZG-6", "subject": "s", "description": "d"}
    n = services.issue_rectification(
        contract_a, {**paper, "received_on": datetime.date(2025, 3, 1)}, assessor
    )
    sent = prepare_message(to=[contract_a.vendor.intranet_mailbox], subject="整改", body="d")
    url = f"/incidents/rectifications/{n.pk}/mail/"
    assert login(vendor_manager).post(url, {"message_id": sent.message_id}).status_code == 403
    bad = login(assessor).post(url, {"message_id": "<none@x>"})
    assert bad.status_code == 200 and RectificationNotice.objects.get(pk=n.pk).mail is None
    assert login(assessor).post(url, {"message_id": sent.message_id}).status_code == 302
    n.refresh_from_db()
    assert n.mail == sent and actions("rectification.mail") == 1


def test_a_paper_notice_needs_its_receive_day(contract_a: Any, assessor: Any) -> None:
    with pytest.raises(ValidationError) as e:
        services.issue_rectification(
            contract_a, {"code": "ZG-4", "subject": "s", "description": "d"}, assessor
        )
    assert "received_on" in e.value.message_dict


def test_the_rectification_page_mails_the_notice(
    contract_a: Any, assessor: Any, vendor_manager: Any, login: Any
) -> None:
    r = login(assessor).post(
        f"/incidents/rectifications/new/?contract={contract_a.pk}",
        {"code": "ZG-5", "subject": "s", "description": "d", "send_mail": "on"},
    )
    assert r.status_code == 302
    n = RectificationNotice.objects.get(code="ZG-5")
    assert n.mail is not None
    page = login(vendor_manager).get(f"/incidents/rectifications/{n.pk}/").content.decode()
    assert n.mail.message_id.strip("<>") in page
