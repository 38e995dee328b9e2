"""第二十一条 in full (issue 15 §2), against the real loopback mail server: system
change notices mailed to the vendors concerned, each recipient's server receive time
and replies (a stranger's reply and an automatic reply do not count); incident
instructions and the minutes of 第十四条五 on the incident's timeline and evidence;
the manager's copies of rectification notices and the settlement statement."""

from __future__ import annotations

import datetime
import email.utils
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from opsqm.facts.incidents import mailing
from opsqm.facts.incidents import services as inc_services
from opsqm.facts.incidents.models import ChangeNotice, NoticeMail, NoticeReply
from opsqm.facts.incidents.timeline import incident_timeline
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.mail.models import InboundMessage
from opsqm.infra.mail.services import poll_mailbox
from opsqm.pure.assessment.model import TZ
from tests.tickets.test_mail_flow import run_jobs

pytestmark = pytest.mark.django_db

MANAGER = "manager-a@bureau.test"


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)  # type: ignore[misc]


WINDOW = {
    "system": "监狱管理信息系统",
    "window_start": at(2025, 6, 7, 22),
    "window_end": at(2025, 6, 8, 2),
    "impact": "升级期间系统不可用",
    "contact": "信息化部 王工 010-1234",
    "text": "请各运维单位做好准备。",
}


@pytest.fixture
def live(mailboxes: Any, vendor_a: Any, vendor_b: Any) -> Any:
    """Vendor A's intranet mailbox is the test server's vendor account."""
    vendor_a.intranet_mailbox = mailboxes.vendor_account.address
    vendor_a.manager_mailbox = MANAGER
    vendor_a.save()
    return mailboxes


def _reply(sender: str, ref: str, parent: str = "", headers: str = "", subject: str = "") -> bytes:
    thread = f"In-Reply-To: {parent}\r\nReferences: {parent}\r\n" if parent else ""
    return (
        f"From: {sender}\r\nTo: desk@bureau.test\r\n"
        f"Subject: {subject or f'回复：[{ref}] 已收到'}\r\n"
        f"Message-ID: {email.utils.make_msgid(domain='x.test')}\r\n{thread}{headers}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n已收到。\r\n"
    ).encode()


def _deliver(boxes: Any, *raws: bytes) -> list[InboundMessage]:
    for raw in raws:
        boxes.server.lmtp_deliver(raw, boxes.servicedesk.address)
    new = poll_mailbox().new
    run_jobs()
    return [InboundMessage.objects.get(pk=pk) for pk in new]


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_change_notice_to_each_vendor_with_server_times_and_replies(
    live: Any, contract_a: Any, contract_b: Any, service_desk: Any, vendor_b: Any, users: Any
) -> None:
    notice = mailing.issue_change_notice(WINDOW, [contract_a, contract_b], service_desk)
    assert notice.number.startswith("BG-") and notice.contracts.count() == 2
    run_jobs()
    mail_a = NoticeMail.objects.get(change_notice=notice, contract=contract_a)
    mail_b = NoticeMail.objects.get(change_notice=notice, contract=contract_b)
    for mail in (mail_a, mail_b):
        mail.outbound.refresh_from_db()
        # The server's receive time reached the record by the hook, in seconds.
        assert mail.server_received_at is not None
        assert mail.server_received_at == mail.outbound.server_received_at
        assert f"[{notice.number}]" in mail.outbound.subject
        assert mail.outbound.kind == "change_notice"
    assert mail_a.outbound.to == [live.vendor_account.address]
    assert mail_a.outbound.cc == [MANAGER]
    assert mail_b.outbound.to == [vendor_b.intranet_mailbox]
    parent = mail_a.outbound.message_id
    vendor, stranger, auto, other = _deliver(
        live,
        _reply(live.vendor_account.address, notice.number, parent),
        _reply("someone@elsewhere.test", notice.number, parent),
        _reply(
            live.vendor_account.address, notice.number, parent, "Auto-Submitted: auto-replied\r\n"
        ),
        # Vendor B answers by the subject's tag alone: its own mail's reply.
        _reply(str(vendor_b.intranet_mailbox), notice.number),
    )
    replies = {r.inbound_id: r for r in NoticeReply.objects.all()}
    assert replies[vendor.pk].counted and replies[vendor.pk].mail == mail_a
    assert (replies[stranger.pk].counted, replies[stranger.pk].reason) == (False, "stranger")
    assert (replies[auto.pk].counted, replies[auto.pk].reason) == (False, "auto_reply")
    assert replies[other.pk].counted and replies[other.pk].mail == mail_b
    mail_a.refresh_from_db()
    assert mail_a.replied_at == vendor.server_received_at
    # The mail job may run again: nothing twice.
    assert mailing.handle_inbound(stranger) == "seen"
    assert NoticeReply.objects.count() == 4
    assert AuditRecord.objects.filter(action="change_notice.issue").count() == 1

    page = _client(service_desk).get(f"/incidents/changes/{notice.pk}/").content.decode()
    assert "someone@elsewhere.test" in page and "不计入" in page  # "not counted"
    assert str(vendor_b.intranet_mailbox) in page
    # Vendor A's manager sees the notice and its own vendor's mail only.
    manager_page = _client(users["vendor_manager"]).get(f"/incidents/changes/{notice.pk}/")
    assert manager_page.status_code == 200
    assert str(vendor_b.intranet_mailbox) not in manager_page.content.decode()
    listing = _client(users["vendor_manager"]).get("/incidents/changes/").content.decode()
    assert notice.number in listing and contract_a.code in listing
    assert contract_b.code not in listing
    api = _client(users["vendor_manager"]).get(f"/api/v1/change-notices/{notice.pk}/").json()
    assert api["contracts"] == [contract_a.code] and len(api["mails"]) == 1
    assert api["mails"][0]["replies"][0]["counted"] is True


