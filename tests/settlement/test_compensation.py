"""第十二条 compensation on the settlement (合同 五.5): listed beside the fines, deducted
from what remains payable, frozen at sign-off, and the payment schedule's final
payment follows it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from opsqm.derived.payments import services as payments
from opsqm.derived.settlement import compensation
from opsqm.derived.settlement import services as settlement
from opsqm.facts.incidents import remedies
from opsqm.facts.incidents import services as inc
from opsqm.pure.assessment.ledger_json import ledger_to_dict
from opsqm.pure.assessment.model import TZ
from opsqm.pure.assessment.remedies import with_compensation

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def liable(contract_a: Any, assessor: Any) -> Any:
    """Contract A (¥1,000,000, final payment ¥300,000): a level-3 incident an operator's
    wrong command caused (I1 ¥0 fine, −5 points) with ¥50,000 of direct loss."""
    incident = inc.record_incident(
        contract_a,
        {
            "code": "SG-07",
            "level": 3,
            "occurred_at": datetime.datetime(2025, 6, 2, 9, tzinfo=TZ),
            "reported_at": datetime.datetime(2025, 6, 2, 20, tzinfo=TZ),
            "human_error": "wrong_command",
        },
        assessor,
    )
    remedies.record_liability(
        incident,
        {
            "amount": Decimal("50000.00"),
            "decided_on": D(2025, 6, 30),
            "decision": "误操作致数据恢复费用",
        },
        assessor,
    )
    return contract_a


def test_with_compensation_arithmetic() -> None:
    a = with_compensation(Decimal("280000.00"), Decimal("0.00"), Decimal("50000.00"))
    assert (a.deducted, a.payable, a.vendor_owes) == (
        Decimal("50000.00"),
        Decimal("230000.00"),
        Decimal("0.00"),
    )
    b = with_compensation(Decimal("30000.00"), Decimal("0.00"), Decimal("50000.00"))
    assert (b.deducted, b.payable, b.vendor_owes) == (
        Decimal("30000.00"),
        Decimal("0.00"),
        Decimal("20000.00"),
    )
    c = with_compensation(Decimal("0.00"), Decimal("12000.00"), Decimal("1000.00"))
    assert (c.payable, c.vendor_owes) == (Decimal("0.00"), Decimal("13000.00"))
    with pytest.raises(ValueError):
        with_compensation(Decimal(1), Decimal(0), Decimal(-1))


def test_the_statement_lists_and_deducts_it(
    liable: Any, assessor: Any, supervisor: Any, login: Any
) -> None:
    ledger = ledger_to_dict(settlement.year_end_ledger(liable))
    payable = Decimal(ledger["settlement"]["payable"])
    rows = compensation.lines(liable)
    assert [(r["incident"], r["amount"]) for r in rows] == [("SG-07", "50000.00")]
    after = compensation.frozen(ledger, rows)
    assert Decimal(after["payable"]) == payable - Decimal("50000.00")
    page = login(supervisor).get(f"/settlement/{liable.code}/").content.decode()
    assert "误操作致数据恢复费用" in page and "50,000.00" in page

    st = settlement.create_statement(liable, assessor)
    settlement.submit(st, assessor)
    settlement.review(st, supervisor, True, "")
    assert st.reviewed_compensation == "50000.00"
    settlement.sign_off(st, assessor)
    st.refresh_from_db()
    assert st.frozen_compensation == after
    assert settlement.payable(st) == payable - Decimal("50000.00")
    payments.set_signed_on(liable, D(2025, 1, 6))
    final = payments.schedule(liable)[1]
    assert final.amount == payable - Decimal("50000.00")
    # a later change is a difference, never a rewrite
    remedies.withdraw_liability(liable.incidents.get(code="SG-07").liability, "复议撤销")
    diff = settlement.difference(st)
    assert diff is not None and diff.amounts["compensation.total"] == ("50000.00", "0.00")
    assert payments.schedule(liable)[1].amount == payable - Decimal("50000.00")


def test_sign_off_refused_when_the_compensation_changed_after_approval(
    liable: Any, assessor: Any, supervisor: Any
) -> None:
    st = settlement.create_statement(liable, assessor)
    settlement.submit(st, assessor)
    settlement.review(st, supervisor, True, "")
    lb = liable.incidents.get(code="SG-07").liability
    remedies.record_liability(
        lb.incident,
        {"amount": Decimal("60000.00"), "decided_on": D(2025, 7, 1), "decision": "复核"},
    )
    with translation.override("en"), pytest.raises(ValidationError, match="compensation"):
        settlement.sign_off(st, assessor)


def test_the_exports_list_it(liable: Any, assessor: Any, login: Any) -> None:
    import io

    from openpyxl import load_workbook

    body = login(assessor).get(f"/settlement/{liable.code}.xlsx").content
    summary = load_workbook(io.BytesIO(body)).worksheets[0]
    cells = {str(r[0].value): r[1].value for r in summary.iter_rows() if r[0].value}
    line = next(k for k in cells if "SG-07" in k)
    assert "2025-06-30" in line and Decimal(str(cells[line])) == Decimal("50000.00")
