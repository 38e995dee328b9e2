"""The work-order flow through its service functions (no mail server: the server's
receive time is simulated here; test_mail_flow.py uses the real one)."""

from __future__ import annotations

import datetime
import email
import email.policy
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from opsqm.derived.evidence.adapter import contract_evidence
from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Event, OriginalReport, Ticket
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.mail.models import OutboundMessage
from tests.factories import update_ticket
from tests.tickets.conftest import IN_FORCE, PNG, server_time, upload

NEW = {"priority": "normal", "reported_at": IN_FORCE}

pytestmark = pytest.mark.django_db


def test_intake_keeps_the_original_report_immutable(intake: Any, service_desk: Any) -> None:
    assert intake.number.startswith("GD-") and intake.status == Ticket.Status.REPORTED
    original = intake.original
    assert original.reporter == "王警官" and original.system == "执法终端 T-07"
    assert intake.attachments.get().kind == "report"
    update_ticket(intake, {"title": "改过的标题"})
    original.refresh_from_db()
    assert original.description == "三监区打印机无法打印"
    with pytest.raises(ValueError):
        original.save()
    assert AuditRecord.objects.filter(action="ticket.intake").count() == 1
    # Not a work order yet: no evidence, nothing in the ledger.
    assert contract_evidence(intake.contract).tickets == []


def test_numbers_are_unique_across_contracts(
    contract_a: Any, contract_b: Any, service_desk: Any
) -> None:
    a = services.record_intake(contract_a, user=service_desk, reporter="x", description="a", **NEW)
    b = services.record_intake(contract_b, user=service_desk, reporter="y", description="b", **NEW)
    assert a.number != b.number
    assert int(b.number.rsplit("-", 1)[1]) == int(a.number.rsplit("-", 1)[1]) + 1


def test_phone_window_and_resolution_by_phone(intake: Any, service_desk: Any) -> None:
    with pytest.raises(ValidationError):
        services.close_by_phone(intake, user=service_desk, note="")  # no call logged
    with pytest.raises(ValidationError):
        services.dispatch(intake, user=service_desk)  # 第九条一: phone first
    called = timezone.now() - datetime.timedelta(minutes=30)
    services.log_vendor_call(
        intake, user=service_desk, called_at=called, person="李工", outcome="远程处理"
    )
    intake.refresh_from_db()
    assert services.phone_deadline(intake) == called + datetime.timedelta(hours=2)
    services.close_by_phone(intake, user=service_desk, note="重启后恢复")
    intake.refresh_from_db()
    assert intake.status == Ticket.Status.PHONE_RESOLVED
    assert contract_evidence(intake.contract).tickets == []  # no ticket evidence
    with pytest.raises(ValidationError):
        services.dispatch(intake, user=service_desk)


def test_dispatch_counts_only_from_the_server_time(intake: Any, service_desk: Any) -> None:
    services.log_vendor_call(
        intake, user=service_desk, called_at=timezone.now(), person="李工", outcome="未解决"
    )
    t = services.dispatch(intake, user=service_desk, priority="urgent")
    out = t.dispatch_message
    assert out.kind == "dispatch" and out.to == ["a-om@bureau.local"]
    assert out.subject.startswith(f"[{t.number}]")
    assert t.status == Ticket.Status.DISPATCH_SENT and t.dispatched_at is None
    assert t.deadline is None and contract_evidence(t.contract).tickets == []
    assert services.apply_server_times(t) == []  # not confirmed yet
    server = datetime.datetime(2025, 6, 2, 10, 0, 7, tzinfo=datetime.UTC)
    server_time(t, "dispatch_message", server)
    assert services.apply_server_times(t) == ["dispatched_at"]
    assert services.apply_server_times(t) == []  # idempotent
    t.refresh_from_db()
    assert t.dispatched_at == server and t.status == Ticket.Status.DISPATCHED
    assert t.deadline == server + datetime.timedelta(hours=8)
    [record] = contract_evidence(t.contract).tickets
    assert record.dispatched_at == server and record.id == t.number
    ev = t.events.get(action="dispatch_confirmed")
    assert ev.source == Event.Source.SERVER and ev.at == server


