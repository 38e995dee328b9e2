"""The pages call the services: intake, phone, dispatch, work, sign (login and link),
board filters, the cost panel, the at-risk list and the API actions."""

from __future__ import annotations

import base64
import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Ticket
from tests.tickets.conftest import IN_FORCE, PNG, server_time

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_desk_records_calls_and_dispatches(
    contract_now: Any, unit_a: Any, service_desk: Any
) -> None:
    c = client(service_desk)
    r = c.post(
        "/tickets/new/",
        {"contract": contract_now.pk, "unit": unit_a.pk, "reporter": "王警官",
         "description": "终端黑屏", "priority": "urgent"},
    )  # fmt: skip
    t = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/tickets/{t.pk}/"
    page = c.get(f"/tickets/{t.pk}/").content.decode()
    assert "终端黑屏" in page
    c.post(f"/tickets/{t.pk}/call/", {"person": "李工", "outcome": "未解决"})
    page = c.get(f"/tickets/{t.pk}/").content.decode()
    assert "data-deadline" in page  # the 2-hour countdown
    c.post(f"/tickets/{t.pk}/dispatch/", {"priority": "urgent"})
    t.refresh_from_db()
    assert t.status == Ticket.Status.DISPATCH_SENT
    page = c.get(f"/tickets/{t.pk}/").content.decode()
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(Ticket.Status.DISPATCH_SENT.label) in page


def test_board_filters_sorts_and_hides_other_vendors(
    dispatched: Any, contract_b: Any, service_desk: Any, vendor_manager: Any, unit_a: Any
) -> None:
    other = services.record_intake(
        contract_b,
        user=service_desk,
        reporter="x",
        description="b",
        priority="normal",
        reported_at=IN_FORCE,
    )
    desk = client(service_desk)
    page = desk.get("/tickets/", {"overdue": "", "priority": "normal"}).content.decode()
    assert dispatched.number in page and other.number in page
    page = desk.get("/tickets/", {"unit": unit_a.pk, "status": "dispatched"}).content.decode()
    assert dispatched.number in page and other.number not in page
    page = desk.get("/tickets/", {"overdue": "1"}).content.decode()
    assert dispatched.number not in page  # 24 h left
    vendor = client(vendor_manager).get("/tickets/").content.decode()
    assert dispatched.number in vendor and other.number not in vendor
    rows = desk.get("/tickets/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-rows")
    assert rows.content.decode().startswith('<div id="ticket-rows">')


def test_engineer_works_and_recipient_signs_through_pages(
    dispatched: Any, vendor_engineer: Any, recipient: Any
) -> None:
    eng = client(vendor_engineer)
    assert dispatched.number in eng.get("/tickets/mine/").content.decode()
    eng.post(f"/tickets/{dispatched.pk}/acknowledge/")
    eng.post(
        f"/tickets/{dispatched.pk}/work/",
        {"analysis": "驱动", "steps": "重装", "verification": "正常", "attachment_kind": "log"},
    )
    eng.post(f"/tickets/{dispatched.pk}/resolve/")
    dispatched.refresh_from_db()
    assert dispatched.status == Ticket.Status.RESOLUTION_SENT
    rec = client(recipient)
    assert dispatched.number in rec.get("/tickets/unit/").content.decode()
    assert "data-signature-pad" in rec.get(f"/tickets/{dispatched.pk}/sign/").content.decode()
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = rec.post(
        f"/tickets/{dispatched.pk}/sign/",
        {"signature": data_url, "satisfaction": "satisfied", "signer_name": "王警官"},
    )
    assert r.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.signature == "signed" and dispatched.signed_by == recipient
    assert rec.get(f"/tickets/{dispatched.pk}/signature.png").status_code == 200


