"""The board and the ticket page cost a fixed number of queries, however many rows,
events, attachments, findings or extensions they show (no N+1; docs/benchmarks.md)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from opsqm.facts.tickets import services
from opsqm.facts.tickets.models import Attachment, Event, Extension, Finding, Ticket
from tests.tickets.conftest import IN_FORCE

NEW = {"priority": "normal", "reported_at": IN_FORCE}

pytestmark = pytest.mark.django_db

# session, user, the rows, the refused-mail count, the tickets awaiting the desk's phone
# call, the mail not delivered, the filter bar's contracts and units (cached afterwards);
# the count is read from the rows when they fit on one page.
BOARD_QUERIES = 8
# session, user, the ticket with contract/vendor/unit/engineer/original report, then one
# query each for events, attachments, extensions, findings.
TICKET_QUERIES = 7
# The header's inbox bell, when the process's cache holds no count for the desk: its two
# queues (rows, and their count past the first ten) and the items read.
BELL_QUERIES = 4


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    c.get("/")  # the idle timeout's first `last_seen` write, not counted below
    return c


def _many_tickets(contract: Any, unit: Any, desk: Any, n: int) -> None:
    for i in range(n):
        services.record_intake(
            contract, user=desk, reporter=f"r{i}", description=f"d{i}", unit=unit, **NEW
        )


def _rich_timeline(t: Ticket, users: list[Any], n: int) -> None:
    now = timezone.now()
    for i in range(n):
        actor = users[i % len(users)]
        Event.objects.create(ticket=t, at=now, source="app", action="work_recorded", actor=actor)
        att = Attachment.objects.create(
            ticket=t, kind="log", file=f"tickets/attachments/x{i}.txt", name=f"x{i}.txt",
            sha256="0" * 64, uploaded_by=actor,
        )  # fmt: skip
        Finding.objects.create(ticket=t, description=f"f{i}", evidence=att, closed_by=actor)
        Extension.objects.create(
            ticket=t, requested_to=now + datetime.timedelta(days=i + 1), reason="r",
            requested_by=actor, decided_by=users[(i + 1) % len(users)], state="agreed",
        )  # fmt: skip


def test_board_queries_do_not_grow_with_rows(
    dispatched: Any,
    contract_a: Any,
    unit_a: Any,
    service_desk: Any,
    django_assert_max_num_queries: Any,
) -> None:
    caches["local"].clear()
    desk = _client(service_desk)
    _many_tickets(contract_a, unit_a, service_desk, 3)
    with django_assert_max_num_queries(BOARD_QUERIES):
        small = desk.get("/tickets/")
    assert small.status_code == 200
    _many_tickets(contract_a, unit_a, service_desk, 60)  # more than a page
    caches["local"].clear()
    # + the bounded count; the cleared cache costs the bell its reading too
    with django_assert_max_num_queries(BOARD_QUERIES + 1 + BELL_QUERIES):
        big = desk.get("/tickets/")
    page = big.content.decode()
    assert "64" in page and "page=2" in page
    with django_assert_max_num_queries(BOARD_QUERIES - 1):  # the lists come from the cache
        desk.get("/tickets/", {"status": "all", "page": "2"})
    with django_assert_max_num_queries(4):  # htmx: rows, count, session, user
        rows = desk.get("/tickets/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-rows")
    assert rows.content.decode().startswith('<div id="ticket-rows">')


def test_ticket_page_queries_do_not_grow_with_its_lists(
    dispatched: Any,
    service_desk: Any,
    vendor_engineer: Any,
    recipient: Any,
    django_assert_max_num_queries: Any,
) -> None:
    desk = _client(service_desk)
    _rich_timeline(dispatched, [service_desk, vendor_engineer, recipient], 1)
    with django_assert_max_num_queries(TICKET_QUERIES):
        assert desk.get(f"/tickets/{dispatched.pk}/").status_code == 200
    _rich_timeline(dispatched, [service_desk, vendor_engineer, recipient], 6)
    with django_assert_max_num_queries(TICKET_QUERIES):
        page = desk.get(f"/tickets/{dispatched.pk}/").content.decode()
    assert page.count('data-action="work_recorded"') == 7


def test_board_search_by_number_prefix_in_any_case_or_by_title(
    contract_a: Any, unit_a: Any, service_desk: Any
) -> None:
    """A number or its beginning looks up numbers only (any case); other text is a
    full number or a part of the title."""

    def report(text: str) -> Ticket:
        return services.record_intake(
            contract_a, user=service_desk, reporter="r", description=text, **NEW
        )

    a, b = report("打印机卡纸"), report("终端黑屏")
    c = report(f"同 {a.number} 的问题")
    desk = _client(service_desk)

    def found(q: str) -> set[str]:
        page = desk.get("/tickets/", {"q": q, "status": "all"}).content.decode()
        return {t.number for t in (a, b, c) if f">{t.number}</a>" in page}

    assert found(a.number.lower()) == {a.number}  # not c, whose title names it
    assert found(a.number[:-1]) >= {a.number, b.number}  # the beginning of a number
    assert found(a.number[:3].lower()) == {a.number, b.number, c.number}  # "gd-"
    assert found("打印机") == {a.number}
    assert found(f"同 {a.number}") == {c.number}
    assert found("GD-2025-x") == set()


def test_number_lookups_use_the_upper_number_index_on_postgresql(dispatched: Any) -> None:
    """Migration 0006: the board's number search (`istartswith`) and the mail
    threading (`iexact`) can use `ticket_number_upper_idx`: its expression is the one
    Django writes for them."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the index is made on PostgreSQL only")
    from opsqm.facts.tickets.views.board import search_filter

    lookups = [
        Ticket.objects.filter(search_filter(dispatched.number[:-2].lower())),
        Ticket.objects.filter(number__iexact=dispatched.number.lower()),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make it choose
        for qs in lookups:
            assert "ticket_number_upper_idx" in qs.explain(), qs.query
            assert list(qs.values_list("pk", flat=True)) == [dispatched.pk]
