"""`opsqm demo`: loads once, through the services, with a user of every role."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from opsqm.derived.ledger.services import contract_ledger
from opsqm.edges.demo.management.commands.demo import DEMO_PASSWORD
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents.models import RectificationNotice
from opsqm.facts.tickets.models import Ticket
from opsqm.infra.accounts.models import User
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from opsqm.pure.assessment.model import TZ

pytestmark = pytest.mark.django_db
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_loads_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("demo", stdout=out)  # its time is not asserted: a loaded CI machine varies
    assert DEMO_PASSWORD in out.getvalue()
    seed = Contract.objects.get(code="C-2025-001")
    assert seed.vendor.name == "北京凯辉科技有限公司"
    assert str(seed.amount) == "530000.00" and str(seed.final_payment) == "132500.00"
    assert Contract.objects.filter(bond=True).count() == 1
    # Once the seed year is over, the bureau has renewed it with the same vendor.
    seed_over = timezone.localdate() > seed.end
    assert Contract.objects.count() == (4 if seed_over else 3)
    if seed_over:
        renewal = Contract.objects.get(code="C-2026-004")
        assert renewal.vendor == seed.vendor and renewal.start == seed.end + timedelta(days=1)
        assert set(renewal.units.all()) == set(seed.units.all())
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert seed.staff.filter(verification__isnull=False).count() == seed.staff.count()
    assert seed.replacements.count() == 1
    assert Ticket.objects.filter(resolved_at__isnull=True).exists()
    # Registered history (ticket.create) and the recent work through the flow (intake).
    registered = AuditRecord.objects.filter(action="ticket.create").count()
    taken_in = AuditRecord.objects.filter(action="ticket.intake").count()
    assert taken_in == Ticket.objects.filter(original__isnull=False).count() > 0
    assert registered + taken_in == Ticket.objects.count()
    for c in Contract.objects.all():
        assert contract_ledger(c).items  # every contract has a computable ledger
    records = AuditRecord.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert AuditRecord.objects.count() == records
    assert User.objects.get(username="assessor").check_password(DEMO_PASSWORD)


@pytest.fixture(scope="module")
def _demo_loaded(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The demo bureau loaded once for the tests that read it (seconds), in a
    transaction rolled back at the module's end; each test runs in a savepoint of it
    (pytest-django's `db`).  Yields the directory of its files."""
    media = tmp_path_factory.mktemp("demo-uploads")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        call_command("demo", stdout=io.StringIO())
        yield media
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded: Path, db: Any, settings: Any) -> Contract:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = _demo_loaded
    return Contract.objects.get(code="C-2025-001")