def mail_text(message: Any) -> str:
    parsed = email.message_from_bytes(message.raw_bytes(), policy=email.policy.default)
    return parsed.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_work_extension_resolution_signature_archive(
    dispatched: Any, vendor_engineer: Any, recipient: Any
) -> None:
    t = services.acknowledge(dispatched, user=vendor_engineer)
    assert t.acknowledged_at is not None and t.engineer == vendor_engineer
    with pytest.raises(ValidationError):
        services.resolve(t, user=vendor_engineer)  # the form is empty
    services.record_work(
        t,
        user=vendor_engineer,
        analysis="驱动损坏",
        steps="重装驱动",
        verification="打印测试页成功",
        attachments=[("screenshot", upload("s.png", PNG)), ("log", upload("a.log", b"ok\n"))],
    )
    t.refresh_from_db()
    assert (t.record_analysis, t.record_steps, t.record_verification, t.template_ok) == (
        True,
        True,
        True,
        True,
    )
    # Extension: counts only once the recipient agrees.
    new = t.deadline + datetime.timedelta(hours=24)
    ext = services.request_extension(t, user=vendor_engineer, requested_to=new, reason="备件")
    t.refresh_from_db()
    assert t.extended_to is None
    services.decide_extension(ext, user=recipient, agree=True, note="同意")
    t.refresh_from_db()
    assert t.extended_to == new and t.deadline == new
    ext.refresh_from_db()
    assert ext.decided_by == recipient and ext.reason == "备件"

    services.resolve(t, user=vendor_engineer)
    t.refresh_from_db()
    assert t.status == Ticket.Status.RESOLUTION_SENT and t.resolved_at is None
    assert t.resolution_message.kind == "feedback"
    # The vendor acknowledges a dispatch by replying; the desk's copies ask for nothing.
    assert "Reply to this mail" in mail_text(t.dispatch_message)
    assert "Reply to this mail" not in mail_text(t.resolution_message)
    done = timezone.now()
    server_time(t, "resolution_message", done)
    services.apply_server_times(t)
    t.refresh_from_db()
    assert t.resolved_at == done and t.status == Ticket.Status.RESOLVED

    with pytest.raises(ValidationError):
        services.sign(t, png=b"not a png", satisfaction="satisfied", signer_name="王")
    services.sign(t, png=PNG, satisfaction="satisfied", signer_name="王警官", user=recipient)
    t.refresh_from_db()
    assert t.signature == "signed" and t.satisfaction == "satisfied"
    import hashlib

    assert t.signature_sha256 == hashlib.sha256(PNG).hexdigest()
    with pytest.raises(ValidationError):  # one problem, one rating
        services.sign(t, png=PNG, satisfaction="unsatisfied", signer_name="王", user=recipient)
    assert t.archive_message.kind == "archive" and t.archive == "pending"
    assert "Reply to this mail" not in mail_text(t.archive_message)
    assert t.status == Ticket.Status.CLOSED
    server_time(t, "archive_message", timezone.now())
    services.apply_server_times(t)
    t.refresh_from_db()
    assert t.archive == "ok" and t.status == Ticket.Status.ARCHIVED and t.archived_at
    [record] = contract_evidence(t.contract).tickets
    assert record.signature.value == "signed" and record.archive.value == "ok"
    assert record.record.complete and record.template_ok
    actions = set(t.events.values_list("action", flat=True))
    assert {"reported", "dispatch_confirmed", "acknowledged", "signed", "archive_confirmed"} <= (
        actions
    )
    # Every change has its audit record.
    assert AuditRecord.objects.filter(object_id=str(t.pk), action__startswith="ticket.").count() > 8


def test_external_form_is_not_the_bureau_template(dispatched: Any, vendor_engineer: Any) -> None:
    services.upload_external_form(
        dispatched, user=vendor_engineer, upload=upload("f.pdf", b"%PDF-1.4 x")
    )
    dispatched.refresh_from_db()
    assert dispatched.template_ok is False
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    dispatched.refresh_from_db()
    assert dispatched.template_ok is False  # the other-format form stays on file


