"""The lists open on current work: 我的工单 shows the open work orders first by
deadline, the archived ones one filter away; a ticket page says why the mail
server's times are missing where no mail server is configured."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Ticket
from tests.tickets.conftest import IN_FORCE, server_time

NEW = {"priority": "normal", "reported_at": IN_FORCE}

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _dispatched(contract: Any, desk: Any, deadline: datetime.datetime) -> Ticket:
    t = services.record_intake(contract, user=desk, reporter="王", description="终端故障", **NEW)
    services.log_vendor_call(t, user=desk, called_at=timezone.now(), person="李工", outcome="派单")
    t = services.dispatch(t, user=desk)
    server_time(t, "dispatch_message", timezone.now() - datetime.timedelta(minutes=1))
    services.apply_server_times(t)
    Ticket.objects.filter(pk=t.pk).update(deadline=deadline)
    return t


def test_my_work_orders_open_first_by_deadline_archived_one_filter_away(
    contract_a: Any, service_desk: Any, vendor_engineer: Any
) -> None:
    now = timezone.now()
    later = _dispatched(contract_a, service_desk, now + datetime.timedelta(hours=20))
    sooner = _dispatched(contract_a, service_desk, now + datetime.timedelta(hours=2))
    # An archived one whose deadline lies long before: it must not push the open ones away.
    old = _dispatched(contract_a, service_desk, now - datetime.timedelta(days=30))
    Ticket.objects.filter(pk=old.pk).update(status=Ticket.Status.ARCHIVED)
    page = client(vendor_engineer).get("/tickets/mine/").content.decode()
    assert old.number not in page
    assert page.index(sooner.number) < page.index(later.number)
    assert "?status=all" in page  # the link to the archived work
    everything = client(vendor_engineer).get("/tickets/mine/?status=all").content.decode()
    assert old.number in everything and sooner.number in everything


def test_the_ticket_page_says_why_server_times_are_missing(
    intake: Any, service_desk: Any, settings: Any
) -> None:
    settings.MAIL_IMAP_HOST = ""
    services.log_vendor_call(
        intake, user=service_desk, called_at=timezone.now(), person="李工", outcome="派单"
    )
    t = services.dispatch(intake, user=service_desk)
    page = client(service_desk).get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="no-mail-server"' in page and "MAIL_IMAP_HOST" in page
    # With a mail server configured the time is only pending: no such notice.
    settings.MAIL_IMAP_HOST, settings.MAIL_IMAP_USER = "127.0.0.1", "desk@bureau.test"
    page = client(service_desk).get(f"/tickets/{t.pk}/").content.decode()
    assert 'id="no-mail-server"' not in page


def test_the_board_rows_show_each_cell_and_escape_what_people_typed(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    """The rows are written in Python (views/rows.py), not by the template language:
    its autoescaping does not cover them, so every typed value must be escaped there."""
    from django.utils import translation

    due = timezone.now() + datetime.timedelta(hours=5)
    t = _dispatched(contract_a, service_desk, due)
    Ticket.objects.filter(pk=t.pk).update(title='<script>alert("x")</script> & 打印机', unit=unit_a)
    late = _dispatched(contract_a, service_desk, timezone.now() - datetime.timedelta(hours=2))
    Ticket.objects.filter(pk=late.pk).update(resolved_at=timezone.now(), priority="urgent")
    with translation.override("zh-hans"):
        html = client(service_desk).get("/tickets/", {"status": "all"}).content.decode()
        urgent, status = str(Ticket.Priority.URGENT.label), str(Ticket.Status.DISPATCHED.label)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 打印机" in html
    row = html[html.index(f'<a href="/tickets/{t.pk}/">{t.number}</a>') :]
    row = row[: row.index("</tr>")]
    local = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    assert f'<td class="date" data-label="时限">{local}</td>' in row, row
    assert f'data-deadline="{due.isoformat()}"' in row and "小时" in row  # 4 小时, 59 分钟
    assert f'data-label="服务单位">{unit_a.name}</td>' in row and contract_a.code in row
    assert status in row
    row = html[html.index(f'<a href="/tickets/{late.pk}/">') :]
    row = row[: row.index("</tr>")]
    assert f'<span class="badge bad">{urgent}</span>' in row and 'class="late"' in row


def test_undelivered_mail_of_visible_tickets_is_found_past_a_batch_of_others(
    contract_a: Any, contract_b: Any, service_desk: Any, vendor_manager: Any
) -> None:
    """The board's "not delivered" group reads the bounces in batches; those of
    tickets the user cannot see do not hide the ones they can."""
    from opsqm.facts.tickets import mail_rules
    from opsqm.facts.tickets.access import visible_tickets
    from opsqm.infra.mail.models import OutboundMessage

    mine = services.record_intake(
        contract_a, user=service_desk, reporter="王", description="a", **NEW
    )
    other = services.record_intake(
        contract_b, user=service_desk, reporter="王", description="b", **NEW
    )
    now = timezone.now()

    def bounce(ref: str, minutes: int) -> OutboundMessage:
        return OutboundMessage.objects.create(
            message_id=f"<{ref}-{minutes}@x>", ticket_ref=ref.lower(), kind="dispatch",
            subject=ref, not_delivered_at=now - datetime.timedelta(minutes=minutes),
        )  # fmt: skip

    old = bounce(mine.number, 500)
    for i in range(5):
        bounce(other.number, i)  # newer, of a ticket of vendor B
    mail_rules._UNDELIVERED_BATCH = 2  # type: ignore[attr-defined]
    try:
        rows = mail_rules.undelivered_rows(visible_tickets(vendor_manager))
        everyone = mail_rules.undelivered_rows(visible_tickets(service_desk), limit=3)
    finally:
        mail_rules._UNDELIVERED_BATCH = 200  # type: ignore[attr-defined]
    assert [(m.pk, t.pk, t.number) for m, t in rows] == [(old.pk, mine.pk, mine.number)]
    assert len(everyone) == 3 and all(t.pk == other.pk for _m, t in everyone)