def test_recent_work_orders_went_through_the_flow(demo: Contract, client: Any) -> None:
    """One work order in each state, every step a service of the flow at its hour of
    the story, the mail server's times recorded from the desk's copies; nothing sent."""
    from opsqm.derived.evidence.adapter import contract_evidence
    from opsqm.infra.jobs.models import Job
    from opsqm.infra.mail.models import OutboundMessage

    # The vendor's reports through the flow: the seed year's (an inspection's finding)
    # and today's, which belong to the renewal once the seed year is over.
    taken_in = Ticket.objects.filter(contract__vendor=demo.vendor, original__isnull=False)
    flow = {t.status: t for t in taken_in}
    statuses = Counter(taken_in.values_list("status", flat=True))
    assert statuses == {
        "archived": 2,
        "phone_resolved": 1,
        "resolved": 1,  # awaiting the recipient's signature
        "acknowledged": 1,  # in progress, near its deadline
        "dispatched": 1,  # awaiting acknowledgement
        "reported": 1,  # awaiting the desk's call
    }
    archived = taken_in.filter(status="archived")
    assert {t.signature for t in archived} == {"signed", "phone_confirmed"}
    signed = archived.get(signature="signed")
    assert signed.signature_sha256 and signed.signed_by.username == "recipient"
    assert (
        signed.archive == "ok" and signed.archived_at == signed.archive_message.server_received_at
    )
    # The steps happened over hours (the story's clock), in the flow's order.
    events = list(signed.events.order_by("at", "pk").values_list("action", flat=True))
    assert events[:3] == ["reported", "intake_recorded", "vendor_called"]
    assert events[-2:] == ["archive_sent", "archive_confirmed"]
    span = signed.events.latest("at").at - signed.events.earliest("at").at
    assert span > timedelta(hours=5)

    now = timezone.now()
    for t in Ticket.objects.filter(contract__vendor=demo.vendor, dispatch_message__isnull=False):
        sent = t.events.get(action="dispatch_sent").at
        assert t.dispatched_at == t.dispatch_message.server_received_at > sent
        if t.resolution_message_id:
            assert t.resolved_at == t.resolution_message.server_received_at
    near = flow["acknowledged"]
    assert near.priority == "urgent" and timedelta(0) < near.deadline - now <= timedelta(hours=2)
    assert near.extensions.get().state == "requested"  # for the recipient to decide
    waiting = flow["dispatched"]
    assert waiting.acknowledged_at is None and now - waiting.dispatched_at < timedelta(hours=1)
    assert flow["resolved"].signature == "none" and flow["resolved"].unit.name == "清河分局"
    assert flow["phone_resolved"].dispatch_message_id is None

    # No mail server: the outbox is queued, never sent.
    outbox = OutboundMessage.objects.all()
    assert outbox.exists() and not outbox.exclude(status="pending").exists()
    assert Job.objects.filter(kind="mail.send", status="queued").count() == outbox.count()
    assert not Job.objects.exclude(kind="mail.send").exclude(status="done").exists()
    # The server's receive time of each dispatch (5), feedback (3) and archive (2) mail,
    # of the rectification notice ZG-03 (合同 六(一)2) mailed to the vendor, and of the
    # change notice and the instruction of 第二十一条.
    confirmed = outbox.filter(server_received_at__isnull=False)
    assert Counter(confirmed.values_list("kind", flat=True)) == {
        "dispatch": 5,
        "feedback": 3,
        "archive": 2,
        "other": 1,
        "change_notice": 1,
        "instruction": 1,
    }
    assert AuditRecord.objects.filter(action="mail.delivery_confirmed").count() == 13
    notice = RectificationNotice.objects.get(code="ZG-03")
    assert notice.received_at == notice.mail.server_received_at
    assert notice.due == date(2026, 9, 18) and notice.status == "verified"
    assert AuditRecord.objects.filter(action="ticket.sign").count() == 1
    assert AuditRecord.objects.filter(action="ticket.phone_confirm").count() == 1

    # The engine reads the facts the flow recorded.
    evidence = {t.id: t for t in contract_evidence(signed.contract).tickets}
    assert flow["reported"].contract == signed.contract
    # No report reached a contract after its end: the seed year's ledger stays final.
    for t in taken_in:
        assert t.original.reported_at.astimezone(TZ).date() <= t.contract.end, t.number
    assert evidence[signed.number].signature.value == "signed"
    assert evidence[signed.number].resolved_at == signed.resolved_at
    assert flow["reported"].number not in evidence  # not dispatched: not a work order yet

    # Each role finds its work.
    pages = [
        ("desk", "/", [flow["reported"].number, waiting.number, near.number]),
        ("desk", "/tickets/", [flow["reported"].number, waiting.number]),
        ("kh_engineer", "/", [near.number, waiting.number]),
        ("recipient", "/", [flow["resolved"].number, near.number]),
        ("recipient", "/tickets/unit/", [flow["resolved"].number, near.number]),
    ]
    for username, url, numbers in pages:
        client.force_login(User.objects.get(username=username))
        body = client.get(url).content.decode()
        for number in numbers:
            assert number in body, (username, url, number)
    client.force_login(User.objects.get(username="desk"))
    for t in taken_in:
        assert client.get(f"/tickets/{t.pk}/").status_code == 200


def test_dingtalk_import_inspections_and_acceptance(demo: Contract, client: Any) -> None:
    from opsqm.derived.acceptance.models import AcceptanceFile, Deliverable, Inspection, Review
    from opsqm.derived.acceptance.services import is_late
    from opsqm.facts.attendance.models import ImportBatch
    from opsqm.facts.staff.models import Punch

    # A month of DingTalk punches, imported by the vendor manager through the job.
    batch = ImportBatch.objects.get(contract=demo)
    assert batch.status == "done" and batch.job is not None and batch.job.status == "done"
    assert batch.created_by.username == "kh_manager"
    assert batch.new_punches > 40 and batch.duplicates == 0
    assert list(batch.people.values_list("name", flat=True)) == ["钱工"]  # the review list
    assert Punch.objects.filter(person__contract=demo).count() > 4 * batch.new_punches
    assert AuditRecord.objects.filter(action="attendance.import.upload").count() == 1
    client.force_login(User.objects.get(username="assessor"))
    assert "钱工" in client.get(f"/attendance/imports/{batch.pk}/").content.decode()
    # Two 补卡 in the export: the assessor confirmed the first, the second still waits.
    makeups = Punch.objects.filter(person__contract=demo, kind="makeup").order_by("at")
    assert [(p.confirmed, p.confirmed_by and p.confirmed_by.username) for p in makeups] == [
        (True, "assessor"),
        (False, None),
    ]
    pending = makeups[1]
    pending_day = timezone.localtime(pending.at).date()
    day = client.get(f"/attendance/staff/{pending.person_id}/{pending_day}/")
    assert "补卡（待确认）" in day.content.decode()

    # Two monthly inspections; the finding of the latest became a work order.
    inspections = Inspection.objects.filter(contract=demo, state="done")
    assert inspections.count() == 2
    finding = inspections.latest("month").results.get(outcome="issue")
    assert finding.photo and finding.ticket is not None and finding.ticket.status == "archived"
    for insp in inspections:
        d = Deliverable.objects.get(
            contract=demo, kind="monthly_inspection", period=f"{insp.month:%Y-%m}"
        )
        assert d.versions.get().source == "generated"

    # The register: filed, reviewed (one returned and filed again), one late.
    states = Counter(Deliverable.objects.filter(contract=demo).values_list("state", flat=True))
    assert states["accepted"] >= 10
    returned = Review.objects.get(deliverable__contract=demo, approved=False)
    assert returned.deliverable.versions.count() == 2
    assert [d for d in Deliverable.objects.filter(contract=demo) if is_late(d)]
    assert Deliverable.objects.filter(
        contract=demo, kind="quarterly_report", versions__source="generated"
    ).exists()
    file = AcceptanceFile.objects.get(contract=demo)
    if timezone.localdate() > demo.end:  # the period is over: the vendor has applied
        assert file.state == "applied" and states["under_review"] >= 1
    else:
        assert file.state == "open"
    client.force_login(User.objects.get(username="supervisor"))
    assert client.get("/acceptance/C-2025-001/").status_code == 200