def test_no_signature_then_phone_confirmation_is_final(
    dispatched: Any, vendor_engineer: Any, service_desk: Any
) -> None:
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    with pytest.raises(ValidationError):  # the engineer has not noted why
        services.confirm_by_phone(
            dispatched,
            user=service_desk,
            called_at=timezone.now(),
            person="王",
            outcome="已解决",
            satisfaction="satisfied",
        )
    services.record_no_signature(
        dispatched,
        user=vendor_engineer,
        reason="涉密区域无法带入平板",
        evidence=[upload("proof.png", PNG)],
    )
    dispatched.refresh_from_db()
    # The desk's next step: the ticket waits for its call, and the desk's mailbox
    # gets a notice naming the reason, the evidence and whom to phone.
    assert dispatched.status == Ticket.Status.AWAITING_PHONE
    assert dispatched.no_signature_at is not None
    event = dispatched.events.get(action="no_signature")
    notice = OutboundMessage.objects.get(message_id=event.data["notice"])
    assert notice.to == [settings.MAIL_SERVICE_DESK_ADDRESS or settings.MAIL_FROM]
    assert notice.ticket_ref == dispatched.number and dispatched.number in notice.subject
    assert notice.in_reply_to == dispatched.resolution_message.message_id
    text = email.message_from_bytes(notice.raw_bytes(), policy=email.policy.default)
    content = text.get_body().get_content()  # type: ignore[union-attr]
    assert "涉密区域无法带入平板" in content and "proof.png" in content
    assert "王警官 · 010-1234" in content  # the reporter to phone
    assert "Reply to this mail" not in content  # a notice, not mail to acknowledge
    t = services.confirm_by_phone(
        dispatched,
        user=service_desk,
        called_at=timezone.now(),
        person="王警官",
        outcome="确认已解决",
        satisfaction="unsatisfied",
    )
    assert t.signature == "phone_confirmed" and t.satisfaction == "unsatisfied"
    assert t.calls.filter(purpose="recipient").count() == 1
    assert t.archive_message is not None
    # No longer the desk's: only the feedback mail's server time is still awaited.
    assert t.status == Ticket.Status.RESOLUTION_SENT


def test_a_second_note_keeps_the_first_time_and_notifies_again(
    dispatched: Any, vendor_engineer: Any
) -> None:
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    services.record_no_signature(dispatched, user=vendor_engineer, reason="人不在")
    dispatched.refresh_from_db()
    first = dispatched.no_signature_at
    services.record_no_signature(dispatched, user=vendor_engineer, reason="已调离，联系科室")
    dispatched.refresh_from_db()
    assert dispatched.no_signature_at == first
    assert dispatched.no_signature_reason == "已调离，联系科室"
    notices = [e.data["notice"] for e in dispatched.events.filter(action="no_signature")]
    assert len(set(notices)) == 2
    assert OutboundMessage.objects.filter(message_id__in=notices, kind="other").count() == 2


