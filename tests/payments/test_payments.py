"""Payments (合同 五.2, 五.3): deadlines on the work calendar, invoices that move them,
payments made, overdue payments on the assessor's home, the pages and their guards."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from opsqm.derived.payments import services
from opsqm.facts.contracts.rulebooks import default_rulebook
from opsqm.infra.audit.models import AuditRecord
from opsqm.pure.assessment.paydue import add_workdays, payment_deadline, workdays_between
from opsqm.pure.assessment.workcalendar import calendar_for

D = datetime.date


@pytest.fixture
def cal() -> Any:
    return calendar_for(default_rulebook().calendar)


def test_workdays_skip_weekends_and_holidays(cal: Any) -> None:
    # 2025-10-01 … 10-08 National Day and Mid-Autumn: the next working day is the 9th.
    assert add_workdays(cal, D(2025, 9, 30), 1) == D(2025, 10, 9)
    # The seed contract, signed Wednesday 2025-10-29: the 30th working day after it.
    assert add_workdays(cal, D(2025, 10, 29), 30) == D(2025, 12, 10)
    assert workdays_between(cal, D(2025, 12, 5), D(2025, 12, 8)) == 1
    with pytest.raises(ValueError):
        add_workdays(cal, D(2025, 1, 1), 0)


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        (None, D(2025, 12, 10), False),
        (D(2025, 11, 20), D(2025, 12, 10), False),  # 14 working days left
        (D(2025, 11, 26), D(2025, 12, 10), False),  # exactly 10 left: not "不足10个"
        (D(2025, 11, 27), D(2025, 12, 11), True),  # 9 left: 10 working days after receipt
        (D(2025, 12, 1), D(2025, 12, 15), True),
        # after the deadline; 1–3 Jan 2026 holidays, Sunday 4 Jan a 调休 working day
        (D(2025, 12, 20), D(2026, 1, 5), True),
    ],
)
def test_invoice_moves_the_deadline(cal: Any, received: D | None, due: D, extended: bool) -> None:
    dl = payment_deadline(cal, D(2025, 10, 29), [received] if received else [])
    assert dl.base == D(2025, 12, 10)
    assert (dl.due, dl.extended_by_invoice) == (due, extended)


def _invoice(contract: Any, number: str, received: D, kind: str = "first") -> Any:
    return services.register_invoice(
        contract,
        {
            "kind": kind,
            "number": number,
            "amount": Decimal("700000.00"),
            "issued_on": received,
            "received_on": received,
        },
    )


@pytest.mark.django_db
def test_schedule_overdue_and_paid(contract_a: Any) -> None:
    services.set_signed_on(contract_a, D(2025, 10, 29))
    first, final = services.schedule(contract_a, D(2025, 12, 20))
    assert first.amount == Decimal("700000.00")  # amount less the final payment
    assert final.amount is None and final.deadline is None  # neither accepted nor settled
    assert not first.overdue  # no invoice: the bureau may refuse (五.3)
    _invoice(contract_a, "FP-001", D(2025, 11, 27))
    first, _f = services.schedule(contract_a, D(2025, 12, 11))
    assert first.deadline is not None and first.deadline.due == D(2025, 12, 11)
    assert not first.overdue
    first, _f = services.schedule(contract_a, D(2025, 12, 12))
    assert first.overdue and first.outstanding == Decimal("700000.00")
    assert [c.code for c, d in services.overdue_payments([contract_a], D(2025, 12, 12))] == [
        contract_a.code
    ]
    services.record_payment(
        contract_a, {"kind": "first", "paid_on": D(2025, 12, 12), "amount": Decimal("700000")}
    )
    first, _f = services.schedule(contract_a, D(2025, 12, 12))
    assert not first.overdue and first.outstanding == Decimal(0)
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"payments.plan", "payments.invoice", "payments.paid"} <= actions


@pytest.mark.django_db
def test_dates_checked(contract_a: Any) -> None:
    with pytest.raises(ValidationError) as e:
        _invoice(contract_a, "X", D(2025, 11, 1))  # no signing day yet
    assert e.value.code == "unsigned"
    with pytest.raises(ValidationError):
        services.set_signed_on(contract_a, D(2026, 1, 5))  # after the period's end
    services.set_signed_on(contract_a, D(2025, 10, 29))
    with pytest.raises(ValidationError) as e:
        _invoice(contract_a, "X", D(2025, 10, 1))
    assert "issued_on" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        _invoice(contract_a, "X", services.today() + datetime.timedelta(days=1))
    assert "received_on" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.register_invoice(
            contract_a,
            {
                "kind": "first",
                "number": "Y",
                "amount": Decimal("1"),
                "issued_on": D(2025, 11, 5),
                "received_on": D(2025, 11, 4),
            },
        )
    assert "received_on" in e.value.message_dict
    _invoice(contract_a, "Z", D(2025, 11, 5))
    with pytest.raises(ValidationError) as e:
        _invoice(contract_a, "Z", D(2025, 11, 6))
    assert "number" in e.value.message_dict


@pytest.mark.django_db
def test_pages(contract_a: Any, assessor: Any, vendor_manager: Any, login: Any) -> None:
    a = login(assessor)
    url = f"/payments/{contract_a.code}/"
    resp = a.post(url, {"form": "plan", "plan-signed_on": "2025-10-29"})
    assert resp.status_code == 302
    resp = a.post(
        url,
        {
            "form": "invoice",
            "invoice-kind": "first",
            "invoice-number": "FP-9",
            "invoice-amount": "700000.00",
            "invoice-issued_on": "2025-11-27",
            "invoice-received_on": "2025-11-26",
        },
    )
    assert resp.status_code == 200 and "FP-9" not in resp.content.decode().split("<form")[0]
    page = a.get(f"/payments/{contract_a.code}/panel/").content.decode()
    assert "2025-12-10" in page  # the deadline shown
    # Overdue now (an invoice in, deadline long past): listed on the assessor's home.
    _invoice(contract_a, "FP-10", D(2025, 11, 20))
    home = a.get("/").content.decode()
    assert "overdue-payments" in home and contract_a.code in home
    m = login(vendor_manager)
    assert m.get(url).status_code == 200
    assert m.post(url, {"form": "plan", "plan-signed_on": "2025-10-30"}).status_code == 403