def test_change_notice_checks_its_window_and_recipients(
    contract_a: Any, contract_b: Any, assessor: Any, vendor_b: Any, vendor_manager: Any
) -> None:
    with pytest.raises(ValidationError) as err:
        mailing.issue_change_notice(
            {**WINDOW, "window_end": at(2025, 6, 7, 21)}, [contract_a], assessor
        )
    assert "window_end" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        mailing.issue_change_notice(
            {**WINDOW, "window_start": at(2024, 6, 1)}, [contract_a], assessor
        )
    assert "window_start" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        mailing.issue_change_notice(WINDOW, [], assessor)
    assert "contracts" in err.value.message_dict
    vendor_b.intranet_mailbox = None
    vendor_b.save()
    with pytest.raises(ValidationError) as err:
        mailing.issue_change_notice(WINDOW, [contract_a, contract_b], assessor)
    assert "乙运维公司" in err.value.message_dict["contracts"][0]
    with pytest.raises(ValidationError):
        mailing.issue_change_notice(WINDOW, [contract_a], vendor_manager)
    assert not ChangeNotice.objects.exists() and not NoticeMail.objects.exists()


def test_change_notice_page_and_api(
    contract_a: Any, contract_b: Any, assessor: Any, service_desk: Any, users: Any
) -> None:
    desk = _client(service_desk)
    form = {
        **{k: v for k, v in WINDOW.items() if not k.startswith("window")},
        "window_start": "2025-06-07T22:00",
        "window_end": "2025-06-07T21:00",
        "contracts": [contract_a.pk],
    }
    bad = desk.post("/incidents/changes/new/", form)
    assert bad.status_code == 200 and not ChangeNotice.objects.exists()
    form["window_end"] = "2025-06-08T02:00"
    ok = desk.post("/incidents/changes/new/", form)
    notice = ChangeNotice.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/incidents/changes/{notice.pk}/"
    assert NoticeMail.objects.filter(change_notice=notice).count() == 1

    api = _client(assessor)
    body = {
        "system": "视频会议系统",
        "window_start": "2025-07-01T20:00:00+08:00",
        "window_end": "2025-07-01T23:00:00+08:00",
        "impact": "会议暂停",
        "contact": "王工",
        "contracts": [contract_b.code],
    }
    created = api.post("/api/v1/change-notices/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["mails"][0]["to"] == ["b-om@bureau.local"]
    manager = _client(users["vendor_manager"])
    assert (
        manager.post("/api/v1/change-notices/", body, content_type="application/json").status_code
        == 403
    )
    # Vendor A's manager sees the notice for contract A only.
    listed = manager.get("/api/v1/change-notices/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["number"] for r in rows] == [notice.number]
    assert manager.get(f"/api/v1/change-notices/{created.json()['id']}/").status_code == 404


def test_incident_instruction_and_minutes_on_timeline_and_evidence(
    live: Any, contract_a: Any, assessor: Any, service_desk: Any
) -> None:
    incident = inc_services.record_incident(
        contract_a,
        {"code": "SG-07", "title": "核心网络中断", "occurred_at": at(2025, 5, 3, 9)},
        assessor,
    )
    with pytest.raises(ValidationError):
        mailing.send_minutes(incident, assessor)  # no final rating yet
    instruction = mailing.send_instruction(incident, "立即切换备用链路。", service_desk)
    inc_services.record_step(
        incident,
        5,
        {
            "level": 2,
            "conclusion": "二级事故",
            "participants": {"it": "王", "vendor": "李", "supervisor": "赵"},
        },
        assessor,
    )
    minutes = mailing.send_minutes(incident, assessor)
    run_jobs()
    for mail in (instruction, minutes):
        mail.refresh_from_db()
        assert mail.server_received_at is not None
        assert mail.outbound.to == [live.vendor_account.address]
        assert mail.outbound.cc == [MANAGER]
    assert minutes.outbound.kind == "minutes" and "二级事故" in minutes.text
    ref = mailing.incident_ref(incident)
    counted, stranger = _deliver(
        live,
        _reply(live.vendor_account.address, ref, instruction.outbound.message_id),
        _reply("someone@elsewhere.test", ref),
    )
    lines = incident_timeline(incident)
    server_lines = [(line.at, line.clock) for line in lines if line.clock == "server"]
    assert (instruction.server_received_at, "server") in server_lines
    assert (minutes.server_received_at, "server") in server_lines
    assert (counted.server_received_at, "server") in server_lines
    assert NoticeReply.objects.get(inbound=stranger).reason == "stranger"
    assert NoticeReply.objects.get(inbound=counted).mail == instruction
    page = _client(assessor).get(f"/incidents/{incident.pk}/").content.decode()
    shown = instruction.server_received_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in page and "someone@elsewhere.test" in page
    # The desk sends instructions from the page; only the assessor mails the minutes.
    desk = _client(service_desk)
    assert desk.post(f"/incidents/{incident.pk}/minutes/").status_code == 403
    sent = desk.post(f"/incidents/{incident.pk}/instruction/", {"text": "恢复后报告。"})
    assert sent.status_code == 302
    assert NoticeMail.objects.filter(incident=incident, purpose="instruction").count() == 2
    api = _client(assessor).post(f"/api/v1/incidents/{incident.pk}/minutes/")
    assert api.status_code == 200 and api.json()["purpose"] == "minutes"


def test_manager_copies_of_rectification_and_settlement(
    live: Any, contract_a: Any, assessor: Any, supervisor: Any
) -> None:
    notice = inc_services.issue_rectification(
        contract_a,
        {
            "code": "ZG-01",
            "subject": "巡检记录不全",
            "description": "补齐六月巡检记录",
            "received_on": datetime.date(2025, 6, 2),
        },
        assessor,
    )
    from opsqm.derived.settlement import services as settlement

    contract_a.end = datetime.date(2025, 6, 30)
    contract_a.save()
    st = settlement.create_statement(contract_a, assessor)
    settlement.submit(st, assessor)
    settlement.review(st, supervisor, True, "")
    settlement.sign_off(st, assessor)
    run_jobs()
    copies = {m.purpose: m for m in NoticeMail.objects.filter(contract=contract_a)}
    assert set(copies) == {"rectification", "settlement"}
    for mail in copies.values():
        mail.refresh_from_db()
        assert mail.outbound.to == [MANAGER] and mail.outbound.kind == "manager_copy"
        assert mail.server_received_at is not None
    assert copies["rectification"].rectification == notice
    assert b"settlement-" in copies["settlement"].outbound.raw_bytes()  # the sheet attached
    page = _client(assessor).get(f"/incidents/rectifications/{notice.pk}/").content.decode()
    shown = copies["rectification"].server_received_at.astimezone(TZ).strftime("%H:%M:%S")
    assert MANAGER in page and shown in page
    page = _client(assessor).get(f"/settlement/{contract_a.code}/").content.decode()
    assert MANAGER in page


def test_server_time_comes_by_the_hook_the_sweep_is_only_a_safety_net(
    live: Any, contract_a: Any, service_desk: Any
) -> None:
    from opsqm.infra.mail.hooks import off_server_time, on_server_time
    from opsqm.infra.mail.services import confirm_delivery, deliver

    incident = inc_services.record_incident(
        contract_a, {"code": "SG-08", "occurred_at": at(2025, 5, 4, 9)}, service_desk
    )
    first = mailing.send_instruction(incident, "检查备份。", service_desk)
    deliver(first.outbound)
    confirm_delivery(first.outbound)  # no job, no sweep: the hook alone
    first.refresh_from_db()
    assert first.server_received_at == first.outbound.server_received_at is not None
    assert mailing.sweep_server_times() == 0
    # A subscriber that failed (here: none) leaves the record without its time; the
    # periodic sweep copies it.
    off_server_time(mailing.server_time_recorded)
    try:
        second = mailing.send_instruction(incident, "再次检查。", service_desk)
        deliver(second.outbound)
        confirm_delivery(second.outbound)
    finally:
        on_server_time(mailing.server_time_recorded)
    second.refresh_from_db()
    assert second.server_received_at is None
    assert mailing.sweep_server_times() == 1
    second.refresh_from_db()
    assert second.server_received_at == second.outbound.server_received_at


def test_a_bounce_of_a_change_notice_marks_it_not_delivered_and_never_counts(
    live: Any, contract_a: Any, contract_b: Any, assessor: Any, vendor_b: Any
) -> None:
    notice = mailing.issue_change_notice(WINDOW, [contract_a, contract_b], assessor)
    run_jobs()
    mail_b = NoticeMail.objects.get(change_notice=notice, contract=contract_b)
    [bounce] = _deliver(
        live,
        _reply(
            "postmaster@bureau.test",
            notice.number,
            mail_b.outbound.message_id,
            subject=f"Undeliverable: [{notice.number}] 系统变更通知",
        ),
    )
    assert bounce.nature == "bounce"
    reply = NoticeReply.objects.get(inbound=bounce)
    assert (reply.mail, reply.counted, reply.reason) == (mail_b, False, "bounce")
    mail_b.outbound.refresh_from_db()
    assert mail_b.outbound.not_delivered_at == bounce.server_received_at
    mail_b.refresh_from_db()
    assert mail_b.replied_at is None
    page = _client(assessor).get(f"/incidents/changes/{notice.pk}/").content.decode()
    assert "退信" in page  # "not counted: a bounce (delivery report)"
