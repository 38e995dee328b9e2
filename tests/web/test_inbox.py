"""The in-app inbox (issue 15 §3): the bell in every page's header, /inbox/ with the
home page's to-do items, read/unread per user, bounded queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from opsqm.infra.accounts.models import InboxRead
from opsqm.infra.audit.models import AuditRecord
from opsqm.infra.core.roles import Role
from tests.factories import create_ticket

pytestmark = pytest.mark.django_db


LINK = r'href="(/(?:tickets|incidents|settlement)/[^"]+)" class="code"'


@pytest.fixture(autouse=True)
def _fresh_bell() -> None:
    caches["local"].clear()  # the bell's count is kept per process a short while


def _bell(html: str) -> int:
    match = re.search(r'id="inbox-bell".*?</a>', html, re.S)
    assert match, "no bell in the header"
    count = re.search(r"data-inbox-count>(\d+)<", match.group(0))
    return int(count.group(1)) if count else 0


def _dispatched(contract: Any, unit: Any, n: int, start: int = 0) -> list[Any]:
    now = timezone.now()
    return [
        create_ticket(contract, {"number": f"GD-I{i}", "unit": unit, "dispatched_at": now})
        for i in range(start, start + n)
    ]


def test_every_role_has_an_inbox_and_a_bell(users: dict[str, Any], login: Any) -> None:
    for role in Role:
        client = login(users[role.value])
        page = client.get("/inbox/")
        assert page.status_code == 200, role
        _bell(page.content.decode())
        assert client.get("/inbox/bell/").content.decode().startswith('<a id="inbox-bell"')
    assert Client().get("/inbox/").status_code == 302


def test_engineer_reads_an_item_and_the_bell_follows(
    vendor_engineer: Any, vendor_manager: Any, login: Any, contract_a: Any, contract_b: Any,
    unit_a: Any, unit_b: Any,
) -> None:  # fmt: skip
    mine = _dispatched(contract_a, unit_a, 2)
    create_ticket(
        contract_b, {"number": "GD-OTHER", "unit": unit_b, "dispatched_at": timezone.now()}
    )
    client = login(vendor_engineer)
    html = client.get("/").content.decode()
    assert _bell(html) == 2
    page = client.get("/inbox/").content.decode()
    item = f"ticket-dispatched:{mine[0].pk}:dispatched"
    assert f'data-item="{item}"' in page and "GD-OTHER" not in page
    assert f'href="/tickets/{mine[0].pk}/"' in page
    response = client.post("/inbox/read/", {"item": [item, "ticket-dispatched:999:x"]})
    assert response.status_code == 302
    # only the user's own current items are stored
    assert list(InboxRead.objects.values_list("item", flat=True)) == [item]
    record = AuditRecord.objects.filter(action="inbox.read").get()
    assert record.after["items"] == [item]
    assert _bell(client.get("/inbox/").content.decode()) == 1
    # another user's read state is their own
    assert _bell(login(vendor_manager).get("/").content.decode()) == 0
    client.post("/inbox/read-all/")
    assert _bell(client.get("/").content.decode()) == 0
    assert InboxRead.objects.filter(user=vendor_engineer).count() == 2
    assert client.get("/inbox/read/").status_code == 405
    # a step done: the item leaves the inbox, and its mark goes at the next reading
    type(mine[0]).objects.filter(pk=mine[0].pk).update(
        status="acknowledged", acknowledged_at=timezone.now()
    )
    client.post("/inbox/read-all/")
    assert list(InboxRead.objects.filter(user=vendor_engineer).values_list("item", flat=True)) == [
        f"ticket-dispatched:{mine[1].pk}:dispatched"
    ]


def test_inbox_lists_what_the_home_page_lists(
    users: dict[str, Any], login: Any, contract_a: Any, unit_a: Any
) -> None:
    from opsqm.facts.incidents.models import Incident

    _dispatched(contract_a, unit_a, 1)
    Incident.objects.create(contract=contract_a, code="SG-IN", occurred_at=timezone.now())
    for role in ("vendor_engineer", "assessor", "vendor_manager", "supervisor"):
        client = login(users[role])
        home = client.get("/").content.decode()
        inbox = client.get("/inbox/").content.decode()
        links = set(re.findall(LINK, home))
        assert links == set(re.findall(LINK, inbox)), role
        assert links or role == "supervisor", role  # nothing waits for the supervisor
    # the manager is asked to join the determination of the vendor's incident
    manager = login(users["vendor_manager"]).get("/inbox/").content.decode()
    assert 'data-section="join_determinations"' in manager and "SG-IN" in manager


def test_an_administrator_sees_the_requests_a_second_one_decides(
    system_admin: Any, security_admin: Any, login: Any
) -> None:
    from opsqm.infra.accounts.models import AdminRequest

    AdminRequest.objects.create(
        kind="create", username="newadmin", role="audit_admin", requested_by=system_admin
    )
    assert _bell(login(security_admin).get("/").content.decode()) == 1
    # not the one who asked
    assert _bell(login(system_admin).get("/").content.decode()) == 0


def test_inbox_queries_do_not_grow_with_items(
    vendor_engineer: Any, contract_a: Any, unit_a: Any, login: Any,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    client = login(vendor_engineer)
    client.get("/")
    _dispatched(contract_a, unit_a, 2)
    # session, user, the section's rows, the read items; the bell reuses nothing else
    with django_assert_max_num_queries(6):
        assert client.get("/inbox/").status_code == 200
    _dispatched(contract_a, unit_a, 30, start=10)
    caches["local"].clear()
    with django_assert_max_num_queries(7):  # + the count past the first ten
        page = client.get("/inbox/").content.decode()
    assert page.count("data-item=") == 10 and ">32<" in page