def test_the_migration_marks_tickets_noted_before_it(dispatched: Any, vendor_engineer: Any) -> None:
    """Tickets noted before the status existed get it, with the note's time."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("opsqm.facts.tickets.migrations.0005_awaiting_phone")
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    services.record_no_signature(dispatched, user=vendor_engineer, reason="人不在")
    noted = dispatched.events.get(action="no_signature").at
    Ticket.objects.filter(pk=dispatched.pk).update(status="resolution_sent", no_signature_at=None)
    migration.mark_awaiting(apps, None)
    dispatched.refresh_from_db()
    assert dispatched.status == "awaiting_phone" and dispatched.no_signature_at == noted
    migration.unmark_awaiting(apps, None)
    dispatched.refresh_from_db()
    assert dispatched.status == "resolution_sent"


def test_sign_link_is_single_use(dispatched: Any, vendor_engineer: Any, service_desk: Any) -> None:
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    token = services.create_sign_link(dispatched, user=service_desk)
    services.sign_with_link(token, png=PNG, satisfaction="satisfied", signer_name="王警官")
    dispatched.refresh_from_db()
    assert dispatched.signed_via == "link" and dispatched.signed_by is None
    with pytest.raises(ValidationError):
        services.sign_with_link(token, png=PNG, satisfaction="satisfied", signer_name="王")
    with pytest.raises(ValidationError):
        services.sign_link_for(token + "x")


def test_sign_link_expires(dispatched: Any, vendor_engineer: Any, service_desk: Any) -> None:
    from opsqm.facts.tickets.models import SignLink

    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    token = services.create_sign_link(dispatched, user=service_desk)
    SignLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match="expired"):
        services.sign_link_for(token)


def test_security_report_resolves_when_every_finding_is_closed(
    contract_now: Any, service_desk: Any, vendor_engineer: Any
) -> None:
    t = services.register_security_report(
        contract_now,
        user=service_desk,
        title="2025 等保测评整改通知书",
        report=upload("report.pdf", b"%PDF-1.4 report"),
        findings=[("弱口令", "high"), ("未关闭 telnet", "medium")],
        testing_org="北京信息安全测评中心",
        report_date=timezone.localdate() - datetime.timedelta(days=2),
        priority="normal",
    )
    assert t.kind == "security" and t.findings.count() == 2
    services.dispatch(t, user=service_desk)  # no phone step for a report
    server_time(t, "dispatch_message", timezone.now())
    services.apply_server_times(t)
    t.refresh_from_db()
    assert t.dispatch_message.raw_bytes().count(b"report.pdf") >= 1
    first, second = t.findings.order_by("id")
    with pytest.raises(ValidationError):
        services.resolve(t, user=vendor_engineer)
    services.close_finding(first, user=vendor_engineer, note="已改强口令")
    t.refresh_from_db()
    assert t.resolution_message is None
    services.close_finding(second, user=vendor_engineer, evidence=upload("fix.png", PNG))
    t.refresh_from_db()
    assert t.resolution_message is not None and t.status == Ticket.Status.RESOLUTION_SENT


def test_improper_archive_by_the_desk(dispatched: Any, service_desk: Any) -> None:
    with pytest.raises(ValidationError):
        services.mark_improper_archive(dispatched, user=service_desk, reason=" ")
    services.mark_improper_archive(dispatched, user=service_desk, reason="未发送服务台邮箱")
    dispatched.refresh_from_db()
    assert dispatched.archive == "improper" and dispatched.archive_note


def test_original_report_row_is_its_own_record(intake: Any) -> None:
    assert OriginalReport.objects.filter(ticket=intake).count() == 1


def test_text_limits_in_the_services_and_the_database(
    dispatched: Any, vendor_engineer: Any
) -> None:
    """Issue 12: a text beyond its maximum is refused with the field named, and the
    database refuses it too (a CHECK constraint), whatever writes it."""
    from django.db import IntegrityError, transaction

    from opsqm.infra.core.textlimits import TEXT

    with pytest.raises(ValidationError) as exc:
        services.record_work(
            dispatched,
            user=vendor_engineer,
            analysis="析" * (TEXT + 1),
            steps="b",
            verification="c",
        )
    assert set(exc.value.message_dict) == {"analysis"}
    assert str(TEXT) in exc.value.message_dict["analysis"][0]
    dispatched.refresh_from_db()
    assert dispatched.analysis == ""
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=dispatched.pk).update(steps="x" * (TEXT + 1))
    services.record_work(
        dispatched, user=vendor_engineer, analysis="析" * TEXT, steps="b", verification="c"
    )  # exactly the maximum is fine


def test_the_person_called_is_limited_to_its_field(intake: Any, service_desk: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.log_vendor_call(
            intake, user=service_desk, called_at=timezone.now(), person="李" * 65, outcome="未接"
        )
    assert set(exc.value.message_dict) == {"person"}
