"""Termination (合同 十.2, 十.3): the grounds checked, the dates checked, the
consequence (refund of everything paid, 30 % or the actual loss, the refund deadline
20 working days after the notice was received), the page and the panel."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.derived.payments import services, termination
from opsqm.facts.contracts.rulebooks import default_rulebook
from opsqm.facts.incidents import services as inc
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.remedies import DELAY, FAILURE, termination_consequence
from opsqm.pure.assessment.workcalendar import calendar_for

D = datetime.date
M = Decimal


def test_consequence_by_the_clause() -> None:
    cal = calendar_for(default_rulebook().calendar)
    amount, paid = M("1000000.00"), M("700000.00")
    c = termination_consequence(DELAY, amount, paid, None, D(2025, 3, 21), cal)
    assert (c.refund, c.penalty, c.damages, c.total) == (
        paid,
        M("300000.00"),
        M("300000.00"),
        M("1000000.00"),
    )
    # Qingming (4 April 2025) is no working day: the 20th after Friday 21 March
    assert c.refund_due == D(2025, 4, 21)
    # 十.2: the penalty is the floor; a higher actual loss replaces it
    assert termination_consequence(DELAY, amount, paid, M("100000"), None, cal).damages == M(
        "300000.00"
    )
    higher = termination_consequence(DELAY, amount, paid, M("450000"), None, cal)
    assert (higher.damages, higher.damages_basis) == (M("450000.00"), "actual_loss")
    # 十.3: the actual loss when recorded, 30 % only when it cannot be computed
    assert termination_consequence(FAILURE, amount, paid, M("100000"), None, cal).damages == M(
        "100000.00"
    )
    assert termination_consequence(FAILURE, amount, M(0), None, None, cal).total == M("300000.00")
    with pytest.raises(ValueError):
        termination_consequence("whim", amount, paid, None, None, cal)


@pytest.fixture
def late(contract_a: Any) -> Any:
    inc.record_service_delay(contract_a, {"obligation": "人员名单", "due": D(2025, 3, 1)})
    services.set_signed_on(contract_a, D(2025, 1, 6))
    # The signing day opened the staff list's delivery (合同 六(二)1): handed in on time,
    # so the late delivery above is the only one that gives 十.2's right.
    from opsqm.facts.incidents.stafflist import staff_list_delivery

    inc.record_delivered(staff_list_delivery(contract_a), D(2025, 1, 7))
    services.record_payment(
        contract_a, {"kind": "first", "paid_on": D(2025, 2, 10), "amount": M("700000.00")}
    )
    return contract_a


def _data(**extra: Any) -> dict[str, Any]:
    return {
        "grounds": "delay_over_15",
        "notice_on": D(2025, 3, 20),
        "received_on": D(2025, 3, 21),
        "reason": "人员名单逾期19天",
    } | extra


@pytest.mark.django_db
def test_grounds_and_dates_are_checked(late: Any) -> None:
    with pytest.raises(ValidationError) as e:
        termination.record_termination(late, _data(notice_on=D(2025, 3, 10)))  # 9 days late
    assert list(e.value.message_dict) == ["grounds"]
    with pytest.raises(ValidationError) as e:
        termination.record_termination(late, _data(received_on=D(2025, 3, 19)))
    assert list(e.value.message_dict) == ["received_on"]
    with pytest.raises(ValidationError) as e:
        termination.record_termination(
            late, _data(notice_on=D(2024, 12, 1), grounds="service_failure")
        )
    assert "notice_on" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        termination.record_termination(late, _data(reason=""))
    assert list(e.value.message_dict) == ["reason"]
    assert termination.consequence(late) is None


@pytest.mark.django_db
def test_recorded_termination_and_its_consequence(late: Any) -> None:
    termination.record_termination(late, _data())
    c = termination.consequence(late)
    assert c is not None
    assert (c.refund, c.damages, c.total, c.refund_due) == (
        M("700000.00"),
        M("300000.00"),
        M("1000000.00"),
        D(2025, 4, 21),
    )
    termination.record_termination(
        late, _data(grounds="service_failure", actual_loss=M("120000.00"))
    )
    c = termination.consequence(late)
    assert c is not None and (c.damages, c.damages_basis) == (M("120000.00"), "actual_loss")
    records = AuditRecord.objects.filter(action="contract.termination").order_by("id")
    assert [r.after["grounds"] for r in records] == ["delay_over_15", "service_failure"]


@pytest.mark.django_db
def test_pages(late: Any, assessor: Any, vendor_manager: Any, login: Any) -> None:
    url = f"/payments/{late.code}/termination/"
    m = login(vendor_manager)
    assert m.get(url).status_code == 403
    a = login(assessor)
    assert "人员名单" in a.get(url).content.decode()  # the right of 十.2 is shown
    resp = a.post(
        url,
        {
            "grounds": "delay_over_15",
            "notice_on": "2025-03-20",
            "received_on": "2025-03-21",
            "reason": "逾期",
        },
    )
    assert resp.status_code == 302
    panel = m.get(f"/payments/{late.code}/panel/").content.decode()
    assert "1,000,000.00" in panel and "2025-04-21" in panel
    contract_page = a.get(f"/contracts/{late.pk}/").content.decode()
    assert f"/payments/{late.code}/panel/" in contract_page


@pytest.mark.django_db
def test_nothing_is_overdue_after_a_termination(late: Any) -> None:
    from opsqm.derived.payments.models import PaymentMade

    PaymentMade.objects.filter(contract=late).delete()  # the first payment never made
    invoice = {"kind": "first", "number": "FP-1", "amount": M("700000.00")}
    services.register_invoice(
        late, invoice | {"issued_on": D(2025, 1, 20), "received_on": D(2025, 1, 20)}
    )
    assert services.schedule(late)[0].overdue  # invoiced, long past the deadline
    termination.record_termination(late, _data())
    first = services.schedule(late)[0]
    assert first.terminated and not first.overdue
    assert services.overdue_payments([late]) == []