def test_one_time_link_signs_without_login(
    dispatched: Any, vendor_engineer: Any, service_desk: Any
) -> None:
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    desk = client(service_desk)
    desk.post(f"/tickets/{dispatched.pk}/sign-link/")
    page = desk.get(f"/tickets/{dispatched.pk}/").content.decode()
    url = page.split('id="sign-link"')[0].rsplit('value="', 1)[1].split('"')[0]
    # issue 12: beside the link its QR code (inline SVG), a copy button and the expiry
    link = dispatched.sign_links.get()
    expiry = timezone.localtime(link.expires_at).strftime("%Y-%m-%d %H:%M")
    assert 'data-copy="sign-link"' in page and "<svg" in page.split('class="sign-link-qr"')[1]
    assert expiry in page.split('id="sign-link-expires"')[1].split("</p>")[0]
    path = url.split("testserver", 1)[1]
    anon = Client()
    assert anon.get(path).status_code == 200
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = anon.post(path, {"signature": data_url, "satisfaction": "unsatisfied", "signer_name": "王"})
    assert r.status_code == 200
    dispatched.refresh_from_db()
    assert dispatched.satisfaction == "unsatisfied" and dispatched.signed_via == "link"
    assert anon.get(path).status_code == 404  # used


def test_cost_panel_and_at_risk_come_from_the_engine(
    dispatched: Any, service_desk: Any, vendor_manager: Any
) -> None:
    from opsqm.facts.tickets.costs import at_risk, ticket_costs

    # Dispatched 30 h ago: 6 h overdue now (T6 −0.2); 24 h overdue in 18 h.
    at = timezone.now() - datetime.timedelta(hours=30)
    server_time(dispatched, "dispatch_message", at)
    Ticket.objects.filter(pk=dispatched.pk).update(dispatched_at=None)
    dispatched.refresh_from_db()
    services.apply_server_times(dispatched)
    dispatched.refresh_from_db()
    cost = ticket_costs(dispatched)
    # (The fixture contract ended in 2025: the result is final, so T5/T8 count too.)
    [t6] = [i for i in cost.items if i.rule == "T6"]
    from decimal import Decimal

    assert t6.points == Decimal("-0.2")
    page = client(service_desk).get(f"/tickets/{dispatched.pk}/cost/").content.decode()
    assert "T6" in page and "T5" in page
    risks = at_risk(Ticket.objects.all(), hours=20)
    [risk] = risks
    assert risk.threshold == "overdue24h" and risk.points_now == cost.points
    assert risk.delta < 0  # the engine's answer at the threshold costs more
    assert (
        dispatched.number
        in client(vendor_manager).get("/tickets/at-risk/", {"hours": "20"}).content.decode()
    )