def test_demo_ticket_numbers_have_one_format_and_a_ledger_line_names_one_ticket(
    demo: Contract, client: Any
) -> None:
    """Issue 12: the registered history and the flow's tickets share the flow's
    format and sequence, so no two contracts have the same number, and a ledger
    line's reference links to that one ticket."""
    import re

    from opsqm.derived.ledger.services import ref_links

    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert all(re.fullmatch(r"GD-20\d\d-\d{4}", n) for n in numbers), numbers[:5]
    assert len(set(numbers)) == len(numbers)
    ticket_rules = {"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"}
    for c in Contract.objects.all():
        links = ref_links(c)
        items = [i for i in contract_ledger(c).items if i.rule in ticket_rules]
        for item in items:
            ticket = Ticket.objects.get(number=item.ref)  # exactly one, anywhere
            assert ticket.contract_id == c.pk
            assert links[item.ref] == f"/tickets/{ticket.pk}/"


def test_notices_and_the_scheduled_report(demo: Contract, client: Any) -> None:
    """Issue 15 §2, §3 on the seed contract: a change notice mailed to the vendor (the
    manager in copy) with the server's receive time and the vendor's counted reply, an
    instruction on SG-01, the assessor's monthly attendance result scheduled."""
    from opsqm.derived.reports.models import ReportSchedule
    from opsqm.facts.incidents.models import ChangeNotice, NoticeMail

    notice = ChangeNotice.objects.get(number="BG-2026-0001")
    assert list(notice.contracts.all()) == [demo]
    mail = notice.mails.get()
    assert mail.outbound.to == [demo.vendor.intranet_mailbox]
    assert mail.outbound.cc == [demo.vendor.manager_mailbox]
    assert mail.server_received_at == mail.outbound.server_received_at
    assert mail.server_received_at - mail.created_at == timedelta(seconds=3)
    reply = mail.replies.get()
    assert reply.counted and mail.replied_at == reply.received_at
    client.force_login(User.objects.get(username="kh_manager"))
    page = client.get(f"/incidents/changes/{notice.pk}/").content.decode()
    assert demo.vendor.intranet_mailbox in page and demo.vendor.manager_mailbox in page
    assert "2026-09-24 10:00:03" in page and "2026-09-24 10:40:03" in page  # mail, reply

    sent = NoticeMail.objects.get(purpose="instruction", incident__code="SG-01")
    assert sent.contract == demo and sent.server_received_at is not None
    assert sent.sent_by.username == "desk"
    body = client.get(f"/incidents/{sent.incident_id}/").content.decode()
    assert "应急处置指令" in body and "2026-09-08 14:25:03" in body  # its server time

    schedule = ReportSchedule.objects.get(contract=demo)
    assert (schedule.report, schedule.frequency, schedule.day) == ("attendance", "monthly", 5)
    assert [u.username for u in schedule.recipients.all()] == ["assessor"]
    assert schedule.recipients.get().email == "assessor@bjjgj.intranet"
    if schedule.active:
        assert schedule.next_run_at is not None and schedule.next_run_at > timezone.now()
    client.force_login(User.objects.get(username="assessor"))
    assert client.get(f"/reports/schedules/{schedule.pk}/").status_code == 200
