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