def test_api_lists_in_scope_and_acts_through_services(
    dispatched: Any, vendor_engineer: Any, recipient: Any, other_vendor_manager: Any
) -> None:
    eng = client(vendor_engineer)
    data = eng.get("/api/v1/tickets/").json()
    assert [t["number"] for t in data["results"]] == [dispatched.number]
    assert client(other_vendor_manager).get(f"/api/v1/tickets/{dispatched.pk}/").status_code == 404
    assert (
        client(recipient).post(f"/api/v1/tickets/{dispatched.pk}/acknowledge/").status_code == 403
    )
    r = eng.post(f"/api/v1/tickets/{dispatched.pk}/acknowledge/")
    assert r.status_code == 200 and r.json()["acknowledged_at"]
    r = eng.post(
        f"/api/v1/tickets/{dispatched.pk}/record-work/",
        {"analysis": "a", "steps": "b", "verification": "c"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["analysis"] == "a"
    r = eng.post(
        f"/api/v1/tickets/{dispatched.pk}/extension/",
        {"requested_to": "2000-01-01T00:00:00+08:00", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 400  # not later than the deadline
    r = eng.post(f"/api/v1/tickets/{dispatched.pk}/resolve/")
    assert r.status_code == 200 and r.json()["status"] == "resolution_sent"
    assert eng.post(f"/api/v1/tickets/{dispatched.pk}/resolve/").status_code == 400


def test_reminders_once_per_threshold(dispatched: Any) -> None:
    from opsqm.facts.tickets.models import Reminder

    soon = dispatched.deadline - datetime.timedelta(minutes=30)
    assert services.send_reminders(now=soon) == 1
    assert services.send_reminders(now=soon) == 0  # idempotent
    assert Reminder.objects.get().threshold == "deadline"
    later = dispatched.deadline + datetime.timedelta(hours=3, minutes=30)
    assert services.send_reminders(now=later) == 1
    assert set(Reminder.objects.values_list("threshold", flat=True)) == {"deadline", "overdue4h"}


def test_reminders_and_warnings_follow_the_contracts_own_steps(dispatched: Any) -> None:
    """A contract whose rulebook makes T6 cost from 2 h and daily from 36 h overdue
    is warned at those steps, not at the bureau's 4 h / 24 h."""
    from opsqm.facts.tickets.costs import at_risk
    from opsqm.facts.tickets.models import Reminder

    contract = dispatched.contract
    contract.rulebook_overrides = {
        "tickets": {"overdue_free_below_hours": 2, "overdue_day_hours": 36}
    }
    contract.save()
    dispatched.refresh_from_db()
    deadline = dispatched.deadline
    steps = dict(services.reminder_thresholds(dispatched))
    assert steps["overdue4h"] - deadline == datetime.timedelta(hours=2)
    assert steps["overdue24h"] - deadline == datetime.timedelta(hours=36)
    # Reminded 1 h 30 min past the deadline: the 2 h step is half an hour away.
    assert services.send_reminders(now=deadline + datetime.timedelta(minutes=90)) == 1
    reminder = Reminder.objects.get()
    assert reminder.threshold == "overdue4h"
    assert reminder.due_at == deadline + datetime.timedelta(hours=2)
    import email

    with reminder.message.raw.open("rb") as f:
        body = email.message_from_bytes(f.read()).get_payload(decode=True).decode()
    assert "超时 2 小时" in body
    # 30 h past the deadline (beyond the bureau's last step) the 36 h step still warns.
    risks = at_risk(Ticket.objects.all(), hours=8, now=deadline + datetime.timedelta(hours=30))
    assert [(r.threshold, r.hours_overdue) for r in risks] == [("overdue24h", 36)]


def test_the_desk_sees_tickets_awaiting_its_phone_call(
    dispatched: Any, vendor_engineer: Any, vendor_manager: Any, service_desk: Any
) -> None:
    """第十条 exception path: once the engineer notes that the recipient cannot sign,
    the desk's board shows the ticket in its own group (whom to phone, why, the
    deadline and whether it was resolved within it) until the call is recorded."""
    services.record_work(
        dispatched, user=vendor_engineer, analysis="a", steps="b", verification="c"
    )
    services.resolve(dispatched, user=vendor_engineer)
    server_time(dispatched, "resolution_message", timezone.now())
    services.apply_server_times(dispatched)
    desk = client(service_desk)
    assert 'id="awaiting-phone"' not in desk.get("/tickets/").content.decode()

    engineer = client(vendor_engineer)
    r = engineer.post(f"/tickets/{dispatched.pk}/no-signature/", {"reason": "涉密区域无法带入平板"})
    assert r.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == Ticket.Status.AWAITING_PHONE

    page = desk.get("/tickets/").content.decode()
    group = page.split('id="awaiting-phone"', 1)[1].split("</section>", 1)[0]
    assert dispatched.number in group and "涉密区域无法带入平板" in group
    assert "王警官 · 010-1234" in group  # whom to phone
    assert f"{timezone.localtime(dispatched.deadline):%Y-%m-%d %H:%M}" in group
    assert "resolved late" not in group and "超时" not in group  # resolved within it
    # The status filter finds them too; the rows' htmx refresh leaves the group out.
    listed = desk.get("/tickets/", {"status": "awaiting_phone"}).content.decode()
    assert listed.count(f">{dispatched.number}</a>") == 2  # the group and the rows
    rows = desk.get("/tickets/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-rows")
    assert 'id="awaiting-phone"' not in rows.content.decode()
    # Only the desk phones: the vendor's board has no such group.
    assert 'id="awaiting-phone"' not in client(vendor_manager).get("/tickets/").content.decode()
    # The ticket page tells the desk whom to call.
    detail = desk.get(f"/tickets/{dispatched.pk}/").content.decode()
    assert 'id="no-signature"' in detail and "010-1234" in detail

    r = desk.post(
        f"/tickets/{dispatched.pk}/phone-confirm/",
        {"person": "王警官", "outcome": "确认已解决", "satisfaction": "satisfied"},
    )
    assert r.status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.status == Ticket.Status.CLOSED
    assert 'id="awaiting-phone"' not in desk.get("/tickets/").content.decode()
